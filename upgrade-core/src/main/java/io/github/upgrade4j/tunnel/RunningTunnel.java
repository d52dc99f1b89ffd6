package io.github.upgrade4j.tunnel;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * A running tunnel of either relay, as seen from outside it: live counters, a way to close it, and
 * its outcome. {@link Tunnel} ({@link TunnelRelay}, selector loops) and {@link StreamTunnel}
 * ({@link StreamRelay}, blocking streams) are the two kinds; code that lists, watches or closes
 * tunnels, such as an admin endpoint or a drain of its own, can hold either as a
 * {@code RunningTunnel}.
 *
 * <p>Thread-safe: every method may be called from any thread at any time, during and after the
 * tunnel's life. The counters are exact between writes and keep their final values after the tunnel
 * ended. The relay owns both endpoints; this view gives no access to them, and does not let a caller
 * write into the tunnel or read from it.
 */
public sealed interface RunningTunnel permits Tunnel, StreamTunnel {
    /** Bytes written to the upstream so far, the client's leftover included. */
    long bytesClientToUpstream();

    /** Bytes written to the client so far, the upstream's leftover included. */
    long bytesUpstreamToClient();

    /** When the relay accepted the tunnel. */
    Instant started();

    /** When a byte last moved either way (or an end of stream arrived); {@link #started()} until then. */
    Instant lastActivity();

    /**
     * Closes the tunnel soon, with {@link CloseReason#CLOSED_BY_CALLER}, unless it has already ended;
     * returns at once and is idempotent. Each kind says what happens to bytes still in flight.
     */
    void close();

    /**
     * Completes once, when both endpoints are closed, with how the tunnel ended; never completes
     * exceptionally. Each kind says on which thread non-async dependent actions run.
     */
    CompletionStage<TunnelOutcome> outcome();
}
