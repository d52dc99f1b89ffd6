package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.Loopback.assertEof;
import static io.github.upgrade4j.tunnel.Loopback.async;
import static io.github.upgrade4j.tunnel.Loopback.await;
import static io.github.upgrade4j.tunnel.Loopback.awaitTrue;
import static io.github.upgrade4j.tunnel.Loopback.concat;
import static io.github.upgrade4j.tunnel.Loopback.opened;
import static io.github.upgrade4j.tunnel.Loopback.outcome;
import static io.github.upgrade4j.tunnel.Loopback.randomBytes;
import static io.github.upgrade4j.tunnel.Loopback.readFully;
import static io.github.upgrade4j.tunnel.Loopback.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.ResponseHead;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** Scenarios 1, 2, 3, 7, 31 and 33 of tunnel-anchors.md §B: bytes arrive once, in order, counted, fast. */
@ParameterizedClass(name = "{0}")
@MethodSource("io.github.upgrade4j.tunnel.RelayPaths#tested")
class TunnelBytesTest {
    @Parameter
    RelayPath path;

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
    void relaysTheClientBytesBehindTheRequestHeadFirstExactlyOnceAndInOrder() throws IOException {
        byte[] pipelined = randomBytes(1024, 1);
        byte[] later = "later client bytes".getBytes(StandardCharsets.US_ASCII);
        try (Loopback pair = Loopback.open()) {
            // A proxy read the head and 1 KiB behind it in one read; the 1 KiB must not be lost or parsed.
            ByteBuffer readByProxy = ByteBuffer.wrap(concat(
                    "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                    pipelined));
            readByProxy.position(readByProxy.limit() - pipelined.length);
            Tunnel tunnel = opened(relay.open(Endpoint.of(pair.proxyClient, readByProxy), pair.upstreamEndpoint()));
            write(pair.client, later);
            pair.client.shutdownOutput();

            assertArrayEquals(concat(pipelined, later), Loopback.readToEof(pair.upstream));
            pair.upstream.shutdownOutput();
            assertEof(pair.client);
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_FIN_FIRST, outcome.reason());
            assertEquals(pipelined.length + later.length, outcome.bytesClientToUpstream());
            assertEquals(0, outcome.bytesUpstreamToClient());
        }
    }

    @Test
    void relaysTheUpstreamBytesBehindThe101FirstExactlyOnceAndInOrder() throws IOException {
        byte[] firstFrames = randomBytes(200, 2);
        byte[] later = randomBytes(300, 3);
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = opened(relay.open(pair.clientEndpoint(),
                    Endpoint.of(pair.proxyUpstream, ByteBuffer.wrap(firstFrames))));
            assertArrayEquals(firstFrames, readFully(pair.client, 200));
            write(pair.upstream, later);
            assertArrayEquals(later, readFully(pair.client, 300));
            pair.client.shutdownOutput();
            pair.upstream.shutdownOutput();
            assertEof(pair.client);
            assertEof(pair.upstream);
            assertEquals(500, outcome(tunnel).bytesUpstreamToClient());
        }
    }

