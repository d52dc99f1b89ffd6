package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * One direction of a tunnel: bytes read from {@link #source} and written to {@link #sink}. On the copy
 * path they pass through at most one borrowed buffer of plaintext (a TLS {@link Leg} adds its own
 * record buffers, under the same rules); on the splice path through at most one borrowed kernel
 * {@link Pipe}, socket to pipe to socket, without entering user space.
 *
 * <p>On a spliced tunnel a direction still copies small transfers: a pipe costs two system calls and
 * page references per transfer where a copy of a few bytes costs less, so chat-like traffic keeps the
 * copy path's latency. A read that brings at least {@link #SPLICE_AT} bytes at once (a bulk transfer
 * is under way) switches the direction to splicing ({@link SpliceRounds}); a splice that moves fewer
 * switches it back.
 *
 * <p>Invariants, holding whenever {@link #pump()} has returned:
 * <ul>
 *   <li>{@link #buffer} (or {@link #pipe}) is non-null only while it holds bytes not yet written (or,
 *       toward a TLS leg, whose records are not yet written), and then the sink is full
 *       ({@link #blocked}) and the source is not read: TCP flow control throttles its sender;
 *   <li>an empty direction holds no buffer and no pipe, so an idle tunnel holds none;
 *   <li>the leftover is relayed before any byte read from the source, exactly once, by copying: the
 *       splice path starts once it is out;
 *   <li>after the source's EOF, the sink's output is shut down only once every byte is written.
 * </ul>
 *
 * <p>Confined to its event loop's thread, except {@link #bytes}, which any thread may read.
 */
final class Direction implements Deadlines.Flow {
    /**
     * Bytes a pump moves at most before yielding to the loop's other tunnels: as many socket reads (or
     * splices) of a whole buffer as fit, at least one ({@link EventLoop#rounds}). The source stays
     * registered for OP_READ, so the level-triggered selector brings the rest.
     */
    static final int BYTES_PER_PUMP = 1024 * 1024;
    /**
     * Bytes moved at once from which splicing beats copying, see the class comment; half a buffer
     * where buffers are smaller ({@link EventLoop#spliceAt}).
     */
    static final int SPLICE_AT = 16 * 1024;
    private static final ByteBuffer NO_LEFTOVER = ByteBuffer.allocate(0);

    final Session session;
    final Leg source;
    final Leg sink;
    /** Whether the source is the client (this is the client-to-upstream direction). */
    final boolean fromClient;

    private ByteBuffer leftover;
    @Nullable ByteBuffer buffer;
    @Nullable Pipe pipe;
    /** Whether bytes after the leftover may go through pipes; cleared if the kernel cannot splice these sockets. */
    boolean spliced;
    /** Whether a bulk transfer is under way and the next bytes go through a pipe. */
    boolean splicing;
    /** Plaintext bytes written to the sink; written only by the loop thread, read by any. */
    volatile long bytes;

    /** A write left bytes behind; the sink's OP_WRITE is wanted. */
    boolean blocked;
    /** Last time a blocked write made progress (or blocked first), from {@link System#nanoTime()}. */
    long blockedSince;
    /** No buffer or pipe could be borrowed within the budget; queued on the loop's waiters. */
    boolean waiting;
    /** The source sent its FIN (or its TLS {@code close_notify}). */
    boolean eof;
    /** The FIN was passed on: the sink's output is shut down. */
    boolean done;
    /** A byte moved (or the FIN arrived) in the current {@link #pump()}. */
    boolean moved;

    Direction(Session session, Leg source, Leg sink, boolean fromClient, ByteBuffer leftover) {
        this.session = session;
        this.source = source;
        this.sink = sink;
        this.fromClient = fromClient;
        this.leftover = leftover.hasRemaining() ? leftover : NO_LEFTOVER;
        this.spliced = session.path() == RelayPath.SPLICE;
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
        return !eof && buffer == null && pipe == null && !waiting;
    }

    /**
     * Moves bytes until the source has none ready, the sink is full, the budget has no buffer or pipe,
     * or {@link #BYTES_PER_PUMP} bytes were read (the level-triggered selector brings us back). May close
     * the session; the caller checks {@link Session#closed} before touching it again.
     */
    void pump() {
        if (eof) {
            if (!done) {
                finish(); // a TLS sink's close_notify waited for the socket or a buffer
            }
            return; // the FIN was passed on when it was read
        }
        EventLoop loop = session.loop;
        moved = false;
        try {
            if (flushHeld(loop) && copy(loop, false)) {
                SpliceRounds.pump(this, loop);
            }
        } finally {
            if (moved) {
                session.lastActivityNanos = loop.now;
            }
        }
    }

    /** Writes what a held buffer or pipe still has; true when nothing is held any more. */
    private boolean flushHeld(EventLoop loop) {
        ByteBuffer held = buffer;
        if (held != null) {
            int before = held.remaining();
            boolean flushed = flush(held, loop);
            moved |= held.remaining() != before;
            if (!flushed) {
                return false;
            }
        }
        Pipe p = pipe;
        return p == null || SpliceRounds.drain(this, p, loop);
    }

    /**
     * The copy path: the leftover first, then (until a bulk transfer makes the direction splice, or
     * {@code once} asks for one buffer only) bytes read from the source into a borrowed buffer and
     * written out of it. True when it stopped only because the splice path takes over.
     */
    boolean copy(EventLoop loop, boolean once) {
        for (int reads = 0; reads < loop.rounds; ) { // leftover copies do not count: nothing would wake us
            if (splicing && !once && !leftover.hasRemaining()) {
                release(loop);
                return true;
            }
            ByteBuffer b = buffer;
            if (b == null) {
                // A pipe the direction stopped splicing with is empty here (held bytes were flushed
                // first): give its share of the budget back before taking a buffer, or two directions
                // that each keep one and wait for the other kind can wait for each other forever.
                releasePipe(loop);
                b = loop.borrow();
                if (b == null) {
                    park(loop);
                    return false;
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
                    return false;
                }
                if (n <= 0) {
                    release(loop);
                    if (n < 0) { // the buffer was empty: every byte before the FIN is written
                        sawFin();
                    } else if (source.starved) { // a TLS source found no buffer for its records
                        park(loop);
                    }
                    return false;
                }
                reads++;
                moved = true;
                shortRead = b.hasRemaining();
                splicing = spliced && n >= loop.spliceAt; // a bulk transfer: the next bytes go through a pipe
            }
            b.flip();
            if (!flush(b, loop)) {
                return false;
            }
            if (shortRead || once) {
                // The socket had less than a buffer: most likely it is drained now. Rather than
                // pay a read that says so, return the buffer; the selector says when more comes.
                release(loop);
                return false;
            }
        }
        release(loop);
        return false;
    }

    void copyFromNowOn(IOException why) {
        splicing = false;
        if (spliced) {
            spliced = false;
            EventLoop.LOG.log(System.Logger.Level.WARNING, "the kernel cannot splice this tunnel's sockets; it"
                    + " copies from now on: " + why.getMessage());
        }
    }

    /** The source ended: pass the FIN on. */
    void sawFin() {
        eof = true;
        moved = true;
        session.sawFin(this);
        finish();
    }

    /** No buffer or pipe within the budget: wait on the loop until one comes back. */
    void park(EventLoop loop) {
        waiting = true;
        loop.await(this);
    }

    /** Writes what {@code b} holds; true when all of it went, false when blocked or the session closed. */
    boolean flush(ByteBuffer b, EventLoop loop) {
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
                park(loop);
                return false;
            }
            blockedAfter(n > 0, loop);
            return false;
        }
        blocked = false;
        return true;
    }

    /** A write left bytes behind: the stall clock starts, or restarts if it made progress. */
    void blockedAfter(boolean progress, EventLoop loop) {
        if (!blocked || progress) {
            blockedSince = loop.now;
        }
        blocked = true;
    }

    /** The source is at EOF and every byte is written: pass the FIN on. */
    private void finish() {
        if (done) {
            return;
        }
        try {
            if (!sink.shutdownOutput()) { // a TLS sink's close_notify waits for the socket or a buffer
                if (sink.starved) {
                    park(session.loop);
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

    /**
     * Writes every held byte and then the closing bytes, each with one non-blocking write; for drains.
     * The closing bytes go only after the buffer or pipe is empty, so they never cut into what was
     * relayed.
     */
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
                    return;
                }
            }
            Pipe p = pipe;
            if (p != null && !SpliceRounds.drainOnce(this, p)) {
                return;
            }
            sink.write(closing); // the hook's bytes are not counted, toward a TLS leg either
        } catch (IOException e) {
            // The tunnel is being closed anyway; the peer will see the close.
        }
    }

    /** Returns the buffer and the pipe, if held, to the loop; a pipe with bytes left in it is closed. */
    void release(EventLoop loop) {
        ByteBuffer b = buffer;
        if (b != null) {
            buffer = null;
            loop.giveBack(b);
        }
        releasePipe(loop);
    }

    void releasePipe(EventLoop loop) {
        Pipe p = pipe;
        if (p != null && (p.pending == 0 || session.closed)) {
            pipe = null;
            loop.giveBackPipe(p);
        }
    }
}
