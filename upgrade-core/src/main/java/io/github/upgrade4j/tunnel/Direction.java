package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * One direction of a tunnel: bytes read from {@link #source} and written to {@link #sink}, through at
 * most one borrowed buffer of plaintext. A TLS {@link Leg} adds its own record buffers, under the same
 * rules.
 *
 * <p>Invariants, holding whenever {@link #pump()} has returned:
 * <ul>
 *   <li>{@link #buffer} is non-null only while it holds bytes not yet written (or, toward a TLS leg,
 *       whose records are not yet written), and then the sink is full ({@link #blocked}) and the
 *       source is not read: TCP flow control throttles its sender;
 *   <li>an empty direction holds no buffer, so an idle tunnel holds none;
 *   <li>the leftover is relayed before any byte read from the source, exactly once;
 *   <li>after the source's EOF, the sink's output is shut down only once every byte is written.
 * </ul>
 *
 * <p>Confined to its event loop's thread, except {@link #bytes}, which any thread may read.
 */
final class Direction implements Deadlines.Flow {
    /**
     * Socket reads per pump before yielding to other tunnels; each reads up to a whole buffer. The
     * source stays registered for OP_READ, so the level-triggered selector brings the rest.
     */
    private static final int MAX_ROUNDS = 16;
    private static final ByteBuffer NO_LEFTOVER = ByteBuffer.allocate(0);

    final Session session;
    final Leg source;
    final Leg sink;
    /** Whether the source is the client (this is the client-to-upstream direction). */
    final boolean fromClient;

    private ByteBuffer leftover;
    @Nullable ByteBuffer buffer;
    /** Plaintext bytes written to the sink; written only by the loop thread, read by any. */
    volatile long bytes;

    /** A write left bytes behind; the sink's OP_WRITE is wanted. */
    boolean blocked;
    /** Last time a blocked write made progress (or blocked first), from {@link System#nanoTime()}. */
    long blockedSince;
    /** No buffer could be borrowed within the budget; queued on the loop's waiters. */
    boolean waiting;
    /** The source sent its FIN (or its TLS {@code close_notify}). */
    boolean eof;
    /** The FIN was passed on: the sink's output is shut down. */
    boolean done;

    Direction(Session session, Leg source, Leg sink, boolean fromClient, ByteBuffer leftover) {
        this.session = session;
        this.source = source;
        this.sink = sink;
        this.fromClient = fromClient;
        this.leftover = leftover.hasRemaining() ? leftover : NO_LEFTOVER;
    }

    @Override
    public boolean fromClient() {
        return fromClient;
    }

    @Override
    public boolean blocked() {
        return blocked;
    }

    @Override
    public long blockedSince() {
        return blockedSince;
    }

    @Override
    public boolean waiting() {
        return waiting;
    }

    @Override
    public boolean done() {
        return done;
    }

    /** Whether the source should be watched for OP_READ. */
    boolean wantsRead() {
        return !eof && buffer == null && !waiting;
    }

    /**
     * Moves bytes until the source has none ready, the sink is full, the budget has no buffer, or
     * {@link #MAX_ROUNDS} reads were made (the level-triggered selector brings us back). May close the
     * session; the caller checks {@link Session#closed} before touching it again.
     */
    void pump() {
        if (eof) {
            if (!done) {
                finish(); // a TLS sink's close_notify waited for the socket or a buffer
            }
            return; // the FIN was passed on when it was read
        }
        EventLoop loop = session.loop;
        boolean moved = false;
        try {
            ByteBuffer held = buffer;
            if (held != null) {
                int before = held.remaining();
                boolean flushed = flush(held, loop);
                moved = held.remaining() != before;
                if (!flushed) {
                    return;
                }
            }
            for (int reads = 0; reads < MAX_ROUNDS; ) { // leftover copies do not count: nothing would wake us
                ByteBuffer b = buffer;
                if (b == null) {
                    b = loop.borrow();
                    if (b == null) {
                        waiting = true;
                        loop.await(this);
                        return;
                    }
                    buffer = b;
                }
                b.clear();
                boolean shortRead;
                if (leftover.hasRemaining()) {
                    int n = Math.min(leftover.remaining(), b.remaining());
                    b.put(0, leftover, leftover.position(), n).position(n);
                    leftover.position(leftover.position() + n);
                    if (!leftover.hasRemaining()) {
                        leftover = NO_LEFTOVER;
                    }
                    shortRead = false;
                } else {
                    int n;
                    try {
                        n = source.read(b);
                    } catch (IOException e) {
                        session.fail(fromClient, e);
                        return;
                    }
                    if (n <= 0) {
                        release(loop);
                        if (n < 0) { // the buffer was empty: every byte before the FIN is written
                            eof = true;
                            moved = true;
                            session.sawFin(this);
                            finish();
                        } else if (source.starved) { // a TLS source found no buffer for its records
                            waiting = true;
                            loop.await(this);
                        }
                        return;
                    }
                    reads++;
                    moved = true;
                    shortRead = b.hasRemaining();
                }
                b.flip();
                if (!flush(b, loop)) {
                    return;
                }
                if (shortRead) {
                    // The socket had less than a buffer: most likely it is drained now. Rather than
                    // pay a read that says so, return the buffer; the selector says when more comes.
                    release(loop);
                    return;
                }
            }
            release(loop);
        } finally {
            if (moved) {
                session.lastActivityNanos = loop.now;
            }
        }
    }

    /** Writes what {@code b} holds; true when all of it went, false when blocked or the session closed. */
    private boolean flush(ByteBuffer b, EventLoop loop) {
        int n;
        try {
            n = sink.write(b);
        } catch (IOException e) {
            session.fail(!fromClient, e);
            return false;
        }
        if (n > 0) {
            bytes += n; // single writer: the loop thread
        }
        if (b.hasRemaining() || sink.holdsOutput()) {
            if (sink.starved) { // a TLS sink found no buffer for its records: wait for one, not for OP_WRITE
                blocked = false;
                waiting = true;
                loop.await(this);
                return false;
            }
            if (!blocked || n > 0) {
                blockedSince = loop.now;
            }
            blocked = true;
            return false;
        }
        blocked = false;
        return true;
    }

    /** The source is at EOF and every byte is written: pass the FIN on. */
    private void finish() {
        if (done) {
            return;
        }
        try {
            if (!sink.shutdownOutput()) { // a TLS sink's close_notify waits for the socket or a buffer
                if (sink.starved) {
                    waiting = true;
                    loop().await(this);
                }
                return;
            }
        } catch (IOException e) {
            session.fail(!fromClient, e);
            return;
        }
        done = true;
        session.directionDone();
    }

    /** Writes every held byte and then the closing bytes, each with one non-blocking write; for drains. */
    void writeClosing(ByteBuffer closing) {
        if (eof || done) {
            return; // the source ended the stream itself, or the FIN is already out
        }
        try {
            ByteBuffer b = buffer;
            if (b != null) {
                int n = sink.write(b);
                bytes += n;
                if (b.hasRemaining() || sink.holdsOutput()) {
                    return; // never cut into the middle of what was relayed
                }
            }
            sink.write(closing); // the hook's bytes are not counted, toward a TLS leg either
        } catch (IOException e) {
            // The tunnel is being closed anyway; the peer will see the close.
        }
    }

    private EventLoop loop() {
        return session.loop;
    }

    /** Returns the buffer, if held, to the loop. */
    void release(EventLoop loop) {
        ByteBuffer b = buffer;
        if (b != null) {
            buffer = null;
            loop.giveBack(b);
        }
    }
}
