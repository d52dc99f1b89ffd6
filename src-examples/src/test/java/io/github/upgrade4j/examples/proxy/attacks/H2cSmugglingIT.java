package io.github.upgrade4j.examples.proxy.attacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * h2c smuggling (Bishop Fox's h2csmuggler), end to end through the example proxy: the client offers
 * {@code Upgrade: h2c} so that an h2c-capable back end switches the proxy's upstream connection to
 * HTTP/2, and then speaks HTTP/2 through what the proxy takes for an opaque tunnel, past every rule.
 * The example proxy forwards only WebSocket: the offer goes upstream as a plain request without
 * {@code Upgrade} or {@code HTTP2-Settings}, a 101 to it is a 502, and the HTTP/2 bytes the tool sends
 * next are read by the proxy as a request of their own and refused, never relayed.
 */
public class H2cSmugglingIT extends ThroughTheProxy {
    private static final String ATTACK = """
            GET /flag HTTP/1.1\r
            Host: backend.example\r
            Accept: */*\r
            Upgrade: h2c\r
            HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r
            Connection: Upgrade, HTTP2-Settings\r
            \r
            """;
    /** The HTTP/2 connection preface (RFC 9113 §3.4) and an empty SETTINGS frame, as the tool sends them. */
    private static final String PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u0000\u0000\u0000\u0004\u0000\u0000\u0000\u0000\u0000";

    @Test
    void theOfferGoesUpstreamAsAPlainRequestAndTheHttp2BytesNeverDo() throws Exception {
        RawClient.Reply reply = send(ATTACK + PREFACE);

        assertEquals(200, reply.status(), reply::text);
        reply.assertHeadHas("X-Upgrade-Not-Forwarded: NO_SUPPORTED_PROTOCOL");
        assertEquals(2, reply.statuses().size(), reply::text);
        assertTrue(reply.statuses().get(1) >= 400, () -> "the preface was answered " + reply.statuses());
        ScriptedUpstream.Peer peer = upstream.peer(0).awaitEnd();
        assertEquals(1, peer.requests().size(), peer::received);
        Headers got = peer.requests().get(0).headers();
        assertFalse(got.contains(HeaderName.UPGRADE), got::toString);
        assertFalse(got.contains(HeaderName.HTTP2_SETTINGS), got::toString);
        assertEquals(List.of("keep-alive"), got.values(HeaderName.CONNECTION));
        assertFalse(peer.received().contains("PRI * HTTP/2.0"), peer::received);
    }

    @Test
    void anUpstreamThatSwitchesToH2cAnywayGets502AndNoTunnel() throws Exception {
        upstream.script(ScriptedUpstream.answering("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                + "Upgrade: h2c\r\n\r\n"));

        RawClient.Reply reply = send(ATTACK + PREFACE);

        assertEquals(502, reply.status(), reply::text);
        proxy.awaitLine("-> 502 UNSOLICITED_SWITCH");
        assertEquals(1, reply.statuses().size(), reply::text);
        ScriptedUpstream.Peer peer = upstream.peer(0).awaitEnd();
        assertFalse(peer.received().contains("PRI * HTTP/2.0"), peer::received);
        assertFalse(proxy.output().contains("/flag -> 101"), proxy::output);
    }

    @Test
    void theUpgradeOnlyVariantAndAMixedOfferForwardOnlyWebsocket() throws Exception {
        RawClient.Reply upgradeOnly = send(ATTACK.replace("HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n", "")
                .replace("Connection: Upgrade, HTTP2-Settings", "Connection: Upgrade, close"));
        assertEquals(200, upgradeOnly.status(), upgradeOnly::text);
        assertFalse(upstream.peer(0).awaitEnd().requests().get(0).headers().contains(HeaderName.UPGRADE));

        upstream.script(ScriptedUpstream.echoing());
        try (RawClient client = RawClient.connect(proxyAddress())) {
            client.send(WEBSOCKET.replace("Upgrade: websocket", "Upgrade: websocket, h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA")
                    .replace("Connection: Upgrade", "Connection: Upgrade, HTTP2-Settings")).readUntil("\r\n\r\n");
            assertTrue(client.text().startsWith("HTTP/1.1 101 "), client::text);
            Headers got = upstream.peer(1).requests().get(0).headers();
            assertEquals(List.of("websocket"), got.values(HeaderName.UPGRADE));
            assertFalse(got.contains(HeaderName.HTTP2_SETTINGS), got::toString);
        }
    }
}
