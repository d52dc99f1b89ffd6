package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.echo.EchoServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The example proxy between the JDK's WebSocket client and the example echo server, on real sockets. */
public class ProxyIT {
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
    private EchoServer echo;
    private ReverseProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), log);
        proxy = ReverseProxy.start(config(echo.address()), log);
    }

    @AfterEach
    void stop() {
        proxy.close();
        echo.close();
    }

    public static ReverseProxy.Config config(InetSocketAddress upstream) {
        return new ReverseProxy.Config(new InetSocketAddress("127.0.0.1", 0), upstream, Duration.ofSeconds(60), 100,
                Duration.ofSeconds(5));
    }

    private String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    private URI uri(String path) throws IOException {
        return URI.create("ws://127.0.0.1:" + proxy.address().getPort() + path);
    }

    /** Collects what the JDK client receives. */
    public static final class Listener implements WebSocket.Listener {
        public final CompletableFuture<String> text = new CompletableFuture<>();
        public final CompletableFuture<byte[]> binary = new CompletableFuture<>();
        public final CompletableFuture<ByteBuffer> pong = new CompletableFuture<>();
        public final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder texts = new StringBuilder();
        private final ByteArrayOutputStream binaries = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            texts.append(data);
            if (last) {
                text.complete(texts.toString());
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binaries.writeBytes(bytes);
            if (last) {
                binary.complete(binaries.toByteArray());
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            pong.complete(message);
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }
    }

    @Test
    void theJdkClientEchoesTextABinaryMebibytePingAndCloseThroughTheProxy() throws Exception {
        Listener listener = new Listener();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(uri("/echo"), listener).get(10, TimeUnit.SECONDS);

        ws.sendText("hello through upgrade4j", true).get(10, TimeUnit.SECONDS);
        assertEquals("hello through upgrade4j", listener.text.get(10, TimeUnit.SECONDS));
        byte[] mebibyte = new byte[1 << 20];
        new Random(7).nextBytes(mebibyte);
        ws.sendBinary(ByteBuffer.wrap(mebibyte), true).get(10, TimeUnit.SECONDS);
        assertArrayEquals(mebibyte, listener.binary.get(10, TimeUnit.SECONDS));
        ws.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3})).get(10, TimeUnit.SECONDS);
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), listener.pong.get(10, TimeUnit.SECONDS));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        assertEquals(WebSocket.NORMAL_CLOSURE, listener.closed.get(10, TimeUnit.SECONDS));
        assertTrue(log().contains("-> 101 tunnel websocket"), log());
    }

    @Test
    void aBadVersionIsAnswered426ByTheProxyAndTheConnectionClosed() throws Exception {
        String response = exchange(proxy.address(), """
                GET /echo HTTP/1.1\r
                Host: app\r
                Connection: Upgrade\r
                Upgrade: websocket\r
                Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
                Sec-WebSocket-Version: 8\r
                \r
                """);

        assertTrue(response.startsWith("HTTP/1.1 426 Upgrade Required\r\n"), response);
        assertTrue(response.contains("Sec-WebSocket-Version: 13\r\n"), response);
        assertTrue(response.contains("Only WebSocket version 13"), response);
    }

    @Test
    void aHopThatDropsConnectionUpgradeIsExplained() throws Exception {
        try (BadHop hop = new BadHop(proxy.address(), "Connection: Upgrade\r\n", "Connection: close\r\n")) {
            String response = exchange(hop.address(), """
                    GET /echo HTTP/1.1\r
                    Host: app\r
                    Connection: Upgrade\r
                    Upgrade: websocket\r
                    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
                    Sec-WebSocket-Version: 13\r
                    \r
                    """);

            assertTrue(response.contains("\r\nX-Upgrade-Not-Forwarded: CONNECTION_LACKS_UPGRADE\r\n"), response);
            assertTrue(log().contains("upgrade not forwarded: expected 'upgrade' among the Connection options but found"
                    + " 'close'"), log());
            assertTrue(log().contains("proxy_set_header Connection $connection_upgrade"), log());
        }
    }

    /**
     * A misconfigured hop in front of the proxy, like nginx without {@code proxy_set_header Connection}:
     * it rewrites one line of the first request head and relays everything else unchanged.
     */
    public static final class BadHop implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());

        public BadHop(InetSocketAddress next, String from, String to) throws IOException {
            Thread thread = new Thread(() -> {
                try (Socket client = server.accept(); Socket upstream = new Socket(next.getAddress(), next.getPort())) {
                    String head = readUntil(client.getInputStream(), "\r\n\r\n");
                    upstream.getOutputStream().write(head.replace(from, to).getBytes(StandardCharsets.ISO_8859_1));
                    upstream.getInputStream().transferTo(client.getOutputStream());
                } catch (IOException e) {
                    // the test sees a short answer and fails on its assertions
                }
            }, "bad-hop");
            thread.setDaemon(true);
            thread.start();
        }

        public InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** Writes {@code request} on a fresh connection and reads until the server closes. */
    public static String exchange(InetSocketAddress to, String request) throws IOException {
        try (Socket socket = new Socket(to.getAddress(), to.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void plainRequestsAndResponsesAreForwardedByteExactWithTheirFraming() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                ReverseProxy plainProxy = ReverseProxy.start(config((InetSocketAddress) upstream.getLocalSocketAddress()), log)) {
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = upstream.accept()) {
                    InputStream in = s.getInputStream();
                    String got = readUntil(in, "0\r\n\r\n");
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 201 Created\r\nContent-Length: 5\r\nConnection: X-Internal\r\nX-Internal: 1\r\n\r\nhello"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    readUntil(in, "\u0000"); // until the proxy closes
                    return got;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            String response = exchange(plainProxy.address(), """
                    POST /upload HTTP/1.1\r
                    Host: app\r
                    X-Request-Id: upload-1\r
                    Transfer-Encoding: chunked\r
                    Connection: close\r
                    \r
                    5\r
                    hello\r
                    6;ext=1\r
                     world\r
                    0\r
                    \r
                    """);

            assertEquals("POST /upload HTTP/1.1\r\nHost: app\r\nX-Request-Id: upload-1\r\nConnection: keep-alive\r\n"
                    + "X-Forwarded-For: 127.0.0.1\r\n"
                    + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: app\r\nVia: 1.1 upgrade4j\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n",
                    received.get(10, TimeUnit.SECONDS));
            assertEquals("HTTP/1.1 201 Created\r\nContent-Length: 5\r\nConnection: close\r\nX-Request-Id: upload-1\r\n\r\n"
                    + "hello", response);
        }
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            got.write(b);
            if (got.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
                break;
            }
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }
}
