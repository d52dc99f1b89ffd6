package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.support.Converters;
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

/** Node's {@code ws} package on either side of the example proxy: software nobody here wrote. */
class NodeWsIT {
    private static Process wsServer;
    private static ReverseProxy proxy;
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
        ExternalTools.installNodePackages();
        wsServer = ExternalTools.node("ws-echo-server.js");
        InetSocketAddress upstream = Converters.address(ExternalTools.awaitLine(wsServer, "listening on "));
        proxy = ReverseProxy.start(ProxyIT.config(upstream), new PrintStream(LOG, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (wsServer != null) {
            wsServer.destroyForcibly();
        }
    }

    private static String url() throws Exception {
        return "ws://127.0.0.1:" + proxy.address().getPort() + "/";
    }

    @Test
    void aWsClientTalksToAWsServerThroughTheProxy() throws Exception {
        String output = ExternalTools.runNode(Duration.ofSeconds(30), "ws-client.js", url());

        assertTrue(output.contains("\"text\":\"hello from ws\",\"binaryEqual\":true,\"closeCode\":1000"), output);
    }

    @Test
    void theJdkClientTalksToAWsServerThroughTheProxy() throws Exception {
        ProxyIT.Listener listener = new ProxyIT.Listener();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(url()), listener).get(10, TimeUnit.SECONDS);

        ws.sendText("hello from the JDK", true).get(10, TimeUnit.SECONDS);
        assertEquals("hello from the JDK", listener.text.get(10, TimeUnit.SECONDS));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        assertEquals(WebSocket.NORMAL_CLOSURE, listener.closed.get(10, TimeUnit.SECONDS));
    }
}
