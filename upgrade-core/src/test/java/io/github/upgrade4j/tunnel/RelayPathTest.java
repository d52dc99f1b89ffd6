package io.github.upgrade4j.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

/**
 * Which path a relay takes: splice where this JVM can (Linux, Java 22+, the access the build grants),
 * copy elsewhere, saying why; a forced splice that cannot run fails to start; a tunnel with a TLS leg
 * copies on a splicing relay; and the stats count the spliced tunnels.
 */
class RelayPathTest {
    @Test
    void theRelayTakesThePathItWasAskedForOrCopiesAndSaysWhy() {
        try (TunnelRelay copying = TunnelRelay.start(RelayOptions.builder().relayPath(RelayPath.COPY).build());
                TunnelRelay auto = TunnelRelay.start()) {
            assertEquals(RelayPath.COPY, copying.path());
            assertTrue(copying.toString().startsWith("TunnelRelay[path=COPY, "), copying::toString);
            if (RelayPaths.splicingExpected()) {
                assertEquals(null, Kernel.unavailable());
                assertEquals(RelayPath.SPLICE, auto.path());
                try (TunnelRelay splicing = TunnelRelay.start(RelayOptions.builder().relayPath(RelayPath.SPLICE)
                        .build())) {
                    assertEquals(RelayPath.SPLICE, splicing.path());
                }
            } else {
                assertEquals(RelayPath.COPY, auto.path());
                String why = String.valueOf(Kernel.unavailable());
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> TunnelRelay.start(RelayOptions.builder().relayPath(RelayPath.SPLICE).build()));
                assertEquals("expected to splice (RelayPath.SPLICE) but " + why, e.getMessage());
                assertTrue(why.contains("Java 22"), why);
            }
        }
    }

    @Test
    void aTunnelWithATlsLegCopiesOnASplicingRelayAndTheStatsCountOnlyTheSplicedOnes() throws Exception {
        try (TunnelRelay relay = TunnelRelay.start(); Loopback plain = Loopback.open();
                Loopback secured = Loopback.open()) {
            Tunnel first = plain.openOn(relay);
            SSLEngine engine = TlsFixture.serverEngine();
            Tunnel second = Loopback.opened(relay.open(Endpoint.tls(secured.proxyClient, engine),
                    secured.upstreamEndpoint()));

            assertEquals(relay.path(), first.path());
            assertEquals(RelayPath.COPY, second.path());
            assertTrue(second.toString().contains("path=COPY"), second::toString);
            RelayStats stats = relay.stats();
            assertEquals(2, stats.tunnelsOpened());
            assertEquals(relay.path() == RelayPath.SPLICE ? 1 : 0, stats.tunnelsSpliced());
            first.close();
            second.close();
            assertEquals(relay.path(), Loopback.outcome(first).path());
            assertEquals(RelayPath.COPY, Loopback.outcome(second).path());
        }
    }

    @Test
    void anOutcomeNamesThePathATunnelTookNeverTheChoice() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TunnelOutcome(
                CloseReason.IDLE_TIMEOUT, 0, 0, Duration.ZERO, Optional.<IOException>empty(), false, false,
                RelayPath.AUTO));
        assertEquals("expected the path a tunnel took, COPY or SPLICE, but was AUTO", e.getMessage());
        assertEquals(RelayPath.COPY, new TunnelOutcome(CloseReason.IDLE_TIMEOUT, 0, 0, Duration.ZERO,
                Optional.empty()).path());
        assertEquals(RelayPath.AUTO, RelayOptions.standard().relayPath());
    }
}
