package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.Loopback.assertEof;
import static io.github.upgrade4j.tunnel.Loopback.outcome;
import static io.github.upgrade4j.tunnel.Loopback.readFully;
import static io.github.upgrade4j.tunnel.Loopback.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link RelayListener} as set in {@link RelayOptions}: told of each open before its close, once, with
 * the outcome the tunnel then completes with; of each refusal with the very value {@code open} returns,
 * on the caller's thread; and a listener that throws changes nothing the relay does.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.github.upgrade4j.tunnel.RelayPaths#tested")
class RelayListenerTest {
    @Parameter
    RelayPath path;

    private TunnelRelay relay;

    @AfterEach
    void closeRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    /** What a listener heard, in order, with the thread and whether the outcome was complete then. */
    record Heard(String event, Object subject, String thread, boolean outcomeDone) {}

    static final class Recording implements RelayListener {
        final List<Heard> heard = new CopyOnWriteArrayList<>();

        @Override
        public void opened(Tunnel tunnel) {
            heard.add(new Heard("opened", tunnel, Thread.currentThread().getName(),
                    tunnel.outcome().toCompletableFuture().isDone()));
        }

        @Override
        public void refused(Opening.Refused refusal) {
            heard.add(new Heard("refused", refusal, Thread.currentThread().getName(), false));
        }

        @Override
        public void closed(Tunnel tunnel, TunnelOutcome outcome) {
            heard.add(new Heard("closed", outcome, Thread.currentThread().getName(),
                    tunnel.outcome().toCompletableFuture().isDone()));
        }
    }

    @Test
    void hearsEachOpenOnTheCallersThreadThenOneCloseBeforeTheOutcomeCompletesWithThatOutcome() throws IOException {
        Recording listener = new Recording();
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).listener(listener).build());
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            write(pair.client, "ping".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", new String(readFully(pair.upstream, 4), StandardCharsets.US_ASCII));
            pair.client.shutdownOutput();
            assertEof(pair.upstream);
            pair.upstream.shutdownOutput();
            assertEof(pair.client);
            TunnelOutcome outcome = outcome(tunnel);

            assertEquals(2, listener.heard.size(), () -> "heard " + listener.heard);
            Heard opened = listener.heard.get(0);
            assertEquals("opened", opened.event());
            assertSame(tunnel, opened.subject());
            assertEquals(Thread.currentThread().getName(), opened.thread(), "opened runs on the thread that called open");
            assertFalse(opened.outcomeDone());
            Heard closed = listener.heard.get(1);
            assertEquals("closed", closed.event());
            assertSame(outcome, closed.subject(), "the listener gets the outcome the tunnel completes with");
            assertFalse(closed.outcomeDone(), "closed runs before the outcome completes");
            assertEquals(CloseReason.CLIENT_FIN_FIRST, outcome.reason());
            assertEquals(4, outcome.bytesClientToUpstream());
        }
    }

    @Test
    void hearsEachRefusalWithTheValueOpenReturnsAndNoOpenForIt() throws IOException {
        Recording listener = new Recording();
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).maxTunnels(1).listener(listener).build());
        try (Loopback a = Loopback.open(); Loopback b = Loopback.open()) {
            Tunnel first = a.openOn(relay);
            Opening.Refused refused = assertInstanceOf(Opening.Refused.class, relay.open(b.clientEndpoint(),
                    b.upstreamEndpoint()));
            relay.drain(Duration.ZERO);
            Opening.Refused shutDown = assertInstanceOf(Opening.Refused.class, relay.open(b.clientEndpoint(),
                    b.upstreamEndpoint()));
            TunnelOutcome outcome = outcome(first);

            // The drain closes the tunnel on its loop while this thread opens again: the end and the second
            // refusal may be heard in either order, everything before them in this one.
            assertEquals(4, listener.heard.size(), () -> "heard " + listener.heard);
            assertEquals(List.of("opened", "refused"), listener.heard.subList(0, 2).stream().map(Heard::event).toList());
            assertSame(refused, listener.heard.get(1).subject());
            assertEquals(RefusalReason.TUNNEL_LIMIT, refused.reason());
            assertEquals(Thread.currentThread().getName(), listener.heard.get(1).thread());
            List<Object> last = listener.heard.subList(2, 4).stream().map(Heard::subject).toList();
            assertTrue(last.stream().anyMatch(heard -> heard == shutDown), () -> "heard " + listener.heard);
            assertEquals(RefusalReason.SHUT_DOWN, shutDown.reason());
            assertTrue(last.stream().anyMatch(heard -> heard == outcome), () -> "heard " + listener.heard);
            assertEquals(CloseReason.SHUTDOWN, outcome.reason());
        }
    }

    @Test
    void aListenerThatThrowsChangesNothingTheRelayDoes() throws IOException {
        RelayListener throwing = new RelayListener() {
            @Override
            public void opened(Tunnel tunnel) {
                throw new IllegalStateException("listener bug in opened");
            }

            @Override
            public void refused(Opening.Refused refusal) {
                throw new IllegalStateException("listener bug in refused");
            }

            @Override
            public void closed(Tunnel tunnel, TunnelOutcome outcome) {
                throw new IllegalStateException("listener bug in closed");
            }
        };
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).maxTunnels(1).listener(throwing).build());
        try (Loopback a = Loopback.open(); Loopback b = Loopback.open()) {
            Tunnel tunnel = a.openOn(relay);
            assertInstanceOf(Opening.Refused.class, relay.open(b.clientEndpoint(), b.upstreamEndpoint()));
            write(a.upstream, "pong".getBytes(StandardCharsets.US_ASCII));
            assertEquals("pong", new String(readFully(a.client, 4), StandardCharsets.US_ASCII));
            a.upstream.shutdownOutput();
            assertEof(a.client);
            a.client.shutdownOutput();
            assertEof(a.upstream);

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.UPSTREAM_FIN_FIRST, outcome.reason());
            assertEquals(4, outcome.bytesUpstreamToClient());
            RelayStats stats = relay.stats();
            assertEquals(1, stats.tunnelsOpened());
            assertEquals(1, stats.refused(RefusalReason.TUNNEL_LIMIT));
            assertEquals(1, stats.ended(CloseReason.UPSTREAM_FIN_FIRST));
            assertEquals(0, stats.activeTunnels());
        }
    }

    @Test
    void aStreamRelayTellsItsListenerTheSameWay() throws IOException {
        Recording listener = new Recording();
        try (StreamRelay streams = StreamRelay.start(StreamRelayTest.EXECUTOR,
                RelayOptions.builder().maxTunnels(1).listener(listener).build());
                StreamRelayTest.Pair a = StreamRelayTest.Pair.open();
                StreamRelayTest.Pair b = StreamRelayTest.Pair.open()) {
            Tunnel tunnel = a.openOn(streams);
            Opening refused = streams.open(StreamEndpoint.of(b.proxyClient), StreamEndpoint.of(b.proxyUpstream));
            tunnel.close();
            TunnelOutcome outcome = outcome(tunnel);

            assertEquals(List.of("opened", "refused", "closed"), listener.heard.stream().map(Heard::event).toList());
            assertSame(tunnel, listener.heard.get(0).subject());
            assertSame(refused, listener.heard.get(1).subject());
            assertSame(outcome, listener.heard.get(2).subject());
            assertFalse(listener.heard.get(2).outcomeDone(), "closed runs before the outcome completes");
            assertTrue(outcome.reason() == CloseReason.CLOSED_BY_CALLER, outcome::toString);
        }
    }
}
