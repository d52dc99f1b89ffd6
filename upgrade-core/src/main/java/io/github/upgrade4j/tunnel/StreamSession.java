package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The state of one tunnel of a {@link StreamRelay}, and the {@link Tunnel} its callers hold: two
 * endpoints, two {@link StreamPump}s, the deadlines, and the end that happens exactly once.
 *
 * <p>Shared by several kinds of threads: the two pump tasks, the relay's timeout sweeper, a drain's
 * task, and whoever calls {@link #close()} or {@link StreamRelay#close()}. The end is claimed with
 * one compare-and-set, so the first reason wins and later failures (the reads and writes that the
 * close itself makes fail) are ignored. The outcome completes once the endpoints are closed
 * <em>and</em> both pump tasks have returned, so its byte counts are final and the executor's threads
 * are free again. No lock is held while a stream is read or closed; a pump holds its own write lock
 * while it writes.
 */
final class StreamSession extends BaseTunnel {
    final StreamRelay relay;
    private final StreamEndpoint client;
    private final StreamEndpoint upstream;
    final StreamPump toUpstream;
    final StreamPump toClient;

    private final AtomicReference<@Nullable Ending> ending = new AtomicReference<>();
    private final AtomicReference<@Nullable StreamPump> firstEnd = new AtomicReference<>();
    private final AtomicInteger running = new AtomicInteger(2);
    private final AtomicBoolean closeDone = new AtomicBoolean();
    /** Claimed by the one call of {@link #maybeComplete} that counts and completes the outcome. */
    private final AtomicBoolean completing = new AtomicBoolean();
    /** Claimed by the drain's one shutdown task for this tunnel. */
    private final AtomicBoolean shutdownClaimed = new AtomicBoolean();

    /** Why and when the tunnel ended. */
    private record Ending(CloseReason reason, @Nullable IOException cause, long nanos) {}

    StreamSession(StreamRelay relay, StreamEndpoint client, StreamEndpoint upstream) {
        this.relay = relay;
        this.client = client;
        this.upstream = upstream;
        this.toUpstream = new StreamPump(this, client, upstream, true);
        this.toClient = new StreamPump(this, upstream, client, false);
    }

    @Override
    public long bytesClientToUpstream() {
        return toUpstream.bytes;
    }

    @Override
    public long bytesUpstreamToClient() {
        return toClient.bytes;
    }

    @Override
    public RelayPath path() {
        return RelayPath.COPY;
    }

    /**
     * Ends the tunnel with {@link CloseReason#CLOSED_BY_CALLER}: runs both endpoints' close actions on
     * the calling thread, which makes the relay's blocked reads and writes fail, so its two tasks
     * return; bytes read and not yet written are dropped.
     */
    @Override
    public void close() {
        end(CloseReason.CLOSED_BY_CALLER, null, Abort.NONE);
    }

    boolean isEnded() {
        return ending.get() != null;
    }

    void touch() {
        lastActivityNanos = System.nanoTime();
    }

    /** A pump read the end of its source's input. */
    void sawEnd(StreamPump pump) {
        firstEnd.compareAndSet(null, pump);
    }

    /** A pump passed its end on; when both have, the tunnel is complete. */
    void directionDone() {
        if (toUpstream.done() && toClient.done()) {
            end(firstEnd.get() == toUpstream ? CloseReason.CLIENT_FIN_FIRST : CloseReason.UPSTREAM_FIN_FIRST,
                    null, Abort.NONE);
        }
    }

    /** A read, write or half-close on the client ({@code clientSide}) or upstream side failed. */
    void fail(boolean clientSide, IOException e) {
        CloseReason reason = isReset(e) ? clientSide ? CloseReason.CLIENT_RESET : CloseReason.UPSTREAM_RESET
                : CloseReason.IO_ERROR;
        end(reason, e, Abort.BOTH);
    }

    /** Called by the sweeper: ends the tunnel if a deadline passed, by the rule both relays share. */
    void checkDeadlines(long now, Deadlines deadlines) {
        Deadlines.Expiry expiry = deadlines.expired(now, startNanos, lastActivityNanos, toUpstream, toClient);
        if (expiry != null) {
            // A stall resets the side whose peer stopped reading (where the endpoint allows it), so its
            // kernel drops the queue instead of retrying it; the other side gets a plain close.
            end(expiry.reason, null, expiry.abort);
        }
    }

    /** True for the first caller only: the drain schedules one shutdown task per tunnel. */
    boolean claimShutdown() {
        return shutdownClaimed.compareAndSet(false, true);
    }

    /**
     * For a drain past its grace period, on an executor thread: the closing bytes toward each side
     * whose writer is not in the middle of a write, then the end with {@link CloseReason#SHUTDOWN}.
     */
    void shutdown(CloseHook hook) {
        if (isEnded()) {
            return;
        }
        toClient.writeClosing(Hooks.closingBytes(hook, CloseHook.Side.CLIENT));
        toUpstream.writeClosing(Hooks.closingBytes(hook, CloseHook.Side.UPSTREAM));
        end(CloseReason.SHUTDOWN, null, Abort.NONE);
    }

    /**
     * Ends the tunnel once: closes both endpoints (abortively on the sides {@code abort} names, where
     * the endpoint is a socket), which makes blocked reads and writes fail so that both pumps return.
     * Runs on whichever thread decided the end.
     */
    void end(CloseReason reason, @Nullable IOException cause, Abort abort) {
        if (!ending.compareAndSet(null, new Ending(reason, cause, System.nanoTime()))) {
            return;
        }
        closeEndpoint(client, abort.client());
        closeEndpoint(upstream, abort.upstream());
        relay.forget(this);
        closeDone.set(true);
        maybeComplete();
    }

    private static void closeEndpoint(StreamEndpoint endpoint, boolean abort) {
        AutoCloseable close = endpoint.close();
        if (abort && close instanceof Socket socket && !socket.isClosed()) {
            try {
                socket.setSoLinger(true, 0);
            } catch (IOException | RuntimeException e) {
                // Already reset or closed: nothing left to abort.
            }
        }
        try {
            close.close();
        } catch (Exception e) {
            StreamRelay.LOG.log(System.Logger.Level.DEBUG, "closing a stream endpoint failed", e);
        }
    }

    /** A pump task returned. */
    void pumpExited() {
        running.decrementAndGet();
        maybeComplete();
    }

    /**
     * Completes the outcome once the endpoints are closed and both pumps returned, counting the end in
     * the relay's {@link Counters} and giving back its place first; idempotent. The end and the last
     * pump may both get here at once, on different threads: one compare-and-set lets exactly one of
     * them count and complete. A drain completes after the last outcome.
     */
    private void maybeComplete() {
        Ending end = ending.get();
        if (end == null || !closeDone.get() || running.get() != 0 || !completing.compareAndSet(false, true)) {
            return;
        }
        TunnelOutcome result = new TunnelOutcome(end.reason(), toUpstream.bytes, toClient.bytes,
                Duration.ofNanos(end.nanos() - startNanos), Optional.ofNullable(end.cause()));
        Admission admission = relay.admission();
        admission.closed(this, result);
        boolean lastOfDrain = admission.ended();
        outcome.finish(result);
        if (lastOfDrain) {
            admission.finishDrain();
        }
    }
}
