package io.github.upgrade4j.tunnel;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The buffers of one relay, shared by its threads under one budget: direct for a {@link TunnelRelay},
 * heap arrays for a {@link StreamRelay} (whose streams take {@code byte[]}).
 *
 * <p>Direct, because a heap buffer handed to a socket is copied through a temporary direct buffer
 * by the JDK ({@code sun.nio.ch.IOUtil}), two extra copies per relayed byte. Pooled, because
 * {@link ByteBuffer#allocateDirect} is slow and its memory comes back only after a garbage
 * collection. Each event loop keeps a few buffers of its own ({@link EventLoop#borrow}), so the
 * common borrow and return touch no lock; this shared stack holds the rest.
 *
 * <p>Invariant: {@link #allocatedBytes()} = bytes of every buffer made and not yet forgotten, pooled
 * (here or in a loop's cache) or borrowed; it never exceeds the budget. The pool never shrinks while
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
        long now;
        do {
            now = allocated.get();
            if (now + bufferSize > budget) {
                return null;
            }
        } while (!allocated.compareAndSet(now, now + bufferSize));
        return direct ? ByteBuffer.allocateDirect(bufferSize) : ByteBuffer.allocate(bufferSize);
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

    /** Drops every shared buffer. */
    void clear() {
        int count;
        synchronized (this) {
            count = shared.size();
            shared.clear();
        }
        forget(count);
    }
}
