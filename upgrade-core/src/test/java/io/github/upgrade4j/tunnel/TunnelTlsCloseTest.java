package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.Loopback.assertEof;
import static io.github.upgrade4j.tunnel.Loopback.assertReset;
import static io.github.upgrade4j.tunnel.Loopback.async;
import static io.github.upgrade4j.tunnel.Loopback.await;
import static io.github.upgrade4j.tunnel.Loopback.awaitSteady;
import static io.github.upgrade4j.tunnel.Loopback.awaitTrue;
import static io.github.upgrade4j.tunnel.Loopback.opened;
import static io.github.upgrade4j.tunnel.Loopback.outcome;
import static io.github.upgrade4j.tunnel.Loopback.randomBytes;
import static io.github.upgrade4j.tunnel.Loopback.readFully;
import static io.github.upgrade4j.tunnel.Loopback.sha256;
import static io.github.upgrade4j.tunnel.Loopback.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How TLS legs end: {@code close_notify} is the TLS half-close and is passed on as a FIN (and a FIN as
 * a {@code close_notify}) while the other direction goes on; a FIN without {@code close_notify} and a
 * reset in the middle of a record are passed on as resets; timeouts, drains and failed handshakes end
 * with the same outcomes as on plain legs; every buffer goes back to the pool.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.github.upgrade4j.tunnel.RelayPaths#tested")
class TunnelTlsCloseTest {
    @Parameter
    RelayPath path;

    private static final int MIB = 1024 * 1024;
    private TunnelRelay relay;

