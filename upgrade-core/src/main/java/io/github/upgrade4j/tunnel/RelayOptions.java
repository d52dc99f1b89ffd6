package io.github.upgrade4j.tunnel;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a {@link TunnelRelay} or a {@link StreamRelay}: {@link #standard()} for the
 * defaults, {@link #builder()} (or {@link #toBuilder()}) to change some of them.
 *
 * <pre>{@code
 * RelayOptions options = RelayOptions.builder()
 *         .idleTimeout(Duration.ofMinutes(5))
 *         .maxTunnels(50_000)
 *         .closeHook(CloseHook.webSocketGoingAway())
 *         .build();
 * }</pre>
 *
 * <p>Every timeout is checked every 100 ms (or a quarter of the shortest timeout set, if that is
 * shorter, but at least every 10 ms), so it fires between its deadline and one check later.
 * {@link Duration#ZERO} switches a timeout off.
 *
 * <p>Immutable and thread-safe; the builder is neither, and may be reused after {@code build()}.
 * Settings are added as builder methods and accessors, so code compiled against one version keeps
 * working with the next.
 */
public final class RelayOptions {
    private static final int MIN_BUFFER = 1024;
    private static final int MAX_BUFFER = 16 * 1024 * 1024;
    private static final int MAX_LOOPS = 1024;
    private static final RelayOptions STANDARD = new Builder().build();

    private final int loops;
    private final int bufferSize;
    private final long bufferBudgetBytes;
    private final int maxTunnels;
    private final Duration idleTimeout;
    private final Duration sendStallTimeout;
    private final Duration halfClosedTimeout;
    private final Duration maxLifetime;
    private final boolean tcpNoDelay;
    private final boolean keepAlive;
    private final CloseHook closeHook;
    private final boolean tlsFinWithoutCloseNotifyAsEnd;
    private final RelayPath relayPath;
    private final RelayListener listener;

    private RelayOptions(Builder b) {
        this.loops = b.loops;
        this.bufferSize = b.bufferSize;
        this.bufferBudgetBytes = b.bufferBudgetBytes;
        this.maxTunnels = b.maxTunnels;
        this.idleTimeout = b.idleTimeout;
        this.sendStallTimeout = b.sendStallTimeout;
        this.halfClosedTimeout = b.halfClosedTimeout;
        this.maxLifetime = b.maxLifetime;
        this.tcpNoDelay = b.tcpNoDelay;
        this.keepAlive = b.keepAlive;
        this.closeHook = b.closeHook;
        this.tlsFinWithoutCloseNotifyAsEnd = b.tlsFinWithoutCloseNotifyAsEnd;
        this.relayPath = b.relayPath;
        this.listener = b.listener;
    }

    /**
     * The defaults: one loop per available processor, 256 KiB buffers, a 256 MiB budget, 10,000
     * tunnels, idle and send-stall timeouts of 60 s, half-closed timeout of 30 s, no lifetime limit,
     * {@code TCP_NODELAY} on, {@code SO_KEEPALIVE} off, no close hook, a TLS peer's FIN without
     * {@code close_notify} passed on as a reset, {@link RelayPath#AUTO}, and
     * {@link RelayListener#none()}.
     */
    public static RelayOptions standard() {
        return STANDARD;
    }

    /** A builder that starts from {@link #standard()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Event-loop threads of a {@link TunnelRelay}; each tunnel lives on one of them. Default: the available processors. */
    public int loops() {
        return loops;
    }

    /**
     * Bytes of each direct buffer (and each pipe, on the splice path), and so the most one direction
     * has in flight inside the relay. Default 256 KiB: a bulk transfer then takes a quarter of the
     * system calls it takes with 64 KiB (and 64 times fewer than with nginx's 4 KiB), which on a 2-core
     * machine cut the relay's CPU per gigabyte by about a fifth on both paths. An idle tunnel holds no
     * buffer and no pipe, so the size costs memory only while bytes are in flight, and
     * {@link #bufferBudgetBytes()} caps that. A tunnel with a TLS leg needs buffers that hold a whole
     * TLS record (about 16 KiB, {@link javax.net.ssl.SSLSession#getPacketBufferSize()}).
     */
    public int bufferSize() {
        return bufferSize;
    }

    /**
     * The most memory the relay's buffers and pipes may take, pooled and borrowed together; at least
     * two buffers. When fewer than two could be borrowed, new tunnels are refused with
     * {@link RefusalReason#BUFFER_BUDGET} while running ones keep going: a running direction that
     * finds none waits (reading nothing) until one is returned. Default 256 MiB: 512 tunnels moving
     * bytes both ways at full speed. On the copy path the buffers are direct memory: should the JVM's
     * own limit ({@code -XX:MaxDirectMemorySize}, by default the maximum heap size) be reached first,
     * the relay treats it as a spent budget.
     */
    public long bufferBudgetBytes() {
        return bufferBudgetBytes;
    }

    /**
     * The most tunnels running at once; past it {@code open} refuses with
     * {@link RefusalReason#TUNNEL_LIMIT}. Each tunnel of a {@link TunnelRelay} holds two sockets, so the
     * process's file-descriptor limit must allow twice this. Default 10,000.
     */
    public int maxTunnels() {
        return maxTunnels;
    }

    /**
     * How long a tunnel may see no byte move either way before it is closed with
     * {@link CloseReason#IDLE_TIMEOUT}. Traffic in either direction resets it; a direction whose write
     * is blocked by a slow reader is not idle (the send-stall timeout governs it). Default 60 s, like
     * nginx's {@code proxy_read_timeout}.
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * How long a blocked write may make no progress before the tunnel is closed with
     * {@link CloseReason#STALL_TIMEOUT}. Default 60 s, like nginx's {@code proxy_send_timeout}.
     */
    public Duration sendStallTimeout() {
        return sendStallTimeout;
    }

    /**
     * Once one direction has finished (its source sent a FIN, which was passed on), how long the
     * tunnel may see no byte move before it is closed with {@link CloseReason#HALF_CLOSED_TIMEOUT}; it
     * replaces the idle timeout for such a tunnel when shorter, like HAProxy's
     * {@code timeout client-fin}. Default 30 s.
     */
    public Duration halfClosedTimeout() {
        return halfClosedTimeout;
    }

    /** How long a tunnel may run at all before it is closed with {@link CloseReason#LIFETIME_EXCEEDED}. Default off. */
    public Duration maxLifetime() {
        return maxLifetime;
    }

    /**
     * Whether to set {@code TCP_NODELAY} on both legs, so that small messages are not held back by
     * Nagle's algorithm. Default on. A {@link StreamRelay} leaves socket options to its endpoints.
     */
    public boolean tcpNoDelay() {
        return tcpNoDelay;
    }

    /**
     * Whether to set {@code SO_KEEPALIVE} on both legs, to notice a peer that vanished while the tunnel
     * is idle for long. Default off; the probe timing is the operating system's.
     */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** The bytes written to each side when a drain closes a tunnel. Default {@link CloseHook#none()}. */
    public CloseHook closeHook() {
        return closeHook;
    }

    /**
     * Whether a TLS peer's FIN without a {@code close_notify} ends its direction like a plain FIN
     * rather than being passed on as a reset. Default off: such a FIN is a possible truncation (RFC
     * 8446 §6.1; anyone on the path can forge a FIN, nobody a {@code close_notify}), and the tunnel
     * ends with {@link CloseReason#CLIENT_RESET} or {@link CloseReason#UPSTREAM_RESET}.
     *
     * <p>Some clients close every connection that way (the JDK's {@code java.net.http} WebSocket
     * client), and the reset the relay passes on (SO_LINGER 0) drops what it relayed toward the other
     * side that the kernel had not sent yet, such as the client's last WebSocket Close frame. On, as
     * nginx does (OpenSSL's {@code SSL_OP_IGNORE_UNEXPECTED_EOF}): the plaintext before the FIN is
     * relayed, the other side gets a FIN (a {@code close_notify} and a FIN if it speaks TLS), the other
     * direction goes on, the tunnel can end with {@link CloseReason#CLIENT_FIN_FIRST} or
     * {@link CloseReason#UPSTREAM_FIN_FIRST}, and {@link TunnelOutcome#clientTlsFinWithoutCloseNotify()}
     * or {@link TunnelOutcome#upstreamTlsFinWithoutCloseNotify()} notes it; the relayed protocol must
     * then detect a truncation itself (WebSocket's Close frame does). Narrow on purpose: a FIN that cuts
     * a record short is still passed on as a reset, since bytes were lost for certain, and so is one
     * during the handshake, which leaves no stream to end. A {@link StreamRelay} has no TLS of its own
     * and ignores it.
     */
    public boolean tlsFinWithoutCloseNotifyAsEnd() {
        return tlsFinWithoutCloseNotifyAsEnd;
    }

    /**
     * How a {@link TunnelRelay} moves bytes: {@link RelayPath#AUTO} (the default) splices in the kernel
     * where it can and copies elsewhere; {@link RelayPath#COPY} always copies; {@link RelayPath#SPLICE}
     * splices plain tunnels or fails to start. A {@link StreamRelay} always copies.
     */
    public RelayPath relayPath() {
        return relayPath;
    }

    /**
     * Told of every tunnel the relay opens, refuses or ends, once per event and never per byte; see
     * {@link RelayListener} for the threads it runs on. Default {@link RelayListener#none()}. The relay
     * also records these moments as JDK Flight Recorder events whether a listener is set or not.
     */
    public RelayListener listener() {
        return listener;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelayOptions other && loops == other.loops && bufferSize == other.bufferSize
                && bufferBudgetBytes == other.bufferBudgetBytes && maxTunnels == other.maxTunnels
                && idleTimeout.equals(other.idleTimeout) && sendStallTimeout.equals(other.sendStallTimeout)
                && halfClosedTimeout.equals(other.halfClosedTimeout) && maxLifetime.equals(other.maxLifetime)
                && tcpNoDelay == other.tcpNoDelay && keepAlive == other.keepAlive && closeHook.equals(other.closeHook)
                && tlsFinWithoutCloseNotifyAsEnd == other.tlsFinWithoutCloseNotifyAsEnd
                && relayPath == other.relayPath && listener.equals(other.listener);
    }

    @Override
    public int hashCode() {
        return Objects.hash(loops, bufferSize, bufferBudgetBytes, maxTunnels, idleTimeout, sendStallTimeout,
                halfClosedTimeout, maxLifetime, tcpNoDelay, keepAlive, closeHook, tlsFinWithoutCloseNotifyAsEnd,
                relayPath, listener);
    }

    @Override
    public String toString() {
        return "RelayOptions[loops=" + loops + ", bufferSize=" + bufferSize + ", bufferBudgetBytes="
                + bufferBudgetBytes + ", maxTunnels=" + maxTunnels + ", idleTimeout=" + idleTimeout
                + ", sendStallTimeout=" + sendStallTimeout + ", halfClosedTimeout=" + halfClosedTimeout
                + ", maxLifetime=" + maxLifetime + ", tcpNoDelay=" + tcpNoDelay + ", keepAlive=" + keepAlive
                + ", closeHook=" + closeHook + ", tlsFinWithoutCloseNotifyAsEnd=" + tlsFinWithoutCloseNotifyAsEnd
                + ", relayPath=" + relayPath + ", listener=" + listener + "]";
    }

    /**
     * Collects settings for {@link RelayOptions}; each method sets one and returns this builder.
     * {@link #build()} checks them all together. Not thread-safe.
     */
    public static final class Builder {
        private int loops = Runtime.getRuntime().availableProcessors();
        private int bufferSize = 256 * 1024;
        private long bufferBudgetBytes = 256L * 1024 * 1024;
        private int maxTunnels = 10_000;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration sendStallTimeout = Duration.ofSeconds(60);
        private Duration halfClosedTimeout = Duration.ofSeconds(30);
        private Duration maxLifetime = Duration.ZERO;
        private boolean tcpNoDelay = true;
        private boolean keepAlive;
        private CloseHook closeHook = CloseHook.none();
        private boolean tlsFinWithoutCloseNotifyAsEnd;
        private RelayPath relayPath = RelayPath.AUTO;
        private RelayListener listener = RelayListener.none();

        private Builder() {}

        private Builder(RelayOptions o) {
            loops = o.loops;
            bufferSize = o.bufferSize;
            bufferBudgetBytes = o.bufferBudgetBytes;
            maxTunnels = o.maxTunnels;
            idleTimeout = o.idleTimeout;
            sendStallTimeout = o.sendStallTimeout;
            halfClosedTimeout = o.halfClosedTimeout;
            maxLifetime = o.maxLifetime;
            tcpNoDelay = o.tcpNoDelay;
            keepAlive = o.keepAlive;
            closeHook = o.closeHook;
            tlsFinWithoutCloseNotifyAsEnd = o.tlsFinWithoutCloseNotifyAsEnd;
            relayPath = o.relayPath;
            listener = o.listener;
        }

        /** See {@link RelayOptions#loops()}; from 1 to 1,024. */
        public Builder loops(int loops) {
            this.loops = loops;
            return this;
        }

        /** See {@link RelayOptions#bufferSize()}; from 1 KiB to 16 MiB. */
        public Builder bufferSize(int bufferSize) {
            this.bufferSize = bufferSize;
            return this;
        }

        /** See {@link RelayOptions#bufferBudgetBytes()}; at least two buffers. */
        public Builder bufferBudgetBytes(long bufferBudgetBytes) {
            this.bufferBudgetBytes = bufferBudgetBytes;
            return this;
        }

        /** See {@link RelayOptions#maxTunnels()}; at least 1. */
        public Builder maxTunnels(int maxTunnels) {
            this.maxTunnels = maxTunnels;
            return this;
        }

        /** See {@link RelayOptions#idleTimeout()}; {@link Duration#ZERO} = off. */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
            return this;
        }

        /** See {@link RelayOptions#sendStallTimeout()}; {@link Duration#ZERO} = off. */
        public Builder sendStallTimeout(Duration sendStallTimeout) {
            this.sendStallTimeout = Objects.requireNonNull(sendStallTimeout, "sendStallTimeout");
            return this;
        }

        /** See {@link RelayOptions#halfClosedTimeout()}; {@link Duration#ZERO} = off. */
        public Builder halfClosedTimeout(Duration halfClosedTimeout) {
            this.halfClosedTimeout = Objects.requireNonNull(halfClosedTimeout, "halfClosedTimeout");
            return this;
        }

        /** See {@link RelayOptions#maxLifetime()}; {@link Duration#ZERO} = off. */
        public Builder maxLifetime(Duration maxLifetime) {
            this.maxLifetime = Objects.requireNonNull(maxLifetime, "maxLifetime");
            return this;
        }

        /** See {@link RelayOptions#tcpNoDelay()}. */
        public Builder tcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
            return this;
        }

        /** See {@link RelayOptions#keepAlive()}. */
        public Builder keepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
            return this;
        }

        /** See {@link RelayOptions#closeHook()}. */
        public Builder closeHook(CloseHook closeHook) {
            this.closeHook = Objects.requireNonNull(closeHook, "closeHook");
            return this;
        }

        /** See {@link RelayOptions#tlsFinWithoutCloseNotifyAsEnd()}. */
        public Builder tlsFinWithoutCloseNotifyAsEnd(boolean tlsFinWithoutCloseNotifyAsEnd) {
            this.tlsFinWithoutCloseNotifyAsEnd = tlsFinWithoutCloseNotifyAsEnd;
            return this;
        }

        /** See {@link RelayOptions#relayPath()}. */
        public Builder relayPath(RelayPath relayPath) {
            this.relayPath = Objects.requireNonNull(relayPath, "relayPath");
            return this;
        }

        /** See {@link RelayOptions#listener()}. */
        public Builder listener(RelayListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * The options with these settings.
         *
         * @throws IllegalArgumentException if a count is out of range, a timeout is negative or too
         *     long for a {@code long} of nanoseconds, or the budget holds fewer than two buffers
         */
        public RelayOptions build() {
            if (loops < 1 || loops > MAX_LOOPS) {
                throw new IllegalArgumentException("expected loops in [1, " + MAX_LOOPS + "] but was " + loops);
            }
            if (bufferSize < MIN_BUFFER || bufferSize > MAX_BUFFER) {
                throw new IllegalArgumentException("expected bufferSize in [" + MIN_BUFFER + ", " + MAX_BUFFER
                        + "] but was " + bufferSize);
            }
            if (bufferBudgetBytes < 2L * bufferSize) {
                throw new IllegalArgumentException("expected bufferBudgetBytes >= 2 * bufferSize ("
                        + 2L * bufferSize + ") but was " + bufferBudgetBytes);
            }
            if (maxTunnels < 1) {
                throw new IllegalArgumentException("expected maxTunnels >= 1 but was " + maxTunnels);
            }
            checkTimeout("idleTimeout", idleTimeout);
            checkTimeout("sendStallTimeout", sendStallTimeout);
            checkTimeout("halfClosedTimeout", halfClosedTimeout);
            checkTimeout("maxLifetime", maxLifetime);
            return new RelayOptions(this);
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
    }
}
