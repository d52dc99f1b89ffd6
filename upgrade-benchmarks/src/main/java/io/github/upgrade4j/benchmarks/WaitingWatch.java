package io.github.upgrade4j.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The waiting clients of one {@link WaitingClients} measurement: each opens a connection, sends half a
 * request line ({@code GET /ind}) and then nothing. One thread watches all of them on one selector and
 * notes when the proxy closed each (end of stream or reset; what it sent before, such as a 408, is
 * read and noted too).
 *
 * <p>Many threads open the clients side by side ({@link WaitingClients} starts 128): a proxy that
 * starts a thread per connection and listens with a short backlog (the example proxy: the JDK's
 * default of 50) lets its accept queue overflow under one fast opener, and every SYN the kernel drops
 * costs that client a one-second retransmission. One opener after another took three minutes for
 * 10,000 clients of the example proxy, which closed the first before the last arrived; with 128 the
 * drops overlap.
 *
 * <p>Times are {@link System#nanoTime()}. The arrays the opening and watching threads write are read
 * only after they have ended ({@link Thread#join()} orders the two).
 */
final class WaitingWatch implements AutoCloseable {
    /** Half a request line: a client that has begun its request and stalls. */
    static final byte[] HALF_REQUEST = "GET /ind".getBytes(StandardCharsets.ISO_8859_1);
    private static final int CONNECT_TIMEOUT_MILLIS = 5000;

    private final Selector selector;
    private final SocketChannel[] channels;
    private final long[] stalled;
    private final long[] closed;
    private final boolean[] answered;
    private final Queue<Integer> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger closedCount = new AtomicInteger();
    private final Thread thread;
    private final AtomicInteger opening = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile boolean running = true;
    private int opened;
    private long firstStall;
    private long lastStall;

    /**
     * What became of the waiting clients, times in seconds.
     *
     * @param closed how many the proxy closed while watched
     * @param notClosedInTime how many it did not close within the header timeout + 5 s of their stall
     * @param closedEarly how many it closed more than 1 s before the header timeout
     * @param answered how many got bytes before the close (a 408, say)
     * @param afterLastStall when they were closed, counted from the last client's stall; null if none was
     * @param afterOwnStall when they were closed, counted from each one's own stall; null if none was
     */
    record Closures(int closed, int notClosedInTime, int closedEarly, int answered, Spread afterLastStall,
            Spread afterOwnStall) {}

    /**
     * Smallest, median and largest of some values.
     *
     * @param min the smallest
     * @param median the median
     * @param max the largest
     */
    record Spread(double min, double median, double max) {
        static Spread of(double[] values, int n) {
            if (n == 0) {
                return null;
            }
            double[] sorted = Arrays.copyOf(values, n);
            Arrays.sort(sorted);
            return new Spread(sorted[0], n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
                    sorted[n - 1]);
        }
    }

    private WaitingWatch(int n) throws IOException {
        selector = Selector.open();
        channels = new SocketChannel[n];
        stalled = new long[n];
        closed = new long[n];
        answered = new boolean[n];
        thread = new Thread(this::watch, "waiting-watch");
        thread.setDaemon(true);
    }

    /**
     * Opens {@code n} waiting clients to {@code proxy} with {@code openers} threads side by side, and
     * watches each from the moment it stalls; returns once the last has stalled. A client that cannot
     * connect within 5 s is counted as failed.
     */
    static WaitingWatch open(InetSocketAddress proxy, int n, int openers) throws IOException, InterruptedException {
        WaitingWatch watch = new WaitingWatch(n);
        watch.thread.start();
        AtomicInteger next = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < Math.max(1, openers); t++) {
            Thread opener = new Thread(() -> {
                while (next.getAndIncrement() < n) {
                    String failure = watch.openOne(proxy);
                    if (failure != null) {
                        firstFailure.compareAndSet(null, failure);
                    }
                }
            }, "waiting-open");
            opener.start();
            threads.add(opener);
        }
        for (Thread opener : threads) {
            opener.join();
        }
        watch.opened = watch.opening.get();
        watch.firstStall = Arrays.stream(watch.stalled, 0, watch.opened).min().orElse(0);
        watch.lastStall = Arrays.stream(watch.stalled, 0, watch.opened).max().orElse(0);
        if (firstFailure.get() != null) {
            System.out.printf(Locale.ROOT, "  %d of %d clients could not connect; the first: %s%n", watch.failures.get(),
                    n, firstFailure.get());
        }
        return watch;
    }

    /** Opens one client and hands it to the watching thread; the failure, or null. */
    private String openOne(InetSocketAddress proxy) {
        try {
            SocketChannel channel = SocketChannel.open();
            try {
                channel.socket().connect(proxy, CONNECT_TIMEOUT_MILLIS);
                channel.write(ByteBuffer.wrap(HALF_REQUEST));
                long now = System.nanoTime();
                channel.configureBlocking(false);
                int index = opening.getAndIncrement();
                channels[index] = channel;
                stalled[index] = now;
                pending.add(index);
                selector.wakeup();
                return null;
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            failures.incrementAndGet();
            return e.toString();
        }
    }

    private void watch() {
        ByteBuffer sink = ByteBuffer.allocate(4096);
        try {
            while (running) {
                selector.select(100);
                for (Integer index; (index = pending.poll()) != null; ) {
                    channels[index].register(selector, SelectionKey.OP_READ, index);
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    int index = (Integer) key.attachment();
                    int n;
                    try {
                        n = channels[index].read(sink.clear());
                    } catch (IOException e) {
                        n = -1; // reset
                    }
                    if (n > 0) {
                        answered[index] = true;
                    } else if (n < 0) {
                        closed[index] = System.nanoTime();
                        key.cancel();
                        closeQuietly(channels[index]);
                        closedCount.incrementAndGet();
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            System.out.println("  the watch failed: " + e);
        }
    }

    int opened() {
        return opened;
    }

    int failed() {
        return failures.get();
    }

    /** How many of the opened clients the proxy has not closed yet. */
    int stillOpen() {
        return opened - closedCount.get();
    }

    /** The last client's stall, {@link System#nanoTime()}. */
    long lastStall() {
        return lastStall;
    }

    /** Seconds from the first client's stall to the last's. */
    double openSeconds() {
        return (lastStall - firstStall) / 1e9;
    }

    /** Waits until the proxy has closed every opened client, or until {@code deadline} ({@link System#nanoTime()}). */
    void awaitAllClosed(long deadline) throws InterruptedException {
        while (closedCount.get() < opened && System.nanoTime() - deadline < 0) {
            Thread.sleep(100);
        }
    }

    /** Stops watching and says what became of the clients against {@code headerTimeout}. */
    Closures closures(Duration headerTimeout) throws InterruptedException {
        stop();
        double timeout = headerTimeout.toNanos() / 1e9;
        double[] afterLast = new double[opened];
        double[] afterOwn = new double[opened];
        int n = 0;
        int early = 0;
        int inTime = 0;
        int answers = 0;
        for (int i = 0; i < opened; i++) {
            answers += answered[i] ? 1 : 0;
            if (closed[i] == 0) {
                continue;
            }
            afterLast[n] = (closed[i] - lastStall) / 1e9;
            afterOwn[n] = (closed[i] - stalled[i]) / 1e9;
            early += afterOwn[n] < timeout - 1 ? 1 : 0;
            inTime += afterOwn[n] <= timeout + 5 ? 1 : 0;
            n++;
        }
        return new Closures(n, opened - inTime, early, answers, Spread.of(afterLast, n), Spread.of(afterOwn, n));
    }

    private void stop() throws InterruptedException {
        running = false;
        selector.wakeup();
        thread.join();
    }

    /** Closes every client the proxy has not closed, and the selector. */
    @Override
    public void close() throws IOException {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (int i = 0; i < opened; i++) {
            closeQuietly(channels[i]);
        }
        selector.close();
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // best effort
        }
    }
}
