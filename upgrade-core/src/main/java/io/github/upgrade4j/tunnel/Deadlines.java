package io.github.upgrade4j.tunnel;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The timeouts of {@link RelayOptions} in nanoseconds and the rule that applies them, built once per
 * relay and shared by both engines: a {@link TunnelRelay}'s loops check their tunnels at each sweep, a
 * {@link StreamRelay}'s timeout thread checks its tunnels the same way.
 *
 * <p>The rule, in order: the lifetime; a write blocked without progress for the send-stall timeout
 * (the sink's peer stopped reading, so that side is reset); nothing else while a direction is held by
 * backpressure or the buffer budget, which is not idleness; then, with no byte moved for long enough,
 * the half-closed timeout once a direction has finished, else the idle timeout.
 *
 * <p>Immutable and thread-safe. {@link #expired} allocates nothing.
 */
final class Deadlines {
    private static final long MAX_TICK = Duration.ofMillis(100).toNanos();
    private static final long MIN_TICK = Duration.ofMillis(10).toNanos();

    /** One direction of a tunnel as the rule sees it. */
    interface Flow {
        /** Whether the source is the client: this direction writes to the upstream. */
        boolean fromClient();

        /** Whether a write toward the sink is blocked (or, on a stream, in progress). */
        boolean blocked();

        /** When the blocked write last made progress, or blocked first; from {@link System#nanoTime()}. */
        long blockedSince();

        /** Whether the direction waits for a buffer or a pipe within the budget. */
        boolean waiting();

        /** Whether the source's end was passed on to the sink. */
        boolean done();
    }

    /** Why a tunnel ends at a check, and which side is reset. */
    enum Expiry {
        LIFETIME(CloseReason.LIFETIME_EXCEEDED, Abort.NONE),
        STALLED_TOWARD_UPSTREAM(CloseReason.STALL_TIMEOUT, Abort.UPSTREAM),
        STALLED_TOWARD_CLIENT(CloseReason.STALL_TIMEOUT, Abort.CLIENT),
        HALF_CLOSED(CloseReason.HALF_CLOSED_TIMEOUT, Abort.NONE),
        IDLE(CloseReason.IDLE_TIMEOUT, Abort.NONE);

        final CloseReason reason;
        final Abort abort;

        Expiry(CloseReason reason, Abort abort) {
            this.reason = reason;
            this.abort = abort;
        }
    }

    private final long idle;
    private final long stall;
    private final long halfClosed;
    private final long lifetime;
    private final long tick;
    private final boolean any;

    private Deadlines(RelayOptions options) {
        idle = options.idleTimeout().toNanos();
        stall = options.sendStallTimeout().toNanos();
        halfClosed = options.halfClosedTimeout().toNanos();
        lifetime = options.maxLifetime().toNanos();
        long shortest = Long.MAX_VALUE;
        for (long timeout : new long[] {idle, stall, halfClosed, lifetime}) {
            if (timeout > 0) {
                shortest = Math.min(shortest, timeout);
            }
        }
        any = shortest != Long.MAX_VALUE;
        tick = Math.max(MIN_TICK, Math.min(MAX_TICK, shortest / 4));
    }

    static Deadlines of(RelayOptions options) {
        return new Deadlines(options);
    }

    /** How often to check, in nanoseconds: a quarter of the shortest timeout, within [10, 100] ms. */
    long tickNanos() {
        return tick;
    }

    /** Whether any timeout is set: if none is, only a drain needs a periodic check. */
    boolean any() {
        return any;
    }

    /**
     * What ends a tunnel at {@code now}, or null if nothing does.
     *
     * @param start when the tunnel opened
     * @param lastActivity when a byte last moved either way
     */
    @Nullable Expiry expired(long now, long start, long lastActivity, Flow toUpstream, Flow toClient) {
        if (lifetime > 0 && now - start >= lifetime) {
            return Expiry.LIFETIME;
        }
        if (stall > 0) {
            if (stalled(toUpstream, now)) {
                return Expiry.STALLED_TOWARD_UPSTREAM;
            }
            if (stalled(toClient, now)) {
                return Expiry.STALLED_TOWARD_CLIENT;
            }
        }
        if (toUpstream.blocked() || toClient.blocked() || toUpstream.waiting() || toClient.waiting()) {
            return null; // parked by backpressure or the budget: not idle
        }
        long quiet = now - lastActivity;
        if (halfClosed > 0 && (toUpstream.done() || toClient.done()) && quiet >= halfClosed) {
            return Expiry.HALF_CLOSED;
        }
        return idle > 0 && quiet >= idle ? Expiry.IDLE : null;
    }

    private boolean stalled(Flow flow, long now) {
        return flow.blocked() && now - flow.blockedSince() >= stall;
    }
}
