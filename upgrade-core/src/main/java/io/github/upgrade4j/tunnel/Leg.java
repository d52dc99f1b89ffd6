package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.jspecify.annotations.Nullable;

/**
 * One side of a tunnel as the {@link Direction}s see it: plaintext read from it and written to it.
 * {@link Plain} passes every call straight to the channel; {@link TlsLeg} puts an
 * {@link javax.net.ssl.SSLEngine} in between. The only cost a plain tunnel pays for TLS is that these
 * calls are virtual.
 *
 * <p>Confined to the session's event loop, like the session.
 */
abstract class Leg {
    /** The socket; null on a {@link ConduitLeg}, which has none. */
    final @Nullable SocketChannel channel;
    /**
     * The last call could not borrow a buffer within the budget and made no progress for lack of one;
     * the caller queues its direction on the loop's waiters. Always false on a plain leg.
     */
    boolean starved;

    Leg(@Nullable SocketChannel channel) {
        this.channel = channel;
    }

    /**
     * The leg for {@code endpoint}, the client's when {@code clientSide}. A plain leg of a relay that
     * splices knows its channel's descriptor, unless the channel is not the JDK's own.
     */
    static Leg of(Session session, Endpoint endpoint, boolean clientSide) {
        return endpoint.engine().<Leg>map(engine -> new TlsLeg(session, endpoint.channel(), clientSide, engine,
                endpoint.encryptedLeftover())).orElseGet(() -> new Plain(endpoint.channel(),
                session.loop.kernel == null ? -1 : descriptor(endpoint.channel())));
    }

    private static int descriptor(SocketChannel channel) {
        try {
            return Kernel.fd(channel);
        } catch (IOException e) {
            EventLoop.LOG.log(System.Logger.Level.DEBUG, "this tunnel copies: " + e.getMessage());
            return -1;
        }
    }

    /** On the loop, once the channel is registered: a TLS leg starts its handshake if nobody did. */
    void begin() throws IOException {
        // nothing to start on a plain leg
    }

    /**
     * Reads plaintext into {@code dst}: how many bytes, 0 if none are ready (or, on a TLS leg, the
     * read is {@link #starved}), or -1 at the end of the stream (a FIN, or a TLS {@code close_notify}).
     */
    abstract int read(ByteBuffer dst) throws IOException;

    /**
     * Writes plaintext from {@code src} as far as the channel takes it; returns the bytes to count as
     * written. A TLS leg may consume bytes of {@code src} before their records are on the wire: it
     * counts them once they are ({@link #holdsOutput()}).
     */
    abstract int write(ByteBuffer src) throws IOException;

    /** Whether bytes accepted by {@link #write} still wait inside the leg for the socket. */
    boolean holdsOutput() {
        return false;
    }

    /** Whether a read could return bytes without the socket having any: the selector cannot tell. */
    boolean hasInput() {
        return false;
    }

    /** Whether the leg's channel should be watched for OP_READ, given whether its reader wants bytes. */
    boolean wantsRead(boolean readerWants) {
        return readerWants;
    }

    /** Whether the leg's channel should be watched for OP_WRITE, given whether its writer is blocked. */
    boolean wantsWrite(boolean writerBlocked) {
        return writerBlocked;
    }

    /**
     * Ends the output after everything written so far: a FIN, or on a TLS leg a {@code close_notify}
     * and then a FIN. True once done; false while a TLS leg waits for the socket or a buffer.
     */
    abstract boolean shutdownOutput() throws IOException;

    /** On a TLS leg, between pumps: delegated tasks, records the engine wants sent, a pending close. */
    void service() throws IOException {
        // nothing pending on a plain leg
    }

    /**
     * Closes the channel, with SO_LINGER 0 when {@code abort} so that the peer sees a reset; a TLS
     * leg first tries to send its {@code close_notify} when it does not abort. Returns any buffer.
     */
    void close(boolean abort, EventLoop loop) {
        SocketChannel channel = this.channel;
        if (channel == null) {
            return;
        }
        if (abort && channel.isOpen()) {
            try {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException e) {
                // Already reset or closed: nothing left to abort.
            }
        }
        try {
            channel.close(); // a registered channel's descriptor is released at the loop's next select
        } catch (IOException e) {
            // Nothing more can be done with it.
        }
    }

    /** A leg without TLS: every call is the channel's own. */
    static final class Plain extends Leg {
        /**
         * The channel's descriptor, for {@code splice(2)}; -1 unless the relay splices. Valid until the
         * loop's selector deregisters the closed channel, after which the session never uses it.
         */
        final int fd;
        private final SocketChannel socket;

        Plain(SocketChannel channel, int fd) {
            super(channel);
            this.socket = channel;
            this.fd = fd;
        }

        @Override
        int read(ByteBuffer dst) throws IOException {
            return socket.read(dst);
        }

        @Override
        int write(ByteBuffer src) throws IOException {
            return socket.write(src);
        }

        @Override
        boolean shutdownOutput() throws IOException {
            socket.shutdownOutput();
            return true;
        }
    }
}
