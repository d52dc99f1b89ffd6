package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.upgrade4j.examples.echo.EchoServer;
import io.github.upgrade4j.examples.proxy.attacks.ExampleProxy;
import io.github.upgrade4j.examples.support.PrometheusText;
import io.github.upgrade4j.examples.support.WebSocketRecorder;
import io.github.upgrade4j.tunnel.CloseReason;
import io.github.upgrade4j.tunnel.RefusalReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code proxy --metrics 127.0.0.1:0} as its users run it (the jar, in a process of its own) between the
 * JDK's WebSocket client and the example echo server: {@code /metrics}, scraped while tunnels are open
 * and after they closed and parsed by Prometheus' own text parser ({@link PrometheusText}), counts
 * exactly what the test did. The proxy's log lines ({@code tunnel closed: REASON, N B up, M B down}) and
 * its relay's statistics on stopping ({@code stopped; ...}) are the second witness for what the test
 * cannot know beforehand: how each tunnel ended and the bytes toward the client.
 */
class MetricsIT {
    /** Three tunnels run at once, which is also the proxy's limit: a fourth upgrade is refused with 503. */
    private static final int TUNNELS = 3;
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Pattern CLOSED = Pattern.compile("tunnel closed: (\\w+), (\\d+) B up, (\\d+) B down");
    private static final Pattern STOPPED = Pattern.compile("^stopped; .*, (\\d+) B up, (\\d+) B down$");
    private static final String UPGRADE = """
            GET /echo HTTP/1.1\r
            Host: app\r
            Connection: Upgrade\r
            Upgrade: websocket\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Sec-WebSocket-Version: %s\r
            \r
            """;

    private final PrintStream echoLog = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private EchoServer echo;
    private ExampleProxy proxy;
    private URI metrics;

