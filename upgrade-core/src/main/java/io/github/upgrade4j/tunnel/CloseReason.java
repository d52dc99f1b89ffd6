package io.github.upgrade4j.tunnel;

import io.github.upgrade4j.http.Reason;

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
public enum CloseReason implements Reason {
    /** Both directions finished; the client sent its FIN first. */
    CLIENT_FIN_FIRST("RFC 9293 §3.6; RFC 8446 §6.1",
            "Both sides finished normally and every byte was delivered; the client closed its side first, as a"
                    + " client does when it ends the session. Nothing needs doing."),
    /** Both directions finished; the upstream sent its FIN first. */
    UPSTREAM_FIN_FIRST("RFC 9293 §3.6; RFC 8446 §6.1",
            "Both sides finished normally and every byte was delivered; the upstream closed its side first, as a"
                    + " server does when it ends the session. Nothing needs doing."),
    /**
     * A read from or write to the client failed with a reset (or a broken pipe), or its TLS stream
     * ended without {@code close_notify} (unless {@link RelayOptions#tlsFinWithoutCloseNotifyAsEnd()});
     * the upstream was reset too.
     */
    CLIENT_RESET("RFC 9293 §3.5.3; RFC 8446 §6.1",
            "The client's connection broke off: a TCP reset or a broken pipe, or over TLS a close without"
                    + " close_notify, which may be a truncation. The reset was passed on to the upstream. Usually"
                    + " the client went away (a closed tab, a lost network, a load balancer's timeout); the"
                    + " outcome's cause says which. If the client closes TLS that way by habit, as the JDK's"
                    + " WebSocket client does, turn on RelayOptions.tlsFinWithoutCloseNotifyAsEnd."),
    /**
     * A read from or write to the upstream failed with a reset (or a broken pipe), or its TLS stream
     * ended without {@code close_notify} (unless {@link RelayOptions#tlsFinWithoutCloseNotifyAsEnd()});
     * the client was reset too.
     */
    UPSTREAM_RESET("RFC 9293 §3.5.3; RFC 8446 §6.1",
            "The upstream's connection broke off: a TCP reset or a broken pipe, or over TLS a close without"
                    + " close_notify, which may be a truncation. The reset was passed on to the client. The"
                    + " upstream probably crashed, restarted or closed the connection hard on its own timeout:"
                    + " check its logs; the outcome's cause says which. If it closes TLS that way by habit, turn"
                    + " on RelayOptions.tlsFinWithoutCloseNotifyAsEnd."),
    /** No byte moved either way for {@link RelayOptions#idleTimeout()} while no write was blocked. */
    IDLE_TIMEOUT("",
            "No byte moved either way for RelayOptions.idleTimeout, so the relay closed the tunnel. For"
                    + " connections that are quiet for long, such as WebSockets, have the application send pings"
                    + " more often than that, or raise idleTimeout."),
    /** A blocked write made no progress for {@link RelayOptions#sendStallTimeout()}: a peer stopped reading. */
    STALL_TIMEOUT("",
            "One side stopped reading: a write toward it made no progress for RelayOptions.sendStallTimeout, so"
                    + " the tunnel was closed and that side reset, since the bytes queued for it could never be"
                    + " delivered. Usually a frozen or overloaded peer, or one that vanished without a word; raise"
                    + " sendStallTimeout only if readers that slow are expected."),
    /** One direction had finished and nothing moved for {@link RelayOptions#halfClosedTimeout()}. */
    HALF_CLOSED_TIMEOUT("",
            "One side had finished sending and nothing moved for RelayOptions.halfClosedTimeout, so the tunnel"
                    + " was closed. Usually the other side missed the close or forgot to close too; raise"
                    + " halfClosedTimeout if a side may rightly go on answering long after the other finished."),
    /** The tunnel reached {@link RelayOptions#maxLifetime()}. */
    LIFETIME_EXCEEDED("",
            "The tunnel ran for RelayOptions.maxLifetime and was closed, as configured, whether or not bytes were"
                    + " moving. Clients are expected to reconnect; raise maxLifetime, or switch it off with"
                    + " Duration.ZERO, if tunnels must live longer."),
    /** {@link Tunnel#close()} was called. */
    CLOSED_BY_CALLER("",
            "The embedding application closed the tunnel with Tunnel.close(); its own logs say why."),
    /** The relay was drained ({@link TunnelRelay#drain}, {@link StreamRelay#drain}) past its grace period, or closed. */
    SHUTDOWN("",
            "The relay was closed, or drained and the tunnel outlived the grace period, as when the process"
                    + " stops. Expected during a deployment; give drain a longer grace period if tunnels should"
                    + " get to finish on their own."),
    /** An I/O error other than a reset, e.g. a keep-alive probe timing out; the cause is in the outcome. */
    IO_ERROR("",
            "An I/O error other than a reset ended the tunnel, such as a keep-alive probe left unanswered or a"
                    + " TLS failure (a bad record, a failed handshake). The outcome's cause holds the exception"
                    + " and says which.");

    private final String spec;
    private final String explanation;

    CloseReason(String spec, String explanation) {
        this.spec = spec;
        this.explanation = explanation;
    }

    /**
     * The specification section behind the way the tunnel ended: TCP's close (a FIN) or reset and TLS's
     * {@code close_notify} for the completions and resets; empty for timeouts, closes and errors, which
     * are the relay's own policy.
     */
    @Override
    public String spec() {
        return spec;
    }

    /** What happened, the likely cause and what to do, in plain words. */
    @Override
    public String explanation() {
        return explanation;
    }

    /** {@return whether this is a normal completion: both directions finished and every byte was delivered} */
    public boolean isCompletion() {
        return this == CLIENT_FIN_FIRST || this == UPSTREAM_FIN_FIRST;
    }
}
