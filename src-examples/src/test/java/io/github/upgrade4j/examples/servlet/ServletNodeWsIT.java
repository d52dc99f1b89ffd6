package io.github.upgrade4j.examples.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.support.Converters;
import io.github.upgrade4j.examples.echo.EchoServer;
import io.github.upgrade4j.examples.proxy.ProxyIT;
import io.github.upgrade4j.examples.support.ExternalTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Node's {@code ws} package on either side of the servlet proxy, and the JDK client against a {@code ws} server. */
class ServletNodeWsIT {
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static final PrintStream OUT = new PrintStream(LOG, true, StandardCharsets.UTF_8);
    private static Process wsServer;
    private static EchoServer echo;
    private static ServletProxy toWs;
    private static ServletProxy toEcho;

    @BeforeAll
    static void start() throws Exception {
        ExternalTools.installNodePackages();
        wsServer = ExternalTools.node("ws-echo-server.js");
        InetSocketAddress upstream = Converters.address(ExternalTools.awaitLine(wsServer, "listening on "));
        toWs = ServletProxy.start(ServletProxyIT.config(upstream), OUT);
        echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), OUT);
        toEcho = ServletProxy.start(ServletProxyIT.config(echo.address()), OUT);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {toWs, toEcho, echo}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
        if (wsServer != null) {
            wsServer.destroyForcibly(); // by pid
        }
    }

    private static String url(ServletProxy proxy, String path) {
        return "ws://127.0.0.1:" + proxy.address().getPort() + path;
    }

    @Test
    void aWsClientTalksToAWsServerThroughTheServletProxy() throws Exception {
        String output = ExternalTools.runNode(Duration.ofSeconds(30), "ws-client.js", url(toWs, "/"));

        assertTrue(output.contains("\"text\":\"hello from ws\",\"binaryEqual\":true,\"closeCode\":1000"), output);
    }

    @Test
    void aWsClientTalksToTheEchoServerThroughTheServletProxy() throws Exception {
        String output = ExternalTools.runNode(Duration.ofSeconds(30), "ws-client.js", url(toEcho, "/echo"));

        assertTrue(output.contains("\"text\":\"hello from ws\",\"binaryEqual\":true,\"closeCode\":1000"), output);
    }

    @Test
    void theJdkClientTalksToAWsServerThroughTheServletProxy() throws Exception {
        ProxyIT.Listener listener = new ProxyIT.Listener();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(url(toWs, "/")), listener).get(10, TimeUnit.SECONDS);

        ws.sendText("hello from the JDK via Jetty", true).get(10, TimeUnit.SECONDS);
        assertEquals("hello from the JDK via Jetty", listener.text.get(10, TimeUnit.SECONDS));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        assertEquals(WebSocket.NORMAL_CLOSURE, listener.closed.get(10, TimeUnit.SECONDS));
    }
}
