package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.upgrade4j.examples.proxy.attacks.ScriptedUpstream;
import io.github.upgrade4j.examples.support.ExternalTools;
import io.github.upgrade4j.examples.support.TlsSetup;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.tunnel.CloseReason;
import io.github.upgrade4j.tunnel.RelayListener;
import io.github.upgrade4j.tunnel.RelayOptions;
import io.github.upgrade4j.tunnel.Tunnel;
import io.github.upgrade4j.tunnel.TunnelOutcome;
import io.github.upgrade4j.upgrade.Protocol;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example proxy's HTTP/2 side with clients that send exactly what a test needs: the JDK's
 * {@link HttpClient} for plain requests over {@code h2}, and hyper-h2 (Debian's python3-h2, a real HTTP/2
 * implementation with its own checks switched off, in {@code src/test/python/h2_request.py}) for extended
 * CONNECTs, half-closes and what browsers never send. The upstream is a {@link ScriptedUpstream}, which
 * records what reached it.
 */
class H2ProxyIT {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("src", "test", "python", "h2_request.py");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static final PrintStream OUT = new PrintStream(LOG, true, StandardCharsets.UTF_8);
    private static TlsSetup.SelfSigned certificate;

    @BeforeAll
    static void certificate() throws IOException {
        certificate = TlsSetup.selfSigned();
    }

    @AfterAll
    static void deleteCertificate() {
        certificate.close();
        System.out.print(LOG.toString(StandardCharsets.UTF_8)); // the proxy's log, in the test report
    }

    /** The outcomes of the tunnels of the proxy started last, as they end. */
    private static final LinkedBlockingQueue<TunnelOutcome> OUTCOMES = new LinkedBlockingQueue<>();

    private static ReverseProxy start(ScriptedUpstream upstream, List<Protocol> upgrades) throws IOException {
        OUTCOMES.clear();
        ReverseProxy.Config config = new ReverseProxy.Config(new InetSocketAddress("127.0.0.1", 0), upstream.address(),
                Duration.ofSeconds(30), 100, Duration.ofSeconds(5))
                .withTls(certificate.serverContext()).withUpgrades(upgrades).withHttp2();
        RelayListener outcomes = new RelayListener() {
            @Override
            public void closed(Tunnel tunnel, TunnelOutcome outcome) {
                OUTCOMES.add(outcome);
            }
        };
        return ReverseProxy.start(config, RelayOptions.standard().toBuilder().listener(outcomes).build(), OUT);
    }

    private static ReverseProxy start(ScriptedUpstream upstream) throws IOException {
        return start(upstream, List.of(Protocol.WEBSOCKET));
    }