    @Test
    void relaysProtocolBytesThatArriveInTheSegmentThatCompletesAHeadSentOneBytePerSegment() throws IOException {
        byte[] head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] frames = randomBytes(200, 4);
        // Run 1: the protocol bytes ride with the final LF; run 2: with the whole final CRLFCRLF.
        for (int tailLength : new int[] {1, 4}) {
            try (Loopback pair = Loopback.open()) {
                CompletableFuture<Void> origin = async(() -> {
                    OutputStream out = pair.upstream.getOutputStream();
                    for (int i = 0; i < head.length - tailLength; i++) {
                        out.write(head[i]); // one segment each: TCP_NODELAY is on
                    }
                    out.write(concat(Arrays.copyOfRange(head, head.length - tailLength, head.length), frames));
                    return null;
                });
                // The proxy side: parse the 101 as it trickles in; hand over what lies behind it.
                Http1Parser<ResponseHead> parser = Http1Parser.forResponses();
                ByteBuffer in = ByteBuffer.allocate(1024);
                ParseResult<ResponseHead> result;
                do {
                    assertTrue(pair.proxyUpstream.read(in) >= 0, "EOF before the end of the head");
                    in.flip();
                    result = parser.parse(in);
                    if (result instanceof ParseResult.NeedMore<ResponseHead>) {
                        in.clear();
                    }
                } while (result instanceof ParseResult.NeedMore<ResponseHead>);
                if (!(result instanceof ParseResult.Complete<ResponseHead> complete)) {
                    throw new AssertionError("expected a complete 101 head but was " + result);
                }
                assertEquals(101, complete.head().status());
                await(origin);
                while (in.remaining() < frames.length) { // frames may trail the head in a later read
                    in.compact();
                    assertTrue(pair.proxyUpstream.read(in) >= 0);
                    in.flip();
                }
                Tunnel tunnel = opened(relay.open(pair.clientEndpoint(), Endpoint.of(pair.proxyUpstream, in)));

                assertArrayEquals(frames, readFully(pair.client, frames.length));
                pair.upstream.shutdownOutput();
                assertEof(pair.client);
                pair.client.shutdownOutput();
                assertEof(pair.upstream);
                assertEquals(CloseReason.UPSTREAM_FIN_FIRST, outcome(tunnel).reason());
            }
        }
    }

    @Test
    void relays256MiBEachWayAtOnceWithMatchingSha256() throws IOException {
        int mib = 1024 * 1024;
        int chunks = 256;
        byte[] block = randomBytes(mib, 7);
        // Bytes an HTTP parser would pounce on, which a relay must pass through untouched.
        byte[] bait = "\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n\0\377".getBytes(StandardCharsets.ISO_8859_1);
        for (int at = 0; at + bait.length < mib; at += 99_991) {
            System.arraycopy(bait, 0, block, at, bait.length);
        }
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            long started = System.nanoTime();
            CompletableFuture<String> sentUp = async(() -> send(pair.client, block, chunks, 1));
            CompletableFuture<String> sentDown = async(() -> send(pair.upstream, block, chunks, 2));
            CompletableFuture<String> receivedUp = async(() -> receive(pair.upstream));
            CompletableFuture<String> receivedDown = async(() -> receive(pair.client));

            assertEquals(await(sentUp), await(receivedUp), "SHA-256 client to upstream");
            assertEquals(await(sentDown), await(receivedDown), "SHA-256 upstream to client");
            TunnelOutcome outcome = outcome(tunnel);
            System.out.printf("256 MiB each way through the relay in %d ms%n", (System.nanoTime() - started) / 1_000_000);
            assertEquals((long) chunks * mib, outcome.bytesClientToUpstream());
            assertEquals((long) chunks * mib, outcome.bytesUpstreamToClient());
            assertTrue(outcome.reason().isCompletion(), outcome.toString());
        }
    }

    /** Sends {@code chunks} rotations of {@code block}, then a FIN; returns the SHA-256 of what it sent. */
    private static String send(Socket socket, byte[] block, int chunks, int stride) throws IOException {
        MessageDigest digest = Loopback.sha256();
        OutputStream out = socket.getOutputStream();
        for (int i = 0; i < chunks; i++) {
            int rotation = (i * stride * 4099) % block.length; // every chunk differs: a swap would show
            out.write(block, rotation, block.length - rotation);
            out.write(block, 0, rotation);
            digest.update(block, rotation, block.length - rotation);
            digest.update(block, 0, rotation);
        }
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
    void countsExactBytesEachWayLeftoversIncludedAndShowsThemWhileTheTunnelRuns() throws IOException {
        byte[] clientLeftover = randomBytes(100, 8);
        byte[] upstreamLeftover = "HTTP/1.1 101 ...\r\n\r\n and a frame".getBytes(StandardCharsets.US_ASCII);
        try (Loopback pair = Loopback.open()) {
            Instant beforeOpen = Instant.now();
            Tunnel tunnel = opened(relay.open(Endpoint.of(pair.proxyClient, ByteBuffer.wrap(clientLeftover)),
                    Endpoint.of(pair.proxyUpstream, ByteBuffer.wrap(upstreamLeftover))));
            readFully(pair.upstream, 100);
            readFully(pair.client, upstreamLeftover.length);
            write(pair.client, randomBytes(5000, 9));
            readFully(pair.upstream, 5000);
            write(pair.upstream, randomBytes(7, 10));
            readFully(pair.client, 7);

            awaitTrue("live counters of 5100 and " + (upstreamLeftover.length + 7), () ->
                    tunnel.bytesClientToUpstream() == 5100 && tunnel.bytesUpstreamToClient() == upstreamLeftover.length + 7);
            assertTrue(!tunnel.started().isBefore(beforeOpen.minusMillis(1)), "started " + tunnel.started());
            assertTrue(tunnel.lastActivity().isAfter(tunnel.started()), "lastActivity " + tunnel.lastActivity());
            assertTrue(tunnel.toString().contains("clientToUpstream=5100"), tunnel.toString());

            pair.client.shutdownOutput();
            pair.upstream.shutdownOutput();
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(5100, outcome.bytesClientToUpstream());
            assertEquals(upstreamLeftover.length + 7, outcome.bytesUpstreamToClient());
            assertEquals(5100, tunnel.bytesClientToUpstream(), "final counters stay readable");
            assertTrue(outcome.duration().toNanos() > 0);
        }
    }

    @Test
    void roundTripsOneByteMessagesWithoutANagleStall() throws IOException {
        // Two 1-byte writes in a row is the pattern Nagle's algorithm holds back until an ACK, which a
        // delayed-ACK peer sends only after 40 ms. With TCP_NODELAY on both legs there is no such wait.
        int rounds = 200;
        long[] nanos = new long[rounds];
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            CompletableFuture<Void> echo = async(() -> {
                InputStream in = pair.upstream.getInputStream();
                OutputStream out = pair.upstream.getOutputStream();
                for (int i = 0; i < rounds; i++) {
                    int a = in.read();
                    int b = in.read();
                    out.write(a);
                    out.write(b);
                }
                return null;
            });
            InputStream in = pair.client.getInputStream();
            OutputStream out = pair.client.getOutputStream();
            for (int i = 0; i < rounds; i++) {
                long start = System.nanoTime();
                out.write(i);
                out.write(i + 1);
                assertEquals(i & 0xFF, in.read());
                assertEquals((i + 1) & 0xFF, in.read());
                nanos[i] = System.nanoTime() - start;
            }
            await(echo);
            Arrays.sort(nanos);
            long medianMicros = nanos[rounds / 2] / 1000;
            System.out.printf("1-byte round trip through the relay: median %d us, p90 %d us%n", medianMicros,
                    nanos[rounds * 9 / 10] / 1000);
            assertTrue(medianMicros < 20_000, "median round trip " + medianMicros + " us: a Nagle stall is >= 40 ms");
            tunnel.close();
            assertEquals(CloseReason.CLOSED_BY_CALLER, outcome(tunnel).reason());
        }
    }
}
