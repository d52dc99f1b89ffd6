package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One side of a {@link StreamRelay} tunnel: a pair of blocking streams, the bytes the caller already
 * read from the input past the message head, and the two actions that end the side: a half-close
 * (no more bytes will be written, the input stays readable) and a close. This is what a container
 * that gives only streams hands over, e.g. a Servlet {@code WebConnection}:
 *
 * <pre>{@code
 * // A socket: shutdownOutput() half-closes it, and the socket itself is the close
 * StreamEndpoint upstream = StreamEndpoint.of(socket, bytesAfter101);
 * // A Servlet WebConnection, in a container that ends its half of the connection when the output closes
 * ServletOutputStream out = connection.getOutputStream();
 * StreamEndpoint client = new StreamEndpoint(connection.getInputStream(), out, ByteBuffer.allocate(0), out, connection);
 * }</pre>
 *
 * <p>The relay sends the leftover to the other side first, exactly once and in order, before any
 * byte it reads from {@link #input()}. Copy on the way in: the constructor copies the leftover's
 * remaining bytes and leaves the caller's buffer, its position included, untouched;
 * {@link #leftover()} returns a read-only view. Immutable and thread-safe as a value; the streams
 * and actions it refers to are not copied, of course.
 *
 * <p><b>Who closes what.</b> The endpoint stays the caller's until {@link StreamRelay#open} answers
 * {@link Opening.Opened}; from then on only the relay reads, writes, half-closes and closes it,
 * and the caller must not. The relay runs {@link #halfClose()} at most once, when the other side's
 * input ended and every byte before that end was written and flushed, and {@link #close()} exactly
 * once, when the tunnel ends, whatever happened before.
 *
 * <p>This type does not make a stream pair half-closable: an endpoint whose transport cannot end
 * one direction alone passes a half-close action that does nothing. Then the other side's end of
 * input is not passed on, and the tunnel ends when this side's input ends too or when
 * {@link RelayOptions#halfClosedTimeout()} fires.
 *
 * @param input read by the relay, from another thread than the caller's, until it ends or fails
 * @param output written by the relay, one buffer at a time, flushed after each write
 * @param leftover the bytes read past the head on this side, relayed first to the other side
 * @param halfClose ends this side's output and leaves its input readable: {@code socket::shutdownOutput}
 *     for a socket, the output stream itself for a container that sends a FIN when it is closed, an
 *     action that does nothing where the transport has no half-close
 * @param close closes the whole side and must make a read or write blocked in another thread fail
 *     (closing a socket does): the relay calls it to end a tunnel that another thread is relaying. When
 *     it is the {@link Socket} itself, as {@link #of(Socket, ByteBuffer)} makes it, a reset is passed on
 *     as a reset: the relay sets {@code SO_LINGER} 0 before closing, so the peer sees an RST, never a
 *     FIN that would look like a clean end
 */
public record StreamEndpoint(InputStream input, OutputStream output, ByteBuffer leftover, AutoCloseable halfClose,
        AutoCloseable close) {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /**
     * Checks for nulls and copies the leftover's remaining bytes.
     *
     * @param input read by the relay until it ends or fails
     * @param output written by the relay, flushed after each write
     * @param leftover the bytes read past the head on this side; its remaining bytes are copied
     * @param halfClose ends this side's output and leaves its input readable, or does nothing
     * @param close closes the whole side, failing reads and writes blocked in other threads
     */
    public StreamEndpoint {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(leftover, "leftover");
        Objects.requireNonNull(halfClose, "halfClose");
        Objects.requireNonNull(close, "close");
        if (leftover.hasRemaining()) {
            ByteBuffer copy = ByteBuffer.allocate(leftover.remaining());
            copy.put(leftover.duplicate()).flip();
            leftover = copy.asReadOnlyBuffer();
        } else {
            leftover = EMPTY;
        }
    }

    /**
     * {@return an endpoint for a connected socket with no bytes read past the head} See
     * {@link #of(Socket, ByteBuffer)}.
     *
     * @param socket a socket connected and open both ways
     * @throws IllegalArgumentException if the socket is closed, not connected, or already half-closed
     * @throws UncheckedIOException if the socket's streams cannot be obtained
     */
    public static StreamEndpoint of(Socket socket) {
        return of(socket, EMPTY);
    }

    /**
     * A connected socket: its streams, {@code shutdownOutput} as the half-close, and the socket itself
     * as the close, so that a reset is passed on as a reset. Set no {@code SO_TIMEOUT} on it: a timed-out
     * read ends the tunnel with {@link CloseReason#IO_ERROR}; the relay's own timeouts are in
     * {@link RelayOptions}.
     *
     * @param socket a socket connected and open both ways
     * @param leftover the bytes read past the head; its remaining bytes are copied
     * @return the endpoint
     * @throws IllegalArgumentException if the socket is closed, not connected, or already half-closed
     * @throws UncheckedIOException if the socket's streams cannot be obtained
     */
    public static StreamEndpoint of(Socket socket, ByteBuffer leftover) {
        Objects.requireNonNull(socket, "socket");
        if (socket.isClosed() || !socket.isConnected() || socket.isInputShutdown() || socket.isOutputShutdown()) {
            throw new IllegalArgumentException("expected a connected socket open both ways but it was "
                    + (socket.isClosed() ? "closed" : !socket.isConnected() ? "not connected" : "half-closed"));
        }
        try {
            return new StreamEndpoint(socket.getInputStream(), socket.getOutputStream(), leftover,
                    socket::shutdownOutput, socket);
        } catch (IOException e) {
            throw new UncheckedIOException("could not obtain the streams of " + socket, e);
        }
    }

    /** {@return a read-only view of the leftover bytes} Moving its position does not change this endpoint. */
    @Override
    public ByteBuffer leftover() {
        return leftover.duplicate();
    }
}
