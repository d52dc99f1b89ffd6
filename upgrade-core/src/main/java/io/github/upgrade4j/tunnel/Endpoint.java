package io.github.upgrade4j.tunnel;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * One side of a tunnel: a connected channel plus the bytes the caller already read from it past the
 * message head (the client's bytes behind its Upgrade request, or the upstream's bytes behind its
 * 101). The relay sends those bytes to the other side first, exactly once and in order, before any
 * byte it reads from the channel itself.
 *
 * <p>Copy on the way in: {@link #of(SocketChannel, ByteBuffer)} copies the leftover's remaining bytes
 * and leaves the caller's buffer, its position included, untouched; {@link #leftover()} returns a
 * read-only view. The channel is not copied, of course: it stays the caller's until
 * {@link TunnelRelay#open} answers {@link Opening.Opened}. Immutable and thread-safe.
 *
 * @param channel a connected socket channel, in either blocking mode; the relay makes it non-blocking
 * @param leftover the bytes read past the head on this side, relayed first to the other side
 */
public record Endpoint(SocketChannel channel, ByteBuffer leftover) {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /** Checks for nulls and copies the leftover's remaining bytes. */
    public Endpoint {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(leftover, "leftover");
        if (leftover.hasRemaining()) {
            ByteBuffer copy = ByteBuffer.allocate(leftover.remaining());
            copy.put(leftover.duplicate()).flip();
            leftover = copy.asReadOnlyBuffer();
        } else {
            leftover = EMPTY;
        }
    }

    /** An endpoint with no bytes read past the head. */
    public static Endpoint of(SocketChannel channel) {
        return new Endpoint(channel, EMPTY);
    }

    /** An endpoint whose leftover is a copy of {@code leftover}'s remaining bytes. */
    public static Endpoint of(SocketChannel channel, ByteBuffer leftover) {
        return new Endpoint(channel, leftover);
    }

    /** A read-only view of the leftover bytes; moving its position does not change this endpoint. */
    @Override
    public ByteBuffer leftover() {
        return leftover.duplicate();
    }
}
