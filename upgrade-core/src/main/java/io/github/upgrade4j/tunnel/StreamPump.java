package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * One direction of a stream tunnel, run as one task on the caller's executor: the source's leftover,
 * then blocking reads from the source's input, each written and flushed to the sink's output before
 * the next read, then the sink's half-close once the source's input ended.
 *
 * <p>Invariants: at most one buffer of bytes is in flight (read and not yet written), so a sink that
 * does not read blocks the write and with it the reading of the source: the blocking streams' own
 * backpressure. {@link #bytes} counts bytes whose write returned; it has one writer, this task.
 *
 * <p>The task never closes anything itself except through the session: a failed read or write
 * ends the whole tunnel ({@link StreamSession#fail}), and the session's close makes a blocked read or
 * write of the other direction fail, so both tasks return.
 */
final class StreamPump implements Runnable {
    private final StreamSession session;
    private final StreamEndpoint source;
    private final StreamEndpoint sink;
    /** Whether the source is the client (this is the client-to-upstream direction). */
    final boolean fromClient;

    /** Bytes written to the sink and flushed; written only by this task, read by any thread. */
    volatile long bytes;
    /** A write (with its flush) is in progress since {@link #writeStartedNanos}. */
    volatile boolean writing;
    volatile long writeStartedNanos;
    /** The source's end was passed on: the sink is half-closed. */
    volatile boolean done;

    StreamPump(StreamSession session, StreamEndpoint source, StreamEndpoint sink, boolean fromClient) {
        this.session = session;
        this.source = source;
        this.sink = sink;
        this.fromClient = fromClient;
    }

    @Override
    public void run() {
        try {
            if (!session.isEnded()) { // closed before this task got a thread: touch nothing
                relay();
            }
        } catch (RuntimeException | Error e) { // a stream broke its contract; end the tunnel all the same
            session.end(CloseReason.IO_ERROR, new IOException("the relay task for the "
                    + (fromClient ? "client" : "upstream") + "'s bytes failed: " + e, e), true, true);
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
        byte[] buffer = new byte[session.relay.options().bufferSize()];
        while (true) {
            int n;
            try {
                n = in.read(buffer, 0, buffer.length);
            } catch (IOException e) {
                session.fail(fromClient, e);
                return;
            }
            if (n < 0) {
                break;
            }
            if (n > 0) {
                session.touch();
                if (!write(buffer, n)) {
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

    /** Writes and flushes {@code length} bytes to the sink; false if that failed and ended the tunnel. */
    private boolean write(byte[] data, int length) {
        OutputStream out = sink.output();
        writeStartedNanos = System.nanoTime();
        writing = true; // after the start time: whoever sees writing also sees when it began
        try {
            out.write(data, 0, length);
            out.flush();
        } catch (IOException e) {
            session.fail(!fromClient, e);
            return false;
        } finally {
            writing = false;
        }
        bytes += length; // one writer: this task
        session.touch();
        return true;
    }
}
