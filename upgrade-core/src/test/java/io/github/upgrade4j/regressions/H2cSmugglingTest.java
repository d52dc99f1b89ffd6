package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.Protocol;
import io.github.upgrade4j.upgrade.UpgradeAttempt;
import io.github.upgrade4j.upgrade.UpgradeDecision;
import io.github.upgrade4j.upgrade.UpgradeReason;
import io.github.upgrade4j.upgrade.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * h2c smuggling (Jake Miller, Bishop Fox, 2020; the {@code h2csmuggler} tool): a proxy that forwards
 * {@code Upgrade: h2c} lets the client switch its connection to the upstream to cleartext HTTP/2
 * (RFC 7540 §3.2). The proxy then relays opaque bytes, and every later request on that connection
 * reaches the upstream past the proxy's path rules and authentication. The tool sends
 * {@code Upgrade: h2c}, {@code HTTP2-Settings} and {@code Connection: Upgrade, HTTP2-Settings}; its
 * {@code --upgrade-only} mode leaves out {@code HTTP2-Settings}. The remedy in its README: do not
 * forward user-supplied {@code Upgrade} or {@code Connection} values. RFC 9113 §3.1 has since
 * deprecated the h2c upgrade.
 *
 * <p>{@link ProxyUpgrade#standard()} forwards only {@code websocket}: an h2c offer goes upstream as a
 * plain request, and a 101 to it is refused as unsolicited.
 */
class H2cSmugglingTest {
    private static final String ATTACK = """
            GET /flag HTTP/1.1\r
            Host: backend.example\r
            Accept: */*\r
            Upgrade: h2c\r
            HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r
            Connection: Upgrade, HTTP2-Settings\r
            \r
            """;

    private static final String SWITCH_TO_H2C = """
            HTTP/1.1 101 Switching Protocols\r
            Connection: Upgrade\r
            Upgrade: h2c\r
            \r
            """;

    @Test
    void anH2cOfferGoesUpstreamAsAPlainRequestWithoutUpgradeOrHttp2Settings() {
        var forward = assertInstanceOf(Outbound.Forward.class,
                ProxyUpgrade.standard().towardUpstream(Wire.request(ATTACK)));

        assertFalse((forward.attempt() instanceof UpgradeAttempt.Forwarded));
        assertEquals(UpgradeReason.Ignored.NO_SUPPORTED_PROTOCOL, ((UpgradeDecision.Ignore) forward.attempt()).reason());
        assertTrue(((UpgradeDecision.Ignore) forward.attempt()).detail().contains("h2c"));
        assertEquals("""
                GET /flag HTTP/1.1\r
                Host: backend.example\r
                Accept: */*\r
                Connection: keep-alive\r
                \r
                """, new String(Http1Writer.toBytes(forward.head()), StandardCharsets.ISO_8859_1));
    }

    @Test
    void aSwitchToH2cAnsweringThatPlainRequestIsInvalid() {
        ProxyUpgrade proxy = ProxyUpgrade.standard();
        var forward = assertInstanceOf(Outbound.Forward.class, proxy.towardUpstream(Wire.request(ATTACK)));

        var invalid = assertInstanceOf(ErrorAnswer.class,
                proxy.judge(forward.attempt(), Wire.response(SWITCH_TO_H2C)));
        assertEquals(UpgradeReason.Invalid.UNSOLICITED_SWITCH, invalid.reason());
        assertEquals(502, invalid.response().status());
        assertTrue(invalid.detail().contains("without an upgrade"), invalid.detail());
        assertTrue(invalid.detail().contains("NO_SUPPORTED_PROTOCOL"), invalid.detail());
    }

    @Test
    void theUpgradeOnlyVariantAndOtherSpellingsAreNotForwardedEither() {
        String upgradeOnly = ATTACK.replace("HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n", "")
                .replace("Connection: Upgrade, HTTP2-Settings", "Connection: Upgrade");
        for (String raw : List.of(upgradeOnly, ATTACK.replace("h2c", "H2C"),
                ATTACK.replace("Upgrade: h2c", "Upgrade: h2c\r\nUpgrade: h2c"))) {
            var forward = assertInstanceOf(Outbound.Forward.class,
                    ProxyUpgrade.standard().towardUpstream(Wire.request(raw)));
            assertFalse((forward.attempt() instanceof UpgradeAttempt.Forwarded), raw);
            assertFalse(forward.head().headers().contains(HeaderName.UPGRADE), raw);
            assertFalse(forward.head().headers().contains(HeaderName.HTTP2_SETTINGS), raw);
            assertEquals(List.of("keep-alive"), forward.head().headers().values(HeaderName.CONNECTION), raw);
        }
    }

    @Test
    void anOfferOfWebsocketAndH2cForwardsOnlyWebsocket() {
        String both = """
                GET /chat HTTP/1.1\r
                Host: backend.example\r
                Upgrade: websocket, h2c\r
                HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r
                Connection: Upgrade, HTTP2-Settings\r
                Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
                Sec-WebSocket-Version: 13\r
                \r
                """;

        var forward = assertInstanceOf(Outbound.Forward.class,
                ProxyUpgrade.standard().towardUpstream(Wire.request(both)));

        assertEquals(List.of(Protocol.WEBSOCKET), ((UpgradeAttempt.Forwarded) forward.attempt()).offered());
        assertEquals(List.of("websocket"), forward.head().headers().values(HeaderName.UPGRADE));
        assertEquals(List.of("upgrade"), forward.head().headers().values(HeaderName.CONNECTION));
        assertFalse(forward.head().headers().contains(HeaderName.HTTP2_SETTINGS));
        assertEquals(List.of("dGhlIHNhbXBsZSBub25jZQ=="), forward.head().headers().values(HeaderName.SEC_WEBSOCKET_KEY));
    }
}
