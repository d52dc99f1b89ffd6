package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.StreamRelayTest.EXECUTOR;
import static io.github.upgrade4j.tunnel.StreamRelayTest.Pair;
import static io.github.upgrade4j.tunnel.StreamRelayTest.ascii;
import static io.github.upgrade4j.tunnel.StreamRelayTest.assertEof;
import static io.github.upgrade4j.tunnel.StreamRelayTest.assertReset;
import static io.github.upgrade4j.tunnel.StreamRelayTest.async;
import static io.github.upgrade4j.tunnel.StreamRelayTest.await;
import static io.github.upgrade4j.tunnel.StreamRelayTest.outcome;
import static io.github.upgrade4j.tunnel.StreamRelayTest.randomBytes;
import static io.github.upgrade4j.tunnel.StreamRelayTest.readFully;
import static io.github.upgrade4j.tunnel.StreamRelayTest.sha256;
import static io.github.upgrade4j.tunnel.StreamRelayTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stream relay's timeouts, each alone (the others off), checked by the relay's one timeout
 * thread: every tunnel ends with the timeout's reason, never before its deadline.
 */
class StreamRelayTimeoutTest {
    private static final Duration SHORT = Duration.ofMillis(300);
    private static final RelayOptions NO_TIMEOUTS = RelayOptions.builder().idleTimeout(Duration.ZERO)
            .sendStallTimeout(Duration.ZERO).halfClosedTimeout(Duration.ZERO).build();
    private StreamRelay relay;

    @AfterEach
    void closeRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void closesASilentTunnelWithAFinToBothSidesAfterTheIdleTimeout() throws IOException {
        relay = StreamRelay.start(EXECUTOR, NO_TIMEOUTS.toBuilder().idleTimeout(SHORT).build());
        try (Pair pair = Pair.open()) {
            Tunnel tunnel = pair.openOn(relay);
            pair.client.getOutputStream().write(ascii("hi"));
            assertEquals("hi", text(readFully(pair.upstream, 2)));

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.IDLE_TIMEOUT, outcome.reason());
            assertTrue(outcome.duration().compareTo(SHORT) >= 0, outcome::toString);
            assertEquals(2, outcome.bytesClientToUpstream());
            assertEof(pair.client);
            assertEof(pair.upstream);
        }
    }

    @Test
    void aWriteHeldByAReaderThatIsSlowIsNotIdleAndEveryByteArrives() throws IOException {
        relay = StreamRelay.start(EXECUTOR, NO_TIMEOUTS.toBuilder().idleTimeout(SHORT).bufferSize(4096).build());
        byte[] upload = randomBytes(2 << 20, 21);
        try (Pair pair = Pair.open(64 * 1024)) {
            Tunnel tunnel = pair.openOn(relay);
            CompletableFuture<Void> sender = async(() -> {
                pair.client.getOutputStream().write(upload);
                pair.client.shutdownOutput();
                return null;
            });
            // The upstream reads nothing for three idle periods: the relay's write is blocked all along.
            long start = System.nanoTime();
            while (System.nanoTime() - start < 3 * SHORT.toNanos()) {
                assertFalse(tunnel.outcome().toCompletableFuture().isDone(), () -> "ended: " + tunnel);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            assertTrue(tunnel.bytesClientToUpstream() < upload.length, tunnel::toString);

            assertEquals(sha256(upload), sha256(pair.upstream.getInputStream().readAllBytes()));
            await(sender);
            TunnelOutcome outcome = outcome(tunnel); // the upstream never ends: now it is idle
            assertEquals(CloseReason.IDLE_TIMEOUT, outcome.reason());
            assertEquals(upload.length, outcome.bytesClientToUpstream());
        }
    }

    @Test
    void resetsTheSideThatStoppedReadingAfterTheSendStallTimeout() throws IOException {
        relay = StreamRelay.start(EXECUTOR, NO_TIMEOUTS.toBuilder().sendStallTimeout(SHORT).bufferSize(4096).build());
        try (Pair pair = Pair.open(16 * 1024)) {
            Tunnel tunnel = pair.openOn(relay);
            async(() -> {
                pair.client.getOutputStream().write(new byte[4 << 20]); // fails once the tunnel is gone
                return null;
            });

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.STALL_TIMEOUT, outcome.reason());
            assertTrue(outcome.duration().compareTo(SHORT) >= 0, outcome::toString);
            assertReset(pair.upstream); // its queue is dropped, not delivered late
        }
    }

    @Test
    void closesAHalfClosedTunnelWhoseOtherSideStaysSilent() throws IOException {
        relay = StreamRelay.start(EXECUTOR, NO_TIMEOUTS.toBuilder().halfClosedTimeout(SHORT).build());
        try (Pair pair = Pair.open()) {
            Tunnel tunnel = pair.openOn(relay);
            pair.client.shutdownOutput();
            assertEof(pair.upstream);

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.HALF_CLOSED_TIMEOUT, outcome.reason());
            assertTrue(outcome.duration().compareTo(SHORT) >= 0, outcome::toString);
            assertEof(pair.client);
        }
    }

    @Test
    void closesATunnelAtItsMaximumLifetimeWhateverItsTraffic() throws IOException {
        relay = StreamRelay.start(EXECUTOR, NO_TIMEOUTS.toBuilder().maxLifetime(SHORT).build());
        try (Pair pair = Pair.open()) {
            Tunnel tunnel = pair.openOn(relay);
            CompletableFuture<Void> chatter = async(() -> { // keeps the tunnel busy until it is closed
                byte[] ping = ascii("ping");
                try {
                    while (true) {
                        pair.client.getOutputStream().write(ping);
                        readFully(pair.upstream, 4);
                    }
                } catch (IOException | AssertionError expected) {
                    return null;
                }
            });

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.LIFETIME_EXCEEDED, outcome.reason());
            assertTrue(outcome.duration().compareTo(SHORT) >= 0, outcome::toString);
            assertTrue(outcome.bytesClientToUpstream() > 0, outcome::toString);
            await(chatter);
        }
    }
}
