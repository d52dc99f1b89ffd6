package io.github.upgrade4j.tunnel;

import java.io.IOException;

/**
 * A system call of the splice path failed: the call, the {@code errno} and the system's words for it
 * ({@code strerror}), e.g. "splice: Connection reset by peer (errno 104)". Linux's numbers; the splice
 * path runs only where they hold ({@link Kernel#unavailable()}).
 */
final class SyscallException extends IOException {
    private static final long serialVersionUID = 1L;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EMFILE = 24;
    static final int ENFILE = 23;
    static final int EINVAL = 22;
    static final int EPIPE = 32;
    static final int ENOSYS = 38;
    static final int EOPNOTSUPP = 95;
    static final int ECONNABORTED = 103;
    static final int ECONNRESET = 104;

    final int errno;

    SyscallException(String call, int errno, String text) {
        super(call + ": " + text + " (errno " + errno + ")");
        this.errno = errno;
    }

    /** Whether the peer reset or closed the connection: passed on as a reset, as the copy path does. */
    boolean isReset() {
        return errno == ECONNRESET || errno == EPIPE || errno == ECONNABORTED;
    }

    /** Whether these descriptors cannot be spliced at all: the direction copies instead. */
    boolean isUnsupported() {
        return errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP;
    }

    /** Whether the process or the system ran out of descriptors. */
    boolean isOutOfDescriptors() {
        return errno == EMFILE || errno == ENFILE;
    }
}
