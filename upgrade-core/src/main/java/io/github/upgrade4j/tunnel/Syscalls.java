package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The splice path's system calls as an event loop uses them. {@link Kernel} is the one implementation;
 * tests wrap it to make a call fail as the kernel can (EINVAL from a socket that cannot be spliced,
 * EMFILE when descriptors run out) and check that the relay falls back to copying without losing or
 * repeating a byte. Confined to one loop, like the {@code Kernel} it wraps.
 */
interface Syscalls {
    /** Moves up to {@code length} bytes from {@code in} to {@code out}: how many, 0 at the end of {@code in}, or {@link Kernel#WOULD_BLOCK}. */
    long splice(int in, int out, long length) throws IOException;

    /** A new non-blocking pipe that holds about {@code size} bytes. */
    Pipe pipe(int size) throws IOException;

    /** Reads from a descriptor into a direct buffer: how many bytes, 0 at its end, or {@link Kernel#WOULD_BLOCK}. */
    long read(int fd, ByteBuffer dst) throws IOException;
}
