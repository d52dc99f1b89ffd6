package io.github.upgrade4j.examples.proxy.attacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * websocket-smuggle scenario 2 (github.com/0ang3el/websocket-smuggle), end to end through the example
 * proxy: a back end endpoint that answers with the status of a URL the attacker chooses lets the
 * attacker produce a 101 the back end never meant; a proxy that only looks at the status then relays
 * the next request, {@code GET /flag}, straight to the back end. Here the POST is refused before any
 * upstream is contacted, and a 101 that is not a real WebSocket switch is a 502: no tunnel, and the
 * smuggled request never reaches the upstream.
 */
public class WebSocketSmuggleScenario2IT extends ThroughTheProxy {
    private static final String ATTACK = """
            POST /api/public/healthcheck HTTP/1.1\r
            Host: websocket.example.com\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Key: nf6dB8Pb/BLinZ7UexUXHg==\r
            Sec-WebSocket-Version: 13\r
            Content-Type: application/x-www-form-urlencoded\r
            Content-Length: 31\r
            \r
            u=http://attacker.example:8/101""";

    @Test
    void aPostWithUpgradeIsRefusedAtTheProxyAndNothingReachesTheUpstream() throws Exception {
        RawClient.Reply reply = send(ATTACK + SMUGGLED);

        assertEquals(400, reply.status(), reply::text);
        assertTrue(reply.body().contains("POST"), reply::body);
        assertEquals(1, reply.statuses().size(), reply::text);
        upstream.assertNeverContacted();
    }

    /** What an SSRF-style endpoint can produce: a 101 without the handshake that belongs to this request. */
    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 101 SWITCHING PROTOCOLS\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"})
    void aSwitchThatIsNotThisHandshakesIsA502AndTheSmuggledRequestNeverReachesTheUpstream(String fake101)
            throws Exception {
        upstream.script(ScriptedUpstream.answering(fake101));

        RawClient.Reply reply = send(WEBSOCKET.replace("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                "Sec-WebSocket-Key: nf6dB8Pb/BLinZ7UexUXHg==") + SMUGGLED);

        assertEquals(502, reply.status(), reply::text);
        assertEquals(1, reply.statuses().size(), reply::text);
        ScriptedUpstream.Peer peer = upstream.peer(0).awaitEnd();
        assertEquals(1, peer.requests().size(), peer::received);
        assertFalse(peer.received().contains("/flag"), peer::received);
        assertEquals(1, upstream.peers().size());
        assertFalse(proxy.output().contains("/chat -> 101"), proxy::output);
    }
}
