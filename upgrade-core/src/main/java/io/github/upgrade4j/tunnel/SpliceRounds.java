package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The splice path of a {@link Direction}: bytes from the source socket into a borrowed {@link Pipe} and
 * out of it into the sink socket, each with {@code splice(2)}, without entering user space. Static
 * methods over the direction's own fields, so that a tunnel pays no object for the path it may take.
 *
 * <p>The same rules as the copy path: at most one pipe in flight, borrowed only while bytes sit in
 * it; a sink that takes no more keeps the pipe and leaves the source unread; the source's end is
 * passed on once the pipe is empty. The kernel may refuse to splice given descriptors (EINVAL, ENOSYS,
 * EOPNOTSUPP): the direction then copies from now on, and bytes already in the pipe go out through a
 * buffer, so nothing is lost or sent twice. A pipe the kernel cannot make (out of descriptors) makes
 * the direction copy one buffer's worth instead.
 *
 * <p>Confined to the direction's event loop.
 */
final class SpliceRounds {
    private SpliceRounds() {}

    /**
     * Splices until the source has nothing ready, the sink is full, {@link EventLoop#rounds} splices
     * were made, or a small transfer makes copying cheaper again ({@link Direction#splicing}).
     */
    static void pump(Direction d, EventLoop loop) {
        Syscalls kernel = kernel(loop);
        int from = ((Leg.Plain) d.source).fd;
        for (int reads = 0; reads < loop.rounds; reads++) {
            Pipe p = d.pipe;
            if (p == null) {
                try {
                    p = loop.borrowPipe();
                } catch (IOException e) { // out of descriptors: this buffer's worth goes the copy way
                    EventLoop.LOG.log(System.Logger.Level.DEBUG, "no pipe, copying instead: " + e.getMessage());
                    d.copy(loop, true);
                    return;
                }
                if (p == null) {
                    d.park(loop);
                    return;
                }
                d.pipe = p;
            }
            long n;
            try {
                n = kernel.splice(from, p.sink, p.capacity);
            } catch (IOException e) {
                d.releasePipe(loop);
                if (e instanceof SyscallException s && s.isUnsupported()) {
                    d.copyFromNowOn(e);
                    d.copy(loop, false);
                } else {
                    d.session.fail(d.fromClient, e);
                }
                return;
            }
            if (n == Kernel.WOULD_BLOCK) {
                d.releasePipe(loop);
                return;
            }
            if (n == 0) { // the FIN, and the pipe is empty: every byte before it is written
                d.releasePipe(loop);
                d.sawFin();
                return;
            }
            p.pending = n;
            d.moved = true;
            d.splicing = n >= loop.spliceAt; // a small transfer: copying is cheaper from the next bytes on
            if (!drain(d, p, loop)) {
                return; // blocked: the pipe stays and the source is not read until the sink takes more
            }
            if (!d.spliced) { // the sink cannot be spliced: its bytes went through a buffer, the rest follows
                d.copy(loop, false);
                return;
            }
            if (n < p.capacity) {
                // The socket had less than a pipe's worth: most likely it is drained now. Rather than
                // pay a splice that says so, return the pipe; the selector says when more comes.
                d.releasePipe(loop);
                return;
            }
        }
        d.releasePipe(loop);
    }

    /** Splices what {@code p} holds into the sink; true when it is empty, false when blocked or the session closed. */
    static boolean drain(Direction d, Pipe p, EventLoop loop) {
        long n;
        try {
            n = kernel(loop).splice(p.source, ((Leg.Plain) d.sink).fd, p.pending);
        } catch (IOException e) {
            if (e instanceof SyscallException s && s.isUnsupported()) {
                return unspliceHeld(d, p, loop, e);
            }
            d.session.fail(!d.fromClient, e);
            return false;
        }
        if (n > 0) {
            p.pending -= n;
            d.bytes += n; // single writer: the loop thread
            d.moved = true;
        }
        if (p.pending > 0) {
            d.blockedAfter(n > 0, loop);
            return false;
        }
        d.blocked = false;
        return true;
    }

    /** For a drain's closing bytes: one splice of what {@code p} holds; true if it is empty now. */
    static boolean drainOnce(Direction d, Pipe p) throws IOException {
        long n = kernel(d.session.loop).splice(p.source, ((Leg.Plain) d.sink).fd, p.pending);
        if (n > 0) {
            p.pending -= n;
            d.bytes += n;
        }
        return p.pending == 0;
    }

    /**
     * The kernel cannot splice into the sink: moves the bytes {@code p} holds into a buffer (read(2)
     * from the pipe) and goes on copying, so nothing is lost or sent twice. True if the buffer was
     * written out at once; it stays the direction's, for the copy path to reuse.
     */
    private static boolean unspliceHeld(Direction d, Pipe p, EventLoop loop, IOException why) {
        d.copyFromNowOn(why);
        ByteBuffer b = d.buffer != null ? d.buffer : loop.borrow();
        if (b == null) {
            d.session.fail(!d.fromClient, new IOException("could not move " + p.pending + " bytes out of a pipe that"
                    + " cannot be spliced: no buffer within the budget", why));
            return false;
        }
        d.buffer = b;
        b.clear().limit((int) p.pending);
        try {
            while (b.hasRemaining() && kernel(loop).read(p.source, b) > 0) {
                // a pipe holding p.pending bytes gives them all without blocking
            }
        } catch (IOException e) {
            d.session.fail(d.fromClient, e);
            return false;
        }
        p.pending -= b.position();
        b.flip();
        d.releasePipe(loop);
        return d.flush(b, loop);
    }

    private static Syscalls kernel(EventLoop loop) {
        Syscalls kernel = loop.kernel;
        if (kernel == null) {
            throw new IllegalStateException("a spliced direction on a loop that does not splice");
        }
        return kernel;
    }
}
