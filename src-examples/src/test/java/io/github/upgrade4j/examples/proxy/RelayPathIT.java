package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.proxy.attacks.ExampleProxy;
import io.github.upgrade4j.examples.echo.EchoServer;
import io.github.upgrade4j.examples.proxy.attacks.ExampleProxy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the example proxy's relay moves bytes, run as its users run it: {@code java -jar} splices on
 * Linux with Java 22+ with no flags (the manifest grants the access), {@code java -cp} without the
 * flags copies and says which flags it needs, {@code --relay} forces a path, and none of it makes the
 * JVM print a warning. On Java 17 to 21 every launch copies and says why.
 */
class RelayPathIT {
    private final PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    private EchoServer echo;

    @BeforeEach
    void startOrigin() throws IOException {
        echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), log);
    }

    @AfterEach
    void stopOrigin() {
        echo.close();
    }

    private static boolean splicing() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return Runtime.version().feature() >= 22 && System.getProperty("os.name", "").startsWith("Linux")
                && List.of("amd64", "x86_64", "aarch64").contains(arch);
    }

    @Test
    void javaDashJarSplicesWhereTheJvmCanWithNoFlagsAndNoWarning() throws Exception {
        try (ExampleProxy proxy = ExampleProxy.start(echo.address())) {
            String relay = proxy.awaitLine("relay: ");
            if (splicing()) {
                assertTrue(relay.startsWith("relay: splice"), relay);
            } else {
                assertTrue(relay.startsWith("relay: copy (Java "), relay);
            }
            echoThrough(proxy);
            assertTrue(proxy.awaitLine("-> 101 tunnel").contains("/echo"), proxy::output);
            assertFalse(proxy.output().contains("WARNING"), proxy::output);
        }
    }

    @Test
    void onTheClassPathWithoutFlagsItCopiesNamesTheFlagsAndPrintsNoWarning() throws Exception {
        try (ExampleProxy proxy = ExampleProxy.startOnClassPath(echo.address())) {
            String relay = proxy.awaitLine("relay: ");
            if (splicing()) {
                assertEquals("relay: copy (native access is not enabled for the class path: start the JVM with"
                        + " --enable-native-access=ALL-UNNAMED (and --add-opens java.base/sun.nio.ch=ALL-UNNAMED))",
                        relay);
            } else {
                assertTrue(relay.startsWith("relay: copy (Java "), relay);
            }
            echoThrough(proxy);
            assertFalse(proxy.output().contains("WARNING: A restricted method"), proxy::output);
            assertFalse(proxy.output().contains("WARNING: Use --enable-native-access"), proxy::output);
        }
    }

    @Test
    void relayCopyForcesTheCopyPathAndRelaySpliceSplicesOrRefusesToStartSayingWhy() throws Exception {
        try (ExampleProxy proxy = ExampleProxy.start(echo.address(), "--relay", "copy")) {
            assertEquals("relay: copy (as asked)", proxy.awaitLine("relay: "));
            echoThrough(proxy);
        }
        if (splicing()) {
            try (ExampleProxy proxy = ExampleProxy.start(echo.address(), "--relay", "splice")) {
                assertTrue(proxy.awaitLine("relay: ").startsWith("relay: splice"), proxy::output);
                echoThrough(proxy);
            }
        }
        Process refused = new ProcessBuilder(ExampleProxy.java(), "-cp", ExampleProxy.jar().toString(),
                "io.github.upgrade4j.examples.Main", "proxy", "--listen", "127.0.0.1:0", "--upstream",
                "127.0.0.1:" + echo.address().getPort(), "--relay", "splice").redirectErrorStream(true).start();
        assertTrue(refused.waitFor(30, TimeUnit.SECONDS), "the proxy should fail at once");
        String output = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, refused.exitValue(), output);
        assertTrue(output.startsWith("error: expected to splice (RelayPath.SPLICE) but "), output);
        assertFalse(output.contains("Exception"), output);
    }

    /** One WebSocket message through the proxy and back, with the JDK's client. */
    private static void echoThrough(ExampleProxy proxy) throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + proxy.address().getPort() + "/echo"),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                reply.complete(data.toString());
                                return null;
                            }
                        })
                .get(10, TimeUnit.SECONDS);
        socket.sendText("through the relay", true).get(10, TimeUnit.SECONDS);
        assertEquals("through the relay", reply.get(10, TimeUnit.SECONDS));
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
    }
}
