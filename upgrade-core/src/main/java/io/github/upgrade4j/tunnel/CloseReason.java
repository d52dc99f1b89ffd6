package io.github.upgrade4j.tunnel;

/**
 * How a tunnel ended, named by who closed it and why. Every tunnel ends with exactly one reason,
 * reported in its {@link TunnelOutcome}.
 *
 * <p>Only {@link #CLIENT_FIN_FIRST} and {@link #UPSTREAM_FIN_FIRST} are normal completions: both
 * directions finished with a FIN and every byte was delivered. The resets and {@link #IO_ERROR} pass
 * the failure on as a reset (SO_LINGER 0) to the other side; the timeouts, {@link #CLOSED_BY_CALLER}
 * and {@link #SHUTDOWN} close both sides with a FIN, except that a leg whose peer stopped reading is
 * reset after a {@link #STALL_TIMEOUT}, since the bytes queued toward it could never be delivered.
 *
 * <p>On a TLS leg ({@link Endpoint#tls}) a {@code close_notify} counts as that side's FIN, and a TCP
 * FIN without a {@code close_notify} counts as a reset (a possible truncation, RFC 8446 §6.1): the
 * outcome's cause then says so; with {@link RelayOptions#tlsFinWithoutCloseNotifyAsEnd()} on, such a
 * FIN between records counts as a FIN instead, and the outcome notes it. A TLS failure (a bad record, a failed handshake) is an
 * {@link #IO_ERROR} with the {@code SSLException} as its cause.
 *
 * <p>Immutable and thread-safe, like every enum.
 */
public enum CloseReason {
    /** Both directions finished; the client sent its FIN first. */
    CLIENT_FIN_FIRST("both directions finished; the client half-closed first"),
    /** Both directions finished; the upstream sent its FIN first. */
    UPSTREAM_FIN_FIRST("both directions finished; the upstream half-closed first"),
    /**
     * A read from or write to the client failed with a reset (or a broken pipe), or its TLS stream
     * ended without {@code close_notify} (unless {@link RelayOptions#tlsFinWithoutCloseNotifyAsEnd()});
     * the upstream was reset too.
     */
    CLIENT_RESET("the client connection was reset; the reset was passed on to the upstream"),
    /**
     * A read from or write to the upstream failed with a reset (or a broken pipe), or its TLS stream
     * ended without {@code close_notify} (unless {@link RelayOptions#tlsFinWithoutCloseNotifyAsEnd()});
     * the client was reset too.
     */
    UPSTREAM_RESET("the upstream connection was reset; the reset was passed on to the client"),
    /** No byte moved either way for {@link RelayOptions#idleTimeout()} while no write was blocked. */
    IDLE_TIMEOUT("no byte moved in either direction for the idle timeout"),
    /** A blocked write made no progress for {@link RelayOptions#sendStallTimeout()}: a peer stopped reading. */
    STALL_TIMEOUT("a peer stopped reading: a blocked write made no progress for the send-stall timeout"),
    /** One direction had finished and nothing moved for {@link RelayOptions#halfClosedTimeout()}. */
    HALF_CLOSED_TIMEOUT("one side had half-closed and the other was silent for the half-closed timeout"),
    /** The tunnel reached {@link RelayOptions#maxLifetime()}. */
    LIFETIME_EXCEEDED("the tunnel reached its maximum lifetime"),
    /** {@link Tunnel#close()} was called. */
    CLOSED_BY_CALLER("the embedding application closed the tunnel"),
    /** The relay was drained ({@link TunnelRelay#drain}, {@link StreamRelay#drain}) past its grace period, or closed. */
    SHUTDOWN("the relay shut down"),
    /** An I/O error other than a reset, e.g. a keep-alive probe timing out; the cause is in the outcome. */
    IO_ERROR("an I/O error other than a reset ended the tunnel");

    private final String description;

    CloseReason(String description) {
        this.description = description;
    }

    /** One line saying what happened, for logs. */
    public String description() {
        return description;
    }

    /** Whether this is a normal completion: both directions finished and every byte was delivered. */
    public boolean isCompletion() {
        return this == CLIENT_FIN_FIRST || this == UPSTREAM_FIN_FIRST;
    }
}
