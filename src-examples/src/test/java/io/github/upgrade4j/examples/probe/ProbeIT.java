package io.github.upgrade4j.examples.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.Main;
import io.github.upgrade4j.examples.echo.EchoServer;
import io.github.upgrade4j.examples.proxy.ProxyIT;
import io.github.upgrade4j.examples.proxy.ReverseProxy;
import io.github.upgrade4j.examples.support.ExternalTools;
import io.github.upgrade4j.examples.support.JsonLines;
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
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code probe} command against the example echo server: directly, through the example proxy,
 * through a hop that drops {@code Connection: upgrade}, through a hop that cuts idle connections after
 * 2 s, and over TLS; its exit status and its JSON.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class ProbeIT {
    private final ExternalTools.Lines log = ExternalTools.Lines.log();
    private EchoServer echo;
    private ReverseProxy proxy;

    @BeforeEach
    void start() throws IOException {
        PrintStream logStream = log.printStream();
        echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), logStream);
        proxy = ReverseProxy.start(ProxyIT.config(echo.address()), logStream);
    }

    @AfterEach
    void stop() {
        proxy.close();
        echo.close();
    }

    /** What one run of the command printed, and its exit status. */
    record Run(int status, String out, String err) {}

    static Run probe(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] command = new String[args.length + 1];
        command[0] = "probe";
        System.arraycopy(args, 0, command, 1, args.length);
        int status = Main.run(command, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String echoUrl() {
        return "ws://127.0.0.1:" + echo.address().getPort() + "/echo";
    }

    private static String ws(InetSocketAddress address) {
        return "ws://127.0.0.1:" + address.getPort();
    }

    @Test
    void aDirectProbeOfTheEchoServerSeesA101WithTheRightAcceptAndClosesPolitely() throws Exception {
        Run run = probe(echoUrl());

        assertEquals(0, run.status(), run.out());
        assertTrue(run.out().contains("> GET /echo HTTP/1.1\n> Host: 127.0.0.1:" + echo.address().getPort()
                + "\n> Connection: Upgrade\n> Upgrade: websocket\n> Sec-WebSocket-Version: 13\n> Sec-WebSocket-Key: "),
                run.out());
        assertTrue(run.out().contains("< HTTP/1.1 101 Switching Protocols\n"), run.out());
        assertTrue(run.out().contains("upgrade worked: 101 to websocket with the right Sec-WebSocket-Accept"), run.out());
        assertTrue(run.out().contains("OK: the upgrade worked"), run.out());
        assertTrue(log.await(l -> l.contains("GET /echo -> 101 websocket, 0 messages, closed 1000"), Duration.ofSeconds(10))
                .startsWith("echo "));
    }

    @Test
    void throughTheProxyBothPathsUpgradeAndTheirAnswersDifferOnlyInWhatVariesPerHandshake() throws Exception {
        Run run = probe(echoUrl(), "--via", ws(proxyAddress()));

        assertEquals(0, run.status(), run.out());
        assertTrue(run.out().contains("== via 127.0.0.1:" + proxyAddress().getPort() + " =="), run.out());
        assertEquals(2, count(run.out(), "upgrade worked: 101 to websocket"), run.out());
        // The one difference is the request id the example proxy adds to every answer.
        assertTrue(run.out().matches("(?s).*\n  only via 127\\.0\\.0\\.1:" + proxyAddress().getPort()
                + ":\n    X-Request-Id: [0-9a-f]{16}\n\n.*"), run.out());
        assertFalse(run.out().contains("changed:") || run.out().contains("  status: "), run.out());
        assertTrue(run.out().contains("OK: the upgrade worked directly and via 127.0.0.1:" + proxyAddress().getPort()),
                run.out());
        // The proxy logs the tunnel once the relay opened it, which can be just after the probe saw the 101.
        assertTrue(log.await(l -> l.contains("GET /echo -> 101 tunnel websocket"), Duration.ofSeconds(10))
                .contains("GET /echo -> 101 tunnel websocket"));
    }

    @Test
    void aHopThatDropsConnectionInFrontOfTheProxyIsNamedWithTheNginxFix() throws Exception {
        try (ProxyIT.BadHop hop = new ProxyIT.BadHop(proxyAddress(), "Connection: Upgrade\r\n", "Connection: close\r\n")) {
            Run run = probe(echoUrl(), "--via", ws(hop.address()));

            assertEquals(1, run.status(), run.out());
            String out = run.out();
            assertTrue(out.contains("< X-Upgrade-Not-Forwarded: CONNECTION_LACKS_UPGRADE\n"), out);
            assertTrue(out.contains("upgrade failed: answered 404 Not Found without Upgrade instead of 101"), out);
            String explanation = unwrapped(out);
            assertTrue(explanation.contains("An upgrade4j proxy on this path did not forward the upgrade"
                    + " (X-Upgrade-Not-Forwarded: CONNECTION_LACKS_UPGRADE), so the hop in front of that proxy changed"
                    + " the request. The request has an Upgrade field but its Connection field does not contain"
                    + " 'upgrade'"), explanation);
            assertTrue(explanation.contains("in nginx add 'proxy_set_header Connection $connection_upgrade;'"), explanation);
            assertTrue(out.contains("  changed:\n    Connection: 'Upgrade' direct, 'close' via 127.0.0.1:"), out);
            assertTrue(out.contains("  only direct:\n    Upgrade: websocket\n    Sec-WebSocket-Accept: "), out);
            assertTrue(out.contains("FAILED: the upgrade works directly but not via"), out);
        }
    }

    @Test
    void aHopThatDropsConnectionInFrontOfTheEchoServerIsNamedByTheServersHint() throws Exception {
        try (ProxyIT.BadHop hop = new ProxyIT.BadHop(echo.address(), "Connection: Upgrade\r\n", "Connection: close\r\n")) {
            Run run = probe(echoUrl(), "--via", ws(hop.address()));

            assertEquals(1, run.status(), run.out());
            String explanation = unwrapped(run.out());
            assertTrue(explanation.contains("answered 200 OK without Upgrade instead of 101"), explanation);
            assertTrue(explanation.contains("The server that answered received the request but ignored its upgrade"
                    + " (X-Upgrade-Ignored: CONNECTION_LACKS_UPGRADE)"), explanation);
            assertTrue(explanation.contains("body: expected 'upgrade' among the Connection options but found 'close'."),
                    explanation);
        }
    }

    @Test
    void aServerWithoutHintsThatAnswers200IsExplainedByTheLikelyDroppedConnection() throws Exception {
        try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> request = CompletableFuture.supplyAsync(() -> answerOnce(plain,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 15\r\n\r\n<p>welcome</p>\n"));

            Run run = probe("ws://127.0.0.1:" + plain.getLocalPort() + "/chat");

            assertEquals(1, run.status(), run.out());
            assertTrue(request.get(10, TimeUnit.SECONDS).startsWith("GET /chat HTTP/1.1\r\n"));
            String explanation = unwrapped(run.out());
            assertTrue(explanation.contains("answered 200 OK without Upgrade"), explanation);
            assertTrue(explanation.contains("most likely lacked 'Connection: upgrade' or 'Upgrade: websocket'"),
                    explanation);
            assertTrue(explanation.contains("proxy_set_header Connection $connection_upgrade;"), explanation);
            assertTrue(explanation.contains("proxy_set_header Upgrade $http_upgrade;"), explanation);
            assertTrue(explanation.contains("body: <p>welcome</p>"), explanation);
        }
    }

    @Test
    void aHopThatCutsIdleConnectionsAfterTwoSecondsIsMeasured() throws Exception {
        try (IdleCutHop hop = new IdleCutHop(proxyAddress(), Duration.ofSeconds(2))) {
            Run run = probe(echoUrl(), "--via", ws(hop.address()), "--idle", "5");

            assertEquals(0, run.status(), run.out()); // the upgrade worked; the cut is reported, not failed
            assertTrue(run.out().contains("  direct: survived 5.0 s idle\n"), run.out());
            String cut = between(run.out(), "via 127.0.0.1:" + hop.address().getPort() + ": cut after ", " s idle");
            double seconds = Double.parseDouble(cut);
            assertTrue(seconds >= 1.5 && seconds <= 4.0, "expected the cut at about 2 s but the probe found " + seconds);
            assertTrue(run.out().contains("the other side closed the connection"), run.out());
            assertEquals(1, hop.cuts.get(), "the hop cut the tunnel once");
        }
    }

    @Test
    void theIdleMeasurementIsInTheJsonToo() throws Exception {
        try (IdleCutHop hop = new IdleCutHop(echo.address(), Duration.ofSeconds(2))) {
            Run run = probe(ws(hop.address()) + "/echo", "--idle", "4", "--json");

            assertEquals(0, run.status(), run.out());
            Map<?, ?> idle = (Map<?, ?>) ((Map<?, ?>) ((List<?>) JsonLines.parse(run.out()).get("paths")).get(0)).get("idle");
            assertEquals("closed", idle.get("ending"));
            assertEquals(4000.0, idle.get("askedMillis"));
            double after = (Double) idle.get("afterMillis");
            assertTrue(after >= 1500 && after <= 4000, "expected the cut at about 2000 ms but was " + after);
        }
    }

    @Test
    void theJsonHasOneObjectPerPathAndTheDifferences() throws Exception {
        try (ProxyIT.BadHop hop = new ProxyIT.BadHop(proxyAddress(), "Connection: Upgrade\r\n", "Connection: close\r\n")) {
            Run run = probe(echoUrl(), "--via", ws(hop.address()), "--json", "--origin", "https://app.example");

            assertEquals(1, run.status(), run.out());
            assertEquals(1, run.out().strip().lines().count(), "one line of JSON: " + run.out());
            Map<String, Object> json = JsonLines.parse(run.out());
            assertEquals(echoUrl(), json.get("url"));
            assertEquals(false, json.get("worked"));
            assertEquals(1.0, json.get("exitStatus"));
            List<?> paths = (List<?>) json.get("paths");
            assertEquals(2, paths.size());
            Map<?, ?> direct = (Map<?, ?>) paths.get(0);
            Map<?, ?> via = (Map<?, ?>) paths.get(1);
            assertEquals("direct", direct.get("name"));
            assertEquals(true, direct.get("worked"));
            assertEquals(101.0, direct.get("status"));
            assertTrue(((List<?>) direct.get("sent")).contains("Origin: https://app.example"), direct.toString());
            assertTrue(direct.containsKey("idle"));
            assertNull(direct.get("idle"));
            assertEquals(false, via.get("worked"));
            assertEquals(404.0, via.get("status"));
            assertEquals("CONNECTION_LACKS_UPGRADE", via.get("reason"));
            assertEquals(Map.of("X-Upgrade-Not-Forwarded", "CONNECTION_LACKS_UPGRADE"), via.get("hints"));
            assertTrue(((List<?>) via.get("explanations")).get(0).toString()
                    .contains("proxy_set_header Connection $connection_upgrade;"));
            assertTrue(via.get("body").toString().startsWith("Nothing here."));
            Map<?, ?> differences = (Map<?, ?>) json.get("differences");
            assertEquals(List.of("101 Switching Protocols", "404 Not Found"), differences.get("status"));
            assertTrue(((List<?>) differences.get("onlyVia")).contains("X-Upgrade-Not-Forwarded: CONNECTION_LACKS_UPGRADE"));
            assertEquals(List.of(Map.of("field", "Connection", "direct", "Upgrade", "via", "close")),
                    differences.get("changed"));
        }
    }

    @Test
    void exitStatusIs1WhenNothingListensAnd2ForUsageErrors() {
        int port;
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = taken.getLocalPort(); // free again once closed: nothing listens there
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Run refused = probe("ws://127.0.0.1:" + port + "/");
        assertEquals(1, refused.status(), refused.out());
        assertTrue(refused.out().contains("could not connect to 127.0.0.1:"), refused.out());
        assertTrue(refused.out().contains("nothing accepts connections at"), refused.out());

        assertEquals(2, probe().status());
        Run unknown = probe(echoUrl(), "--frobnicate");
        assertEquals(2, unknown.status());
        assertEquals("error: Unknown option: '--frobnicate'\nTry 'java -jar upgrade-examples.jar probe --help' for the"
                + " options.\n", unknown.err());
        Run ftp = probe("ftp://127.0.0.1/");
        assertEquals(2, ftp.status());
        assertTrue(ftp.err().contains("expected a ws, wss, http or https URL but was 'ftp://127.0.0.1/'"), ftp.err());
        assertEquals(2, probe(echoUrl(), "--idle").status());
    }

    @Test
    void overTlsASelfSignedServerNeedsInsecureAndThenUpgrades() throws Exception {
        try (TlsTerminator tls = new TlsTerminator(echo.address())) {
            String url = "wss://localhost:" + tls.address().getPort() + "/echo";

            Run checked = probe(url);
            Run insecure = probe(url, "--insecure");

            assertEquals(1, checked.status(), checked.out());
            assertTrue(checked.out().contains("the TLS handshake failed"), checked.out());
            assertTrue(checked.out().contains("add --insecure"), checked.out());
            assertEquals(0, insecure.status(), insecure.out());
            assertTrue(insecure.out().contains("== direct to localhost:" + tls.address().getPort() + " over TLS =="),
                    insecure.out());
            assertTrue(insecure.out().contains("> Host: localhost:" + tls.address().getPort()), insecure.out());
            assertTrue(insecure.out().contains("upgrade worked: 101 to websocket"), insecure.out());
        }
    }

    private InetSocketAddress proxyAddress() {
        try {
            return proxy.address();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The output with the report's line wrapping undone, so that a sentence can be searched whole. */
    private static String unwrapped(String out) {
        return out.replaceAll("\n +", " ");
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static String between(String text, String before, String after) {
        int start = text.indexOf(before);
        assertTrue(start >= 0, "expected '" + before + "' in:\n" + text);
        int end = text.indexOf(after, start + before.length());
        assertTrue(end >= 0, "expected '" + after + "' after '" + before + "' in:\n" + text);
        return text.substring(start + before.length(), end);
    }

    /** Accepts one connection, reads its request head, writes {@code answer} and closes; returns the head. */
    private static String answerOnce(ServerSocket server, String answer) {
        try (Socket socket = server.accept()) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
            }
            socket.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();
            return head.toString(StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /**
     * A TCP forwarder that closes both sides of a connection once neither has sent a byte for
     * {@code idle}, like a load balancer's idle timeout (AWS ELB's 60 s, say) shortened for a test.
     */
    static final class IdleCutHop implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger cuts = new AtomicInteger();

        IdleCutHop(InetSocketAddress next, Duration idle) throws IOException {
            Thread acceptor = new Thread(() -> {
                while (true) {
                    try {
                        Socket client = server.accept();
                        Socket upstream = new Socket(next.getAddress(), next.getPort());
                        AtomicLong lastByte = new AtomicLong(System.nanoTime());
                        AtomicBoolean cut = new AtomicBoolean();
                        pump(client, upstream, lastByte, cut, idle);
                        pump(upstream, client, lastByte, cut, idle);
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            }, "idle-cut-hop");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        /** Copies {@code from} to {@code to}; each read waits only until the connection has been silent for {@code idle}. */
        private void pump(Socket from, Socket to, AtomicLong lastByte, AtomicBoolean cut, Duration idle) {
            Thread thread = new Thread(() -> {
                byte[] chunk = new byte[16 * 1024];
                try (from; to) {
                    InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream();
                    while (true) {
                        long silentFor = System.nanoTime() - lastByte.get();
                        long left = idle.toNanos() - silentFor;
                        if (left <= 0) {
                            if (cut.compareAndSet(false, true)) {
                                cuts.incrementAndGet();
                            }
                            return; // closing both sockets cuts the connection in both directions
                        }
                        from.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                        int n;
                        try {
                            n = in.read(chunk);
                        } catch (SocketTimeoutException e) {
                            continue; // the other direction may have carried bytes meanwhile: check again
                        }
                        if (n < 0) {
                            return;
                        }
                        lastByte.set(System.nanoTime());
                        out.write(chunk, 0, n);
                    }
                } catch (IOException e) {
                    // the other pump closed the sockets
                }
            }, "idle-cut-pump");
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** Terminates TLS with a self-signed certificate for {@code localhost} made by the JDK's keytool, and forwards. */
    static final class TlsTerminator implements AutoCloseable {
        private final SSLServerSocket server;

        TlsTerminator(InetSocketAddress next) throws Exception {
            Path store = Path.of("target", "probe-it-localhost.p12");
            if (!Files.exists(store)) {
                Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                        "-genkeypair", "-alias", "localhost", "-keyalg", "EC", "-groupname", "secp256r1",
                        "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-validity", "30",
                        "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
                        .redirectErrorStream(true).start();
                String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(keytool.waitFor(30, TimeUnit.SECONDS) && keytool.exitValue() == 0, output);
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keys.load(in, "changeit".toCharArray());
            }
            KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            managers.init(keys, "changeit".toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(managers.getKeyManagers(), null, null);
            server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
                    InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (true) {
                    try {
                        Socket client = server.accept();
                        Socket upstream = new Socket(next.getAddress(), next.getPort());
                        copy(client, upstream);
                        copy(upstream, client);
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            }, "tls-terminator");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private static void copy(Socket from, Socket to) {
            Thread thread = new Thread(() -> {
                try (from; to) {
                    from.getInputStream().transferTo(to.getOutputStream());
                } catch (IOException e) {
                    // a failed TLS handshake or a closed peer ends the copy
                }
            }, "tls-copy");
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
