package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.echo.EchoServer;
import io.github.upgrade4j.examples.support.TlsSetup;
import io.github.upgrade4j.tunnel.RelayOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
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
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example proxy with TLS, on real sockets: the JDK's WebSocket client over {@code wss://} (trusting
 * the test certificate) through the proxy to the plain echo server; the proxy speaking TLS to a TLS
 * upstream (a JDK {@link SSLServerSocket} in front of the echo server); plain HTTPS requests; and an
 * upstream whose certificate the proxy must not trust.
 */
class TlsProxyIT {
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static final PrintStream OUT = new PrintStream(LOG, true, StandardCharsets.UTF_8);
    private static TlsSetup.SelfSigned certificate;
    private static EchoServer echo;
    private static TlsFront front;

    @BeforeAll
    static void start() throws IOException {
        certificate = TlsSetup.selfSigned();
        echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), OUT);
        front = new TlsFront(certificate.serverContext(), echo.address());
    }

    @AfterAll
    static void stop() {
        if (front != null) {
            front.close();
        }
        if (echo != null) {
            echo.close();
        }
        if (certificate != null) {
            certificate.close();
        }
    }

    private static String log() {
        return LOG.toString(StandardCharsets.UTF_8);
    }

    /** A client that trusts the test certificate and nothing else. */
    private static HttpClient client() throws IOException {
        return HttpClient.newBuilder().sslContext(certificate.clientContext()).connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    private static ReverseProxy tlsProxy(InetSocketAddress upstream) throws IOException {
        return ReverseProxy.start(ProxyIT.config(upstream).withTls(certificate.serverContext()), OUT);
    }

    @Test
    void theJdkClientEchoesTextABinaryMebibytePingAndCloseOverWssThroughTheProxyToAPlainUpstream() throws Exception {
        int from = log().length(); // the log is shared by the tests of this class, which run one by one
        try (ReverseProxy proxy = tlsProxy(echo.address())) {
            echoThrough(URI.create("wss://127.0.0.1:" + proxy.address().getPort() + "/echo"), "over wss");
            awaitLog(from, "tunnel closed");
            awaitLog(from, "2 messages, closed 1000");
            String log = log().substring(from);
            // The close handshake went through. Then the echo server closed first (close_notify to the
            // client); the JDK's client (17 and 25) answers by closing TCP without its own close_notify,
            // which the relay passes on as a reset, naming the possible truncation. When the client
            // closes its socket before it has read the relay's close_notify, its kernel answers with a
            // real RST instead of a FIN: a reset either way, after every byte.
            assertTrue(log.contains("tunnel closed: UPSTREAM_FIN_FIRST") || log.contains("tunnel closed: CLIENT_RESET,"
                    + " 1048624 B up, 1048769 B down") && (log.contains("without a TLS close_notify")
                            || log.contains("(Connection reset)")), log);
            assertTrue(log.matches("(?s).*-> 101 tunnel websocket \\(client TLSv1\\.3 TLS_[A-Z0-9_]+.*; upstream plain\\).*"),
                    log);
        }
    }

    @Test
    void withTlsFinAsEndTheJdkClientsCloseWithoutCloseNotifyEndsTheTunnelWithFinsNotAReset() throws Exception {
        int from = log().length();
        try (ReverseProxy proxy = ReverseProxy.start(ProxyIT.config(echo.address()).withTls(certificate.serverContext()),
                RelayOptions.builder().tlsFinWithoutCloseNotifyAsEnd(true).build(), OUT)) {
            echoThrough(URI.create("wss://127.0.0.1:" + proxy.address().getPort() + "/echo"), "over wss");
            awaitLog(from, "tunnel closed");
            awaitLog(from, "2 messages, closed 1000");
            String log = log().substring(from);
            // Whoever closes TCP first, the tunnel ends with two FINs, every byte relayed both ways; the
            // JDK client's missing close_notify is noted, not turned into a reset. Whether the JDK client
            // sends its own close_notify before closing depends on how far it got when the relay's
            // arrived (seen both ways on Temurin 25), so the note is there only when it did not. Only a
            // client that closes before it has read the relay's close_notify makes its kernel send a
            // real RST (see the test above), and that stays a reset: never the truncation reset.
            assertFalse(log.contains("without a TLS close_notify"), log);
            assertTrue(log.matches("(?s).*tunnel closed: (UPSTREAM|CLIENT)_FIN_FIRST, 1048624 B up, 1048769 B down,"
                    + " \\d+ ms( \\(the client ended TLS without close_notify\\))?\n.*")
                    || log.matches("(?s).*tunnel closed: CLIENT_RESET, 1048624 B up, 1048769 B down, \\d+ ms"
                            + " \\(Connection reset\\).*"), log);
        }
    }

    @Test
    void speaksTlsToATlsUpstreamWhoseCertificateItChecksWithAlpnHttp11() throws Exception {
        try (ReverseProxy proxy = ReverseProxy.start(ProxyIT.config(front.address())
                .withTls(certificate.serverContext()).withUpstreamTls(certificate.clientContext()), OUT)) {
            echoThrough(URI.create("wss://127.0.0.1:" + proxy.address().getPort() + "/echo"), "TLS both ways");
            assertEquals("http/1.1", front.alpn.get(10, TimeUnit.SECONDS), "the protocol the proxy offered upstream");
            assertTrue(log().matches("(?s).*-> 101 tunnel websocket \\(client TLSv1\\.3 [^;]+; upstream TLSv1\\.3 "
                    + "TLS_[A-Z0-9_]+, ALPN http/1\\.1\\).*"), log());
        }
    }

    @Test
    void servesPlainHttpsRequestsOnOneKeptAliveConnectionAndTellsTheUpstreamTheClientUsedHttps() throws Exception {
        int from = log().length();
        try (ServerSocket upstream = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ReverseProxy proxy = tlsProxy((InetSocketAddress) upstream.getLocalSocketAddress())) {
            CompletableFuture<String> heads = CompletableFuture.supplyAsync(() -> {
                try (Socket origin = upstream.accept()) {
                    origin.setSoTimeout(10_000);
                    StringBuilder seen = new StringBuilder();
                    for (int i = 0; i < 2; i++) { // both on the one upstream connection
                        seen.append(readHead(origin.getInputStream()));
                        origin.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                                .getBytes(StandardCharsets.US_ASCII));
                    }
                    return seen.toString();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            HttpClient client = client();
            URI uri = URI.create("https://127.0.0.1:" + proxy.address().getPort() + "/x");
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode());
                assertEquals("ok", response.body());
                assertEquals(HttpClient.Version.HTTP_1_1, response.version(), "ALPN offered http/1.1 only");
            }

            String seen = heads.get(10, TimeUnit.SECONDS);
            assertEquals(2, seen.split("\r\nX-Forwarded-Proto: https\r\n", -1).length - 1, seen);
            // Both requests came over one TLS connection: the proxy logs the same client port twice.
            awaitLog(from, "GET /x -> 200");
            Pattern served = Pattern.compile("(?m)^\\S+ (127\\.0\\.0\\.1:\\d+) GET /x -> 200 \\(");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                Map<String, Integer> perConnection = new HashMap<>();
                for (Matcher line = served.matcher(log().substring(from)); line.find(); ) {
                    perConnection.merge(line.group(1), 1, Integer::sum);
                }
                if (perConnection.containsValue(2)) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "expected one client port twice: " + log().substring(from));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    /** Reads one head, up to and with its empty line. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the proxy closed in the middle of a head: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void answers502WhenItCannotTrustTheUpstreamsCertificate() throws Exception {
        // The JDK's default certificate authorities do not know the test certificate.
        try (ReverseProxy proxy = ReverseProxy.start(ProxyIT.config(front.address())
                .withTls(certificate.serverContext()).withUpstreamTls(SSLContext.getDefault()), OUT)) {
            HttpResponse<String> response = client().send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + proxy.address().getPort() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(502, response.statusCode());
            assertTrue(response.body().contains("could not be reached"), response.body());
            awaitLog(0, "PKIX path building failed"); // the proxy may log it just after it answered
        }
    }

    @Test
    void refusesAClientThatDoesNotTrustItsCertificateAndLogsWhy() throws Exception {
        try (ReverseProxy proxy = tlsProxy(echo.address())) {
            HttpClient untrusting = HttpClient.newBuilder().sslContext(SSLContext.getDefault()).build();
            ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> untrusting.sendAsync(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                            + proxy.address().getPort() + "/")).build(), HttpResponse.BodyHandlers.ofString())
                            .get(10, TimeUnit.SECONDS));
            assertInstanceOf(SSLHandshakeException.class, failure.getCause());
            awaitLog(0, "TLS handshake failed");
        }
    }

    /** Polls the log from {@code from} on, which server threads write, until it shows {@code text}. */
    private static void awaitLog(int from, String text) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!log().substring(from).contains(text)) {
            assertTrue(System.nanoTime() < deadline, "expected '" + text + "' in the log: " + log());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** The JDK client's text, 1 MiB binary, ping and close through {@code uri}. */
    private static void echoThrough(URI uri, String text) throws Exception {
        ProxyIT.Listener listener = new ProxyIT.Listener();
        WebSocket ws = client().newWebSocketBuilder().buildAsync(uri, listener).get(10, TimeUnit.SECONDS);
        ws.sendText(text, true).get(10, TimeUnit.SECONDS);
        assertEquals(text, listener.text.get(10, TimeUnit.SECONDS));
        byte[] mebibyte = new byte[1 << 20];
        new Random(17).nextBytes(mebibyte);
        ws.sendBinary(ByteBuffer.wrap(mebibyte), true).get(10, TimeUnit.SECONDS);
        assertArrayEquals(mebibyte, listener.binary.get(10, TimeUnit.SECONDS));
        ws.sendPing(ByteBuffer.wrap(new byte[] {4, 5, 6})).get(10, TimeUnit.SECONDS);
        assertEquals(ByteBuffer.wrap(new byte[] {4, 5, 6}), listener.pong.get(10, TimeUnit.SECONDS));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        assertEquals(WebSocket.NORMAL_CLOSURE, listener.closed.get(10, TimeUnit.SECONDS));
    }

    /**
     * A TLS upstream: the JDK's {@link SSLServerSocket} (ALPN {@code http/1.1}) in front of a plain
     * server, copying bytes both ways and passing each half-close on ({@code close_notify} to FIN and
     * back). Records the ALPN protocol of the last connection.
     */
    static final class TlsFront implements AutoCloseable {
        private final SSLServerSocket server;
        final CompletableFuture<String> alpn = new CompletableFuture<>();

        TlsFront(SSLContext context, InetSocketAddress behind) throws IOException {
            server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
                    InetAddress.getLoopbackAddress());
            SSLParameters parameters = server.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            server.setSSLParameters(parameters);
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    SSLSocket tls;
                    try {
                        tls = (SSLSocket) server.accept();
                    } catch (IOException e) {
                        return; // closed
                    }
                    try {
                        tls.setSoTimeout(10_000);
                        tls.startHandshake();
                        alpn.obtrudeValue(tls.getApplicationProtocol());
                        tls.setSoTimeout(0);
                        Socket plain = new Socket(behind.getAddress(), behind.getPort());
                        copy(tls.getInputStream(), plain.getOutputStream(), plain::shutdownOutput, tls, plain);
                        copy(plain.getInputStream(), tls.getOutputStream(), tls::shutdownOutput, tls, plain);
                    } catch (IOException e) {
                        closeQuietly(tls); // a handshake the proxy refused: the next connection is served anew
                    }
                }
            }, "tls-front");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        interface HalfClose {
            void run() throws IOException;
        }

        private static void copy(InputStream in, OutputStream out, HalfClose end, Socket a, Socket b) {
            Thread thread = new Thread(() -> {
                try {
                    in.transferTo(out);
                    end.run();
                } catch (IOException e) {
                    closeQuietly(a);
                    closeQuietly(b);
                }
            }, "tls-front-copy");
            thread.setDaemon(true);
            thread.start();
        }

        private static void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
        }

        InetSocketAddress address() {
            return new InetSocketAddress("127.0.0.1", server.getLocalPort());
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
