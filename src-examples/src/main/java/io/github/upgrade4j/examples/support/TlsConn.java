package io.github.upgrade4j.examples.support;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * TLS over a blocking {@link SocketChannel} with an {@link SSLEngine}, for the proxy's HTTP phase:
 * plaintext streams for {@link Conn}, and afterwards the same engine and channel for the tunnel relay,
 * with the plaintext decrypted but not yet read ({@link #unreadPlaintext()}) and the ciphertext read but
 * not yet decrypted ({@link #unreadCiphertext()}). An {@code SSLSocket} would do the HTTP phase, but it
 * cannot hand its connection over.
 *
 * <p>Reads go through the socket's stream, so its {@code SO_TIMEOUT} bounds them, the handshake
 * included. In the HTTP phase a TCP FIN without {@code close_notify} reads as the end of the stream:
 * HTTP framing notices a cut body. Not thread-safe, except that {@link #closeOutbound()} may run
 * while another thread reads.
 */
public final class TlsConn {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    private final InputStream rawIn;
    private final OutputStream rawOut;
    /** Read mode: ciphertext read and not yet decrypted. */
    private final ByteBuffer netIn;
    /** Read mode: plaintext decrypted and not yet read. */
    private final ByteBuffer appIn;
    /** One record at a time on the way out; guarded by {@code this}. */
    private final ByteBuffer netOut;

    private TlsConn(SocketChannel channel, SSLEngine engine) throws IOException {
        this(channel, engine, 0);
    }

    private TlsConn(SocketChannel channel, SSLEngine engine, int received) throws IOException {
        this.engine = engine;
        this.rawIn = channel.socket().getInputStream();
        this.rawOut = channel.socket().getOutputStream();
        int packet = engine.getSession().getPacketBufferSize();
        int application = engine.getSession().getApplicationBufferSize();
        this.netIn = ByteBuffer.allocate(Math.max(2 * packet, received + packet)).flip();
        this.appIn = ByteBuffer.allocate(2 * application).flip();
        this.netOut = ByteBuffer.allocate(packet);
    }

    /** Runs the handshake of {@code engine} (in its client or server mode) over the blocking {@code channel}. */
    static TlsConn handshake(SocketChannel channel, SSLEngine engine) throws IOException {
        TlsConn conn = new TlsConn(channel, engine);
        engine.beginHandshake();
        while (true) {
            HandshakeStatus status = engine.getHandshakeStatus();
            if (status == HandshakeStatus.NEED_TASK) {
                conn.runTasks();
            } else if (status == HandshakeStatus.NEED_WRAP) {
                conn.send(EMPTY);
            } else if (status == HandshakeStatus.NEED_UNWRAP || status == HandshakeStatus.NEED_UNWRAP_AGAIN) {
                if (conn.decrypt() < 0) {
                    throw new EOFException("the peer closed the connection during the TLS handshake");
                }
            } else {
                return conn; // records behind the handshake (the request, say) stay in netIn for reads
            }
        }
    }

    /**
     * Goes on with a TLS connection whose handshake ran elsewhere (non-blocking, on the proxy's client
     * loop): {@code ciphertext} (read mode) is what was received and not yet decrypted, read before the
     * socket. The channel must be in blocking mode.
     */
    public static TlsConn resume(SocketChannel channel, SSLEngine engine, ByteBuffer ciphertext) throws IOException {
        TlsConn conn = new TlsConn(channel, engine, ciphertext.remaining());
        conn.netIn.compact();
        conn.netIn.put(ciphertext.duplicate());
        conn.netIn.flip();
        return conn;
    }

    SSLEngine engine() {
        return engine;
    }

    /** The negotiated protocol and cipher suite, for logs. */
    String describe() {
        String alpn = engine.getApplicationProtocol();
        return engine.getSession().getProtocol() + " " + engine.getSession().getCipherSuite()
                + (alpn == null || alpn.isEmpty() ? "" : ", ALPN " + alpn);
    }

    /** Plaintext through the engine; -1 at {@code close_notify} (or a FIN). */
    InputStream input() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] bytes, int offset, int length) throws IOException {
                if (length == 0) {
                    return 0;
                }
                while (!appIn.hasRemaining()) {
                    if (decrypt() < 0) {
                        return -1;
                    }
                }
                int n = Math.min(length, appIn.remaining());
                appIn.get(bytes, offset, n);
                return n;
            }
        };
    }

    /** Plaintext through the engine, one record per write to the socket. */
    OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                ByteBuffer src = ByteBuffer.wrap(bytes, offset, length);
                while (src.hasRemaining()) {
                    send(src);
                }
            }
        };
    }

    /** A copy of the plaintext decrypted and not yet read. */
    ByteBuffer unreadPlaintext() {
        return copy(appIn);
    }

    /** A copy of the ciphertext read and not yet decrypted: typically the start of the next record. */
    ByteBuffer unreadCiphertext() {
        return copy(netIn);
    }

    /** Sends {@code close_notify}, best effort; the caller closes the channel next. */
    synchronized void closeOutbound() {
        try {
            engine.closeOutbound();
            netOut.clear();
            engine.wrap(EMPTY, netOut);
            rawOut.write(netOut.array(), 0, netOut.position());
        } catch (IOException | RuntimeException e) {
            // the connection is closed next either way
        }
    }

    /**
     * Decrypts what {@link #netIn} holds into {@link #appIn}, reading the socket when a record is
     * incomplete; answers what the engine wants to send (tickets, key updates). Returns the plaintext
     * bytes it produced (0 for a record that carried none), or -1 at the end of the stream.
     */
    private int decrypt() throws IOException {
        while (true) {
            if (netIn.hasRemaining()) {
                SSLEngineResult result;
                appIn.compact();
                try {
                    result = engine.unwrap(netIn, appIn);
                } finally {
                    appIn.flip();
                }
                switch (result.getStatus()) {
                    case CLOSED:
                        return -1;
                    case BUFFER_OVERFLOW:
                        if (appIn.hasRemaining()) {
                            return 0; // the reader takes what is there first
                        }
                        throw new SSLException("expected TLS records of at most " + appIn.capacity()
                                + " plaintext bytes but one needs more");
                    case OK:
                        if (result.bytesConsumed() == 0) {
                            break; // nothing to open after all: read more below
                        }
                        while (true) { // the next handshake flight, or a post-handshake answer (a key update)
                            HandshakeStatus status = engine.getHandshakeStatus();
                            if (status == HandshakeStatus.NEED_TASK) {
                                runTasks();
                            } else if (status == HandshakeStatus.NEED_WRAP) {
                                send(EMPTY);
                            } else {
                                break;
                            }
                        }
                        return result.bytesProduced();
                    case BUFFER_UNDERFLOW:
                    default:
                        break; // read more below
                }
            }
            netIn.compact();
            int n;
            try {
                if (!netIn.hasRemaining()) {
                    throw new SSLException("expected TLS records of at most " + netIn.capacity() + " bytes");
                }
                n = rawIn.read(netIn.array(), netIn.arrayOffset() + netIn.position(), netIn.remaining());
                if (n > 0) {
                    netIn.position(netIn.position() + n);
                }
            } finally {
                netIn.flip();
            }
            if (n < 0) {
                return -1;
            }
        }
    }

    /** Makes one record from {@code src} (or the engine's own message) and writes it. */
    private synchronized void send(ByteBuffer src) throws IOException {
        netOut.clear();
        SSLEngineResult result = engine.wrap(src, netOut);
        if (result.getStatus() == SSLEngineResult.Status.CLOSED && src.hasRemaining()) {
            throw new SSLException("expected an open TLS connection but it was closed");
        }
        if (result.bytesConsumed() == 0 && result.bytesProduced() == 0 && src.hasRemaining()) {
            throw new SSLException("expected the TLS engine to take bytes but it is in " + result.getHandshakeStatus());
        }
        if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
            runTasks();
        }
        rawOut.write(netOut.array(), 0, netOut.position());
    }

    private void runTasks() {
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
        }
    }

    private static ByteBuffer copy(ByteBuffer bytes) {
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
        copy.put(bytes.duplicate()).flip();
        return copy;
    }
}
