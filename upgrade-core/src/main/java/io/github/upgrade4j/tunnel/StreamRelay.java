package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Relays upgraded connections that are given as blocking streams rather than socket channels, as a
 * Servlet container's {@code WebConnection} gives them: two tasks per tunnel, one per direction, on
 * threads of an {@link Executor} the caller supplies, with the counters, timeouts and
 * {@link TunnelOutcome} of the NIO {@link TunnelRelay}.
 *
 * <pre>{@code
 * StreamRelay relay = StreamRelay.start(Executors.newCachedThreadPool());   // 21+: newVirtualThreadPerTaskExecutor()
 * // in HttpUpgradeHandler.init(WebConnection connection), after the upstream's 101 was judged and relayed:
 * ServletOutputStream out = connection.getOutputStream();
 * StreamOpening opening = relay.open(
 *         new StreamEndpoint(connection.getInputStream(), out, ByteBuffer.allocate(0), out, connection),
 *         StreamEndpoint.of(upstreamSocket, upstreamBytesAfter101));
 * if (opening instanceof StreamOpening.Opened opened) {
 *     opened.tunnel().outcome().thenAccept(outcome -> log(outcome.reason()));
 * } else {
 *     connection.close(); upstreamSocket.close();   // refused: the endpoints are still yours
 * }
 * }</pre>
 *
 * <p><b>What it guarantees.</b> Each endpoint's leftover reaches the other side first, exactly once,
 * in order. Each direction reads at most one buffer ({@link RelayOptions#bufferSize()}) and writes
 * and flushes it before reading again, so a side that does not read blocks the other side's reading
 * through the streams' own backpressure; nothing is queued beyond that buffer. When one side's input
 * ends, the other side is half-closed ({@link StreamEndpoint#halfClose()}) after every byte before the
 * end was written, and the tunnel lives until both directions are done. A read or write that fails
 * with a reset ends the tunnel with {@link CloseReason#CLIENT_RESET} or
 * {@link CloseReason#UPSTREAM_RESET}, passed on as a reset where the other endpoint is a socket; any
 * other failure ends it with {@link CloseReason#IO_ERROR}.
 *
 * <p><b>Options.</b> From {@link RelayOptions}: {@code bufferSize}; {@code maxTunnels} and
 * {@code bufferBudgetBytes} (each running tunnel holds two heap buffers for its whole life, since a
 * blocking read needs its buffer while it waits; {@link #open} refuses when two more would exceed the
 * budget); and the timeouts {@code idleTimeout}, {@code sendStallTimeout} (here: one write and its
 * flush, at most one buffer, that has not returned), {@code halfClosedTimeout} and
 * {@code maxLifetime}, all checked by one shared timeout thread as often as {@link RelayOptions}
 * says. {@code loops}, {@code tcpNoDelay}, {@code keepAlive}, {@code closeHook} and
 * {@code tlsFinWithoutCloseNotifyAsEnd} do not apply:
 * threads come from the executor, and socket options are the endpoints' business.
 *
 * <p><b>Threads.</b> Each tunnel occupies two executor threads until it ends, so the executor must
 * start a thread per task or have two free threads per tunnel ({@link RelayOptions#maxTunnels()}
 * caps them): a cached thread pool, a virtual-thread-per-task executor on Java 21+, or a container
 * pool sized for it. It must not run tasks on the calling thread. The relay never shuts the executor
 * down. One daemon thread per relay checks the timeouts, and closes endpoints when one fires. All
 * methods are thread-safe.
 *
 * <p><b>Ownership.</b> Endpoints handed to {@link #open} stay the caller's on
 * {@link StreamOpening.Refused}; on {@link StreamOpening.Opened} the relay owns them and closes them,
 * whatever happens. The relay's timeout thread is released by {@link #close()}.
 *
 * <p><b>What it does not do.</b> It does not parse heads or decide whether to switch (see
 * {@code io.github.upgrade4j.upgrade}), does not drain gracefully (a {@link #close()} ends every
 * tunnel at once), and cannot interrupt a stream whose close action does not unblock its reads: such
 * an endpoint keeps one task busy until its read returns.
 */
public final class StreamRelay implements AutoCloseable {
    static final System.Logger LOG = System.getLogger(StreamRelay.class.getName());
    private static final long MIN_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Executor executor;
    private final RelayOptions options;
    private final Set<StreamSession> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger active = new AtomicInteger();
    final Counters counters = new Counters();
    private final @Nullable ScheduledThreadPoolExecutor timeouts;
    private volatile boolean closed;

    private StreamRelay(Executor executor, RelayOptions options) {
        this.executor = executor;
        this.options = options;
        long shortest = shortestTimeout(options);
        if (shortest == 0) {
            this.timeouts = null;
        } else {
            this.timeouts = new ScheduledThreadPoolExecutor(1, r -> {
                Thread thread = new Thread(r, "upgrade4j-stream-timeouts");
                thread.setDaemon(true);
                return thread;
            });
            long period = Math.max(MIN_SWEEP_NANOS, Math.min(MAX_SWEEP_NANOS, shortest / 4));
            timeouts.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.NANOSECONDS);
        }
    }

    /** Starts a relay with {@link RelayOptions#standard()} whose tunnels run on {@code executor}. */
    public static StreamRelay start(Executor executor) {
        return start(executor, RelayOptions.standard());
    }

    /**
     * Starts a relay whose tunnels run on {@code executor}; its timeout thread, if any timeout is set,
     * runs until {@link #close()}.
     */
    public static StreamRelay start(Executor executor, RelayOptions options) {
        return new StreamRelay(Objects.requireNonNull(executor, "executor"), Objects.requireNonNull(options, "options"));
    }

    /** The options this relay was started with. */
    public RelayOptions options() {
        return options;
    }

    /** Tunnels opened and not yet ended: {@link #stats()}{@code .activeTunnels()} without the counters. */
    public int activeTunnels() {
        return active.get();
    }

    /**
     * The relay's load now and its counters since it started: tunnels opened, refusals and ends by
     * reason, the bytes of the tunnels that ended. The counters cost nothing per byte: they move when
     * {@link #open} answers and when a tunnel's outcome completes. Every refusal {@code open} answers
     * is counted, and every opened tunnel is counted once as ended with its outcome's reason, whichever
     * way it ends (its peers, a timeout, {@link StreamTunnel#close()}, {@link #close()}, a failure),
     * once both its tasks have returned. The load figures follow the budget's accounting:
     * {@code buffersBorrowed} is two per running tunnel and {@code pooledBytes} is 0.
     */
    public RelayStats stats() {
        int running = active.get();
        return counters.snapshot(running, 2 * running, 0, options.bufferBudgetBytes());
    }

    /**
     * Starts relaying between {@code client} and {@code upstream}, or refuses before touching either.
     * Returns at once: two tasks go to the executor and begin with the leftovers. On
     * {@link StreamOpening.Opened} the relay owns both endpoints (the caller must not use them again);
     * on {@link StreamOpening.Refused} they are untouched and still the caller's. If the executor
     * rejects the first task, the answer is a {@link RefusalReason#SHUT_DOWN} refusal; if it accepts the
     * first and rejects the second, the tunnel is opened and ends at once with
     * {@link CloseReason#IO_ERROR}, since the first task may already have moved bytes.
     *
     * @throws IllegalArgumentException if both endpoints share a stream
     */
    public StreamOpening open(StreamEndpoint client, StreamEndpoint upstream) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(upstream, "upstream");
        if (client.input() == upstream.input() || client.output() == upstream.output()) {
            throw new IllegalArgumentException("expected two different endpoints but client and upstream share a stream");
        }
        if (closed) {
            return shutDown();
        }
        int running;
        do {
            running = active.get();
            if (running >= options.maxTunnels()) {
                return refused(RefusalReason.TUNNEL_LIMIT, "expected fewer than "
                        + options.maxTunnels() + " running tunnels but " + running + " are running");
            }
            long needed = 2L * options.bufferSize() * (running + 1);
            if (needed > options.bufferBudgetBytes()) {
                return refused(RefusalReason.BUFFER_BUDGET, "expected room for 2 more buffers of "
                        + options.bufferSize() + " bytes but " + running + " running tunnels hold " + 2L * running
                        + " of the " + options.bufferBudgetBytes() + "-byte budget");
            }
        } while (!active.compareAndSet(running, running + 1));
        StreamSession session = new StreamSession(this, client, upstream);
        sessions.add(session);
        if (closed) { // a close began meanwhile and may not have seen this session
            forget(session);
            return shutDown();
        }
        try {
            executor.execute(session.toUpstream);
        } catch (RejectedExecutionException e) {
            forget(session);
            return refused(RefusalReason.SHUT_DOWN,
                    "expected the executor to accept the relay's tasks but it rejected them: " + e.getMessage());
        }
        // Counted before the second task exists, without which the tunnel cannot end: no snapshot shows
        // it ended but not opened.
        counters.opened();
        try {
            executor.execute(session.toClient);
        } catch (RejectedExecutionException e) {
            session.pumpExited(); // it never ran
            session.end(CloseReason.IO_ERROR, new IOException(
                    "the executor accepted the relay's first task but rejected the second", e), true, true);
        }
        return new StreamOpening.Opened(session.view);
    }

    private StreamOpening shutDown() {
        return refused(RefusalReason.SHUT_DOWN, "expected a running relay but it was closed");
    }

    /** Every refusal {@link #open} answers goes through here, to be counted. */
    private StreamOpening refused(RefusalReason reason, String detail) {
        counters.refused(reason);
        return new StreamOpening.Refused(reason, detail);
    }

    /** Undoes the bookkeeping of a session that never started. */
    private void forget(StreamSession session) {
        if (sessions.remove(session)) {
            active.decrementAndGet();
        }
    }

    /** A session ended: it no longer counts toward the limits. */
    void ended(StreamSession session) {
        forget(session);
    }

    private void sweep() {
        long now = System.nanoTime();
        long idle = options.idleTimeout().toNanos();
        long stall = options.sendStallTimeout().toNanos();
        long halfClosed = options.halfClosedTimeout().toNanos();
        long lifetime = options.maxLifetime().toNanos();
        for (StreamSession session : sessions) {
            try {
                session.checkDeadlines(now, idle, stall, halfClosed, lifetime);
            } catch (RuntimeException e) { // the sweeper must survive whatever a close action throws
                LOG.log(System.Logger.Level.WARNING, "checking a stream tunnel's deadlines failed", e);
            }
        }
    }

    private static long shortestTimeout(RelayOptions options) {
        long shortest = 0;
        for (Duration timeout : new Duration[] {options.idleTimeout(), options.sendStallTimeout(),
                options.halfClosedTimeout(), options.maxLifetime()}) {
            long nanos = timeout.toNanos();
            if (nanos > 0 && (shortest == 0 || nanos < shortest)) {
                shortest = nanos;
            }
        }
        return shortest;
    }

    /**
     * Shuts down at once: refuses new tunnels, ends every running one with {@link CloseReason#SHUTDOWN}
     * (each endpoint's close action, on this thread) and stops the timeout thread. Does not wait for
     * the tunnels' tasks and does not shut the executor down; each tunnel's outcome completes when its
     * two tasks have returned. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        for (StreamSession session : sessions) {
            session.end(CloseReason.SHUTDOWN, null, false, false);
        }
        if (timeouts != null) {
            timeouts.shutdownNow();
        }
    }

    @Override
    public String toString() {
        RelayStats stats = stats();
        return "StreamRelay[active=" + stats.activeTunnels() + ", opened=" + stats.tunnelsOpened() + ", refused="
                + stats.tunnelsRefused() + ", " + (closed ? "closed" : "running") + "]";
    }
}
