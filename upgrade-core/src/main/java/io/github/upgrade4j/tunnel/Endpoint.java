package io.github.upgrade4j.tunnel;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLEngine;

/**
 * One side of a tunnel: a connected channel plus the bytes the caller already read from it past the
 * message head (the client's bytes behind its Upgrade request, or the upstream's bytes behind its
 * 101). The relay sends those bytes to the other side first, exactly once and in order, before any
 * byte it reads from the channel itself.
 *
 * <p><b>TLS.</b> An endpoint made by {@link #tls} carries the {@link SSLEngine} of its connection
 * ({@code wss}, or TLS toward the upstream), and the relay reads and writes plaintext through it:
 * <ul>
 *   <li>The engine may have finished its handshake (the usual case: the caller read the head through
 *       it), or not have begun it: then the relay drives the handshake first, in the engine's own
 *       client or server mode, with the caller's settings (protocols, ALPN, endpoint identification).
 *       Delegated tasks run on the relay's event loop.
 *   <li>{@link #leftover()} is plaintext the caller decrypted past the head; {@link #encryptedLeftover()}
 *       is ciphertext it read from the channel and did not decrypt (typically the start of the next
 *       record). The relay relays the first, then decrypts the second, then reads the channel.
 *   <li>A {@code close_notify} is the TLS form of half-close: one received ends that direction like a
 *       FIN, and a FIN from the other side is passed on as a {@code close_notify} followed by a FIN.
 *       A FIN <em>without</em> {@code close_notify} is a truncation (RFC 8446 §6.1; an attacker can
 *       forge a FIN, not a {@code close_notify}), so by default the relay passes it on as a reset and
 *       the tunnel ends with {@link CloseReason#CLIENT_RESET} or {@link CloseReason#UPSTREAM_RESET},
 *       never as a clean end. Since some clients end every connection that way (the JDK's WebSocket
 *       client), {@link RelayOptions.Builder#tlsFinWithoutCloseNotifyAsEnd(boolean)} makes such a FIN, when it
 *       comes between records after the handshake, end its direction like a plain FIN (noted in the
 *       {@link TunnelOutcome}); one that cuts a record short stays a reset. With TLS 1.2 a
 *       {@code close_notify} closes the connection both ways (RFC 5246 §7.2.1): bytes still bound
 *       for that peer end the tunnel the same way.
 *   <li>Counters and outcomes count plaintext; a TLS failure (a bad record, a failed handshake) ends
 *       the tunnel with {@link CloseReason#IO_ERROR} and the {@code SSLException} as its cause.
 *   <li>Each TLS leg borrows up to two more buffers of {@link RelayOptions#bufferSize()} (records in
 *       and out) while bytes are in flight, from the same pool and budget; the buffer size must hold a
 *       whole record ({@link javax.net.ssl.SSLSession#getPacketBufferSize()}, about 16 KiB).
 * </ul>
 * The caller must not use the engine once {@link TunnelRelay#open} answers {@link Opening.Opened}.
 *
 * <p>Copy on the way in: the factories copy the leftovers' remaining bytes and leave the caller's
 * buffers, their positions included, untouched; {@link #leftover()} and {@link #encryptedLeftover()}
 * return read-only views. The channel and the engine are not copied, of course: they stay the
 * caller's until {@link TunnelRelay#open} answers {@link Opening.Opened}. Immutable and thread-safe,
 * as long as nobody uses the engine meanwhile.
 *
 * @param channel a connected socket channel, in either blocking mode; the relay makes it non-blocking
 * @param leftover the bytes read past the head on this side (plaintext on a TLS endpoint), relayed
 *     first to the other side
 * @param engine the TLS engine of this side's connection; empty for plain TCP
 * @param encryptedLeftover TLS records (or the start of one) read from the channel and not decrypted;
 *     empty for plain TCP
 */
