package io.github.upgrade4j.examples.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics} on exactly the address given, in the text format, with the JVM's meters; nothing else. */
class MetricsEndpointTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private MetricsEndpoint endpoint;

    @BeforeEach
    void start() throws IOException {
        endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    private HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + endpoint.address().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheRegistrysMetersInThePrometheusTextFormat() throws Exception {
        Counter.builder("upgrade4j.test.things").tag("kind", "odd").register(endpoint.registry()).increment(3);

        HttpResponse<String> response = send("GET", "/metrics");

        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8",
                response.headers().firstValue("Content-Type").orElse(""));
        assertTrue(response.body().contains("\nupgrade4j_test_things_total{kind=\"odd\"} 3.0\n"), response.body());
        assertTrue(response.body().contains("# TYPE upgrade4j_test_things_total counter\n"), response.body());
    }

    @Test
    void theJvmsBasicsAreThereFromTheStart() throws Exception {
        String body = send("GET", "/metrics").body();

        for (String name : new String[] {"jvm_memory_used_bytes{", "jvm_gc_memory_allocated_bytes_total ",
            "jvm_threads_live_threads ", "jvm_classes_loaded_classes ", "system_cpu_count ",
            "process_uptime_seconds ", "process_files_open_files "}) {
            assertTrue(body.contains("\n" + name), "expected " + name + " in:\n" + body);
        }
    }

    @Test
    void headAnswersWithoutABodyAndOtherMethodsAndPathsAreRefused() throws Exception {
        HttpResponse<String> head = send("HEAD", "/metrics");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());

        HttpResponse<String> post = send("POST", "/metrics");
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));

        assertEquals(404, send("GET", "/").statusCode());
        assertEquals(404, send("GET", "/metrics/x").statusCode());
    }

    @Test
    void itBindsExactlyTheAddressGivenAndPrintsItsUrl() {
        assertEquals(InetAddress.getLoopbackAddress(), endpoint.address().getAddress());
        assertTrue(endpoint.address().getPort() > 0);
        assertEquals("http://127.0.0.1:" + endpoint.address().getPort() + "/metrics", endpoint.url());
    }

    @Test
    void anAddressInUseIsNamedInTheError() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", taken.getLocalPort());

            IOException e = assertThrows(IOException.class, () -> MetricsEndpoint.start(address).close());

            assertTrue(e.getMessage().startsWith("cannot serve metrics on 127.0.0.1:" + taken.getLocalPort() + ": "),
                    e.getMessage());
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }

    @Test
    void anAddressWhoseNameDoesNotResolveIsNamedInTheError() {
        IOException e = assertThrows(IOException.class,
                () -> MetricsEndpoint.start(InetSocketAddress.createUnresolved("nowhere.invalid", 9464)).close());

        assertEquals("cannot serve metrics on nowhere.invalid:9464: the host name does not resolve", e.getMessage());
    }

    @Test
    void afterCloseNothingListens() throws Exception {
        int port = endpoint.address().getPort();
        endpoint.close();

        assertThrows(IOException.class, () -> send("GET", "/metrics"));
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertEquals(port, again.getLocalPort(), "the port is free again");
        }
        endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0)); // for @AfterEach
    }
}
