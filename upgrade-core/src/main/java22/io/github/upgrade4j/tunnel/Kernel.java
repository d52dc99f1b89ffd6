package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The system calls of the splice path, for Java 22 and newer: {@code splice(2)}, {@code pipe2(2)},
 * {@code fcntl(F_SETPIPE_SZ)}, {@code read(2)} and {@code close(2)} through {@code java.lang.foreign},
 * and a channel's descriptor through the JDK's {@code sun.nio.ch.SelChImpl#getFDVal}.
 *
 * <p>Nothing restricted runs unless {@link #unavailable()} found everything in place: Linux on x86-64
 * or AArch64 (whose {@code errno} and flag numbers this class uses), native access enabled for this
 * module and {@code sun.nio.ch} opened to it. So a JVM without the flags prints no warning; the relay
 * copies and says why.
 *
 * <p>One instance per event loop: it owns the segment where the calls leave {@code errno}, so it is
 * confined to that loop's thread. The static members are thread-safe.
 */
final class Kernel implements Syscalls {
    /** What {@link #splice} answers when the call would block (EAGAIN). */
    static final long WOULD_BLOCK = -1;

    private static final int SPLICE_F_MOVE = 1;
    private static final int SPLICE_F_NONBLOCK = 2;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;
    private static final int F_SETPIPE_SZ = 1031;
    private static final int F_GETPIPE_SZ = 1032;
    private static final Set<String> ARCHES = Set.of("amd64", "x86_64", "aarch64");
    private static final @Nullable String UNAVAILABLE = check();

    private final MemorySegment state = Arena.ofAuto().allocate(Calls.STATE);
    private final MemorySegment fds = Arena.ofAuto().allocate(ValueLayout.JAVA_INT, 2);

    private Kernel() {}

    /** Why splicing cannot run in this JVM, or null if it can; decided once. */
    static @Nullable String unavailable() {
        return UNAVAILABLE;
    }

    /** The system calls for one event loop. */
    static Kernel open() {
        if (UNAVAILABLE != null) {
            throw new IllegalStateException(UNAVAILABLE);
        }
        return new Kernel();
    }

    /** The descriptor of a channel from the JDK's own provider. */
    static int fd(SocketChannel channel) throws IOException {
        try {
            return (int) Calls.FD_VAL.invoke(channel);
        } catch (Throwable e) { // a channel of another provider: not a sun.nio.ch.SelChImpl
            throw new IOException("expected a socket channel of the JDK's provider but got " + channel.getClass(), e);
        }
    }

    /** Moves up to {@code length} bytes from {@code in} to {@code out}: how many, 0 at the end of {@code in}, or {@link #WOULD_BLOCK}. */
    @Override
    public long splice(int in, int out, long length) throws IOException {
        while (true) {
            long n;
            try {
                n = (long) Calls.SPLICE.invokeExact(state, in, MemorySegment.NULL, out, MemorySegment.NULL, length,
                        SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
            if (n >= 0) {
                return n;
            }
            int errno = errno();
            if (errno == SyscallException.EAGAIN) {
                return WOULD_BLOCK;
            }
            if (errno != SyscallException.EINTR) {
                throw failure("splice", errno);
            }
        }
    }

    /** A new non-blocking pipe that holds about {@code size} bytes. */
    @Override
    public Pipe pipe(int size) throws IOException {
        int made;
        try {
            made = (int) Calls.PIPE2.invokeExact(state, fds, O_NONBLOCK | O_CLOEXEC);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
        if (made < 0) {
            throw failure("pipe2", errno());
        }
        int source = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
        int sink = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
        int capacity;
        try {
            // Refused (EPERM) past /proc/sys/fs/pipe-max-size or the user's pipe pages: keep what the
            // kernel gave, which may be as little as two pages.
            int granted = (int) Calls.FCNTL.invokeExact(state, sink, F_SETPIPE_SZ, size);
            capacity = granted > 0 ? granted : (int) Calls.FCNTL.invokeExact(state, sink, F_GETPIPE_SZ, 0);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
        if (capacity <= 0) {
            IOException failure = failure("fcntl(F_GETPIPE_SZ)", errno());
            close(source);
            close(sink);
            throw failure;
        }
        return new Pipe(source, sink, Math.min(capacity, size));
    }

    /** Reads from a descriptor into a direct buffer: how many bytes, 0 at its end, or {@link #WOULD_BLOCK}. */
    @Override
    public long read(int fd, ByteBuffer dst) throws IOException {
        MemorySegment target = MemorySegment.ofBuffer(dst);
        while (true) {
            long n;
            try {
                n = (long) Calls.READ.invokeExact(state, fd, target, (long) dst.remaining());
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
            if (n >= 0) {
                dst.position(dst.position() + (int) n);
                return n;
            }
            int errno = errno();
            if (errno == SyscallException.EAGAIN) {
                return WOULD_BLOCK;
            }
            if (errno != SyscallException.EINTR) {
                throw failure("read", errno);
            }
        }
    }

    /** Closes both ends of a pipe. */
    static void close(Pipe pipe) {
        close(pipe.source);
        close(pipe.sink);
    }

    /** Closes a descriptor; Linux frees it even when close is interrupted, so there is nothing to retry. */
    private static void close(int fd) {
        try {
            int ignored = (int) Calls.CLOSE.invokeExact(fd);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    private int errno() {
        return (int) Calls.ERRNO.get(state, 0L);
    }

    @SuppressWarnings("restricted") // strerror's answer is a C string of unknown length: reinterpret bounds it
    private static IOException failure(String call, int errno) {
        String text;
        try {
            MemorySegment message = (MemorySegment) Calls.STRERROR.invokeExact(errno);
            text = message.reinterpret(256).getString(0);
        } catch (Throwable e) {
            text = "error";
        }
        return new SyscallException(call, errno, text);
    }

    private static @Nullable String check() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("Linux")) {
            return "splice(2) is Linux's and this is " + os;
        }
        if (!ARCHES.contains(arch)) {
            return "the splice path knows Linux's numbers for x86-64 and AArch64, not for " + arch;
        }
        Module self = Kernel.class.getModule();
        String who = self.isNamed() ? self.getName() : "ALL-UNNAMED";
        if (!self.isNativeAccessEnabled()) {
            return "native access is not enabled for " + (self.isNamed() ? "module " + who : "the class path")
                    + ": start the JVM with --enable-native-access=" + who
                    + " (and --add-opens java.base/sun.nio.ch=" + who + ")";
        }
        if (!Object.class.getModule().isOpen("sun.nio.ch", self)) {
            return "java.base does not open sun.nio.ch to " + (self.isNamed() ? "module " + who : "the class path")
                    + ", so a channel's descriptor cannot be read: start the JVM with --add-opens java.base/sun.nio.ch="
                    + who;
        }
        try {
            close(new Kernel().pipe(64 * 1024)); // links every call, and fails here if one is missing
            return null;
        } catch (IOException | RuntimeException | LinkageError e) {
            return "the splice path's system calls failed a self-test: " + e;
        }
    }

    /** The linked calls; initialized only once {@link #check()} found native access granted. */
    @SuppressWarnings("restricted") // linking C functions is what this class is for
    private static final class Calls {
        static final StructLayout STATE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        private static final Linker LINKER = Linker.nativeLinker();
        private static final SymbolLookup LIBC = LINKER.defaultLookup();
        private static final Linker.Option ERRNO_OUT = Linker.Option.captureCallState("errno");
        static final MethodHandle SPLICE = call("splice", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), ERRNO_OUT);
        static final MethodHandle PIPE2 = call("pipe2", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT), ERRNO_OUT);
        static final MethodHandle FCNTL = call("fcntl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2),
                ERRNO_OUT);
        static final MethodHandle READ = call("read", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), ERRNO_OUT);
        static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT));
        static final MethodHandle STRERROR = call("strerror", FunctionDescriptor.of(ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT));
        static final MethodHandle FD_VAL = fdVal();

        private static MethodHandle call(String name, FunctionDescriptor descriptor, Linker.Option... options) {
            MemorySegment symbol = LIBC.find(name).orElseThrow(
                    () -> new UnsatisfiedLinkError("no " + name + " in the C library"));
            return LINKER.downcallHandle(symbol, descriptor, options);
        }

        private static MethodHandle fdVal() {
            try {
                Method getter = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
                getter.setAccessible(true);
                return MethodHandles.lookup().unreflect(getter);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("cannot read a channel's descriptor: " + e, e);
            }
        }
    }
}
