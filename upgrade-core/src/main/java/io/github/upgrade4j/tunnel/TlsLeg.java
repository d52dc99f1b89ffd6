package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * A side of a tunnel that speaks TLS: the directions read and write plaintext, the channel carries
 * records, and an {@link SSLEngine} sits in between.
 *
 * <p>Two buffers of the relay's pool, each borrowed only while it holds bytes: {@link #netIn},
 * ciphertext read but not yet decrypted (the start of a record, or records that did not fit the
 * reader's buffer), and {@link #netOut}, records made but not yet written. Both are kept in read mode:
 * the pending bytes lie between position and limit. The caller's encrypted leftover is decrypted from
 * its own heap copy first; only a record it cuts short moves into {@link #netIn}.
 *
 * <p>Ends of the stream (RFC 8446 §6.1): a {@code close_notify} from the peer is the end of what it
 * sends, and is passed on as a FIN; a FIN without one is a truncation and is passed on as a reset
 * ({@link TlsResetException}). With {@link RelayOptions#tlsFinWithoutCloseNotifyAsEnd()} on, such a
 * FIN that comes between records after the handshake is an end like a {@code close_notify} instead:
 * the plaintext opened before it is returned first, then -1, and {@link #finWithoutCloseNotify} tells
 * the outcome; a FIN that cuts a record short, or the handshake, stays a reset whatever the option.
 * Our end is {@code closeOutbound}, the {@code close_notify} record, then a FIN. With TLS 1.2 the
 * engine answers a {@code close_notify} with its own (RFC 5246 §7.2.1), so bytes still bound for that
 * peer cannot be sent: that too becomes a reset.
 *
 * <p>The handshake, whoever began it, and post-handshake messages (tickets, key updates) are driven
 * here as they come: a read sends what the engine wants to send, a write waits while the handshake
 * waits for the peer ({@link #progressed} tells the session to try again). Delegated tasks run on the
 * event loop. Confined to the loop, like the session.
 */
final class TlsLeg extends Leg {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** The cipher suite of the session an engine reports before its first handshake (JSSE reference guide). */
    private static final String NO_HANDSHAKE_YET = "SSL_NULL_WITH_NULL_NULL";

    private final Session session;
    private final EventLoop loop;
    private final SSLEngine engine;
    /** The caller's ciphertext read past the head, decrypted before anything read from the channel. */
    private final ByteBuffer encrypted;
    private @Nullable ByteBuffer netIn;
    private @Nullable ByteBuffer netOut;
    /** Plaintext whose records are in {@link #netOut}; counted as written once it is empty. */
    private long unflushed;
    /** Whether this is the client's leg: then the session's toUpstream reads it and toClient writes it. */
    private final boolean clientSide;
    private boolean registered;
    private boolean closing;
    private boolean finSent;
    /** The engine wants to send and {@link #netOut} has no room until the socket takes some. */
    private boolean wrapBlocked;
    /** Ciphertext is buffered that the engine has not found short of a record. */
    private boolean inputReady;
    /** The handshake finished or a blocked output drained: the directions may move again. */
    boolean progressed;
    /**
     * The peer ended with a FIN and no {@code close_notify}, accepted as the end of what it sends
     * ({@link RelayOptions#tlsFinWithoutCloseNotifyAsEnd()}); from then on a read returns -1.
     */
    boolean finWithoutCloseNotify;

    TlsLeg(Session session, SocketChannel channel, boolean clientSide, SSLEngine engine, ByteBuffer encrypted) {
        super(channel);
        this.session = session;
        this.loop = session.loop;
        this.clientSide = clientSide;
        this.engine = engine;
        this.encrypted = encrypted;
        this.inputReady = encrypted.hasRemaining();
    }

    /** The direction reading from this leg. */
    private Direction reader() {
        return clientSide ? session.toUpstream : session.toClient;
    }

    /** The direction writing to this leg. */
    private Direction writer() {
        return clientSide ? session.toClient : session.toUpstream;
    }

    @Override
    void begin() throws IOException {
        registered = true;
        if (engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
                && NO_HANDSHAKE_YET.equals(engine.getSession().getCipherSuite())) {
            engine.beginHandshake(); // a client's hello goes out at the next service()
        }
    }

    @Override
    int read(ByteBuffer dst) throws IOException {
        starved = false;
        if (engine.isInboundDone() || finWithoutCloseNotify) {
            return -1; // the close_notify (or the accepted FIN) came with the bytes returned last time
        }
        int produced = 0;
        try {
            while (true) {
                if (!handshakeStep()) {
                    return produced;
                }
                ByteBuffer in = encrypted.hasRemaining() ? encrypted : netIn;
                if (in != null && in.hasRemaining()) {
                    SSLEngineResult result = engine.unwrap(in, dst);
                    produced += result.bytesProduced();
                    noteFinished(result);
                    Status status = result.getStatus();
                    if (status == Status.CLOSED) { // the peer's close_notify: the end of what it sends
                        progressed = true;
                        return produced > 0 ? produced : -1;
                    }
                    if (status == Status.BUFFER_OVERFLOW) {
                        if (produced == 0) {
                            throw new SSLException("expected TLS records of at most " + dst.remaining()
                                    + " plaintext bytes but one needs more: the relay's buffers are too small");
                        }
                        inputReady = true; // whole records wait in netIn: the selector will not say so
                        return produced;
                    }
                    if (status == Status.OK && (result.bytesConsumed() > 0 || result.bytesProduced() > 0
                            || result.getHandshakeStatus() == HandshakeStatus.NEED_TASK
                            || result.getHandshakeStatus() == HandshakeStatus.NEED_WRAP)) {
                        continue;
                    }
                    // BUFFER_UNDERFLOW: the rest of a record is still on its way
                }
                ByteBuffer net = netIn;
                if (net == null) {
                    net = loop.borrow();
                    if (net == null) {
                        starved = true;
                        return produced;
                    }
                    net.clear();
                    net.put(encrypted).flip(); // a record the caller's leftover cut short, if any
                    netIn = net;
                }
                if (net.remaining() == net.capacity()) {
                    throw new SSLException("expected TLS records of at most " + net.capacity()
                            + " bytes (the relay's buffer size) but one is larger");
                }
                net.compact();
                int n;
                try {
                    n = channel.read(net);
                } finally {
                    net.flip();
                }
                if (n < 0) {
                    endWithoutCloseNotify(net.remaining());
                    progressed = true; // like a close_notify: the -1 may have to wait for the next read
                    return produced > 0 ? produced : -1;
                }
                if (n == 0) {
                    inputReady = false;
                    return produced;
                }
                session.lastActivityNanos = loop.now;
            }
        } finally {
            ByteBuffer net = netIn;
            if (net != null && !net.hasRemaining()) {
                netIn = null;
                loop.giveBack(net);
            }
            releaseOutIfEmpty(); // a handshake message the read sent
        }
    }

    @Override
    int write(ByteBuffer src) throws IOException {
        starved = false;
        int written = flush();
        try {
            while (!holdsOutput() && src.hasRemaining()) {
                if (engine.isOutboundDone()) {
                    throw new TlsResetException("expected to send " + src.remaining() + " more bytes but the peer's"
                            + " TLS close_notify closed the connection both ways (TLS 1.2, RFC 5246 §7.2.1);"
                            + " passed on as a reset");
                }
                if (!wrap(src)) {
                    break; // no buffer, or the handshake waits for the peer: progressed says when to retry
                }
                written += flush();
            }
        } finally {
            releaseOutIfEmpty();
        }
        return written;
    }

    @Override
    boolean holdsOutput() {
        ByteBuffer out = netOut;
        return out != null && out.hasRemaining();
    }

    @Override
    boolean hasInput() {
        ByteBuffer net = netIn;
        return inputReady && (encrypted.hasRemaining() || net != null && net.hasRemaining());
    }

    @Override
    boolean wantsRead(boolean readerWants) {
        return readerWants && !wrapBlocked;
    }

    @Override
    boolean wantsWrite(boolean writerBlocked) {
        return holdsOutput(); // a writer parked by the handshake waits for the peer, not the socket
    }

    @Override
    boolean shutdownOutput() throws IOException {
        starved = false;
        if (!closing) {
            closing = true;
            engine.closeOutbound();
        }
        try {
            while (true) {
                creditWriter(flush());
                if (holdsOutput()) {
                    return false; // OP_WRITE brings the rest
                }
                if (engine.isOutboundDone()) {
                    break;
                }
                if (!wrap(EMPTY)) { // the close_notify record
                    if (starved) {
                        return false;
                    }
                    break; // nothing more to send: the FIN ends it
                }
            }
        } finally {
            releaseOutIfEmpty();
        }
        if (!finSent) {
            finSent = true;
            channel.shutdownOutput();
        }
        return true;
    }

    @Override
    void service() throws IOException {
        starved = false;
        try {
            if (handshakeStep()) {
                creditWriter(flush());
            }
        } finally {
            releaseOutIfEmpty();
        }
    }

    @Override
    void close(boolean abort, EventLoop loop) {
        if (!abort && registered && channel.isOpen() && !engine.isOutboundDone()) {
            try { // best effort, one non-blocking write: a peer that does not read gets the FIN alone
                engine.closeOutbound();
                wrap(EMPTY);
                flush();
            } catch (IOException | RuntimeException e) {
                // The connection is closed next either way.
            }
        }
        ByteBuffer in = netIn;
        ByteBuffer out = netOut;
        netIn = null;
        netOut = null;
        if (in != null) {
            loop.giveBack(in);
        }
        if (out != null) {
            loop.giveBack(out);
        }
        super.close(abort, loop);
    }

    /**
     * The peer's FIN came without a {@code close_notify}, with {@code partial} bytes of a record
     * received and not opened: accepts it as the end of the stream if the relay is told to and nothing
     * was cut short, else throws the reset.
     *
     * <p>{@code engine.closeInbound()} is not called. Without a {@code close_notify} it throws an
     * {@link SSLException} ("closing inbound before receiving peer's close_notify"); the JDK's engine
     * (17 and 25) closes its inbound side first and keeps the outbound one, but an engine may as well
     * treat the call as fatal and close both, and the outbound side is still needed: the other
     * direction goes on. {@link #finWithoutCloseNotify} ends the reads instead, and the engine is
     * dropped with the tunnel.
     */
    private void endWithoutCloseNotify(int partial) throws TlsResetException {
        if (!loop.options.tlsFinWithoutCloseNotifyAsEnd()) {
            throw new TlsResetException("the peer closed TCP without a TLS close_notify, so the stream may"
                    + " have been truncated (RFC 8446 §6.1); passed on as a reset");
        }
        if (partial > 0) {
            throw new TlsResetException("the peer closed TCP without a TLS close_notify in the middle of a record ("
                    + partial + " bytes of it received), so the stream was truncated (RFC 8446 §6.1); passed on"
                    + " as a reset even though FINs without close_notify are accepted as ends");
        }
        if (engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING
                || NO_HANDSHAKE_YET.equals(engine.getSession().getCipherSuite())) {
            throw new TlsResetException("the peer closed TCP without a TLS close_notify during the handshake;"
                    + " passed on as a reset even though FINs without close_notify are accepted as ends");
        }
        finWithoutCloseNotify = true;
    }

    /** Which direction waits when this leg is {@link #starved} outside a direction's own call. */
    Direction starvedDirection() {
        return reader().eof ? writer() : reader();
    }

    /**
     * Runs the engine's delegated tasks and sends what it wants to send (handshake flights, tickets,
     * key updates, the answer to a TLS 1.2 {@code close_notify}); false while that has to wait.
     */
    private boolean handshakeStep() throws IOException {
        while (true) {
            HandshakeStatus status = engine.getHandshakeStatus();
            if (status == HandshakeStatus.NEED_TASK) {
                runTasks();
            } else if (status != HandshakeStatus.NEED_WRAP) {
                return true;
            } else if (holdsOutput() && !tryFlush() || !wrap(EMPTY)) {
                wrapBlocked = !starved;
                return false;
            } else {
                creditWriter(flush());
            }
        }
    }

    /** Writes pending records; true when none is left. */
    private boolean tryFlush() throws IOException {
        creditWriter(flush());
        return !holdsOutput();
    }

    /**
     * Makes records from {@code src} (or the engine's own messages) into {@link #netOut} until
     * {@code src} is empty, there is no room for another record, or the handshake waits for the peer;
     * true if it made or consumed anything.
     */
    private boolean wrap(ByteBuffer src) throws IOException {
        ByteBuffer out = netOut;
        if (out == null) {
            out = loop.borrow();
            if (out == null) {
                starved = true;
                return false;
            }
            out.clear().flip();
            netOut = out;
        }
        int record = engine.getSession().getPacketBufferSize();
        boolean any = false;
        out.compact();
        try {
            while (out.remaining() >= record) {
                SSLEngineResult result = engine.wrap(src, out);
                unflushed += result.bytesConsumed();
                any |= result.bytesConsumed() > 0 || result.bytesProduced() > 0;
                noteFinished(result);
                if (result.getStatus() != Status.OK) {
                    break; // CLOSED: the close_notify is made; BUFFER_OVERFLOW: no room after all
                }
                HandshakeStatus status = result.getHandshakeStatus();
                if (status == HandshakeStatus.NEED_TASK) {
                    runTasks();
                    status = engine.getHandshakeStatus();
                }
                boolean progress = result.bytesConsumed() > 0 || result.bytesProduced() > 0;
                if (status == HandshakeStatus.NEED_UNWRAP || status == HandshakeStatus.NEED_UNWRAP_AGAIN
                        || status != HandshakeStatus.NEED_WRAP && (!src.hasRemaining() || !progress)) {
                    break;
                }
            }
        } finally {
            out.flip();
        }
        return any;
    }

    /** Writes what {@link #netOut} holds; returns the plaintext to count as written once all of it is out. */
    private int flush() throws IOException {
        ByteBuffer out = netOut;
        if (out == null) {
            return 0;
        }
        if (out.hasRemaining()) {
            int n = channel.write(out);
            if (n > 0) {
                session.lastActivityNanos = loop.now;
                Direction writer = writer();
                if (writer.blocked) {
                    writer.blockedSince = loop.now; // progress, even before a whole batch of records is out
                }
            }
            if (out.hasRemaining()) {
                return 0;
            }
        }
        if (wrapBlocked) {
            wrapBlocked = false;
            progressed = true;
        }
        int plaintext = (int) unflushed; // at most one buffer's worth
        unflushed = 0;
        return plaintext;
    }

    private void creditWriter(int plaintext) {
        if (plaintext > 0) {
            writer().bytes += plaintext; // single writer: the loop thread
        }
    }

    private void releaseOutIfEmpty() {
        ByteBuffer out = netOut;
        if (out != null && !out.hasRemaining()) {
            netOut = null;
            loop.giveBack(out);
        }
    }

    private void noteFinished(SSLEngineResult result) {
        if (result.getHandshakeStatus() == HandshakeStatus.FINISHED) {
            progressed = true;
        }
    }

    private void runTasks() {
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
        }
    }
}
