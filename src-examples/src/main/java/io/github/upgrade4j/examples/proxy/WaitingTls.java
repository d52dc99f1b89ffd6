package io.github.upgrade4j.examples.proxy;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * The TLS of waiting clients on the {@link ClientLoop}, without blocking: handshakes, and decryption of
 * what a client sends until its head is complete. The loop's thread owns one instance, whose buffers
 * are shared by every connection; a connection keeps only the partial record it received last and the
 * records it could not send yet. Delegated tasks (key exchange, certificate checks) run inline: a few
 * milliseconds per handshake, on the thread that would otherwise wait for the next readable socket.
 */
final class WaitingTls {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** Plaintext out of one {@code unwrap}; as large as one record's. */
    private ByteBuffer application;
    /** One record out of {@code wrap}. */
    private ByteBuffer packet;

    WaitingTls() {
        this.application = ByteBuffer.allocate(0);
        this.packet = ByteBuffer.allocate(0);
    }

    /**
     * Feeds {@code received} (read mode, consumed) to the client's engine and runs it as far as the bytes
     * allow: handshake messages, then application data into the client's plaintext. Records to send go
     * out at once, or wait in the client for the socket to take them.
     *
     * @throws EOFException if the client sent {@code close_notify}
     * @throws SSLException if the handshake failed or a record is invalid
     */
    void receive(WaitingClient client, ByteBuffer received) throws IOException {
        SSLEngine engine = client.engine;
        ByteBuffer in = join(client.ciphertext, received);
        while (true) {
            HandshakeStatus status = engine.getHandshakeStatus();
            if (status == HandshakeStatus.NEED_TASK) {
                for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                    task.run();
                }
            } else if (status == HandshakeStatus.NEED_WRAP) {
                wrap(client, engine);
            } else if (status == HandshakeStatus.NOT_HANDSHAKING && chose(engine, "h2")) {
                break; // the records behind the handshake are HTTP/2's: they go to it undecrypted
            } else if (in.hasRemaining() || status == HandshakeStatus.NEED_UNWRAP_AGAIN) {
                ensureApplication(engine);
                application.clear();
                SSLEngineResult result = engine.unwrap(in, application);
                application.flip();
                client.received(application);
                if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                    break; // the rest of a record is still on its way
                }
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new EOFException("the client ended TLS with close_notify before a whole head");
                }
            } else {
                break;
            }
        }
        client.ciphertext = copy(in);
        if (engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING && !engine.isInboundDone()) {
            client.handshakeDone = true; // begun at the accept, so this is its end
        }
    }

    /** Whether the handshake of {@code engine} chose {@code protocol} by ALPN. */
    static boolean chose(SSLEngine engine, String protocol) {
        return protocol.equals(engine.getApplicationProtocol());
    }

    /** Whether the client is a TLS client whose handshake has not completed (or failed). */
    static boolean handshaking(WaitingClient client) {
        return client.engine != null && !client.handshakeDone;
    }

    /** Writes what the client's socket takes of the records waiting; returns whether none is left. */
    static boolean flush(WaitingClient client) throws IOException {
        if (client.pendingOut.hasRemaining()) {
            client.channel.write(client.pendingOut);
        }
        return !client.pendingOut.hasRemaining();
    }

    /** Encrypts {@code plaintext} for the client and sends it, best effort (an answer just before closing). */
    void sendNow(WaitingClient client, ByteBuffer plaintext) throws IOException {
        SSLEngine engine = client.engine;
        ensurePacket(engine);
        while (plaintext.hasRemaining()) {
            packet.clear();
            SSLEngineResult result = engine.wrap(plaintext, packet);
            packet.flip();
            client.channel.write(packet);
            if (result.getStatus() != SSLEngineResult.Status.OK) {
                return;
            }
        }
    }

    private void wrap(WaitingClient client, SSLEngine engine) throws IOException {
        ensurePacket(engine);
        packet.clear();
        SSLEngineResult result = engine.wrap(EMPTY, packet);
        packet.flip();
        if (client.pendingOut.hasRemaining()) {
            client.pendingOut = join(client.pendingOut, packet);
        } else {
            client.channel.write(packet);
            client.pendingOut = copy(packet);
        }
        if (client.pendingOut.hasRemaining() && client.key != null && client.key.isValid()) {
            client.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
        if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
            throw new SSLException("the TLS handshake ended: " + result);
        }
    }

    private void ensureApplication(SSLEngine engine) {
        int size = engine.getSession().getApplicationBufferSize();
        if (application.capacity() < size) {
            application = ByteBuffer.allocate(size);
        }
    }

    private void ensurePacket(SSLEngine engine) {
        int size = engine.getSession().getPacketBufferSize();
        if (packet.capacity() < size) {
            packet = ByteBuffer.allocate(size);
        }
    }

    /** {@code first} then {@code second}, both read mode; {@code second} when {@code first} is empty. */
    private static ByteBuffer join(ByteBuffer first, ByteBuffer second) {
        if (!first.hasRemaining()) {
            return second;
        }
        ByteBuffer joined = ByteBuffer.allocate(first.remaining() + second.remaining());
        joined.put(first).put(second).flip();
        return joined;
    }

    /** A right-sized copy of what {@code buffer} has left, for a connection to keep. */
    private static ByteBuffer copy(ByteBuffer buffer) {
        if (!buffer.hasRemaining()) {
            return WaitingClient.EMPTY;
        }
        ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
        copy.put(buffer).flip();
        return copy;
    }
}
