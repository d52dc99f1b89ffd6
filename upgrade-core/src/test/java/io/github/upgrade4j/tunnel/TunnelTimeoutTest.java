package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.Loopback.assertEof;
import static io.github.upgrade4j.tunnel.Loopback.async;
import static io.github.upgrade4j.tunnel.Loopback.await;
import static io.github.upgrade4j.tunnel.Loopback.awaitSteady;
import static io.github.upgrade4j.tunnel.Loopback.outcome;
import static io.github.upgrade4j.tunnel.Loopback.randomBytes;
import static io.github.upgrade4j.tunnel.Loopback.readFully;
import static io.github.upgrade4j.tunnel.Loopback.sha256;
import static io.github.upgrade4j.tunnel.Loopback.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scenarios 17, 18, 19 and 20 of tunnel-anchors.md §B, plus the half-closed and lifetime timeouts:
 * each timeout fires for its own reason and no other.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.github.upgrade4j.tunnel.RelayPaths#tested")
class TunnelTimeoutTest {
    @Parameter
    RelayPath path;

    private static final Duration T = Duration.ofMillis(300);
    private static final Duration LONG = Duration.ofSeconds(60);
    private TunnelRelay relay;

    @AfterEach
    void closeRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    private TunnelRelay start(RelayOptions options) {
        relay = TunnelRelay.start(options.toBuilder().relayPath(path).build());
        return relay;
    }

    @Test
    void closesASilentTunnelAtTheIdleTimeoutWithAFin() throws IOException {
        start(RelayOptions.builder().idleTimeout(T).build());
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            TunnelOutcome outcome = outcome(tunnel);

            assertEquals(CloseReason.IDLE_TIMEOUT, outcome.reason());
            assertTrue(outcome.duration().compareTo(T) >= 0, "closed early: " + outcome.duration());
            assertTrue(outcome.duration().compareTo(T.multipliedBy(4)) < 0, "closed late: " + outcome.duration());
            assertEof(pair.client);
            assertEof(pair.upstream);
        }
    }

    @Test
    void keepsATunnelWithTrafficInOneDirectionOnlyOpenPastTheIdleTimeoutEitherWay() throws Exception {
        start(RelayOptions.builder().idleTimeout(T).build());
        for (boolean fromClient : new boolean[] {true, false}) {
            try (Loopback pair = Loopback.open()) {
                Tunnel tunnel = pair.openOn(relay);
                Socket sender = fromClient ? pair.client : pair.upstream;
                Socket receiver = fromClient ? pair.upstream : pair.client;
                // One message every T/3 for 4 T: the silent direction alone would have timed out long ago.
                long started = System.nanoTime();
                for (int i = 0; System.nanoTime() - started < T.multipliedBy(4).toNanos(); i++) {
                    write(sender, new byte[] {(byte) i});
                    assertEquals(i & 0xFF, receiver.getInputStream().read());
                    assertFalse(tunnel.outcome().toCompletableFuture().isDone(), "closed after " + i + " messages");
                    Thread.sleep(T.toMillis() / 3); // the traffic's pace, not a synchronisation
                }
                assertEquals(CloseReason.IDLE_TIMEOUT, outcome(tunnel).reason(), "once the traffic stops");
            }
        }
    }

    @Test
    void closesAtTheSendStallTimeoutWhenTheClientStopsReadingLongBeforeTheIdleTimeout() throws IOException {
        start(RelayOptions.builder().idleTimeout(LONG).sendStallTimeout(T).bufferSize(16 * 1024).build());
        try (Loopback pair = Loopback.open(32 * 1024)) {
            Tunnel tunnel = pair.openOn(relay);
            CompletableFuture<Void> origin = async(() -> {
                byte[] chunk = new byte[16 * 1024];
                while (true) {
                    pair.upstream.getOutputStream().write(chunk); // until the tunnel is closed
                }
            });
            TunnelOutcome outcome = outcome(tunnel);

            assertEquals(CloseReason.STALL_TIMEOUT, outcome.reason());
            assertTrue(outcome.duration().compareTo(LONG) < 0);
            assertTrue(outcome.bytesUpstreamToClient() > 0);
            assertEquals(0, relay.stats().buffersBorrowed(), "the held buffer went back");
            assertTrue(relay.stats().pooledBytes() <= 2 * 16 * 1024, "memory stayed flat: " + relay.stats());
            assertThrows(Exception.class, () -> origin.get(Loopback.TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }
    }

    @Test
    void doesNotCountADirectionParkedByBackpressureAsIdle() throws Exception {
        start(RelayOptions.builder().idleTimeout(T).sendStallTimeout(Duration.ZERO).build());
        byte[] download = randomBytes(2 * 1024 * 1024, 31);
        try (Loopback pair = Loopback.open(32 * 1024)) {
            Tunnel tunnel = pair.openOn(relay);
            CompletableFuture<Void> origin = async(() -> {
                write(pair.upstream, download);
                pair.upstream.shutdownOutput();
                return null;
            });
            awaitSteady("the relay to be blocked toward the client", () -> relay.stats().buffersBorrowed() == 1);
            // Parked for 4 T with the client reading nothing: idle would have fired three times over.
            assertThrows(TimeoutException.class, () -> tunnel.outcome().toCompletableFuture()
                    .get(T.multipliedBy(4).toMillis(), TimeUnit.MILLISECONDS));

            assertEquals(sha256(download), sha256(readFully(pair.client, download.length)));
            await(origin);
            assertEof(pair.client);
            assertEquals(CloseReason.IDLE_TIMEOUT, outcome(tunnel).reason(), "idle counts again once unblocked");
        }
    }

    @Test
    void closesAHalfClosedTunnelAtTheHalfClosedTimeoutLongBeforeTheIdleTimeout() throws IOException {
        start(RelayOptions.builder().idleTimeout(LONG).halfClosedTimeout(T).build());
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            pair.client.shutdownOutput();
            assertEof(pair.upstream); // and then the origin stays silent, never sending its FIN
            TunnelOutcome outcome = outcome(tunnel);

            assertEquals(CloseReason.HALF_CLOSED_TIMEOUT, outcome.reason());
            assertTrue(outcome.duration().compareTo(T) >= 0, outcome::toString);
            assertTrue(outcome.duration().compareTo(LONG) < 0, outcome::toString);
        }
    }

    @Test
    void closesABusyTunnelAtItsMaximumLifetime() throws IOException {
        start(RelayOptions.builder().maxLifetime(T).build());
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            for (int i = 0; !tunnel.outcome().toCompletableFuture().isDone() && i < 100_000; i++) {
                try {
                    write(pair.client, new byte[] {1});
                    pair.upstream.getInputStream().read();
                } catch (RuntimeException | IOException e) {
                    break; // closed under our feet: the outcome says why
                }
            }
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.LIFETIME_EXCEEDED, outcome.reason());
            assertTrue(outcome.duration().compareTo(T) >= 0, outcome::toString);
        }
    }
}
