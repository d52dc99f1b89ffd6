package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.Loopback.async;
import static io.github.upgrade4j.tunnel.Loopback.await;
import static io.github.upgrade4j.tunnel.Loopback.awaitSteady;
import static io.github.upgrade4j.tunnel.Loopback.awaitTrue;
import static io.github.upgrade4j.tunnel.Loopback.concat;
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
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TLS on either leg: bytes arrive once, in order, counted as plaintext, through engines the relay
 * handshakes itself or receives handshaken with bytes read past the head; memory stays bounded. The
 * outer peers are JDK {@link SSLSocket}s, an implementation independent of the relay's engine loop.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.github.upgrade4j.tunnel.RelayPaths#tested")
class TunnelTlsBytesTest {
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
    void relaysATlsClientToAPlainUpstream32MiBEachWayWithMatchingSha256AndExactCounts() throws IOException {
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));

            bulkBothWays(tunnel, client, pair.upstream, 32, 71);
        }
    }

    @Test
    void relaysAPlainClientToATlsUpstream32MiBEachWayWithMatchingSha256AndExactCounts() throws IOException {
        try (Loopback pair = Loopback.open()) {
            SSLSocket upstream = TlsFixture.serverOver(pair.upstream);
            Tunnel tunnel = opened(relay.open(pair.clientEndpoint(),
                    Endpoint.tls(pair.proxyUpstream, TlsFixture.clientEngine())));

            bulkBothWays(tunnel, pair.client, upstream, 32, 72);
        }
    }

    @Test
    void relaysTlsToTls32MiBEachWayWithMatchingSha256AndExactCounts() throws IOException {
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            SSLSocket upstream = TlsFixture.serverOver(pair.upstream);
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    Endpoint.tls(pair.proxyUpstream, TlsFixture.clientEngine())));

            bulkBothWays(tunnel, client, upstream, 32, 73);
        }
    }

    /**
     * Sends {@code mib} MiB each way at once, each side ending with its half-close ({@code close_notify}
     * on a TLS socket, a FIN on a plain one); checks the SHA-256 of both streams, the counters, that
     * the tunnel completed and that every buffer went back to the pool.
     */
    private void bulkBothWays(Tunnel tunnel, Socket client, Socket upstream, int mib, long seed) {
        byte[] block = randomBytes(MIB, seed);
        CompletableFuture<String> sentUp = async(() -> send(client, block, mib, 1));
        CompletableFuture<String> sentDown = async(() -> send(upstream, block, mib, 2));
        CompletableFuture<String> receivedUp = async(() -> receive(upstream));
        CompletableFuture<String> receivedDown = async(() -> receive(client));

        assertEquals(await(sentUp), await(receivedUp), "SHA-256 client to upstream");
        assertEquals(await(sentDown), await(receivedDown), "SHA-256 upstream to client");
        TunnelOutcome outcome = outcome(tunnel);
        assertTrue(outcome.reason().isCompletion(), outcome.toString());
        assertEquals((long) mib * MIB, outcome.bytesClientToUpstream(), "plaintext bytes counted");
        assertEquals((long) mib * MIB, outcome.bytesUpstreamToClient(), "plaintext bytes counted");
        assertEquals(0, relay.stats().buffersBorrowed(), "every buffer back in the pool");
    }

    /** Sends {@code chunks} rotations of {@code block}, then half-closes; the SHA-256 of what it sent. */
    private static String send(Socket socket, byte[] block, int chunks, int stride) throws IOException {
        MessageDigest digest = Loopback.sha256();
        OutputStream out = socket.getOutputStream();
        for (int i = 0; i < chunks; i++) {
            int rotation = (i * stride * 4099) % block.length;
            out.write(block, rotation, block.length - rotation);
            out.write(block, 0, rotation);
            digest.update(block, rotation, block.length - rotation);
            digest.update(block, 0, rotation);
        }
        out.flush();
        socket.shutdownOutput();
        return Loopback.hex(digest.digest());
    }

    private static String receive(Socket socket) throws IOException {
        MessageDigest digest = Loopback.sha256();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[256 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            digest.update(buffer, 0, n);
        }
        return Loopback.hex(digest.digest());
    }

    @Test
    void relaysThePlaintextAndThenTheCiphertextReadPastTheHeadFirstExactlyOnceAndInOrder() throws Exception {
        byte[] head = "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] pipelined = randomBytes(40_000, 74); // three records with the head: 16 KiB, 16 KiB, the rest
        byte[] later = randomBytes(5000, 75);
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            CompletableFuture<Void> sent = async(() -> {
                client.getOutputStream().write(concat(head, pipelined));
                return null;
            });
            // The proxy's side: its own handshake, then the head read through the engine as a proxy
            // would, with one read that also took the first 1000 bytes of the next record.
            TlsFixture.Driver proxy = new TlsFixture.Driver(TlsFixture.serverEngine(), pair.proxyClient).handshake();
            proxy.readPlaintext(head.length);
            proxy.readCiphertext(1000);
            await(sent);
            byte[] readHead = new byte[head.length];
            proxy.appIn.get(readHead);
            assertArrayEquals(head, readHead);
            ByteBuffer plaintextPastHead = proxy.appIn.duplicate();
            ByteBuffer ciphertextPastHead = proxy.unopened();
            assertTrue(plaintextPastHead.hasRemaining() && plaintextPastHead.remaining() <= 16_384 - head.length,
                    "the rest of the first record: " + plaintextPastHead.remaining());
            assertEquals(1000, ciphertextPastHead.remaining(), "the start of the second record");

            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, proxy.engine, plaintextPastHead,
                    ciphertextPastHead), pair.upstreamEndpoint()));
            client.getOutputStream().write(later);
            client.shutdownOutput(); // close_notify

            assertArrayEquals(concat(pipelined, later), Loopback.readToEof(pair.upstream));
            pair.upstream.shutdownOutput();
            assertEquals(-1, client.getInputStream().read(), "the upstream's FIN arrives as a close_notify");
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_FIN_FIRST, outcome.reason());
            assertEquals(pipelined.length + later.length, outcome.bytesClientToUpstream());
            assertEquals(0, outcome.bytesUpstreamToClient());
        }
    }

    @Test
    void relaysTheUpstreamsFirstFramesBehindThe101OverTlsWhenTheEngineWasHandshakenByTheCaller() throws Exception {
        byte[] answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] frames = randomBytes(300, 76);
        try (Loopback pair = Loopback.open()) {
            SSLSocket upstream = TlsFixture.serverOver(pair.upstream);
            CompletableFuture<Void> origin = async(() -> {
                upstream.getOutputStream().write(concat(answer, frames)); // one record with both
                return null;
            });
            TlsFixture.Driver proxy = new TlsFixture.Driver(TlsFixture.clientEngine(), pair.proxyUpstream).handshake();
            proxy.readPlaintext(answer.length);
            await(origin);
            proxy.appIn.position(proxy.appIn.position() + answer.length);

            Tunnel tunnel = opened(relay.open(pair.clientEndpoint(),
                    Endpoint.tls(pair.proxyUpstream, proxy.engine, proxy.appIn, proxy.unopened())));
            assertArrayEquals(frames, readFully(pair.client, frames.length));
            write(pair.client, "ping".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("ping".getBytes(StandardCharsets.US_ASCII), upstream.getInputStream().readNBytes(4));
            tunnel.close();
            assertEquals(-1, upstream.getInputStream().read(), "closed with a close_notify");
            assertEquals(CloseReason.CLOSED_BY_CALLER, outcome(tunnel).reason());
            assertEquals(frames.length, outcome(tunnel).bytesUpstreamToClient());
        }
    }

    @Test
    void showsPlaintextCountersWhileTheTunnelRunsAndHoldsNoBufferOnceIdle() throws IOException {
        byte[] burst = randomBytes(10 * MIB, 77);
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            CompletableFuture<Void> sender = async(() -> {
                client.getOutputStream().write(burst);
                return null;
            });
            assertEquals(sha256(burst), sha256(readFully(pair.upstream, burst.length)));
            await(sender);
            write(pair.upstream, new byte[7]);
            assertEquals(7, client.getInputStream().readNBytes(7).length);

            awaitTrue("exact live counters", () -> tunnel.bytesClientToUpstream() == burst.length
                    && tunnel.bytesUpstreamToClient() == 7);
            awaitTrue("no buffer borrowed by the idle tunnel", () -> relay.stats().buffersBorrowed() == 0);
            RelayStats stats = relay.stats();
            assertEquals(1, stats.activeTunnels(), "the tunnel is still open, idle");
            assertTrue(stats.pooledBytes() > 0 && stats.pooledBytes() <= 4L * relay.options().bufferSize(), stats::toString);
            tunnel.close();
            assertEquals(CloseReason.CLOSED_BY_CALLER, outcome(tunnel).reason());
            assertEquals(0, relay.stats().buffersBorrowed());
        }
    }

    @Test
    void throttlesATlsUpstreamThroughFlowControlWhenThePlainClientReadsSlowly() throws IOException {
        relay.close();
        int buffer = 32 * 1024;
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).bufferSize(buffer).build());
        byte[] data = randomBytes(8 * MIB, 78);
        try (Loopback pair = Loopback.open(32 * 1024)) {
            SSLSocket upstream = TlsFixture.serverOver(pair.upstream);
            Tunnel tunnel = opened(relay.open(pair.clientEndpoint(),
                    Endpoint.tls(pair.proxyUpstream, TlsFixture.clientEngine())));
            AtomicLong received = new AtomicLong();
            CompletableFuture<Long> writer = async(() -> {
                upstream.getOutputStream().write(data);
                return received.get();
            });
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = pair.client.getInputStream();
            byte[] chunk = new byte[4096];
            int maxBorrowed = 0;
            while (out.size() < data.length) {
                int n = in.read(chunk);
                assertTrue(n > 0, "EOF after " + out.size());
                out.write(chunk, 0, n);
                received.addAndGet(n);
                maxBorrowed = Math.max(maxBorrowed, relay.stats().buffersBorrowed());
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50)); // a slow reader
            }
            long readerProgressWhenWriterDone = await(writer);

            assertEquals(sha256(data), sha256(out.toByteArray()));
            // One buffer of plaintext waiting for the client, one of records waiting to be opened.
            assertTrue(maxBorrowed <= 2, "at most a plaintext and a record buffer, saw " + maxBorrowed);
            assertTrue(data.length - readerProgressWhenWriterDone < MIB,
                    "the writer finished " + (data.length - readerProgressWhenWriterDone) + " bytes ahead of the reader");
            tunnel.close();
            outcome(tunnel);
            assertEquals(0, relay.stats().buffersBorrowed());
        }
    }

    @Test
    void refusesATlsEndpointWhoseRecordsDoNotFitTheBuffersBeforeTouchingAnything() throws IOException {
        relay.close();
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).bufferSize(4096).build());
        try (Loopback pair = Loopback.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> relay.open(
                    Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()), pair.upstreamEndpoint()));
            assertTrue(e.getMessage().startsWith("expected RelayOptions.bufferSize() of at least 16"), e.getMessage());
            assertTrue(e.getMessage().endsWith("of the client's engine) but was 4096"), e.getMessage());
            assertEquals(0, relay.stats().activeTunnels());
            assertTrue(pair.proxyClient.isOpen() && pair.proxyClient.isBlocking(), "the channel is untouched");
        }
    }

    @Test
    void refusesATlsTunnelWhenTheBudgetCannotHoldItsRecordBuffers() throws IOException {
        relay.close();
        int buffer = 32 * 1024;
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).bufferSize(buffer).bufferBudgetBytes(3L * buffer).build());
        try (Loopback pair = Loopback.open()) {
            Opening.Refused refused = assertInstanceOf(Opening.Refused.class, relay.open(
                    Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    Endpoint.tls(pair.proxyUpstream, TlsFixture.clientEngine())));
            assertEquals(RefusalReason.BUFFER_BUDGET, refused.reason());
            assertTrue(refused.detail().startsWith("expected room for 4 buffers of 32768 bytes but 98304"), refused.detail());
            Tunnel oneTlsLeg = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            oneTlsLeg.close();
            assertEquals(CloseReason.CLOSED_BY_CALLER, outcome(oneTlsLeg).reason());
        }
    }

    @Test
    void holdsTheClientLeftoverUntilTheRelaysOwnHandshakeWithATlsUpstreamIsDone() throws Exception {
        // The client's bytes past its head reach a TLS upstream the relay still has to handshake with:
        // they wait for the handshake, then arrive first and once.
        byte[] leftover = randomBytes(70_000, 79);
        try (Loopback pair = Loopback.open()) {
            SSLSocket upstream = TlsFixture.serverOver(pair.upstream);
            Tunnel tunnel = opened(relay.open(Endpoint.of(pair.proxyClient, ByteBuffer.wrap(leftover)),
                    Endpoint.tls(pair.proxyUpstream, TlsFixture.clientEngine())));
            assertArrayEquals(leftover, upstream.getInputStream().readNBytes(leftover.length));
            awaitSteady("no buffer held once the leftover is through", () -> relay.stats().buffersBorrowed() == 0);
            assertEquals(leftover.length, tunnel.bytesClientToUpstream());
            tunnel.close();
            outcome(tunnel);
        }
    }
}
