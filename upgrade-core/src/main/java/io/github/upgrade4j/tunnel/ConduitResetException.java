package io.github.upgrade4j.tunnel;

import java.io.IOException;

/**
 * Thrown by a {@link Conduit}'s read or write when the peer reset the stream (an HTTP/2 or HTTP/3
 * RST_STREAM): the relay ends the tunnel with {@link CloseReason#CLIENT_RESET}, resets the upstream, and
 * keeps this exception as the outcome's cause.
 */
public final class ConduitResetException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message what the peer sent, e.g. {@code the client reset the stream (RST_STREAM CANCEL)}
     */
    public ConduitResetException(String message) {
        super(message);
    }
}
