package io.github.upgrade4j.upgrade;

import static io.github.upgrade4j.http.RawHeads.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.ParameterizedElement;
import io.github.upgrade4j.http.RequestHead;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WebSocketHandshakeTest {
    private static final String CHROME = UpgradeNegotiatorTest.CHROME;

    private static UpgradeDecision decide(WebSocketHandshake handshake, String raw) {
        return UpgradeNegotiator.of(handshake).decide(request(raw));
    }

    @Test
    void computesTheAcceptOfRfc6455Section1_3() {
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.accept("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    @Test
    void newKeysAreSixteenFreshBytes() {
        String a = WebSocketHandshake.newKey();
        String b = WebSocketHandshake.newKey();

        assertEquals(16, Base64.getDecoder().decode(a).length);
        assertTrue(WebSocketHandshake.isValidKey(a));
        assertFalse(a.equals(b));
    }

    static Stream<Arguments> brokenHandshakes() {
        return Stream.of(
                Arguments.of(CHROME.replace("GET /chat", "POST /chat"), UpgradeReason.Refused.WEBSOCKET_METHOD_NOT_GET, 400),
                Arguments.of(CHROME.replace("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", ""),
                        UpgradeReason.Refused.WEBSOCKET_KEY_MISSING, 400),
                Arguments.of(CHROME.replace("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n"),
                        UpgradeReason.Refused.WEBSOCKET_KEY_REPEATED, 400),
                Arguments.of(CHROME.replace("dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZQ"),
                        UpgradeReason.Refused.WEBSOCKET_KEY_INVALID, 400),
                Arguments.of(CHROME.replace("dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZSE="),
                        UpgradeReason.Refused.WEBSOCKET_KEY_INVALID, 400),
                Arguments.of(CHROME.replace("dGhlIHNhbXBsZSBub25jZQ==", "!!!!!!!!!!!!!!!!!!!!!!=="),
                        UpgradeReason.Refused.WEBSOCKET_KEY_INVALID, 400),
                Arguments.of(CHROME.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"),
                        UpgradeReason.Refused.WEBSOCKET_VERSION_UNSUPPORTED, 426),
                Arguments.of(CHROME.replace("Sec-WebSocket-Version: 13\r\n", ""),
                        UpgradeReason.Refused.WEBSOCKET_VERSION_UNSUPPORTED, 426),
                Arguments.of(CHROME.replace("Sec-WebSocket-Version: 13\r\n", "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Version: 13\r\n"),
                        UpgradeReason.Refused.WEBSOCKET_VERSION_REPEATED, 400),
                Arguments.of(CHROME.replace("Origin:", "Sec-WebSocket-Protocol: chat, \"v2\"\r\nOrigin:"),
                        UpgradeReason.Refused.WEBSOCKET_PROTOCOL_MALFORMED, 400),
                Arguments.of(CHROME.replace("permessage-deflate; client_max_window_bits", "permessage-deflate; x=\"a b\""),
                        UpgradeReason.Refused.WEBSOCKET_EXTENSIONS_MALFORMED, 400),
                Arguments.of(CHROME.replace("permessage-deflate; client_max_window_bits", "permessage-deflate;;x"),
                        UpgradeReason.Refused.WEBSOCKET_EXTENSIONS_MALFORMED, 400),
                Arguments.of(CHROME.replace("permessage-deflate; client_max_window_bits",
                        "permessage-deflate;\u00a0client_max_window_bits"), UpgradeReason.Refused.WEBSOCKET_EXTENSIONS_MALFORMED, 400));
    }

    @ParameterizedTest
    @MethodSource("brokenHandshakes")
    void rejectsBrokenHandshakesWithAReasonAndStatus(String raw, UpgradeReason reason, int status) {
        var reject = assertInstanceOf(ErrorAnswer.class, decide(WebSocketHandshake.standard(), raw));

        assertEquals(reason, reject.reason(), reject.message());
        assertEquals(status, reject.status());
        assertTrue(reject.message().contains(reason.spec()), reject.message());
    }

    @Test
    void aVersionMismatchIsAnswered426WithTheSupportedVersion() {
        var reject = assertInstanceOf(ErrorAnswer.class, decide(WebSocketHandshake.standard(),
                CHROME.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8")));

        assertEquals(List.of("13"), reject.response().headers().values(HeaderName.SEC_WEBSOCKET_VERSION));
        assertEquals("Upgrade Required", reject.response().reason());
    }

    @Test
    void aHandshakeWithoutHostIsRejected() {
        RequestHead noHost = new RequestHead("GET", "/", HttpVersion.HTTP_1_1, Headers.of("Connection", "upgrade",
                "Upgrade", "websocket", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "13"));

        var reject = assertInstanceOf(ErrorAnswer.class, UpgradeNegotiator.standard().decide(noHost));
        assertEquals(UpgradeReason.Refused.WEBSOCKET_HOST_MISSING, reject.reason());
    }

    @Test
    void refusesAnOriginOutsideThePolicyWith403() {
        WebSocketHandshake strict = WebSocketHandshake.builder()
                .origins(OriginPolicy.allowing(false, "https://other.example")).build();

        var reject = assertInstanceOf(ErrorAnswer.class, decide(strict, CHROME));
        assertEquals(UpgradeReason.Refused.ORIGIN_REFUSED, reject.reason());
        assertEquals(403, reject.status());
        assertInstanceOf(UpgradeDecision.Switch.class, decide(WebSocketHandshake.builder()
                .origins(OriginPolicy.allowing(false, "HTTPS://APP.EXAMPLE")).build(), CHROME));
        assertInstanceOf(UpgradeDecision.Switch.class, decide(WebSocketHandshake.builder()
                .origins(OriginPolicy.sameHost()).build(), CHROME));
        assertInstanceOf(ErrorAnswer.class, decide(WebSocketHandshake.builder()
                .origins(OriginPolicy.allowing(false)).build(), CHROME.replace("Origin: https://app.example\r\n", "")));
    }

    @Test
    void choosesASubprotocolFromThoseOfferedOrNone() {
        String offered = CHROME.replace("Origin:", "Sec-WebSocket-Protocol: chat.v1, chat.v2\r\nOrigin:");
        WebSocketHandshake v2 = WebSocketHandshake.builder()
                .subprotocols(list -> list.contains("chat.v2") ? Optional.of("chat.v2") : Optional.empty()).build();

        var switched = assertInstanceOf(UpgradeDecision.Switch.class, decide(v2, offered));
        assertEquals(List.of("chat.v2"), switched.response().headers().values(HeaderName.SEC_WEBSOCKET_PROTOCOL));
        var none = assertInstanceOf(UpgradeDecision.Switch.class, decide(WebSocketHandshake.standard(), offered));
        assertFalse(none.response().headers().contains(HeaderName.SEC_WEBSOCKET_PROTOCOL));
    }

    @Test
    void aSelectorChoosingSomethingNotOfferedIsAProgrammingError() {
        WebSocketHandshake wrong = WebSocketHandshake.builder().subprotocols(list -> Optional.of("other")).build();

        assertThrows(IllegalStateException.class,
                () -> decide(wrong, CHROME.replace("Origin:", "Sec-WebSocket-Protocol: chat\r\nOrigin:")));
    }

    @Test
    void parsesExtensionOffersAndAnswersWithTheChosenOnes() {
        String offers = CHROME.replace("permessage-deflate; client_max_window_bits",
                "permessage-deflate; client_max_window_bits; server_max_window_bits=\"10\", x-webkit-deflate-frame");
        WebSocketHandshake deflate = WebSocketHandshake.builder().extensions(list -> list.stream()
                .filter(e -> e.name().equals("permessage-deflate"))
                .map(e -> new WebSocketExtension(e.name(), List.of(new ParameterizedElement.Parameter("server_max_window_bits",
                        e.parameter("server_max_window_bits").orElse("15")))))
                .limit(1).toList()).build();

        var switched = assertInstanceOf(UpgradeDecision.Switch.class, decide(deflate, offers));
        assertEquals(List.of("permessage-deflate; server_max_window_bits=10"),
                switched.response().headers().values(HeaderName.SEC_WEBSOCKET_EXTENSIONS));
        List<WebSocketExtension> parsed = WebSocketExtension.readAll(assertInstanceOf(FieldList.Valid.class,
                WebSocketExtension.parseAll(request(offers).headers().values(HeaderName.SEC_WEBSOCKET_EXTENSIONS))));
        assertEquals(2, parsed.size());
        assertTrue(parsed.get(0).has("client_max_window_bits"));
        assertEquals(Optional.empty(), parsed.get(0).parameter("client_max_window_bits"));
        assertEquals("x-webkit-deflate-frame", parsed.get(1).toString());
    }
}