    @Test
    void aPlainRequestOverH2GoesToTheUpstreamAsHttp11WithHostFromAuthorityAndOneCookieField() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.answering("HTTP/1.1 200 OK\r\n"
                + "Content-Length: 5\r\nConnection: keep-alive, X-Secret\r\nKeep-Alive: timeout=5\r\nX-Secret: s\r\n"
                + "Proxy-Connection: keep-alive\r\nX-Kept: k\r\n\r\nhello"));
                ReverseProxy proxy = start(upstream)) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                    .sslContext(certificate.clientContext()).build();
            URI uri = URI.create("https://127.0.0.1:" + proxy.address().getPort() + "/page?q=1");
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri)
                    .header("Cookie", "a=1").header("Cookie", "b=2").build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(HttpClient.Version.HTTP_2, response.version());
            assertEquals(200, response.statusCode());
            assertEquals("hello", response.body());
            assertEquals(List.of("k"), response.headers().allValues("x-kept"));
            for (String hopByHop : List.of("connection", "keep-alive", "x-secret", "proxy-connection")) {
                assertTrue(response.headers().allValues(hopByHop).isEmpty(), hopByHop + " reached the client");
            }
            RequestHead seen = upstream.peer(0).requests().get(0);
            assertEquals("GET", seen.method());
            assertEquals("/page?q=1", seen.target());
            assertEquals("HTTP/1.1", seen.version().toString());
            assertEquals(List.of("127.0.0.1:" + proxy.address().getPort()), seen.headers().values(HeaderName.HOST));
            assertEquals(List.of("a=1; b=2"), seen.headers().values(HeaderName.COOKIE));
            assertEquals(List.of("https"), seen.headers().values(HeaderName.of("X-Forwarded-Proto")));
        }
    }

    @Test
    void aRequestBodyWithoutLengthGoesChunkedAndAChunkedAnswerComesBackWhole() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(peer -> {
            peer.readRequest();
            if (peer.readUntil("\r\n0\r\n\r\n")) { // the whole chunked body, then the answer
                peer.write("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
            }
            peer.readToEnd();
        });
                ReverseProxy proxy = start(upstream)) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                    .sslContext(certificate.clientContext()).build();
            URI uri = URI.create("https://127.0.0.1:" + proxy.address().getPort() + "/upload");
            byte[] body = "x".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri)
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(201, response.statusCode());
            assertEquals("abcde", response.body());
            RequestHead seen = upstream.peer(0).requests().get(0);
            assertEquals(List.of("chunked"), seen.headers().values(HeaderName.TRANSFER_ENCODING));
            String received = upstream.peer(0).received();
            assertTrue(received.length() > body.length && received.endsWith("\r\n0\r\n\r\n"),
                    "the whole body reached the upstream, chunked: " + received.length() + " bytes");
        }
    }

    @Test
    void anExtendedConnectIsAnHttp11UpgradeUpstreamAndHalfClosesTravelBothWays() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.echoing());
                ReverseProxy proxy = start(upstream)) {
            JsonNode result = h2(proxy, websocket("/chat"), "--data", "ping over h2", "--end");

            assertEquals(200, result.get("status").asInt(), result.toString());
            assertEquals("ping over h2", result.get("body").asText(), "the upstream's echo; it received "
                    + upstream.peer(0).received());
            assertTrue(result.get("ended").asBoolean(), "the upstream's FIN came back as END_STREAM: " + result);
            assertTrue(result.get("reset").isNull(), result.toString());
            RequestHead seen = upstream.peer(0).requests().get(0);
            assertEquals("GET", seen.method());
            assertEquals("/chat", seen.target());
            assertEquals(List.of("websocket"), seen.headers().values(HeaderName.UPGRADE));
            assertEquals(24, seen.headers().first(HeaderName.SEC_WEBSOCKET_KEY).orElseThrow().length());
            TunnelOutcome outcome = onlyOutcome(proxy);
            assertTrue(outcome.reason().isCompletion(), outcome.toString());
            assertEquals(12, outcome.bytesClientToUpstream());
            assertEquals(12, outcome.bytesUpstreamToClient());
        }
    }

    @Test
    void theSubprotocolAndExtensionsPassThroughBothWaysAndTheAcceptStaysOnTheHttp11Side() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(peer -> {
            RequestHead request = peer.readRequest();
            String switched = ScriptedUpstream.switchingFor(request);
            peer.write(switched.substring(0, switched.length() - 2) + "Sec-WebSocket-Protocol: chat\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\r\n");
            peer.readToEnd();
        }); ReverseProxy proxy = start(upstream)) {
            List<String[]> headers = new ArrayList<>(websocket("/chat"));
            headers.add(new String[] {"sec-websocket-protocol", "chat, superchat"});
            headers.add(new String[] {"sec-websocket-extensions", "permessage-deflate; client_max_window_bits"});
            JsonNode result = h2(proxy, headers);

            assertEquals(200, result.get("status").asInt(), result.toString());
            assertEquals("chat", header(result, "sec-websocket-protocol"), result.toString());
            assertEquals("permessage-deflate; server_no_context_takeover", header(result, "sec-websocket-extensions"),
                    result.toString());
            assertNull(header(result, "sec-websocket-accept"), "the accept belongs to the HTTP/1.1 side");
            assertNull(header(result, "upgrade"), "no connection-specific field on HTTP/2");
            RequestHead seen = upstream.peer(0).requests().get(0);
            assertEquals(List.of("chat, superchat"), seen.headers().values(HeaderName.SEC_WEBSOCKET_PROTOCOL));
            assertEquals(List.of("permessage-deflate; client_max_window_bits"),
                    seen.headers().values(HeaderName.SEC_WEBSOCKET_EXTENSIONS));
        }
    }

    @Test
    void anUpstreamResetResetsTheStreamWithConnectError() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(peer -> {
            RequestHead request = peer.readRequest();
            peer.write(ScriptedUpstream.switchingFor(request));
            peer.reset();
        }); ReverseProxy proxy = start(upstream)) {
            JsonNode result = h2(proxy, websocket("/chat"), "--data", "hello");

            assertEquals(200, result.get("status").asInt(), result.toString());
            assertEquals("CONNECT_ERROR", result.get("reset").asText(), result.toString());
            assertEquals(CloseReason.UPSTREAM_RESET, onlyOutcome(proxy).reason());
        }
    }

    @Test
    void anUpstreamThatAnswers200InsteadOf101IsA502() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.answering(
                "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nordinary page"));
                ReverseProxy proxy = start(upstream)) {
            int from = LOG.size();
            JsonNode result = h2(proxy, websocket("/chat"));

            assertEquals(502, result.get("status").asInt(), result.toString());
            assertFalse(result.get("body").asText().contains("ordinary page"), "the upstream's page is not passed off as a tunnel");
            awaitLog(from, "-> 502 ANSWERED_WITHOUT_SWITCHING");
            assertEquals(0, proxy.http2Relay().stats().tunnelsOpened());
        }
    }

    @Test
    void connectionSpecificFieldsAndTeOtherThanTrailersAreRefusedWithTheirReason() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.answering(
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
                ReverseProxy proxy = start(upstream)) {
            for (String[] field : new String[][] {{"connection", "keep-alive"}, {"upgrade", "websocket"},
                    {"transfer-encoding", "chunked"}, {"keep-alive", "timeout=5"}, {"te", "gzip"}}) {
                List<String[]> headers = new ArrayList<>(List.of(new String[][] {{":method", "GET"},
                        {":scheme", "https"}, {":path", "/"}, {":authority", "127.0.0.1"}}));
                headers.add(field);
                JsonNode result = h2(proxy, headers);

                assertEquals(400, result.get("status").asInt(), field[0] + ": " + result);
                assertTrue(result.get("body").asText().startsWith("HTTP2_CONNECTION_SPECIFIC_FIELD: "),
                        field[0] + ": " + result);
            }
            upstream.assertNeverContacted();
        }
    }

    @Test
    void anExtendedConnectWithoutPathIsRefused() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.echoing());
                ReverseProxy proxy = start(upstream)) {
            List<String[]> headers = new ArrayList<>(websocket("/chat"));
            headers.removeIf(field -> field[0].equals(":path"));
            JsonNode result = h2(proxy, headers);

            assertEquals(400, result.get("status").asInt(), result.toString());
            assertTrue(result.get("body").asText().startsWith("MISSING_PATH: "), result.toString());
            upstream.assertNeverContacted();
        }
    }

    @Test
    void protocolIsRefusedByAProxyThatDidNotAdvertiseExtendedConnect() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.echoing());
                ReverseProxy proxy = start(upstream, List.of())) {
            JsonNode result = h2(proxy, websocket("/chat"));

            assertTrue(result.get("settings").path("ENABLE_CONNECT_PROTOCOL").asInt(0) == 0, result.toString());
            assertTrue(result.get("status").isNull(), result.toString());
            assertEquals("PROTOCOL_ERROR", result.get("reset").asText(), result.toString());
            upstream.assertNeverContacted();
        }
    }

    @Test
    void aClientThatSendsItsOwnConnectProtocolSettingOfZeroCanStillOpenWebSockets() throws Exception {
        // hyper-h2 sends SETTINGS_ENABLE_CONNECT_PROTOCOL = 0 for itself, and here its CONNECT right behind it
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.echoing());
                ReverseProxy proxy = start(upstream)) {
            JsonNode result = h2(proxy, websocket("/chat"), "--early");

            assertEquals(200, result.get("status").asInt(), result.toString());
            assertNull(result.get("error"));
        }
    }

    @Test
    void theMetersCountAnHttp2TunnelAsPathH2AndItsAnswerAs200() throws Exception {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.echoing());
                ReverseProxy proxy = ReverseProxy.start(new ReverseProxy.Config(new InetSocketAddress("127.0.0.1", 0),
                        upstream.address(), Duration.ofSeconds(30), 100, Duration.ofSeconds(5))
                        .withTls(certificate.serverContext()).withHttp2(), RelayOptions.standard(), OUT, meters)) {
            JsonNode result = h2(proxy, websocket("/chat"), "--data", "counted", "--end");
            assertTrue(result.get("ended").asBoolean(), result.toString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (proxy.http2Relay().stats().activeTunnels() > 0) { // it ends just after the client saw its end
                assertTrue(System.nanoTime() < deadline, "expected the tunnel to end");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }

            String text = meters.scrape();
            assertTrue(text.contains("upgrade4j_tunnels_opened_total{path=\"h2\"} 1.0"), text);
            assertTrue(text.contains("upgrade4j_tunnels_opened_total{path=\"copy\"} 0.0"), text);
            assertTrue(text.contains("upgrade4j_tunnels_active{path=\"h2\"} 0.0"), text);
            assertTrue(text.contains("upgrade4j_handshake_answers_total{status=\"200\"} 1.0"), text);
        }
    }

    /** The value of the response field {@code name} in {@code h2_request.py}'s result, or null. */
    private static String header(JsonNode result, String name) {
        for (JsonNode field : result.get("headers")) {
            if (field.get(0).asText().equals(name)) {
                return field.get(1).asText();
            }
        }
        return null;
    }

    private static List<String[]> websocket(String path) {
        return List.of(new String[][] {{":method", "CONNECT"}, {":protocol", "websocket"}, {":scheme", "https"},
                {":path", path}, {":authority", "127.0.0.1"}, {"sec-websocket-version", "13"}});
    }

    /** Runs {@code h2_request.py} against the proxy with {@code headers} and returns what it printed. */
    private static JsonNode h2(ReverseProxy proxy, List<String[]> headers, String... options) throws Exception {
        if (!Files.isExecutable(PYTHON) || !hyperH2()) {
            ExternalTools.missing("python3-h2 is not installed for /usr/bin/python3: install it (.ci/run does),"
                    + " e.g. apt-get install python3-h2, to include this test");
        }
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), SCRIPT.toString(), "127.0.0.1",
                Integer.toString(proxy.address().getPort()), JSON.writeValueAsString(headers)));
        command.addAll(List.of(options));
        Process python = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(python.waitFor(30, TimeUnit.SECONDS), "h2_request.py did not end");
            assertEquals(0, python.exitValue(), output);
            return JSON.readTree(output);
        } finally {
            python.destroyForcibly();
        }
    }

    private static boolean hyperH2() throws Exception {
        Process check = new ProcessBuilder(PYTHON.toString(), "-c", "import h2").start();
        return check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0;
    }

    /** The outcome of the proxy's one tunnel, an HTTP/2 one, waiting for it to end. */
    private static TunnelOutcome onlyOutcome(ReverseProxy proxy) throws Exception {
        TunnelOutcome outcome = OUTCOMES.poll(20, TimeUnit.SECONDS);
        assertTrue(outcome != null, "expected the tunnel to end");
        assertEquals(1, proxy.http2Relay().stats().tunnelsOpened());
        assertEquals(0, proxy.relay().stats().tunnelsOpened());
        return outcome;
    }

    private static void awaitLog(int from, String expected) {
        String text = LOG.toString(StandardCharsets.UTF_8).substring(from); // written before the answer was
        assertTrue(text.contains(expected), "expected '" + expected + "' in the log:\n" + text);
    }
}
