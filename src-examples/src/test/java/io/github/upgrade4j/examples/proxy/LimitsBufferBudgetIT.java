package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.proxy.attacks.Leaks;
import io.github.upgrade4j.examples.proxy.attacks.Legs;
import io.github.upgrade4j.examples.proxy.attacks.LogLines;
import io.github.upgrade4j.examples.proxy.attacks.RawClient;
import io.github.upgrade4j.examples.proxy.attacks.ScriptedUpstream;
import io.github.upgrade4j.examples.proxy.attacks.Leaks;
import io.github.upgrade4j.examples.proxy.attacks.Legs;
import io.github.upgrade4j.examples.proxy.attacks.LogLines;
import io.github.upgrade4j.examples.proxy.attacks.RawClient;
import io.github.upgrade4j.examples.proxy.attacks.ScriptedUpstream;
import io.github.upgrade4j.tunnel.Endpoint;
import io.github.upgrade4j.tunnel.Opening;
import io.github.upgrade4j.tunnel.RelayOptions;
import io.github.upgrade4j.tunnel.RelayStats;
import io.github.upgrade4j.tunnel.TunnelRelay;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The global buffer budget of the example proxy's relay, spent: every tunnel whose reader stalls holds
 * one direct buffer per blocked direction, and when fewer than two buffers are left the proxy answers a
 * new upgrade 503 ({@code BUFFER_BUDGET}) before any 101, instead of letting memory grow; a tunnel that
 * was running goes on with the buffer that is left; once the stalled tunnels end, upgrades get through
 * again and every buffer is back.
 *
 * <p>The proxy's relay gets a budget of {@value #BUDGET_BUFFERS} buffers
 * ({@code ReverseProxy.start(Config, RelayOptions, PrintStream)}), spent for real: the test opens the
 * stalled tunnels on the proxy's own relay ({@code ReverseProxy.relay()}) over socket pairs with 4 KiB
 * kernel buffers, so that a few KiB per direction are enough to block it.
 */
class LimitsBufferBudgetIT {
    private static final int KERNEL_BUFFER = 4096;
    private static final int BUDGET_BUFFERS = 24;
    private final LogLines log = new LogLines();

    @Test
    void whenTheBudgetIsSpentANewUpgradeGets503AndARunningTunnelGoesOn() throws Exception {
        Leaks leaks = Leaks.snapshot();
        List<Legs> stalled = new ArrayList<>();
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.echoing());
                ReverseProxy proxy = ReverseProxy.start(new ReverseProxy.Config(new InetSocketAddress("127.0.0.1", 0),
                        upstream.address(), Duration.ofSeconds(60), 10_000, Duration.ofSeconds(5)),
                        RelayOptions.builder().bufferBudgetBytes(BUDGET_BUFFERS * (long) RelayOptions.standard()
                                .bufferSize()).build(), log.stream());
                Legs.Factory pairs = new Legs.Factory(KERNEL_BUFFER)) {
            TunnelRelay relay = proxy.relay();
            long bufferSize = relay.options().bufferSize();
            int buffers = (int) (relay.options().bufferBudgetBytes() / bufferSize);
            assertEquals(BUDGET_BUFFERS, buffers);
            RawClient running = RawClient.connect(proxy.address());
            running.send(FaultSilentUpstreamIT.WEBSOCKET).readUntil("\r\n\r\n");
            running.send("before").readUntil("before");

            // Spend all but one buffer: both directions of each stalled tunnel block (nobody reads).
            int toSpend = buffers - 1;
            List<SocketChannel> writers = new ArrayList<>();
            for (int i = 0; i < (toSpend + 1) / 2; i++) {
                Legs legs = pairs.open();
                stalled.add(legs);
                assertInstanceOf(Opening.Opened.class, relay.open(Endpoint.of(legs.proxyClient),
                        Endpoint.of(legs.proxyUpstream)));
                writers.add(legs.client);
                if (2 * i + 1 < toSpend) {
                    writers.add(legs.upstream);
                }
            }
            for (SocketChannel writer : writers) {
                writer.configureBlocking(false);
            }
            ByteBuffer chunk = ByteBuffer.allocate(16 * 1024);
            FaultStalledClientIT.awaitSteady("the relay to hold " + toSpend + " buffers", () -> {
                try {
                    for (SocketChannel writer : writers) {
                        while (writer.write(chunk.clear()) > 0) {
                            // fill the kernel buffers until the relay blocks on this direction
                        }
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return relay.stats().buffersBorrowed() == toSpend;
            });

            RawClient.Reply refused = RawClient.exchange(proxy.address(), FaultSilentUpstreamIT.WEBSOCKET
                    + "GET /admin HTTP/1.1\r\nHost: app.example\r\n\r\n");

            assertEquals(503, refused.status(), refused::text);
            assertTrue(refused.text().startsWith("HTTP/1.1 503 "), "the 503 is the first byte: no 101 before it");
            log.awaitLine("-> 503 BUFFER_BUDGET");
            ScriptedUpstream.Peer refusedUpstream = upstream.peer(1).awaitEnd();
            assertTrue(!refusedUpstream.received().contains("/admin"), refusedUpstream::received);
            running.send("-after").readUntil("before-after"); // the one buffer left serves it

            stalled.forEach(Legs::resetOuter);
            FaultStalledClientIT.awaitSteady("the stalled tunnels to end and return their buffers", () -> {
                RelayStats stats = relay.stats();
                return stats.buffersBorrowed() == 0 && stats.activeTunnels() == 1;
            });
            RawClient next = RawClient.connect(proxy.address());
            next.send(FaultSilentUpstreamIT.WEBSOCKET).readUntil("\r\n\r\n");
            assertTrue(next.text().startsWith("HTTP/1.1 101 "), next::text);
            RelayStats stats = relay.stats();
            assertTrue(stats.pooledBytes() + stats.buffersBorrowed() * bufferSize <= stats.budgetBytes(), stats::toString);
            next.close();
            running.close();
        } finally {
            stalled.forEach(Legs::close);
        }
        leaks.assertReleased();
    }
}
