package io.github.upgrade4j.examples.support;

import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.MessageHead;
import io.github.upgrade4j.http.ParseResult;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The reading side of one HTTP/1.1 connection: heads through an {@link Http1Parser}, then body,
 * tunnel or WebSocket bytes through the {@link InputStream} methods, with the bytes read past one
 * message kept for the next. Every program in the examples reads its peers through one of these
 * (the proxy through {@link Conn}), so a pipelined request, a body that arrived with its head or a
 * frame sent right behind a 101 is never lost.
 *
 * <pre>{@code
 * HeadReader reader = HeadReader.of(socket.getInputStream());
 * ParseResult<RequestHead> parsed = reader.readHead(Http1Parser.forRequests());
 * if (parsed == null) { ... }                      // the peer closed between messages
 * else if (parsed instanceof ParseResult.Complete<RequestHead> complete) {
 *     Bodies.copyFixed(reader, out, length);       // the body: buffered bytes first, then the socket
 * }
 * ByteBuffer behind = reader.unread();             // e.g. for the tunnel after a 101
 * }</pre>
 *
 * <p>Invariant: the buffer, in read mode, holds from its position to its limit the bytes received and
 * not yet consumed, in the order they arrived; nothing else is ever buffered. The buffer is for heads
 * only: when it is empty, {@link #read(byte[], int, int)} reads from the stream straight into the
 * caller's array, so bodies stream through without a copy and without a size limit.
 *
 * <p>It does not frame bodies (see {@link Bodies}), time reads (the socket's read timeout does),
 * close the stream (its owner does; {@link #close()} does nothing), or look ahead: it reads from the
 * stream only when the buffer is empty, so bytes a tunnel should get stay in the stream or in
 * {@link #unread()}. Not thread-safe: one reader per connection, used by one thread at a time.
 */
public final class HeadReader extends InputStream {
    /** The default buffer size: 8 KiB, the unit heads are read in (the parser's head limit is its own). */
    public static final int DEFAULT_BUFFER_SIZE = 8 * 1024;
    private static final ByteBuffer NONE = ByteBuffer.allocate(0);

    private final InputStream in;
    /** Read mode: position to limit are the bytes received and not yet consumed. */
    private final ByteBuffer buffer;

    private HeadReader(InputStream in, int bufferSize, ByteBuffer received) {
        this.in = Objects.requireNonNull(in, "in");
        Objects.requireNonNull(received, "received");
        if (bufferSize < 1) {
            throw new IllegalArgumentException("expected a buffer size of at least 1 but was " + bufferSize);
        }
        // Copy on the way in: the caller's buffer is neither kept nor moved.
        this.buffer = ByteBuffer.allocate(Math.max(bufferSize, received.remaining()));
        buffer.put(received.duplicate()).flip();
    }

    /** A reader of {@code in} with the default buffer size. */
    public static HeadReader of(InputStream in) {
        return new HeadReader(in, DEFAULT_BUFFER_SIZE, NONE);
    }

    /**
     * A reader that first returns a copy of {@code received}'s remaining bytes (bytes some other reader
     * took from the connection already, such as decrypted TLS records or a container's leftover), then
     * those of {@code in}.
     */
    public static HeadReader of(InputStream in, ByteBuffer received) {
        return new HeadReader(in, DEFAULT_BUFFER_SIZE, received);
    }

    /**
     * As {@link #of(InputStream, ByteBuffer)} with a buffer of {@code bufferSize} bytes, or more if
     * {@code received} holds more.
     *
     * @throws IllegalArgumentException if {@code bufferSize} is less than 1
     */
    public static HeadReader of(InputStream in, int bufferSize, ByteBuffer received) {
        return new HeadReader(in, bufferSize, received);
    }

    /**
     * Reads one head with {@code parser}; the bytes behind it stay buffered for the next call or read.
     * A {@code Rejected} result is returned as the parser gave it; what follows the rejected bytes is
     * unspecified, so the connection should be closed after answering it.
     *
     * @return the {@code Complete} or {@code Rejected} result, or null when the stream ended before any
     *     byte of a head
     * @throws EOFException if the stream ended in the middle of a head
     */
    public <H extends MessageHead> @Nullable ParseResult<H> readHead(Http1Parser<H> parser) throws IOException {
        boolean any = buffer.hasRemaining();
        while (true) {
            ParseResult<H> result = parser.parse(buffer);
            if (!(result instanceof ParseResult.NeedMore)) {
                return result;
            }
            int n = fill(); // NeedMore consumed every byte (Http1Parser#parse), so there is room
            if (n < 0) {
                if (!any) {
                    return null;
                }
                throw new EOFException("the peer closed the connection in the middle of a head");
            }
            any |= n > 0;
        }
    }

    /**
     * Reads once from the stream into the free room of the buffer, blocking until at least one byte
     * comes; returns how many came, 0 when the buffer is full, or -1 at the end of the stream.
     */
    public int fill() throws IOException {
        buffer.compact();
        try {
            if (!buffer.hasRemaining()) {
                return 0;
            }
            int n = in.read(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
            if (n > 0) {
                buffer.position(buffer.position() + n);
            }
            return n;
        } finally {
            buffer.flip();
        }
    }

    /** One byte, from the buffer or else the stream; -1 at the end of the stream. */
    @Override
    public int read() throws IOException {
        if (!buffer.hasRemaining() && fill() < 0) {
            return -1;
        }
        return buffer.get() & 0xFF;
    }

    /**
     * Up to {@code len} bytes into {@code dst} from {@code off}: only buffered bytes while there are any,
     * else what one read of the stream gives; -1 at the end of the stream, 0 only when {@code len} is 0.
     */
    @Override
    public int read(byte[] dst, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, dst.length);
        if (len == 0) {
            return 0;
        }
        if (!buffer.hasRemaining()) {
            return in.read(dst, off, len);
        }
        int n = Math.min(len, buffer.remaining());
        buffer.get(dst, off, n);
        return n;
    }

    /** The number of buffered bytes: those a read returns without touching the stream. */
    @Override
    public int available() {
        return buffer.remaining();
    }

    /** A copy of the buffered bytes, in a new buffer ready to read; the reader still holds them. */
    public ByteBuffer unread() {
        return ByteBuffer.allocate(buffer.remaining()).put(buffer.duplicate()).flip();
    }

    /** Does nothing: the stream belongs to whoever gave it. */
    @Override
    public void close() {
        // the owner of the connection closes it
    }
}
