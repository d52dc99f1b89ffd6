package io.github.upgrade4j.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both kinds of tunnel through the one {@link Tunnel} interface: code written against the interface
 * (here: move bytes, read the counters, close, read the outcome) works the same on a selector tunnel
 * and on a stream tunnel.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.github.upgrade4j.tunnel.RelayPaths#tested")
class TunnelInterfaceTest {
    @Parameter
    RelayPath path;

    @Test
    void aSelectorTunnelAndAStreamTunnelBehaveAlikeThroughTheInterface() throws Exception {
        TunnelRelay selectors = TunnelRelay.start(RelayOptions.builder().relayPath(path).build());
        StreamRelay streams = StreamRelay.start(StreamRelayTest.EXECUTOR);
        try (Loopback first = Loopback.open(); StreamRelayTest.Pair second = StreamRelayTest.Pair.open()) {
            Tunnel selector = Loopback.opened(selectors.open(Endpoint.of(first.proxyClient),
                    Endpoint.of(first.proxyUpstream)));
            Tunnel stream = second.openOn(streams);

            // Two engines behind one public interface; the engine classes themselves are not public.
            assertNotEquals(selector.getClass(), stream.getClass());
            for (Tunnel tunnel : List.of(selector, stream)) {
                assertFalse(Modifier.isPublic(tunnel.getClass().getModifiers()), tunnel.getClass()::getName);
            }
            exchangeCloseAndCheck(selector, first.client, first.upstream);
            exchangeCloseAndCheck(stream, second.client, second.upstream);
            assertEquals(1, selectors.stats().ended(CloseReason.CLOSED_BY_CALLER));
            assertEquals(1, streams.stats().ended(CloseReason.CLOSED_BY_CALLER));
        } finally {
            selectors.close();
            streams.close();
        }
    }

    /** Written against the interface only. */
    private static void exchangeCloseAndCheck(Tunnel tunnel, Socket client, Socket upstream)
            throws Exception {
        Instant opened = tunnel.started();
        client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
        assertEquals("ping", new String(Loopback.readFully(upstream, 4), StandardCharsets.US_ASCII));
        upstream.getOutputStream().write("pong!".getBytes(StandardCharsets.US_ASCII));
        assertEquals("pong!", new String(Loopback.readFully(client, 5), StandardCharsets.US_ASCII));
        Loopback.awaitTrue("both counts", () -> tunnel.bytesClientToUpstream() == 4
                && tunnel.bytesUpstreamToClient() == 5);
        assertFalse(tunnel.lastActivity().isBefore(opened));
        CompletableFuture<TunnelOutcome> future = tunnel.outcome().toCompletableFuture();
        assertFalse(future.isDone());
        // Only the relay completes an outcome; what callers derive from it is theirs.
        assertThrows(UnsupportedOperationException.class, () -> future.complete(null));
        assertThrows(UnsupportedOperationException.class, () -> future.cancel(true));
        assertThrows(UnsupportedOperationException.class, () -> future.orTimeout(1, TimeUnit.MILLISECONDS));
        CompletableFuture<String> derived = future.thenApply(o -> o.reason().name());
        assertTrue(derived.complete("mine"), "a derived stage is an ordinary future");
        assertSame(future, tunnel.outcome(), "one outcome per tunnel");

        tunnel.close();
        tunnel.close(); // idempotent

        TunnelOutcome outcome = tunnel.outcome().toCompletableFuture().get(Loopback.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals(CloseReason.CLOSED_BY_CALLER, outcome.reason());
        assertEquals(4, outcome.bytesClientToUpstream());
        assertEquals(5, outcome.bytesUpstreamToClient());
        assertTrue(client.getInputStream().read() < 0, "the client sees the end of the stream");
        assertEquals(4, tunnel.bytesClientToUpstream(), "the counters keep their final values");
    }
}
