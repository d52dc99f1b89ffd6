package io.github.upgrade4j.tunnel;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A tunnel's outcome as {@link Tunnel#outcome()} hands it out: a future that only the relay completes,
 * with {@link #finish}. Every way to complete it from outside ({@code complete},
 * {@code completeExceptionally}, {@code cancel}, {@code obtrude*}, {@code completeAsync},
 * {@code orTimeout}, {@code completeOnTimeout}) throws {@link UnsupportedOperationException}; the
 * stages derived from it are ordinary futures. One object per tunnel, where a
 * {@code minimalCompletionStage()} view would add two more per caller: an idle tunnel's memory counts.
 */
final class Outcome extends CompletableFuture<TunnelOutcome> {
    /** The relay's end of the tunnel: completes the outcome; true the first time. */
    boolean finish(TunnelOutcome outcome) {
        return super.complete(outcome);
    }

    private static UnsupportedOperationException relayOnly() {
        return new UnsupportedOperationException("a tunnel's outcome is completed by its relay only");
    }

    @Override
    public boolean complete(TunnelOutcome value) {
        throw relayOnly();
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        throw relayOnly();
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        throw relayOnly();
    }

    @Override
    public void obtrudeValue(TunnelOutcome value) {
        throw relayOnly();
    }

    @Override
    public void obtrudeException(Throwable ex) {
        throw relayOnly();
    }

    @Override
    public CompletableFuture<TunnelOutcome> completeAsync(Supplier<? extends TunnelOutcome> supplier,
            Executor executor) {
        throw relayOnly();
    }

    @Override
    public CompletableFuture<TunnelOutcome> completeAsync(Supplier<? extends TunnelOutcome> supplier) {
        throw relayOnly();
    }

    @Override
    public CompletableFuture<TunnelOutcome> orTimeout(long timeout, TimeUnit unit) {
        throw relayOnly();
    }

    @Override
    public CompletableFuture<TunnelOutcome> completeOnTimeout(TunnelOutcome value, long timeout, TimeUnit unit) {
        throw relayOnly();
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>(); // what callers derive from the outcome is theirs to complete
    }
}
