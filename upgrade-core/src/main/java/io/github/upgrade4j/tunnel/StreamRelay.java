package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 * Opening opening = relay.open(
 *         new StreamEndpoint(connection.getInputStream(), out, ByteBuffer.allocate(0), out, connection),
 *         StreamEndpoint.of(upstreamSocket, upstreamBytesAfter101));
 * if (opening instanceof Opening.Opened opened) {
 *     opened.tunnel().outcome().thenAccept(outcome -> log(outcome.reason()));
 * } else {
 *     connection.close(); upstreamSocket.close();   // refused: the endpoints are still yours
 * }
 * }</pre>
 *
 * <p><b>What it guarantees.</b> Each endpoint's leftover reaches the other side first, exactly once,
 * in order. Each direction reads at most one buffer and writes and flushes it before reading again, so
 * a side that does not read blocks the other side's reading through the streams' own backpressure;
 * nothing is queued beyond that buffer. When one side's input ends, the other side is half-closed
 * ({@link StreamEndpoint#halfClose()}) after every byte before the end was written, and the tunnel
 * lives until both directions are done. A read or write that fails with a reset ends the tunnel with
 * {@link CloseReason#CLIENT_RESET} or {@link CloseReason#UPSTREAM_RESET}, passed on as a reset where
 * the other endpoint is a socket; any other failure ends it with {@link CloseReason#IO_ERROR}.
 *
 * <p><b>Memory.</b> A blocking read needs its buffer while it waits, so each running tunnel holds two
 * read arrays of 2 KiB for its life. While bytes keep arriving (a read fills its array and the input
 * reports more {@linkplain java.io.InputStream#available() available}), a direction borrows a heap
 * buffer of {@link RelayOptions#bufferSize()} from the relay's pool and gives it back before a read
 * could block: an idle tunnel holds no big buffer. {@link RelayOptions#bufferBudgetBytes()} covers
 * both: {@link #start} checks that {@link RelayOptions#maxTunnels()} tunnels' read arrays and two
 * buffers fit in it (so the tunnel limit is the only limit on opening), and a direction that finds no
 * buffer within the budget goes on with its small array.
 *
 * <p><b>Options.</b> From {@link RelayOptions}: {@code bufferSize}, {@code bufferBudgetBytes},
 * {@code maxTunnels}, {@code closeHook} (written by {@link #drain}), and the timeouts
 * {@code idleTimeout}, {@code sendStallTimeout} (here: one write and its flush that has not
 * returned), {@code halfClosedTimeout} and {@code maxLifetime}, all checked by one shared timeout
 * thread as often as {@link RelayOptions} says. {@code loops}, {@code tcpNoDelay}, {@code keepAlive},
 * and {@code tlsFinWithoutCloseNotifyAsEnd} do not apply: threads come from the executor, and socket
 * options are the endpoints' business.
 *
 * <p><b>Threads.</b> Each tunnel occupies two executor threads until it ends, so the executor must
 * start a thread per task or have two free threads per tunnel ({@link RelayOptions#maxTunnels()}
 * caps them): a cached thread pool, a virtual-thread-per-task executor on Java 21+, or a container
 * pool sized for it. It must not run tasks on the calling thread. The relay never shuts the executor
 * down. One daemon thread per relay checks the timeouts and a drain's deadline, and closes endpoints
 * when one fires. All methods are thread-safe.
 *
 * <p><b>Ownership.</b> Endpoints handed to {@link #open} stay the caller's on
 * {@link Opening.Refused}; on {@link Opening.Opened} the relay owns them and closes them, whatever
 * happens. The relay's timeout thread is released by {@link #close()}.
 *
 * <p><b>What it does not do.</b> It does not parse heads or decide whether to switch (see
 * {@code io.github.upgrade4j.upgrade}), and cannot interrupt a stream whose close action does not
 * unblock its reads: such an endpoint keeps one task busy until its read returns.
 */
public final class StreamRelay implements AutoCloseable {
    static final System.Logger LOG = System.getLogger(StreamRelay.class.getName());
    /** How long a drain's closing bytes may take to write before the tunnel is closed regardless. */
    private static final long CLOSING_WRITE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Executor executor;
    private final RelayOptions options;
    private final Deadlines deadlines;
    private final BufferPool pool;
    private final AtomicInteger borrowed = new AtomicInteger();
    private final Set<StreamSession> sessions = ConcurrentHashMap.newKeySet();
    private final Admission admission;
    private final ScheduledThreadPoolExecutor timeouts;
    private final Object lock = new Object();
    /** When a drain's grace ends, from {@link System#nanoTime()}; guarded by {@link #lock}. */
    private long drainDeadline;
    private boolean drainDue;
    private boolean sweeping;

    private StreamRelay(Executor executor, RelayOptions options) {
        long held = (long) options.maxTunnels() * 2 * StreamPump.IDLE_READ;
        long needed = held + 2L * options.bufferSize();
        if (options.bufferBudgetBytes() < needed) {
            throw new IllegalArgumentException("expected bufferBudgetBytes >= " + needed + " for a StreamRelay (the "
                    + "two 2 KiB read arrays of each of maxTunnels = " + options.maxTunnels() + " tunnels, and two "
                    + "buffers of " + options.bufferSize() + " bytes) but was " + options.bufferBudgetBytes()
                    + ": raise the budget or lower maxTunnels");
        }
        this.executor = executor;
        this.options = options;
        this.deadlines = Deadlines.of(options);
        this.pool = new BufferPool(options.bufferSize(), options.bufferBudgetBytes() - held, false);
        this.admission = new Admission(options);
        this.timeouts = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "upgrade4j-stream-timeouts");
            thread.setDaemon(true);
            return thread;
        });
        timeouts.setRemoveOnCancelPolicy(true);
        if (deadlines.any()) {
            startSweeping();
        }
    }

    /** Starts a relay with {@link RelayOptions#standard()} whose tunnels run on {@code executor}. */
    public static StreamRelay start(Executor executor) {
        return start(executor, RelayOptions.standard());
    }

    /**
     * Starts a relay whose tunnels run on {@code executor}; its timeout thread, if any timeout is set,
     * runs until {@link #close()}.
     *
     * @throws IllegalArgumentException if {@link RelayOptions#maxTunnels()} tunnels' read arrays and
     *     two buffers do not fit in {@link RelayOptions#bufferBudgetBytes()}; the message says how much
     *     budget the tunnel limit needs
     */
    public static StreamRelay start(Executor executor, RelayOptions options) {
        return new StreamRelay(Objects.requireNonNull(executor, "executor"), Objects.requireNonNull(options, "options"));
    }

    /** The options this relay was started with. */
    public RelayOptions options() {
        return options;
    }

    /**
     * The relay's load now and its counters since it started: tunnels opened, refusals and ends by
     * reason, the bytes of the tunnels that ended. The counters cost nothing per byte: they move when
     * {@link #open} answers and when a tunnel's outcome completes. Every refusal {@code open} answers
     * is counted, and every opened tunnel is counted once as ended with its outcome's reason, whichever
     * way it ends (its peers, a timeout, {@link Tunnel#close()}, {@link #drain}, {@link #close()}, a
     * failure), once both its tasks have returned. {@code buffersBorrowed} counts the big buffers of
     * bursts in flight (the small read arrays are not counted there), {@code pooledBytes} the big
     * buffers made earlier and idle in the pool.
     */
    public RelayStats stats() {
        int inFlight = borrowed.get();
        long pooled = Math.max(0, pool.allocatedBytes() - (long) inFlight * pool.bufferSize());
        return admission.counters.snapshot(admission.active(), inFlight, pooled, options.bufferBudgetBytes());
    }

    /**
     * Starts relaying between {@code client} and {@code upstream}, or refuses before touching either.
     * Returns at once: two tasks go to the executor and begin with the leftovers. On
     * {@link Opening.Opened} the relay owns both endpoints (the caller must not use them again); on
     * {@link Opening.Refused} they are untouched and still the caller's: {@link RefusalReason#TUNNEL_LIMIT},
     * or {@link RefusalReason#SHUT_DOWN} when the relay drains or is closed, or the executor rejects
     * the first task. If the executor accepts the first task and rejects the second, the tunnel is
     * opened and ends at once with {@link CloseReason#IO_ERROR}, since the first task may already have
     * moved bytes.
     *
     * @throws IllegalArgumentException if both endpoints share a stream
     */
    public Opening open(StreamEndpoint client, StreamEndpoint upstream) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(upstream, "upstream");
        if (client.input() == upstream.input() || client.output() == upstream.output()) {
            throw new IllegalArgumentException("expected two different endpoints but client and upstream share a stream");
        }
        Opening.Refused refused = admission.claim();
        if (refused != null) {
            return refused;
        }
        StreamSession session = new StreamSession(this, client, upstream);
        sessions.add(session);
        if (!admission.running()) { // a drain or close began meanwhile and may not have seen this session
            sessions.remove(session);
            return admission.unclaim(RefusalReason.SHUT_DOWN, "expected a running relay but it was "
                    + admission.stateName());
        }
        try {
            executor.execute(session.toUpstream);
        } catch (RejectedExecutionException e) {
            sessions.remove(session);
            return admission.unclaim(RefusalReason.SHUT_DOWN,
                    "expected the executor to accept the relay's tasks but it rejected them: " + e.getMessage());
        }
        // Counted before the second task exists, without which the tunnel cannot end: no snapshot shows
        // it ended but not opened.
        admission.opened(session);
        try {
            executor.execute(session.toClient);
        } catch (RejectedExecutionException e) {
            session.pumpExited(); // it never ran
            session.end(CloseReason.IO_ERROR, new IOException(
                    "the executor accepted the relay's first task but rejected the second", e), Abort.BOTH);
        }
        return new Opening.Opened(session);
    }

    Admission admission() {
        return admission;
    }

    /** A big buffer for a burst, or null when the budget is spent. */
    @Nullable ByteBuffer borrow() {
        ByteBuffer buffer = pool.take();
        if (buffer != null) {
            borrowed.incrementAndGet();
        }
        return buffer;
    }

    void giveBack(ByteBuffer buffer) {
        borrowed.decrementAndGet();
        pool.give(buffer);
    }

    /** A session ended: the sweeper no longer looks at it. */
    void forget(StreamSession session) {
        sessions.remove(session);
    }

    /**
     * Drains the relay: from now on {@link #open} refuses with {@link RefusalReason#SHUT_DOWN};
     * running tunnels go on for {@code grace}, and those still open then get the
     * {@link RelayOptions#closeHook()}'s bytes on each side (on an executor thread, toward a side whose
     * relayed writes are complete; a write that does not finish within a second is cut short by the
     * close) and are closed with {@link CloseReason#SHUTDOWN}. A second call returns the same
     * completion and its grace is ignored.
     *
     * @param grace how long running tunnels may go on; {@link Duration#ZERO} closes them at once
     * @return completes when every tunnel has ended; completing the returned future does nothing to
     *     the relay
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public CompletableFuture<Void> drain(Duration grace) {
        long deadline = System.nanoTime() + TunnelRelay.graceNanos(grace);
        if (admission.startDrain()) {
            synchronized (lock) {
                drainDeadline = deadline;
                drainDue = true;
            }
            startSweeping();
            timeouts.execute(this::sweep); // a zero grace closes at once
        }
        return admission.drained();
    }

    private void startSweeping() {
        synchronized (lock) {
            if (sweeping) {
                return;
            }
            sweeping = true;
        }
        long period = deadlines.tickNanos();
        try {
            timeouts.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile: every tunnel was ended by close()
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        boolean shut;
        long deadline;
        synchronized (lock) {
            shut = drainDue && now - drainDeadline >= 0;
            deadline = drainDeadline;
        }
        for (StreamSession session : sessions) {
            try {
                if (shut) {
                    shutDown(session, now - deadline >= CLOSING_WRITE_NANOS);
                } else {
                    session.checkDeadlines(now, deadlines);
                }
            } catch (RuntimeException e) { // the sweeper must survive whatever a close action throws
                LOG.log(System.Logger.Level.WARNING, "checking a stream tunnel's deadlines failed", e);
            }
        }
    }

    /** Past a drain's deadline: the closing bytes on an executor thread once, or the end itself once they had their time. */
    private void shutDown(StreamSession session, boolean overdue) {
        if (overdue) {
            session.end(CloseReason.SHUTDOWN, null, Abort.NONE);
            return;
        }
        if (!session.claimShutdown()) {
            return; // its task runs or ran
        }
        try {
            executor.execute(() -> session.shutdown(options.closeHook()));
        } catch (RejectedExecutionException e) {
            session.end(CloseReason.SHUTDOWN, null, Abort.NONE);
        }
    }

    /**
     * Shuts down at once: refuses new tunnels, ends every running one with {@link CloseReason#SHUTDOWN}
     * (each endpoint's close action, on this thread, without closing bytes) and stops the timeout
     * thread. Does not wait for the tunnels' tasks and does not shut the executor down; each tunnel's
     * outcome completes when its two tasks have returned. Idempotent.
     */
    @Override
    public void close() {
        admission.close();
        for (StreamSession session : sessions) {
            session.end(CloseReason.SHUTDOWN, null, Abort.NONE);
        }
        timeouts.shutdownNow();
    }

    @Override
    public String toString() {
        RelayStats stats = stats();
        return "StreamRelay[active=" + stats.activeTunnels() + ", opened=" + stats.tunnelsOpened() + ", refused="
                + stats.tunnelsRefused() + ", state=" + admission.stateName() + "]";
    }
}
