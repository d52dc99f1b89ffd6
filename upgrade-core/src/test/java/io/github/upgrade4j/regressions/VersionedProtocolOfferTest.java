package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.Protocol;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeAttempt;
import io.github.upgrade4j.upgrade.UpgradeDecision;
import io.github.upgrade4j.upgrade.UpgradeNegotiator;
import io.github.upgrade4j.upgrade.UpgradeReason;
import io.github.upgrade4j.upgrade.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, item 4: the allowlist entry {@code websocket} allowed {@code Upgrade: websocket/13}, since
 * the proxy compared names only. RFC 6455 §4.1 requires the token {@code websocket} itself, and RFC
 * 9110 §7.8 makes a protocol {@code name ["/" version]}, so {@code websocket/13} is another protocol,
 * and an upstream that accepts it is not speaking RFC 6455.
 *
 * <p>An entry now allows its name (ignoring ASCII case, as RFC 9110 §7.8 recommends) with exactly its
 * version, or with none when it names none. An offer no entry allows is not forwarded: the request
 * goes upstream as plain HTTP and the attempt says why.
 */
class VersionedProtocolOfferTest {
    private static final String UPGRADE = """
            GET /chat HTTP/1.1\r
            Host: chat.example\r
            Upgrade: websocket/13\r
            Connection: Upgrade\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Sec-WebSocket-Version: 13\r
            \r
            """;
    private static final String SWITCH = """
            HTTP/1.1 101 Switching Protocols\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
            \r
            """;

    @Test
    void theWebsocketEntryDoesNotForwardWebsocketSlash13() {
        var forward = assertInstanceOf(Outbound.Forward.class,
                ProxyUpgrade.standard().towardUpstream(Wire.request(UPGRADE)));

        UpgradeAttempt attempt = forward.attempt();
        assertFalse((attempt instanceof UpgradeAttempt.Forwarded));
        UpgradeDecision.Ignore why = ((UpgradeDecision.Ignore) attempt);
        assertEquals(UpgradeReason.Ignored.NO_SUPPORTED_PROTOCOL, why.reason());
        assertEquals("the client offered websocket/13 but the proxy forwards only websocket; an entry allows its"
                + " name with exactly its version or none, so 'websocket' does not allow 'websocket/13'", why.detail());
        assertFalse(forward.head().headers().contains(HeaderName.UPGRADE), forward.head()::toString);
        assertEquals(List.of("keep-alive"), forward.head().headers().values(HeaderName.CONNECTION));
        // Whatever the upstream makes of it, no tunnel opens.
        var invalid = assertInstanceOf(ErrorAnswer.class, ProxyUpgrade.standard().judge(attempt,
                Wire.response(SWITCH.replace("Upgrade: websocket", "Upgrade: websocket/13"))));
        assertEquals(UpgradeReason.Invalid.UNSOLICITED_SWITCH, invalid.reason());
    }

    @Test
    void plainWebsocketStillOpensTheTunnelAndIsAllThatIsForwardedFromAMixedOffer() {
        var forward = assertInstanceOf(Outbound.Forward.class, ProxyUpgrade.standard().towardUpstream(
                Wire.request(UPGRADE.replace("Upgrade: websocket/13", "Upgrade: websocket/13, WebSocket"))));

        assertEquals(List.of("WebSocket"), forward.head().headers().values(HeaderName.UPGRADE));
        assertEquals(List.of(new Protocol("WebSocket", null)), ((UpgradeAttempt.Forwarded) forward.attempt()).offered());
        var tunnel = assertInstanceOf(Verdict.Tunnel.class,
                ProxyUpgrade.standard().judge(forward.attempt(), Wire.response(SWITCH)));
        assertTrue(tunnel.protocol().sameAs(Protocol.WEBSOCKET));
    }

    @Test
    void aVersionedEntryAllowsExactlyThatVersion() {
        ProxyUpgrade proxy = ProxyUpgrade.builder().allow("websocket", "foo/2").build();

        for (String offer : List.of("foo/2", "FOO/2", "Foo/2")) {
            var forward = forward(proxy, offer);
            assertEquals(List.of(offer), forward.head().headers().values(HeaderName.UPGRADE), offer);
            var tunnel = assertInstanceOf(Verdict.Tunnel.class, proxy.judge(forward.attempt(),
                    Wire.response("HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo/2\r\nConnection: Upgrade\r\n\r\n")));
            assertEquals(List.of(offer), tunnel.response().headers().values(HeaderName.UPGRADE), "as the client spelled it");
        }
        for (String offer : List.of("foo", "foo/3", "foo/2.0", "foo/20")) {
            var forward = forward(proxy, offer);
            assertFalse((forward.attempt() instanceof UpgradeAttempt.Forwarded), offer);
            assertEquals(UpgradeReason.Ignored.NO_SUPPORTED_PROTOCOL, ((UpgradeDecision.Ignore) forward.attempt()).reason());
            assertTrue(((UpgradeDecision.Ignore) forward.attempt()).detail()
                    .endsWith("so 'foo/2' does not allow '" + offer + "'"), offer);
        }
        assertEquals(List.of("foo/2"), forward(proxy, "foo/3, foo/2, foo").head().headers().values(HeaderName.UPGRADE));
    }

    @Test
    void anUnversionedEntryAllowsNoVersionOfItsProtocol() {
        ProxyUpgrade proxy = ProxyUpgrade.builder().allow("irc").build();

        assertTrue((forward(proxy, "IRC").attempt() instanceof UpgradeAttempt.Forwarded));
        assertFalse((forward(proxy, "IRC/6.9").attempt() instanceof UpgradeAttempt.Forwarded));
    }

    @Test
    void anEntryThatIsNotAProtocolIsRejectedWhenTheProxyIsBuilt() {
        for (String entry : List.of("web socket", "foo/", "/2", "a/b/c", "")) {
            assertThrows(IllegalArgumentException.class, () -> ProxyUpgrade.builder().allow(entry), entry);
        }
    }

    @Test
    void theOriginRoleAlreadyTreatedWebsocketSlash13AsAnotherProtocol() {
        var ignore = assertInstanceOf(UpgradeDecision.Ignore.class,
                UpgradeNegotiator.standard().decide(Wire.request(UPGRADE)));

        assertEquals(UpgradeReason.Ignored.NO_SUPPORTED_PROTOCOL, ignore.reason());
    }

    private static Outbound.Forward forward(ProxyUpgrade proxy, String offer) {
        return assertInstanceOf(Outbound.Forward.class, proxy.towardUpstream(Wire.request(
                "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: " + offer + "\r\nConnection: Upgrade\r\n\r\n")));
    }
}
