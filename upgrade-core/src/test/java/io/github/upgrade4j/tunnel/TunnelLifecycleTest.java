package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.Loopback.assertEof;
import static io.github.upgrade4j.tunnel.Loopback.async;
import static io.github.upgrade4j.tunnel.Loopback.await;
import static io.github.upgrade4j.tunnel.Loopback.opened;
import static io.github.upgrade4j.tunnel.Loopback.outcome;
import static io.github.upgrade4j.tunnel.Loopback.randomBytes;
import static io.github.upgrade4j.tunnel.Loopback.readFully;
import static io.github.upgrade4j.tunnel.Loopback.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** Scenarios 28, 30, 32 and 37 of tunnel-anchors.md §B: drain, limit, close reasons, concurrent close. */
@ParameterizedClass(name = "{0}")
@MethodSource("io.github.upgrade4j.tunnel.RelayPaths#tested")
class TunnelLifecycleTest {
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
    void drainsByRefusingNewTunnelsLettingRunningOnesFinishThenClosingTheRestWithAWebSocketClose1001()
            throws IOException {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).closeHook(CloseHook.webSocketGoingAway()).build());
        Duration grace = Duration.ofMillis(400);
        try (Loopback finishing = Loopback.open(); Loopback lingering = Loopback.open();
                Loopback late = Loopback.open()) {
            Tunnel finishes = finishing.openOn(relay);
            Tunnel lingers = lingering.openOn(relay);
            write(lingering.client, new byte[] {1, 2, 3});
            readFully(lingering.upstream, 3);
            long drainStarted = System.nanoTime();
            CompletableFuture<Void> drained = relay.drain(grace);

            Opening refused = relay.open(late.clientEndpoint(), late.upstreamEndpoint());
            assertEquals(RefusalReason.SHUT_DOWN, assertInstanceOf(Opening.Refused.class, refused).reason());
            assertTrue(late.proxyClient.isOpen() && late.proxyUpstream.isOpen(), "refused channels stay the caller's");
            write(finishing.client, new byte[] {9}); // still relayed during the grace period
            assertArrayEquals(new byte[] {9}, readFully(finishing.upstream, 1));
            finishing.client.shutdownOutput();
            assertEof(finishing.upstream); // the client's FIN was passed on before the upstream sends its own
            finishing.upstream.shutdownOutput();
            assertEquals(CloseReason.CLIENT_FIN_FIRST, outcome(finishes).reason());

            // The lingering tunnel: a Close 1001 each way after the grace period.
            Loopback.assertGoingAwayThenEof(lingering.client, lingering.upstream);
            TunnelOutcome outcome = outcome(lingers);
            assertEquals(CloseReason.SHUTDOWN, outcome.reason());
            assertTrue(System.nanoTime() - drainStarted >= grace.toNanos(), "closed before the grace period ended");

            await(drained);
            assertEquals(0, relay.stats().activeTunnels());
            relay.close();
            assertFalse(Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().startsWith("upgrade4j-relay-") && t.isAlive()), "loop threads ended");
        }
    }

    @Test
    void allowsExactlyTheTunnelLimitAndRefusesTheNextBeforeAnyByteSoTheCallerCanAnswer503() throws IOException {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).maxTunnels(3).build());
        List<Loopback> pairs = new ArrayList<>();
        try {
            List<Tunnel> tunnels = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Loopback pair = Loopback.open();
                pairs.add(pair);
                tunnels.add(pair.openOn(relay));
            }
            Loopback fourth = Loopback.open();
            pairs.add(fourth);
            Opening opening = relay.open(Endpoint.of(fourth.proxyClient, ByteBuffer.wrap(new byte[] {7})),
                    fourth.upstreamEndpoint());
            Opening.Refused refused = assertInstanceOf(Opening.Refused.class, opening);
            assertEquals(RefusalReason.TUNNEL_LIMIT, refused.reason());
            assertEquals("expected fewer than 3 running tunnels but 3 are running", refused.detail());
            byte[] answer = "HTTP/1.1 503 Service Unavailable\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            fourth.proxyClient.write(ByteBuffer.wrap(answer));
            assertArrayEquals(answer, readFully(fourth.client, answer.length));

            for (int i = 0; i < 3; i++) { // the 3 admitted tunnels all relay
                write(pairs.get(i).client, new byte[] {(byte) i});
                assertArrayEquals(new byte[] {(byte) i}, readFully(pairs.get(i).upstream, 1));
            }
            assertEquals(3, relay.stats().activeTunnels());
            tunnels.get(0).close();
            outcome(tunnels.get(0));
            Tunnel admitted = opened(relay.open(fourth.clientEndpoint(), fourth.upstreamEndpoint()));
            write(fourth.upstream, new byte[] {8});
            assertArrayEquals(new byte[] {8}, readFully(fourth.client, 1));
            admitted.close();
            outcome(admitted);
        } finally {
            pairs.forEach(Loopback::close);
        }
    }

    @Test
    void closesTunnelsWithShutdownAndRefusesNewOnesOnceClosed() throws IOException {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).build());
        try (Loopback running = Loopback.open(); Loopback late = Loopback.open()) {
            Tunnel tunnel = running.openOn(relay);
            relay.close();

            assertEquals(CloseReason.SHUTDOWN, outcome(tunnel).reason());
            assertEof(running.client);
            assertEof(running.upstream);
            Opening opening = relay.open(late.clientEndpoint(), late.upstreamEndpoint());
            assertEquals(RefusalReason.SHUT_DOWN, assertInstanceOf(Opening.Refused.class, opening).reason());
            assertTrue(late.proxyClient.isOpen());
            assertTrue(await(relay.drain(Duration.ZERO)) == null, "a drain after close is already done");
        }
    }

    @Test
    void namesEveryCloseReasonInOneLineAndRecordsTheDuration() throws IOException {
        for (CloseReason reason : CloseReason.values()) {
            assertFalse(reason.explanation().isBlank(), reason.name());
            assertFalse(reason.explanation().contains("\n"), reason.name());
        }
        assertEquals(EnumSet.of(CloseReason.CLIENT_FIN_FIRST, CloseReason.UPSTREAM_FIN_FIRST),
                EnumSet.copyOf(List.of(CloseReason.values()).stream().filter(CloseReason::isCompletion).toList()));
        for (RefusalReason reason : RefusalReason.values()) {
            assertFalse(reason.explanation().isBlank(), reason.name());
        }
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).build());
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            long before = System.nanoTime();
            tunnel.close();
            tunnel.close(); // idempotent
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLOSED_BY_CALLER, outcome.reason());
            assertTrue(outcome.cause().isEmpty());
            assertTrue(outcome.duration().toNanos() > 0);
            assertTrue(outcome.duration().toNanos() < System.nanoTime() - before + Duration.ofSeconds(5).toNanos());
        }
    }

    @Test
    void survivesTwoThousandClosesFromOtherThreadsDuringIoWithoutLeakingBuffersOrDescriptors() throws IOException {
        long descriptorsBefore = Loopback.openFileDescriptors();
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).bufferSize(16 * 1024).build());
        byte[] upstreamLeftover = randomBytes(48 * 1024, 51);
        byte[] clientBytes = randomBytes(64 * 1024, 52);
        for (int i = 0; i < 2000; i++) {
            try (Loopback pair = Loopback.open()) {
                write(pair.client, clientBytes); // queued in the kernel: the relay reads it at once
                Tunnel tunnel = opened(relay.open(pair.clientEndpoint(),
                        Endpoint.of(pair.proxyUpstream, ByteBuffer.wrap(upstreamLeftover))));
                CompletableFuture<Void> otherThread = null;
                if (i % 2 == 0) {
                    otherThread = async(() -> {
                        tunnel.close();
                        return null;
                    });
                }
                if (i % 3 != 0) {
                    tunnel.close();
                }
                if (otherThread == null && i % 3 == 0) {
                    tunnel.close();
                }
                TunnelOutcome outcome = outcome(tunnel);
                assertEquals(CloseReason.CLOSED_BY_CALLER, outcome.reason(), outcome::toString);
                assertTrue(outcome.bytesClientToUpstream() <= clientBytes.length, outcome::toString);
                assertTrue(outcome.bytesUpstreamToClient() <= upstreamLeftover.length, outcome::toString);
                if (otherThread != null) {
                    await(otherThread);
                }
            }
        }
        RelayStats stats = relay.stats();
        assertEquals(0, stats.activeTunnels());
        assertEquals(0, stats.buffersBorrowed(), "a double return would make this negative");
        assertTrue(stats.pooledBytes() <= stats.budgetBytes());
        relay.close();
        long descriptorsAfter = Loopback.openFileDescriptors();
        assertTrue(descriptorsAfter <= descriptorsBefore + 16,
                "expected no descriptor leak but went from " + descriptorsBefore + " to " + descriptorsAfter);
    }

    @Test
    void refusesChannelsThatAreNotConnectedOrTheSame() throws IOException {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).build());
        try (Loopback pair = Loopback.open(); SocketChannel unconnected = SocketChannel.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> relay.open(Endpoint.of(unconnected), pair.upstreamEndpoint()));
            assertEquals("expected a connected client channel but it was not connected", e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> relay.open(pair.clientEndpoint(), Endpoint.of(pair.proxyClient)));
            assertEquals(0, relay.stats().activeTunnels());
        }
    }
}
