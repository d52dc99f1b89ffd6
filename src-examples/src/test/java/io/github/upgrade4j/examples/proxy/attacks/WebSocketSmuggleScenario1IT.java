package io.github.upgrade4j.examples.proxy.attacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * websocket-smuggle scenario 1 (github.com/0ang3el/websocket-smuggle), end to end through the example
 * proxy: an upgrade with a version the back end refuses, answered 426, and a private request
 * pipelined behind it. A proxy that takes any answer to an upgrade for a switch relays those bytes to
 * a back end still speaking HTTP. Here they never reach the upstream: the proxy refuses the version
 * itself, and a 426 from the upstream closes the client connection after it is relayed.
 */
public class WebSocketSmuggleScenario1IT extends ThroughTheProxy {
    private static final String ATTACK = """
            GET /socket.io/?EIO=3&transport=websocket HTTP/1.1\r
            Host: websocket.example.com\r
            Sec-WebSocket-Version: 1337\r
            Origin: http://websocket.example.com\r
            Sec-WebSocket-Key: nf6dB8Pb/BLinZ7UexUXHg==\r
            Connection: keep-alive, Upgrade\r
            Upgrade: websocket\r
            \r
            """;
    private static final String UPGRADE_REQUIRED = """
            HTTP/1.1 426 Upgrade Required\r
            Sec-WebSocket-Version: 13\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Content-Type: text/plain\r
            Content-Length: 16\r
            \r
            Upgrade Required""";

    @Test
    void theProxyAnswers426ItselfAndTheUpstreamNeverSeesTheSmuggledRequest() throws Exception {
        RawClient.Reply reply = send(ATTACK + SMUGGLED);

        assertEquals(426, reply.status(), reply::text);
        reply.assertHeadHas("Sec-WebSocket-Version: 13").assertCloses();
        assertEquals(1, reply.statuses().size(), () -> "the smuggled request was answered:\n" + reply.text());
        upstream.assertNeverContacted();
    }

    @Test
    void a426FromTheUpstreamIsRelayedAndTheSmuggledRequestIsNeverRead() throws Exception {
        upstream.script(ScriptedUpstream.answering(UPGRADE_REQUIRED));

        RawClient.Reply reply = send(ATTACK.replace("1337", "13") + SMUGGLED);

        assertEquals(426, reply.status(), reply::text);
        reply.assertCloses();
        // The advertisement of websocket, which the proxy forwards, reaches the client (RFC 9110 §15.5.22).
        assertTrue(reply.head().contains("\r\nUpgrade: websocket\r\n"), reply::head);
        assertTrue(reply.head().contains("\r\nConnection: upgrade, close\r\n"), reply::head);
        assertEquals("Upgrade Required", reply.body());
        assertEquals(1, reply.statuses().size(), () -> "the smuggled request was answered:\n" + reply.text());
        ScriptedUpstream.Peer peer = upstream.peer(0).awaitEnd();
        assertEquals(1, peer.requests().size(), peer::received);
        assertFalse(peer.received().contains("/flag"), peer::received);
        assertEquals(1, upstream.peers().size());
        assertTrue(proxy.awaitLine("/socket.io/?EIO=3&transport=websocket -> 426").contains("NOT_SWITCHED"));
    }
}
