package io.github.upgrade4j.tunnel;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A relay's cumulative counters since it started, shared by {@link TunnelRelay} and
 * {@link StreamRelay}: tunnels opened, refusals and ends by reason, the bytes of ended tunnels, and
 * TLS ends without {@code close_notify} accepted as a FIN.
 *
 * <p>The counters move at three moments only, never per byte or per I/O operation: when {@code open}
 * answers {@code Opened}, when it answers {@code Refused}, and once when a tunnel ends, from the
 * {@link TunnelOutcome} it completes with, so the byte totals are exactly the sums of the outcomes'
 * counts. The relays call {@link #opened()} before the
 * tunnel can end and {@link #ended} before its outcome completes, so whoever saw an outcome sees it
 * counted.
 *
 * <p>Thread-safe without a lock: each figure is a {@link LongAdder} or a slot of an
 * {@link AtomicLongArray} indexed by the reason's ordinal. A {@link #snapshot} reads them one after
 * the other; it reads the ends before the opens, so that it never shows more tunnels ended than
 * opened.
 */
final class Counters {
    private static final RefusalReason[] REFUSALS = RefusalReason.values();
    private static final CloseReason[] ENDS = CloseReason.values();

    private final LongAdder opened = new LongAdder();
    private final LongAdder spliced = new LongAdder();
    private final AtomicLongArray refused = new AtomicLongArray(REFUSALS.length);
    private final AtomicLongArray ended = new AtomicLongArray(ENDS.length);
    private final LongAdder bytesClientToUpstream = new LongAdder();
    private final LongAdder bytesUpstreamToClient = new LongAdder();
    private final LongAdder clientTlsFinsWithoutCloseNotify = new LongAdder();
    private final LongAdder upstreamTlsFinsWithoutCloseNotify = new LongAdder();

    /** A tunnel was opened on {@code path}: {@code open} is about to answer {@code Opened}. */
    void opened(RelayPath path) {
        if (path == RelayPath.SPLICE) {
            spliced.increment(); // first: no snapshot shows more tunnels spliced than opened
        }
        opened.increment();
    }

    /** {@code open} is about to answer a refusal for {@code reason}. */
    void refused(RefusalReason reason) {
        refused.incrementAndGet(reason.ordinal());
    }

    /** A tunnel ended with {@code outcome}; called once per tunnel, before the outcome completes. */
    void ended(TunnelOutcome outcome) {
        bytesClientToUpstream.add(outcome.bytesClientToUpstream());
        bytesUpstreamToClient.add(outcome.bytesUpstreamToClient());
        if (outcome.clientTlsFinWithoutCloseNotify()) {
            clientTlsFinsWithoutCloseNotify.increment();
        }
        if (outcome.upstreamTlsFinWithoutCloseNotify()) {
            upstreamTlsFinsWithoutCloseNotify.increment();
        }
        ended.incrementAndGet(outcome.reason().ordinal());
    }

    /** The counters now, with the load figures the relay measured. */
    RelayStats snapshot(int activeTunnels, int buffersBorrowed, long pooledBytes, long budgetBytes) {
        Map<CloseReason, Long> ends = new EnumMap<>(CloseReason.class);
        for (CloseReason reason : ENDS) {
            ends.put(reason, ended.get(reason.ordinal()));
        }
        long toUpstream = bytesClientToUpstream.sum();
        long toClient = bytesUpstreamToClient.sum();
        long clientFins = clientTlsFinsWithoutCloseNotify.sum();
        long upstreamFins = upstreamTlsFinsWithoutCloseNotify.sum();
        Map<RefusalReason, Long> refusals = new EnumMap<>(RefusalReason.class);
        for (RefusalReason reason : REFUSALS) {
            refusals.put(reason, refused.get(reason.ordinal()));
        }
        long openedNow = opened.sum();
        return new RelayStats(activeTunnels, buffersBorrowed, pooledBytes, budgetBytes, openedNow,
                Math.min(spliced.sum(), openedNow), refusals, ends, toUpstream, toClient, clientFins, upstreamFins);
    }
}
