package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.hop.Refusal;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.ExtendedConnect;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeAttempt;
import io.github.upgrade4j.upgrade.UpgradeDecision;
import io.github.upgrade4j.upgrade.UpgradeNegotiator;
import io.github.upgrade4j.upgrade.UpgradeReason;
import io.github.upgrade4j.upgrade.Verdict;
import io.github.upgrade4j.upgrade.WebSocketHandshake;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, item 2: a 101 inside an HTTP/1.0 response. Upgrade is an HTTP/1.1 mechanism (RFC 9110
 * §7.8) and a WebSocket handshake is HTTP/1.1 both ways (RFC 6455 §4.1), so
 * {@code HTTP/1.0 101 Switching Protocols} is not a switch: an HTTP/1.0 hop that relays it does not
 * know the connection changed protocol. The proxy opened the tunnel anyway; now the answer is a 502
 * with {@link UpgradeReason#SWITCH_NOT_HTTP_1_1}, on every path that accepts a 101: the proxy's
 * judgement, the hop-by-hop policy that relays a 101, and the RFC 8441 downgrade.
 *
 * <p>The other half holds already and is kept: an HTTP/1.0 request offers no upgrade upstream at all
 * (RFC 9110 §7.8 has a server ignore {@code Upgrade} in an HTTP/1.0 request), so any 101 answering
 * it is unsolicited.
 */
class Http10SwitchTest {
    private static final String UPGRADE = """
            GET /chat HTTP/1.1\r
            Host: chat.example\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Sec-WebSocket-Version: 13\r
            \r
            """;

    /** A switch that is right in every respect but its version. */
    private static final String SWITCH_1_0 = """
            HTTP/1.0 101 Switching Protocols\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
            \r
            """;

    @Test
    void a101InAnHttp10ResponseIsA502AndOpensNoTunnel() {
        UpgradeAttempt attempt = attempt(UPGRADE);

        var invalid = assertInstanceOf(ErrorAnswer.class,
                ProxyUpgrade.standard().judge(attempt, Wire.response(SWITCH_1_0)));
        assertEquals(UpgradeReason.Invalid.SWITCH_NOT_HTTP_1_1, invalid.reason());
        assertEquals(502, invalid.response().status());
        assertEquals("the upstream answered 101 in an HTTP/1.0 response; expected HTTP/1.1, the only version that"
                + " can switch protocols", invalid.detail());
        assertTrue(invalid.message().contains("proxy_http_version 1.1"), invalid.message());
        assertTrue(invalid.response().headers().hasToken(HeaderName.CONNECTION, "close"));
        assertEquals(List.of(Integer.toString(invalid.body().length)),
                invalid.response().headers().values(HeaderName.CONTENT_LENGTH));

        // The same answer as HTTP/1.1 is a valid switch: the version alone made the difference.
        assertInstanceOf(Verdict.Tunnel.class, ProxyUpgrade.standard().judge(attempt,
                Wire.response(SWITCH_1_0.replace("HTTP/1.0 101", "HTTP/1.1 101"))));
    }

    @Test
    void anHttp10SwitchToAnotherProtocolIsRefusedToo() {
        ProxyUpgrade ircToo = ProxyUpgrade.builder().allow("websocket", "irc").build();
        var forward = assertInstanceOf(Outbound.Forward.class, ircToo.towardUpstream(
                Wire.request("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: IRC\r\nConnection: Upgrade\r\n\r\n")));

        var invalid = assertInstanceOf(ErrorAnswer.class, ircToo.judge(forward.attempt(),
                Wire.response("HTTP/1.0 101 Switching Protocols\r\nUpgrade: IRC\r\nConnection: Upgrade\r\n\r\n")));
        assertEquals(UpgradeReason.Invalid.SWITCH_NOT_HTTP_1_1, invalid.reason());
        assertInstanceOf(Verdict.Tunnel.class, ircToo.judge(forward.attempt(),
                Wire.response("HTTP/1.1 101 Switching Protocols\r\nUpgrade: IRC\r\nConnection: Upgrade\r\n\r\n")));
    }

    @Test
    void theHopByHopPolicyRefusesToRelayAnHttp10Switch() {
        var refuse = assertInstanceOf(Forwarding.Refuse.class,
                HopByHopPolicy.standard().forResponse(Wire.response(SWITCH_1_0)));

        assertEquals(Refusal.SWITCH_NOT_HTTP_1_1, refuse.reason());
        assertEquals(502, refuse.status());
        assertEquals("expected a 101 in an HTTP/1.1 response but it was HTTP/1.0", refuse.detail());
        assertInstanceOf(Forwarding.Forward.class, HopByHopPolicy.standard().forResponse(
                Wire.response("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")), "other HTTP/1.0 answers are relayed");
    }

    @Test
    void anExtendedConnectDowngradeAnsweredWithAnHttp10SwitchFails() {
        var downgrade = assertInstanceOf(ExtendedConnect.Translated.class, ExtendedConnect.toHttp1(
                new ExtendedConnect.Request("websocket", "https", "chat.example", "/chat", Headers.of())));
        ExtendedConnect.Downgrade request = (ExtendedConnect.Downgrade) downgrade.value();
        String key = request.head().headers().first(HeaderName.SEC_WEBSOCKET_KEY).orElseThrow();
        ResponseHead switch10 = new ResponseHead(HttpVersion.HTTP_1_0, 101, "Switching Protocols", Headers.of(
                "Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Accept", WebSocketHandshake.accept(key)));

        var failed = assertInstanceOf(ExtendedConnect.Failed.class, ExtendedConnect.answerForHttp2(request, switch10));
        assertEquals(UpgradeReason.Invalid.SWITCH_NOT_HTTP_1_1, failed.answer().reason());
        assertEquals(502, failed.answer().response().status());
        assertInstanceOf(ExtendedConnect.Translated.class, ExtendedConnect.answerForHttp2(request,
                new ResponseHead(HttpVersion.HTTP_1_1, 101, "Switching Protocols", switch10.headers())));
    }

    @Test
    void anHttp10RequestIsForwardedWithoutAnyOfferSoEvery101ToItIsUnsolicited() {
        var forward = assertInstanceOf(Outbound.Forward.class,
                ProxyUpgrade.standard().towardUpstream(Wire.request(UPGRADE.replace("HTTP/1.1", "HTTP/1.0"))));

        Headers sent = forward.head().headers();
        assertFalse((forward.attempt() instanceof UpgradeAttempt.Forwarded));
        assertEquals(UpgradeReason.Ignored.HTTP_1_0_REQUEST, ((UpgradeDecision.Ignore) forward.attempt()).reason());
        assertFalse(sent.contains(HeaderName.UPGRADE), sent::toString);
        assertFalse(sent.hasToken(HeaderName.CONNECTION, "upgrade"), sent::toString);
        for (String answer : List.of(SWITCH_1_0, SWITCH_1_0.replace("HTTP/1.0 101", "HTTP/1.1 101"))) {
            var invalid = assertInstanceOf(ErrorAnswer.class,
                    ProxyUpgrade.standard().judge(forward.attempt(), Wire.response(answer)));
            assertEquals(UpgradeReason.Invalid.UNSOLICITED_SWITCH, invalid.reason(), answer);
        }
        // The origin role agrees: it serves the HTTP/1.0 request as plain HTTP.
        var ignore = assertInstanceOf(UpgradeDecision.Ignore.class,
                UpgradeNegotiator.standard().decide(Wire.request(UPGRADE.replace("HTTP/1.1", "HTTP/1.0"))));
        assertEquals(UpgradeReason.Ignored.HTTP_1_0_REQUEST, ignore.reason());
    }

    private static UpgradeAttempt attempt(String raw) {
        var forward = assertInstanceOf(Outbound.Forward.class,
                ProxyUpgrade.standard().towardUpstream(Wire.request(raw)));
        assertTrue((forward.attempt() instanceof UpgradeAttempt.Forwarded));
        return forward.attempt();
    }
}
