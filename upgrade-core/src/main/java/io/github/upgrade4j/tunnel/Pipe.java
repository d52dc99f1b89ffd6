package io.github.upgrade4j.tunnel;

/**
 * A kernel pipe of the splice path: the two descriptors {@link Kernel#pipe} made, non-blocking and
 * close-on-exec, and how many bytes sit in it. A direction borrows one from its loop only while bytes
 * are in it ({@link EventLoop#borrowPipe}), exactly as it borrows a buffer on the copy path: spliced in
 * from the source socket, spliced out to the sink socket.
 *
 * <p>Invariant: a pipe in a pool is empty ({@link #pending} is 0). A pipe that still holds bytes when
 * its tunnel ends is closed instead, so no tunnel can ever read another's bytes.
 *
 * <p>Confined to the event loop that borrowed it, or to the pool's lock while pooled.
 */
final class Pipe {
    /** The read end: bytes spliced out of it go to the sink. */
    final int source;
    /** The write end: bytes spliced from the source socket go into it. */
    final int sink;
    /** The most bytes one splice into it moves: the smaller of the buffer size and what the kernel granted. */
    final int capacity;
    /** Bytes spliced in and not yet out. */
    long pending;

    Pipe(int source, int sink, int capacity) {
        this.source = source;
        this.sink = sink;
        this.capacity = capacity;
    }

    @Override
    public String toString() {
        return "Pipe[" + source + "<-" + sink + ", capacity=" + capacity + ", pending=" + pending + "]";
    }
}
