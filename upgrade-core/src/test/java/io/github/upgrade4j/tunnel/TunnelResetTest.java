package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.Loopback.assertEof;
import static io.github.upgrade4j.tunnel.Loopback.assertReset;
import static io.github.upgrade4j.tunnel.Loopback.async;
import static io.github.upgrade4j.tunnel.Loopback.outcome;
import static io.github.upgrade4j.tunnel.Loopback.randomBytes;
import static io.github.upgrade4j.tunnel.Loopback.readFully;
import static io.github.upgrade4j.tunnel.Loopback.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** Scenarios 13, 14 and 15 of tunnel-anchors.md §B: a reset is passed on as a reset, promptly. */
@ParameterizedClass(name = "{0}")
@MethodSource("io.github.upgrade4j.tunnel.RelayPaths#tested")
class TunnelResetTest {
    @Parameter
    RelayPath path;

    private TunnelRelay relay;

    @BeforeEach
    void startRelay() {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).build());
    }

    @AfterEach
    void closeRelay() {
        relay.close();
    }

    @Test
    void passesAnUpstreamResetOnToTheClientAsAReset() throws IOException {
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            write(pair.upstream, randomBytes(1000, 21));
            readFully(pair.client, 1000);
            write(pair.client, randomBytes(10, 22)); // unread by the origin when it resets
            pair.upstream.setSoLinger(true, 0);
            long resetAt = System.nanoTime();
            pair.upstream.close();

            assertReset(pair.client); // not a clean EOF
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resetAt);
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.UPSTREAM_RESET, outcome.reason());
            assertTrue(outcome.cause().isPresent(), "the reset's exception is kept");
            assertTrue(millis < 1000, "the client saw the reset after " + millis + " ms");
        }
    }

    @Test
    void passesAClientResetOnToTheUpstreamAsAResetAndKeepsServingOthers() throws IOException {
        try (Loopback pair = Loopback.open(); Loopback other = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            write(pair.client, randomBytes(1000, 23));
            readFully(pair.upstream, 1000);
            pair.client.setSoLinger(true, 0);
            pair.client.close();

            assertReset(pair.upstream);
            assertEquals(CloseReason.CLIENT_RESET, outcome(tunnel).reason());
            Tunnel next = other.openOn(relay);
            write(other.client, new byte[] {42});
            assertArrayEquals(new byte[] {42}, readFully(other.upstream, 1));
            next.close();
            assertEquals(CloseReason.CLOSED_BY_CALLER, outcome(next).reason());
            assertEquals(0, relay.stats().activeTunnels());
        }
    }

    @Test
    void endsPromptlyWhenWritingToAClosedClientFailsWhileTheUpstreamStillSends() throws IOException {
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            pair.client.close(); // a full close: what arrives next is answered with a reset
            assertEof(pair.upstream); // the client's FIN was passed on
            CompletableFuture<Void> origin = async(() -> {
                byte[] chunk = new byte[64 * 1024];
                while (true) { // until the relay passes the failure on
                    pair.upstream.getOutputStream().write(chunk);
                }
            });

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_RESET, outcome.reason());
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> origin.get(Loopback.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            String message = String.valueOf(failure.getCause().getMessage());
            assertTrue(message.contains("reset") || message.contains("Broken pipe"), message);
            assertEquals(0, relay.stats().activeTunnels());
            assertEquals(0, relay.stats().buffersBorrowed());
        }
    }
}
