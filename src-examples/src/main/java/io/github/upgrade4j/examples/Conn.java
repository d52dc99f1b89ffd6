package io.github.upgrade4j.examples;

import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.MessageHead;
import io.github.upgrade4j.http.ParseResult;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * One blocking connection of the example proxy during its HTTP phase: a socket channel, a read buffer
 * whose unread bytes survive from one message to the next, and timed reads. When the connection turns
 * into a tunnel, {@link #unread()} hands the bytes already read past the last head to the relay.
 */
final class Conn implements Closeable {
    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;
    /** Read mode: the bytes from position to limit have been received but not consumed yet. */
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024).flip();
    private final String peer;

    Conn(SocketChannel channel) throws IOException {
        this.channel = channel;
        this.in = channel.socket().getInputStream();
        this.out = channel.socket().getOutputStream();
        InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
        this.peer = remote.getAddress().getHostAddress() + ":" + remote.getPort();
    }

    static Conn connect(InetSocketAddress address, Duration timeout) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.socket().connect(address, (int) timeout.toMillis());
            return new Conn(channel);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    SocketChannel channel() {
        return channel;
    }

    /** The peer as {@code address:port}. */
    String peer() {
        return peer;
    }

    /** Limits each blocking read to {@code timeout}; a silent peer then raises {@link SocketTimeoutException}. */
    void readTimeout(Duration timeout) throws IOException {
        channel.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    /**
     * Reads one head; null when the peer closed before sending any byte of it.
     *
     * @throws EOFException if the peer closed in the middle of a head
     */
    <H extends MessageHead> ParseResult<H> readHead(Http1Parser<H> parser) throws IOException {
        boolean any = buffer.hasRemaining();
        while (true) {
            ParseResult<H> result = parser.parse(buffer);
            if (!(result instanceof ParseResult.NeedMore)) {
                return result;
            }
            if (fill() < 0) {
                if (!any) {
                    return null;
                }
                throw new EOFException("the peer closed the connection in the middle of a head");
            }
            any = true;
        }
    }

    /** Reads more bytes into the buffer; returns how many, or -1 at end of stream. */
    int fill() throws IOException {
        buffer.compact();
        try {
            int n = in.read(buffer.array(), buffer.position(), buffer.remaining());
            if (n > 0) {
                buffer.position(buffer.position() + n);
            }
            return n;
        } finally {
            buffer.flip();
        }
    }

    /** One byte, or -1 at end of stream. */
    int read() throws IOException {
        if (!buffer.hasRemaining() && fill() < 0) {
            return -1;
        }
        return buffer.get() & 0xFF;
    }

    /** Up to {@code max} bytes into {@code dst}: from the buffer first, then from the socket; -1 at end of stream. */
    int read(byte[] dst, int max) throws IOException {
        if (!buffer.hasRemaining() && fill() < 0) {
            return -1;
        }
        int n = Math.min(max, buffer.remaining());
        buffer.get(dst, 0, n);
        return n;
    }

    void write(byte[] bytes) throws IOException {
        write(bytes, 0, bytes.length);
    }

    void write(byte[] bytes, int off, int len) throws IOException {
        out.write(bytes, off, len);
    }

    /** A copy of the bytes read but not consumed, for the tunnel relay. */
    ByteBuffer unread() {
        ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
        copy.put(buffer.duplicate()).flip();
        return copy;
    }

    /** The same copy with {@code prefix} in front: e.g. the 101 head to write before the upstream's first bytes. */
    ByteBuffer unreadAfter(byte[] prefix) {
        ByteBuffer copy = ByteBuffer.allocate(prefix.length + buffer.remaining());
        copy.put(prefix).put(buffer.duplicate()).flip();
        return copy;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is best effort: the peer may already be gone
        }
    }
}
