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
import io.github.upgrade4j.upgrade.WebSocketHandshake;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket 101 whose {@code Sec-WebSocket-Accept} does not answer the key that was sent. RFC 6455
 * §1.3 and §4.1 make the client fail such a handshake: the accept proves that the server read this
 * very request as a WebSocket handshake, so that a cached or replayed 101, or a 101 from a server that
 * is not speaking WebSocket (websocket-smuggle scenario 2), is not mistaken for a switch. A proxy that
 * tunnels first and leaves the check to the client has already handed the connection over.
 *
 * <p>The proxy computes the expected accept from the key it forwarded and refuses, with a 502, a
 * wrong, re-cased, repeated or missing accept; the detail quotes what was expected and what came.
 */
class WrongWebSocketAcceptTest {
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String RIGHT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; // RFC 6455 §1.3
    /** The accept for the key {@code x3JJHMbDL1EzLkh9GBhXDw==}: right, but for another handshake. */
    private static final String ANOTHER_HANDSHAKES = "HSmrc0sMlYUkAGmm5OPpG2HaGWk=";

    private static final String UPGRADE = """
            GET /chat HTTP/1.1\r
            Host: server.example.com\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Origin: http://example.com\r
            Sec-WebSocket-Version: 13\r
            \r
            """;

    @Test
    void anotherHandshakesAcceptIsInvalid() {
        var invalid = judge("Sec-WebSocket-Accept: " + ANOTHER_HANDSHAKES + "\r\n");

        assertEquals(UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISMATCH, invalid.reason());
        assertEquals(502, invalid.response().status());
        assertTrue(invalid.detail().contains("expected Sec-WebSocket-Accept '" + RIGHT + "'"), invalid.detail());
        assertTrue(invalid.detail().contains(ANOTHER_HANDSHAKES), invalid.detail());
        assertTrue(invalid.message().contains("does not match the key"), invalid.message());
        assertEquals(List.of(Integer.toString(invalid.body().length)),
                invalid.response().headers().values(HeaderName.CONTENT_LENGTH));
    }

    @Test
    void aReCasedAcceptIsInvalidBecauseBase64IsCaseSensitive() {
        var invalid = judge("Sec-WebSocket-Accept: " + RIGHT.toLowerCase(Locale.ROOT) + "\r\n");

        assertEquals(UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISMATCH, invalid.reason());
    }

    @Test
    void aRepeatedAcceptIsInvalidEvenWhenOneOrBothAreRight() {
        for (String second : List.of(RIGHT, ANOTHER_HANDSHAKES)) {
            var invalid = judge("Sec-WebSocket-Accept: " + RIGHT + "\r\nSec-WebSocket-Accept: " + second + "\r\n");
            assertEquals(UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISMATCH, invalid.reason(), second);
            assertEquals(502, invalid.response().status());
        }
    }

    @Test
    void aMissingAcceptIsInvalid() {
        var invalid = judge("");

        assertEquals(UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISSING, invalid.reason());
        assertEquals(502, invalid.response().status());
    }

    @Test
    void theRightAcceptOpensTheTunnelAndReachesTheClient() {
        assertEquals(RIGHT, WebSocketHandshake.accept(KEY));
        var tunnel = assertInstanceOf(Verdict.Tunnel.class, ProxyUpgrade.standard().judge(attempt(),
                Wire.response(switching("Sec-WebSocket-Accept: " + RIGHT + "\r\n"))));

        assertEquals(List.of(RIGHT), tunnel.response().headers().values(HeaderName.SEC_WEBSOCKET_ACCEPT));
    }

    private static ErrorAnswer judge(String acceptLines) {
        return assertInstanceOf(ErrorAnswer.class,
                ProxyUpgrade.standard().judge(attempt(), Wire.response(switching(acceptLines))));
    }

    private static String switching(String acceptLines) {
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + acceptLines + "\r\n";
    }

    private static UpgradeAttempt attempt() {
        var forward = assertInstanceOf(Outbound.Forward.class,
                ProxyUpgrade.standard().towardUpstream(Wire.request(UPGRADE)));
        assertTrue((forward.attempt() instanceof UpgradeAttempt.Forwarded));
        return forward.attempt();
    }
}
