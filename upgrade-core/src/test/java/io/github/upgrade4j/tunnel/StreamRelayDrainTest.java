package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.Loopback.assertEof;
import static io.github.upgrade4j.tunnel.Loopback.await;
import static io.github.upgrade4j.tunnel.Loopback.awaitSteady;
import static io.github.upgrade4j.tunnel.Loopback.awaitTrue;
import static io.github.upgrade4j.tunnel.Loopback.opened;
import static io.github.upgrade4j.tunnel.Loopback.outcome;
import static io.github.upgrade4j.tunnel.Loopback.randomBytes;
import static io.github.upgrade4j.tunnel.Loopback.readFully;
import static io.github.upgrade4j.tunnel.Loopback.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.tunnel.StreamRelayTest.Pair;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stream relay's drain, and its memory: small read arrays for the tunnel's life, big buffers only
 * while bytes keep arriving, and a budget checked against the tunnel limit when the relay starts.
 */
class StreamRelayDrainTest {
    private StreamRelay relay;

    @AfterEach
    void closeRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void drainsByRefusingNewTunnelsLettingRunningOnesFinishThenClosingTheRestWithAWebSocketClose1001()
            throws IOException {
        relay = StreamRelay.start(StreamRelayTest.EXECUTOR,
                RelayOptions.builder().closeHook(CloseHook.webSocketGoingAway()).build());
        Duration grace = Duration.ofMillis(400);
        try (Pair finishing = Pair.open(); Pair lingering = Pair.open(); Pair late = Pair.open()) {
            Tunnel finishes = finishing.openOn(relay);
            Tunnel lingers = lingering.openOn(relay);
            write(lingering.client, new byte[] {1, 2, 3});
            readFully(lingering.upstream, 3);
            long drainStarted = System.nanoTime();
            CompletableFuture<Void> drained = relay.drain(grace);

            Opening refused = relay.open(StreamEndpoint.of(late.proxyClient), StreamEndpoint.of(late.proxyUpstream));
            assertEquals(RefusalReason.SHUT_DOWN, assertInstanceOf(Opening.Refused.class, refused).reason());
            assertTrue(!late.proxyClient.isClosed() && !late.proxyUpstream.isClosed(),
                    "refused endpoints stay the caller's");
            write(finishing.client, new byte[] {9}); // still relayed during the grace period
            assertArrayEquals(new byte[] {9}, readFully(finishing.upstream, 1));
            finishing.client.shutdownOutput();
            assertEof(finishing.upstream); // the client's FIN was passed on before the upstream sends its own
            finishing.upstream.shutdownOutput();
            assertEquals(CloseReason.CLIENT_FIN_FIRST, outcome(finishes).reason());

            // The lingering tunnel: a Close 1001 each way after the grace period.
            Loopback.assertGoingAwayThenEof(lingering.client, lingering.upstream);
            assertEquals(CloseReason.SHUTDOWN, outcome(lingers).reason());
            assertTrue(System.nanoTime() - drainStarted >= grace.toNanos(), "closed before the grace period ended");

            await(drained);
            assertEquals(0, relay.stats().activeTunnels());
            assertEquals(1, relay.stats().ended(CloseReason.SHUTDOWN));
        }
    }

    @Test
    void aDrainWithoutTimeoutsOrTunnelsCompletesAtOnceAndASecondCallReturnsTheSameCompletion() {
        relay = StreamRelay.start(StreamRelayTest.EXECUTOR, RelayOptions.builder().idleTimeout(Duration.ZERO)
                .sendStallTimeout(Duration.ZERO).halfClosedTimeout(Duration.ZERO).build());

        assertEquals(null, await(relay.drain(Duration.ofHours(1))));
        assertEquals(null, await(relay.drain(Duration.ZERO)));
        assertThrows(IllegalArgumentException.class, () -> relay.drain(Duration.ofSeconds(-1)));
    }

    @Test
    void aZeroGraceClosesAnIdleTunnelAtOnceWhenNoTimeoutRunsTheSweeper() throws IOException {
        relay = StreamRelay.start(StreamRelayTest.EXECUTOR, RelayOptions.builder().idleTimeout(Duration.ZERO)
                .sendStallTimeout(Duration.ZERO).halfClosedTimeout(Duration.ZERO).build());
        try (Pair pair = Pair.open()) {
            Tunnel tunnel = pair.openOn(relay);

            CompletableFuture<Void> drained = relay.drain(Duration.ZERO);

            assertEquals(CloseReason.SHUTDOWN, outcome(tunnel).reason());
            assertEof(pair.client);
            await(drained);
        }
    }

