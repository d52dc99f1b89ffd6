package io.github.upgrade4j.upgrade;

import static io.github.upgrade4j.http.RawHeads.request;
import static io.github.upgrade4j.http.RawHeads.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExtendedConnectTest {
    private static final String CHROME = UpgradeNegotiatorTest.CHROME;

    @Test
    void anHttp1UpgradeBecomesAnExtendedConnect() {
        var translated = assertInstanceOf(ExtendedConnect.Translated.class, ExtendedConnect.toHttp2(request(CHROME), "https"));
        ExtendedConnect.Request h2 = (ExtendedConnect.Request) translated.value();

        assertEquals(new ExtendedConnect.Request("websocket", "https", "app.example", "/chat", Headers.of(
                "origin", "https://app.example", "sec-websocket-version", "13",
                "sec-websocket-extensions", "permessage-deflate; client_max_window_bits")), h2);
        assertEquals("origin", h2.fields().name(0).toString());
    }

    @Test
    void theHttp2AnswerBecomesTheClientsSwitch() {
        RequestHead client = request(CHROME);
        ResponseHead switched = ExtendedConnect.switchFromHttp2(client, 200,
                Headers.of("sec-websocket-extensions", "permessage-deflate", "content-length", "0"));

        assertEquals(101, switched.status());
        assertEquals(Headers.of("Upgrade", "websocket", "Connection", "Upgrade",
                "Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "sec-websocket-extensions", "permessage-deflate"),
                switched.headers());
        ResponseHead refused = ExtendedConnect.switchFromHttp2(client, 403, Headers.of("content-length", "0"));
        assertEquals(403, refused.status());
        assertTrue(refused.headers().hasToken(HeaderName.CONNECTION, "close"));
    }

    @Test
    void aBrokenHttp1HandshakeIsNotTranslated() {
        var failed = assertInstanceOf(ExtendedConnect.Failed.class,
                ExtendedConnect.toHttp2(request(CHROME.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8")), "http"));

        assertEquals(UpgradeReason.Refused.WEBSOCKET_VERSION_UNSUPPORTED, failed.answer().reason());
        assertEquals(UpgradeReason.Ignored.NOT_OFFERED, assertInstanceOf(ExtendedConnect.Failed.class,
                ExtendedConnect.toHttp2(request("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), "http")).answer().reason());
    }

    private static ExtendedConnect.Downgrade downgrade() {
        ExtendedConnect.Request h2 = new ExtendedConnect.Request("websocket", "https", "app.example:8443", "/chat",
                Headers.of("sec-websocket-protocol", "chat", "origin", "https://app.example"));
        return (ExtendedConnect.Downgrade) assertInstanceOf(ExtendedConnect.Translated.class, ExtendedConnect.toHttp1(h2))
                .value();
    }

    @Test
    void anExtendedConnectBecomesAnHttp1UpgradeWithAFreshKey() {
        ExtendedConnect.Downgrade first = downgrade();
        RequestHead head = first.head();

        assertEquals("GET", head.method());
        assertEquals("/chat", head.target());
        assertEquals(HttpVersion.HTTP_1_1, head.version());
        assertEquals("app.example:8443", head.headers().first(HeaderName.HOST).orElseThrow());
        assertEquals(List.of("13"), head.headers().values(HeaderName.SEC_WEBSOCKET_VERSION));
        assertTrue(WebSocketHandshake.isValidKey(head.headers().first(HeaderName.SEC_WEBSOCKET_KEY).orElseThrow()));
        assertNotEquals(head.headers().first(HeaderName.SEC_WEBSOCKET_KEY), downgrade().head().headers().first(HeaderName.SEC_WEBSOCKET_KEY));
        assertInstanceOf(UpgradeDecision.Switch.class, UpgradeNegotiator.standard().decide(head));
    }

    @Test
    void theUpstreamsSwitchBecomesA200OnlyWhenItsAcceptMatches() {
        ExtendedConnect.Downgrade downgrade = downgrade();
        String key = downgrade.head().headers().first(HeaderName.SEC_WEBSOCKET_KEY).orElseThrow();
        String good = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + WebSocketHandshake.accept(key) + "\r\nSec-WebSocket-Protocol: chat\r\n\r\n";

        var ok = assertInstanceOf(ExtendedConnect.Translated.class, ExtendedConnect.answerForHttp2(downgrade, response(good)));
        ResponseHead h2 = (ResponseHead) ok.value();
        assertEquals(200, h2.status());
        assertEquals(HttpVersion.HTTP_2, h2.version());
        assertEquals(Headers.of("sec-websocket-protocol", "chat"), h2.headers());
        var wrong = assertInstanceOf(ExtendedConnect.Failed.class, ExtendedConnect.answerForHttp2(downgrade,
                response(good.replace(WebSocketHandshake.accept(key), WebSocketHandshake.accept("dGhlIHNhbXBsZSBub25jZQ==")))));
        assertEquals(UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISMATCH, wrong.answer().reason());
        assertEquals(502, wrong.answer().response().status());
    }

    @Test
    void anUpstreamThatIgnoresTheUpgradeNeverLooksLikeAnOpenTunnel() {
        ExtendedConnect.Downgrade downgrade = downgrade();

        var ignored = assertInstanceOf(ExtendedConnect.Failed.class,
                ExtendedConnect.answerForHttp2(downgrade, response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")));
        assertEquals(UpgradeReason.Invalid.ANSWERED_WITHOUT_SWITCHING, ignored.answer().reason());
        var notFound = assertInstanceOf(ExtendedConnect.Translated.class,
                ExtendedConnect.answerForHttp2(downgrade, response("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")));
        assertEquals(404, ((ResponseHead) notFound.value()).status());
        assertFalse(((ResponseHead) notFound.value()).headers().contains(HeaderName.CONNECTION));
    }

    @Test
    void onlyWebSocketTranslatesToHttp1() {
        var failed = assertInstanceOf(ExtendedConnect.Failed.class, ExtendedConnect.toHttp1(
                new ExtendedConnect.Request("connect-udp", "https", "a", "/", Headers.of())));

        assertEquals(501, failed.answer().response().status());
        assertEquals(UpgradeReason.Refused.EXTENDED_CONNECT_PROTOCOL_UNSUPPORTED, failed.answer().reason());
    }
}
