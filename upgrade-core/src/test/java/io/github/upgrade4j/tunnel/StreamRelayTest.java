package io.github.upgrade4j.tunnel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stream relay over real sockets on 127.0.0.1: exact bytes, leftovers first, half-close, resets,
 * close from another thread, limits and refusals. Timeouts are in {@link StreamRelayTimeoutTest}.
 */
class StreamRelayTest {
    /** The relays' tasks, shared by the Stream*Test classes; its idle daemon threads end by themselves. */
    static final CountingExecutor EXECUTOR = new CountingExecutor();
    private StreamRelay relay = StreamRelay.start(EXECUTOR);

    @AfterEach
    void closeRelay() {
        relay.close();
    }

    @Test
    void relaysFourMebibytesEachWayExactlyAndAtOnce() throws IOException {
        byte[] upload = randomBytes(4 << 20, 1);
        byte[] download = randomBytes(4 << 20, 2);
        try (Pair pair = Pair.open()) {
            Tunnel tunnel = pair.openOn(relay);
            CompletableFuture<Void> uploading = async(() -> {
                pair.client.getOutputStream().write(upload);
                pair.client.shutdownOutput();
                return null;
            });
            CompletableFuture<Void> downloading = async(() -> {
                pair.upstream.getOutputStream().write(download);
                pair.upstream.shutdownOutput();
                return null;
            });
            CompletableFuture<byte[]> atUpstream = async(() -> pair.upstream.getInputStream().readAllBytes());

            assertEquals(sha256(download), sha256(pair.client.getInputStream().readAllBytes()));
            assertEquals(sha256(upload), sha256(await(atUpstream)));
            await(uploading);
            await(downloading);
            TunnelOutcome outcome = outcome(tunnel);
            assertTrue(outcome.reason().isCompletion(), outcome::toString);
            assertEquals(upload.length, outcome.bytesClientToUpstream());
            assertEquals(download.length, outcome.bytesUpstreamToClient());
            assertEquals(outcome.bytesClientToUpstream(), tunnel.bytesClientToUpstream());
            assertTrue(outcome.cause().isEmpty());
        }
    }

    @Test
    void relaysEachLeftoverFirstThenTheBytesQueuedBehindIt() throws IOException {
        relay.close();
        relay = StreamRelay.start(EXECUTOR, RelayOptions.builder().bufferSize(1024).build());
        byte[] upstreamLeftover = randomBytes(3 * 1024 + 7, 3); // longer than a buffer
        try (Pair pair = Pair.open()) {
            // Bytes the peers sent before the tunnel opened wait in the kernel, behind what the proxy read.
            pair.client.getOutputStream().write(ascii(" and then the socket"));
            pair.upstream.getOutputStream().write(ascii("queued"));
            Tunnel tunnel = opened(relay.open(
                    StreamEndpoint.of(pair.proxyClient, ByteBuffer.wrap(ascii("read past the head"))),
                    StreamEndpoint.of(pair.proxyUpstream, ByteBuffer.wrap(upstreamLeftover))));

            assertEquals("read past the head and then the socket", text(readFully(pair.upstream, 38)));
            assertArrayEquals(upstreamLeftover, readFully(pair.client, upstreamLeftover.length));
            assertEquals("queued", text(readFully(pair.client, 6)));
            tunnel.close();
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(38, outcome.bytesClientToUpstream());
            assertEquals(upstreamLeftover.length + 6, outcome.bytesUpstreamToClient());
        }
    }

