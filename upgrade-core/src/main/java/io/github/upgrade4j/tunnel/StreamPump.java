package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One direction of a stream tunnel, run as one task on the caller's executor: the source's leftover,
 * then blocking reads from the source's input, each written and flushed to the sink's output before
 * the next read, then the sink's half-close once the source's input ended.
 *
 * <p>Memory: a blocking read needs its buffer while it waits, so each pump holds a small read array of
 * {@link #IDLE_READ} bytes for its whole life, and an idle tunnel holds nothing else. A read that
 * fills it means more is probably on its way: the pump borrows a buffer of
 * {@link RelayOptions#bufferSize()} from the relay's pool and reads into it for as long as the input
 * reports bytes {@linkplain InputStream#available() available} (so that no read blocks while holding
 * it), then gives it back. Without a buffer within the budget, or from an input that never reports
 * available bytes, it goes on with the small array: slower, never stuck.
 *
 * <p>Invariants: at most one buffer of bytes is in flight (read and not yet written), so a sink that
 * does not read blocks the write and with it the reading of the source: the blocking streams' own
 * backpressure. {@link #bytes} counts bytes whose write returned; it has one writer, this task. Every
 * write to the sink, the drain's closing bytes included, holds {@link #writeLock}, so closing bytes
 * never land inside a relayed write.
 *
 * <p>The task never closes anything itself except through the session: a failed read or write
 * ends the whole tunnel ({@link StreamSession#fail}), and the session's end makes a blocked read or
 * write of the other direction fail, so both tasks return.
 */
final class StreamPump implements Runnable, Deadlines.Flow {
    /** Bytes of the read array each pump holds for its life. */
    static final int IDLE_READ = 2048;

    private final StreamSession session;
    private final StreamEndpoint source;
    private final StreamEndpoint sink;
    /** Whether the source is the client (this is the client-to-upstream direction). */
    private final boolean fromClient;
    private final ReentrantLock writeLock = new ReentrantLock();

    /** Bytes written to the sink and flushed; written only by this task, read by any thread. */
    volatile long bytes;
    /** A write (with its flush) is in progress since {@link #writeStartedNanos}. */
    private volatile boolean writing;
    private volatile long writeStartedNanos;
    /** The source's end was passed on: the sink is half-closed. */
    private volatile boolean done;

    StreamPump(StreamSession session, StreamEndpoint source, StreamEndpoint sink, boolean fromClient) {
        this.session = session;
        this.source = source;
        this.sink = sink;
        this.fromClient = fromClient;
    }

    @Override
    public boolean fromClient() {
        return fromClient;
    }

    @Override
    public boolean blocked() {
        return writing;
    }

    @Override
    public long blockedSince() {
        return writeStartedNanos;
    }

    @Override
    public boolean waiting() {
        return false;
    }

    @Override
    public boolean done() {
        return done;
    }

    @Override
    public void run() {
        try {
            if (!session.isEnded()) { // closed before this task got a thread: touch nothing
                relay();
            }
        } catch (RuntimeException | Error e) { // a stream broke its contract; end the tunnel all the same
            session.end(CloseReason.IO_ERROR, new IOException("the relay task for the "
                    + (fromClient ? "client" : "upstream") + "'s bytes failed: " + e, e), Abort.BOTH);
            if (e instanceof Error error) {
                throw error;
            }
        } finally {
            session.pumpExited();
        }
    }

    private void relay() {
        ByteBuffer leftover = source.leftover();
        if (leftover.hasRemaining()) {
            byte[] first = new byte[leftover.remaining()];
            leftover.get(first);
            if (!write(first, first.length)) {
                return;
            }
        }
        InputStream in = source.input();
        byte[] small = new byte[Math.min(IDLE_READ, session.relay.options().bufferSize())];
        while (true) {
            int n;
            try {
                n = in.read(small, 0, small.length);
            } catch (IOException e) {
                session.fail(fromClient, e);
                return;
            }
            if (n < 0) {
                break;
            }
            if (n > 0) {
                session.touch();
                if (!write(small, n) || n == small.length && !burst(in)) {
                    return;
                }
            }
        }
        session.sawEnd(this);
        try {
            sink.halfClose().close();
        } catch (Exception e) {
            session.fail(!fromClient, e instanceof IOException io ? io
                    : new IOException("the half-close of the " + (fromClient ? "upstream" : "client") + " failed: " + e, e));
            return;
        }
        done = true;
        session.touch();
        session.directionDone();
    }

    /**
     * Relays through a borrowed buffer while the input has bytes ready; false if that failed and
     * ended the tunnel. Returns the buffer before a read could block, so an idle tunnel holds none.
     */
    private boolean burst(InputStream in) {
        @Nullable ByteBuffer borrowed = session.relay.borrow();
        if (borrowed == null) {
            return true; // the budget is spent by other bursts: go on with the small array
        }
        try {
            byte[] buffer = borrowed.array();
            while (true) {
                int n;
                try {
                    if (in.available() <= 0) {
                        return true; // nothing ready: the next read may block, so not into this buffer
                    }
                    n = in.read(buffer, 0, buffer.length);
                } catch (IOException e) {
                    session.fail(fromClient, e);
                    return false;
                }
                if (n < 0) {
                    return true; // the small array's read sees the end again and passes it on
                }
                session.touch();
                if (n > 0 && !write(buffer, n)) {
                    return false;
                }
            }
        } finally {
            session.relay.giveBack(borrowed);
        }
    }

    /** Writes and flushes {@code length} bytes to the sink; false if that failed and ended the tunnel. */
    private boolean write(byte[] data, int length) {
        OutputStream out = sink.output();
        writeLock.lock();
        try {
            writeStartedNanos = System.nanoTime();
            writing = true; // after the start time: whoever sees writing also sees when it began
            out.write(data, 0, length);
            out.flush();
        } catch (IOException e) {
            session.fail(!fromClient, e);
            return false;
        } finally {
            writing = false;
            writeLock.unlock();
        }
        bytes += length; // one writer: this task
        session.touch();
        return true;
    }

    /**
     * For a drain: writes {@code closing} to the sink unless a relayed write is in progress (never cut
     * into the middle of one) or the source's end was passed on. Blocks while the sink does not take
     * the bytes; the relay ends the tunnel shortly after, which makes such a write fail.
     */
    void writeClosing(ByteBuffer closing) {
        if (!closing.hasRemaining() || done || !writeLock.tryLock()) {
            return;
        }
        try {
            byte[] bytes = new byte[closing.remaining()];
            closing.get(bytes);
            OutputStream out = sink.output();
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            // The tunnel is being closed anyway; the peer will see the close.
        } finally {
            writeLock.unlock();
        }
    }
}
