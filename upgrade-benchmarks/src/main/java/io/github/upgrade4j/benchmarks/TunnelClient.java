package io.github.upgrade4j.benchmarks;

import io.github.upgrade4j.benchmarks.Proxies.Target;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client side of the comparisons: opens WebSocket tunnels through a {@link Target} to the
 * {@link UpgradeUpstream} origin and moves bytes through them (bulk, round trips, idle tunnels). The
 * same code for every target, so that the client's own cost is the same on each side of a ratio.
 *
 * <p>It measures and returns figures; recording them is the caller's business.
 */
final class TunnelClient {
    private TunnelClient() {}

    /**
     * One bulk run.
     *
     * @param gbps Gbit/s moved in the measured seconds
     * @param cpuMsPerGb the target's CPU milliseconds per GB moved; NaN without a proxy process or bytes
     */
    record Bulk(double gbps, double cpuMsPerGb) {}

    /**
     * One series of 64-byte round trips.
     *
     * @param medianMicros median microseconds
     * @param p99Micros 99th percentile microseconds
     * @param cpuMicrosPerTrip the target's CPU microseconds per round trip; NaN without a proxy process
     */
    record RoundTrip(double medianMicros, double p99Micros, double cpuMicrosPerTrip) {}

    /**
     * Opens a tunnel to a path on the origin and returns it ready for bytes: an HTTP/1.1 upgrade
     * ({@link #upgrades}), or a stream on an HTTP/2 connection ({@link H2Tunnels.Opener}).
     */
    interface Opener {
        ClientLink open(String path) throws IOException;
    }

    /** HTTP/1.1 upgrades through {@code target}, each on a new connection, as {@link #open} makes them. */
    static Opener upgrades(Target target) {
        return path -> open(target, path);
    }

