package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.echo.EchoServer;
import io.github.upgrade4j.examples.support.Converters;
import io.github.upgrade4j.examples.support.ExternalTools;
import io.github.upgrade4j.examples.support.JsonLines;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * WebSocket-Node (the {@code websocket} package from npm) as client and as server through the example
 * proxy: with each other and a negotiated subprotocol, the client against the example echo server, the
 * JDK's client against the server. WebSocket-Node fragments outgoing messages into 16 KiB frames, so
 * continuation frames cross the tunnel too.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketNodeIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ExternalTools.Lines LOG = ExternalTools.Lines.log();
    private static Process server;
    private static ExternalTools.Lines serverOut;
    private static ReverseProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        ExternalTools.installNodePackages();
        server = ExternalTools.node("wsnode-server.js");
        serverOut = ExternalTools.Lines.of(server);
        InetSocketAddress upstream = Converters.address(serverOut.await("listening on ", WAIT));
        proxy = ReverseProxy.start(ProxyIT.config(upstream), LOG.printStream());
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.destroyForcibly(); // by pid
        }
    }

    private static String url(String path) throws Exception {
        return "ws://127.0.0.1:" + proxy.address().getPort() + path;
    }

    @Test
    void aWebSocketNodeClientAndServerAgreeOnTheirSubprotocolAndEchoThroughTheProxy() throws Exception {
        Map<String, Object> client = JsonLines.lastLine(
                ExternalTools.runNode(WAIT, "wsnode-client.js", url("/node-to-node"), "echo-protocol"));

        assertEquals("echo-protocol", client.get("protocol"));
        assertEquals("hello from WebSocket-Node", client.get("text"));
        assertEquals(true, client.get("binaryEqual"));
        assertEquals(1000.0, client.get("closeCode"));
        String accepted = serverOut.await(line -> line.startsWith("{\"event\":\"accepted\",\"protocol\":\"echo-protocol\""),
                WAIT);
        assertEquals("1.1 upgrade4j", JsonLines.parse(accepted).get("via"));
        assertEquals("127.0.0.1", JsonLines.parse(accepted).get("forwardedFor"));
        serverOut.await(line -> line.startsWith("{\"event\":\"close\",\"code\":1000"), WAIT);
        assertTrue(LOG.await(line -> line.contains("GET /node-to-node -> 101 tunnel websocket"), WAIT).length() > 0);
    }

    @Test
    void aWebSocketNodeClientTalksToTheExampleEchoServerThroughTheProxy() throws Exception {
        ExternalTools.Lines log = ExternalTools.Lines.log();
        try (EchoServer echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), log.printStream());
                ReverseProxy echoProxy = ReverseProxy.start(ProxyIT.config(echo.address()), log.printStream())) {
            String url = "ws://127.0.0.1:" + echoProxy.address().getPort() + "/echo";

            Map<String, Object> client = JsonLines.lastLine(ExternalTools.runNode(WAIT, "wsnode-client.js", url));

            assertEquals(null, client.get("protocol"));
            assertEquals("hello from WebSocket-Node", client.get("text"));
            assertEquals(true, client.get("binaryEqual"));
            assertEquals(1000.0, client.get("closeCode"));
            // The echo server reassembled the 16 KiB fragments into one message of 256 KiB.
            log.await(line -> line.contains("GET /echo -> 101 websocket, 2 messages, closed 1000"), WAIT);
        }
    }

    @Test
    void theJdkClientTalksToAWebSocketNodeServerThroughTheProxy() throws Exception {
        ProxyIT.Listener listener = new ProxyIT.Listener();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("echo-protocol")
                .buildAsync(URI.create(url("/from-the-jdk")), listener).get(10, TimeUnit.SECONDS);
        byte[] bytes = new byte[200 * 1024];
        new Random(11).nextBytes(bytes);

        ws.sendText("hello from the JDK", true).get(10, TimeUnit.SECONDS);
        assertEquals("hello from the JDK", listener.text.get(10, TimeUnit.SECONDS));
        ws.sendBinary(ByteBuffer.wrap(bytes), true).get(10, TimeUnit.SECONDS);
        assertArrayEquals(bytes, listener.binary.get(10, TimeUnit.SECONDS));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        assertEquals(WebSocket.NORMAL_CLOSURE, listener.closed.get(10, TimeUnit.SECONDS));

        assertEquals("echo-protocol", ws.getSubprotocol());
        serverOut.await(line -> line.equals("{\"event\":\"close\",\"code\":1000,\"description\":\"bye\"}"), WAIT);
    }
}
