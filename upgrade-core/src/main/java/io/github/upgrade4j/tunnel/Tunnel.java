package io.github.upgrade4j.tunnel;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * A running tunnel, as seen from outside the relay: live counters, a way to close it, and its
 * outcome. Obtained from {@link Opening.Opened}. One of the two kinds of {@link RunningTunnel}.
 *
 * <p>Thread-safe: every method may be called from any thread at any time, during and after the
 * tunnel's life. The counters are updated once per write, so they are exact between writes; they
 * keep their final values after the tunnel ended. The relay owns both channels; this view gives no
 * access to them.
 *
 * <p>This class does not let a caller write into the tunnel or read from it: the relay moves bytes
 * only between the two endpoints.
 */
public final class Tunnel implements RunningTunnel {
    private final Session session;

    Tunnel(Session session) {
        this.session = session;
    }

    /** Bytes written to the upstream so far, the client's leftover included. */
    @Override
    public long bytesClientToUpstream() {
        return session.toUpstream.bytes;
    }

    /** Bytes written to the client so far, the upstream's leftover included. */
    @Override
    public long bytesUpstreamToClient() {
        return session.toClient.bytes;
    }

    /** When {@link TunnelRelay#open} accepted the tunnel. */
    @Override
    public Instant started() {
        return session.started;
    }

    /** When a byte last moved either way (or a FIN arrived); {@link #started()} until then. */
    @Override
    public Instant lastActivity() {
        return session.started.plusNanos(session.lastActivityNanos - session.startNanos);
    }

    /**
     * Closes the tunnel soon, with {@link CloseReason#CLOSED_BY_CALLER}, unless it has already ended:
     * both channels get a FIN (a reset if bytes were still queued in the kernel toward the relay), and
     * bytes still in flight inside the relay are dropped. Returns at once; the close runs on the
     * tunnel's event loop, so it never races a read or a write. Idempotent.
     */
    @Override
    public void close() {
        session.loop.execute(() -> {
            if (!session.loop.stopping) {
                session.close(CloseReason.CLOSED_BY_CALLER, null, false, false);
            }
        });
    }

    /**
     * Completes once, when both channels are closed, with how the tunnel ended; never completes
     * exceptionally. Non-async dependent actions run on the relay's event-loop thread, which must not
     * be blocked: use the {@code *Async} variants for slow work.
     */
    @Override
    public CompletionStage<TunnelOutcome> outcome() {
        return session.outcome.minimalCompletionStage();
    }

    @Override
    public String toString() {
        return "Tunnel[clientToUpstream=" + bytesClientToUpstream() + ", upstreamToClient=" + bytesUpstreamToClient()
                + ", started=" + started() + ", lastActivity=" + lastActivity() + "]";
    }
}
