package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.tunnel.CloseReason;
import io.github.upgrade4j.tunnel.Opening;
import io.github.upgrade4j.tunnel.RefusalReason;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The names, labels and starting values the proxy's metrics have in the Prometheus text format, which
 * the help, the README and dashboards rely on. Tunnels opening and ending are counted through the relay
 * in {@code MetricsIT}, since only a relay makes a {@code Tunnel}.
 */
class ProxyMetricsTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ProxyMetrics metrics = ProxyMetrics.of(registry);

    private double sample(String series) {
        Matcher line = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
                .matcher(registry.scrape());
        assertTrue(line.find(), "expected the series " + series + " in:\n" + registry.scrape());
        return Double.parseDouble(line.group(1));
    }

    @Test
    void everyPathReasonAndDirectionHasItsSeriesAtZeroFromTheStart() {
        for (String path : new String[] {"copy", "splice", "h2"}) {
            assertEquals(0, sample("upgrade4j_tunnels_active{path=\"" + path + "\"}"));
            assertEquals(0, sample("upgrade4j_tunnels_opened_total{path=\"" + path + "\"}"));
        }
        for (RefusalReason reason : RefusalReason.values()) {
            assertEquals(0, sample("upgrade4j_tunnels_refused_total{reason=\"" + reason.name() + "\"}"));
        }
        for (CloseReason reason : CloseReason.values()) {
            assertEquals(0, sample("upgrade4j_tunnels_closed_total{reason=\"" + reason.name() + "\"}"));
        }
        assertEquals(0, sample("upgrade4j_tunnel_bytes_total{direction=\"client_to_upstream\"}"));
        assertEquals(0, sample("upgrade4j_tunnel_bytes_total{direction=\"upstream_to_client\"}"));
        assertEquals(0, sample("upgrade4j_handshake_duration_seconds_count"));
        assertFalse(registry.scrape().contains("upgrade4j_handshake_answers_total{"), "statuses come as answered");
    }

    @Test
    void theTypesAreWhatPrometheusExpects() {
        String text = registry.scrape();

        assertTrue(text.contains("# TYPE upgrade4j_tunnels_active gauge\n"), text);
        assertTrue(text.contains("# TYPE upgrade4j_tunnels_opened_total counter\n"), text);
        assertTrue(text.contains("# TYPE upgrade4j_tunnel_bytes_total counter\n"), text);
        assertTrue(text.contains("# TYPE upgrade4j_handshake_duration_seconds histogram\n"), text);
    }

    @Test
    void aRefusalIsCountedByItsReason() {
        metrics.refused(new Opening.Refused(RefusalReason.TUNNEL_LIMIT, "expected fewer than 1 tunnels but 1 run"));
        metrics.refused(new Opening.Refused(RefusalReason.TUNNEL_LIMIT, "expected fewer than 1 tunnels but 1 run"));

        assertEquals(2, sample("upgrade4j_tunnels_refused_total{reason=\"TUNNEL_LIMIT\"}"));
        assertEquals(0, sample("upgrade4j_tunnels_refused_total{reason=\"SHUT_DOWN\"}"));
    }

    @Test
    void eachAnswerIsCountedByStatusAndTimedInTheHistogram() {
        long head = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(3);
        metrics.answered(101, head);
        metrics.answered(101, head);
        metrics.answered(426, System.nanoTime());

        assertEquals(2, sample("upgrade4j_handshake_answers_total{status=\"101\"}"));
        assertEquals(1, sample("upgrade4j_handshake_answers_total{status=\"426\"}"));
        assertEquals(3, sample("upgrade4j_handshake_duration_seconds_count"));
        assertEquals(3, sample("upgrade4j_handshake_duration_seconds_bucket{le=\"+Inf\"}"));
        assertTrue(sample("upgrade4j_handshake_duration_seconds_sum") >= 0.006);
        // Cumulative buckets, in order: none below 3 ms holds the two answers that took at least 3 ms.
        Matcher bucket = Pattern.compile("^upgrade4j_handshake_duration_seconds_bucket\\{le=\"([0-9.]+)\"\\} (\\S+)$",
                Pattern.MULTILINE).matcher(registry.scrape());
        int buckets = 0;
        double previous = 0;
        for (; bucket.find(); buckets++) {
            double le = Double.parseDouble(bucket.group(1));
            double count = Double.parseDouble(bucket.group(2));
            assertTrue(count >= previous && (le >= 0.003 || count <= 1), bucket.group());
            previous = count;
        }
        assertTrue(buckets > 10, "expected a percentile histogram's buckets but found " + buckets);
    }
}
