package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.Loopback.assertEof;
import static io.github.upgrade4j.tunnel.Loopback.assertReset;
import static io.github.upgrade4j.tunnel.Loopback.async;
import static io.github.upgrade4j.tunnel.Loopback.await;
import static io.github.upgrade4j.tunnel.Loopback.awaitSteady;
import static io.github.upgrade4j.tunnel.Loopback.opened;
import static io.github.upgrade4j.tunnel.Loopback.outcome;
import static io.github.upgrade4j.tunnel.Loopback.randomBytes;
import static io.github.upgrade4j.tunnel.Loopback.readFully;
import static io.github.upgrade4j.tunnel.Loopback.sha256;
import static io.github.upgrade4j.tunnel.Loopback.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link RelayOptions#tlsFinWithoutCloseNotifyAsEnd()}: with it on, a TLS peer's FIN without
 * {@code close_notify} between records ends its direction like a plain FIN (every byte before it
 * relayed, a FIN passed on, the other direction going on, a completion as the outcome, the flag set);
 * a FIN that cuts a record or the handshake short is still a reset, and so is every such FIN with the
 * option off.
 *
 * <p>A peer "sends a FIN without close_notify" by shutting down the output of the TCP socket under its
 * TLS socket or engine: it can still read, so the half-close can be followed to its end.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.github.upgrade4j.tunnel.RelayPaths#tested")
class TunnelTlsFinAsEndTest {
    @Parameter
    RelayPath path;

    private static final int MIB = 1024 * 1024;
    private TunnelRelay relay;

