package io.github.upgrade4j.benchmarks;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The comparison client's end of one connection to a target: a plain {@link SocketChannel} with
 * direct buffers, or a TLS socket ({@code wss}) with heap buffers. Every target of one kind is
 * measured with the same client code, so the client's own cost is the same on each side of a ratio.
 */
interface ClientLink extends Closeable {
    /** The only protocol the TLS client offers. */
    String TLS_PROTOCOL = "TLSv1.3";
    /** The only cipher suite the TLS client offers: AES-128-GCM, as issue 10 asks. */
    String TLS_CIPHER_SUITE = "TLS_AES_128_GCM_SHA256";

    /** Reads some bytes into {@code into}; -1 at the end of the stream. Blocks until at least one byte. */
    int read(ByteBuffer into) throws IOException;

    /** Writes everything {@code from} has left. */
    void writeFully(ByteBuffer from) throws IOException;

    /** A buffer of the kind this link moves bytes from and into without a further copy. */
    ByteBuffer buffer(int size);

    /** What the connection negotiated, for the log: {@code plain} or protocol and cipher suite. */
    String describe();

    /** Fills {@code into} completely. */
    default void readFully(ByteBuffer into) throws IOException {
        while (into.hasRemaining()) {
            if (read(into) < 0) {
                throw new IOException("closed early");
            }
        }
    }

    /** A plain TCP connection to {@code address}, {@code TCP_NODELAY} on. */
    static ClientLink plain(InetSocketAddress address) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(address);
            return new Plain(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * A TLS connection to {@code address}, handshaken before it returns, offering only TLS 1.3 with
     * {@link #TLS_CIPHER_SUITE}; fails if the server chose anything else.
     */
    static ClientLink tls(SSLSocketFactory factory, InetSocketAddress address) throws IOException {
        SSLSocket socket = (SSLSocket) factory.createSocket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setProtocols(new String[] {TLS_PROTOCOL});
            parameters.setCipherSuites(new String[] {TLS_CIPHER_SUITE});
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            SSLSession session = socket.getSession();
            if (!TLS_PROTOCOL.equals(session.getProtocol()) || !TLS_CIPHER_SUITE.equals(session.getCipherSuite())) {
                throw new IOException("expected " + TLS_PROTOCOL + " with " + TLS_CIPHER_SUITE + " but the server chose "
                        + session.getProtocol() + " with " + session.getCipherSuite());
            }
            return new Tls(socket, socket.getInputStream(), socket.getOutputStream());
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** {@code link}, whose reads first hand out {@code prefix}'s remaining bytes (read already, with a head). */
    static ClientLink withPrefix(ClientLink link, ByteBuffer prefix) {
        return new Prefixed(link, prefix);
    }

    /** A link with bytes that were read before it was handed out: they come first. */
    record Prefixed(ClientLink link, ByteBuffer prefix) implements ClientLink {
        @Override
        public int read(ByteBuffer into) throws IOException {
            if (!prefix.hasRemaining()) {
                return link.read(into);
            }
            int n = Math.min(prefix.remaining(), into.remaining());
            into.put(prefix.slice().limit(n));
            prefix.position(prefix.position() + n);
            return n;
        }

        @Override
        public void writeFully(ByteBuffer from) throws IOException {
            link.writeFully(from);
        }

        @Override
        public ByteBuffer buffer(int size) {
            return link.buffer(size);
        }

        @Override
        public String describe() {
            return link.describe();
        }

        @Override
        public void close() throws IOException {
            link.close();
        }
    }

    /** A plain channel with direct buffers: the kernel copies straight from and into them. */
    record Plain(SocketChannel channel) implements ClientLink {
        @Override
        public int read(ByteBuffer into) throws IOException {
            return channel.read(into);
        }

        @Override
        public void writeFully(ByteBuffer from) throws IOException {
            while (from.hasRemaining()) {
                channel.write(from);
            }
        }

        @Override
        public ByteBuffer buffer(int size) {
            return ByteBuffer.allocateDirect(size);
        }

        @Override
        public String describe() {
            return "plain";
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** A TLS socket with heap buffers: the JDK's TLS streams take and fill byte arrays. */
    record Tls(SSLSocket socket, InputStream in, OutputStream out) implements ClientLink {
        @Override
        public int read(ByteBuffer into) throws IOException {
            int n = in.read(into.array(), into.arrayOffset() + into.position(), into.remaining());
            if (n > 0) {
                into.position(into.position() + n);
            }
            return n;
        }

        @Override
        public void writeFully(ByteBuffer from) throws IOException {
            out.write(from.array(), from.arrayOffset() + from.position(), from.remaining());
            from.position(from.limit());
        }

        @Override
        public ByteBuffer buffer(int size) {
            return ByteBuffer.allocate(size);
        }

        @Override
        public String describe() {
            SSLSession session = socket.getSession();
            return session.getProtocol() + " " + session.getCipherSuite();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
