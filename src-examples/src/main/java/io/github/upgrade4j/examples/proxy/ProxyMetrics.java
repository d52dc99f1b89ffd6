package io.github.upgrade4j.examples.proxy;

import io.github.upgrade4j.tunnel.CloseReason;
import io.github.upgrade4j.tunnel.Opening;
import io.github.upgrade4j.tunnel.RefusalReason;
import io.github.upgrade4j.tunnel.RelayListener;
import io.github.upgrade4j.tunnel.RelayPath;
import io.github.upgrade4j.tunnel.Tunnel;
import io.github.upgrade4j.tunnel.TunnelOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link ReverseProxy}'s meters, in a Micrometer registry: the tunnels, counted by the relay's
 * {@link RelayListener} once per event (never per byte), and the answers to upgrade requests, counted by
 * {@link ProxyExchange} and {@link ClientLoop} as each answer's head is written. With a Prometheus
 * registry they read (the names every document of the proxy uses):
 *
 * <ul>
 *   <li>{@code upgrade4j_tunnels_active{path}}, gauge: tunnels open now, by how their bytes travel:
 *       {@code copy} or {@code splice} for HTTP/1.1 clients, {@code h2} for WebSockets on HTTP/2 streams
 *       (RFC 8441, counted by {@link #overHttp2()});
 *   <li>{@code upgrade4j_tunnels_opened_total{path}}: tunnels opened;
 *   <li>{@code upgrade4j_tunnels_refused_total{reason}}: opens the relay refused, by {@link RefusalReason}
 *       (each answered 503);
 *   <li>{@code upgrade4j_tunnels_closed_total{reason}}: tunnels ended, by {@link CloseReason};
 *   <li>{@code upgrade4j_tunnel_bytes_total{direction}}: bytes relayed by tunnels that have ended,
 *       {@code client_to_upstream} and {@code upstream_to_client}, from their outcomes (the 101's head
 *       included, as the relay writes it);
 *   <li>{@code upgrade4j_handshake_answers_total{status}}: answers to requests that offered an upgrade (an
 *       {@code Upgrade} field), by status: 101, or the refusal's 400, 426, 502, 503, 504, or whatever the
 *       upstream answered instead;
 *   <li>{@code upgrade4j_handshake_duration_seconds}, histogram: from the request head complete on the
 *       client loop to the answer's head written (for a 101: handed to the relay, which writes it first).
 * </ul>
 *
 * <p>Every reason, path and direction has its series from the start, at 0, so rates need no absent
 * series; statuses appear as they are answered. Thread-safe: meters are Micrometer's, and the gauges
 * read atomic counts. One instance per registry: Micrometer hands a second one the first one's meters,
 * so its counts would mix in, and its gauges would not be registered at all.
 *
 * <p>It does not count plain requests, nor bytes of tunnels still running (a long-lived WebSocket's bytes
 * appear when it ends; {@link Tunnel#bytesClientToUpstream()} has them meanwhile).
 */
final class ProxyMetrics implements RelayListener {
    /** The prefix of every meter's name. */
    static final String PREFIX = "upgrade4j.";

    private final MeterRegistry registry;
    /** The path label of tunnels on HTTP/2 streams. */
    static final String HTTP2 = "h2";

    private final Map<String, AtomicInteger> active = new HashMap<>();
    private final Map<String, Counter> opened = new HashMap<>();
    private final Map<RefusalReason, Counter> refused = new EnumMap<>(RefusalReason.class);
    private final Map<CloseReason, Counter> closed = new EnumMap<>(CloseReason.class);
    private final Counter bytesClientToUpstream;
    private final Counter bytesUpstreamToClient;
    private final Map<Integer, Counter> answers = new ConcurrentHashMap<>();
    private final Timer handshakes;

    private ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String tag : new String[] {tag(RelayPath.COPY), tag(RelayPath.SPLICE), HTTP2}) {
            AtomicInteger count = new AtomicInteger();
            active.put(tag, count);
            // The map holds the count strongly: a gauge only keeps a weak reference to what it reads.
            Gauge.builder(PREFIX + "tunnels.active", count, AtomicInteger::get).tag("path", tag)
                    .description("Tunnels open now, by relay path").register(registry);
            opened.put(tag, Counter.builder(PREFIX + "tunnels.opened").tag("path", tag)
                    .description("Tunnels opened, by relay path").register(registry));
        }
        for (RefusalReason reason : RefusalReason.values()) {
            refused.put(reason, Counter.builder(PREFIX + "tunnels.refused").tag("reason", reason.name())
                    .description("Tunnels the relay refused before any byte moved (answered 503), by reason")
                    .register(registry));
        }
        for (CloseReason reason : CloseReason.values()) {
            closed.put(reason, Counter.builder(PREFIX + "tunnels.closed").tag("reason", reason.name())
                    .description("Tunnels ended, by reason").register(registry));
        }
        this.bytesClientToUpstream = bytes("client_to_upstream");
        this.bytesUpstreamToClient = bytes("upstream_to_client");
        this.handshakes = Timer.builder(PREFIX + "handshake.duration")
                .description("From an upgrade request's complete head to its answer's head written")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    private Counter bytes(String direction) {
        return Counter.builder(PREFIX + "tunnel.bytes").baseUnit(BaseUnits.BYTES).tag("direction", direction)
                .description("Bytes relayed by tunnels that have ended, by direction").register(registry);
    }

    /** The meters, registered in {@code registry}. */
    static ProxyMetrics of(MeterRegistry registry) {
        return new ProxyMetrics(registry);
    }

    /** Meters that record nothing: a composite registry with no registry in it makes every meter a no-op. */
    static ProxyMetrics none() {
        return new ProxyMetrics(new CompositeMeterRegistry());
    }

    @Override
    public void opened(Tunnel tunnel) {
        opened(tag(tunnel.path()));
    }

    @Override
    public void refused(Opening.Refused refusal) {
        refused.get(refusal.reason()).increment();
    }

    @Override
    public void closed(Tunnel tunnel, TunnelOutcome outcome) {
        closed(tag(outcome.path()), outcome);
    }

    /**
     * The listener of the relay of WebSockets on HTTP/2 streams: the same meters, with {@code path="h2"} for
     * its tunnels (they copy, so their own path says only {@code copy}).
     */
    RelayListener overHttp2() {
        return new RelayListener() {
            @Override
            public void opened(Tunnel tunnel) {
                ProxyMetrics.this.opened(HTTP2);
            }

            @Override
            public void refused(Opening.Refused refusal) {
                ProxyMetrics.this.refused(refusal);
            }

            @Override
            public void closed(Tunnel tunnel, TunnelOutcome outcome) {
                ProxyMetrics.this.closed(HTTP2, outcome);
            }
        };
    }

    private void opened(String path) {
        active.get(path).incrementAndGet();
        opened.get(path).increment();
    }

    private void closed(String path, TunnelOutcome outcome) {
        closed.get(outcome.reason()).increment();
        bytesClientToUpstream.increment(outcome.bytesClientToUpstream());
        bytesUpstreamToClient.increment(outcome.bytesUpstreamToClient());
        active.get(path).decrementAndGet();
    }

    private static String tag(RelayPath path) {
        return path.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Counts the answer with {@code status} to a request that offered an upgrade, whose head was complete
     * at {@code headNanos} ({@link System#nanoTime()}), and times it; call once its head is written.
     */
    void answered(int status, long headNanos) {
        answers.computeIfAbsent(status, s -> Counter.builder(PREFIX + "handshake.answers")
                .tag("status", Integer.toString(s))
                .description("Answers to requests that offered an upgrade, by status").register(registry))
                .increment();
        handshakes.record(System.nanoTime() - headNanos, TimeUnit.NANOSECONDS);
    }
}
