package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a tunnel ended, once both of its channels are closed: the reason, the bytes relayed each way,
 * how long it ran, and whether a TLS side ended without {@code close_notify}.
 *
 * <p>The byte counts are bytes written to the destination socket, the leftover bytes of each
 * {@link Endpoint} included; toward a TLS endpoint, plaintext bytes whose records were written. After
 * a reset, bytes the relay had read but not yet written are not counted: they were discarded with the
 * connection. Immutable and thread-safe.
 *
 * <p>The two TLS flags matter only with {@link RelayOptions#tlsFinWithoutCloseNotifyAsEnd()} on: a
 * tunnel can then complete ({@link CloseReason#isCompletion()}) although a side's stream ended with a
 * bare FIN, which an attacker on the path could have forged to cut it short (RFC 8446 §6.1). A flag
 * says so, so that such ends can be counted and told apart from clean ones; the relayed protocol's own
 * closing handshake (a WebSocket Close frame) is what shows whether the stream was complete.
 *
 * @param reason who closed the tunnel and why
 * @param bytesClientToUpstream bytes written to the upstream
 * @param bytesUpstreamToClient bytes written to the client
 * @param duration from the relay's {@code open} to the close
 * @param cause the exception behind a reset or an I/O error; empty for every other reason
 * @param clientTlsFinWithoutCloseNotify whether the client's TLS stream ended with a FIN without
 *     {@code close_notify} that the relay accepted as its end, like a plain FIN
 *     ({@link RelayOptions#tlsFinWithoutCloseNotifyAsEnd()}); false on a plain leg, after a
 *     {@code close_notify}, and when such a FIN was passed on as a reset (the reason is then
 *     {@link CloseReason#CLIENT_RESET} and the cause says why)
 * @param upstreamTlsFinWithoutCloseNotify the same for the upstream's TLS stream
 * @param path how the tunnel's bytes travelled: {@link RelayPath#COPY} or {@link RelayPath#SPLICE}
 */
public record TunnelOutcome(CloseReason reason, long bytesClientToUpstream, long bytesUpstreamToClient,
        Duration duration, Optional<IOException> cause, boolean clientTlsFinWithoutCloseNotify,
        boolean upstreamTlsFinWithoutCloseNotify, RelayPath path) {
    /**
     * Checks for nulls and negative figures.
     *
     * @param reason who closed the tunnel and why
     * @param bytesClientToUpstream bytes written to the upstream
     * @param bytesUpstreamToClient bytes written to the client
     * @param duration from the relay's {@code open} to the close
     * @param cause the exception behind a reset or an I/O error; empty for every other reason
     * @param clientTlsFinWithoutCloseNotify whether the client's TLS stream ended with a FIN accepted
     *     without {@code close_notify}
     * @param upstreamTlsFinWithoutCloseNotify the same for the upstream's TLS stream
     * @param path {@link RelayPath#COPY} or {@link RelayPath#SPLICE}
     * @throws IllegalArgumentException if a count or the duration is negative, or the path is
     *     {@link RelayPath#AUTO}, which is a choice and not a path
     */
    public TunnelOutcome {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(path, "path");
        if (path == RelayPath.AUTO) {
            throw new IllegalArgumentException("expected the path a tunnel took, COPY or SPLICE, but was AUTO");
        }
        if (bytesClientToUpstream < 0 || bytesUpstreamToClient < 0 || duration.isNegative()) {
            throw new IllegalArgumentException("expected non-negative byte counts and duration but were "
                    + bytesClientToUpstream + ", " + bytesUpstreamToClient + " and " + duration);
        }
    }

    /**
     * An outcome of a tunnel that copied its bytes and in which no TLS stream ended with a FIN accepted
     * in place of a {@code close_notify}: every outcome of a {@link StreamRelay}, for one.
     *
     * @param reason who closed the tunnel and why
     * @param bytesClientToUpstream bytes written to the upstream
     * @param bytesUpstreamToClient bytes written to the client
     * @param duration from the relay's {@code open} to the close
     * @param cause the exception behind a reset or an I/O error; empty for every other reason
     * @throws IllegalArgumentException if a count or the duration is negative
     */
    public TunnelOutcome(CloseReason reason, long bytesClientToUpstream, long bytesUpstreamToClient,
            Duration duration, Optional<IOException> cause) {
        this(reason, bytesClientToUpstream, bytesUpstreamToClient, duration, cause, false, false, RelayPath.COPY);
    }
}