    @BeforeEach
    void start() throws IOException, InterruptedException {
        PrometheusText.parse(""); // fails at once, saying what to install, where the parser is missing
        echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), echoLog);
        proxy = ExampleProxy.start(echo.address(), "--metrics", "127.0.0.1:0", "--max-tunnels",
                Integer.toString(TUNNELS));
        String line = proxy.awaitLine("metrics on ");
        metrics = URI.create(line.substring(line.indexOf("metrics on ") + "metrics on ".length()));
        assertEquals("127.0.0.1", metrics.getHost(), line);
    }

    @AfterEach
    void stop() {
        proxy.close();
        echo.close();
    }

    private PrometheusText scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("text/plain; version=0.0.4; charset=utf-8",
                response.headers().firstValue("Content-Type").orElse(""));
        return PrometheusText.parse(response.body());
    }

    /**
     * Scrapes until {@code ready} holds, at most {@link #WAIT}: an answer is counted just after its head
     * is written, so a client may read it a moment before the count moves.
     */
    private PrometheusText scrapeWhen(Predicate<PrometheusText> ready, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            PrometheusText scrape = scrape();
            if (ready.test(scrape)) {
                return scrape;
            }
            if (System.nanoTime() - deadline > 0) {
                fail("expected " + what + " within " + WAIT.toSeconds() + " s; the proxy printed:\n" + proxy.output());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** The bytes a client frame of {@code payload} bytes takes on the wire: header, mask key, payload. */
    private static long maskedFrame(int payload) {
        return (payload <= 125 ? 2 : payload <= 65_535 ? 4 : 10) + 4 + payload;
    }

    /** The bytes a server frame of {@code payload} bytes takes: header and payload, no mask. */
    private static long unmaskedFrame(int payload) {
        return (payload <= 125 ? 2 : payload <= 65_535 ? 4 : 10) + payload;
    }

    @Test
    void countsTunnelsHandshakesAndBytesWhileTunnelsAreOpenAndAfterTheyClosed() throws Exception {
        String path = proxy.awaitLine("relay: ").contains("relay: splice") ? "splice" : "copy";
        String otherPath = path.equals("splice") ? "copy" : "splice";
        URI echoUri = URI.create("ws://127.0.0.1:" + proxy.address().getPort() + "/echo");

        // Three WebSockets, each sending and receiving messages of several sizes (a 1000-byte one has the
        // 16-bit length), and staying open.
        List<WebSocket> sockets = new ArrayList<>();
        List<WebSocketRecorder> received = new ArrayList<>();
        long clientFrames = 0;
        long echoFrames = 0;
        long payload = 0;
        for (int i = 0; i < TUNNELS; i++) {
            WebSocketRecorder messages = new WebSocketRecorder();
            WebSocket ws = http.newWebSocketBuilder().buildAsync(echoUri, messages).get(10, TimeUnit.SECONDS);
            sockets.add(ws);
            received.add(messages);
            for (String message : new String[] {"tunnel " + i, "x".repeat(100 + i), "y".repeat(1000 + i)}) {
                ws.sendText(message, true).get(10, TimeUnit.SECONDS);
                assertEquals(message, messages.next(String.class));
                int length = message.getBytes(StandardCharsets.UTF_8).length;
                clientFrames += maskedFrame(length);
                echoFrames += unmaskedFrame(length);
                payload += length;
            }
        }

        // Upgrade requests the proxy answers itself, and plain requests, which are no handshakes.
        for (int i = 0; i < 2; i++) {
            String refused = ProxyIT.exchange(proxy.address(), UPGRADE.formatted("8"));
            assertTrue(refused.startsWith("HTTP/1.1 426 "), refused);
        }
        String overLimit = ProxyIT.exchange(proxy.address(), UPGRADE.formatted("13"));
        assertTrue(overLimit.startsWith("HTTP/1.1 503 "), overLimit);
        for (int i = 0; i < 2; i++) {
            String page = ProxyIT.exchange(proxy.address(), "GET / HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n");
            assertTrue(page.startsWith("HTTP/1.1 200 "), page);
        }

        // During: the tunnels are active, no byte is counted yet (tunnels count theirs when they end).
        PrometheusText during = scrapeWhen(s -> s.sum("upgrade4j_handshake_duration_seconds_count") >= 6,
                "the 6 upgrade requests' answers to be counted");
        assertEquals(6, during.sum("upgrade4j_handshake_duration_seconds_count"), "the plain GETs are no handshakes");
        assertEquals(TUNNELS, during.sum("upgrade4j_tunnels_active", "path", path));
        assertEquals(0, during.sum("upgrade4j_tunnels_active", "path", otherPath));
        assertEquals(TUNNELS, during.sum("upgrade4j_tunnels_opened_total", "path", path));
        assertEquals(0, during.sum("upgrade4j_tunnels_opened_total", "path", otherPath));
        assertEquals(Map.of("101", 3.0, "426", 2.0, "503", 1.0),
                during.byLabel("upgrade4j_handshake_answers_total", "status"));
        assertEquals(1, during.sum("upgrade4j_tunnels_refused_total", "reason", RefusalReason.TUNNEL_LIMIT.name()));
        assertEquals(1, during.sum("upgrade4j_tunnels_refused_total"));
        assertEquals(0, during.sum("upgrade4j_tunnels_closed_total"));
        assertEquals(0, during.sum("upgrade4j_tunnel_bytes_total"));
        assertEquals("gauge", during.family("upgrade4j_tunnels_active").type());
        assertEquals("counter", during.family("upgrade4j_tunnels_opened").type());
        assertEquals("counter", during.family("upgrade4j_tunnels_closed").type());
        assertEquals("counter", during.family("upgrade4j_tunnel_bytes").type());
        assertEquals("counter", during.family("upgrade4j_handshake_answers").type());
        assertEquals("histogram", during.family("upgrade4j_handshake_duration_seconds").type());
        assertEquals(6, during.sum("upgrade4j_handshake_duration_seconds_bucket", "le", "+Inf"));
        assertTrue(during.byLabel("upgrade4j_handshake_duration_seconds_bucket", "le").size() > 10,
                "expected the buckets of a percentile histogram");
        assertEquals("gauge", during.family("jvm_memory_used_bytes").type());
        assertTrue(during.sum("jvm_memory_used_bytes", "area", "heap") > 0);
        assertTrue(during.sum("jvm_threads_live_threads") > 0);
        assertTrue(during.sum("process_files_open_files") > 0);
        assertTrue(during.has("process_uptime_seconds") && during.has("jvm_gc_memory_allocated_bytes"),
                "expected uptime and GC metrics");

        // After: each client closes (a Close frame: 2 + 4 + 2 for the code + the reason), the proxy logs
        // how each tunnel ended, and the counts agree with those lines.
        for (int i = 0; i < TUNNELS; i++) {
            sockets.get(i).sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
            assertEquals(WebSocket.NORMAL_CLOSURE, received.get(i).next(WebSocketRecorder.Closed.class).code());
            clientFrames += maskedFrame(2 + "bye".length());
        }
        List<String> closedLines = proxy.awaitLines("tunnel closed: ", TUNNELS);
        Map<String, Double> reasons = new HashMap<>();
        long up = 0;
        long down = 0;
        for (String line : closedLines) {
            Matcher closed = CLOSED.matcher(line);
            assertTrue(closed.find(), line);
            reasons.merge(closed.group(1), 1.0, Double::sum);
            up += Long.parseLong(closed.group(2));
            down += Long.parseLong(closed.group(3));
        }
        PrometheusText after = scrape();
        assertEquals(0, after.sum("upgrade4j_tunnels_active"));
        assertEquals(TUNNELS, after.sum("upgrade4j_tunnels_opened_total"));
        Map<String, Double> closedByReason = new HashMap<>(after.byLabel("upgrade4j_tunnels_closed_total", "reason"));
        assertEquals(CloseReason.values().length, closedByReason.size(), "every reason has its series");
        closedByReason.values().removeIf(n -> n == 0);
        assertEquals(reasons, closedByReason);
        assertEquals(clientFrames, up, "the client's frames, byte for byte, and nothing else");
        assertEquals(up, after.sum("upgrade4j_tunnel_bytes_total", "direction", "client_to_upstream"));
        assertEquals(down, after.sum("upgrade4j_tunnel_bytes_total", "direction", "upstream_to_client"));
        assertTrue(down >= echoFrames + TUNNELS * (2 + "HTTP/1.1 101 \r\n\r\n".length()),
                "expected the 101s, the echoes (" + echoFrames + " B for " + payload + " B of payload) and the"
                        + " closes toward the clients but were " + down + " B");

        // An upgrade while the upstream is down: 502, counted and timed as a handshake like the others.
        echo.close();
        String unreachable = ProxyIT.exchange(proxy.address(), UPGRADE.formatted("13"));
        assertTrue(unreachable.startsWith("HTTP/1.1 502 "), unreachable);
        PrometheusText last = scrapeWhen(s -> s.sum("upgrade4j_handshake_answers_total", "status", "502") >= 1,
                "the 502 to be counted");
        assertEquals(Map.of("101", 3.0, "426", 2.0, "502", 1.0, "503", 1.0),
                last.byLabel("upgrade4j_handshake_answers_total", "status"));
        assertEquals(7, last.sum("upgrade4j_handshake_duration_seconds_count"));

        // The relay's own totals, printed as the proxy stops, are the same bytes.
        proxy.close();
        String stopped = proxy.awaitLine("stopped; ");
        Matcher totals = STOPPED.matcher(stopped);
        assertTrue(totals.find(), stopped);
        assertEquals(up, Long.parseLong(totals.group(1)), stopped);
        assertEquals(down, Long.parseLong(totals.group(2)), stopped);
    }
}
