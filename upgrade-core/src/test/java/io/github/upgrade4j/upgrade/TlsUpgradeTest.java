package io.github.upgrade4j.upgrade;

import static io.github.upgrade4j.http.RawHeads.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.tunnel.TlsFixture;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link TlsUpgrade}: the origin's side of RFC 2817. What it switches (CUPS's {@code OPTIONS *} offer,
 * any method), every "no" with its reason, the 426 that requires TLS, and the handshake on the same
 * connection after the 101, which starts with the bytes read past the head and never reads them as
 * HTTP.
 */
class TlsUpgradeTest {
    /** What {@code ipptool -E} (CUPS 2.4) sends, byte for byte apart from the port. */
    private static final String CUPS_OFFER = """
            OPTIONS * HTTP/1.1\r
            Connection: Upgrade\r
            Host: localhost:631\r
            Upgrade: TLS/1.2,TLS/1.1,TLS/1.0\r
            User-Agent: CUPS/2.4.2 (Linux; x86_64) IPP/2.0\r
            \r
            """;
    private static final ExecutorService PEERS = Executors.newCachedThreadPool();

    private final TlsUpgrade tls = TlsUpgrade.of(TlsFixture.context());
    private final UpgradeNegotiator negotiator = UpgradeNegotiator.of(tls, WebSocketHandshake.standard());

    @AfterAll
    static void stopPeers() {
        PEERS.shutdownNow();
    }

    @Test
    void switchesCupsOptionsOfferWithTheLayersInAscendingOrder() {
        UpgradeDecision.Switch s = assertInstanceOf(UpgradeDecision.Switch.class, negotiator.decide(request(CUPS_OFFER)));

        assertEquals(new Protocol("TLS", "1.2"), s.protocol());
        assertEquals(101, s.response().status());
        assertEquals(List.of("TLS/1.2, HTTP/1.1"), s.response().headers().values(HeaderName.UPGRADE));
        assertEquals(List.of("Upgrade"), s.response().headers().values(HeaderName.CONNECTION));
        assertEquals("HTTP/1.1 101 Switching Protocols\r\nUpgrade: TLS/1.2, HTTP/1.1\r\nConnection: Upgrade\r\n\r\n",
                new String(Http1Writer.toBytes(s.response()), StandardCharsets.ISO_8859_1));
    }

    @Test
    void switchesAnyMethodWithABodyAsTheClientSpelledTheOffer() {
        UpgradeDecision.Switch s = assertInstanceOf(UpgradeDecision.Switch.class, negotiator.decide(request("""
                POST /ipp/print HTTP/1.1\r
                Host: printer.example\r
                Upgrade: tls/1.2\r
                Connection: upgrade\r
                Content-Length: 4\r
                \r
                """)));

        assertEquals(new Protocol("tls", "1.2"), s.protocol());
        assertEquals(List.of("tls/1.2, HTTP/1.1"), s.response().headers().values(HeaderName.UPGRADE));
    }

    @Test
    void ignoresAnOfferWithoutConnectionUpgrade() {
        UpgradeDecision.Ignore ignore = assertInstanceOf(UpgradeDecision.Ignore.class,
                negotiator.decide(request(CUPS_OFFER.replace("Connection: Upgrade\r\n", ""))));

        assertEquals(UpgradeReason.Ignored.CONNECTION_LACKS_UPGRADE, ignore.reason());
    }

    @Test
    void ignoresAnHttp10Offer() {
        UpgradeDecision.Ignore ignore = assertInstanceOf(UpgradeDecision.Ignore.class,
                negotiator.decide(request(CUPS_OFFER.replace("HTTP/1.1", "HTTP/1.0"))));

        assertEquals(UpgradeReason.Ignored.HTTP_1_0_REQUEST, ignore.reason());
    }

    @Test
    void ignoresAnOfferOfRetiredVersionsOnlyNamingWhatIsSupported() {
        UpgradeDecision.Ignore ignore = assertInstanceOf(UpgradeDecision.Ignore.class,
                negotiator.decide(request(CUPS_OFFER.replace("TLS/1.2,", ""))));

        assertEquals(UpgradeReason.Ignored.NO_SUPPORTED_PROTOCOL, ignore.reason());
        assertEquals("the client offered TLS/1.1, TLS/1.0 but only TLS/1.2, websocket is supported", ignore.detail());
    }