    @Test
    void aClosingWriteThatCannotFinishIsCutShortByTheClose() throws IOException {
        // The upstream reads nothing and its kernel buffers are small: the toward-upstream pump blocks
        // in a write, so the drain cannot add its bytes there, and the tunnel still closes.
        relay = StreamRelay.start(StreamRelayTest.EXECUTOR,
                RelayOptions.builder().closeHook(CloseHook.webSocketGoingAway()).build());
        try (Pair pair = Pair.open(4096)) {
            Tunnel tunnel = pair.openOn(relay);
            CompletableFuture<Void> flooding = Loopback.async(() -> {
                try {
                    pair.client.getOutputStream().write(new byte[8 << 20]);
                } catch (IOException expected) {
                    // the tunnel closes under the writer
                }
                return null;
            });
            awaitSteady("the toward-upstream write to block", () -> tunnel.bytesClientToUpstream() > 0
                    && relay.stats().activeTunnels() == 1);

            relay.drain(Duration.ZERO);

            assertEquals(CloseReason.SHUTDOWN, outcome(tunnel).reason());
            await(flooding);
        }
    }

    @Test
    void startRefusesABudgetThatCannotHoldTheTunnelLimitAndSaysWhatItNeeds() {
        RelayOptions options = RelayOptions.builder().bufferSize(1024).bufferBudgetBytes(3 * 1024).maxTunnels(10)
                .build();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StreamRelay.start(StreamRelayTest.EXECUTOR, options));
        assertEquals("expected bufferBudgetBytes >= 43008 for a StreamRelay (the two 2 KiB read arrays of each of"
                + " maxTunnels = 10 tunnels, and two buffers of 1024 bytes) but was 3072: raise the budget or lower"
                + " maxTunnels", e.getMessage());
    }

    @Test
    void theStandardOptionsFitTheirWholeTunnelLimitAndOpensGoPastFiveHundredAndTwelve() throws IOException {
        StreamRelay.start(StreamRelayTest.EXECUTOR).close(); // 10,000 tunnels' arrays fit the standard budget
        relay = StreamRelay.start(StreamRelayTest.EXECUTOR, RelayOptions.builder().maxTunnels(520).build());
        List<Pair> pairs = new ArrayList<>();
        try {
            for (int i = 0; i < 520; i++) {
                Pair pair = Pair.open();
                pairs.add(pair);
                opened(relay.open(StreamEndpoint.of(pair.proxyClient), StreamEndpoint.of(pair.proxyUpstream)));
            }
            assertEquals(520, relay.stats().activeTunnels());
            Pair last = pairs.get(519);
            write(last.client, new byte[] {7});
            assertArrayEquals(new byte[] {7}, readFully(last.upstream, 1));
        } finally {
            relay.close();
            pairs.forEach(Pair::close);
        }
        awaitTrue("every tunnel to end", () -> relay.stats().tunnelsEnded() == 520);
    }

    @Test
    void aBurstBorrowsABigBufferAndAnIdleTunnelHoldsNoneAfterIt() throws IOException {
        relay = StreamRelay.start(StreamRelayTest.EXECUTOR);
        byte[] burst = randomBytes(4 << 20, 3);
        try (Pair pair = Pair.open()) {
            Tunnel tunnel = pair.openOn(relay);
            CompletableFuture<Void> writing = Loopback.async(() -> {
                pair.client.getOutputStream().write(burst);
                return null;
            });

            assertArrayEquals(burst, readFully(pair.upstream, burst.length));
            await(writing);
            awaitTrue("the counter", () -> tunnel.bytesClientToUpstream() == burst.length);
            RelayStats stats = relay.stats();
            assertEquals(0, stats.buffersBorrowed(), stats::toString);
            assertTrue(stats.pooledBytes() >= 64 * 1024, () -> "a burst borrowed a big buffer: " + stats);
            write(pair.upstream, new byte[] {1, 2});
            assertArrayEquals(new byte[] {1, 2}, readFully(pair.client, 2));
            tunnel.close();
            outcome(tunnel);
        }
    }
}
