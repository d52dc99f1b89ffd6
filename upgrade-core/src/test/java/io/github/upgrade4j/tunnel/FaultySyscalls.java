package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loop's system calls with one kind of failure injected every so often, as the kernel can fail them:
 * EINVAL from a splice out of or into a socket that cannot be spliced, EMFILE from a new pipe when the
 * process is out of descriptors. Every other call goes to the real {@link Kernel}.
 */
final class FaultySyscalls implements Syscalls {
    enum Fault {
        SPLICE_FROM_SOCKET, SPLICE_TO_SOCKET, NEW_PIPE
    }

    private final Syscalls real;
    private final Fault fault;
    private final int every;
    private final Set<Integer> pipeEnds = ConcurrentHashMap.newKeySet();
    private final AtomicInteger calls = new AtomicInteger();
    /** Failures injected so far, by every loop's wrapper together. */
    final AtomicInteger injected;

    FaultySyscalls(Syscalls real, Fault fault, int every, AtomicInteger injected) {
        this.real = real;
        this.fault = fault;
        this.every = every;
        this.injected = injected;
    }

    @Override
    public long splice(int in, int out, long length) throws IOException {
        boolean fromSocket = !pipeEnds.contains(in);
        if (fault == Fault.SPLICE_FROM_SOCKET && fromSocket || fault == Fault.SPLICE_TO_SOCKET && !fromSocket) {
            if (calls.incrementAndGet() % every == 0) {
                injected.incrementAndGet();
                throw new SyscallException("splice", SyscallException.EINVAL, "Invalid argument");
            }
        }
        return real.splice(in, out, length);
    }

    @Override
    public Pipe pipe(int size) throws IOException {
        if (fault == Fault.NEW_PIPE && calls.incrementAndGet() % every == 0) {
            injected.incrementAndGet();
            throw new SyscallException("pipe2", SyscallException.EMFILE, "Too many open files");
        }
        Pipe pipe = real.pipe(size);
        pipeEnds.add(pipe.source);
        pipeEnds.add(pipe.sink);
        return pipe;
    }

    @Override
    public long read(int fd, ByteBuffer dst) throws IOException {
        return real.read(fd, dst);
    }
}
