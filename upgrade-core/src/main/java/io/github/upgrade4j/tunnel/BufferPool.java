package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The buffers of one relay, shared by its threads under one budget: direct for a {@link TunnelRelay},
 * heap arrays for a {@link StreamRelay} (whose streams take {@code byte[]}); and a relay's kernel
 * {@link Pipe}s on the splice path, under the same budget, each charged one buffer's size (the most
 * bytes one holds).
 *
 * <p>Direct, because a heap buffer handed to a socket is copied through a temporary direct buffer
 * by the JDK ({@code sun.nio.ch.IOUtil}), two extra copies per relayed byte. Pooled, because
 * {@link ByteBuffer#allocateDirect} is slow and its memory comes back only after a garbage
 * collection. Each event loop keeps a few buffers of its own ({@link EventLoop#borrow}), so the
 * common borrow and return touch no lock; this shared stack holds the rest.
 *
 * <p>Invariant: {@link #allocatedBytes()} = bytes of every buffer made and not yet forgotten, and of
 * every pipe made and not yet closed, pooled (here or in a loop's cache) or borrowed; it never exceeds
 * the budget. A pooled pipe is empty.
 *
 * <p>Buffers and pipes share the budget, so an idle one of either kind may stand in the way of the
 * other: when the budget is spent, taking one drops an idle one of the other kind from the shared
 * stacks (a buffer is left to the collector, a pipe is closed) to make room. Loops hand their cached
 * spares to the shared stacks while a direction waits ({@link #wanted()}). The pool never shrinks while
 * the relay runs: what a burst made stays for the next burst, within the budget.
 *
 * <p>Thread-safe.
 */
final class BufferPool {
    private final int bufferSize;
    private final long budget;
    private final boolean direct;
    private final AtomicLong allocated = new AtomicLong();
    /** Directions, on any loop, waiting for a buffer; while any wait, loops keep no cache. */
    private final AtomicInteger waiters = new AtomicInteger();
    /** Guarded by {@code this}; last in, first out, so recently used (cache-warm) buffers go out first. */
    private final ArrayDeque<ByteBuffer> shared = new ArrayDeque<>();
    /** Empty pipes; guarded by {@code this}. */
    private final ArrayDeque<Pipe> pipes = new ArrayDeque<>();
    /** Whether the JVM's refusal of a buffer was logged: once per pool. */
    private volatile boolean outOfMemoryLogged;
    /** Pipes made and not yet closed, pooled or borrowed. */
    private final AtomicInteger pipesOpen = new AtomicInteger();

    BufferPool(int bufferSize, long budget, boolean direct) {
        this.bufferSize = bufferSize;
        this.budget = budget;
        this.direct = direct;
    }

    int bufferSize() {
        return bufferSize;
    }

    long budget() {
        return budget;
    }

    long allocatedBytes() {
        return allocated.get();
    }

    /** A pooled buffer, or a new one if the budget allows, or null when the budget is spent. */
    @Nullable ByteBuffer take() {
        synchronized (this) {
            ByteBuffer pooled = shared.pollFirst();
            if (pooled != null) {
                return pooled;
            }
        }
        if (!reserve(false)) {
            return null;
        }
        try {
            return direct ? ByteBuffer.allocateDirect(bufferSize) : ByteBuffer.allocate(bufferSize);
        } catch (OutOfMemoryError e) { // the JVM's direct-memory limit (or the heap) before the budget
            allocated.addAndGet(-bufferSize);
            if (!outOfMemoryLogged) {
                outOfMemoryLogged = true;
                System.getLogger(BufferPool.class.getName()).log(System.Logger.Level.WARNING, "the JVM refused a "
                        + bufferSize + "-byte relay buffer with " + allocated.get() + " bytes of them made (" + e
                        .getMessage() + "); directions wait and new tunnels are refused as when the budget is spent:"
                        + " lower RelayOptions.bufferBudgetBytes() or raise -XX:MaxDirectMemorySize");
            }
            return null;
        }
    }

    /**
     * A pooled pipe, or a new one if the budget allows, or null when the budget is spent.
     *
     * @throws IOException if the kernel refused a new pipe (out of descriptors, most likely)
     */
    @Nullable Pipe takePipe(Syscalls kernel) throws IOException {
        synchronized (this) {
            Pipe pooled = pipes.pollFirst();
            if (pooled != null) {
                return pooled;
            }
        }
        if (!reserve(true)) {
            return null;
        }
        Pipe pipe;
        try {
            pipe = kernel.pipe(bufferSize);
        } catch (IOException | RuntimeException e) {
            allocated.addAndGet(-bufferSize);
            throw e;
        }
        pipesOpen.incrementAndGet();
        return pipe;
    }

    /** Takes back an empty pipe that a loop does not keep. */
    void givePipe(Pipe pipe) {
        synchronized (this) {
            pipes.addFirst(pipe);
        }
    }

    /** Closes a pipe that is not pooled (it holds bytes, or its loop stopped) and frees its share of the budget. */
    void close(Pipe pipe) {
        Kernel.close(pipe);
        pipesOpen.decrementAndGet();
        allocated.addAndGet(-bufferSize);
    }

    /** Pipes made and not yet closed: each holds two descriptors. */
    int pipesOpen() {
        return pipesOpen.get();
    }

    /** Reserves one buffer's share of the budget, dropping an idle one of the other kind if that makes room. */
    private boolean reserve(boolean forPipe) {
        while (true) {
            long now = allocated.get();
            if (now + bufferSize <= budget) {
                if (allocated.compareAndSet(now, now + bufferSize)) {
                    return true;
                }
            } else if (!dropIdle(forPipe)) {
                return false;
            }
        }
    }

    /** Drops one idle buffer (for a pipe) or closes one idle pipe (for a buffer); false if there is none. */
    private boolean dropIdle(boolean buffer) {
        if (buffer) {
            ByteBuffer idle;
            synchronized (this) {
                idle = shared.pollLast();
            }
            if (idle == null) {
                return false;
            }
            forget(1);
            return true;
        }
        Pipe idle;
        synchronized (this) {
            idle = pipes.pollLast();
        }
        if (idle == null) {
            return false;
        }
        close(idle);
        return true;
    }

    /** Takes back a buffer that a loop does not keep. */
    void give(ByteBuffer buffer) {
        synchronized (this) {
            shared.addFirst(buffer);
        }
    }

    /** Counts directions that start ({@code +n}) or stop ({@code -n}) waiting for a buffer. */
    void waiting(int delta) {
        waiters.addAndGet(delta);
    }

    /** Whether a direction somewhere waits for a buffer: returned buffers should go to the shared stack. */
    boolean wanted() {
        return waiters.get() > 0;
    }

    /** Forgets {@code count} buffers that are dropped (a stopped loop's); the collector frees their memory. */
    void forget(int count) {
        allocated.addAndGet(-(long) count * bufferSize);
    }

    /** Drops every shared buffer and closes every shared pipe. */
    void clear() {
        int count;
        Pipe[] closing;
        synchronized (this) {
            count = shared.size();
            shared.clear();
            closing = pipes.toArray(new Pipe[0]);
            pipes.clear();
        }
        forget(count);
        for (Pipe pipe : closing) {
            close(pipe);
        }
    }
}
