package io.github.upgrade4j.examples.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import org.jspecify.annotations.Nullable;

/**
 * A client connection of the {@link ReverseProxy} while it waits for a request head, on the
 * {@link ClientLoop}: no thread, and only as much memory as the client has sent. It lives as long as the
 * connection: a worker takes it for one request and, when the connection persists, gives it back with
 * whatever the client sent past that request.
 *
 * <p>Fields are used by one thread at a time: the loop while the connection waits, then the worker it is
 * handed to (the hand-over goes through a thread-safe queue or executor, which orders the writes).
 */
final class WaitingClient {
    private static final byte[] NONE = new byte[0];
    /** Nothing: shared by every connection that has no partial record or records to send, most of them. */
    static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    final SocketChannel channel;
    /** The peer as {@code address:port}. */
    final String peer;
    /** The TLS engine, for a client of a TLS listener; null for plain TCP. */
    final @Nullable SSLEngine engine;

    /** Plaintext received and not yet handed to a worker: a head's first bytes, or more. */
    private byte[] plaintext = NONE;
    private int plaintextLength;
    /** TLS records received and not yet decrypted: at most the start of one record. */
    ByteBuffer ciphertext = EMPTY;
    /** TLS records to send before anything else: handshake messages, a session ticket. */
    ByteBuffer pendingOut = EMPTY;

    /** When the loop gives up on this connection, in {@link System#nanoTime()} terms. */
    long deadline;
    /** Whether a TLS client's handshake has completed. */
    boolean handshakeDone;
    /** For a TLS client during its handshake: when the head is due, once the handshake is done. */
    long headDeadline;
    /** Between requests, before the first byte of the next: the keep-alive timeout applies, not the header timeout. */
    boolean idle;
    /** The key on the loop's selector while the connection waits there. */
    @Nullable SelectionKey key;
    /** When the loop found the current request's head complete (or rejected), in {@link System#nanoTime()} terms. */
    long headArrived;
    /** Whether the current request's head, complete, has an {@code Upgrade} field. */
    boolean upgradeOffered;
    /** The connection's exchange state (its upstream connection) once it served a request. */
    @Nullable ProxyExchange exchange;

    WaitingClient(SocketChannel channel, @Nullable SSLEngine engine) {
        this.channel = channel;
        this.peer = peer(channel);
        this.engine = engine;
    }

    private static String peer(SocketChannel channel) {
        try {
            InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
            return remote.getAddress().getHostAddress() + ":" + remote.getPort();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** Appends {@code bytes} (read mode, consumed) to the plaintext received. */
    void received(ByteBuffer bytes) {
        int n = bytes.remaining();
        if (plaintextLength + n > plaintext.length) {
            // Grow to what arrived, rounded up, so a client that sent half a line costs a few hundred bytes.
            plaintext = Arrays.copyOf(plaintext, Math.max(plaintextLength + n + 255 & ~255, plaintext.length * 2));
        }
        bytes.get(plaintext, plaintextLength, n);
        plaintextLength += n;
    }

    /** The plaintext received, as a read-mode view; the caller must not keep it past the next {@link #received}. */
    ByteBuffer plaintext() {
        return ByteBuffer.wrap(plaintext, 0, plaintextLength);
    }

    int plaintextLength() {
        return plaintextLength;
    }

    /** Hands the plaintext over (to a worker's connection) and forgets it here. */
    ByteBuffer takePlaintext() {
        ByteBuffer taken = plaintext();
        plaintext = NONE;
        plaintextLength = 0;
        return taken;
    }
}
