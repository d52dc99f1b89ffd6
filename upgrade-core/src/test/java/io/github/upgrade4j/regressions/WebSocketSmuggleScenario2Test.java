package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeAttempt;
import io.github.upgrade4j.upgrade.UpgradeReason;
import io.github.upgrade4j.upgrade.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * websocket-smuggle scenario 2 (Mikhail Egorov, github.com/0ang3el/websocket-smuggle, Hacktivity 2019):
 * the proxy checks only the status of the upstream's answer.
 *
 * <p>The backend behind nginx ({@code proxy_set_header Upgrade $http_upgrade; proxy_set_header
 * Connection "upgrade";}) has a public health-check endpoint, {@code POST /api/public/healthcheck},
 * that fetches a URL from the form and answers with that URL's status code, and a private REST API.
 * The attacker posts to the health check with {@code Upgrade: websocket} and a URL of their own server,
 * which answers 101. nginx sees a request with an {@code Upgrade} field and a 101 back, and turns the
 * connection into a tunnel, although the backend never switched and keeps reading HTTP: the
 * attacker's next request, {@code GET /flag}, reaches the private API. The research expects most
 * proxies to be affected wherever such an SSRF-style endpoint exists.
 *
 * <p>Two defences are shown. A WebSocket handshake is always a GET (RFC 6455 §4.1), so the proxy
 * refuses the POST before contacting the upstream. With that check turned off, the forged 101 is
 * refused as a 502 because it does not carry the {@code Sec-WebSocket-Accept} computed from the key
 * the client sent. The accept check alone is weaker: an endpoint that relayed the attacker's headers
 * could echo a correct accept, since the attacker chose the key; the GET check does not depend on that.
 */
class WebSocketSmuggleScenario2Test {
    private static final String ATTACK = """
            POST /api/public/healthcheck HTTP/1.1\r
            Host: websocket.example.com\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Key: nf6dB8Pb/BLinZ7UexUXHg==\r
            Sec-WebSocket-Version: 13\r
            Content-Type: application/x-www-form-urlencoded\r
            Content-Length: 30\r
            \r
            """;

    /** What the health check relays: only the status of the attacker's answer, with Flask's defaults. */
    private static final String BARE_101 = """
            HTTP/1.1 101 SWITCHING PROTOCOLS\r
            Content-Type: text/html; charset=utf-8\r
            Content-Length: 0\r
            \r
            """;

    /** A forged 101 that looks like a switch but cannot know the accept. */
    private static final String FORGED_101 = """
            HTTP/1.1 101 Switching Protocols\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            \r
            """;

    private static final ProxyUpgrade LENIENT = ProxyUpgrade.builder().validateWebSocket(false).build();

    @Test
    void aPostWithUpgradeWebsocketIsRefusedAtTheProxy() {
        Outbound outbound = ProxyUpgrade.standard().towardUpstream(Wire.request(ATTACK));

        var refuse = assertInstanceOf(ErrorAnswer.class, outbound);
        assertEquals(UpgradeReason.Refused.WEBSOCKET_METHOD_NOT_GET, refuse.reason());
        assertEquals(400, refuse.response().status());
        assertTrue(refuse.detail().contains("POST"), refuse.detail());
        assertTrue(refuse.message().contains("smuggling"), refuse.message());
        assertEquals(List.of(Integer.toString(refuse.body().length)),
                refuse.response().headers().values(HeaderName.CONTENT_LENGTH));
    }

    @Test
    void aPostWithoutAnyWebSocketFieldsIsRefusedAtTheProxyToo() {
        String bare = ATTACK.replace("Sec-WebSocket-Key: nf6dB8Pb/BLinZ7UexUXHg==\r\n", "")
                .replace("Sec-WebSocket-Version: 13\r\n", "");

        var refuse = assertInstanceOf(ErrorAnswer.class,
                ProxyUpgrade.standard().towardUpstream(Wire.request(bare)));
        assertEquals(UpgradeReason.Refused.WEBSOCKET_METHOD_NOT_GET, refuse.reason());
    }

    @Test
    void withValidationOffABareRelayed101IsInvalid() {
        UpgradeAttempt attempt = forwardedAttempt();

        var invalid = assertInstanceOf(ErrorAnswer.class,
                LENIENT.judge(attempt, Wire.response(BARE_101)));
        assertEquals(UpgradeReason.Invalid.SWITCH_WITHOUT_CONNECTION_UPGRADE, invalid.reason());
        assertEquals(502, invalid.response().status());
    }

    @Test
    void withValidationOffAForged101WithoutTheAcceptIsInvalid() {
        UpgradeAttempt attempt = forwardedAttempt();

        var invalid = assertInstanceOf(ErrorAnswer.class,
                LENIENT.judge(attempt, Wire.response(FORGED_101)));
        assertEquals(UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISSING, invalid.reason());
        assertEquals(502, invalid.response().status());
        assertTrue(invalid.detail().contains("Sec-WebSocket-Accept"), invalid.detail());
        assertEquals(List.of(Integer.toString(invalid.body().length)),
                invalid.response().headers().values(HeaderName.CONTENT_LENGTH));
    }

    @Test
    void withValidationOffAForged101WithAnotherHandshakesAcceptIsInvalid() {
        UpgradeAttempt attempt = forwardedAttempt();
        // RFC 6455 §1.3's sample accept, the answer to a different key.
        String forged = FORGED_101.replace("\r\n\r\n", "\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");

        var invalid = assertInstanceOf(ErrorAnswer.class, LENIENT.judge(attempt, Wire.response(forged)));
        assertEquals(UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISMATCH, invalid.reason());
        assertEquals(502, invalid.response().status());
        assertTrue(invalid.detail().contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), invalid.detail());
    }

    /** With validation off the POST goes upstream as an upgrade, as it would through nginx. */
    private static UpgradeAttempt forwardedAttempt() {
        var forward = assertInstanceOf(Outbound.Forward.class, LENIENT.towardUpstream(Wire.request(ATTACK)));
        assertEquals("POST", forward.head().method());
        assertTrue((forward.attempt() instanceof UpgradeAttempt.Forwarded));
        return forward.attempt();
    }
}
