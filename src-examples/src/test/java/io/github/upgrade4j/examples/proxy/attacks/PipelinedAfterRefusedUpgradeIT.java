package io.github.upgrade4j.examples.proxy.attacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A second request pipelined behind an upgrade that does not happen, end to end through the example
 * proxy. Whoever refuses (the proxy before forwarding, the upstream with a non-101, or the proxy
 * judging a bad 101), the client connection closes after the answer, so the bytes behind the upgrade
 * are never read as a request and never reach the upstream. The last test shows the check can fail:
 * behind a plain request, a pipelined one is served.
 */
public class PipelinedAfterRefusedUpgradeIT extends ThroughTheProxy {
    private static final String PRIVATE = "GET /admin HTTP/1.1\r\nHost: app.example\r\nConnection: close\r\n\r\n";

    @ParameterizedTest
    @ValueSource(strings = {"Sec-WebSocket-Version: 8", "Sec-WebSocket-Key: short==", "Sec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Version: 13"})
    void behindAnUpgradeTheProxyRefusesItNothingReachesTheUpstream(String broken) throws Exception {
        String request = WEBSOCKET.replace(broken.startsWith("Sec-WebSocket-Key") ? "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
                : "Sec-WebSocket-Version: 13", broken);

        RawClient.Reply reply = send(request + PRIVATE);

        assertEquals(1, reply.statuses().size(), reply::text);
        assertFalse(reply.status() == 101 || reply.status() == 200, reply::text);
        upstream.assertNeverContacted();
    }

    @ParameterizedTest
    @ValueSource(strings = {"200 OK", "403 Forbidden", "404 Not Found", "426 Upgrade Required", "500 Internal Server Error"})
    void behindAnUpgradeTheUpstreamDeclinesTheSecondRequestNeverReachesIt(String status) throws Exception {
        upstream.script(ScriptedUpstream.answering("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\n\r\n"));

        RawClient.Reply reply = send(WEBSOCKET + PRIVATE);

        assertEquals(Integer.parseInt(status.substring(0, 3)), reply.status(), reply::text);
        reply.assertCloses();
        assertEquals(1, reply.statuses().size(), reply::text);
        ScriptedUpstream.Peer peer = upstream.peer(0).awaitEnd();
        assertEquals(1, peer.requests().size(), peer::received);
        assertFalse(peer.received().contains("/admin"), peer::received);
        assertEquals(1, upstream.peers().size());
    }

    @Test
    void behindAnUpgradeWhose101IsInvalidTheSecondRequestNeverReachesTheUpstream() throws Exception {
        upstream.script(ScriptedUpstream.answering("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n"));

        RawClient.Reply reply = send(WEBSOCKET + PRIVATE);

        assertEquals(502, reply.status(), reply::text);
        assertEquals(1, reply.statuses().size(), reply::text);
        ScriptedUpstream.Peer peer = upstream.peer(0).awaitEnd();
        assertFalse(peer.received().contains("/admin"), peer::received);
        assertEquals(1, upstream.peers().size());
    }

    @Test
    void behindAPlainRequestAPipelinedOneIsServedSoTheChecksAboveCanFail() throws Exception {
        RawClient.Reply reply = send("GET /public HTTP/1.1\r\nHost: app.example\r\n\r\n" + PRIVATE);

        assertEquals(2, reply.statuses().size(), reply::text);
        ScriptedUpstream.Peer peer = upstream.peer(0).awaitEnd();
        assertEquals(2, peer.requests().size(), peer::received);
        assertEquals("/admin", peer.requests().get(1).target());
    }
}
