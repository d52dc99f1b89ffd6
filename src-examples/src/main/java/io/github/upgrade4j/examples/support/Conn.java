package io.github.upgrade4j.examples.support;

import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.MessageHead;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.tunnel.Endpoint;
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
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.jspecify.annotations.Nullable;

/**
 * One blocking connection of the example proxy during its HTTP phase: a socket channel, a read buffer
 * whose unread bytes survive from one message to the next, and timed reads; over TLS when made by
 * {@link #resume} (after a TLS handshake on the proxy's client loop) or {@link #connect(InetSocketAddress,
 * Duration, SSLContext)}. When the connection
 * turns into a tunnel, {@link #endpoint} hands the channel, the engine if any, and the bytes already
 * read past the last head to the relay.
 */
public final class Conn implements Closeable {
    private final SocketChannel channel;
    private final @Nullable TlsConn tls;
    private final OutputStream out;
    /** Heads and the bytes received but not consumed yet; see {@link HeadReader}. */
    private final HeadReader reader;
    private final String peer;

    private Conn(SocketChannel channel) throws IOException {
        this(channel, null);
    }

    private Conn(SocketChannel channel, @Nullable TlsConn tls) throws IOException {
        this(channel, tls, ByteBuffer.allocate(0));
    }

    private Conn(SocketChannel channel, @Nullable TlsConn tls, ByteBuffer received) throws IOException {
        this.channel = channel;
        this.tls = tls;
        this.out = tls == null ? channel.socket().getOutputStream() : tls.output();
        this.reader = HeadReader.of(tls == null ? channel.socket().getInputStream() : tls.input(), received);
        InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
        this.peer = remote.getAddress().getHostAddress() + ":" + remote.getPort();
    }

    /**
     * Goes on with a client connection that waited without a thread (on the proxy's client loop) and is
     * now back in blocking mode: {@code plaintext} (read mode) is what the client sent and nobody read
     * yet, a request head at least, read before the socket; over TLS, {@code engine} has finished its
     * handshake and {@code ciphertext} holds the start of a record not yet decrypted.
     */
    public static Conn resume(SocketChannel channel, @Nullable SSLEngine engine, ByteBuffer plaintext,
            ByteBuffer ciphertext) throws IOException {
        return new Conn(channel, engine == null ? null : TlsConn.resume(channel, engine, ciphertext), plaintext);
    }

    public static Conn connect(InetSocketAddress address, Duration timeout) throws IOException {
        return connect(address, timeout, null);
    }

    /**
     * A connection to {@code address}, over TLS when {@code tls} is not null: then the upstream's
     * certificate must be valid for the host name or address given, and ALPN offers {@code http/1.1}.
     */
    public static Conn connect(InetSocketAddress address, Duration timeout, @Nullable SSLContext tls) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.socket().connect(address, (int) timeout.toMillis());
            if (tls == null) {
                return new Conn(channel);
            }
            channel.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            return new Conn(channel, TlsConn.handshake(channel, TlsSetup.clientEngine(tls, address)));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    SocketChannel channel() {
        return channel;
    }

    /** The TLS protocol, cipher suite and ALPN protocol, or "plain". */
    public String security() {
        return tls == null ? "plain" : tls.describe();
    }

    /** The peer as {@code address:port}. */
    public String peer() {
        return peer;
    }

    /** Limits each blocking read to {@code timeout}; a silent peer then raises {@link SocketTimeoutException}. */
    public void readTimeout(Duration timeout) throws IOException {
        channel.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    /**
     * Reads one head; null when the peer closed before sending any byte of it.
     *
     * @throws EOFException if the peer closed in the middle of a head
     */
    public <H extends MessageHead> ParseResult<H> readHead(Http1Parser<H> parser) throws IOException {
        return reader.readHead(parser);
    }

    /** A copy of the TLS records read and not yet decrypted (empty for plain TCP): to keep while the connection waits. */
    public ByteBuffer unreadCiphertext() {
        return tls == null ? ByteBuffer.allocate(0) : tls.unreadCiphertext();
    }

    /** Reads more bytes into the buffer; returns how many, or -1 at end of stream. */
    int fill() throws IOException {
        return reader.fill();
    }

    /** One byte, or -1 at end of stream. */
    int read() throws IOException {
        return reader.read();
    }

    /** Up to {@code max} bytes into {@code dst}: from the buffer first, then from the socket; -1 at end of stream. */
    int read(byte[] dst, int max) throws IOException {
        return read(dst, 0, max);
    }

    /** Up to {@code max} bytes into {@code dst} from {@code off}, as {@link #read(byte[], int)}. */
    int read(byte[] dst, int off, int max) throws IOException {
        return reader.read(dst, off, max);
    }

    /**
     * Whether this idle connection can carry another request: false when the peer has closed or reset it,
     * or sent bytes nobody asked for (over TLS typically a {@code close_notify}). Looks without blocking;
     * whatever it reads belongs to a connection that is then closed.
     */
    public boolean reusable() {
        if (reader.available() > 0 || tls != null && (tls.unreadPlaintext().hasRemaining()
                || tls.unreadCiphertext().hasRemaining())) {
            return false;
        }
        try {
            channel.configureBlocking(false);
            try {
                return channel.read(ByteBuffer.allocate(1)) == 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException e) {
            return false;
        }
    }

    public void write(byte[] bytes) throws IOException {
        write(bytes, 0, bytes.length);
    }

    public void write(byte[] bytes, int off, int len) throws IOException {
        out.write(bytes, off, len);
    }

    /** What the peer sends, after the bytes read past the last head; closing it does not close the connection. */
    public InputStream input() {
        return Bodies.source(this);
    }

    /** Writes to the peer; closing it does not close the connection. */
    public OutputStream output() {
        return Bodies.sink(this);
    }

    /** A copy of the bytes read but not consumed (decrypted, over TLS), for the tunnel relay. */
    public ByteBuffer unread() {
        return unreadAfter(new byte[0]);
    }

    /** The same copy with {@code prefix} in front: e.g. the 101 head to write before the upstream's first bytes. */
    ByteBuffer unreadAfter(byte[] prefix) {
        ByteBuffer decrypted = tls == null ? ByteBuffer.allocate(0) : tls.unreadPlaintext();
        ByteBuffer buffered = reader.unread();
        ByteBuffer copy = ByteBuffer.allocate(prefix.length + buffered.remaining() + decrypted.remaining());
        copy.put(prefix).put(buffered).put(decrypted).flip();
        return copy;
    }

    /**
     * This connection as one side of a tunnel, with {@code prefix} and then the bytes read past the
     * last head relayed first to the other side; over TLS, the engine and the ciphertext read but not
     * yet decrypted go along. The relay owns the channel once it opens the tunnel.
     */
    public Endpoint endpoint(byte[] prefix) {
        ByteBuffer plaintext = unreadAfter(prefix);
        return tls == null
                ? Endpoint.of(channel, plaintext)
                : Endpoint.tls(channel, tls.engine(), plaintext, tls.unreadCiphertext());
    }

    /** Closes the connection; over TLS, after a {@code close_notify}. Only for the thread that uses it. */
    @Override
    public void close() {
        if (tls != null && channel.isOpen()) {
            tls.closeOutbound();
        }
        closeNow();
    }

    /** Closes the channel at once, without {@code close_notify}; any thread, e.g. while another one reads. */
    public void closeNow() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is best effort: the peer may already be gone
        }
    }
}
