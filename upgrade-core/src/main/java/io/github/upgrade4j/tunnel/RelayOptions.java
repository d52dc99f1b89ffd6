package io.github.upgrade4j.tunnel;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a {@link TunnelRelay}. Start from {@link #standard()} and change what you need
 * with the {@code withX} copies. Immutable and thread-safe.
 *
 * <p>Every timeout is checked by each event loop every 100 ms (or a quarter of the shortest timeout
 * set, if that is shorter, but at least every 10 ms), so it fires between its deadline and one check
 * later. {@link Duration#ZERO} switches a timeout off.
 *
 * @param loops event-loop threads; each tunnel lives on one of them. Default: the number of
 *     available processors.
 * @param bufferSize bytes of each direct buffer, and so the most one direction has in flight inside
 *     the relay. Default 64 KiB: on loopback and fast links a read or write of 64 KiB moves as much as
 *     the kernel usually has ready (loopback segments are 64 KiB), so bulk transfers need 16 times
 *     fewer system calls than with nginx's 4 KiB, which costs nginx more than half its throughput.
 *     An idle tunnel holds no buffer, so the size costs memory only while bytes are in flight, and
 *     {@link #bufferBudgetBytes()} caps that. A tunnel with a TLS leg needs buffers that hold a whole
 *     TLS record (about 16 KiB, {@link javax.net.ssl.SSLSession#getPacketBufferSize()}).
 * @param bufferBudgetBytes the most direct memory the relay's buffers may take, pooled and borrowed
 *     together; at least two buffers. When fewer than two buffers could be borrowed, new tunnels are
 *     refused with {@link RefusalReason#BUFFER_BUDGET} while running ones keep going: a running
 *     direction that finds no buffer waits (reading nothing) until one is returned. Default 64 MiB:
 *     512 tunnels moving bytes both ways at full speed.
 * @param maxTunnels the most tunnels running at once; past it {@link TunnelRelay#open} refuses with
 *     {@link RefusalReason#TUNNEL_LIMIT}. Each tunnel holds two sockets, so the process's
 *     file-descriptor limit must allow twice this. Default 10,000.
 * @param idleTimeout how long a tunnel may see no byte move either way before it is closed with
 *     {@link CloseReason#IDLE_TIMEOUT}. Traffic in either direction resets it; a direction whose
 *     write is blocked by a slow reader is not idle (the send-stall timeout governs it). Default 60
 *     s, like nginx's {@code proxy_read_timeout}.
 * @param sendStallTimeout how long a blocked write may make no progress before the tunnel is closed
 *     with {@link CloseReason#STALL_TIMEOUT}. Default 60 s, like nginx's {@code proxy_send_timeout}.
 * @param halfClosedTimeout once one direction has finished (its source sent a FIN, which was passed
 *     on), how long the tunnel may see no byte move before it is closed with
 *     {@link CloseReason#HALF_CLOSED_TIMEOUT}; it replaces the idle timeout for such a tunnel when
 *     shorter, like HAProxy's {@code timeout client-fin}. Default 30 s.
 * @param maxLifetime how long a tunnel may run at all before it is closed with
 *     {@link CloseReason#LIFETIME_EXCEEDED}. Default off.
 * @param tcpNoDelay whether to set {@code TCP_NODELAY} on both legs, so that small messages are not
 *     held back by Nagle's algorithm. Default on.
 * @param keepAlive whether to set {@code SO_KEEPALIVE} on both legs, to notice a peer that vanished
 *     while the tunnel is idle for long. Default off; the probe timing is the operating system's.
 * @param closeHook the bytes written to each side when a drain closes a tunnel. Default
 *     {@link CloseHook#none()}.
 * @param tlsFinWithoutCloseNotifyAsEnd whether a TLS peer's FIN without a {@code close_notify} ends
 *     its direction like a plain FIN rather than being passed on as a reset. Default off: such a FIN
 *     is a possible truncation (RFC 8446 §6.1; anyone on the path can forge a FIN, nobody a
 *     {@code close_notify}), and the tunnel ends with {@link CloseReason#CLIENT_RESET} or
 *     {@link CloseReason#UPSTREAM_RESET}. Some clients close every connection that way (the JDK's
 *     {@code java.net.http} WebSocket client), and the reset the relay passes on (SO_LINGER 0) drops
 *     what it relayed toward the other side that the kernel had not sent yet, such as the client's
 *     last WebSocket Close frame. On, as nginx does (OpenSSL's {@code SSL_OP_IGNORE_UNEXPECTED_EOF}):
 *     the plaintext before the FIN is relayed, the other side gets a FIN (a {@code close_notify} and
 *     a FIN if it speaks TLS), the other direction goes on, the tunnel can end with
 *     {@link CloseReason#CLIENT_FIN_FIRST} or {@link CloseReason#UPSTREAM_FIN_FIRST}, and
 *     {@link TunnelOutcome#clientTlsFinWithoutCloseNotify()} or
 *     {@link TunnelOutcome#upstreamTlsFinWithoutCloseNotify()} notes it; the relayed protocol must then
 *     detect a truncation itself (WebSocket's Close frame does). Narrow on purpose: a FIN that cuts a
 *     record short (part of a record received) is still passed on as a reset, since bytes were lost
 *     for certain, and so is one during the handshake, which leaves no stream to end. A
 *     {@link StreamRelay} has no TLS of its own and ignores it.
 */
public record RelayOptions(int loops, int bufferSize, long bufferBudgetBytes, int maxTunnels, Duration idleTimeout,
        Duration sendStallTimeout, Duration halfClosedTimeout, Duration maxLifetime, boolean tcpNoDelay,
        boolean keepAlive, CloseHook closeHook, boolean tlsFinWithoutCloseNotifyAsEnd) {
    private static final int MIN_BUFFER = 1024;
    private static final int MAX_BUFFER = 16 * 1024 * 1024;
    private static final int MAX_LOOPS = 1024;

    /**
     * Checks every setting.
     *
     * @throws IllegalArgumentException if a count is out of range, a timeout is negative, or the
     *     budget holds fewer than two buffers
     */
    public RelayOptions {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(sendStallTimeout, "sendStallTimeout");
        Objects.requireNonNull(halfClosedTimeout, "halfClosedTimeout");
        Objects.requireNonNull(maxLifetime, "maxLifetime");
        Objects.requireNonNull(closeHook, "closeHook");
        if (loops < 1 || loops > MAX_LOOPS) {
            throw new IllegalArgumentException("expected loops in [1, " + MAX_LOOPS + "] but was " + loops);
        }
        if (bufferSize < MIN_BUFFER || bufferSize > MAX_BUFFER) {
            throw new IllegalArgumentException("expected bufferSize in [" + MIN_BUFFER + ", " + MAX_BUFFER
                    + "] but was " + bufferSize);
        }
        if (bufferBudgetBytes < 2L * bufferSize) {
            throw new IllegalArgumentException("expected bufferBudgetBytes >= 2 * bufferSize (" + 2L * bufferSize
                    + ") but was " + bufferBudgetBytes);
        }
        if (maxTunnels < 1) {
            throw new IllegalArgumentException("expected maxTunnels >= 1 but was " + maxTunnels);
        }
        checkTimeout("idleTimeout", idleTimeout);
        checkTimeout("sendStallTimeout", sendStallTimeout);
        checkTimeout("halfClosedTimeout", halfClosedTimeout);
        checkTimeout("maxLifetime", maxLifetime);
    }

    private static void checkTimeout(String name, Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("expected " + name + " >= 0 (0 = off) but was " + timeout);
        }
        try {
            timeout.toNanos();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("expected " + name + " to fit in a long of nanoseconds but was "
                    + timeout, e);
        }
    }

    /**
     * The defaults: one loop per available processor, 64 KiB buffers, a 64 MiB budget, 10,000
     * tunnels, idle and send-stall timeouts of 60 s, half-closed timeout of 30 s, no lifetime limit,
     * {@code TCP_NODELAY} on, {@code SO_KEEPALIVE} off, no close hook, and a TLS peer's FIN without
     * {@code close_notify} passed on as a reset.
     */
    public static RelayOptions standard() {
        return new RelayOptions(Runtime.getRuntime().availableProcessors(), 64 * 1024, 64L * 1024 * 1024, 10_000,
                Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ZERO, true, false,
                CloseHook.none(), false);
    }

    /** A copy with another number of event loops. */
    public RelayOptions withLoops(int loops) {
        return new RelayOptions(loops, bufferSize, bufferBudgetBytes, maxTunnels, idleTimeout, sendStallTimeout,
                halfClosedTimeout, maxLifetime, tcpNoDelay, keepAlive, closeHook, tlsFinWithoutCloseNotifyAsEnd);
    }

    /** A copy with another buffer size; the budget must still hold two buffers. */
    public RelayOptions withBufferSize(int bufferSize) {
        return new RelayOptions(loops, bufferSize, bufferBudgetBytes, maxTunnels, idleTimeout, sendStallTimeout,
                halfClosedTimeout, maxLifetime, tcpNoDelay, keepAlive, closeHook, tlsFinWithoutCloseNotifyAsEnd);
    }

    /** A copy with another buffer budget. */
    public RelayOptions withBufferBudgetBytes(long bufferBudgetBytes) {
        return new RelayOptions(loops, bufferSize, bufferBudgetBytes, maxTunnels, idleTimeout, sendStallTimeout,
                halfClosedTimeout, maxLifetime, tcpNoDelay, keepAlive, closeHook, tlsFinWithoutCloseNotifyAsEnd);
    }

    /** A copy with another tunnel limit. */
    public RelayOptions withMaxTunnels(int maxTunnels) {
        return new RelayOptions(loops, bufferSize, bufferBudgetBytes, maxTunnels, idleTimeout, sendStallTimeout,
                halfClosedTimeout, maxLifetime, tcpNoDelay, keepAlive, closeHook, tlsFinWithoutCloseNotifyAsEnd);
    }

    /** A copy with another idle timeout ({@link Duration#ZERO} = off). */
    public RelayOptions withIdleTimeout(Duration idleTimeout) {
        return new RelayOptions(loops, bufferSize, bufferBudgetBytes, maxTunnels, idleTimeout, sendStallTimeout,
                halfClosedTimeout, maxLifetime, tcpNoDelay, keepAlive, closeHook, tlsFinWithoutCloseNotifyAsEnd);
    }

    /** A copy with another send-stall timeout ({@link Duration#ZERO} = off). */
    public RelayOptions withSendStallTimeout(Duration sendStallTimeout) {
        return new RelayOptions(loops, bufferSize, bufferBudgetBytes, maxTunnels, idleTimeout, sendStallTimeout,
                halfClosedTimeout, maxLifetime, tcpNoDelay, keepAlive, closeHook, tlsFinWithoutCloseNotifyAsEnd);
    }

    /** A copy with another half-closed timeout ({@link Duration#ZERO} = off). */
    public RelayOptions withHalfClosedTimeout(Duration halfClosedTimeout) {
        return new RelayOptions(loops, bufferSize, bufferBudgetBytes, maxTunnels, idleTimeout, sendStallTimeout,
                halfClosedTimeout, maxLifetime, tcpNoDelay, keepAlive, closeHook, tlsFinWithoutCloseNotifyAsEnd);
    }

    /** A copy with another maximum lifetime ({@link Duration#ZERO} = off). */
    public RelayOptions withMaxLifetime(Duration maxLifetime) {
        return new RelayOptions(loops, bufferSize, bufferBudgetBytes, maxTunnels, idleTimeout, sendStallTimeout,
                halfClosedTimeout, maxLifetime, tcpNoDelay, keepAlive, closeHook, tlsFinWithoutCloseNotifyAsEnd);
    }

    /** A copy that sets {@code TCP_NODELAY} on both legs, or leaves the channels' own setting. */
    public RelayOptions withTcpNoDelay(boolean tcpNoDelay) {
        return new RelayOptions(loops, bufferSize, bufferBudgetBytes, maxTunnels, idleTimeout, sendStallTimeout,
                halfClosedTimeout, maxLifetime, tcpNoDelay, keepAlive, closeHook, tlsFinWithoutCloseNotifyAsEnd);
    }

    /** A copy that sets {@code SO_KEEPALIVE} on both legs, or leaves the channels' own setting. */
    public RelayOptions withKeepAlive(boolean keepAlive) {
        return new RelayOptions(loops, bufferSize, bufferBudgetBytes, maxTunnels, idleTimeout, sendStallTimeout,
                halfClosedTimeout, maxLifetime, tcpNoDelay, keepAlive, closeHook, tlsFinWithoutCloseNotifyAsEnd);
    }

    /**
     * A copy that ends a TLS leg's direction at a FIN without {@code close_notify} like at a plain
     * FIN, or passes such a FIN on as a reset (the default); see {@link #tlsFinWithoutCloseNotifyAsEnd()}.
     */
    public RelayOptions withTlsFinWithoutCloseNotifyAsEnd(boolean tlsFinWithoutCloseNotifyAsEnd) {
        return new RelayOptions(loops, bufferSize, bufferBudgetBytes, maxTunnels, idleTimeout, sendStallTimeout,
                halfClosedTimeout, maxLifetime, tcpNoDelay, keepAlive, closeHook, tlsFinWithoutCloseNotifyAsEnd);
    }

    /** A copy with another drain hook. */
    public RelayOptions withCloseHook(CloseHook closeHook) {
        return new RelayOptions(loops, bufferSize, bufferBudgetBytes, maxTunnels, idleTimeout, sendStallTimeout,
                halfClosedTimeout, maxLifetime, tcpNoDelay, keepAlive, closeHook, tlsFinWithoutCloseNotifyAsEnd);
    }
}
