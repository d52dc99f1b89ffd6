package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What both engines' tunnels ({@link Session}, {@link StreamSession}) keep alike: when the tunnel
 * started and last moved, its {@link Outcome}, and the {@link Tunnel} methods that read them. Kept
 * small on purpose, since an idle tunnel's memory is the sum of such fields: the start is two longs,
 * not an {@link Instant}.
 *
 * <p>{@link #lastActivityNanos} and the outcome may be read from any thread; the engine writes them.
 */
abstract sealed class BaseTunnel implements Tunnel permits Session, StreamSession {
    private static final AtomicLong IDS = new AtomicLong();

    /** A number this process gives the tunnel, which its flight-recorder events carry. */
    final long id = IDS.incrementAndGet();
    /** When the tunnel opened, in nanoseconds since the epoch. */
    private final long startEpochNanos;
    /** When the tunnel opened, from {@link System#nanoTime()}. */
    final long startNanos;
    /** Last time a byte moved either way, or an end of stream arrived; from {@link System#nanoTime()}. */
    volatile long lastActivityNanos;
    final Outcome outcome = new Outcome();

    BaseTunnel() {
        Instant now = Instant.now();
        this.startEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        this.startNanos = System.nanoTime();
        this.lastActivityNanos = startNanos;
    }

    @Override
    public final Instant started() {
        return Instant.ofEpochSecond(0, startEpochNanos);
    }

    @Override
    public final Instant lastActivity() {
        return Instant.ofEpochSecond(0, startEpochNanos + (lastActivityNanos - startNanos));
    }

    /**
     * {@inheritDoc} The stage is a {@code CompletableFuture} that the relay alone completes: calling
     * {@code complete}, {@code cancel} or the like on it throws {@link UnsupportedOperationException}.
     */
    @Override
    public final CompletionStage<TunnelOutcome> outcome() {
        return outcome;
    }

    /**
     * Whether an I/O failure means that the peer reset or closed the connection (ECONNRESET, EPIPE,
     * ECONNABORTED), or that a TLS peer ended its stream in a way the relay passes on as a reset; such
     * an end is passed on as a reset. The JDK says so only in its message; a container may wrap it, so
     * the causes count too.
     */
    static boolean isReset(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TlsResetException || t instanceof ConduitResetException) {
                return true;
            }
            if (t instanceof SyscallException s) {
                return s.isReset();
            }
            String message = t.getMessage();
            if (message != null && (message.contains("reset") || message.contains("Broken pipe")
                    || message.contains("aborted"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public final String toString() {
        return "Tunnel[clientToUpstream=" + bytesClientToUpstream() + ", upstreamToClient=" + bytesUpstreamToClient()
                + ", path=" + path() + ", started=" + started() + ", lastActivity=" + lastActivity() + "]";
    }
}
