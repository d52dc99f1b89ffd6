package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a tunnel ended, once both of its channels are closed: the reason, the bytes relayed each way
 * and how long it ran.
 *
 * <p>The byte counts are bytes written to the destination socket, the leftover bytes of each
 * {@link Endpoint} included; toward a TLS endpoint, plaintext bytes whose records were written. After
 * a reset, bytes the relay had read but not yet written are not counted: they were discarded with the
 * connection. Immutable and thread-safe.
 *
 * @param reason who closed the tunnel and why
 * @param bytesClientToUpstream bytes written to the upstream
 * @param bytesUpstreamToClient bytes written to the client
 * @param duration from {@link TunnelRelay#open} to the close
 * @param cause the exception behind a reset or an I/O error; empty for every other reason
 */
public record TunnelOutcome(CloseReason reason, long bytesClientToUpstream, long bytesUpstreamToClient,
        Duration duration, Optional<IOException> cause) {
    /** Checks for nulls and negative figures. */
    public TunnelOutcome {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(cause, "cause");
        if (bytesClientToUpstream < 0 || bytesUpstreamToClient < 0 || duration.isNegative()) {
            throw new IllegalArgumentException("expected non-negative byte counts and duration but were "
                    + bytesClientToUpstream + ", " + bytesUpstreamToClient + " and " + duration);
        }
    }
}
