package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.upgrade4j.examples.echo.EchoServer;
import io.github.upgrade4j.examples.support.ExternalTools;
import io.github.upgrade4j.examples.support.JsonLines;
import io.github.upgrade4j.examples.support.TlsSetup;
import io.github.upgrade4j.tunnel.CloseReason;
import io.github.upgrade4j.tunnel.RelayListener;
import io.github.upgrade4j.tunnel.RelayOptions;
import io.github.upgrade4j.tunnel.RelayStats;
import io.github.upgrade4j.tunnel.Tunnel;
import io.github.upgrade4j.tunnel.TunnelOutcome;
import io.github.upgrade4j.upgrade.UpgradeNegotiator;
import io.github.upgrade4j.upgrade.WebSocketHandshake;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * WebSockets over HTTP/2 (RFC 8441) through the example proxy with a client nobody here wrote: Node's
 * {@code http2} module ({@code src/test/node/h2-websockets.js}) opens one TLS connection with ALPN h2, waits
 * for the proxy's SETTINGS_ENABLE_CONNECT_PROTOCOL, and runs WebSockets on extended-CONNECT streams to the
 * echo server (which agrees to the subprotocol {@code chat} when offered) behind the proxy. Besides what the
 * script saw, each test checks the proxy's side: its h2 tunnels ({@link ReverseProxy#http2Relay()}), their
 * outcomes through a {@link RelayListener}, and its log.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class H2NodeIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration SCRIPT = Duration.ofSeconds(120);
    /** The proxy's line for an h2 tunnel: peer, stream id, path. */
    private static final Pattern TUNNEL_LINE = Pattern.compile("(\\S+) h2 stream (\\d+) CONNECT websocket (\\S+)"
            + " -> 200 tunnel websocket over h2 \\(client TLSv1\\.3 [^;]+, ALPN h2; upstream plain\\)");
    private static TlsSetup.SelfSigned certificate;

    private final Tunnels tunnels = new Tunnels();
    private ExternalTools.Lines log;
    private EchoServer echo;
    private ReverseProxy proxy;
    private Process script;

    @BeforeAll
    static void certificate() throws Exception {
        ExternalTools.require("node");
        certificate = TlsSetup.selfSigned();
    }

    @AfterAll
    static void deleteCertificate() {
        if (certificate != null) {
            certificate.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        log = ExternalTools.Lines.log();
        UpgradeNegotiator chat = UpgradeNegotiator.of(WebSocketHandshake.builder()
                .subprotocols(offered -> offered.contains("chat") ? Optional.of("chat") : Optional.empty()).build());
        echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), chat, log.printStream());
        proxy = ReverseProxy.start(ProxyIT.config(echo.address()).withTls(certificate.serverContext()).withHttp2(),
                RelayOptions.standard().toBuilder().listener(tunnels).build(), log.printStream());
    }

    @AfterEach
    void stop() {
        if (script != null) {
            script.destroyForcibly(); // by pid
        }
        if (proxy != null) {
            proxy.close();
        }
        if (echo != null) {
            echo.close();
        }
    }

    private String url() throws Exception {
        return "https://127.0.0.1:" + proxy.address().getPort() + "/echo";
    }

    private String[] args(String scenario, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of(url(), scenario, "--ca", certificate.pem().toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void tenWebSocketsShareOneH2ConnectionEachWithItsOwnMessages() throws Exception {
        List<Map<String, Object>> events = events(ExternalTools.runNode(SCRIPT, "h2-websockets.js", args("multiplex")));

        Map<String, Object> connected = only(events, "connected");
        assertEquals("h2", connected.get("alpn"), connected::toString);
        assertEquals(true, connected.get("enableConnectProtocol"), connected::toString);
        List<Map<String, Object>> opens = all(events, "open");
        assertEquals(10, opens.size(), events::toString);
        for (Map<String, Object> open : opens) {
            assertEquals(200.0, open.get("status"), open::toString);
            // The echo server agrees to chat, offered by WebSocket 0 alone, and to no extension: the
            // permessage-deflate offer of WebSocket 1 reached it and was declined.
            assertEquals(open.get("ws").equals(0.0) ? "chat" : null, open.get("protocol"), open::toString);
            assertEquals(null, open.get("extensions"), open::toString);
        }
        List<Map<String, Object>> echoed = all(events, "echoed");
        assertEquals(10, echoed.size(), events::toString);
        echoed.forEach(e -> assertEquals(5.0, e.get("messages"), e::toString));
        List<Map<String, Object>> closed = all(events, "closed");
        assertEquals(10, closed.size(), events::toString);
        for (Map<String, Object> close : closed) {
            assertEquals(1000.0, close.get("code"), close::toString);
            assertEquals(0.0, close.get("rstCode"), () -> "expected the stream to end with END_STREAM, not a reset: "
                    + close);
        }
        Map<String, Object> result = only(events, "result");
        assertEquals(true, result.get("ok"), result::toString);

        // The proxy's side: ten h2 tunnels on the one connection, none over HTTP/1.1, all ended cleanly.
        List<TunnelOutcome> outcomes = tunnels.awaitClosed(10);
        outcomes.forEach(o -> assertTrue(o.reason().isCompletion(), o::toString));
        RelayStats h2 = proxy.http2Relay().stats();
        assertEquals(10, h2.tunnelsOpened(), h2::toString);
        assertEquals(10, h2.tunnelsEnded(), h2::toString);
        assertEquals(0, h2.activeTunnels(), h2::toString);
        assertEquals(0, proxy.relay().stats().tunnelsOpened(), "no HTTP/1.1 upgrade");
        List<Long> streams = numbers(result.get("streams"));
        assertEquals(10, new TreeSet<>(streams).size(), result::toString);
        List<Matcher> lines = tunnelLines(streams);
        assertEquals(List.of(":" + num(result.get("localPort"))), lines.stream()
                .map(m -> m.group(1).substring(m.group(1).lastIndexOf(':'))).distinct().toList(),
                () -> "the one connection, from the script's port " + result.get("localPort") + ": " + log);
        for (Matcher line : lines) {
            assertTrue(line.group(3).startsWith("/echo?ws="), line.group());
        }
        for (int ws = 0; ws < 10; ws++) {
            log.await(containing("GET /echo?ws=" + ws + " -> 101 websocket, 5 messages, closed 1000"), WAIT);
        }
    }

    @Test
    void aStreamThatStopsReadingStallsOnlyItselfAndGetsEveryByteWhenItResumes() throws Exception {
        List<Map<String, Object>> events = events(ExternalTools.runNode(SCRIPT, "h2-websockets.js", args("stall")));

        all(events, "open").forEach(open -> assertEquals(200.0, open.get("status"), open::toString));
        Map<String, Object> stalled = only(events, "stalled");
        assertEquals(0.0, stalled.get("localWindowSize"), "the echoes filled the paused stream's window: " + stalled);
        assertEquals(0.0, stalled.get("echoesDelivered"), stalled::toString);
        Map<String, Object> meanwhile = only(events, "others-while-stalled");
        assertEquals(4.0, meanwhile.get("websockets"), meanwhile::toString);
        assertEquals(0.0, meanwhile.get("stalledLocalWindowSize"), "still stalled after the others' round trips: "
                + meanwhile);
        // The other four round-tripped while the first stream was stalled: after "stalled", before "resumed".
        int stall = events.indexOf(stalled);
        Map<String, Object> resumed = only(events, "resumed");
        int resume = events.indexOf(resumed);
        List<Map<String, Object>> during = events.subList(stall, resume).stream()
                .filter(e -> "echoed".equals(e.get("event"))).toList();
        assertEquals(4, during.size(), events::toString);
        during.forEach(e -> assertFalse(e.get("ws").equals(0.0), e::toString));
        assertEquals(true, resumed.get("intact"), resumed::toString);
        assertEquals(true, resumed.get("inOrder"), resumed::toString);
        assertEquals(4.0 * 1024 * 1024, resumed.get("bytes"), resumed::toString);
        all(events, "closed").forEach(close -> assertEquals(1000.0, close.get("code"), close::toString));
        assertEquals(true, only(events, "result").get("ok"), events::toString);

        // The proxy held the stalled stream's echoes back under flow control and ended no tunnel for it:
        // all five completed, one of them having carried the 4 MiB both ways.
        List<TunnelOutcome> outcomes = tunnels.awaitClosed(5);
        outcomes.forEach(o -> assertTrue(o.reason().isCompletion(), o::toString));
        assertEquals(1, outcomes.stream().filter(o -> o.bytesUpstreamToClient() > 4 * 1024 * 1024
                && o.bytesClientToUpstream() > 4 * 1024 * 1024).count(), outcomes::toString);
        assertEquals(5, proxy.http2Relay().stats().tunnelsOpened());
        tunnelLines(numbers(only(events, "result").get("streams")));
    }

    @Test
    void aResetStreamEndsItsOwnTunnelAndTheOthersKeepWorking() throws Exception {
        script = ExternalTools.node("h2-websockets.js", args("reset", "--await"));
        ExternalTools.Lines out = ExternalTools.Lines.of(script);
        out.await(line -> line.contains("\"event\":\"awaiting\""), SCRIPT);
        Map<String, Object> reset = only(events(out.toString()), "reset");
        assertEquals(8.0, reset.get("rstCode"), "RST_STREAM CANCEL: " + reset);

        // While the script waits: the reset stream's tunnel ended as a client reset, the other three did not.
        TunnelOutcome first = tunnels.firstClosed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(CloseReason.CLIENT_RESET, first.reason(), first::toString);
        RelayStats h2 = proxy.http2Relay().stats();
        assertEquals(4, h2.tunnelsOpened(), h2::toString);
        assertEquals(1, h2.tunnelsEnded(), h2::toString);
        assertEquals(1, h2.ended(CloseReason.CLIENT_RESET), h2::toString);
        assertEquals(3, h2.activeTunnels(), h2::toString);
        assertEquals(3, tunnels.opened().stream().filter(t -> !t.outcome().toCompletableFuture().isDone()).count());
        // The upstream connection of the reset stream was reset too, after its two whole messages.
        log.await(containing("GET /echo?ws=1 -> 101 websocket, 2 messages, connection lost"), WAIT);

        try (OutputStream stdin = script.getOutputStream()) {
            stdin.write("go on\n".getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(script.waitFor(SCRIPT.toSeconds(), TimeUnit.SECONDS), out::toString);
        out.await(line -> line.startsWith("{\"event\":\"result\""), WAIT); // every line is in
        assertEquals(0, script.exitValue(), out::toString);
        List<Map<String, Object>> events = events(out.toString());
        assertEquals(true, only(events, "result").get("ok"), out::toString);
        List<Map<String, Object>> after = events.subList(events.indexOf(only(events, "awaiting")), events.size());
        // The three that were not reset, and a fifth opened after the reset on the same connection.
        assertEquals(List.of(0.0, 2.0, 3.0, 4.0), after.stream().filter(e -> "echoed".equals(e.get("event")))
                .map(e -> (Double) e.get("ws")).sorted().toList(), out::toString);
        List<Map<String, Object>> closed = all(events, "closed");
        assertEquals(4, closed.size(), out::toString);
        closed.forEach(close -> assertEquals(1000.0, close.get("code"), close::toString));

        List<TunnelOutcome> outcomes = tunnels.awaitClosed(5);
        assertEquals(1, outcomes.stream().filter(o -> o.reason() == CloseReason.CLIENT_RESET).count(), outcomes::toString);
        assertEquals(4, outcomes.stream().filter(o -> o.reason().isCompletion()).count(), outcomes::toString);
        assertEquals(5, proxy.http2Relay().stats().tunnelsOpened());
        assertEquals(1, tunnelLines(numbers(only(events, "result").get("streams"))).stream().map(m -> m.group(1))
                .distinct().count(), log::toString);
    }

    /**
     * The proxy's log lines for the h2 tunnels of {@code streams} (the ids the script printed), one each,
     * waited for: a client may see its 200 before the line is written. No other h2 tunnel and no HTTP/1.1
     * tunnel is logged.
     */
    private List<Matcher> tunnelLines(List<Long> streams) throws InterruptedException {
        List<Matcher> found = new ArrayList<>();
        for (long stream : streams) {
            String line = log.await(l -> {
                Matcher m = TUNNEL_LINE.matcher(l);
                return m.find() && Long.parseLong(m.group(2)) == stream;
            }, WAIT);
            Matcher m = TUNNEL_LINE.matcher(line);
            assertTrue(m.find());
            found.add(m);
        }
        assertEquals(streams.size(), log.all().stream().filter(l -> TUNNEL_LINE.matcher(l).find()).count(),
                log::toString);
        assertEquals(0, log.all().stream().filter(l -> l.contains("-> 101 tunnel")).count(), "no HTTP/1.1 tunnel: " + log);
        return found;
    }

    private static Predicate<String> containing(String text) {
        return line -> line.contains(text);
    }

    private static List<Map<String, Object>> events(String output) {
        return output.lines().filter(l -> l.startsWith("{")).map(JsonLines::parse).toList();
    }

    private static List<Map<String, Object>> all(List<Map<String, Object>> events, String event) {
        return events.stream().filter(e -> event.equals(e.get("event"))).toList();
    }

    private static Map<String, Object> only(List<Map<String, Object>> events, String event) {
        List<Map<String, Object>> found = all(events, event);
        assertEquals(1, found.size(), () -> "expected one '" + event + "' line in " + events);
        return found.get(0);
    }

    private static long num(Object number) {
        return ((Double) number).longValue();
    }

    private static List<Long> numbers(Object list) {
        return ((List<?>) list).stream().map(H2NodeIT::num).toList();
    }

    /** Records the proxy's tunnels and their outcomes as they end; waits for ends without polling. */
    static final class Tunnels implements RelayListener {
        private final List<Tunnel> opened = new ArrayList<>();
        private final List<TunnelOutcome> closed = new ArrayList<>();
        final CompletableFuture<TunnelOutcome> firstClosed = new CompletableFuture<>();

        @Override
        public synchronized void opened(Tunnel tunnel) {
            opened.add(tunnel);
        }

        @Override
        public void closed(Tunnel tunnel, TunnelOutcome outcome) {
            synchronized (this) {
                closed.add(outcome);
                notifyAll();
            }
            firstClosed.complete(outcome);
        }

        synchronized List<Tunnel> opened() {
            return List.copyOf(opened);
        }

        /** The outcomes, once {@code count} tunnels have ended; fails after {@link #WAIT}. */
        synchronized List<TunnelOutcome> awaitClosed(int count) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (closed.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("expected " + count + " tunnels to end within " + WAIT.toSeconds() + " s but " + closed.size()
                            + " did: " + closed);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            assertEquals(count, closed.size(), closed::toString);
            return List.copyOf(closed);
        }
    }
}
