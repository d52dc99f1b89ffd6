package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.proxy.attacks.Leaks;
import io.github.upgrade4j.examples.proxy.attacks.LogLines;
import io.github.upgrade4j.examples.proxy.attacks.RawClient;
import io.github.upgrade4j.examples.proxy.attacks.ScriptedUpstream;
import io.github.upgrade4j.examples.proxy.attacks.Leaks;
import io.github.upgrade4j.examples.proxy.attacks.LogLines;
import io.github.upgrade4j.examples.proxy.attacks.RawClient;
import io.github.upgrade4j.examples.proxy.attacks.ScriptedUpstream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tunnel limit of the example proxy ({@code ReverseProxy.Config.maxTunnels}), on real sockets: a
 * limit of N really allows N tunnels; the next upgrade is answered 503 before any byte of a 101, with
 * the reason, its connection closes, and what it pipelined never reaches the upstream; the N running
 * tunnels go on untouched; and once one ends, a new upgrade gets through.
 */
class LimitsTunnelCountIT {
    private static final int LIMIT = 3;
    private final LogLines log = new LogLines();

    @Test
    void theTunnelPastTheLimitGets503BeforeAny101AndTheRunningOnesAreUntouched() throws Exception {
        Leaks leaks = Leaks.snapshot();
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.echoing());
                ReverseProxy proxy = ReverseProxy.start(new ReverseProxy.Config(new InetSocketAddress("127.0.0.1", 0),
                        upstream.address(), Duration.ofSeconds(60), LIMIT, Duration.ofSeconds(5)), log.stream())) {
            List<RawClient> running = new ArrayList<>();
            for (int i = 0; i < LIMIT; i++) {
                RawClient client = RawClient.connect(proxy.address());
                client.send(FaultSilentUpstreamIT.WEBSOCKET).readUntil("\r\n\r\n");
                assertTrue(client.text().startsWith("HTTP/1.1 101 "), client::text);
                running.add(client);
            }

            RawClient.Reply refused = RawClient.exchange(proxy.address(), FaultSilentUpstreamIT.WEBSOCKET
                    + "GET /admin HTTP/1.1\r\nHost: app.example\r\n\r\n");

            assertEquals(503, refused.status(), refused::text);
            assertTrue(refused.text().startsWith("HTTP/1.1 503 "), "the 503 is the first byte: no 101 before it");
            log.awaitLine("-> 503 TUNNEL_LIMIT");
            assertEquals(1, refused.statuses().size(), refused::text);
            ScriptedUpstream.Peer fourth = upstream.peer(LIMIT).awaitEnd();
            assertEquals(1, fourth.requests().size(), fourth::received);
            assertFalse(fourth.received().contains("/admin"), fourth::received);

            for (int i = 0; i < LIMIT; i++) {
                running.get(i).send("still " + i).readUntil("still " + i);
            }
            running.get(0).close();
            log.awaitLine("tunnel closed");
            RawClient next = RawClient.connect(proxy.address());
            next.send(FaultSilentUpstreamIT.WEBSOCKET).readUntil("\r\n\r\n");
            assertTrue(next.text().startsWith("HTTP/1.1 101 "), next::text);
            running.set(0, next);
            for (RawClient client : running) {
                client.close();
            }
        }
        leaks.assertReleased();
    }
}
