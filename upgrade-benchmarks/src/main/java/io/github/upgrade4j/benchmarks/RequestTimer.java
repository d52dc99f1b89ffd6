package io.github.upgrade4j.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The normal requests of {@link WaitingClients}: what a client that is not waiting gets from a proxy
 * while thousands are. One after another, each on a new connection (so that accepting is part of it,
 * as it is for a new visitor): a plain {@code GET /small} answered by the origin with {@code 200 OK}
 * and three bytes, and a WebSocket upgrade handshake to {@code /echo} answered with a {@code 101},
 * taken in turn. Timed from before the connect to the last byte of the answer (the 101's head), each
 * with a 5 s limit on connecting and on every read.
 */
final class RequestTimer {
    private static final int TIMEOUT_MILLIS = 5000;

    private RequestTimer() {}

    /**
     * The times of one kind of request.
     *
     * @param p50Millis median, milliseconds
     * @param p99Millis 99th percentile, milliseconds
     * @param maxMillis the slowest, milliseconds
     * @param failed how many failed (refused, timed out, closed early or answered otherwise); not in the times
     */
    record Latency(double p50Millis, double p99Millis, double maxMillis, int failed) {
        /** {@code p50 / p99 / max ms}, and the failures if any. */
        String describe() {
            return String.format(Locale.ROOT, "%.2f / %.2f / %.2f ms%s", p50Millis, p99Millis, maxMillis,
                    failed == 0 ? "" : ", " + failed + " failed");
        }
    }

    /**
     * One pass.
     *
     * @param get the plain GETs
     * @param upgrade the upgrade handshakes
     */
    record Pass(Latency get, Latency upgrade) {}

    /** {@code each} plain GETs and {@code each} upgrade handshakes through the proxy at {@code proxy}, in turn. */
    static Pass run(InetSocketAddress proxy, int each) {
        long[] get = new long[each];
        long[] upgrade = new long[each];
        int getFailed = 0;
        int upgradeFailed = 0;
        String firstFailure = null;
        for (int i = 0; i < each; i++) {
            try {
                get[i - getFailed] = get(proxy);
            } catch (IOException e) {
                getFailed++;
                firstFailure = firstFailure == null ? "GET: " + e.getMessage() : firstFailure;
            }
            try {
                upgrade[i - upgradeFailed] = upgrade(proxy);
            } catch (IOException e) {
                upgradeFailed++;
                firstFailure = firstFailure == null ? "upgrade: " + e.getMessage() : firstFailure;
            }
        }
        if (firstFailure != null) {
            System.out.printf(Locale.ROOT, "  %d GETs and %d upgrades failed; the first: %s%n", getFailed, upgradeFailed,
                    firstFailure);
        }
        return new Pass(latency(get, each - getFailed, getFailed), latency(upgrade, each - upgradeFailed, upgradeFailed));
    }

    private static Latency latency(long[] nanos, int n, int failed) {
        if (n == 0) {
            return new Latency(Double.NaN, Double.NaN, Double.NaN, failed);
        }
        long[] sorted = Arrays.copyOf(nanos, n);
        Arrays.sort(sorted);
        return new Latency(sorted[n / 2] / 1e6, sorted[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)] / 1e6,
                sorted[n - 1] / 1e6, failed);
    }

    /** Nanoseconds for a plain GET and its whole answer. */
    private static long get(InetSocketAddress proxy) throws IOException {
        byte[] request = ("GET " + UpgradeUpstream.SMALL + " HTTP/1.1\r\nHost: " + Proxies.hostPort(proxy)
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        long start = System.nanoTime();
        try (Socket socket = connect(proxy)) {
            socket.getOutputStream().write(request);
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            int[] length = {0};
            int end = readHead(in, buffer, length);
            String head = new String(buffer, 0, end, StandardCharsets.ISO_8859_1);
            if (!head.startsWith("HTTP/1.1 200 ")) {
                throw new IOException("expected a 200 but got " + head.lines().findFirst().orElse(""));
            }
            long body = contentLength(head);
            for (long have = length[0] - end; body < 0 || have < body; ) {
                int n = in.read(buffer);
                if (n < 0) {
                    if (body < 0) {
                        break; // a body that ends with the connection
                    }
                    throw new IOException("closed after " + have + " of " + body + " body bytes");
                }
                have += n;
            }
            return System.nanoTime() - start;
        }
    }

    /** Nanoseconds for a WebSocket upgrade handshake, up to the end of the 101's head. */
    private static long upgrade(InetSocketAddress proxy) throws IOException {
        byte[] request = TunnelClient.upgradeRequest("/echo", proxy);
        long start = System.nanoTime();
        try (Socket socket = connect(proxy)) {
            socket.getOutputStream().write(request);
            byte[] buffer = new byte[4096];
            int end = readHead(socket.getInputStream(), buffer, new int[] {0});
            if (!new String(buffer, 0, end, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 101 ")) {
                throw new IOException("expected a 101 but got "
                        + new String(buffer, 0, end, StandardCharsets.ISO_8859_1).lines().findFirst().orElse(""));
            }
            return System.nanoTime() - start;
        }
    }

    private static Socket connect(InetSocketAddress proxy) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.connect(proxy, TIMEOUT_MILLIS);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Reads until a whole head is in {@code buffer}; returns the index past it, {@code length[0]} the bytes read. */
    private static int readHead(InputStream in, byte[] buffer, int[] length) throws IOException {
        while (true) {
            for (int i = 3; i < length[0]; i++) {
                if (buffer[i] == '\n' && buffer[i - 1] == '\r' && buffer[i - 2] == '\n' && buffer[i - 3] == '\r') {
                    return i + 1;
                }
            }
            if (length[0] == buffer.length) {
                throw new IOException("an answer head over " + buffer.length + " bytes");
            }
            int n = in.read(buffer, length[0], buffer.length - length[0]);
            if (n < 0) {
                throw new IOException("closed before a whole answer head");
            }
            length[0] += n;
        }
    }

    /** The head's {@code Content-Length}, or -1 without one. */
    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                return Long.parseLong(line.substring(colon + 1).trim());
            }
        }
        return -1;
    }
}
