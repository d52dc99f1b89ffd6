package io.github.upgrade4j.tunnel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Two connected socket pairs on 127.0.0.1, as a proxy has them after a 101: the test's client
 * ({@link #client}) talks to the proxy's client leg ({@link #proxyClient}), and the proxy's upstream
 * leg ({@link #proxyUpstream}) talks to the test's origin ({@link #upstream}). The proxy legs go to
 * {@link TunnelRelay#open}; the test drives the outer sockets, which time out after 10 s so that a
 * broken relay fails a test instead of hanging it.
 */
final class Loopback implements AutoCloseable {
    static final InetAddress LOCALHOST = InetAddress.getLoopbackAddress();
    static final long TIMEOUT_SECONDS = 10;
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "tunnel-test-peer");
        thread.setDaemon(true);
        return thread;
    });
    private static ServerSocketChannel proxyListener;
    private static ServerSocket originListener;

    final Socket client;
    final SocketChannel proxyClient;
    final SocketChannel proxyUpstream;
    final Socket upstream;

    private Loopback(Socket client, SocketChannel proxyClient, SocketChannel proxyUpstream, Socket upstream) {
        this.client = client;
        this.proxyClient = proxyClient;
        this.proxyUpstream = proxyUpstream;
        this.upstream = upstream;
    }

    static synchronized Loopback open() throws IOException {
        if (proxyListener == null) {
            proxyListener = ServerSocketChannel.open().bind(new InetSocketAddress(LOCALHOST, 0), 256);
            originListener = new ServerSocket(0, 256, LOCALHOST);
        }
        Socket client = new Socket(LOCALHOST, ((InetSocketAddress) proxyListener.getLocalAddress()).getPort());
        SocketChannel proxyClient = proxyListener.accept();
        SocketChannel proxyUpstream = SocketChannel.open(originListener.getLocalSocketAddress());
        Socket upstream = originListener.accept();
        for (Socket socket : new Socket[] {client, upstream}) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            socket.setTcpNoDelay(true);
        }
        return new Loopback(client, proxyClient, proxyUpstream, upstream);
    }

    /**
     * Like {@link #open()}, with small kernel buffers on every socket ({@code SO_RCVBUF} and
     * {@code SO_SNDBUF} of {@code bytes}), so that a peer that does not read makes the relay hold
     * bytes after a few KiB instead of after megabytes of kernel buffering.
     */
    static Loopback open(int bytes) throws IOException {
        Loopback pair = open();
        for (Socket socket : new Socket[] {pair.client, pair.upstream}) {
            socket.setReceiveBufferSize(bytes);
            socket.setSendBufferSize(bytes);
        }
        for (SocketChannel channel : new SocketChannel[] {pair.proxyClient, pair.proxyUpstream}) {
            channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, bytes);
            channel.setOption(java.net.StandardSocketOptions.SO_SNDBUF, bytes);
        }
        return pair;
    }

    /** Open file descriptors of this process, or -1 where /proc/self/fd does not exist. */
    static long openFileDescriptors() {
        java.nio.file.Path fds = java.nio.file.Path.of("/proc/self/fd");
        if (!java.nio.file.Files.isDirectory(fds)) {
            return -1;
        }
        try (java.util.stream.Stream<java.nio.file.Path> list = java.nio.file.Files.list(fds)) {
            return list.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Endpoint clientEndpoint() {
        return Endpoint.of(proxyClient);
    }

    Endpoint upstreamEndpoint() {
        return Endpoint.of(proxyUpstream);
    }

    /**
     * Opens a tunnel over this pair with no leftovers and returns it, failing the test on a refusal or
     * if the plain tunnel does not take the relay's path.
     */
    Tunnel openOn(TunnelRelay relay) {
        Tunnel tunnel = opened(relay.open(clientEndpoint(), upstreamEndpoint()));
        assertEquals(relay.path(), tunnel.path(), "the path of a plain tunnel");
        return tunnel;
    }

    static Tunnel opened(Opening opening) {
        return assertInstanceOf(Opening.Opened.class, opening, () -> "refused: " + opening).tunnel();
    }

    static TunnelOutcome outcome(Tunnel tunnel) {
        try {
            return tunnel.outcome().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no outcome within " + TIMEOUT_SECONDS + " s: " + tunnel, e);
        }
    }

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("not done within " + TIMEOUT_SECONDS + " s", e);
        }
    }

    /** Polls {@code condition} until it holds, failing after the test timeout. */
    static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("expected " + what + " within " + TIMEOUT_SECONDS + " s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * Polls {@code condition} until it holds on three polls in a row 10 ms apart: for states that,
     * once reached, last (a relay blocked by a reader that does not read), not for passing moments.
     */
    static void awaitSteady(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        int streak = 0;
        while (streak < 3) {
            streak = condition.getAsBoolean() ? streak + 1 : 0;
            if (System.nanoTime() - deadline > 0) {
                fail("expected " + what + " within " + TIMEOUT_SECONDS + " s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Runs {@code work} on a peer thread. */
    static <T> CompletableFuture<T> async(Callable<T> work) {
        CompletableFuture<T> future = new CompletableFuture<>();
        THREADS.execute(() -> {
            try {
                future.complete(work.call());
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        });
        return future;
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    static void write(Socket socket, byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] readFully(Socket socket, int length) throws IOException {
        byte[] bytes = socket.getInputStream().readNBytes(length);
        assertEquals(length, bytes.length, "bytes before EOF");
        return bytes;
    }

    /** Reads until EOF; a reset fails. */
    static byte[] readToEof(Socket socket) throws IOException {
        return socket.getInputStream().readAllBytes();
    }

    static void assertEof(Socket socket) throws IOException {
        assertEquals(-1, socket.getInputStream().read(), "expected EOF");
    }

    /**
     * Reads what a drain's {@link CloseHook#webSocketGoingAway()} writes and then the end of each stream:
     * a WebSocket Close 1001 unmasked toward the client, and masked toward the upstream, as a WebSocket
     * client must (RFC 6455 §5.3).
     */
    static void assertGoingAwayThenEof(Socket client, Socket upstream) throws IOException {
        assertArrayEquals(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xE9}, readFully(client, 4));
        assertEof(client);
        byte[] masked = readFully(upstream, 8);
        assertEquals((byte) 0x88, masked[0]);
        assertEquals((byte) 0x82, masked[1]);
        assertArrayEquals(new byte[] {0x03, (byte) 0xE9},
                new byte[] {(byte) (masked[6] ^ masked[2]), (byte) (masked[7] ^ masked[3])});
        assertEof(upstream);
    }

    /** Reads until the connection is reset; EOF or a timeout fails. Returns the bytes read before. */
    static long assertReset(Socket socket) {
        long read = 0;
        byte[] sink = new byte[64 * 1024];
        try {
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(sink)) >= 0; ) {
                read += n;
            }
        } catch (SocketException e) {
            if (String.valueOf(e.getMessage()).contains("reset")) {
                return read;
            }
            throw new AssertionError("expected a reset but got " + e, e);
        } catch (IOException e) {
            throw new AssertionError("expected a reset but got " + e, e);
        }
        throw new AssertionError("expected a reset but got a clean EOF after " + read + " bytes");
    }

    static String sha256(byte[] bytes) {
        MessageDigest digest = sha256();
        digest.update(bytes);
        return hex(digest.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(String.format("%02x", b));
        }
        return out.toString();
    }

    static byte[] concat(byte[]... parts) {
        int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        ByteBuffer out = ByteBuffer.allocate(length);
        for (byte[] part : parts) {
            out.put(part);
        }
        return out.array();
    }

    @Override
    public void close() {
        for (AutoCloseable closeable : new AutoCloseable[] {client, proxyClient, proxyUpstream, upstream}) {
            try {
                closeable.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }
}
