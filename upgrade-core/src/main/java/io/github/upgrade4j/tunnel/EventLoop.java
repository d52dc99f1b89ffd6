package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One event-loop thread: a {@link Selector}, the tunnels whose two legs it serves, a small cache of
 * buffers (and, on the splice path, of empty pipes and the {@link Kernel} calls), and a periodic sweep
 * over the tunnels' deadlines.
 *
 * <p>Timers cost no heap operation per byte: each tunnel stores its deadlines' inputs as plain longs
 * (last activity, when a write blocked, start), updated once per I/O event, and the sweep compares
 * them with the clock every {@link #tickNanos}. A sweep over 10,000 tunnels is a linear pass of a few
 * comparisons each, well under a millisecond.
 *
 * <p>Other threads talk to the loop only through {@link #execute}, a queue drained on the loop.
 * {@link #load}, {@link #borrowed} and {@link #borrowedPipes} are the only fields other threads read.
 */
final class EventLoop implements Runnable {
    static final System.Logger LOG = System.getLogger(TunnelRelay.class.getName());
    /** Buffers a loop keeps for itself before handing returns to the shared pool. */
    private static final int CACHE = 8;

    final TunnelRelay relay;
    final RelayOptions options;
    private final BufferPool pool;
    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Consumer<SelectionKey> onReady = this::ready;

    final Deadlines deadlines;
    private final long tickNanos;
    /** Reads (or splices) per pump: {@link Direction#BYTES_PER_PUMP} in buffers, at least one. */
    final int rounds;
    /** Bytes moved at once from which a direction splices: {@link Direction#SPLICE_AT}, at most half a buffer. */
    final int spliceAt;

    /** Tunnels assigned to this loop and not yet ended, registered or not; read by {@link TunnelRelay#open}. */
    final AtomicInteger load = new AtomicInteger();
    /** Buffers borrowed by this loop's tunnels; written by the loop only. */
    volatile int borrowed;
    /** Pipes borrowed by this loop's tunnels; written by the loop only. */
    volatile int borrowedPipes;
    /** The splice path's system calls, confined to this loop; null when the relay copies. */
    final @Nullable Syscalls kernel;

    private Session[] sessions = new Session[16];
    private int sessionCount;
    private final ByteBuffer[] cache = new ByteBuffer[CACHE];
    private int cached;
    private final Pipe[] pipeCache = new Pipe[CACHE];
    private int cachedPipes;
    private final ArrayDeque<Direction> waiters = new ArrayDeque<>();
    /** Tunnels with decrypted-but-unread TLS records: pumped after the next select, which then does not wait. */
    private final ArrayDeque<Session> again = new ArrayDeque<>();
    private boolean returned;

    /** The clock at the current event, from {@link System#nanoTime()}. */
    long now;
    private long nextSweep;
    private boolean draining;
    private long drainDeadline;
    volatile boolean stopping;
    private volatile boolean terminated;

    EventLoop(TunnelRelay relay, RelayOptions options, Deadlines deadlines, BufferPool pool,
            @Nullable Syscalls kernel, int number) throws IOException {
        this.relay = relay;
        this.kernel = kernel;
        this.options = options;
        this.deadlines = deadlines;
        this.pool = pool;
        this.selector = Selector.open();
        this.tickNanos = deadlines.tickNanos();
        this.rounds = Math.max(1, Direction.BYTES_PER_PUMP / options.bufferSize());
        this.spliceAt = Math.min(Direction.SPLICE_AT, options.bufferSize() / 2);
        this.thread = new Thread(this, "upgrade4j-relay-" + number);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Runs {@code task} on the loop; after the loop stopped, on the caller's thread (tasks check {@link #stopping}). */
    void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() != thread) {
            selector.wakeup();
            if (terminated) {
                runTasks();
            }
        }
    }

    @Override
    public void run() {
        now = System.nanoTime();
        nextSweep = now + tickNanos;
        try {
            while (!stopping) {
                if (again.isEmpty()) {
                    long timeoutMillis = 0; // none: nothing to sweep, wait for a task
                    if (sessionCount > 0 || draining || !waiters.isEmpty()) {
                        timeoutMillis = Math.max(1, (nextSweep - System.nanoTime() + 999_999) / 1_000_000);
                    }
                    selector.select(onReady, timeoutMillis);
                } else {
                    selector.selectNow(onReady);
                }
                runTasks();
                now = System.nanoTime();
                if (now - nextSweep >= 0) {
                    sweep();
                    nextSweep = now + tickNanos;
                }
                if (returned && !waiters.isEmpty()) {
                    retryWaiters();
                }
                if (!again.isEmpty()) {
                    runAgain();
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "relay event loop " + thread.getName() + " failed; closing its tunnels", e);
        } finally {
            shutdown();
        }
    }

    private void ready(SelectionKey key) {
        Session session = (Session) key.attachment();
        if (session.closed || !key.isValid()) {
            return;
        }
        now = System.nanoTime();
        try {
            session.ready(key, key.readyOps());
        } catch (RuntimeException e) { // a bug: end this tunnel, keep the others running
            failed(session, e);
        }
    }

    private static void failed(Session session, RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "relay bug; closing the tunnel", e);
        session.end(CloseReason.IO_ERROR, new IOException("relay failure: " + e, e), Abort.BOTH);
    }

    /** Queues {@code session} to be pumped after the next select, once. */
    void again(Session session) {
        if (!session.queued) {
            session.queued = true;
            again.addLast(session);
        }
    }

    private void runAgain() {
        for (int n = again.size(); n > 0; n--) { // those queued meanwhile wait for the next round
            Session session = again.pollFirst();
            if (session == null) {
                break;
            }
            session.queued = false;
            if (!session.closed) {
                now = System.nanoTime();
                try {
                    session.settle(0, 0); // the records the source holds make it busy
                } catch (RuntimeException e) {
                    failed(session, e);
                }
            }
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            now = System.nanoTime();
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "relay task failed", e);
            }
        }
    }

    private void sweep() {
        for (int i = sessionCount - 1; i >= 0; i--) {
            if (i < sessionCount) { // a close may have removed more than one
                sessions[i].checkDeadlines(now);
            }
        }
        if (draining && now - drainDeadline >= 0) {
            CloseHook hook = options.closeHook();
            for (int i = sessionCount - 1; i >= 0; i--) {
                if (i < sessionCount) {
                    sessions[i].shutdown(hook);
                }
            }
        }
        if (pool.wanted()) { // a loop, maybe this one, waits: let it have this loop's spare buffers and pipes
            while (cached > 0) {
                pool.give(cache[--cached]);
                cache[cached] = null;
            }
            while (cachedPipes > 0) {
                pool.givePipe(pipeCache[--cachedPipes]);
                pipeCache[cachedPipes] = null;
            }
        }
        if (!waiters.isEmpty()) {
            retryWaiters(); // a buffer may have come back to another loop or the shared pool
        }
    }

    private void retryWaiters() {
        returned = false;
        for (int n = waiters.size(); n > 0; n--) {
            Direction direction = waiters.pollFirst();
            if (direction == null) {
                break;
            }
            pool.waiting(-1);
            direction.session.retry(direction); // may queue itself again
        }
    }

    /** On the loop: from now on, tunnels still open at {@code deadline} are closed with the hook. */
    void startDrain(long deadline) {
        draining = true;
        drainDeadline = deadline;
        if (now - deadline >= 0) {
            sweep();
        }
    }

    /** Asks the loop to close everything and end; returns at once. */
    void stop() {
        stopping = true;
        selector.wakeup();
    }

    void join() throws InterruptedException {
        if (Thread.currentThread() != thread) {
            thread.join();
        }
    }

    private void shutdown() {
        stopping = true;
        for (int i = sessionCount - 1; i >= 0; i--) {
            if (i < sessionCount) {
                sessions[i].end(CloseReason.SHUTDOWN, null, Abort.NONE);
            }
        }
        pool.waiting(-waiters.size());
        waiters.clear();
        again.clear();
        runTasks(); // registrations not yet run: their sessions are closed unregistered
        terminated = true;
        runTasks(); // what was queued while the flag was going up
        try {
            selector.close(); // releases the descriptors of every channel closed since the last select
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not close a relay selector", e);
        }
        pool.forget(cached + borrowed);
        Arrays.fill(cache, null);
        cached = 0;
        borrowed = 0;
        while (cachedPipes > 0) { // every session has ended and closed the pipes it held
            pool.close(pipeCache[--cachedPipes]);
            pipeCache[cachedPipes] = null;
        }
    }

    SelectionKey register(SocketChannel channel, Session session) throws ClosedChannelException {
        return channel.register(selector, 0, session);
    }

    void add(Session session) {
        if (sessionCount == sessions.length) {
            sessions = Arrays.copyOf(sessions, sessionCount * 2);
        }
        session.index = sessionCount;
        sessions[sessionCount++] = session;
    }

    void remove(Session session) {
        int i = session.index;
        if (i < 0) {
            return;
        }
        Session last = sessions[--sessionCount];
        sessions[i] = last;
        last.index = i;
        sessions[sessionCount] = null;
        session.index = -1;
    }

    /** A tunnel of this loop ended; true if it was the last one of a drain. */
    boolean ended() {
        load.decrementAndGet();
        return relay.admission().ended();
    }

    /** A buffer for bytes in flight: from this loop's cache, the shared pool, or new within the budget. */
    @Nullable ByteBuffer borrow() {
        ByteBuffer b;
        if (cached > 0) {
            b = cache[--cached];
            cache[cached] = null;
        } else {
            b = pool.take();
            if (b == null) {
                return null;
            }
        }
        borrowed = borrowed + 1; // single writer
        return b;
    }

    void giveBack(ByteBuffer b) {
        borrowed = borrowed - 1;
        returned = true;
        if (stopping) {
            pool.forget(1);
        } else if (cached < CACHE && !pool.wanted()) {
            cache[cached++] = b;
        } else {
            pool.give(b);
        }
    }

    /**
     * A pipe for bytes in flight: from this loop's cache, the shared pool, or new within the budget;
     * null when the budget is spent.
     *
     * @throws IOException if the kernel refused a new pipe (out of descriptors): the caller copies
     */
    @Nullable Pipe borrowPipe() throws IOException {
        Pipe p;
        if (cachedPipes > 0) {
            p = pipeCache[--cachedPipes];
            pipeCache[cachedPipes] = null;
        } else {
            p = pool.takePipe(Objects.requireNonNull(kernel, "kernel"));
            if (p == null) {
                return null;
            }
        }
        borrowedPipes = borrowedPipes + 1; // single writer
        return p;
    }

    /** Takes a pipe back: kept if empty, closed if bytes are left in it (its tunnel ended). */
    void giveBackPipe(Pipe p) {
        borrowedPipes = borrowedPipes - 1;
        returned = true;
        if (p.pending != 0 || stopping) {
            pool.close(p);
        } else if (cachedPipes < CACHE && !pool.wanted()) {
            pipeCache[cachedPipes++] = p;
        } else {
            pool.givePipe(p);
        }
    }

    /** Queues a direction that found no buffer; it is retried when one comes back. */
    void await(Direction direction) {
        waiters.addLast(direction);
        pool.waiting(1);
    }
}
