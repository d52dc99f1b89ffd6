package io.github.upgrade4j.tunnel;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of a relay, from {@link TunnelRelay#stats()} or {@link StreamRelay#stats()}: its load
 * now, and counters that only grow from the relay's start, the figures a metrics exporter publishes.
 *
 * <pre>{@code
 * RelayStats stats = relay.stats();
 * gauge("tunnels_active", stats.activeTunnels());
 * counter("tunnels_opened_total", stats.tunnelsOpened());
 * stats.refusedByReason().forEach((reason, n) -> counter("tunnels_refused_total", "reason", reason.name(), n));
 * stats.endedByReason().forEach((reason, n) -> counter("tunnels_ended_total", "reason", reason.name(), n));
 * counter("tunnel_bytes_total", "direction", "client_to_upstream", stats.bytesClientToUpstream());
 * }</pre>
 *
 * <p>Both maps hold every constant of their enum, in declaration order, with 0 where nothing
 * happened, so every series can be exported without checking for absence. The constructor copies
 * them, filling in 0 for a missing constant; the accessors return unmodifiable maps.
 *
 * <p>The figures are read one after the other without a lock, so under traffic they may be a few
 * microseconds apart. Ends are read before opens: {@code tunnelsEnded() <= tunnelsOpened()} always
 * holds in a relay's snapshot, and {@code tunnelsOpened() - tunnelsEnded() - activeTunnels()} is 0
 * once no tunnel is opening or ending. A tunnel is counted as ended, and its bytes are added, just
 * before its {@link TunnelOutcome} completes, so whoever saw an outcome finds it in the next snapshot.
 *
 * <p>A snapshot is not a rate and does not reset: exporters publish the counters as they are
 * (Prometheus {@code _total} counters) and let the monitoring system compute rates. Immutable and
 * thread-safe.
 *
 * @param activeTunnels tunnels opened and not yet ended
 * @param buffersBorrowed buffers holding bytes in flight right now: of a {@link TunnelRelay}, direct
 *     buffers and, on the splice path, pipes (at most two per tunnel, and up to two more buffers per
 *     TLS leg for its records); of a
 *     {@link StreamRelay}, the heap buffers of bursts in flight (not the small read arrays each
 *     running tunnel holds)
 * @param pooledBytes buffer memory made earlier and now idle in the pool, ready to be borrowed, with the
 *     pipes of the splice path counted at one buffer's size each (each pooled pipe also holds two file
 *     descriptors; a relay never has more than {@code budgetBytes / bufferSize} buffers and pipes)
 * @param budgetBytes {@link RelayOptions#bufferBudgetBytes()}: the cap on pooled plus borrowed bytes
 * @param tunnelsOpened tunnels opened since the relay started: each {@code open} that answered
 *     {@code Opened}
 * @param tunnelsSpliced of those, the tunnels opened on the splice path ({@link Tunnel#path()} is
 *     {@link RelayPath#SPLICE}); the others copy
 * @param refusedByReason refusals since the relay started, by reason: each {@code open} that answered
 *     {@code Refused} (an {@code open} that threw for a programming error is not counted)
 * @param endedByReason tunnels ended since the relay started, by the {@link TunnelOutcome#reason()}
 *     each one completed with; every opened tunnel is counted here exactly once, whatever ended it
 * @param bytesClientToUpstream bytes written to upstreams by tunnels that have ended: the sum of their
 *     outcomes' {@link TunnelOutcome#bytesClientToUpstream()}. A running tunnel's bytes are added when
 *     it ends ({@link Tunnel#bytesClientToUpstream()} has them meanwhile)
 * @param bytesUpstreamToClient bytes written to clients by tunnels that have ended: the sum of their
 *     outcomes' {@link TunnelOutcome#bytesUpstreamToClient()}, added when each tunnel ends
 * @param clientTlsFinsWithoutCloseNotify tunnels that ended with
 *     {@link TunnelOutcome#clientTlsFinWithoutCloseNotify()}: the client's TLS stream ended with a FIN
 *     without {@code close_notify} that the relay accepted as its end
 *     ({@link RelayOptions#tlsFinWithoutCloseNotifyAsEnd()}); always 0 for a {@link StreamRelay}
 * @param upstreamTlsFinsWithoutCloseNotify the same for the upstream's TLS stream. Each side is counted
 *     on its own: a tunnel where both sides ended so counts once in each
 */
public record RelayStats(int activeTunnels, int buffersBorrowed, long pooledBytes, long budgetBytes,
        long tunnelsOpened, long tunnelsSpliced, Map<RefusalReason, Long> refusedByReason,
        Map<CloseReason, Long> endedByReason,
        long bytesClientToUpstream, long bytesUpstreamToClient, long clientTlsFinsWithoutCloseNotify,
        long upstreamTlsFinsWithoutCloseNotify) {
    /**
     * Copies both maps, with 0 for every constant they lack.
     *
     * @param activeTunnels tunnels opened and not yet ended
     * @param buffersBorrowed buffers (and pipes) holding bytes in flight right now
     * @param pooledBytes buffer memory idle in the pool
     * @param budgetBytes the cap on pooled plus borrowed bytes
     * @param tunnelsOpened tunnels opened since the relay started
     * @param tunnelsSpliced of those, the tunnels opened on the splice path
     * @param refusedByReason refusals since the relay started, by reason; copied
     * @param endedByReason tunnels ended since the relay started, by reason; copied
     * @param bytesClientToUpstream bytes written to upstreams by tunnels that have ended
     * @param bytesUpstreamToClient bytes written to clients by tunnels that have ended
     * @param clientTlsFinsWithoutCloseNotify tunnels whose client's TLS stream ended with a FIN accepted
     *     without {@code close_notify}
     * @param upstreamTlsFinsWithoutCloseNotify the same for the upstream's TLS stream
     * @throws IllegalArgumentException if a counter is negative, or more tunnels spliced than opened
     */
    public RelayStats {
        refusedByReason = complete(RefusalReason.class, refusedByReason, "refusedByReason");
        endedByReason = complete(CloseReason.class, endedByReason, "endedByReason");
        if (tunnelsSpliced < 0 || tunnelsSpliced > tunnelsOpened) {
            throw new IllegalArgumentException("expected between 0 and " + tunnelsOpened
                    + " (tunnelsOpened) tunnels spliced but was " + tunnelsSpliced);
        }
        if (tunnelsOpened < 0 || bytesClientToUpstream < 0 || bytesUpstreamToClient < 0
                || clientTlsFinsWithoutCloseNotify < 0 || upstreamTlsFinsWithoutCloseNotify < 0) {
            throw new IllegalArgumentException("expected non-negative counters but were " + tunnelsOpened + ", "
                    + bytesClientToUpstream + ", " + bytesUpstreamToClient + ", " + clientTlsFinsWithoutCloseNotify
                    + " and " + upstreamTlsFinsWithoutCloseNotify);
        }
    }

    private static <E extends Enum<E>> Map<E, Long> complete(Class<E> type, Map<E, Long> counts, String name) {
        Objects.requireNonNull(counts, name);
        EnumMap<E, Long> copy = new EnumMap<>(type);
        for (E constant : type.getEnumConstants()) {
            copy.put(constant, 0L);
        }
        counts.forEach((constant, count) -> {
            Objects.requireNonNull(constant, name + " key");
            Objects.requireNonNull(count, name + " value");
            if (count < 0) {
                throw new IllegalArgumentException("expected a non-negative count in " + name + " but " + constant
                        + " was " + count);
            }
            copy.put(constant, count);
        });
        return Collections.unmodifiableMap(copy);
    }

    /**
     * {@return refusals for {@code reason} since the relay started} The entry of {@link #refusedByReason()}.
     *
     * @param reason the reason to count
     */
    public long refused(RefusalReason reason) {
        return refusedByReason.get(Objects.requireNonNull(reason, "reason"));
    }

    /**
     * {@return tunnels ended with {@code reason} since the relay started} The entry of
     * {@link #endedByReason()}.
     *
     * @param reason the reason to count
     */
    public long ended(CloseReason reason) {
        return endedByReason.get(Objects.requireNonNull(reason, "reason"));
    }

    /** {@return refusals since the relay started, whatever the reason: the sum of {@link #refusedByReason()}} */
    public long tunnelsRefused() {
        return sum(refusedByReason);
    }

    /** {@return tunnels ended since the relay started, whatever the reason: the sum of {@link #endedByReason()}} */
    public long tunnelsEnded() {
        return sum(endedByReason);
    }

    private static long sum(Map<?, Long> counts) {
        long sum = 0;
        for (long count : counts.values()) {
            sum += count;
        }
        return sum;
    }
}