    /** A WebSocket upgrade request for {@code path}, as every comparison's client sends it. */
    static byte[] upgradeRequest(String path, InetSocketAddress host) {
        return ("GET " + path + " HTTP/1.1\r\n"
                + "Host: " + Proxies.hostPort(host) + "\r\n"
                + "Connection: Upgrade\r\n"
                + "Upgrade: websocket\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Opens a tunnel to {@code path} on the origin through {@code target}; fails unless answered with a
     * 101. Whatever followed the 101's head in the same read is read first from the link returned.
     */
    static ClientLink open(Target target, String path) throws IOException {
        ClientLink link = target.connect();
        try {
            link.writeFully(ByteBuffer.wrap(upgradeRequest(path, target.address())));
            ByteBuffer head = ByteBuffer.allocate(16 * 1024);
            int end;
            while ((end = UpgradeUpstream.endOfHead(head)) < 0) {
                if (!head.hasRemaining() || link.read(head) < 0) {
                    throw new IOException(target.id() + " closed the connection before a whole answer head");
                }
            }
            String answer = new String(head.array(), 0, end, StandardCharsets.ISO_8859_1);
            if (!answer.startsWith("HTTP/1.1 101 ")) {
                throw new IOException(target.id() + " answered the upgrade with " + answer.lines().findFirst().orElse(""));
            }
            // Bytes the origin sent right behind its 101 may have come in the same read: they are the
            // tunnel's first bytes, and a reader of WebSocket frames must not lose them.
            return head.position() > end ? ClientLink.withPrefix(link, head.flip().position(end).slice()) : link;
        } catch (IOException | RuntimeException e) {
            link.close();
            throw e;
        }
    }

    /** Opens an echo tunnel through {@code target}, checks that it echoes, and prints what the connection negotiated. */
    static void checkTunnel(Target target) throws IOException {
        String negotiated;
        try (ClientLink link = open(target, "/echo")) {
            ByteBuffer hello = ByteBuffer.wrap("hello".getBytes(StandardCharsets.ISO_8859_1));
            link.writeFully(hello);
            ByteBuffer echo = ByteBuffer.allocate(5);
            link.readFully(echo);
            if (!Arrays.equals(echo.array(), hello.array())) {
                throw new IllegalStateException(target.id() + " did not echo through the tunnel");
            }
            negotiated = link.describe();
        }
        System.out.printf(Locale.ROOT, "%-13s tunnel OK at %s (%s)%n", target.id(), Proxies.hostPort(target.address()),
                negotiated);
    }

    /**
     * Bulk throughput through {@code tunnels} tunnels at once, uploading (64 KiB writes counted at the
     * sender) or downloading (counted at the client), for {@code seconds} after {@code warmupMillis}.
     */
    static Bulk bulk(Target target, int tunnels, boolean upload, int warmupMillis, int seconds) throws Exception {
        return bulk(target, upgrades(target), upload ? "/discard" : "/stream", tunnels, upload, warmupMillis, seconds);
    }

    /**
     * The same through tunnels {@code opener} opens to {@code path} (one that discards for an upload, one
     * that streams for a download); {@code target} is whose CPU time is read.
     */
    static Bulk bulk(Target target, Opener opener, String path, int tunnels, boolean upload, int warmupMillis,
            int seconds) throws Exception {
        List<ClientLink> links = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        LongAdder bytes = new LongAdder();
        AtomicBoolean running = new AtomicBoolean(true);
        try {
            for (int i = 0; i < tunnels; i++) {
                ClientLink link = opener.open(path);
                links.add(link);
                Thread thread = new Thread(() -> {
                    ByteBuffer chunk = link.buffer(UpgradeUpstream.CHUNK);
                    try {
                        while (running.get()) {
                            chunk.clear();
                            int n;
                            if (upload) {
                                link.writeFully(chunk);
                                n = UpgradeUpstream.CHUNK;
                            } else {
                                n = link.read(chunk);
                            }
                            if (n < 0) {
                                return;
                            }
                            bytes.add(n);
                        }
                    } catch (IOException e) {
                        // closed at the end of the run
                    }
                }, "bulk");
                thread.setDaemon(true);
                threads.add(thread);
            }
            threads.forEach(Thread::start);
            Thread.sleep(warmupMillis);
            long before = bytes.sum();
            long cpuBefore = ProcessMeter.cpuNanos(target);
            long start = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            long moved = bytes.sum() - before;
            long elapsed = System.nanoTime() - start;
            long cpu = ProcessMeter.cpuNanos(target) - cpuBefore;
            double cpuPerGb = target.process() != null && moved > 0 ? cpu / 1e6 / (moved / 1e9) : Double.NaN;
            return new Bulk(moved * 8.0 / elapsed, cpuPerGb); // bits per nanosecond = Gbit/s
        } finally {
            // The threads stop at their next chunk; a TLS socket is closed only once no thread is inside
            // it, since closing sends close_notify under the lock a blocked writer holds.
            running.set(false);
            for (Thread thread : threads) {
                thread.join(5000);
            }
            for (ClientLink link : links) {
                link.close();
            }
            for (Thread thread : threads) {
                thread.join(5000);
            }
        }
    }

    /** {@code count} 64-byte echoes through one tunnel of {@code target}, after a quarter as many unmeasured. */
    static RoundTrip roundTrip(Target target, int count) throws IOException {
        return roundTrip(target, upgrades(target), "/echo", count);
    }

    /** The same through a tunnel {@code opener} opens to the echo at {@code path}; {@code target} is whose CPU time is read. */
    static RoundTrip roundTrip(Target target, Opener opener, String path, int count) throws IOException {
        int warmup = count / 4;
        long[] nanos = new long[count];
        long cpuBefore = 0;
        double cpuPerTrip;
        try (ClientLink link = opener.open(path)) {
            ByteBuffer message = link.buffer(64);
            ByteBuffer echo = link.buffer(64);
            for (int i = -warmup; i < nanos.length; i++) {
                if (i == 0) {
                    cpuBefore = ProcessMeter.cpuNanos(target);
                }
                long start = System.nanoTime();
                link.writeFully(message.clear());
                link.readFully(echo.clear());
                if (i >= 0) {
                    nanos[i] = System.nanoTime() - start;
                }
            }
            cpuPerTrip = target.process() == null ? Double.NaN
                    : (ProcessMeter.cpuNanos(target) - cpuBefore) / 1000.0 / count;
        }
        Arrays.sort(nanos);
        return new RoundTrip(nanos[nanos.length / 2] / 1000.0, nanos[nanos.length * 99 / 100] / 1000.0, cpuPerTrip);
    }

    /** Opens {@code n} tunnels through {@code target} and echoes one byte through each; adds them to {@code into}. */
    static List<ClientLink> openIdle(Target target, int n, List<ClientLink> into) throws IOException {
        return openIdle(upgrades(target), "/echo", n, into);
    }

    /** Opens {@code n} tunnels to the echo at {@code path} with {@code opener}, one byte echoed through each; adds them to {@code into}. */
    static List<ClientLink> openIdle(Opener opener, String path, int n, List<ClientLink> into) throws IOException {
        List<ClientLink> links = into == null ? new ArrayList<>(n) : into;
        for (int i = 0; i < n; i++) {
            ClientLink link = opener.open(path);
            links.add(link);
            ByteBuffer one = link.buffer(1);
            link.writeFully(one); // one byte each way: used, now idle
            link.readFully(one.clear());
        }
        return links;
    }

    static void closeQuietly(ClientLink link) {
        try {
            link.close();
        } catch (IOException e) {
            // best effort
        }
    }
}