    @Test
    void passesAnUpstreamEndOnWhileTheClientKeepsSendingAMebibyte() throws IOException {
        byte[] upload = randomBytes(1 << 20, 4);
        try (Pair pair = Pair.open()) {
            Tunnel tunnel = pair.openOn(relay);
            pair.upstream.getOutputStream().write(ascii("ten bytes!"));
            pair.upstream.shutdownOutput();
            CompletableFuture<Void> sender = async(() -> {
                pair.client.getOutputStream().write(upload);
                return null;
            });

            assertEquals("ten bytes!", text(readFully(pair.client, 10)));
            assertEof(pair.client);
            assertArrayEquals(upload, readFully(pair.upstream, upload.length));
            await(sender);
            pair.client.shutdownOutput();
            assertEof(pair.upstream); // a FIN, not a reset: read() would throw "Connection reset"

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.UPSTREAM_FIN_FIRST, outcome.reason());
            assertEquals(upload.length, outcome.bytesClientToUpstream());
            assertEquals(10, outcome.bytesUpstreamToClient());
        }
    }

    @Test
    void deliversTheWholeReplyThatTheUpstreamSendsOnlyAfterTheClientHalfClosed() throws IOException {
        byte[] reply = randomBytes(1 << 20, 5);
        try (Pair pair = Pair.open()) {
            Tunnel tunnel = pair.openOn(relay);
            pair.client.getOutputStream().write(ascii("request frame"));
            pair.client.shutdownOutput();
            CompletableFuture<Void> origin = async(() -> {
                readFully(pair.upstream, 13);
                assertEof(pair.upstream);
                pair.upstream.getOutputStream().write(reply);
                pair.upstream.shutdownOutput();
                return null;
            });

            assertEquals(sha256(reply), sha256(pair.client.getInputStream().readAllBytes()));
            await(origin);
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_FIN_FIRST, outcome.reason());
            assertEquals(13, outcome.bytesClientToUpstream());
            assertEquals(reply.length, outcome.bytesUpstreamToClient());
        }
    }

    @Test
    void runsTheHalfCloseActionOnceAndOnlyAfterEveryByteBeforeTheEndWasWritten() throws IOException {
        byte[] upload = randomBytes(256 * 1024, 6);
        AtomicInteger halfCloses = new AtomicInteger();
        AtomicLong writtenAtHalfClose = new AtomicLong(-1);
        try (Pair pair = Pair.open()) {
            Tunnel[] tunnel = new Tunnel[1];
            Socket proxyUpstream = pair.proxyUpstream;
            StreamEndpoint upstream = new StreamEndpoint(proxyUpstream.getInputStream(), proxyUpstream.getOutputStream(),
                    ByteBuffer.allocate(0), () -> {
                        halfCloses.incrementAndGet();
                        writtenAtHalfClose.set(tunnel[0].bytesClientToUpstream());
                        proxyUpstream.shutdownOutput();
                    }, proxyUpstream);
            tunnel[0] = opened(relay.open(StreamEndpoint.of(pair.proxyClient), upstream));
            pair.client.getOutputStream().write(upload);
            pair.client.shutdownOutput();

            assertArrayEquals(upload, pair.upstream.getInputStream().readAllBytes());
            pair.upstream.shutdownOutput();
            assertEof(pair.client);
            assertEquals(CloseReason.CLIENT_FIN_FIRST, outcome(tunnel[0]).reason());
            assertEquals(1, halfCloses.get());
            assertEquals(upload.length, writtenAtHalfClose.get());
        }
    }

    @Test
    void withoutAHalfCloseTheTunnelEndsWhenBothInputsEnded() throws IOException {
        try (Pair pair = Pair.open()) {
            Socket proxyUpstream = pair.proxyUpstream;
            StreamEndpoint upstream = new StreamEndpoint(proxyUpstream.getInputStream(), proxyUpstream.getOutputStream(),
                    ByteBuffer.allocate(0), () -> { }, proxyUpstream);
            Tunnel tunnel = opened(relay.open(StreamEndpoint.of(pair.proxyClient), upstream));
            pair.client.getOutputStream().write(ascii("last words"));
            pair.client.shutdownOutput();
            assertEquals("last words", text(readFully(pair.upstream, 10)));

            // The upstream cannot be told, so it keeps talking; its bytes still reach the client.
            pair.upstream.getOutputStream().write(ascii("still here"));
            assertEquals("still here", text(readFully(pair.client, 10)));
            pair.upstream.shutdownOutput();
            assertEof(pair.client);
            assertEof(pair.upstream); // the tunnel's end closed the socket
            TunnelOutcome outcome = outcome(tunnel);
            // Both inputs ended: a normal completion. Which FIN the relay saw first is a race between its two
            // tasks (the client's EOF may be read after the upstream's), so either reason is right.
            assertTrue(outcome.reason().isCompletion(), outcome::toString);
            assertEquals(10, outcome.bytesClientToUpstream());
            assertEquals(10, outcome.bytesUpstreamToClient());
        }
    }

    @Test
    void aCloseFromAnotherThreadEndsBothBlockedTasksAndBothSidesSeeAFin() throws IOException {
        CountingExecutor executor = new CountingExecutor();
        relay.close();
        relay = StreamRelay.start(executor);
        try (Pair pair = Pair.open()) {
            Tunnel tunnel = pair.openOn(relay);
            pair.client.getOutputStream().write(ascii("ping"));
            assertEquals("ping", text(readFully(pair.upstream, 4)));
            assertEquals(2, executor.running.get()); // each blocked in a read
            awaitTrue("the counter to include the ping", () -> tunnel.bytesClientToUpstream() == 4);

            CompletableFuture<Void> closer = async(() -> {
                tunnel.close();
                return null;
            });

            await(closer);
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLOSED_BY_CALLER, outcome.reason());
            assertEquals(4, outcome.bytesClientToUpstream());
            assertEquals(0, outcome.bytesUpstreamToClient());
            assertTrue(outcome.duration().compareTo(java.time.Duration.ZERO) > 0);
            assertEof(pair.client);
            assertEof(pair.upstream);
            tunnel.close(); // idempotent: the reason stays
            assertEquals(CloseReason.CLOSED_BY_CALLER, outcome(tunnel).reason());
            awaitTrue("both tasks to return", () -> executor.running.get() == 0);
            assertEquals(0, relay.stats().activeTunnels());
        } finally {
            executor.threads.shutdownNow();
        }
    }

    @Test
    void aClientResetEndsTheTunnelAndIsPassedOnAsAReset() throws IOException {
        try (Pair pair = Pair.open()) {
            Tunnel tunnel = pair.openOn(relay);
            pair.upstream.getOutputStream().write(ascii("hello"));
            assertEquals("hello", text(readFully(pair.client, 5)));
            pair.client.setSoLinger(true, 0);
            pair.client.close();

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_RESET, outcome.reason());
            assertTrue(outcome.cause().isPresent());
            assertReset(pair.upstream);
        }
    }

    @Test
    void anUpstreamResetEndsTheTunnelAndIsPassedOnAsAReset() throws IOException {
        try (Pair pair = Pair.open()) {
            Tunnel tunnel = pair.openOn(relay);
            pair.client.getOutputStream().write(ascii("hello"));
            assertEquals("hello", text(readFully(pair.upstream, 5)));
            pair.upstream.setSoLinger(true, 0);
            pair.upstream.close();

            assertEquals(CloseReason.UPSTREAM_RESET, outcome(tunnel).reason());
            assertReset(pair.client);
        }
    }

    @Test
    void refusesPastTheTunnelLimitLeavingTheEndpointsUntouchedAndAcceptsAgainOnceOneEnded() throws IOException {
        relay.close();
        relay = StreamRelay.start(EXECUTOR, RelayOptions.builder().maxTunnels(1).build());
        try (Pair first = Pair.open(); Pair second = Pair.open()) {
            Tunnel tunnel = first.openOn(relay);
            Opening refused = relay.open(StreamEndpoint.of(second.proxyClient, ByteBuffer.wrap(ascii("leftover"))),
                    StreamEndpoint.of(second.proxyUpstream));

            Opening.Refused refusal = assertInstanceOf(Opening.Refused.class, refused);
            assertEquals(RefusalReason.TUNNEL_LIMIT, refusal.reason());
            assertEquals("expected fewer than 1 running tunnels but 1 are running", refusal.detail());
            // Untouched: the leftover was not sent, and the caller can still use both sockets.
            second.proxyUpstream.getOutputStream().write(ascii("mine"));
            assertEquals("mine", text(readFully(second.upstream, 4)));
            tunnel.close();
            assertEquals(CloseReason.CLOSED_BY_CALLER, outcome(tunnel).reason());
            assertEquals(0, relay.stats().activeTunnels());
            Tunnel again = second.openOn(relay);
            second.client.getOutputStream().write(ascii("now"));
            assertEquals("now", text(readFully(second.upstream, 3)));
            again.close();
            outcome(again);
        }
    }

    @Test
    void closingTheRelayEndsTunnelsAndRefusesNewOnes() throws IOException {
        try (Pair first = Pair.open(); Pair second = Pair.open()) {
            Tunnel tunnel = first.openOn(relay);
            relay.close();

            assertEquals(CloseReason.SHUTDOWN, outcome(tunnel).reason());
            assertEof(first.client);
            assertEof(first.upstream);
            Opening.Refused refusal = assertInstanceOf(Opening.Refused.class,
                    relay.open(StreamEndpoint.of(second.proxyClient), StreamEndpoint.of(second.proxyUpstream)));
            assertEquals(RefusalReason.SHUT_DOWN, refusal.reason());
            relay.close(); // idempotent
        }
    }

    @Test
    void anExecutorThatRejectsTheTasksIsARefusalAndNothingIsRead() throws IOException {
        try (StreamRelay rejecting = StreamRelay.start(task -> {
            throw new RejectedExecutionException("pool shut down");
        }); Pair pair = Pair.open()) {
            Opening.Refused refusal = assertInstanceOf(Opening.Refused.class, rejecting.open(
                    StreamEndpoint.of(pair.proxyClient, ByteBuffer.wrap(ascii("leftover"))),
                    StreamEndpoint.of(pair.proxyUpstream)));

            assertEquals(RefusalReason.SHUT_DOWN, refusal.reason());
            assertTrue(refusal.detail().contains("pool shut down"), refusal.detail());
            assertEquals(0, rejecting.stats().activeTunnels());
            pair.proxyUpstream.getOutputStream().write(ascii("first"));
            assertEquals("first", text(readFully(pair.upstream, 5))); // the leftover was never written
        }
    }

    @Test
    void theCountersAndLastActivityMoveWhileTheTunnelRuns() throws IOException {
        try (Pair pair = Pair.open()) {
            Tunnel tunnel = pair.openOn(relay);
            assertEquals(tunnel.started(), tunnel.lastActivity());
            pair.client.getOutputStream().write(new byte[1000]);
            readFully(pair.upstream, 1000);
            pair.upstream.getOutputStream().write(new byte[24]);
            readFully(pair.client, 24);

            awaitTrue("the counters to include every byte",
                    () -> tunnel.bytesClientToUpstream() == 1000 && tunnel.bytesUpstreamToClient() == 24);
            assertTrue(tunnel.lastActivity().isAfter(tunnel.started()), tunnel::toString);
            assertTrue(tunnel.toString().startsWith("Tunnel[clientToUpstream=1000, upstreamToClient=24, "),
                    tunnel::toString);
            tunnel.close();
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(1000, outcome.bytesClientToUpstream());
            assertEquals(24, outcome.bytesUpstreamToClient());
        }
    }

    @Test
    void refusesTwoEndpointsThatShareAStream() throws IOException {
        try (Pair pair = Pair.open()) {
            StreamEndpoint one = StreamEndpoint.of(pair.proxyClient);

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> relay.open(one, one));
            assertEquals("expected two different endpoints but client and upstream share a stream", e.getMessage());
            assertEquals(0, relay.stats().activeTunnels());
        }
    }

    // ---- helpers, shared with the other Stream*Test classes ----

    /** An executor of daemon threads that counts the tasks running right now. */
    static final class CountingExecutor implements java.util.concurrent.Executor {
        final ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "stream-relay-test");
            thread.setDaemon(true);
            return thread;
        });
        final AtomicInteger running = new AtomicInteger();

        @Override
        public void execute(Runnable task) {
            running.incrementAndGet();
            threads.execute(() -> {
                try {
                    task.run();
                } finally {
                    running.decrementAndGet();
                }
            });
        }
    }

    /**
     * Two connected socket pairs on 127.0.0.1, as a proxy has them after a 101: the test's
     * {@link #client} talks to the proxy's {@link #proxyClient}, and the proxy's {@link #proxyUpstream}
     * talks to the test's {@link #upstream}. The test's sockets time out after 10 s, so a broken relay
     * fails a test instead of hanging it.
     */
    static final class Pair implements AutoCloseable {
        static final long TIMEOUT_SECONDS = 10;
        private static final InetAddress LOCALHOST = InetAddress.getLoopbackAddress();
        private static ServerSocket proxyListener;
        private static ServerSocket originListener;

        final Socket client;
        final Socket proxyClient;
        final Socket proxyUpstream;
        final Socket upstream;

        private Pair(Socket client, Socket proxyClient, Socket proxyUpstream, Socket upstream) {
            this.client = client;
            this.proxyClient = proxyClient;
            this.proxyUpstream = proxyUpstream;
            this.upstream = upstream;
        }

        static synchronized Pair open() throws IOException {
            if (proxyListener == null) {
                proxyListener = new ServerSocket(0, 64, LOCALHOST);
                originListener = new ServerSocket(0, 64, LOCALHOST);
            }
            Socket client = new Socket(LOCALHOST, proxyListener.getLocalPort());
            Socket proxyClient = proxyListener.accept();
            Socket proxyUpstream = new Socket(LOCALHOST, originListener.getLocalPort());
            Socket upstream = originListener.accept();
            for (Socket socket : new Socket[] {client, upstream}) {
                socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
                socket.setTcpNoDelay(true);
            }
            return new Pair(client, proxyClient, proxyUpstream, upstream);
        }

        /**
         * Like {@link #open()}, with kernel buffers of {@code bytes} on the upstream leg, so that an
         * upstream that does not read blocks the relay's write after a few KiB instead of megabytes.
         * The client leg keeps its large buffers: below one loopback segment (64 KiB) a receiver that
         * was full advertises no usable window again, and the sender falls back to zero-window probes
         * hundreds of milliseconds apart, which would look like an idle tunnel.
         */
        static Pair open(int bytes) throws IOException {
            Pair pair = open();
            for (Socket socket : new Socket[] {pair.proxyUpstream, pair.upstream}) {
                socket.setReceiveBufferSize(bytes);
                socket.setSendBufferSize(bytes);
            }
            return pair;
        }

        Tunnel openOn(StreamRelay relay) {
            return opened(relay.open(StreamEndpoint.of(proxyClient), StreamEndpoint.of(proxyUpstream)));
        }

        @Override
        public void close() {
            for (Socket socket : new Socket[] {client, proxyClient, proxyUpstream, upstream}) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // best effort
                }
            }
        }
    }

    static Tunnel opened(Opening opening) {
        return assertInstanceOf(Opening.Opened.class, opening, () -> "refused: " + opening).tunnel();
    }

    static TunnelOutcome outcome(Tunnel tunnel) {
        try {
            return tunnel.outcome().toCompletableFuture().get(Pair.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no outcome within " + Pair.TIMEOUT_SECONDS + " s: " + tunnel, e);
        }
    }

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(Pair.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("not done within " + Pair.TIMEOUT_SECONDS + " s", e);
        }
    }

    /** Polls {@code condition} until it holds, failing after the test timeout. */
    static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Pair.TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("expected " + what + " within " + Pair.TIMEOUT_SECONDS + " s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Runs {@code work} on a thread of its own. */
    static <T> CompletableFuture<T> async(Callable<T> work) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                future.complete(work.call());
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        }, "stream-relay-test-peer");
        thread.setDaemon(true);
        thread.start();
        return future;
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    static byte[] readFully(Socket socket, int length) throws IOException {
        byte[] bytes = socket.getInputStream().readNBytes(length);
        assertEquals(length, bytes.length, "bytes before EOF");
        return bytes;
    }

    static void assertEof(Socket socket) throws IOException {
        assertEquals(-1, socket.getInputStream().read(), "expected EOF");
    }

    /** Reads until the connection is reset; EOF or a timeout fails. */
    static void assertReset(Socket socket) {
        byte[] sink = new byte[64 * 1024];
        long read = 0;
        try {
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(sink)) >= 0; ) {
                read += n;
            }
        } catch (SocketException e) {
            if (String.valueOf(e.getMessage()).contains("reset")) {
                return;
            }
            throw new AssertionError("expected a reset but got " + e, e);
        } catch (IOException e) {
            throw new AssertionError("expected a reset but got " + e, e);
        }
        throw new AssertionError("expected a reset but got a clean EOF after " + read + " bytes");
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
