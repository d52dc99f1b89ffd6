package io.github.upgrade4j.examples.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.upgrade4j.examples.Main;
import io.github.upgrade4j.examples.echo.EchoServer;
import io.github.upgrade4j.examples.proxy.ProxyIT;
import io.github.upgrade4j.upgrade.WebSocketHandshake;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The servlet proxy (embedded Jetty 12) between real clients and upstreams on 127.0.0.1: the JDK's
 * WebSocket client to the example echo server, plain requests through the JDK HttpClient, refused
 * and invalid upgrades, and the bytes read past each head.
 */
public class ServletProxyIT {
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    public static final String UPGRADE = "GET /echo HTTP/1.1\r\nHost: app\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
    private EchoServer echo;
    private ServletProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), log);
        proxy = ServletProxy.start(config(echo.address()), log);
    }

    @AfterEach
    void stop() {
        proxy.close();
        echo.close();
    }

    public static ServletProxy.Config config(InetSocketAddress upstream) {
        return new ServletProxy.Config(new InetSocketAddress("127.0.0.1", 0), upstream, Duration.ofSeconds(60), 100,
                Duration.ofSeconds(5));
    }

    private String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theJdkClientEchoesTextABinaryMebibytePingAndCloseThroughTheServletProxy() throws Exception {
        ProxyIT.Listener listener = new ProxyIT.Listener();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + proxy.address().getPort() + "/echo"), listener)
                .get(10, TimeUnit.SECONDS);

        ws.sendText("hello through a servlet", true).get(10, TimeUnit.SECONDS);
        assertEquals("hello through a servlet", listener.text.get(10, TimeUnit.SECONDS));
        byte[] mebibyte = new byte[1 << 20];
        new Random(9).nextBytes(mebibyte);
        ws.sendBinary(ByteBuffer.wrap(mebibyte), true).get(10, TimeUnit.SECONDS);
        assertArrayEquals(mebibyte, listener.binary.get(10, TimeUnit.SECONDS));
        ws.sendPing(ByteBuffer.wrap(new byte[] {4, 5, 6})).get(10, TimeUnit.SECONDS);
        assertEquals(ByteBuffer.wrap(new byte[] {4, 5, 6}), listener.pong.get(10, TimeUnit.SECONDS));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        assertEquals(WebSocket.NORMAL_CLOSURE, listener.closed.get(10, TimeUnit.SECONDS));

        assertTrue(log().contains("GET /echo -> 101 tunnel websocket"), log());
        awaitLog("tunnel closed: ");
        assertTrue(log().matches("(?s).*tunnel closed: (CLIENT|UPSTREAM)_FIN_FIRST, \\d{7,} B up, \\d{7,} B down.*"), log());
        awaitTrue("the tunnel to be gone", () -> proxy.relay().stats().activeTunnels() == 0);
    }

    @Test
    void aBadVersionIsAnswered426ByTheServletAndTheConnectionClosed() throws Exception {
        String response = ProxyIT.exchange(proxy.address(), UPGRADE.replace("Version: 13", "Version: 8"));

        assertTrue(response.startsWith("HTTP/1.1 426 "), response);
        assertTrue(response.contains("\r\nSec-WebSocket-Version: 13\r\n"), response);
        assertTrue(response.contains("Only WebSocket version 13"), response);
        assertTrue(log().contains("GET /echo -> 426 WEBSOCKET_VERSION_UNSUPPORTED"), log());
        assertEquals(0, proxy.relay().stats().activeTunnels());
    }

    @Test
    void aPlainGetIsForwardedWithTheHttpClientAndAnswersAsTheUpstreamDoes() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<byte[]> direct = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + echo.address().getPort() + "/")).build(), HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> proxied = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + proxy.address().getPort() + "/")).build(), HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(200, proxied.statusCode());
        // Jetty normalises the media type as it sets it: "text/html; charset=utf-8" becomes "text/html;charset=utf-8".
        assertEquals(direct.headers().firstValue("Content-Type").map(v -> v.replace(" ", "")),
                proxied.headers().firstValue("Content-Type"));
        assertArrayEquals(direct.body(), proxied.body());
        assertTrue(new String(proxied.body(), StandardCharsets.UTF_8).contains("<title>upgrade4j echo</title>"));
        awaitLog("GET / -> 200 (" + direct.body().length + " B)"); // logged once the body is written
    }

    @Test
    void aPostWithABodyIsForwardedUnderTheHopByHopPolicyBothWays() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream((in, out) -> {
            String read = readUntil(in, "\r\n\r\n") + new String(in.readNBytes(11), StandardCharsets.ISO_8859_1);
            out.write(ascii("HTTP/1.1 201 Created\r\nContent-Length: 5\r\nConnection: X-Secret\r\nX-Secret: 1\r\n"
                    + "X-Kept: yes\r\n\r\nhello"));
            return read;
        }); ServletProxy plainProxy = ServletProxy.start(config(upstream.address()), log)) {
            String response = ProxyIT.exchange(plainProxy.address(), """
                    POST /upload?x=1 HTTP/1.1\r
                    Host: app.example\r
                    Connection: close, X-Internal\r
                    X-Internal: secret\r
                    Keep-Alive: timeout=5\r
                    Content-Type: text/plain\r
                    Content-Length: 11\r
                    \r
                    hello world""");
            String received = upstream.received();

            assertTrue(received.startsWith("POST /upload?x=1 HTTP/1.1\r\n"), received);
            assertTrue(received.endsWith("\r\n\r\nhello world"), received);
            String lower = received.toLowerCase(java.util.Locale.ROOT);
            assertTrue(lower.contains("\r\ncontent-length: 11\r\n"), received);
            assertTrue(lower.contains("\r\ncontent-type: text/plain\r\n"), received);
            assertTrue(lower.contains("\r\nx-forwarded-for: 127.0.0.1\r\n"), received);
            assertTrue(lower.contains("\r\nx-forwarded-host: app.example\r\n"), received);
            assertTrue(lower.contains("\r\nx-forwarded-proto: http\r\n"), received);
            assertTrue(lower.contains("\r\nvia: 1.1 upgrade4j\r\n"), received);
            assertFalse(lower.contains("x-internal") || lower.contains("keep-alive: timeout"), received);
            assertTrue(response.startsWith("HTTP/1.1 201 Created\r\n"), response);
            assertTrue(response.toLowerCase(java.util.Locale.ROOT).contains("\r\nx-kept: yes\r\n"), response);
            assertFalse(response.toLowerCase(java.util.Locale.ROOT).contains("x-secret"), response);
            assertTrue(response.endsWith("\r\n\r\nhello"), response);
        }
    }

    @Test
    void aChunkedPostReachesTheUpstreamWholeAndTheAnswerComesBack() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream((in, out) -> {
            String read = readUntil(in, "\r\n\r\n") + readUntil(in, "0\r\n\r\n");
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
            return read;
        }); ServletProxy plainProxy = ServletProxy.start(config(upstream.address()), log)) {
            String response = ProxyIT.exchange(plainProxy.address(), """
                    POST /stream HTTP/1.1\r
                    Host: app\r
                    Transfer-Encoding: chunked\r
                    Connection: close\r
                    \r
                    5\r
                    hello\r
                    6\r
                     world\r
                    0\r
                    \r
                    """);
            String received = upstream.received();

            // The HttpClient re-frames the body it streams: chunks of its own choosing, same bytes.
            assertTrue(received.toLowerCase(java.util.Locale.ROOT).contains("\r\ntransfer-encoding: chunked\r\n"),
                    received);
            assertEquals("hello world", dechunk(received.substring(received.indexOf("\r\n\r\n") + 4)));
            assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n") && response.endsWith("\r\n\r\nok"), response);
        }
    }

    @Test
    void anInvalid101IsAnswered502AndNoTunnelOpens() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream(readUntilThenAnswer("\r\n\r\n",
                "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                        + "Sec-WebSocket-Accept: bm90IHRoZSByaWdodCBvbmU=\r\n\r\n"));
                ServletProxy badProxy = ServletProxy.start(config(upstream.address()), log)) {
            String response = ProxyIT.exchange(badProxy.address(), UPGRADE);

            assertTrue(response.startsWith("HTTP/1.1 502 "), response);
            assertFalse(response.contains("Sec-WebSocket-Accept"), response); // the details are in the log only
            assertTrue(log().contains("-> 502 WEBSOCKET_ACCEPT_MISMATCH"), log());
            assertTrue(log().contains("expected Sec-WebSocket-Accept '" + WebSocketHandshake.accept(KEY) + "'"), log());
            assertEquals(0, badProxy.relay().stats().activeTunnels());
        }
    }

    @Test
    void anUpstreamThatDeclinesTheUpgradeIsRelayedWithItsBodyAndTheConnectionClosed() throws Exception {
        try (FakeUpstream upstream = new FakeUpstream(readUntilThenAnswer("\r\n\r\n",
                "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "4\r\nnot \r\n5\r\nhere!\r\n0\r\n\r\n"));
                ServletProxy declined = ServletProxy.start(config(upstream.address()), log)) {
            String response = ProxyIT.exchange(declined.address(), UPGRADE);

            assertTrue(response.startsWith("HTTP/1.1 403 Forbidden\r\n"), response);
            assertTrue(response.toLowerCase(java.util.Locale.ROOT).contains("\r\nconnection: close\r\n"), response);
            assertTrue(response.endsWith("\r\n\r\nnot here!"), response); // re-framed with a length by Jetty
            awaitLog("-> 403 (9 B), upgrade not done: NOT_SWITCHED");
        }
    }

    @Test
    void bytesReadPastEitherHeadAreRelayedFirst() throws Exception {
        byte[] clientFrame = {(byte) 0x82, (byte) 0x83, 1, 2, 3, 4, 'a' ^ 1, 'b' ^ 2, 'c' ^ 3}; // masked binary "abc"
        byte[] upstreamFrame = {(byte) 0x81, 2, 'h', 'i'};
        try (FakeUpstream upstream = new FakeUpstream((in, out) -> {
            String head = readUntil(in, "\r\n\r\n");
            // The 101 and a first frame in one segment: the proxy reads the frame with the head.
            out.write(concat(ascii("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Accept: " + WebSocketHandshake.accept(KEY) + "\r\n\r\n"), upstreamFrame));
            return head + new String(in.readNBytes(clientFrame.length), StandardCharsets.ISO_8859_1);
        }); ServletProxy tunnelling = ServletProxy.start(config(upstream.address()), log);
                Socket client = new Socket(InetAddress.getLoopbackAddress(), tunnelling.address().getPort())) {
            client.setSoTimeout(10_000);
            // The client's first frame in the same segment as its request: Jetty has read it with the head.
            client.getOutputStream().write(concat(UPGRADE.getBytes(StandardCharsets.ISO_8859_1), clientFrame));
            InputStream in = client.getInputStream();
            String head = readUntil(in, "\r\n\r\n");

            assertTrue(head.startsWith("HTTP/1.1 101 "), head);
            assertArrayEquals(upstreamFrame, in.readNBytes(upstreamFrame.length)); // sent by the upstream with its 101
            String received = upstream.received();
            assertTrue(received.endsWith("\r\n\r\n" + new String(clientFrame, StandardCharsets.ISO_8859_1)), received);
            assertEquals(-1, in.read()); // the upstream's FIN, passed on while the client may still send
            client.getOutputStream().write(new byte[] {(byte) 0x88, (byte) 0x80, 0, 0, 0, 0}); // a masked Close
            client.shutdownOutput();
            awaitLog("tunnel closed: ");
            assertTrue(log().contains("tunnel closed: UPSTREAM_FIN_FIRST, " + (clientFrame.length + 6) + " B up, "
                    + upstreamFrame.length + " B down"), log());
        }
    }

    @Test
    void anUnreachableUpstreamIsA502() throws Exception {
        InetSocketAddress nowhere;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nowhere = (InetSocketAddress) closed.getLocalSocketAddress();
        }
        try (ServletProxy lost = ServletProxy.start(config(nowhere), log)) {
            String upgrade = ProxyIT.exchange(lost.address(), UPGRADE);
            String plain = ProxyIT.exchange(lost.address(), "GET / HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n");

            assertTrue(upgrade.startsWith("HTTP/1.1 502 "), upgrade);
            assertTrue(plain.startsWith("HTTP/1.1 502 "), plain);
            assertTrue(upgrade.contains("could not be reached"), upgrade);
        }
    }

    @Test
    void theCommandRefusesAMissingOrUnknownOptionNamingIt() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, Main.run(new String[] {"servlet-proxy", "--listen", "127.0.0.1:0"},
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith(
                "error: Missing required option: '--upstream=HOST:PORT'\n"), err::toString);
        err.reset();
        assertEquals(2, Main.run(new String[] {"servlet-proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1",
            "--drain-grace", "1s"}, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true,
                    StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("error: Unknown options: '--drain-grace', '1s'\n"),
                err::toString);
        assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing started");
    }

    /** A one-shot upstream: accepts one connection, reads what {@code exchange} reads, writes its answer, closes. */
    static final class FakeUpstream implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final CompletableFuture<String> received = new CompletableFuture<>();

        /** After {@code exchange} the upstream half-closes and reads until the proxy closes. */
        FakeUpstream(Exchange exchange) throws IOException {
            async(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(10_000);
                    received.complete(exchange.apply(s.getInputStream(), s.getOutputStream()));
                    s.shutdownOutput();
                    s.getInputStream().transferTo(OutputStream.nullOutputStream());
                } catch (IOException | RuntimeException e) {
                    received.completeExceptionally(e);
                }
                return null;
            });
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        String received() throws Exception {
            return received.get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** What a fake upstream does with a connection: reads and answers; returns what it read. */
    @FunctionalInterface
    interface Exchange {
        String apply(InputStream in, OutputStream out) throws IOException;
    }

    /** An exchange that reads until {@code end}, then answers {@code answer}. */
    static Exchange readUntilThenAnswer(String end, String answer) {
        return (in, out) -> {
            String read = readUntil(in, end);
            out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
            return read;
        };
    }

    static <T> CompletableFuture<T> async(Callable<T> work) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                future.complete(work.call());
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        }, "servlet-proxy-it");
        thread.setDaemon(true);
        thread.start();
        return future;
    }

    static String readUntil(InputStream in, String end) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            got.write(b);
            if (got.size() >= end.length() && got.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
                break;
            }
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    private static String dechunk(String chunked) {
        StringBuilder data = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].trim(), 16);
            if (size == 0) {
                return data.toString();
            }
            data.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private void awaitLog(String text) {
        awaitTrue("'" + text + "' in the log", () -> log().contains(text));
    }

    static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("expected " + what + " within 10 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }
}
