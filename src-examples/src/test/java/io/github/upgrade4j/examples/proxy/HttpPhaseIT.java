package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.echo.EchoServer;
import io.github.upgrade4j.examples.support.TlsSetup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proxy's HTTP phase without a thread per waiting client: header and keep-alive timeouts, a bounded
 * number of requests served at once, and many waiting clients (plain and TLS) costing no thread. Real
 * sockets on 127.0.0.1; every wait is for an event (an answer, an end of stream, a log line), bounded by
 * a read timeout far above the proxy's own timeouts.
 */
class HttpPhaseIT {
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static final PrintStream OUT = new PrintStream(LOG, true, StandardCharsets.UTF_8);
    private static final Duration SHORT = Duration.ofSeconds(1);
    private static EchoServer origin;
    private static TlsSetup.SelfSigned certificate;

    @BeforeAll
    static void start() throws IOException {
        origin = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), OUT);
        certificate = TlsSetup.selfSigned();
    }

    @AfterAll
    static void stop() {
        origin.close();
        certificate.close();
    }

    private static ReverseProxy.Config config(InetSocketAddress upstream, HttpLimits limits) {
        return ProxyIT.config(upstream).withHttp(limits);
    }

    @Test
    void aClientThatSendsHalfARequestLineGetsA408AtTheHeaderTimeoutAndIsClosed() throws Exception {
        int from = log().length();
        try (ReverseProxy proxy = ReverseProxy.start(config(origin.address(), new HttpLimits(SHORT,
                Duration.ofSeconds(75), 4)), OUT); Socket client = connect(proxy)) {
            client.getOutputStream().write(ascii("GET /ind"));
            String answer = readToEnd(client.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 408 Request Timeout\r\n"), answer);
            assertTrue(answer.contains("\r\nConnection: close\r\n"), answer);
            awaitLog(from, "-> 408: no complete request head within 1 s");
        }
    }

    @Test
    void aClientThatSendsNothingIsClosedAtTheHeaderTimeoutWithoutAnAnswer() throws Exception {
        int from = log().length();
        try (ReverseProxy proxy = ReverseProxy.start(config(origin.address(), new HttpLimits(SHORT,
                Duration.ofSeconds(75), 4)), OUT); Socket client = connect(proxy)) {
            assertEquals("", readToEnd(client.getInputStream()));
            awaitLog(from, "closed: no request within 1 s");
        }
    }

    @Test
    void aConnectionIdleBetweenRequestsIsClosedAtTheKeepAliveTimeoutAndAHeadInPiecesIsServed() throws Exception {
        int from = log().length();
        try (ReverseProxy proxy = ReverseProxy.start(config(origin.address(), new HttpLimits(Duration.ofSeconds(30),
                SHORT, 4)), OUT); Socket client = connect(proxy)) {
            // The head arrives in three writes; the proxy waits for all of it without a thread.
            for (String part : new String[] {"GET / HT", "TP/1.1\r\nHost: a\r", "\n\r\n"}) {
                client.getOutputStream().write(ascii(part));
                client.getOutputStream().flush();
            }
            String answer = readToEnd(client.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
            awaitLog(from, "closed: idle between requests for 1 s");
        }
    }

    @Test
    void pipelinedRequestsAreServedInOrderOnOneConnection() throws Exception {
        try (ReverseProxy proxy = ReverseProxy.start(config(origin.address(), new HttpLimits(Duration.ofSeconds(30),
                SHORT, 4)), OUT); Socket client = connect(proxy)) {
            client.getOutputStream().write(ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /nothing-here HTTP/1.1\r\nHost: a\r\n"
                    + "Connection: close\r\n\r\n"));
            String answers = readToEnd(client.getInputStream());
            int second = answers.indexOf("HTTP/1.1 404 ");
            assertTrue(answers.startsWith("HTTP/1.1 200 ") && second > 0, answers);
        }
    }

    @Test
    void atMostMaxHandshakesRequestsAreServedAtOnceAsManyWaitAndTheNextGetsA503() throws Exception {
        int from = log().length();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ReverseProxy proxy = ReverseProxy.start(config((InetSocketAddress) silent.getLocalSocketAddress(),
                        new HttpLimits(Duration.ofSeconds(30), Duration.ofSeconds(30), 1)), OUT);
                Socket first = connect(proxy); Socket second = connect(proxy); Socket third = connect(proxy)) {
            first.getOutputStream().write(ascii("GET /first HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
            ExecutorService clients = Executors.newFixedThreadPool(2); // both block: not the common pool
            try (Socket firstUpstream = silent.accept()) { // the one worker forwarded it and waits for the answer
                CompletableFuture<String> secondAnswer = CompletableFuture.supplyAsync(() -> answerTo(second, "/second"),
                        clients);
                CompletableFuture<String> thirdAnswer = CompletableFuture.supplyAsync(() -> answerTo(third, "/third"),
                        clients);
                // One of the two waits for the worker; the other finds the queue full and is turned away.
                String turnedAway = (String) CompletableFuture.anyOf(secondAnswer, thirdAnswer).get(20, TimeUnit.SECONDS);
                assertTrue(turnedAway.startsWith("HTTP/1.1 503 "), turnedAway);
                assertTrue(turnedAway.contains("\r\nRetry-After: 1\r\n"), turnedAway);
                awaitLog(from, "-> 503: every worker is busy");
                assertEquals(1, workers(proxy), "threads serving requests with --max-handshakes 1");

                respond(firstUpstream);
                assertTrue(readToEnd(first.getInputStream()).startsWith("HTTP/1.1 200 "));
                try (Socket waitedUpstream = silent.accept()) { // the waiting request now has the worker
                    respond(waitedUpstream);
                    CompletableFuture<String> waited = secondAnswer.isDone() && secondAnswer.get() == turnedAway
                            ? thirdAnswer : secondAnswer;
                    assertTrue(waited.get(20, TimeUnit.SECONDS).startsWith("HTTP/1.1 200 "), waited.get());
                }
            } finally {
                clients.shutdownNow();
            }
        }
    }

    @Test
    void threeHundredClientsWaitingForTheirHeadsCostNoThreadAndANormalRequestIsServedMeanwhile() throws Exception {
        int from = log().length();
        List<Socket> waiting = new ArrayList<>();
        try (ReverseProxy proxy = ReverseProxy.start(config(origin.address(), HttpLimits.standard()).withTls(
                certificate.serverContext()), OUT)) {
            int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
            for (int i = 0; i < 300; i++) {
                Socket plain = connect(proxy); // TCP only: its TLS handshake never starts
                waiting.add(plain);
                if (i % 10 == 0) { // some finish the handshake and send half a request line
                    SSLSocket half = (SSLSocket) certificate.clientContext().getSocketFactory().createSocket(plain,
                            "127.0.0.1", plain.getPort(), true);
                    half.startHandshake();
                    half.getOutputStream().write(ascii("GET /ind"));
                    half.getOutputStream().flush();
                    waiting.add(half);
                }
            }
            // Accepted in order, so every waiting client is in the proxy once this one is served.
            try (SSLSocket normal = (SSLSocket) certificate.clientContext().getSocketFactory().createSocket(
                    "127.0.0.1", proxy.address().getPort())) {
                normal.setSoTimeout(20_000);
                normal.getOutputStream().write(ascii("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
                assertTrue(readToEnd(normal.getInputStream()).startsWith("HTTP/1.1 200 "));
            }
            int grown = ManagementFactory.getThreadMXBean().getThreadCount() - threadsBefore;
            assertTrue(grown < 20, "threads grew by " + grown + " for 300 waiting clients");
            awaitLog(from, "GET / -> 200");
        } finally {
            for (Socket socket : waiting) {
                socket.close();
            }
        }
    }

    @Test
    void aTlsClientThatFinishesItsHandshakeAndSendsHalfAHeadGetsA408OverTls() throws Exception {
        int from = log().length();
        try (ReverseProxy proxy = ReverseProxy.start(config(origin.address(), new HttpLimits(SHORT,
                Duration.ofSeconds(75), 4)).withTls(certificate.serverContext()), OUT);
                SSLSocket client = (SSLSocket) certificate.clientContext().getSocketFactory().createSocket(
                        "127.0.0.1", proxy.address().getPort())) {
            client.setSoTimeout(20_000);
            client.startHandshake();
            client.getOutputStream().write(ascii("GET /ind"));
            client.getOutputStream().flush();
            String answer = readToEnd(client.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
            awaitLog(from, "-> 408: no complete request head within 1 s");
        }
    }

    @Test
    void aTlsClientThatNeverStartsItsHandshakeIsClosedAtTheHandshakeTimeout() throws Exception {
        int from = log().length();
        ReverseProxy.Config config = new ReverseProxy.Config(new InetSocketAddress("127.0.0.1", 0), origin.address(),
                Duration.ofSeconds(60), 10, SHORT).withTls(certificate.serverContext());
        try (ReverseProxy proxy = ReverseProxy.start(config, OUT); Socket client = connect(proxy)) {
            assertEquals("", readToEnd(client.getInputStream()));
            awaitLog(from, "TLS handshake failed: not complete within 1 s");
        }
    }

    /** The proxy's worker threads alive now. */
    private static long workers(ReverseProxy proxy) throws IOException {
        String prefix = "proxy-worker-" + proxy.address().getPort() + "-";
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
    }

    private static String answerTo(Socket client, String path) {
        try {
            client.getOutputStream().write(ascii("GET " + path + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
            return readToEnd(client.getInputStream());
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Reads the request the proxy forwarded, answers 200 with close, and closes. */
    private static void respond(Socket upstream) throws IOException {
        upstream.setSoTimeout(20_000);
        InputStream in = upstream.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the proxy closed before a whole head: " + head);
            }
            head.write(b);
        }
        upstream.getOutputStream().write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
        upstream.close();
    }

    private static Socket connect(ReverseProxy proxy) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.address().getPort());
        socket.setSoTimeout(20_000); // far above the proxy's timeouts: a failure, not a wait
        return socket;
    }

    /** Everything until the proxy closes (or resets) the connection; fails on a 20 s silence. */
    private static String readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        try {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                all.write(chunk, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the proxy neither answered nor closed within 20 s; got: "
                    + all.toString(StandardCharsets.ISO_8859_1), e);
        } catch (IOException e) {
            // a reset after the answer: what was read stands
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String log() {
        return LOG.toString(StandardCharsets.UTF_8);
    }

    private static void awaitLog(int from, String text) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!log().substring(from).contains(text)) {
            assertTrue(System.nanoTime() < deadline, "expected '" + text + "' in the log: " + log().substring(from));
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
