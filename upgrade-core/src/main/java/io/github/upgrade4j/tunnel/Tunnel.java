package io.github.upgrade4j.tunnel;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * A running tunnel, as seen from outside its relay: live counters, a way to close it, and its
 * outcome. Obtained from {@link Opening.Opened}, whichever relay opened it: a {@link TunnelRelay}
 * (socket channels on selector loops) or a {@link StreamRelay} (blocking streams on an executor).
 * Code that lists, watches or closes tunnels, such as an admin endpoint, holds them all as
 * {@code Tunnel}s.
 *
 * <p>Thread-safe: every method may be called from any thread at any time, during and after the
 * tunnel's life. The counters are exact between writes and keep their final values after the tunnel
 * ended.
 *
 * <p>Ownership: the relay owns both endpoints from the moment {@code open} answered
 * {@link Opening.Opened} and closes both, whatever happens; this view gives no access to them, and
 * does not let a caller write into the tunnel or read from it. The relay's implementations are the
 * only ones: the interface is sealed so that methods can be added to it.
 */
public sealed interface Tunnel permits BaseTunnel {
    /** {@return bytes written to the upstream so far, the client's leftover included} Plaintext on a TLS leg. */
    long bytesClientToUpstream();

    /** {@return bytes written to the client so far, the upstream's leftover included} Plaintext on a TLS leg. */
    long bytesUpstreamToClient();

    /** {@return when the relay accepted the tunnel} */
    Instant started();

    /**
     * {@return when a byte last moved either way, or an end of stream arrived} {@link #started()} until
     * then.
     */
    Instant lastActivity();

    /**
     * {@return how the tunnel's bytes travel: {@link RelayPath#COPY} or {@link RelayPath#SPLICE}} Fixed
     * when it opened; never {@link RelayPath#AUTO}. A {@link StreamRelay}'s tunnels always copy.
     */
    RelayPath path();

    /**
     * Closes the tunnel soon, with {@link CloseReason#CLOSED_BY_CALLER}, unless it has already ended;
     * returns at once and is idempotent. Both sides get a FIN (a reset if bytes were still queued in
     * the kernel toward the relay), and bytes in flight inside the relay are dropped.
     *
     * <p>On a {@link TunnelRelay} the close runs on the tunnel's event loop, so it never races a read
     * or a write. On a {@link StreamRelay} it runs both endpoints' close actions on the calling thread,
     * which makes the relay's blocked reads and writes fail.
     */
    void close();

    /**
     * {@return a stage that completes once, when both endpoints are closed, with how the tunnel ended}
     * It never completes exceptionally. Non-async dependent actions run on the thread that completes
     * it: a relay event-loop thread of a {@link TunnelRelay}, which must not be blocked; for a
     * {@link StreamRelay} one of its tasks, its timeout thread, or a thread that closed the tunnel or the
     * relay. Use the {@code *Async} variants for slow work.
     */
    CompletionStage<TunnelOutcome> outcome();
}