    @BeforeEach
    void startRelay() {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).tlsFinWithoutCloseNotifyAsEnd(true).build());
    }

    @AfterEach
    void closeRelay() {
        relay.close();
    }

    @Test
    void passesATlsClientsFinWithoutCloseNotifyOnAsAFinAfterEveryByteWhileTheUpstreamStillAnswers()
            throws IOException {
        byte[] upload = randomBytes(300_000, 91);
        byte[] reply = randomBytes(MIB, 92);
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            CompletableFuture<Void> sent = async(() -> {
                client.getOutputStream().write(upload);
                pair.client.shutdownOutput(); // the TCP socket under the TLS one: a FIN, no close_notify
                return null;
            });

            assertEquals(sha256(upload), sha256(readFully(pair.upstream, upload.length)));
            assertEof(pair.upstream); // a FIN, not a reset
            await(sent);
            CompletableFuture<Void> origin = async(() -> {
                write(pair.upstream, reply);
                pair.upstream.shutdownOutput();
                return null;
            });
            assertEquals(sha256(reply), sha256(client.getInputStream().readNBytes(reply.length)));
            assertEquals(-1, client.getInputStream().read(), "the upstream's FIN arrives as a close_notify");
            await(origin);

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_FIN_FIRST, outcome.reason());
            assertEquals(upload.length, outcome.bytesClientToUpstream());
            assertEquals(reply.length, outcome.bytesUpstreamToClient());
            assertTrue(outcome.cause().isEmpty(), outcome::toString);
            assertTrue(outcome.clientTlsFinWithoutCloseNotify(), "the accepted FIN is noted");
            assertFalse(outcome.upstreamTlsFinWithoutCloseNotify());
            assertEquals(0, relay.stats().buffersBorrowed());
        }
    }

    @Test
    void relaysThePlaintextOpenedBeforeTheFinWhenRecordsAndTheFinArriveInOneRead() throws Exception {
        byte[] data = randomBytes(40_000, 93); // three records
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            CompletableFuture<Void> sent = async(() -> {
                client.getOutputStream().write(data);
                pair.client.shutdownOutput();
                return null;
            });
            // The proxy's side handshakes and reads nothing more: the records and the FIN wait in the
            // kernel, so the relay's first read opens all three records and then meets the FIN.
            TlsFixture.Driver proxy = new TlsFixture.Driver(TlsFixture.serverEngine(), pair.proxyClient).handshake();
            await(sent);
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, proxy.engine), pair.upstreamEndpoint()));

            assertArrayEquals(data, Loopback.readToEof(pair.upstream));
            pair.upstream.shutdownOutput();
            assertEquals(-1, client.getInputStream().read(), "the upstream's FIN arrives as a close_notify");
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_FIN_FIRST, outcome.reason());
            assertEquals(data.length, outcome.bytesClientToUpstream());
            assertTrue(outcome.clientTlsFinWithoutCloseNotify());
        }
    }

    @Test
    void passesATlsUpstreamsFinWithoutCloseNotifyOnAsACloseNotifyWhileTheTlsClientKeepsSending() throws IOException {
        byte[] reply = randomBytes(200_000, 94);
        byte[] upload = randomBytes(MIB, 95);
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            SSLSocket upstream = TlsFixture.serverOver(pair.upstream);
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    Endpoint.tls(pair.proxyUpstream, TlsFixture.clientEngine())));
            CompletableFuture<Void> origin = async(() -> {
                upstream.getOutputStream().write(reply);
                pair.upstream.shutdownOutput(); // a FIN, no close_notify; the TLS socket still reads
                return null;
            });

            assertEquals(sha256(reply), sha256(client.getInputStream().readNBytes(reply.length)));
            assertEquals(-1, client.getInputStream().read(), "passed on as a close_notify, not a reset");
            await(origin);
            CompletableFuture<Void> sender = async(() -> {
                client.getOutputStream().write(upload);
                client.shutdownOutput(); // close_notify; TLS 1.3 keeps the other direction open
                return null;
            });
            assertEquals(sha256(upload), sha256(upstream.getInputStream().readNBytes(upload.length)));
            assertEquals(-1, upstream.getInputStream().read(), "the client's close_notify passed on");
            await(sender);

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.UPSTREAM_FIN_FIRST, outcome.reason());
            assertEquals(upload.length, outcome.bytesClientToUpstream());
            assertEquals(reply.length, outcome.bytesUpstreamToClient());
            assertFalse(outcome.clientTlsFinWithoutCloseNotify(), "the client sent its close_notify");
            assertTrue(outcome.upstreamTlsFinWithoutCloseNotify());
            assertEquals(0, relay.stats().buffersBorrowed());
        }
    }

    @Test
    void deliversAWebSocketClientsLastFrameAndThenAFinWhenItClosesItsSocketWithoutCloseNotify()
            throws IOException {
        // What the JDK's WebSocket client does: its Close frame, then the socket closed both ways.
        byte[] serverClose = {(byte) 0x88, 2, 0x03, (byte) 0xE8};
        byte[] clientClose = {(byte) 0x88, (byte) 0x82, 1, 2, 3, 4, 0x02, (byte) 0xEA};
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            write(pair.upstream, serverClose);
            // Reading it also reads the session ticket before it, so nothing is left unread: the close
            // below sends a FIN, not a reset.
            assertArrayEquals(serverClose, client.getInputStream().readNBytes(serverClose.length));
            client.getOutputStream().write(clientClose);
            pair.client.close();

            assertArrayEquals(clientClose, readFully(pair.upstream, clientClose.length));
            assertEof(pair.upstream); // by default: a reset, which could have discarded the frame
            pair.upstream.close();
            // What the relay's close_notify meets at the closed client (a reset, maybe before the FIN
            // goes out) decides the reason; the upstream's side is what this test is about.
            TunnelOutcome outcome = outcome(tunnel);
            assertTrue(outcome.clientTlsFinWithoutCloseNotify(), outcome::toString);
            assertEquals(clientClose.length, outcome.bytesClientToUpstream());
        }
    }

    @Test
    void withTls12PassesATlsClientsFinWithoutCloseNotifyOnAsAFinAndStillAnswersIt() throws IOException {
        byte[] reply = randomBytes(100_000, 97);
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            client.setEnabledProtocols(new String[] {"TLSv1.2"});
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            client.getOutputStream().write("close 1000".getBytes(StandardCharsets.US_ASCII));
            pair.client.shutdownOutput();

            assertEquals("close 1000", new String(Loopback.readToEof(pair.upstream), StandardCharsets.US_ASCII));
            write(pair.upstream, reply);
            pair.upstream.shutdownOutput();
            assertEquals(sha256(reply), sha256(client.getInputStream().readNBytes(reply.length)));
            assertEquals(-1, client.getInputStream().read(), "the relay's close_notify");
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_FIN_FIRST, outcome.reason());
            assertEquals(reply.length, outcome.bytesUpstreamToClient());
            assertTrue(outcome.clientTlsFinWithoutCloseNotify());
            assertEquals("TLSv1.2", client.getSession().getProtocol());
        }
    }

    @Test
    void stillPassesAFinWithoutCloseNotifyOnAsAResetByDefault() throws IOException {
        relay.close();
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).build());
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            client.getOutputStream().write(new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, readFully(pair.upstream, 3));
            pair.client.shutdownOutput();

            assertEquals(0, assertReset(pair.upstream), "a reset, not a clean end");
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_RESET, outcome.reason());
            IOException cause = outcome.cause().orElseThrow();
            assertInstanceOf(SSLException.class, cause);
            assertTrue(cause.getMessage().contains("without a TLS close_notify"), cause.getMessage());
            assertFalse(outcome.clientTlsFinWithoutCloseNotify(), "passed on as a reset, not accepted");
        }
    }

    @Test
    void stillPassesOnAsAResetAFinThatCutsARecordShort() throws IOException {
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            TlsFixture.Driver client = new TlsFixture.Driver(TlsFixture.clientEngine(), pair.client).handshake();
            client.send(ByteBuffer.wrap("whole".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("whole", new String(readFully(pair.upstream, 5), StandardCharsets.US_ASCII));
            byte[] record = client.records(ByteBuffer.wrap(randomBytes(10_000, 96)));
            pair.client.getOutputStream().write(record, 0, record.length / 2);
            awaitSteady("the relay to hold half a record", () -> relay.stats().buffersBorrowed() == 1);
            pair.client.shutdownOutput();

            assertEquals(0, assertReset(pair.upstream), "no byte of the cut record, then a reset");
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_RESET, outcome.reason());
            String message = outcome.cause().orElseThrow().getMessage();
            assertTrue(message.contains("in the middle of a record (" + (record.length / 2) + " bytes"), message);
            assertEquals(5, outcome.bytesClientToUpstream());
            assertFalse(outcome.clientTlsFinWithoutCloseNotify());
            assertEquals(0, relay.stats().buffersBorrowed(), "the half record's buffer went back");
        }
    }

    @Test
    void stillPassesOnAsAResetAFinBeforeTheHandshakeFinished() throws IOException {
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            pair.client.shutdownOutput(); // no ClientHello at all

            assertReset(pair.upstream);
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_RESET, outcome.reason());
            String message = outcome.cause().orElseThrow().getMessage();
            assertTrue(message.contains("during the handshake"), message);
            assertFalse(outcome.clientTlsFinWithoutCloseNotify());
        }
    }
}
