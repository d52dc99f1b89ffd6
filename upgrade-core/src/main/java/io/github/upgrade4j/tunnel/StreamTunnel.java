package io.github.upgrade4j.tunnel;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * A running stream tunnel, as seen from outside the {@link StreamRelay}: live counters, a way to
 * close it, and its outcome. Obtained from {@link StreamOpening.Opened}. The stream counterpart of
 * {@link Tunnel}, with the same methods and the same {@link TunnelOutcome}.
 *
 * <p>Thread-safe: every method may be called from any thread at any time, during and after the
 * tunnel's life. Each counter is updated once a write and its flush returned, so it is exact between
 * writes, and it keeps its final value after the tunnel ended. The relay owns both endpoints; this
 * view gives no access to them.
 *
 * <p>This class does not let a caller write into the tunnel or read from it: the relay moves bytes
 * only between the two endpoints.
 */
public final class StreamTunnel implements RunningTunnel {
    private final StreamSession session;

    StreamTunnel(StreamSession session) {
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

    /** When {@link StreamRelay#open} accepted the tunnel. */
    @Override
    public Instant started() {
        return session.started;
    }

    /** When a byte last moved either way (or an input ended); {@link #started()} until then. */
    @Override
    public Instant lastActivity() {
        return session.started.plusNanos(session.lastActivityNanos - session.startNanos);
    }

    /**
     * Closes the tunnel with {@link CloseReason#CLOSED_BY_CALLER}, unless it has already ended: runs
     * both endpoints' close actions on the calling thread, which makes the relay's blocked reads and
     * writes fail, so its two tasks return; bytes read and not yet written are dropped. Idempotent.
     * The outcome completes once both tasks have returned.
     */
    @Override
    public void close() {
        session.end(CloseReason.CLOSED_BY_CALLER, null, false, false);
    }

    /**
     * Completes once, when both endpoints are closed and both relay tasks have returned, with how the
     * tunnel ended; never completes exceptionally. Non-async dependent actions run on the thread that
     * completes it: one of the relay's tasks (an executor thread), the timeout thread, or a thread
     * that called {@link #close()} or {@link StreamRelay#close()}. Use the {@code *Async} variants for
     * slow work.
     */
    @Override
    public CompletionStage<TunnelOutcome> outcome() {
        return session.outcome.minimalCompletionStage();
    }

    @Override
    public String toString() {
        return "StreamTunnel[clientToUpstream=" + bytesClientToUpstream() + ", upstreamToClient="
                + bytesUpstreamToClient() + ", started=" + started() + ", lastActivity=" + lastActivity() + "]";
    }
}
