package io.github.upgrade4j.examples.echo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.upgrade4j.examples.proxy.attacks.ExampleProxy;
import io.github.upgrade4j.examples.support.ExternalTools;
import io.github.upgrade4j.examples.support.TlsSetup;
import io.github.upgrade4j.upgrade.TlsUpgrade;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upgrade to TLS within HTTP/1.1 (RFC 2817) with the client that uses it, CUPS's {@code ipptool}: against
 * the echo server started with a {@link TlsUpgrade}, directly and through the example proxy with and
 * without {@code --allow-upgrade TLS/1.2}. {@code ipptool -E} asks with {@code OPTIONS *} and
 * {@code Upgrade: TLS/1.2,TLS/1.1,TLS/1.0}, does the handshake after the 101, waits for the answer to its
 * OPTIONS over TLS, then posts its IPP request over TLS; the echo server answers that 501, so ipptool
 * always exits non-zero, and the server's log is the proof of what happened. Hand-written clients check
 * the order RFC 2817 §3.3 asks for and the 426 of {@code requireTls}: ipptool without {@code -E} does come
 * back offering TLS after a 426, but how many times CUPS reconnects before it posts varies from run to run.
 */
@Timeout(120)
class IppTlsUpgradeIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TEST_FILE = "get-printer-attributes.test"; // in cups-ipp-utils' data directory
    private static TlsSetup.SelfSigned certificate;

    private final ExternalTools.Lines log = ExternalTools.Lines.log();
    private EchoServer echo;

    @TempDir
    Path home;

    @BeforeAll
    static void makeCertificate() throws IOException {
        certificate = TlsSetup.selfSigned();
    }

    @AfterAll
    static void deleteCertificate() {
        if (certificate != null) {
            certificate.close();
        }
    }

    @AfterEach
    void stop() {
        if (echo != null) {
            echo.close();
        }
    }

    private EchoServer startEcho(boolean requireTls) throws IOException {
        echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), TlsUpgrade.of(certificate.serverContext()),
                requireTls, log.printStream());
        return echo;
    }

    @Test
    void ipptoolEncryptsWithTheEchoServerAndPostsItsIppRequestOverTls() throws Exception {
        startEcho(false);

        Ipptool run = ipptool(echo.address(), "-E");

        awaitEcho("OPTIONS * -> 101 TLS/1.2");
        awaitEcho("TLS handshake done (TLSv1.");
        awaitEcho("OPTIONS * over TLS (TLSv1.");
        String post = awaitEcho("POST /ipp/print over TLS (TLSv1.");
        assertTrue(post.matches(".* [1-9][0-9]* bytes of IPP -> 501"), post);
        assertTrue(run.output().contains("Not Implemented"), "ipptool read the 501 over TLS:\n" + run);
        assertNotEquals(0, run.exit(), "no IPP answer, so ipptool fails:\n" + run);
        assertFalse(log.all().stream().anyMatch(line -> line.contains("POST /ipp/print -> ")
                || line.contains("POST /ipp/print, ")), "nothing was posted in the clear:\n" + log);
    }

    @Test
    void throughTheProxyAllowingTlsTheUpgradeIsTunnelledEndToEnd() throws Exception {
        startEcho(false);
        try (ExampleProxy proxy = ExampleProxy.start(echo.address(), "--allow-upgrade", "websocket",
                "--allow-upgrade", "TLS/1.2")) {
            Ipptool run = ipptool(proxy.address(), "-E");

            proxy.awaitLine("OPTIONS * -> 101 tunnel TLS/1.2");
            awaitEcho("OPTIONS * -> 101 TLS/1.2");
            awaitEcho("TLS handshake done (TLSv1.");
            awaitEcho("POST /ipp/print over TLS (TLSv1.");
            assertTrue(run.output().contains("Not Implemented"), "ipptool read the 501 through the tunnel:\n" + run);
            // The proxy saw only the OPTIONS: the POST went inside the TLS it cannot read.
            assertFalse(proxy.output().contains("POST"), proxy.output());
        }
    }

    @Test
    void throughTheProxyWithoutTheOptionTheOfferIsNotForwardedAndIpptoolCannotEncrypt() throws Exception {
        startEcho(false);
        try (ExampleProxy proxy = ExampleProxy.start(echo.address())) {
            Ipptool run = ipptool(proxy.address(), "-E");

            String line = proxy.awaitLine("OPTIONS * -> 200");
            assertTrue(line.contains("upgrade not forwarded: the client offered TLS/1.2, TLS/1.1, TLS/1.0 but the"
                    + " proxy forwards only websocket"), line);
            awaitEcho("OPTIONS * -> 200 Allow"); // no Upgrade reached it: served as plain OPTIONS
            assertNotEquals(0, run.exit(), run.toString());
            assertTrue(run.output().contains("Encryption is not supported"), run.toString());
            assertFalse(log.toString().contains("-> 101") || log.toString().contains("POST"), log.toString());
            assertFalse(proxy.output().contains("-> 101"), proxy.output());
        }
    }

    @Test
    void withRequireTlsAnIppRequestInTheClearIsRefusedWith426NamingTls() throws Exception {
        startEcho(true);
        try (Socket plain = new Socket(echo.address().getAddress(), echo.address().getPort())) {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write(("POST /ipp/print HTTP/1.1\r\nHost: localhost\r\nContent-Type:"
                    + " application/ipp\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

            String refused = head(plain.getInputStream());
            assertTrue(refused.startsWith("HTTP/1.1 426 ") && refused.contains("\r\nConnection: Upgrade, close\r\n")
                    && refused.contains("\r\nUpgrade: TLS/1.2, HTTP/1.1\r\n"), refused);
        }
        awaitEcho("POST /ipp/print -> 426 TLS_REQUIRED");
    }

    @Test
    void aHandWrittenClientGetsItsOptionsAnsweredOverTlsThenMoreRequestsOnTheSameTlsConnection() throws Exception {
        startEcho(false);
        try (Socket plain = new Socket(echo.address().getAddress(), echo.address().getPort())) {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write(("OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\n"
                    + "Upgrade: TLS/1.2\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String switched = head(plain.getInputStream());
            assertTrue(switched.startsWith("HTTP/1.1 101 ") && switched.contains("\r\nUpgrade: TLS/1.2, HTTP/1.1\r\n"),
                    switched);
            SSLSocket secure = (SSLSocket) certificate.clientContext().getSocketFactory()
                    .createSocket(plain, "localhost", plain.getPort(), true);
            secure.startHandshake();
            InputStream in = secure.getInputStream();
            OutputStream out = secure.getOutputStream();

            String options = head(in); // RFC 2817 §3.3: the answer to the request that asked, over TLS
            assertTrue(options.startsWith("HTTP/1.1 200 ") && options.contains("\r\nContent-Length: 0\r\n")
                    && options.contains("\r\nAllow: GET, HEAD, OPTIONS, POST\r\n"), options);
            out.write("HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(head(in).startsWith("HTTP/1.1 200 "));
            out.write("GET / HTTP/1.1\r\nHost: localhost\r\nBad : field\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(head(in).startsWith("HTTP/1.1 400 "));
        }
        awaitEcho("OPTIONS * over TLS (TLSv1.3) -> 200 Allow");
        awaitEcho("HEAD / over TLS (TLSv1.3) -> 200 demo page");
        awaitEcho("over TLS (TLSv1.3) -> 400 WHITESPACE_BEFORE_COLON");
    }

    /** The bytes of one response head, up to and including its blank line, read one at a time. */
    private static String head(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                fail("the connection ended in a head: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private String awaitEcho(String text) throws InterruptedException {
        return log.await(line -> line.contains(text), WAIT);
    }

    /** What one run of ipptool printed, and how it exited. */
    private record Ipptool(int exit, String output) {
        @Override
        public String toString() {
            return "ipptool exited " + exit + ":\n" + output;
        }
    }

    /**
     * Runs {@code ipptool [options] -T 5 -t ipp://HOST:PORT/ipp/print get-printer-attributes.test} with a
     * home of its own (CUPS keeps client settings there); killed by its handle if it has not ended in 60 s.
     */
    private Ipptool ipptool(InetSocketAddress at, String... options) throws IOException, InterruptedException {
        Path ipptool = ExternalTools.require("ipptool", "cups-ipp-utils");
        List<String> command = new ArrayList<>(List.of(ipptool.toString()));
        command.addAll(List.of(options));
        command.addAll(List.of("-T", "5", "-t", "ipp://" + at.getAddress().getHostAddress() + ":" + at.getPort()
                + "/ipp/print", TEST_FILE));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(home.toFile());
        builder.environment().put("HOME", home.toString());
        Process process = builder.start();
        try {
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "(output lost: " + e + ")";
                }
            });
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("ipptool did not end within 60 s; the server's log:\n" + log);
            }
            return new Ipptool(process.exitValue(), output.get(10, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("could not read ipptool's output", e);
        } finally {
            process.destroyForcibly(); // by its handle, never by name; a no-op once it has exited
        }
    }
}
