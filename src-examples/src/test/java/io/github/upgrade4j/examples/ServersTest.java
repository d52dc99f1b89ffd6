package io.github.upgrade4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.upgrade4j.tunnel.CloseReason;
import io.github.upgrade4j.tunnel.RefusalReason;
import io.github.upgrade4j.tunnel.RelayStats;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The proxy command's last line: what its relay did since start, every non-zero count by reason. */
class ServersTest {
    @Test
    void theSummaryNamesOnlyTheReasonsThatHappenedWithTheirCountsAndTheBytes() {
        RelayStats stats = new RelayStats(0, 0, 0, 64 << 20, 5, 0, Map.of(RefusalReason.TUNNEL_LIMIT, 2L),
                Map.of(CloseReason.CLIENT_FIN_FIRST, 3L, CloseReason.IDLE_TIMEOUT, 1L), 1234, 5678, 0, 0);

        assertEquals("5 tunnels opened, 2 refused TUNNEL_LIMIT=2, 4 ended CLIENT_FIN_FIRST=3 IDLE_TIMEOUT=1,"
                + " 1234 B up, 5678 B down", Servers.summary(stats));
    }

    @Test
    void aRelayThatDidNothingSaysSo() {
        RelayStats stats = new RelayStats(0, 0, 0, 64 << 20, 0, 0, Map.of(), Map.of(), 0, 0, 0, 0);

        assertEquals("0 tunnels opened, 0 refused, 0 ended, 0 B up, 0 B down", Servers.summary(stats));
    }
}