    @BeforeEach
    void startRelay() {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).build());
    }

    @AfterEach
    void closeRelay() {
        relay.close();
    }

    @Test
    void passesTheClientsCloseNotifyOnAsAFinWhileTheUpstreamStillStreamsItsReply() throws IOException {
        byte[] reply = randomBytes(8 * MIB, 81);
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            client.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput(); // close_notify; TLS 1.3 keeps the other direction open
            // The origin answers only once it saw the FIN, and writes while the client reads slowly.
            CompletableFuture<Void> origin = async(() -> {
                assertArrayEquals("request".getBytes(StandardCharsets.US_ASCII), readFully(pair.upstream, 7));
                assertEof(pair.upstream); // a FIN, not a reset
                write(pair.upstream, reply);
                pair.upstream.shutdownOutput();
                return null;
            });

            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = client.getInputStream();
            byte[] small = new byte[4096];
            for (int n; (n = in.read(small)) >= 0; ) { // ends with the relay's close_notify, not an exception
                received.write(small, 0, n);
            }
            assertEquals(sha256(reply), sha256(received.toByteArray()));
            await(origin);
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_FIN_FIRST, outcome.reason());
            assertEquals(7, outcome.bytesClientToUpstream());
            assertEquals(reply.length, outcome.bytesUpstreamToClient());
            assertEquals(0, relay.stats().buffersBorrowed());
        }
    }

    @Test
    void passesTheUpstreamsCloseNotifyOnAsAFinWhileTheClientKeepsSendingAMegabyte() throws IOException {
        byte[] upload = randomBytes(MIB, 82);
        try (Loopback pair = Loopback.open()) {
            SSLSocket upstream = TlsFixture.serverOver(pair.upstream);
            Tunnel tunnel = opened(relay.open(pair.clientEndpoint(),
                    Endpoint.tls(pair.proxyUpstream, TlsFixture.clientEngine())));
            upstream.getOutputStream().write("ten bytes!".getBytes(StandardCharsets.US_ASCII));
            upstream.shutdownOutput();
            CompletableFuture<Void> sender = async(() -> {
                write(pair.client, upload);
                return null;
            });

            assertEquals("ten bytes!", new String(readFully(pair.client, 10), StandardCharsets.US_ASCII));
            assertEof(pair.client);
            assertArrayEquals(upload, upstream.getInputStream().readNBytes(upload.length));
            await(sender);
            pair.client.shutdownOutput();
            assertEquals(-1, upstream.getInputStream().read(), "the client's FIN arrives as a close_notify");

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.UPSTREAM_FIN_FIRST, outcome.reason());
            assertEquals(upload.length, outcome.bytesClientToUpstream());
            assertEquals(10, outcome.bytesUpstreamToClient());
        }
    }

    @Test
    void treatsAFinWithoutCloseNotifyAsATruncationAndPassesItOnAsAReset() throws IOException {
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            client.getOutputStream().write(new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, readFully(pair.upstream, 3));
            pair.client.shutdownOutput(); // the TCP socket under the TLS one: a FIN, no close_notify

            assertEquals(0, assertReset(pair.upstream), "a reset, not a clean end");
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_RESET, outcome.reason());
            IOException cause = outcome.cause().orElseThrow();
            assertInstanceOf(SSLException.class, cause);
            assertTrue(cause.getMessage().contains("without a TLS close_notify"), cause.getMessage());
            assertEquals(3, outcome.bytesClientToUpstream());
        }
    }

    @Test
    void passesAResetInTheMiddleOfARecordOnAsAResetAndCountsOnlyWholeRecords() throws IOException {
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            TlsFixture.Driver client = new TlsFixture.Driver(TlsFixture.clientEngine(), pair.client).handshake();
            client.send(ByteBuffer.wrap("whole".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("whole", new String(readFully(pair.upstream, 5), StandardCharsets.US_ASCII));
            byte[] record = client.records(ByteBuffer.wrap(randomBytes(10_000, 83)));
            pair.client.getOutputStream().write(record, 0, record.length / 2);
            awaitSteady("the relay to hold half a record", () -> relay.stats().buffersBorrowed() == 1);
            pair.client.setSoLinger(true, 0);
            pair.client.close();

            assertEquals(0, assertReset(pair.upstream), "no byte of the cut record, then a reset");
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_RESET, outcome.reason());
            assertEquals(5, outcome.bytesClientToUpstream());
            assertEquals(0, relay.stats().buffersBorrowed(), "the half record's buffer went back");
            assertEquals(0, relay.stats().activeTunnels());
        }
    }

    @Test
    void passesAnUpstreamResetOnToATlsClientAsAReset() throws IOException {
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            write(pair.upstream, randomBytes(1000, 84));
            assertEquals(1000, client.getInputStream().readNBytes(1000).length);
            pair.upstream.setSoLinger(true, 0);
            pair.upstream.close();

            IOException seen = assertThrows(IOException.class, () -> client.getInputStream().read());
            assertTrue(String.valueOf(seen.getMessage()).contains("reset"), seen.toString());
            assertEquals(CloseReason.UPSTREAM_RESET, outcome(tunnel).reason());
        }
    }

    @Test
    void closesAnIdleTlsTunnelWithACloseNotifyAtTheIdleTimeout() throws IOException {
        relay.close();
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).idleTimeout(Duration.ofMillis(300)).build());
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            SSLSocket upstream = TlsFixture.serverOver(pair.upstream);
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    Endpoint.tls(pair.proxyUpstream, TlsFixture.clientEngine())));
            client.getOutputStream().write(42);
            assertEquals(42, upstream.getInputStream().read());

            assertEquals(-1, client.getInputStream().read(), "a close_notify, not a truncation");
            assertEquals(-1, upstream.getInputStream().read(), "a close_notify, not a truncation");
            assertEquals(CloseReason.IDLE_TIMEOUT, outcome(tunnel).reason());
        }
    }

    @Test
    void drainsATlsTunnelWithAWebSocketClose1001InsideTheTlsStreamThenACloseNotify() throws IOException {
        relay.close();
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).closeHook(CloseHook.webSocketGoingAway()).build());
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            client.getOutputStream().write(new byte[] {1});
            readFully(pair.upstream, 1);
            relay.drain(Duration.ZERO);

            assertArrayEquals(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xE9}, client.getInputStream().readNBytes(4));
            assertEquals(-1, client.getInputStream().read());
            assertEquals(8, readFully(pair.upstream, 8).length, "the masked Close toward the upstream");
            assertEof(pair.upstream);
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.SHUTDOWN, outcome.reason());
            assertEquals(1, outcome.bytesClientToUpstream(), "the hook's bytes are not counted");
            assertEquals(0, outcome.bytesUpstreamToClient(), "the hook's bytes are not counted");
        }
    }

    @Test
    void endsWithAnIoErrorAndResetsTheUpstreamWhenTheClientRejectsTheCertificate() throws Exception {
        try (Loopback pair = Loopback.open()) {
            // The JDK's default trust does not know the test certificate.
            SSLSocket client = (SSLSocket) SSLContext.getDefault().getSocketFactory()
                    .createSocket(pair.client, "localhost", pair.client.getPort(), true);
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));

            assertThrows(SSLException.class, client::startHandshake);
            assertReset(pair.upstream);
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.IO_ERROR, outcome.reason());
            assertInstanceOf(SSLException.class, outcome.cause().orElseThrow());
            assertEquals(0, outcome.bytesClientToUpstream() + outcome.bytesUpstreamToClient());
            awaitTrue("every buffer back", () -> relay.stats().buffersBorrowed() == 0);
        }
    }

    @Test
    void withTls12EndsCleanlyWhenTheUpstreamClosesFirstAndTheClientAnswersWithItsCloseNotify() throws IOException {
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            client.setEnabledProtocols(new String[] {"TLSv1.2"});
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            client.getOutputStream().write("close 1000".getBytes(StandardCharsets.US_ASCII));
            assertEquals("close 1000", new String(readFully(pair.upstream, 10), StandardCharsets.US_ASCII));
            write(pair.upstream, "close 1000".getBytes(StandardCharsets.US_ASCII));
            pair.upstream.shutdownOutput(); // the WebSocket order: the server closes TCP first

            assertEquals("close 1000", new String(client.getInputStream().readNBytes(10), StandardCharsets.US_ASCII));
            assertEquals(-1, client.getInputStream().read()); // the relay's close_notify...
            client.close(); // ...answered by the client's own (TLS 1.2 closes both ways)
            assertEof(pair.upstream);
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.UPSTREAM_FIN_FIRST, outcome.reason());
            assertEquals("TLSv1.2", client.getSession().getProtocol());
        }
    }

    @Test
    void withTls12PassesOnAsAResetTheClientsCloseNotifyWhileTheUpstreamStillSends() throws IOException {
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            client.setEnabledProtocols(new String[] {"TLSv1.2"});
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            client.startHandshake();
            client.close(); // close_notify, which in TLS 1.2 closes both directions
            assertEof(pair.upstream); // passed on as a FIN
            CompletableFuture<Void> origin = async(() -> {
                while (true) { // bytes the client can no longer get, until the relay passes the failure on
                    write(pair.upstream, "too late".getBytes(StandardCharsets.US_ASCII));
                }
            });

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_RESET, outcome.reason());
            assertTrue(outcome.cause().orElseThrow().getMessage().contains("RFC 5246"), outcome.toString());
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> origin.get(Loopback.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            String message = String.valueOf(failure.getCause().getMessage());
            assertTrue(message.contains("reset") || message.contains("Broken pipe"), message);
        }
    }
}
