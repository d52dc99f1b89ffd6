package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.StreamRelayTest.EXECUTOR;
import static io.github.upgrade4j.tunnel.StreamRelayTest.Pair;
import static io.github.upgrade4j.tunnel.StreamRelayTest.ascii;
import static io.github.upgrade4j.tunnel.StreamRelayTest.assertEof;
import static io.github.upgrade4j.tunnel.StreamRelayTest.assertReset;
import static io.github.upgrade4j.tunnel.StreamRelayTest.async;
import static io.github.upgrade4j.tunnel.StreamRelayTest.await;
import static io.github.upgrade4j.tunnel.StreamRelayTest.opened;
import static io.github.upgrade4j.tunnel.StreamRelayTest.outcome;
import static io.github.upgrade4j.tunnel.StreamRelayTest.randomBytes;
import static io.github.upgrade4j.tunnel.StreamRelayTest.readFully;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamRelay#stats()}'s counters, with the same rules as {@link RelayStatsCountersTest}: every
 * opened tunnel, every refusal by its reason (the executor's rejection included), every end once by its
 * reason, and byte totals that are exactly the sums of the outcomes' counts.
 */
class StreamRelayStatsCountersTest {
    private StreamRelay relay;

    @AfterEach
    void closeRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void startsWithEveryReasonAtZeroAndAnIdleTunnelBorrowsNoBuffer() throws IOException {
        relay = StreamRelay.start(EXECUTOR);
        long budget = relay.options().bufferBudgetBytes();
        assertEquals(new RelayStats(0, 0, 0, budget, 0, 0, Map.of(), Map.of(), 0, 0, 0, 0), relay.stats());
        assertEquals(List.of(RefusalReason.values()), List.copyOf(relay.stats().refusedByReason().keySet()));
        assertEquals(List.of(CloseReason.values()), List.copyOf(relay.stats().endedByReason().keySet()));

        try (Pair pair = Pair.open()) {
            Tunnel tunnel = pair.openOn(relay);
            RelayStats stats = relay.stats();
            assertEquals(1, stats.activeTunnels());
            assertEquals(0, stats.buffersBorrowed(), "an idle tunnel reads into its small arrays only");
            assertEquals(0, stats.pooledBytes());
            assertEquals(1, stats.tunnelsOpened());
            assertEquals(0, stats.tunnelsEnded());
            tunnel.close();
            outcome(tunnel);
        }
    }

    @Test
    void countsRefusalsAtTheLimitAndOfAClosedRelayUnderTheirReasons() throws IOException {
        relay = StreamRelay.start(EXECUTOR, RelayOptions.builder().maxTunnels(1).build());
        try (Pair first = Pair.open(); Pair second = Pair.open()) {
            Tunnel tunnel = first.openOn(relay);
            assertEquals(RefusalReason.TUNNEL_LIMIT, refusal(second).reason());
            relay.close();
            assertEquals(CloseReason.SHUTDOWN, outcome(tunnel).reason());
            assertEquals(RefusalReason.SHUT_DOWN, refusal(second).reason());

            RelayStats stats = relay.stats();
            assertEquals(1, stats.tunnelsOpened());
            assertEquals(1, stats.refused(RefusalReason.TUNNEL_LIMIT));
            assertEquals(1, stats.refused(RefusalReason.SHUT_DOWN));
            assertEquals(0, stats.refused(RefusalReason.BUFFER_BUDGET));
            assertEquals(1, stats.ended(CloseReason.SHUTDOWN));
            assertEquals(1, stats.tunnelsEnded());
            assertTrue(relay.toString().contains("opened=1, refused=2"), relay::toString);
        }
    }

    @Test
    void countsAnExecutorThatRejectsTheFirstTaskAsAShutDownRefusalAndOneThatRejectsTheSecondAsAnIoErrorEnd()
            throws IOException {
        try (StreamRelay rejecting = StreamRelay.start(task -> {
            throw new RejectedExecutionException("pool shut down");
        }); Pair pair = Pair.open()) {
            assertEquals(RefusalReason.SHUT_DOWN, assertInstanceOf(Opening.Refused.class,
                    rejecting.open(StreamEndpoint.of(pair.proxyClient), StreamEndpoint.of(pair.proxyUpstream))).reason());
            RelayStats stats = rejecting.stats();
            assertEquals(1, stats.refused(RefusalReason.SHUT_DOWN));
            assertEquals(0, stats.tunnelsOpened());
        }

        AtomicInteger accepted = new AtomicInteger();
        try (StreamRelay halfRejecting = StreamRelay.start(task -> {
            if (accepted.incrementAndGet() > 1) {
                throw new RejectedExecutionException("pool full");
            }
            EXECUTOR.execute(task);
        }); Pair pair = Pair.open()) {
            Tunnel tunnel = opened(halfRejecting.open(StreamEndpoint.of(pair.proxyClient),
                    StreamEndpoint.of(pair.proxyUpstream)));
            assertEquals(CloseReason.IO_ERROR, outcome(tunnel).reason());
            RelayStats stats = halfRejecting.stats();
            assertEquals(1, stats.tunnelsOpened());
            assertEquals(1, stats.ended(CloseReason.IO_ERROR));
            assertEquals(1, stats.tunnelsEnded());
            assertEquals(0, stats.tunnelsRefused());
        }
    }

    @Test
    void countsEndsByFinResetCallerAndRelayCloseUnderTheirReasonsWithExactlyTheOutcomesBytes() throws IOException {
        relay = StreamRelay.start(EXECUTOR);
        List<TunnelOutcome> outcomes = new ArrayList<>();
        try (Pair fin = Pair.open(); Pair reset = Pair.open(); Pair caller = Pair.open(); Pair closed = Pair.open()) {
            Tunnel byFin = fin.openOn(relay);
            Tunnel byReset = reset.openOn(relay);
            Tunnel byCaller = caller.openOn(relay);
            Tunnel byClose = closed.openOn(relay);

            fin.client.getOutputStream().write(randomBytes(3000, 1));
            readFully(fin.upstream, 3000);
            fin.upstream.getOutputStream().write(randomBytes(700, 2));
            readFully(fin.client, 700);
            fin.upstream.shutdownOutput();
            assertEof(fin.client);
            fin.client.shutdownOutput();
            assertEof(fin.upstream);
            outcomes.add(outcome(byFin));

            reset.upstream.getOutputStream().write(randomBytes(1000, 3));
            readFully(reset.client, 1000);
            reset.client.setSoLinger(true, 0);
            reset.client.close();
            assertReset(reset.upstream);
            outcomes.add(outcome(byReset));

            caller.client.getOutputStream().write(ascii("hello"));
            readFully(caller.upstream, 5);
            byCaller.close();
            outcomes.add(outcome(byCaller));

            closed.upstream.getOutputStream().write(ascii("bye"));
            readFully(closed.client, 3);
            relay.close();
            outcomes.add(outcome(byClose));
        }

        assertEquals(List.of(CloseReason.UPSTREAM_FIN_FIRST, CloseReason.CLIENT_RESET, CloseReason.CLOSED_BY_CALLER,
                CloseReason.SHUTDOWN), outcomes.stream().map(TunnelOutcome::reason).toList());
        RelayStats stats = relay.stats();
        RelayStatsCountersTest.assertCountsMatchOutcomes(stats, outcomes);
        assertEquals(3000 + 5, stats.bytesClientToUpstream(), "every byte the peers read was counted");
        assertEquals(700 + 1000 + 3, stats.bytesUpstreamToClient(), "every byte the peers read was counted");
        assertEquals(0, stats.clientTlsFinsWithoutCloseNotify() + stats.upstreamTlsFinsWithoutCloseNotify());
    }

    @Test
    void countsAnIdleTimeoutUnderItsReason() throws IOException {
        relay = StreamRelay.start(EXECUTOR, RelayOptions.builder().idleTimeout(Duration.ofMillis(300))
                .sendStallTimeout(Duration.ZERO).halfClosedTimeout(Duration.ZERO).build());
        try (Pair pair = Pair.open()) {
            Tunnel tunnel = pair.openOn(relay);
            pair.client.getOutputStream().write(ascii("hi"));
            readFully(pair.upstream, 2);

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.IDLE_TIMEOUT, outcome.reason());
            RelayStats stats = relay.stats();
            assertEquals(1, stats.ended(CloseReason.IDLE_TIMEOUT));
            assertEquals(1, stats.tunnelsEnded());
            assertEquals(2, stats.bytesClientToUpstream());
        }
    }

    @Test
    void countsTwoHundredTunnelsOpenedRefusedAndEndedFromFourThreadsExactly() {
        relay = StreamRelay.start(EXECUTOR, RelayOptions.builder().maxTunnels(3).build()); // four threads: some refusals
        int threads = 4;
        int perThread = 50;
        LongAdder refusals = new LongAdder();
        ConcurrentLinkedQueue<TunnelOutcome> outcomes = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            workers.add(async(() -> {
                for (int i = 0; i < perThread; i++) {
                    int n = thread * perThread + i;
                    try (Pair pair = Pair.open()) {
                        Tunnel tunnel = null;
                        while (tunnel == null) {
                            Opening opening = relay.open(StreamEndpoint.of(pair.proxyClient),
                                    StreamEndpoint.of(pair.proxyUpstream));
                            if (opening instanceof Opening.Opened opened) {
                                tunnel = opened.tunnel();
                            } else {
                                assertEquals(RefusalReason.TUNNEL_LIMIT, ((Opening.Refused) opening).reason());
                                refusals.increment();
                                Thread.yield(); // retry until a tunnel of another thread ended
                            }
                        }
                        outcomes.add(RelayStatsCountersTest.exchangeAndEnd(tunnel, pair.client, pair.upstream, n));
                    }
                }
                return null;
            }));
        }
        workers.forEach(StreamRelayTest::await);

        RelayStatsCountersTest.assertTotalsOfExchanges(relay.stats(), threads * perThread, refusals.sum(), outcomes);
    }

    private Opening.Refused refusal(Pair pair) {
        return assertInstanceOf(Opening.Refused.class,
                relay.open(StreamEndpoint.of(pair.proxyClient), StreamEndpoint.of(pair.proxyUpstream)));
    }
}
