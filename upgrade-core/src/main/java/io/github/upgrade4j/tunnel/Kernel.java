package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.jspecify.annotations.Nullable;

/**
 * The system calls of the splice path: {@code splice(2)}, pipes, a channel's descriptor. This is the
 * version for Java 17 to 21, which have no foreign function API: it only says why it cannot run, and
 * the relay copies. The multi-release JAR carries the working version for Java 22 and newer in
 * {@code META-INF/versions/22} ({@code src/main/java22}); both have the same members, and only this
 * class differs between them.
 */
final class Kernel implements Syscalls {
    /** What {@link #splice} answers when the call would block (EAGAIN). */
    static final long WOULD_BLOCK = -1;

    private Kernel() {}

    /** Why splicing cannot run in this JVM, or null if it can; decided once. */
    static @Nullable String unavailable() {
        int feature = Runtime.version().feature();
        if (feature >= 22) { // this class, not META-INF/versions/22's: the JAR was not read as multi-release
            return "this is Java " + feature + ", but the Java 22 classes of upgrade-core's multi-release JAR were"
                    + " not loaded: a shaded or repackaged JAR needs 'Multi-Release: true' in its manifest and its"
                    + " META-INF/versions/22 entries, and a class directory is never read as multi-release";
        }
        return "Java " + feature + " has no foreign function API; the splice path needs Java 22 or newer";
    }

    /** The system calls for one event loop (never on this version). */
    static Kernel open() {
        throw new IllegalStateException(unavailable());
    }

    /** The descriptor of a channel from the JDK's own provider. */
    static int fd(SocketChannel channel) throws IOException {
        throw new IOException(unavailable());
    }

    /** Moves up to {@code length} bytes from {@code in} to {@code out}: how many, 0 at the end of {@code in}, or {@link #WOULD_BLOCK}. */
    @Override
    public long splice(int in, int out, long length) throws IOException {
        throw new IOException(unavailable());
    }

    /** A new non-blocking pipe that holds about {@code size} bytes. */
    @Override
    public Pipe pipe(int size) throws IOException {
        throw new IOException(unavailable());
    }

    /** Reads from a descriptor into a direct buffer: how many bytes, 0 at its end, or {@link #WOULD_BLOCK}. */
    @Override
    public long read(int fd, ByteBuffer dst) throws IOException {
        throw new IOException(unavailable());
    }

    /** Closes both ends of a pipe. */
    static void close(Pipe pipe) {
        // nothing was ever opened on this version
    }
}
