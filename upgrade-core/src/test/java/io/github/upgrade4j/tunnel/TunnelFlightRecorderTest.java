package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.Loopback.assertEof;
import static io.github.upgrade4j.tunnel.Loopback.outcome;
import static io.github.upgrade4j.tunnel.Loopback.readFully;
import static io.github.upgrade4j.tunnel.Loopback.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.FlightRecording;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The relay's flight-recorder events, read back through a {@code RecordingStream}: a tunnel's open and
 * close with the same id, the close's reason, bytes, duration and path as its outcome says, and a
 * refusal with its reason and detail.
 */
class TunnelFlightRecorderTest {
    private TunnelRelay relay;

    @AfterEach
    void closeRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void recordsATunnelsOpenAndCloseUnderOneIdWithWhatItsOutcomeSays() throws IOException {
        try (FlightRecording recording = FlightRecording.of("TunnelOpened", "TunnelClosed", "TunnelRefused")) {
            relay = TunnelRelay.start(RelayOptions.builder().maxTunnels(1).build());
            try (Loopback a = Loopback.open(); Loopback b = Loopback.open()) {
                Tunnel tunnel = a.openOn(relay);
                long id = ((BaseTunnel) tunnel).id;
                Opening.Refused refused = assertInstanceOf(Opening.Refused.class,
                        relay.open(b.clientEndpoint(), b.upstreamEndpoint()));
                write(a.client, "hello".getBytes(StandardCharsets.US_ASCII));
                assertEquals("hello", new String(readFully(a.upstream, 5), StandardCharsets.US_ASCII));
                write(a.upstream, "hi".getBytes(StandardCharsets.US_ASCII));
                assertEquals("hi", new String(readFully(a.client, 2), StandardCharsets.US_ASCII));
                a.upstream.shutdownOutput();
                assertEof(a.client);
                a.client.shutdownOutput();
                assertEof(a.upstream);
                TunnelOutcome outcome = outcome(tunnel);

                RecordedEvent opened = recording.await("TunnelOpened", 1, e -> e.getLong("tunnelId") == id).get(0);
                assertEquals(relay.path().name(), opened.getString("path"));
                RecordedEvent closed = recording.await("TunnelClosed", 1, e -> e.getLong("tunnelId") == id).get(0);
                assertEquals("UPSTREAM_FIN_FIRST", closed.getString("reason"));
                assertEquals(5, closed.getLong("bytesClientToUpstream"));
                assertEquals(2, closed.getLong("bytesUpstreamToClient"));
                assertEquals(outcome.duration().toNanos(), closed.getDuration("tunnelDuration").toNanos());
                assertEquals(outcome.path().name(), closed.getString("path"));
                assertNull(closed.getString("cause"));
                assertFalse(closed.getBoolean("clientTlsFinWithoutCloseNotify"));
                assertFalse(closed.getBoolean("upstreamTlsFinWithoutCloseNotify"));
                assertTrue(!closed.getStartTime().isBefore(opened.getStartTime()), "closed after opened");
                assertNull(closed.getStackTrace(), "the events carry no stack trace");

                RecordedEvent refusal = recording.await("TunnelRefused", 1, e -> true).get(0);
                assertEquals("TUNNEL_LIMIT", refusal.getString("reason"));
                assertEquals(refused.detail(), refusal.getString("detail"));
            }
        }
    }

    @Test
    void describesEachEventForTheToolsThatShowThem() {
        List<String> names = List.of("io.github.upgrade4j.TunnelOpened", "io.github.upgrade4j.TunnelClosed",
                "io.github.upgrade4j.TunnelRefused");
        new Events.TunnelOpened(); // registers the event classes with the recorder
        new Events.TunnelClosed();
        new Events.TunnelRefused();
        for (String name : names) {
            EventType type = FlightRecorder.getFlightRecorder().getEventTypes().stream()
                    .filter(t -> t.getName().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no event type " + name));
            assertEquals(List.of("upgrade4j", "Tunnels"), type.getCategoryNames(), name);
            assertTrue(type.getLabel() != null && !type.getLabel().isBlank(), name);
            assertTrue(type.getDescription() != null && !type.getDescription().isBlank(), name);
            type.getFields().stream().filter(f -> !List.of("startTime", "duration", "eventThread").contains(f.getName()))
                    .forEach(f -> assertTrue(f.getLabel() != null, name + "." + f.getName() + " has a label"));
        }
    }
}
