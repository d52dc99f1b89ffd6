package io.github.upgrade4j.tunnel;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The door of a relay, shared by {@link TunnelRelay} and {@link StreamRelay}: whether it runs, drains
 * or is closed, how many tunnels hold a place against {@link RelayOptions#maxTunnels()}, the
 * {@link Counters} and {@link Events} of its opens, refusals and ends, and the completion of a drain.
 *
 * <p>A tunnel takes a place with {@link #claim()} before anything else, and gives it back once: with
 * {@link #unclaim} when it is refused after its claim (for the budget, say), with {@link #ended()}
 * when it ran. The drain completes when the last place is given back after {@link #startDrain()}, or
 * at once if none is held; a tunnel completes its outcome between {@code ended()} and
 * {@link #finishDrain()}, so that a drain completes after the last outcome.
 *
 * <p>Thread-safe without a lock: the place count is an {@link AtomicInteger}, the state a volatile
 * that only moves forward (running, draining, closed).
 */
final class Admission {
    private static final int RUNNING = 0;
    private static final int DRAINING = 1;
    private static final int CLOSED = 2;

    final Counters counters = new Counters();
    private final Events events;
    private final int maxTunnels;
    private final AtomicInteger active = new AtomicInteger();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile int state = RUNNING;

    Admission(RelayOptions options) {
        this.maxTunnels = options.maxTunnels();
        this.events = new Events(options.listener());
    }

    /**
     * A tunnel was opened on {@code tunnel.path()}: {@code open} is about to answer {@code Opened}.
     * Called before the tunnel can end, so that no snapshot shows it ended but not opened, and its
     * listener hears of the opening before the end.
     */
    void opened(BaseTunnel tunnel) {
        counters.opened(tunnel.path());
        events.opened(tunnel);
    }

    /** A tunnel ended with {@code outcome}: counted and reported once, before the outcome completes. */
    void closed(BaseTunnel tunnel, TunnelOutcome outcome) {
        counters.ended(outcome);
        events.closed(tunnel, outcome);
    }

    /** Tunnels holding a place: opened and not yet ended, or claimed and about to be refused. */
    int active() {
        return active.get();
    }

    boolean running() {
        return state == RUNNING;
    }

    /**
     * Takes a place for a tunnel; null on success, else the refusal (already counted): the relay is
     * not running, or {@link RelayOptions#maxTunnels()} tunnels hold places.
     */
    Opening.@Nullable Refused claim() {
        if (state != RUNNING) {
            return shutDown();
        }
        int running;
        do {
            running = active.get();
            if (running >= maxTunnels) {
                return refuse(RefusalReason.TUNNEL_LIMIT, "expected fewer than " + maxTunnels
                        + " running tunnels but " + running + " are running");
            }
        } while (!active.compareAndSet(running, running + 1));
        if (state != RUNNING) { // a drain or close began meanwhile
            if (ended()) {
                finishDrain();
            }
            return shutDown();
        }
        return null;
    }

    /** Gives a claimed place back and refuses the tunnel for {@code reason}. */
    Opening.Refused unclaim(RefusalReason reason, String detail) {
        if (ended()) {
            finishDrain();
        }
        return refuse(reason, detail);
    }

    /** A tunnel gave its place back; true if it was the last one of a drain: call {@link #finishDrain()}. */
    boolean ended() {
        return active.decrementAndGet() == 0 && state != RUNNING;
    }

    /** Completes the drain: no place is held any more. */
    void finishDrain() {
        drained.complete(null);
    }

    /** Every refusal a relay answers goes through here, to be counted. */
    Opening.Refused refuse(RefusalReason reason, String detail) {
        counters.refused(reason);
        Opening.Refused refusal = new Opening.Refused(reason, detail);
        events.refused(refusal);
        return refusal;
    }

    private Opening.Refused shutDown() {
        return refuse(RefusalReason.SHUT_DOWN, "expected a running relay but it was "
                + (state == DRAINING ? "draining" : "closed"));
    }

    /** Stops admitting tunnels for a drain; true for the first call only (a closed relay does not drain). */
    synchronized boolean startDrain() {
        if (state != RUNNING) {
            return false;
        }
        state = DRAINING;
        return true;
    }

    /** Stops admitting tunnels for good. */
    synchronized void close() {
        state = CLOSED;
    }

    /** Completes when a drain or close began and no place is held; completing the copy does nothing here. */
    CompletableFuture<Void> drained() {
        if (state != RUNNING && active.get() == 0) {
            drained.complete(null);
        }
        return drained.copy();
    }

    String stateName() {
        int now = state;
        return now == RUNNING ? "running" : now == DRAINING ? "draining" : "closed";
    }
}
