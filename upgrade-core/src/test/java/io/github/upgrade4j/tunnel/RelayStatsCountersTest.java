package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.Loopback.assertEof;
import static io.github.upgrade4j.tunnel.Loopback.async;
import static io.github.upgrade4j.tunnel.Loopback.await;
import static io.github.upgrade4j.tunnel.Loopback.awaitTrue;
import static io.github.upgrade4j.tunnel.Loopback.opened;
import static io.github.upgrade4j.tunnel.Loopback.outcome;
import static io.github.upgrade4j.tunnel.Loopback.randomBytes;
import static io.github.upgrade4j.tunnel.Loopback.readFully;
import static io.github.upgrade4j.tunnel.Loopback.sha256;
import static io.github.upgrade4j.tunnel.Loopback.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link TunnelRelay#stats()}'s counters since the relay started: every opened tunnel, every refusal
 * by its reason, every end by its reason exactly once whatever ended it, and byte totals that are
 * exactly the sums of the outcomes' counts. Each test waits on outcomes, never on time.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.github.upgrade4j.tunnel.RelayPaths#tested")
class RelayStatsCountersTest {
    @Parameter
    RelayPath path;

    private TunnelRelay relay;

    @AfterEach
    void closeRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void startsWithEveryReasonAtZeroInDeclarationOrderSoEverySeriesCanBeExported() {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).build());
        RelayStats stats = relay.stats();

        assertEquals(List.of(RefusalReason.values()), List.copyOf(stats.refusedByReason().keySet()));
        assertEquals(List.of(CloseReason.values()), List.copyOf(stats.endedByReason().keySet()));
        for (RefusalReason reason : RefusalReason.values()) {
            assertEquals(0, stats.refused(reason), reason.name());
        }
        for (CloseReason reason : CloseReason.values()) {
            assertEquals(0, stats.ended(reason), reason.name());
        }
        assertEquals(new RelayStats(0, 0, 0, relay.options().bufferBudgetBytes(), 0, 0, Map.of(), Map.of(), 0, 0, 0, 0),
                stats);
        assertEquals(0, stats.tunnelsRefused());
        assertEquals(0, stats.tunnelsEnded());
    }

    @Test
    void countsEachOpenedTunnelAndEachRefusalAtTheTunnelLimitUnderThatReason() throws IOException {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).maxTunnels(2).build());
        try (Loopback a = Loopback.open(); Loopback b = Loopback.open(); Loopback c = Loopback.open()) {
            Tunnel first = a.openOn(relay);
            b.openOn(relay);
            for (int i = 0; i < 2; i++) {
                Opening opening = relay.open(c.clientEndpoint(), c.upstreamEndpoint());
                assertEquals(RefusalReason.TUNNEL_LIMIT, assertInstanceOf(Opening.Refused.class, opening).reason());
            }

            RelayStats stats = relay.stats();
            assertEquals(2, stats.tunnelsOpened());
            assertEquals(2, stats.refused(RefusalReason.TUNNEL_LIMIT));
            assertEquals(0, stats.refused(RefusalReason.BUFFER_BUDGET));
            assertEquals(0, stats.refused(RefusalReason.SHUT_DOWN));
            assertEquals(2, stats.tunnelsRefused());
            assertEquals(2, stats.activeTunnels());
            assertEquals(0, stats.tunnelsEnded(), "running tunnels have not ended");

            first.close();
            assertEquals(CloseReason.CLOSED_BY_CALLER, outcome(first).reason());
            c.openOn(relay); // the refused channels were still the caller's
            stats = relay.stats();
            assertEquals(3, stats.tunnelsOpened());
            assertEquals(2, stats.tunnelsRefused());
            assertEquals(1, stats.ended(CloseReason.CLOSED_BY_CALLER));
            assertEquals(2, stats.activeTunnels());
            assertTrue(relay.toString().contains("opened=3, refused=2"), relay::toString);
        }
    }

    @Test
    void countsARefusalForTheBufferBudgetAndEachRefusalOfADrainingOrClosedRelayAsShutDown() throws IOException {
        int bufferSize = RelayOptions.standard().bufferSize();
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).bufferBudgetBytes(2L * bufferSize).build());
        try (Loopback pair = Loopback.open()) {
            // A TLS leg needs a third buffer for its records: more than this budget can ever hold.
            Opening tls = relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()), pair.upstreamEndpoint());
            assertEquals(RefusalReason.BUFFER_BUDGET, assertInstanceOf(Opening.Refused.class, tls).reason());
            await(relay.drain(Duration.ZERO));
            Opening draining = relay.open(pair.clientEndpoint(), pair.upstreamEndpoint());
            assertEquals(RefusalReason.SHUT_DOWN, assertInstanceOf(Opening.Refused.class, draining).reason());
            relay.close();
            Opening closed = relay.open(pair.clientEndpoint(), pair.upstreamEndpoint());
            assertEquals(RefusalReason.SHUT_DOWN, assertInstanceOf(Opening.Refused.class, closed).reason());

            RelayStats stats = relay.stats();
            assertEquals(1, stats.refused(RefusalReason.BUFFER_BUDGET));
            assertEquals(2, stats.refused(RefusalReason.SHUT_DOWN));
            assertEquals(0, stats.refused(RefusalReason.TUNNEL_LIMIT));
            assertEquals(0, stats.tunnelsOpened(), "a refusal is not an opened tunnel");
            assertEquals(0, stats.tunnelsEnded());
            assertEquals(0, stats.activeTunnels());
        }
    }

    @Test
    void countsEndsByFinResetCallerAndDrainUnderTheirReasonsWithExactlyTheOutcomesBytes() throws IOException {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).build());
        List<TunnelOutcome> outcomes = new ArrayList<>();
        try (Loopback fin = Loopback.open(); Loopback reset = Loopback.open(); Loopback caller = Loopback.open();
                Loopback drained = Loopback.open()) {
            Tunnel byFin = fin.openOn(relay);
            Tunnel byReset = reset.openOn(relay);
            Tunnel byCaller = caller.openOn(relay);
            Tunnel byDrain = drained.openOn(relay);

            write(fin.client, randomBytes(3000, 1));
            readFully(fin.upstream, 3000);
            write(fin.upstream, randomBytes(700, 2));
            readFully(fin.client, 700);
            fin.client.shutdownOutput();
            assertEof(fin.upstream);
            fin.upstream.shutdownOutput();
            assertEof(fin.client);
            outcomes.add(outcome(byFin));

            write(reset.client, randomBytes(1000, 3));
            readFully(reset.upstream, 1000);
            reset.upstream.setSoLinger(true, 0);
            reset.upstream.close();
            outcomes.add(outcome(byReset));

            write(caller.upstream, randomBytes(50, 4));
            readFully(caller.client, 50);
            byCaller.close();
            outcomes.add(outcome(byCaller));

            write(drained.client, randomBytes(5, 5));
            readFully(drained.upstream, 5);
            await(relay.drain(Duration.ZERO));
            outcomes.add(outcome(byDrain));
        }

        assertEquals(List.of(CloseReason.CLIENT_FIN_FIRST, CloseReason.UPSTREAM_RESET, CloseReason.CLOSED_BY_CALLER,
                CloseReason.SHUTDOWN), outcomes.stream().map(TunnelOutcome::reason).toList());
        RelayStats stats = relay.stats();
        assertCountsMatchOutcomes(stats, outcomes);
        assertEquals(3000 + 1000 + 5, stats.bytesClientToUpstream(), "every byte the peers read was counted");
        assertEquals(700 + 50, stats.bytesUpstreamToClient(), "every byte the peers read was counted");
        assertEquals(0, stats.clientTlsFinsWithoutCloseNotify() + stats.upstreamTlsFinsWithoutCloseNotify());
    }

    @Test
    void countsAnIdleTimeoutUnderItsReasonWithTheBytesMovedBeforeTheSilence() throws IOException {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).idleTimeout(Duration.ofMillis(300)).build());
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            write(pair.client, randomBytes(10, 6));
            readFully(pair.upstream, 10);
            TunnelOutcome outcome = outcome(tunnel);

            assertEquals(CloseReason.IDLE_TIMEOUT, outcome.reason());
            RelayStats stats = relay.stats();
            assertEquals(1, stats.ended(CloseReason.IDLE_TIMEOUT));
            assertEquals(1, stats.tunnelsEnded());
            assertEquals(10, stats.bytesClientToUpstream());
            assertEquals(0, stats.bytesUpstreamToClient());
        }
    }

    @Test
    void countsTheTunnelsThatClosingTheRelayEndsAsShutdownAndKeepsTheCountersAfterward() throws IOException {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).build());
        try (Loopback a = Loopback.open(); Loopback b = Loopback.open()) {
            Tunnel first = a.openOn(relay);
            Tunnel second = b.openOn(relay);
            write(a.client, randomBytes(64, 7));
            readFully(a.upstream, 64);
            relay.close();

            assertEquals(CloseReason.SHUTDOWN, outcome(first).reason());
            assertEquals(CloseReason.SHUTDOWN, outcome(second).reason());
            RelayStats stats = relay.stats();
            assertEquals(2, stats.tunnelsOpened());
            assertEquals(2, stats.ended(CloseReason.SHUTDOWN));
            assertEquals(2, stats.tunnelsEnded());
            assertEquals(64, stats.bytesClientToUpstream());
            assertEquals(0, stats.activeTunnels());
        }
    }

    @Test
    void countsAFailedTlsHandshakeAsAnIoError() throws IOException {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).build());
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            write(pair.client, "GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII)); // not TLS

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.IO_ERROR, outcome.reason(), outcome::toString);
            RelayStats stats = relay.stats();
            assertEquals(1, stats.ended(CloseReason.IO_ERROR));
            assertEquals(1, stats.tunnelsEnded());
            assertEquals(0, stats.bytesClientToUpstream());
        }
    }

    @Test
    void countsATlsClientsFinWithoutCloseNotifyAcceptedAsItsEndOnTheClientSideOnly() throws IOException {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).tlsFinWithoutCloseNotifyAsEnd(true).build());
        byte[] upload = randomBytes(20_000, 8);
        try (Loopback pair = Loopback.open()) {
            SSLSocket client = TlsFixture.clientOver(pair.client);
            Tunnel tunnel = opened(relay.open(Endpoint.tls(pair.proxyClient, TlsFixture.serverEngine()),
                    pair.upstreamEndpoint()));
            CompletableFuture<Void> sent = async(() -> {
                client.getOutputStream().write(upload);
                pair.client.shutdownOutput(); // the TCP socket under the TLS one: a FIN, no close_notify
                return null;
            });
            assertEquals(sha256(upload), sha256(readFully(pair.upstream, upload.length)));
            assertEof(pair.upstream);
            await(sent);
            pair.upstream.shutdownOutput();
            assertEquals(-1, client.getInputStream().read(), "the upstream's FIN arrives as a close_notify");

            TunnelOutcome outcome = outcome(tunnel);
            assertTrue(outcome.clientTlsFinWithoutCloseNotify(), outcome::toString);
            RelayStats stats = relay.stats();
            assertEquals(1, stats.clientTlsFinsWithoutCloseNotify());
            assertEquals(0, stats.upstreamTlsFinsWithoutCloseNotify());
            assertEquals(1, stats.ended(CloseReason.CLIENT_FIN_FIRST));
            assertEquals(upload.length, stats.bytesClientToUpstream());
        }
    }

    @Test
    void aSnapshotIsUnmodifiableAndDoesNotMoveWithTheRelay() throws IOException {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).build());
        RelayStats before = relay.stats();
        assertThrows(UnsupportedOperationException.class,
                () -> before.refusedByReason().put(RefusalReason.TUNNEL_LIMIT, 1L));
        assertThrows(UnsupportedOperationException.class, () -> before.endedByReason().clear());
        assertThrows(UnsupportedOperationException.class,
                () -> before.endedByReason().entrySet().iterator().next().setValue(5L));

        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            tunnel.close();
            outcome(tunnel);
        }
        assertEquals(0, before.tunnelsOpened());
        assertEquals(0, before.ended(CloseReason.CLOSED_BY_CALLER));
        assertEquals(1, relay.stats().tunnelsOpened());
        assertEquals(1, relay.stats().ended(CloseReason.CLOSED_BY_CALLER));
    }

    @Test
    void countsTwoHundredTunnelsOpenedRefusedAndEndedFromFourThreadsExactly() {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).maxTunnels(3).build()); // four threads: some refusals
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
                    try (Loopback pair = Loopback.open()) {
                        Tunnel tunnel = null;
                        while (tunnel == null) {
                            Opening opening = relay.open(pair.clientEndpoint(), pair.upstreamEndpoint());
                            if (opening instanceof Opening.Opened opened) {
                                tunnel = opened.tunnel();
                            } else {
                                assertEquals(RefusalReason.TUNNEL_LIMIT, ((Opening.Refused) opening).reason());
                                refusals.increment();
                                Thread.yield(); // retry until a tunnel of another thread ended
                            }
                        }
                        outcomes.add(exchangeAndEnd(tunnel, pair.client, pair.upstream, n));
                    }
                }
                return null;
            }));
        }
        workers.forEach(Loopback::await);

        assertTotalsOfExchanges(relay.stats(), threads * perThread, refusals.sum(), outcomes);
    }

    @Test
    void countsEveryTunnelOpenedWhileTheRelayClosesOnceAsOpenedAndOnceAsEnded() {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).build());
        ConcurrentLinkedQueue<Loopback> pairs = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Tunnel> tunnels = new ConcurrentLinkedQueue<>();
        LongAdder refusals = new LongAdder();
        AtomicBoolean go = new AtomicBoolean();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        try {
            for (int t = 0; t < 4; t++) {
                workers.add(async(() -> {
                    for (int i = 0; i < 40; i++) {
                        Loopback pair = Loopback.open();
                        pairs.add(pair);
                        Opening opening = relay.open(pair.clientEndpoint(), pair.upstreamEndpoint());
                        if (opening instanceof Opening.Opened opened) {
                            tunnels.add(opened.tunnel());
                            go.set(true);
                        } else {
                            assertEquals(RefusalReason.SHUT_DOWN, ((Opening.Refused) opening).reason());
                            refusals.increment();
                            return null;
                        }
                    }
                    return null;
                }));
            }
            awaitTrue("a first tunnel", go::get);
            relay.close(); // while the workers open more
            workers.forEach(Loopback::await);
            for (Tunnel tunnel : tunnels) {
                assertEquals(CloseReason.SHUTDOWN, outcome(tunnel).reason());
            }

            RelayStats stats = relay.stats();
            assertEquals(tunnels.size(), stats.tunnelsOpened());
            assertEquals(tunnels.size(), stats.ended(CloseReason.SHUTDOWN));
            assertEquals(tunnels.size(), stats.tunnelsEnded());
            assertEquals(refusals.sum(), stats.refused(RefusalReason.SHUT_DOWN));
            assertEquals(refusals.sum(), stats.tunnelsRefused());
            assertEquals(0, stats.activeTunnels());
            assertFalse(tunnels.isEmpty());
        } finally {
            pairs.forEach(Loopback::close);
        }
    }

    @Test
    void theStatsConstructorCopiesItsMapsFillsInZerosAndRejectsNegativeCounts() {
        Map<RefusalReason, Long> refusals = new EnumMap<>(RefusalReason.class);
        refusals.put(RefusalReason.TUNNEL_LIMIT, 2L);
        Map<CloseReason, Long> ends = new java.util.HashMap<>();
        ends.put(CloseReason.IDLE_TIMEOUT, 3L);
        RelayStats stats = new RelayStats(1, 2, 0, 1024, 6, 0, refusals, ends, 10, 20, 0, 0);
        refusals.put(RefusalReason.TUNNEL_LIMIT, 99L);
        ends.clear();

        assertEquals(2, stats.refused(RefusalReason.TUNNEL_LIMIT));
        assertEquals(0, stats.refused(RefusalReason.SHUT_DOWN));
        assertEquals(3, stats.ended(CloseReason.IDLE_TIMEOUT));
        assertEquals(List.of(CloseReason.values()), List.copyOf(stats.endedByReason().keySet()));
        assertEquals(2, stats.tunnelsRefused());
        assertEquals(3, stats.tunnelsEnded());
        assertEquals(stats, new RelayStats(1, 2, 0, 1024, 6, 0, Map.of(RefusalReason.TUNNEL_LIMIT, 2L),
                Map.of(CloseReason.IDLE_TIMEOUT, 3L, CloseReason.SHUTDOWN, 0L), 10, 20, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RelayStats(0, 0, 0, 0, 0, 0,
                Map.of(RefusalReason.SHUT_DOWN, -1L), Map.of(), 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RelayStats(0, 0, 0, 0, -1, 0, Map.of(), Map.of(), 0, 0, 0, 0));
        assertThrows(NullPointerException.class, () -> new RelayStats(0, 0, 0, 0, 0, 0, Map.of(), null, 0, 0, 0, 0));
    }

    /**
     * Moves {@code 1 + n % 97} bytes up and {@code n % 13} down through {@code tunnel}, of either kind,
     * then ends it by {@code close()} (even {@code n}) or by a FIN each way (odd {@code n}); its outcome.
     */
    static TunnelOutcome exchangeAndEnd(Tunnel tunnel, Socket client, Socket upstream, int n) throws Exception {
        client.getOutputStream().write(new byte[1 + n % 97]);
        readFully(upstream, 1 + n % 97);
        upstream.getOutputStream().write(new byte[n % 13]);
        readFully(client, n % 13);
        if (n % 2 == 0) {
            tunnel.close();
        } else {
            client.shutdownOutput();
            assertEof(upstream);
            upstream.shutdownOutput();
            assertEof(client);
        }
        return tunnel.outcome().toCompletableFuture().get(Loopback.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** The counts after tunnels {@code 0} to {@code total - 1} went through {@link #exchangeAndEnd}, with {@code refusals} on the way. */
    static void assertTotalsOfExchanges(RelayStats stats, int total, long refusals, Collection<TunnelOutcome> outcomes) {
        assertEquals(total, outcomes.size());
        assertCountsMatchOutcomes(stats, outcomes);
        assertEquals(refusals, stats.refused(RefusalReason.TUNNEL_LIMIT));
        assertEquals(refusals, stats.tunnelsRefused());
        assertEquals(total / 2, stats.ended(CloseReason.CLOSED_BY_CALLER));
        assertEquals(total / 2, stats.ended(CloseReason.CLIENT_FIN_FIRST));
        long expectedToUpstream = 0;
        long expectedToClient = 0;
        for (int n = 0; n < total; n++) {
            expectedToUpstream += 1 + n % 97;
            expectedToClient += n % 13;
        }
        assertEquals(expectedToUpstream, stats.bytesClientToUpstream());
        assertEquals(expectedToClient, stats.bytesUpstreamToClient());
    }

    /** Every tunnel of {@code outcomes} opened and ended, each end under its reason, the bytes their sums. */
    static void assertCountsMatchOutcomes(RelayStats stats, Collection<TunnelOutcome> outcomes) {
        assertEquals(outcomes.size(), stats.tunnelsOpened());
        assertEquals(outcomes.size(), stats.tunnelsEnded());
        assertEquals(0, stats.activeTunnels());
        for (CloseReason reason : CloseReason.values()) {
            long expected = outcomes.stream().filter(o -> o.reason() == reason).count();
            assertEquals(expected, stats.ended(reason), reason.name());
        }
        assertEquals(outcomes.stream().mapToLong(TunnelOutcome::bytesClientToUpstream).sum(),
                stats.bytesClientToUpstream());
        assertEquals(outcomes.stream().mapToLong(TunnelOutcome::bytesUpstreamToClient).sum(),
                stats.bytesUpstreamToClient());
    }
}
