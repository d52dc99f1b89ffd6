package io.github.upgrade4j.tunnel;

import java.nio.ByteBuffer;

/**
 * Final bytes written to each side of a tunnel when a drain ({@link TunnelRelay#drain},
 * {@link StreamRelay#drain}) ends its grace period, before the tunnel is closed with
 * {@link CloseReason#SHUTDOWN}: typically a WebSocket Close
 * frame with status 1001 (Going Away), {@link #webSocketGoingAway() provided here}.
 *
 * <p>The relay does not parse the relayed protocol, so it writes the hook's bytes only toward a side
 * where every byte relayed so far has been written and whose output is not shut down, and with a
 * single non-blocking write: a short frame always fits an open socket's send buffer unless its peer
 * stopped reading, and then it is dropped. If a side's last relayed frame was cut in the middle by the
 * drain, its peer sees a protocol error instead of the Close frame, as it would on any close.
 *
 * <p>Called on a relay event-loop thread (or, for a {@link StreamRelay}, an executor thread), once per
 * side and tunnel: it must be fast, must not block and must be thread-safe. The relay reads the returned buffer's remaining bytes and does not keep it.
 */
@FunctionalInterface
public interface CloseHook {
    /** The side of a tunnel the hook's bytes are written to. */
    enum Side {
        /** Toward the client, i.e. acting as the server of the relayed protocol. */
        CLIENT,
        /** Toward the upstream, i.e. acting as the client (WebSocket frames must be masked). */
        UPSTREAM
    }

    /**
     * Returns the bytes to write toward {@code side}; an empty buffer writes nothing.
     *
     * @param side where the bytes go
     * @return a buffer whose remaining bytes are written; the relay does not keep it
     */
    ByteBuffer closingBytes(Side side);

    /** {@return the hook that writes nothing: tunnels are simply closed} The default. */
    static CloseHook none() {
        return Hooks.NONE;
    }

    /**
     * {@return a hook writing a WebSocket Close frame with status 1001 (Going Away, RFC 6455 §7.4.1) and
     * no reason text} The frame is unmasked toward the client, masked with a fresh random key toward the
     * upstream (RFC 6455 §5.3).
     */
    static CloseHook webSocketGoingAway() {
        return Hooks.WEBSOCKET_GOING_AWAY;
    }
}