    @Test
    void makesHandlersForTls12And13AndRefusesRetiredVersions() {
        assertEquals(new Protocol("TLS", "1.3"), TlsUpgrade.of(TlsFixture.context(), "1.3").protocol());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsUpgrade.of(TlsFixture.context(), "1.1"));
        assertEquals("expected TLS version 1.2 or 1.3 but was '1.1': TLS 1.0 and 1.1 are retired (RFC 8996)",
                e.getMessage());
    }

    @Test
    void requiresTlsWithA426ThatAdvertisesItAndSaysWhy() {
        RequestHead plain = request("""
                POST /ipp/print HTTP/1.1\r
                Host: printer.example\r
                Content-Length: 0\r
                \r
                """);
        ErrorAnswer answer = tls.require(plain);

        assertEquals(UpgradeReason.Refused.TLS_REQUIRED, answer.reason());
        assertEquals(426, answer.status());
        assertEquals(List.of("TLS/1.2, HTTP/1.1"), answer.response().headers().values(HeaderName.UPGRADE));
        assertEquals(List.of("Upgrade, close"), answer.response().headers().values(HeaderName.CONNECTION));
        assertEquals("expected 'POST /ipp/print' to be sent over TLS but it came in the clear; offer"
                + " 'Upgrade: TLS/1.2' with 'Connection: upgrade'", answer.detail());
        assertEquals(Integer.toString(answer.body().length),
                answer.response().headers().first(HeaderName.CONTENT_LENGTH).orElseThrow());
        assertTrue(answer.message().endsWith("(RFC 2817 §4.2; RFC 9110 §15.5.22)"), answer::message);
    }

    @Test
    void theHandshakeAfterThe101StartsWithTheBytesReadPastTheHeadAndCarriesTheAnswer() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> client = CompletableFuture.supplyAsync(() -> {
                try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                    raw.setSoTimeout(10_000);
                    raw.getOutputStream().write(CUPS_OFFER.getBytes(StandardCharsets.ISO_8859_1));
                    String switched = readHead(raw.getInputStream());
                    try (SSLSocket secure = (SSLSocket) TlsFixture.context().getSocketFactory()
                            .createSocket(raw, "localhost", raw.getPort(), false)) {
                        secure.startHandshake();
                        return switched + "|" + readHead(secure.getInputStream());
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, PEERS);
            try (Socket accepted = listener.accept()) {
                accepted.setSoTimeout(10_000);
                assertTrue(readHead(accepted.getInputStream()).startsWith("OPTIONS * HTTP/1.1"));
                UpgradeDecision.Switch s = assertInstanceOf(UpgradeDecision.Switch.class,
                        negotiator.decide(request(CUPS_OFFER)));
                accepted.getOutputStream().write(Http1Writer.toBytes(s.response()));
                // The server read the start of the ClientHello with the head, as a server reading in blocks
                // would: it must reach the engine first.
                byte[] recordHeader = accepted.getInputStream().readNBytes(5);
                assertEquals(0x16, recordHeader[0], "a TLS handshake record follows the 101");
                SSLSocket secure = tls.serverSocket(accepted, ByteBuffer.wrap(recordHeader));
                secure.startHandshake();
                secure.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                secure.close(); // its close_notify lets the client's close finish
                String[] heads = client.get(10, TimeUnit.SECONDS).split("\\|");
                assertTrue(heads[0].startsWith("HTTP/1.1 101 Switching Protocols\r\n"), heads[0]);
                assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", heads[1], "the answer came over TLS");
            }
        }
    }

    @Test
    void plaintextPipelinedBehindTheOfferFailsTheHandshakeInsteadOfBeingServed() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            byte[] pipelined = "GET /secret HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
            CompletableFuture<Void> client = CompletableFuture.runAsync(() -> {
                try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                    raw.getOutputStream().write((CUPS_OFFER + new String(pipelined, StandardCharsets.ISO_8859_1))
                            .getBytes(StandardCharsets.ISO_8859_1));
                    raw.getInputStream().readAllBytes();
                } catch (IOException e) {
                    // the server's handshake failure closes the connection; what the client sees does not matter
                }
            }, PEERS);
            try (Socket accepted = listener.accept()) {
                accepted.setSoTimeout(10_000);
                byte[] head = CUPS_OFFER.getBytes(StandardCharsets.ISO_8859_1);
                byte[] read = accepted.getInputStream().readNBytes(head.length + pipelined.length);
                assertArrayEquals(pipelined, java.util.Arrays.copyOfRange(read, head.length, read.length));
                accepted.getOutputStream().write(Http1Writer.toBytes(assertInstanceOf(UpgradeDecision.Switch.class,
                        negotiator.decide(request(CUPS_OFFER))).response()));
                SSLSocket secure = tls.serverSocket(accepted, ByteBuffer.wrap(pipelined));
                assertThrows(SSLException.class, secure::startHandshake,
                        "the pipelined request is read as TLS, where it is not a handshake");
                secure.close();
            }
            client.get(10, TimeUnit.SECONDS);
        }
    }

    /** Reads up to the end of a head and returns it; fails on an early end of stream. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the stream ended inside a head: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
