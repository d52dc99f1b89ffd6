package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.support.Converters;
import io.github.upgrade4j.examples.support.ExternalTools;
import io.github.upgrade4j.examples.support.JsonLines;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * socket.io, server and client from npm, through the example proxy: its long-polling start over
 * kept-alive connections, its upgrade to WebSocket on a second connection, messages both ways and a
 * disconnect; and polling sessions that wait, as real ones do, on a held long-poll and on kept-alive
 * connections the server has timed out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketIoIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final ExternalTools.Lines proxyLog = ExternalTools.Lines.log();
    private Process server;
    private ExternalTools.Lines serverOut;
    private ReverseProxy proxy;

    /** Starts {@code socketio-server.js serverArgs} and the proxy in front of it. */
    private String start(Duration handshakeTimeout, String... serverArgs) throws Exception {
        ExternalTools.installNodePackages();
        server = ExternalTools.node("socketio-server.js", serverArgs);
        serverOut = ExternalTools.Lines.of(server);
        InetSocketAddress upstream = Converters.address(serverOut.await("listening on ", WAIT));
        proxy = ReverseProxy.start(new ReverseProxy.Config(new InetSocketAddress("127.0.0.1", 0), upstream,
                Duration.ofSeconds(60), 100, handshakeTimeout), proxyLog.printStream());
        return "http://127.0.0.1:" + proxy.address().getPort();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.destroyForcibly(); // by pid
        }
    }

    @Test
    void pollingStartsOnKeptAliveConnectionsThenUpgradesToWebSocketOnASecondConnection() throws Exception {
        String url = start(Duration.ofSeconds(5));

        Map<String, Object> client = JsonLines.lastLine(ExternalTools.runNode(WAIT, "socketio-client.js", url));

        assertEquals("welcome over polling; received over polling", client.get("welcome"));
        assertEquals("hello from the client, received over polling; answer received over polling", client.get("pollingAck"));
        assertEquals("websocket", client.get("upgradedTo"));
        assertEquals("hello from the client, received over websocket; answer received over websocket",
                client.get("websocketAck"));
        assertEquals("pushed over websocket; received over websocket", client.get("push"));
        assertEquals("io client disconnect", client.get("disconnect"));
        serverOut.await(line -> line.equals("{\"event\":\"disconnect\",\"reason\":\"client namespace disconnect\"}"), WAIT);

        // Keep-alive on the polling connections, on both sides of the proxy.
        Map<String, Long> pollsPerClientConnection = proxyLog.all().stream()
                .filter(line -> line.contains(" /socket.io/?EIO=4&transport=polling") && line.contains(" -> 200 ("))
                .collect(Collectors.groupingBy(SocketIoIT::peer, Collectors.counting()));
        assertTrue(pollsPerClientConnection.values().stream().anyMatch(n -> n >= 2),
                "expected a client connection to carry several polling requests:\n" + proxyLog);
        Map<Object, Long> pollsPerUpstreamConnection = serverEvents("request").stream()
                .filter(event -> "polling".equals(event.get("transport")))
                .collect(Collectors.groupingBy(event -> event.get("connection"), Collectors.counting()));
        assertTrue(pollsPerUpstreamConnection.values().stream().anyMatch(n -> n >= 2),
                "expected an upstream connection to carry several polling requests:\n" + serverOut);

        // The upgrade on a connection of its own, tunnelled, and closed by the disconnect.
        String tunnel = proxyLog.await(line -> line.contains("transport=websocket") && line.endsWith("-> 101 tunnel websocket"),
                WAIT);
        assertFalse(pollsPerClientConnection.containsKey(peer(tunnel)), "expected the upgrade on a second connection:\n"
                + proxyLog);
        Map<?, ?> upgrade = serverEvents("request").stream().filter(e -> "websocket".equals(e.get("transport")))
                .findFirst().orElseThrow();
        assertEquals("1.1 upgrade4j", upgrade.get("via"));
        proxyLog.await(line -> peer(line).equals(peer(tunnel)) && line.contains("tunnel closed: "), WAIT);
    }

    @Test
    void aLongPollHeldLongerThanTheHandshakeTimeoutIsAnsweredByTheServer() throws Exception {
        // The handshake timeout bounds the wait for a 101; a long-poll is held until the server has something
        // to send, here its ping after 2 s (25 s by default), and must not be cut at 1 s with a 504.
        String url = start(Duration.ofSeconds(1), "--ping-interval", "2000");

        String output = ExternalTools.runNode(WAIT, "socketio-polling-client.js", url, "long-poll");

        Map<String, Object> client = JsonLines.lastLine(output);
        assertEquals(true, client.get("pinged"));
        assertEquals("hello after waiting, received over polling", client.get("ack"));
        assertFalse(proxyLog.toString().contains(" -> 504 "), proxyLog.toString());
    }

    @Test
    void aKeptAliveConnectionWhoseUpstreamTimedOutIsServedOnAFreshUpstreamConnection() throws Exception {
        // Node closes an idle kept-alive connection after keepAliveTimeout (5 s by default, 300 ms here) while the
        // client's connection to the proxy stays open; the client's next request must not meet the dead one.
        String url = start(Duration.ofSeconds(5), "--keep-alive-timeout", "300");

        String output = ExternalTools.runNode(WAIT, "socketio-polling-client.js", url, "after-upstream-close");

        Map<String, Object> client = JsonLines.lastLine(output);
        assertTrue(client.get("connectionClosed") instanceof Double, output);
        assertEquals("hello after waiting, received over polling", client.get("ack"));
        assertFalse(proxyLog.toString().contains(" -> 502 "), proxyLog.toString());
    }

    /** {@code 127.0.0.1:PORT} of a proxy log line, after its request id. */
    private static String peer(String line) {
        String[] words = line.split(" ", 3); // the request id, the peer, the rest
        return words.length > 1 ? words[1] : "";
    }

    /** The server's JSON lines of one kind. */
    private List<Map<String, Object>> serverEvents(String kind) {
        List<Map<String, Object>> events = new ArrayList<>();
        for (String line : serverOut.all()) {
            if (line.startsWith("{\"event\":\"" + kind + "\"")) {
                events.add(JsonLines.parse(line));
            }
        }
        return events;
    }
}
