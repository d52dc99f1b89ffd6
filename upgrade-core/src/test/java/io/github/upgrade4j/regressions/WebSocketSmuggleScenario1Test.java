package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.Protocol;
import io.github.upgrade4j.upgrade.UpgradeAttempt;
import io.github.upgrade4j.upgrade.UpgradeReason;
import io.github.upgrade4j.upgrade.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * websocket-smuggle scenario 1 (Mikhail Egorov, github.com/0ang3el/websocket-smuggle, Hacktivity 2019):
 * the proxy does not check the upstream's answer to an upgrade.
 *
 * <p>The backend exposes a public WebSocket API and a private REST API. The attacker sends an
 * upgrade request with an unsupported {@code Sec-WebSocket-Version} (the proxy does not validate
 * it) and the backend answers {@code 426 Upgrade Required}. A proxy that does not look at that status
 * still treats the connection as a WebSocket tunnel; the backend, which never switched, keeps reading
 * HTTP on it, so the attacker's next bytes, {@code GET /flag HTTP/1.1}, reach the private API past
 * every rule of the proxy. The research found Varnish and Envoy 1.8.0 and older affected.
 *
 * <p>Two defences are shown: the version is checked at the proxy, which answers 426 itself without
 * contacting the upstream; and when that check is turned off, a 426 from the upstream is relayed as
 * plain HTTP with the client connection closed after it, so the bytes that follow are never read.
 */
class WebSocketSmuggleScenario1Test {
    /** The upgrade request of the challenge, with a version nobody supports. */
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

    /** What the Flask-SocketIO backend answers to it. */
    private static final String UPGRADE_REQUIRED = """
            HTTP/1.1 426 Upgrade Required\r
            Sec-WebSocket-Version: 13\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Content-Type: text/plain\r
            Content-Length: 16\r
            \r
            """;

    @Test
    void theProxyAnswers426ItselfBeforeContactingTheUpstream() {
        Outbound outbound = ProxyUpgrade.standard().towardUpstream(Wire.request(ATTACK));

        // A Refuse carries no head for the upstream: there is nothing to send and nothing to tunnel.
        var refuse = assertInstanceOf(ErrorAnswer.class, outbound);
        assertEquals(UpgradeReason.Refused.WEBSOCKET_VERSION_UNSUPPORTED, refuse.reason());
        assertEquals(426, refuse.response().status());
        assertTrue(refuse.detail().contains("'1337'"), refuse.detail());
        assertTrue(refuse.message().contains("version 13"), refuse.message());
        Headers answer = refuse.response().headers();
        assertEquals(List.of("13"), answer.values(HeaderName.SEC_WEBSOCKET_VERSION));
        assertTrue(answer.hasToken(HeaderName.CONNECTION, "close"), answer::toString);
        assertEquals(List.of(Integer.toString(refuse.body().length)), answer.values(HeaderName.CONTENT_LENGTH));
    }

    @Test
    void aMissingOrRepeatedVersionIsRefusedAtTheProxyToo() {
        var missing = assertInstanceOf(ErrorAnswer.class, ProxyUpgrade.standard()
                .towardUpstream(Wire.request(ATTACK.replace("Sec-WebSocket-Version: 1337\r\n", ""))));
        assertEquals(UpgradeReason.Refused.WEBSOCKET_VERSION_UNSUPPORTED, missing.reason());
        assertEquals(426, missing.response().status());

        var repeated = assertInstanceOf(ErrorAnswer.class, ProxyUpgrade.standard().towardUpstream(
                Wire.request(ATTACK.replace("1337\r\n", "13\r\nSec-WebSocket-Version: 8\r\n"))));
        assertEquals(UpgradeReason.Refused.WEBSOCKET_VERSION_REPEATED, repeated.reason());
        assertEquals(400, repeated.response().status());
    }

    @Test
    void withValidationOffA426FromTheUpstreamIsRelayedAsPlainHttpAndTheClientConnectionCloses() {
        ProxyUpgrade lenient = ProxyUpgrade.builder().validateWebSocket(false).build();

        var forward = assertInstanceOf(Outbound.Forward.class,
                lenient.towardUpstream(Wire.request(ATTACK)));
        assertTrue((forward.attempt() instanceof UpgradeAttempt.Forwarded));
        assertEquals(List.of(Protocol.WEBSOCKET), ((UpgradeAttempt.Forwarded) forward.attempt()).offered());
        assertEquals(List.of("1337"), forward.head().headers().values(HeaderName.SEC_WEBSOCKET_VERSION),
                "the version travels end to end for the upstream to judge");

        Verdict verdict = lenient.judge(forward.attempt(), Wire.response(UPGRADE_REQUIRED));

        var plain = assertInstanceOf(Verdict.Plain.class, verdict);
        assertTrue(plain.closeClient(), "the bytes after the request must never be read as a request");
        assertEquals(UpgradeReason.Ignored.NOT_SWITCHED, plain.reason());
        assertEquals(426, plain.response().status());
        Headers toClient = plain.response().headers();
        // The 426's advertisement of websocket, which this proxy forwards, reaches the client, nominated
        // beside the close (RFC 9110 §15.5.22): the client may try again with version 13.
        assertEquals(List.of("upgrade, close"), toClient.values(HeaderName.CONNECTION));
        assertEquals(List.of("websocket"), toClient.values(HeaderName.UPGRADE));
        assertEquals(List.of("13"), toClient.values(HeaderName.SEC_WEBSOCKET_VERSION));
        assertEquals(List.of("16"), toClient.values(HeaderName.CONTENT_LENGTH));
    }

    @Test
    void anyOtherFinalAnswerToTheUpgradeAlsoClosesTheClientConnection() {
        ProxyUpgrade lenient = ProxyUpgrade.builder().validateWebSocket(false).build();
        var forward = assertInstanceOf(Outbound.Forward.class,
                lenient.towardUpstream(Wire.request(ATTACK)));

        for (String status : List.of("200 OK", "400 Bad Request", "404 Not Found")) {
            var plain = assertInstanceOf(Verdict.Plain.class, lenient.judge(forward.attempt(),
                    Wire.response("HTTP/1.1 " + status + "\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")));
            assertTrue(plain.closeClient(), status);
            assertEquals(List.of("close"), plain.response().headers().values(HeaderName.CONNECTION), status);
        }
    }
}
