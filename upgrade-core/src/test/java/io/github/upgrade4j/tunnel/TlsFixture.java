package io.github.upgrade4j.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for the tunnel tests: one throw-away self-signed certificate (made once per test JVM with the
 * JDK's {@code keytool}) that every side presents and trusts; JDK {@link SSLSocket}s for the test's
 * outer peers, so that the relay's {@link SSLEngine} handling meets an independent implementation;
 * and {@link Driver}, a blocking engine over streams, for the proxy side's own handshake and for
 * peers that must send exactly the records a test needs (half a record, say).
 */
public final class TlsFixture {
    private static final char[] PASSWORD = "tunnel-test".toCharArray();
    private static SSLContext context;

    private TlsFixture() {}

    /** {@return the context with the throw-away certificate, made on first use} */
    public static synchronized SSLContext context() {
        if (context == null) {
            try {
                context = makeContext();
            } catch (IOException | GeneralSecurityException | InterruptedException e) {
                throw new AssertionError("could not make the test certificate", e);
            }
        }
        return context;
    }

    private static SSLContext makeContext() throws IOException, GeneralSecurityException, InterruptedException {
        Path dir = Files.createTempDirectory("tunnel-tls");
        Path keystore = dir.resolve("test.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "test", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS)) {
            keytool.destroyForcibly();
            throw new IOException("keytool did not finish");
        }
        assertEquals(0, keytool.exitValue(), output);
        KeyStore store = KeyStore.getInstance(keystore.toFile(), PASSWORD);
        Files.delete(keystore);
        Files.delete(dir);
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext made = SSLContext.getInstance("TLS");
        made.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return made;
    }

    /** A server-mode engine, not handshaken. */
    static SSLEngine serverEngine() {
        SSLEngine engine = context().createSSLEngine();
        engine.setUseClientMode(false);
        return engine;
    }

    /** A client-mode engine for "localhost", not handshaken. */
    static SSLEngine clientEngine() {
        SSLEngine engine = context().createSSLEngine("localhost", 443);
        engine.setUseClientMode(true);
        return engine;
    }

    /** A client-mode TLS socket over the connected {@code raw} one; closing it closes {@code raw}. */
    static SSLSocket clientOver(Socket raw) throws IOException {
        SSLSocket socket = (SSLSocket) context().getSocketFactory().createSocket(raw, "localhost", raw.getPort(), true);
        socket.setUseClientMode(true);
        socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(Loopback.TIMEOUT_SECONDS));
        return socket;
    }

    /** A server-mode TLS socket over the connected {@code raw} one; closing it closes {@code raw}. */
    static SSLSocket serverOver(Socket raw) throws IOException {
        SSLSocket socket = (SSLSocket) context().getSocketFactory().createSocket(raw, null, raw.getPort(), true);
        socket.setUseClientMode(false);
        socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(Loopback.TIMEOUT_SECONDS));
        return socket;
    }

    /**
     * An {@link SSLEngine} driven by hand over blocking streams: handshake, records made and sent on
     * request, ciphertext read in exact amounts, records opened one at a time. What a proxy does to
     * read a head over TLS before it hands the connection to the relay, and what a misbehaving peer
     * does when it stops in the middle of a record.
     */
    static final class Driver {
        final SSLEngine engine;
        private final InputStream in;
        private final OutputStream out;
        /** Read mode: ciphertext read but not yet opened. */
        final ByteBuffer netIn = ByteBuffer.allocate(64 * 1024).flip();
        /** Read mode: plaintext opened but not yet taken. */
        final ByteBuffer appIn = ByteBuffer.allocate(64 * 1024).flip();

        Driver(SSLEngine engine, InputStream in, OutputStream out) {
            this.engine = engine;
            this.in = in;
            this.out = out;
        }

        Driver(SSLEngine engine, java.nio.channels.SocketChannel blocking) throws IOException {
            this(engine, blocking.socket().getInputStream(), blocking.socket().getOutputStream());
        }

        Driver(SSLEngine engine, Socket socket) throws IOException {
            this(engine, socket.getInputStream(), socket.getOutputStream());
        }

        /** Runs the handshake to its end, reading record by record so that nothing past it is read. */
        Driver handshake() throws IOException {
            engine.beginHandshake();
            while (true) {
                HandshakeStatus status = engine.getHandshakeStatus();
                switch (status) {
                    case NEED_TASK -> {
                        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                            task.run();
                        }
                    }
                    case NEED_WRAP -> send(ByteBuffer.allocate(0));
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        if (!openOneRecord()) {
                            readRecord();
                        }
                    }
                    default -> {
                        return this;
                    }
                }
            }
        }

        /** Encrypts {@code plaintext} and writes every record. */
        void send(ByteBuffer plaintext) throws IOException {
            do {
                out.write(records(plaintext));
            } while (plaintext.hasRemaining());
            out.flush();
        }

        /** Records for as much of {@code plaintext} as fits 64 KiB of them, without sending them. */
        byte[] records(ByteBuffer plaintext) throws IOException {
            ByteBuffer net = ByteBuffer.allocate(64 * 1024);
            do {
                SSLEngineResult result = engine.wrap(plaintext, net);
                assertEquals(SSLEngineResult.Status.OK, result.getStatus(), result::toString);
                if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                    for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                        task.run();
                    }
                }
            } while (plaintext.hasRemaining() && net.remaining() >= engine.getSession().getPacketBufferSize()
                    || engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP);
            net.flip();
            byte[] bytes = new byte[net.remaining()];
            net.get(bytes);
            return bytes;
        }

        /** Sends {@code close_notify}. */
        void closeOutbound() throws IOException {
            engine.closeOutbound();
            ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(ByteBuffer.allocate(0), net);
            out.write(net.array(), 0, net.position());
            out.flush();
        }

        /** Reads exactly {@code n} more bytes of ciphertext into {@link #netIn}. */
        void readCiphertext(int n) throws IOException {
            netIn.compact();
            try {
                int read = in.readNBytes(netIn.array(), netIn.position(), n);
                if (read < n) {
                    throw new EOFException("expected " + n + " bytes of ciphertext but the stream ended after " + read);
                }
                netIn.position(netIn.position() + n);
            } finally {
                netIn.flip();
            }
        }

        /** Reads one whole record (header, then body) into {@link #netIn}. */
        void readRecord() throws IOException {
            readCiphertext(5);
            int length = (netIn.get(netIn.limit() - 2) & 0xFF) << 8 | netIn.get(netIn.limit() - 1) & 0xFF;
            readCiphertext(length);
        }

        /** Opens the first whole record in {@link #netIn}, if there is one; false if there is none. */
        boolean openOneRecord() throws IOException {
            if (netIn.remaining() < 5) {
                return false;
            }
            int length = (netIn.get(netIn.position() + 3) & 0xFF) << 8 | netIn.get(netIn.position() + 4) & 0xFF;
            if (netIn.remaining() < 5 + length) {
                return false;
            }
            ByteBuffer record = netIn.duplicate();
            record.limit(record.position() + 5 + length);
            appIn.compact();
            try {
                SSLEngineResult result = engine.unwrap(record, appIn);
                assertTrue(result.getStatus() == SSLEngineResult.Status.OK
                        || result.getStatus() == SSLEngineResult.Status.CLOSED, result::toString);
                assertEquals(5 + length, result.bytesConsumed(), "one record");
            } finally {
                appIn.flip();
            }
            netIn.position(netIn.position() + 5 + length);
            return true;
        }

        /** Reads and opens records until {@code n} bytes of plaintext wait in {@link #appIn}. */
        void readPlaintext(int n) throws IOException {
            while (appIn.remaining() < n) {
                if (!openOneRecord()) {
                    readRecord();
                }
            }
        }

        /** A copy of the ciphertext read and not opened. */
        ByteBuffer unopened() {
            return netIn.duplicate();
        }
    }
}
