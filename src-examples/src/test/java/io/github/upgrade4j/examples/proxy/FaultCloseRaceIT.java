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
import io.github.upgrade4j.tunnel.CloseReason;
import io.github.upgrade4j.tunnel.Endpoint;
import io.github.upgrade4j.tunnel.Opening;
import io.github.upgrade4j.tunnel.RelayOptions;
import io.github.upgrade4j.tunnel.RelayStats;
import io.github.upgrade4j.tunnel.Tunnel;
import io.github.upgrade4j.tunnel.TunnelOutcome;
import io.github.upgrade4j.tunnel.TunnelRelay;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Closing while bytes move, on real sockets: the example proxy closed (or drained with no grace) in
 * the middle of traffic on many tunnels ends every one of them promptly and leaves no descriptor, no
 * thread and no borrowed buffer; and at relay level, {@link Tunnel#close()} called from other threads
 * while the relay reads and writes never double-returns a buffer or leaks a descriptor.
 *
 * <p>Sizes come from system properties so the long profile can run more: {@code fault.closeRaceRounds}
 * (proxy rounds, alternately closed and drained; default 2) and {@code fault.closeRaceIterations} (relay closes, default 2,000; the
 * {@code soak-long} profile runs 1,000,000).
 */
class FaultCloseRaceIT {
    private static final int TUNNELS = 32;
    private final LogLines log = new LogLines();

    @Test
    void closingOrDrainingTheProxyDuringTrafficEndsEveryTunnelAndLeavesNothing() throws Exception {
        int rounds = Integer.getInteger("fault.closeRaceRounds", 2);
        Leaks leaks = Leaks.snapshot();
        for (int round = 0; round < rounds; round++) {
            List<Thread> peers = new ArrayList<>();
            List<AtomicLong> echoed = new ArrayList<>();
            try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.echoing())) {
                ReverseProxy proxy = ReverseProxy.start(FaultSilentUpstreamIT.config(upstream.address(),
                        Duration.ofSeconds(60), Duration.ofSeconds(5)), log.stream());
                List<RawClient> clients = openTunnels(proxy);
                for (int i = 0; i < TUNNELS; i++) {
                    AtomicLong count = new AtomicLong();
                    echoed.add(count);
                    peers.add(pump(clients.get(i), count, round * TUNNELS + i));
                }
                awaitTrue("every tunnel to echo 64 KiB", () -> echoed.stream().allMatch(c -> c.get() >= 64 * 1024));

                long start = System.nanoTime();
                if (round % 2 == 0) {
                    proxy.close();
                } else {
                    CompletableFuture<Void> drained = proxy.drain(Duration.ZERO);
                    drained.get(10, TimeUnit.SECONDS);
                    proxy.close();
                }
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(millis < 5_000, () -> "closing took " + millis + " ms");

                for (Thread peer : peers) {
                    peer.join(10_000);
                    assertTrue(!peer.isAlive(), () -> peer.getName() + " still sees its tunnel open");
                }
                RelayStats stats = proxy.relay().stats();
                assertEquals(0, stats.activeTunnels(), stats::toString);
                assertEquals(0, stats.buffersBorrowed(), stats::toString);
                for (RawClient client : clients) {
                    client.close();
                }
            }
        }
        leaks.assertReleased();
    }

    /** Opens {@link #TUNNELS} tunnels through the proxy, eight handshakes at a time. */
    private static List<RawClient> openTunnels(ReverseProxy proxy) throws Exception {
        ExecutorService opener = Executors.newFixedThreadPool(8, r -> new Thread(r, "close-race-opener"));
        try {
            List<CompletableFuture<RawClient>> opening = new ArrayList<>();
            for (int i = 0; i < TUNNELS; i++) {
                opening.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        RawClient client = RawClient.connect(proxy.address());
                        client.send(FaultSilentUpstreamIT.WEBSOCKET).readUntil("\r\n\r\n");
                        return client;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, opener));
            }
            List<RawClient> clients = new ArrayList<>();
            for (CompletableFuture<RawClient> client : opening) {
                clients.add(client.get(30, TimeUnit.SECONDS));
            }
            return clients;
        } finally {
            opener.shutdown();
            assertTrue(opener.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** Writes random bytes and reads the echo until the proxy closes the connection; counts the echo. */
    private static Thread pump(RawClient client, AtomicLong echoed, long seed) {
        Thread writer = new Thread(() -> {
            byte[] chunk = new byte[4096];
            SplittableRandom random = new SplittableRandom(seed);
            try {
                while (true) {
                    random.nextBytes(chunk);
                    client.send(chunk);
                }
            } catch (IOException e) {
                // the proxy closed the tunnel
            }
        }, "close-race-writer " + seed);
        Thread reader = new Thread(() -> {
            byte[] sink = new byte[16 * 1024];
            try {
                InputStream in = client.socket().getInputStream();
                for (int n; (n = in.read(sink)) >= 0; ) {
                    echoed.addAndGet(n);
                }
            } catch (IOException e) {
                // a reset or a close: either way the tunnel ended
            }
            try {
                client.close(); // ends the writer too
                writer.join(10_000);
            } catch (IOException | InterruptedException e) {
                // done anyway
            }
        }, "close-race-reader " + seed);
        writer.start();
        reader.start();
        return reader;
    }

    @Test
    void tunnelCloseRacingRelayIoNeverLeaksABufferOrADescriptor() throws Exception {
        int iterations = Integer.getInteger("fault.closeRaceIterations", 2_000);
        Leaks leaks = Leaks.snapshot();
        TunnelRelay relay = TunnelRelay.start(RelayOptions.builder().bufferSize(16 * 1024).build());
        ExecutorService closer = Executors.newSingleThreadExecutor(r -> new Thread(r, "close-race-closer"));
        byte[] clientBytes = new byte[24 * 1024];
        byte[] upstreamLeftover = new byte[40 * 1024];
        new SplittableRandom(5).nextBytes(clientBytes);
        new SplittableRandom(6).nextBytes(upstreamLeftover);
        long start = System.nanoTime();
        try (Legs.Factory pairs = new Legs.Factory(0)) {
            for (int i = 0; i < iterations; i++) {
                try (Legs legs = pairs.open()) {
                    legs.client.write(ByteBuffer.wrap(clientBytes)); // queued: the relay reads it at once
                    Tunnel tunnel = assertInstanceOf(Opening.Opened.class, relay.open(Endpoint.of(legs.proxyClient),
                            Endpoint.of(legs.proxyUpstream, ByteBuffer.wrap(upstreamLeftover)))).tunnel();
                    CompletableFuture<?> other = i % 2 == 0 ? CompletableFuture.runAsync(tunnel::close, closer) : null;
                    if (i % 3 != 0 || other == null) {
                        tunnel.close();
                    }
                    TunnelOutcome outcome = tunnel.outcome().toCompletableFuture().get(10, TimeUnit.SECONDS);
                    assertEquals(CloseReason.CLOSED_BY_CALLER, outcome.reason(), outcome::toString);
                    assertTrue(outcome.bytesClientToUpstream() <= clientBytes.length, outcome::toString);
                    assertTrue(outcome.bytesUpstreamToClient() <= upstreamLeftover.length, outcome::toString);
                    if (other != null) {
                        other.get(10, TimeUnit.SECONDS);
                    }
                }
            }
        } finally {
            closer.shutdown();
            closer.awaitTermination(10, TimeUnit.SECONDS);
        }
        RelayStats stats = relay.stats();
        relay.close();
        assertEquals(0, stats.activeTunnels(), stats::toString);
        assertEquals(0, stats.buffersBorrowed(), () -> "a double return would make this negative: " + stats);
        assertTrue(stats.pooledBytes() <= stats.budgetBytes(), stats::toString);
        leaks.assertReleased();
        System.out.printf("close racing relay I/O: %,d iterations in %,d ms%n", iterations,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("expected " + what + " within 20 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
