package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The state of one stream tunnel: two endpoints, two {@link StreamPump}s, the deadlines, and the end
 * that happens exactly once.
 *
 * <p>Shared by three kinds of threads: the two pump tasks, the relay's timeout sweeper, and whoever
 * calls {@link StreamTunnel#close()} or {@link StreamRelay#close()}. The end is claimed with one
 * compare-and-set, so the first reason wins and later failures (the reads and writes that the close
 * itself makes fail) are ignored. The outcome completes once the endpoints are closed <em>and</em>
 * both pump tasks have returned, so its byte counts are final and the executor's threads are free
 * again. No lock is held while a stream is read, written or closed.
 */
final class StreamSession {
    final StreamRelay relay;
    private final StreamEndpoint client;
    private final StreamEndpoint upstream;
    final StreamPump toUpstream;
    final StreamPump toClient;
    final StreamTunnel view;
    final Instant started;
    final long startNanos;
    /** Last time a byte moved either way, or an input ended; from {@link System#nanoTime()}. */
    volatile long lastActivityNanos;
    final CompletableFuture<TunnelOutcome> outcome = new CompletableFuture<>();

    private final AtomicReference<@Nullable Ending> ending = new AtomicReference<>();
    private final AtomicReference<@Nullable StreamPump> firstEnd = new AtomicReference<>();
    private final AtomicInteger running = new AtomicInteger(2);
    private final AtomicBoolean closeDone = new AtomicBoolean();
    /** Claimed by the one call of {@link #maybeComplete} that counts and completes the outcome. */
    private final AtomicBoolean completing = new AtomicBoolean();

    /** Why and when the tunnel ended. */
    private record Ending(CloseReason reason, @Nullable IOException cause, long nanos) {}

    StreamSession(StreamRelay relay, StreamEndpoint client, StreamEndpoint upstream) {
        this.relay = relay;
        this.client = client;
        this.upstream = upstream;
        this.toUpstream = new StreamPump(this, client, upstream, true);
        this.toClient = new StreamPump(this, upstream, client, false);
        this.started = Instant.now();
        this.startNanos = System.nanoTime();
        this.lastActivityNanos = startNanos;
        this.view = new StreamTunnel(this);
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
        if (toUpstream.done && toClient.done) {
            end(firstEnd.get() == toUpstream ? CloseReason.CLIENT_FIN_FIRST : CloseReason.UPSTREAM_FIN_FIRST,
                    null, false, false);
        }
    }

    /** A read, write or half-close on the client ({@code clientSide}) or upstream side failed. */
    void fail(boolean clientSide, IOException e) {
        CloseReason reason = isReset(e) ? clientSide ? CloseReason.CLIENT_RESET : CloseReason.UPSTREAM_RESET
                : CloseReason.IO_ERROR;
        end(reason, e, true, true);
    }

    /**
     * Whether a read or write failed because the peer reset or closed the connection (ECONNRESET,
     * EPIPE, ECONNABORTED). The JDK exposes no errno, only the message; containers wrap it.
     */
    private static boolean isReset(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && (message.contains("reset") || message.contains("Broken pipe")
                    || message.contains("aborted"))) {
                return true;
            }
        }
        return false;
    }

    /** Called by the sweeper: ends the tunnel if a deadline passed. Mirrors the NIO relay's rules. */
    void checkDeadlines(long now, long idle, long stall, long halfClosed, long lifetime) {
        if (lifetime > 0 && now - startNanos >= lifetime) {
            end(CloseReason.LIFETIME_EXCEEDED, null, false, false);
            return;
        }
        if (stall > 0 && (stalled(toUpstream, now, stall) || stalled(toClient, now, stall))) {
            return;
        }
        if (toUpstream.writing || toClient.writing) {
            return; // held by backpressure: not idle
        }
        long quiet = now - lastActivityNanos;
        if (halfClosed > 0 && (toUpstream.done || toClient.done) && quiet >= halfClosed) {
            end(CloseReason.HALF_CLOSED_TIMEOUT, null, false, false);
        } else if (idle > 0 && quiet >= idle) {
            end(CloseReason.IDLE_TIMEOUT, null, false, false);
        }
    }

    private boolean stalled(StreamPump pump, long now, long stall) {
        if (pump.writing && now - pump.writeStartedNanos >= stall) {
            // The sink's peer stopped reading: reset that side (where the endpoint allows it), so its
            // kernel drops the queue instead of retrying it; the other side gets a plain close.
            end(CloseReason.STALL_TIMEOUT, null, !pump.fromClient, pump.fromClient);
            return true;
        }
        return false;
    }

    /**
     * Ends the tunnel once: closes both endpoints (abortively where {@code abort*} and the endpoint
     * is a socket), which makes blocked reads and writes fail so that both pumps return. Runs on
     * whichever thread decided the end.
     */
    void end(CloseReason reason, @Nullable IOException cause, boolean abortClient, boolean abortUpstream) {
        if (!ending.compareAndSet(null, new Ending(reason, cause, System.nanoTime()))) {
            return;
        }
        closeEndpoint(client, abortClient);
        closeEndpoint(upstream, abortUpstream);
        relay.ended(this);
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
     * the relay's {@link Counters} first; idempotent. The end and the last pump may both get here at
     * once, on different threads: one compare-and-set lets exactly one of them count and complete.
     */
    private void maybeComplete() {
        Ending end = ending.get();
        if (end == null || !closeDone.get() || running.get() != 0 || !completing.compareAndSet(false, true)) {
            return;
        }
        TunnelOutcome result = new TunnelOutcome(end.reason(), toUpstream.bytes, toClient.bytes,
                Duration.ofNanos(end.nanos() - startNanos), Optional.ofNullable(end.cause()));
        relay.counters.ended(result);
        outcome.complete(result);
    }
}
