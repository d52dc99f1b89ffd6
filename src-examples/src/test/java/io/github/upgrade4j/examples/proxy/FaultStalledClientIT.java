package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.tunnel.CloseReason;
import io.github.upgrade4j.tunnel.Endpoint;
import io.github.upgrade4j.tunnel.Opening;
import io.github.upgrade4j.tunnel.RelayOptions;
import io.github.upgrade4j.tunnel.RelayStats;
import io.github.upgrade4j.tunnel.Tunnel;
import io.github.upgrade4j.tunnel.TunnelOutcome;
import io.github.upgrade4j.tunnel.TunnelRelay;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading while the upstream streams, through the example proxy on real sockets:
 * the relay holds one buffer for that tunnel and no more, the upstream is throttled by TCP flow
 * control, and the send-stall timeout (not the much longer idle timeout) closes the tunnel and
 * resets the leg that stopped reading.
 *
 * <p>The send-stall timeout (60 s by default) is shortened through
 * {@link ReverseProxy#start(ReverseProxy.Config, RelayOptions, java.io.PrintStream)}, whose base relay
 * settings the proxy keeps apart from the idle timeout, tunnel limit and close hook; it is also shown
 * on a {@link TunnelRelay} directly.
 */
class FaultStalledClientIT {
    private static final int BUFFER = 16 * 1024;
    private final LogLines log = new LogLines();
    private Leaks leaks;

    @BeforeEach
    void snapshot() {
        leaks = Leaks.snapshot();
    }

    @AfterEach
    void nothingLeft() {
        leaks.assertReleased();
    }

    /** An upstream that switches and then streams until the proxy closes on it, counting what it wrote. */
    private static ScriptedUpstream streamingUpstream(AtomicLong written) throws IOException {
        return ScriptedUpstream.start(peer -> {
            RequestHead request = peer.readRequest();
            peer.socket().setSendBufferSize(BUFFER);
            peer.write(ScriptedUpstream.switchingFor(request));
            byte[] chunk = new byte[BUFFER];
            while (true) {
                peer.write(chunk); // throws once the proxy closes this connection
                written.addAndGet(chunk.length);
            }
        });
    }

    private static RawClient slowClient(ReverseProxy proxy) throws IOException {
        RawClient client = RawClient.connect(proxy.address(), BUFFER);
        client.send(FaultSilentUpstreamIT.WEBSOCKET).readUntil("\r\n\r\n");
        return client;
    }

    @Test
    void aClientThatStopsReadingHoldsOneRelayBufferAndThrottlesTheUpstream() throws Exception {
        AtomicLong written = new AtomicLong();
        try (ScriptedUpstream upstream = streamingUpstream(written);
                ReverseProxy proxy = ReverseProxy.start(FaultSilentUpstreamIT.config(upstream.address(),
                        Duration.ofSeconds(60), Duration.ofSeconds(5)), log.stream())) {
            RawClient client = slowClient(proxy);
            long bufferSize = proxy.relay().options().bufferSize();

            // Steady: one buffer held toward the client, and the upstream has stopped getting its bytes out.
            long[] last = {-1};
            awaitSteady("the relay to hold one buffer and the upstream to be throttled", () -> {
                long now = written.get();
                boolean flat = now == last[0];
                last[0] = now;
                return flat && proxy.relay().stats().buffersBorrowed() == 1;
            });
            RelayStats stats = proxy.relay().stats();
            assertTrue(stats.pooledBytes() + stats.buffersBorrowed() * bufferSize <= 2 * bufferSize,
                    () -> "relay memory beyond two buffers: " + stats);
            assertTrue(written.get() < 64L << 20, () -> "the upstream got " + written.get() + " bytes out: not throttled");

            client.reset();
            String closed = log.awaitLine("tunnel closed");
            assertTrue(closed.contains("CLIENT_RESET"), closed);
            awaitSteady("the buffer to go back", () -> proxy.relay().stats().buffersBorrowed() == 0);
        }
    }

    /** The proxy-level form of the relay test below. */
    @Test
    void theSendStallTimeoutClosesATunnelWhoseClientStopsReadingThroughTheProxy() throws Exception {
        AtomicLong written = new AtomicLong();
        try (ScriptedUpstream upstream = streamingUpstream(written);
                ReverseProxy proxy = ReverseProxy.start(FaultSilentUpstreamIT.config(upstream.address(),
                        Duration.ofSeconds(60), Duration.ofSeconds(5)),
                        RelayOptions.builder().sendStallTimeout(Duration.ofMillis(300)).build(), log.stream())) {
            RawClient client = slowClient(proxy);
            long start = System.nanoTime();

            String closed = log.awaitLine("tunnel closed");

            assertTrue(closed.contains("STALL_TIMEOUT"), closed);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
            RawClient.Reply rest = client.readToEnd();
            assertTrue(rest.reset(), "the leg that stopped reading is reset");
            assertEquals(0, proxy.relay().stats().buffersBorrowed());
            client.close();
        }
    }

    @Test
    void atRelayLevelTheSendStallTimeoutClosesLongBeforeTheIdleTimeoutAndResetsTheStalledLeg() throws Exception {
        TunnelRelay relay = TunnelRelay.start(RelayOptions.builder().loops(1).bufferSize(BUFFER)
                .idleTimeout(Duration.ofSeconds(60)).sendStallTimeout(Duration.ofMillis(300)).build());
        Thread writer = null;
        try (Legs.Factory pairs = new Legs.Factory(BUFFER); Legs legs = pairs.open()) {
            Tunnel tunnel = assertInstanceOf(Opening.Opened.class,
                    relay.open(Endpoint.of(legs.proxyClient), Endpoint.of(legs.proxyUpstream))).tunnel();
            writer = new Thread(() -> {
                ByteBuffer chunk = ByteBuffer.allocate(BUFFER);
                try {
                    while (true) {
                        legs.upstream.write(chunk.clear());
                    }
                } catch (IOException e) {
                    // the relay closed the upstream leg
                }
            }, "stalled-client-upstream-writer");
            writer.start();

            TunnelOutcome outcome = tunnel.outcome().toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertEquals(CloseReason.STALL_TIMEOUT, outcome.reason());
            assertTrue(outcome.duration().compareTo(Duration.ofSeconds(5)) < 0, outcome::toString);
            assertTrue(outcome.bytesUpstreamToClient() > 0);
            RelayStats stats = relay.stats();
            assertEquals(0, stats.buffersBorrowed(), stats::toString);
            assertTrue(stats.pooledBytes() <= 2L * BUFFER, () -> "memory stayed flat: " + stats);
            try {
                ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
                while (legs.client.read(sink.clear()) >= 0) {
                    // drain what was delivered before the reset
                }
                fail("expected the stalled client leg to be reset, but it ended with a FIN");
            } catch (IOException expected) {
                assertTrue(String.valueOf(expected.getMessage()).contains("reset"), expected::toString);
            }
            writer.join(10_000);
        } finally {
            relay.close();
        }
    }

    /** Polls until {@code condition} holds on three polls in a row 50 ms apart; fails after 10 s. */
    static void awaitSteady(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int streak = 0;
        while (streak < 3) {
            streak = condition.getAsBoolean() ? streak + 1 : 0;
            if (System.nanoTime() - deadline > 0) {
                fail("expected " + what + " within 10 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }
}