public record Endpoint(SocketChannel channel, ByteBuffer leftover, Optional<SSLEngine> engine,
        ByteBuffer encryptedLeftover) {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /**
     * Checks for nulls and copies the leftovers' remaining bytes.
     *
     * @param channel a connected socket channel
     * @param leftover the bytes read past the head on this side; its remaining bytes are copied
     * @param engine the TLS engine of this side's connection; empty for plain TCP
     * @param encryptedLeftover TLS records read and not decrypted; its remaining bytes are copied
     * @throws IllegalArgumentException if there is an encrypted leftover but no engine
     */
    public Endpoint {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(engine, "engine");
        leftover = copy(Objects.requireNonNull(leftover, "leftover"));
        encryptedLeftover = copy(Objects.requireNonNull(encryptedLeftover, "encryptedLeftover"));
        if (engine.isEmpty() && encryptedLeftover.hasRemaining()) {
            throw new IllegalArgumentException("expected no encrypted leftover on a plain endpoint but there were "
                    + encryptedLeftover.remaining() + " bytes");
        }
    }

    /**
     * Makes a plain endpoint whose leftover is a copy of {@code leftover}'s remaining bytes.
     *
     * @param channel a connected socket channel
     * @param leftover the bytes read past the head on this side; its remaining bytes are copied
     */
    public Endpoint(SocketChannel channel, ByteBuffer leftover) {
        this(channel, leftover, Optional.empty(), EMPTY);
    }

    private static ByteBuffer copy(ByteBuffer bytes) {
        if (!bytes.hasRemaining()) {
            return EMPTY;
        }
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
        copy.put(bytes.duplicate()).flip();
        return copy.asReadOnlyBuffer();
    }

    /**
     * {@return a plain endpoint with no bytes read past the head}
     *
     * @param channel a connected socket channel
     */
    public static Endpoint of(SocketChannel channel) {
        return new Endpoint(channel, EMPTY);
    }

    /**
     * {@return a plain endpoint whose leftover is a copy of {@code leftover}'s remaining bytes}
     *
     * @param channel a connected socket channel
     * @param leftover the bytes read past the head on this side; its position is left as it was
     */
    public static Endpoint of(SocketChannel channel, ByteBuffer leftover) {
        return new Endpoint(channel, leftover);
    }

    /**
     * A TLS endpoint with nothing read past the head: {@code engine} has finished its handshake and
     * nothing is buffered, or it has not begun and the relay handshakes first.
     *
     * @param channel a connected socket channel
     * @param engine the TLS engine of the connection, which the relay uses from now on
     * @return the endpoint
     */
    public static Endpoint tls(SocketChannel channel, SSLEngine engine) {
        return new Endpoint(channel, EMPTY, Optional.of(Objects.requireNonNull(engine, "engine")), EMPTY);
    }

    /**
     * A TLS endpoint over a connection whose head the caller read through {@code engine}: copies of
     * {@code leftover} (plaintext decrypted past the head) and {@code encryptedLeftover} (ciphertext
     * read from the channel but not decrypted); either may be empty.
     *
     * @param channel a connected socket channel
     * @param engine the TLS engine of the connection, which the relay uses from now on
     * @param leftover plaintext decrypted past the head; its position is left as it was
     * @param encryptedLeftover ciphertext read and not decrypted; its position is left as it was
     * @return the endpoint
     */
    public static Endpoint tls(SocketChannel channel, SSLEngine engine, ByteBuffer leftover,
            ByteBuffer encryptedLeftover) {
        return new Endpoint(channel, leftover, Optional.of(Objects.requireNonNull(engine, "engine")),
                encryptedLeftover);
    }

    /** {@return a read-only view of the leftover bytes} Moving its position does not change this endpoint. */
    @Override
    public ByteBuffer leftover() {
        return leftover.duplicate();
    }

    /**
     * {@return a read-only view of the encrypted leftover} Moving its position does not change this
     * endpoint.
     */
    @Override
    public ByteBuffer encryptedLeftover() {
        return encryptedLeftover.duplicate();
    }
}
