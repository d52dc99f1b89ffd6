package io.github.upgrade4j.upgrade;

import static io.github.upgrade4j.http.RawHeads.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.RequestHead;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UpgradeNegotiatorTest {
    static final String CHROME = """
            GET /chat HTTP/1.1\r
            Host: app.example\r
            Connection: Upgrade\r
            Upgrade: websocket\r
            Origin: https://app.example\r
            Sec-WebSocket-Version: 13\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r
            \r
            """;

    private final UpgradeNegotiator negotiator = UpgradeNegotiator.standard();

    private UpgradeDecision.Ignore ignored(String raw) {
        UpgradeDecision decision = negotiator.decide(request(raw));
        return assertInstanceOf(UpgradeDecision.Ignore.class, decision, decision::toString);
    }

    private ErrorAnswer rejected(String raw) {
        UpgradeDecision decision = negotiator.decide(request(raw));
        return assertInstanceOf(ErrorAnswer.class, decision, decision::toString);
    }

    @Test
    void switchesAChromeHandshakeWithTheSampleAccept() {
        var switched = assertInstanceOf(UpgradeDecision.Switch.class, negotiator.decide(request(CHROME)));

        assertEquals(Protocol.WEBSOCKET, switched.protocol());
        assertEquals(Headers.of("Upgrade", "websocket", "Connection", "Upgrade",
                "Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), switched.response().headers());
        assertEquals(101, switched.response().status());
    }

    @Test
    void switchesFirefoxWhoseConnectionIsKeepAliveCommaUpgrade() {
        assertInstanceOf(UpgradeDecision.Switch.class,
                negotiator.decide(request(CHROME.replace("Connection: Upgrade", "Connection: keep-alive, Upgrade"))));
    }

    @Test
    void readsConnectionAndUpgradeOverSeveralLinesInAnyCase() {
        String split = CHROME.replace("Connection: Upgrade\r\n", "CONNECTION: keep-alive\r\nconnection: UPGRADE\r\n")
                .replace("Upgrade: websocket\r\n", "upgrade: foo/1\r\nUPGRADE: WebSocket\r\n");

        var switched = assertInstanceOf(UpgradeDecision.Switch.class, negotiator.decide(request(split)));
        assertEquals("WebSocket", switched.protocol().name());
    }

    @Test
    void picksTheFirstSupportedProtocolInTheClientsOrder() {
        String offer = CHROME.replace("Upgrade: websocket", "Upgrade: HTTP/2.0, SHTTP/1.3, IRC/6.9, RTA/x11, websocket");

        var switched = assertInstanceOf(UpgradeDecision.Switch.class, negotiator.decide(request(offer)));
        assertEquals(Protocol.WEBSOCKET, switched.protocol());
    }

    @Test
    void ignoresAnOrdinaryRequest() {
        assertEquals(UpgradeReason.Ignored.NOT_OFFERED, ignored("GET / HTTP/1.1\r\nHost: a\r\n\r\n").reason());
    }

    @Test
    void ignoresConnectionUpgradeWithoutAnUpgradeFieldAndBlamesTheProxy() {
        var ignore = ignored(CHROME.replace("Upgrade: websocket\r\n", ""));

        assertEquals(UpgradeReason.Ignored.UPGRADE_FIELD_MISSING, ignore.reason());
        assertTrue(ignore.message().contains("proxy_set_header Upgrade $http_upgrade"), ignore.message());
    }

    @Test
    void ignoresAnUpgradeWhoseConnectionLacksTheToken() {
        var ignore = ignored(CHROME.replace("Connection: Upgrade", "Connection: keep-alive, x-upgrade"));

        assertEquals(UpgradeReason.Ignored.CONNECTION_LACKS_UPGRADE, ignore.reason());
        assertTrue(ignore.message().contains("$connection_upgrade"), ignore.message());
    }

    @Test
    void ignoresAnHttp10Upgrade() {
        var ignore = ignored(CHROME.replace("HTTP/1.1", "HTTP/1.0"));

        assertEquals(UpgradeReason.Ignored.HTTP_1_0_REQUEST, ignore.reason());
        assertTrue(ignore.message().contains("proxy_http_version 1.1"), ignore.message());
    }

    @Test
    void ignoresAnHttp2Request() {
        RequestHead h2 = new RequestHead("GET", "/", HttpVersion.HTTP_2, request(CHROME).headers());

        assertEquals(UpgradeReason.Ignored.HTTP_2_REQUEST,
                assertInstanceOf(UpgradeDecision.Ignore.class, negotiator.decide(h2)).reason());
    }

    @Test
    void ignoresOffersNobodyHandlesAndListsThem() {
        var ignore = ignored(CHROME.replace("Upgrade: websocket", "Upgrade: h2c, IRC/6.9"));

        assertEquals(UpgradeReason.Ignored.NO_SUPPORTED_PROTOCOL, ignore.reason());
        assertTrue(ignore.detail().contains("h2c, IRC/6.9") && ignore.detail().contains("websocket"), ignore.detail());
    }

    @Test
    void rejectsAMalformedUpgrade() {
        var reject = rejected(CHROME.replace("Upgrade: websocket", "Upgrade: web socket"));

        assertEquals(UpgradeReason.Refused.MALFORMED_UPGRADE, reject.reason());
        assertEquals(400, reject.status());
    }

    @Test
    void rejectionsCarryABodyAsLongAsTheirContentLengthAndClose() {
        var reject = rejected(CHROME.replace("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Key: short"));

        assertEquals(Integer.toString(reject.body().length),
                reject.response().headers().first(HeaderName.CONTENT_LENGTH).orElseThrow());
        assertTrue(reject.response().headers().hasToken(HeaderName.CONNECTION, "close"));
        assertTrue(new String(reject.body(), StandardCharsets.UTF_8).contains("RFC 6455 §4.2.1"));
    }

    @Test
    void h2cIsOffUnlessRegistered() {
        String h2c = "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n";

        assertEquals(UpgradeReason.Ignored.NO_SUPPORTED_PROTOCOL, ignored(h2c).reason());
        var switched = assertInstanceOf(UpgradeDecision.Switch.class,
                UpgradeNegotiator.of(WebSocketHandshake.standard(), H2cUpgrade.handler()).decide(request(h2c)));
        assertEquals(Headers.of("Connection", "Upgrade", "Upgrade", "h2c"), switched.response().headers());
    }

    @Test
    void aHandlerIgnoringLetsTheNextOfferedProtocolTry() {
        ProtocolHandler never = new ProtocolHandler() {
            @Override
            public Protocol protocol() {
                return Protocol.parse("foo/1");
            }

            @Override
            public UpgradeDecision decide(RequestHead request, Protocol offered) {
                return new UpgradeDecision.Ignore(UpgradeReason.Ignored.NO_SUPPORTED_PROTOCOL, "foo declined");
            }
        };
        var switched = assertInstanceOf(UpgradeDecision.Switch.class, UpgradeNegotiator.of(never,
                WebSocketHandshake.standard()).decide(request(CHROME.replace("Upgrade: websocket", "Upgrade: foo/1, websocket"))));

        assertEquals(Protocol.WEBSOCKET, switched.protocol());
        var ignore = assertInstanceOf(UpgradeDecision.Ignore.class,
                UpgradeNegotiator.of(never).decide(request(CHROME.replace("Upgrade: websocket", "Upgrade: foo/1"))));
        assertEquals("foo declined", ignore.detail());
    }

    @Test
    void needsAtLeastOneHandler() {
        assertThrows(IllegalArgumentException.class, UpgradeNegotiator::of);
    }

    @Test
    void protocolsParseAndCompare() {
        assertEquals(new Protocol("HTTP", "2.0"), Protocol.parse("HTTP/2.0"));
        assertEquals("RTA/x11", Protocol.parse("RTA/x11").toString());
        assertEquals(null, Protocol.parse("websocket").version());
        assertTrue(Protocol.parse("WebSocket").sameAs(Protocol.WEBSOCKET));
        assertThrows(IllegalArgumentException.class, () -> Protocol.parse("a b"));
        assertThrows(IllegalArgumentException.class, () -> Protocol.parse("a/"));
    }
}
