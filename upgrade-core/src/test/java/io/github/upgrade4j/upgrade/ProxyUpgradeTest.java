package io.github.upgrade4j.upgrade;

import static io.github.upgrade4j.http.RawHeads.request;
import static io.github.upgrade4j.http.RawHeads.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.hop.Refusal;
import io.github.upgrade4j.hop.UpstreamConnection;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.RequestHead;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyUpgradeTest {
    private static final String CHROME = UpgradeNegotiatorTest.CHROME;
    private static final String SWITCH = """
            HTTP/1.1 101 Switching Protocols\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
            \r
            """;
    private final ProxyUpgrade proxy = ProxyUpgrade.standard();

    private Outbound.Forward forward(String raw) {
        Outbound out = proxy.towardUpstream(request(raw));
        return assertInstanceOf(Outbound.Forward.class, out, out::toString);
    }

    private Verdict.Tunnel tunnel(String requestRaw, String responseRaw) {
        Verdict verdict = proxy.judge(forward(requestRaw).attempt(), response(responseRaw));
        return assertInstanceOf(Verdict.Tunnel.class, verdict, verdict::toString);
    }

    private ErrorAnswer invalid(String requestRaw, String responseRaw) {
        Verdict verdict = proxy.judge(forward(requestRaw).attempt(), response(responseRaw));
        return assertInstanceOf(ErrorAnswer.class, verdict, verdict::toString);
    }

    @Test
    void forwardsAWebSocketUpgradeWithUpgradeAndConnectionReAddedAndSecFieldsKept() {
        Outbound.Forward forward = forward(CHROME.replace("Connection: Upgrade", "Connection: keep-alive, Upgrade"));

        Headers sent = forward.head().headers();
        assertEquals(List.of("upgrade"), sent.values(HeaderName.CONNECTION));
        assertEquals(List.of("websocket"), sent.values(HeaderName.UPGRADE));
        assertEquals("dGhlIHNhbXBsZSBub25jZQ==", sent.first(HeaderName.SEC_WEBSOCKET_KEY).orElseThrow());
        assertEquals("permessage-deflate; client_max_window_bits",
                sent.first(HeaderName.SEC_WEBSOCKET_EXTENSIONS).orElseThrow());
        assertTrue((forward.attempt() instanceof UpgradeAttempt.Forwarded));
        assertEquals(List.of(Protocol.WEBSOCKET), ((UpgradeAttempt.Forwarded) forward.attempt()).offered());
    }

    @Test
    void forwardsOnlyTheAllowedPartOfAMultiProtocolOffer() {
        Outbound.Forward forward = forward(CHROME.replace("Upgrade: websocket", "Upgrade: h2c, websocket, IRC/6.9"));

        assertEquals(List.of("websocket"), forward.head().headers().values(HeaderName.UPGRADE));
    }

    @Test
    void opensATunnelForAValidSwitchAndKeepsExactlyConnectionUpgrade() {
        Outbound.Forward forward = forward(CHROME);
        var tunnel = assertInstanceOf(Verdict.Tunnel.class, proxy.judge(forward.attempt(), response("""
                HTTP/1.1 101 Switching Protocols\r
                Upgrade: websocket\r
                Connection: Upgrade, X-Backend\r
                X-Backend: node-3\r
                Content-Length: 0\r
                Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
                Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=15\r
                \r
                """)));

        assertEquals(Protocol.WEBSOCKET, tunnel.protocol());
        assertEquals(Headers.of("Upgrade", "websocket", "Connection", "upgrade",
                "Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
                "Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits=15"), tunnel.response().headers());
        assertTrue(tunnel.notices().stream().anyMatch(n -> n.detail().contains("Content-Length")), tunnel.notices().toString());
    }

    @Test
    void relaysOneUpgradeLineOfItsOwnWhenTheUpstreamAddsAnEmptyOne() {
        // The committed fuzz seed relayed_101_with_an_empty_upgrade_line: the empty line came through.
        var tunnel = tunnel(CHROME, """
                HTTP/1.1 101 Switching Protocols\r
                Connection: upgrade, X-Debug\r
                Upgrade:\r
                Upgrade: websocket\r
                X-Debug: backend-3\r
                Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
                \r
                """);

        assertEquals(Headers.of("Connection", "upgrade", "Upgrade", "websocket",
                "Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), tunnel.response().headers());
        assertTrue(tunnel.notices().stream().anyMatch(n -> n.detail().contains("Upgrade lines '', 'websocket'")),
                tunnel.notices()::toString);
    }

    @Test
    void relaysOneUpgradeLineWhenTheEmptyUpgradeLineComesLast() {
        var tunnel = tunnel(CHROME, SWITCH.replace("Upgrade: websocket\r\n", "Upgrade: websocket\r\nUpgrade:\r\n"));

        assertEquals(Headers.of("Upgrade", "websocket", "Connection", "upgrade",
                "Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), tunnel.response().headers());
    }

    @Test
    void relaysTheChosenProtocolWithoutTheUpstreamsTrailingEmptyElement() {
        var tunnel = tunnel(CHROME, SWITCH.replace("Upgrade: websocket", "Upgrade: websocket, "));

        assertEquals(List.of("websocket"), tunnel.response().headers().values(HeaderName.UPGRADE));
        assertEquals(List.of("upgrade"), tunnel.response().headers().values(HeaderName.CONNECTION));
        assertTrue(tunnel.notices().stream().anyMatch(n -> n.detail().contains("Upgrade lines 'websocket,'")),
                tunnel.notices()::toString);
    }

    @Test
    void relaysTheChosenProtocolAsTheClientSpelledItWhenTheUpstreamUsesAnotherCase() {
        var tunnel = tunnel(CHROME, SWITCH.replace("Upgrade: websocket", "Upgrade: WebSocket"));

        assertEquals(List.of("websocket"), tunnel.response().headers().values(HeaderName.UPGRADE));
        assertEquals(Protocol.WEBSOCKET, tunnel.protocol());
        assertEquals(List.of(), tunnel.notices(), "a difference of case alone is not worth a notice");

        var offeredInCapitals = tunnel(CHROME.replace("Upgrade: websocket", "Upgrade: WebSocket"), SWITCH);
        assertEquals(List.of("WebSocket"), offeredInCapitals.response().headers().values(HeaderName.UPGRADE));
        assertEquals(new Protocol("WebSocket", null), offeredInCapitals.protocol());
    }

    @Test
    void relaysOneUpgradeLineForAnH2cSwitchWithEmptyElementsAndAnotherCase() {
        ProxyUpgrade permissive = ProxyUpgrade.builder().allow("websocket", "h2c").build();
        var forward = assertInstanceOf(Outbound.Forward.class, permissive.towardUpstream(request(
                "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                        + "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n")));

        var tunnel = assertInstanceOf(Verdict.Tunnel.class, permissive.judge(forward.attempt(), response(
                "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: , H2C\r\nUpgrade: ,\r\n\r\n")));

        assertEquals(Headers.of("Connection", "upgrade", "Upgrade", "h2c"), tunnel.response().headers());
    }

    @Test
    void relaysInterimAnswersAndWaitsForTheFinalOne() {
        Outbound.Forward forward = forward(CHROME);
        var interim = assertInstanceOf(Verdict.Interim.class, proxy.judge(forward.attempt(),
                response("HTTP/1.1 103 Early Hints\r\nLink: </a.js>; rel=preload\r\nConnection: X-A\r\nX-A: 1\r\n\r\n")));

        assertEquals(Headers.of("Link", "</a.js>; rel=preload"), interim.response().headers());
        assertInstanceOf(Verdict.Tunnel.class, proxy.judge(forward.attempt(), response(SWITCH)));
    }

    @Test
    void aRefusedUpgradeIsRelayedPlainAndClosesTheClient() {
        var plain = assertInstanceOf(Verdict.Plain.class, proxy.judge(forward(CHROME).attempt(),
                response("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n")));

        assertTrue(plain.closeClient());
        assertEquals(UpgradeReason.Ignored.NOT_SWITCHED, plain.reason());
        assertEquals(List.of("close"), plain.response().headers().values(HeaderName.CONNECTION));
        assertTrue(UpgradeReason.Ignored.NOT_SWITCHED.explanation().contains("Check the upstream's logs"));
    }

    @Test
    void anOrdinaryRequestIsForwardedPlainWithTheProxysConnection() {
        Outbound.Forward forward = forward("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");

        assertEquals(Headers.of("Host", "a", "Connection", "keep-alive"), forward.head().headers());
        assertFalse((forward.attempt() instanceof UpgradeAttempt.Forwarded));
        assertEquals(UpgradeReason.Ignored.NOT_OFFERED, ((UpgradeDecision.Ignore) forward.attempt()).reason());
        var plain = assertInstanceOf(Verdict.Plain.class, proxy.judge(forward.attempt(),
                response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")));
        assertFalse(plain.closeClient());
        ProxyUpgrade closing = ProxyUpgrade.builder().plainConnection(UpstreamConnection.CLOSE).build();
        assertEquals(List.of("close"), ((Outbound.Forward) closing.towardUpstream(
                request("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))).head().headers().values(HeaderName.CONNECTION));
    }

    @Test
    void explainsEveryOfferItDoesNotForward() {
        assertEquals(UpgradeReason.Ignored.HTTP_1_0_REQUEST,
                ((UpgradeDecision.Ignore) forward(CHROME.replace("HTTP/1.1", "HTTP/1.0")).attempt()).reason());
        assertEquals(UpgradeReason.Ignored.CONNECTION_LACKS_UPGRADE,
                ((UpgradeDecision.Ignore) forward(CHROME.replace("Connection: Upgrade", "Connection: keep-alive")).attempt()).reason());
        assertEquals(UpgradeReason.Ignored.UPGRADE_FIELD_MISSING,
                ((UpgradeDecision.Ignore) forward(CHROME.replace("Upgrade: websocket\r\n", "")).attempt()).reason());
        Outbound.Forward h2c = forward(CHROME.replace("Upgrade: websocket", "Upgrade: h2c"));
        assertEquals(UpgradeReason.Ignored.NO_SUPPORTED_PROTOCOL, ((UpgradeDecision.Ignore) h2c.attempt()).reason());
        assertFalse(h2c.head().headers().contains(HeaderName.UPGRADE));
    }

    @Test
    void refusesBrokenRequestsBeforeContactingTheUpstream() {
        var malformed = assertInstanceOf(ErrorAnswer.class,
                proxy.towardUpstream(request(CHROME.replace("Upgrade: websocket", "Upgrade: a b"))));
        assertEquals(UpgradeReason.Refused.MALFORMED_UPGRADE, malformed.reason());
        var badConnection = assertInstanceOf(ErrorAnswer.class,
                proxy.towardUpstream(request(CHROME.replace("Connection: Upgrade", "Connection: Upgrade, a b"))));
        assertEquals(Refusal.MALFORMED_CONNECTION, badConnection.reason());
        assertEquals(400, badConnection.response().status());
        var version = assertInstanceOf(ErrorAnswer.class,
                proxy.towardUpstream(request(CHROME.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 7"))));
        assertEquals(426, version.response().status());
        assertEquals(version.body().length, Integer.parseInt(
                version.response().headers().first(HeaderName.CONTENT_LENGTH).orElseThrow()));
    }

    @Test
    void invalidSwitchesAre502WithAReason() {
        assertEquals(UpgradeReason.Invalid.SWITCH_WITHOUT_CONNECTION_UPGRADE,
                invalid(CHROME, SWITCH.replace("Connection: Upgrade", "Connection: keep-alive")).reason());
        assertEquals(UpgradeReason.Invalid.SWITCH_WITHOUT_UPGRADE, invalid(CHROME, SWITCH.replace("Upgrade: websocket\r\n", "")).reason());
        assertEquals(UpgradeReason.Invalid.SWITCH_WITHOUT_UPGRADE,
                invalid(CHROME, SWITCH.replace("Upgrade: websocket", "Upgrade: web socket")).reason());
        ErrorAnswer h2c = invalid(CHROME, SWITCH.replace("Upgrade: websocket", "Upgrade: h2c"));
        assertEquals(UpgradeReason.Invalid.SWITCH_TO_UNOFFERED_PROTOCOL, h2c.reason());
        assertEquals("the upstream switched to h2c but the client offered websocket", h2c.detail());
        assertEquals(UpgradeReason.Invalid.SWITCH_TO_UNOFFERED_PROTOCOL,
                invalid(CHROME, SWITCH.replace("Upgrade: websocket", "Upgrade: websocket, h2c")).reason());
        assertEquals(UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISSING,
                invalid(CHROME, SWITCH.replace("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", "")).reason());
        assertEquals(UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISMATCH,
                invalid(CHROME, SWITCH.replace("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")).reason());
        assertEquals(UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISMATCH, invalid(CHROME, SWITCH.replace("\r\n\r\n",
                "\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")).reason());
        assertEquals(UpgradeReason.Invalid.WEBSOCKET_SUBPROTOCOL_NOT_OFFERED,
                invalid(CHROME, SWITCH.replace("\r\n\r\n", "\r\nSec-WebSocket-Protocol: chat\r\n\r\n")).reason());
        assertEquals(UpgradeReason.Invalid.WEBSOCKET_EXTENSION_NOT_OFFERED,
                invalid(CHROME, SWITCH.replace("\r\n\r\n", "\r\nSec-WebSocket-Extensions: x-custom\r\n\r\n")).reason());
        assertEquals(UpgradeReason.Invalid.UNSOLICITED_SWITCH, invalid("GET / HTTP/1.1\r\nHost: a\r\n\r\n", SWITCH).reason());
        ErrorAnswer badConnection = invalid(CHROME, SWITCH.replace("Connection: Upgrade",
                "Connection: Upgrade, \"x\""));
        assertEquals(Refusal.MALFORMED_CONNECTION, badConnection.reason());
        assertEquals(502, badConnection.response().status());
    }

    @Test
    void acceptsAnOfferedSubprotocol() {
        String offered = CHROME.replace("Origin:", "Sec-WebSocket-Protocol: chat, superchat\r\nOrigin:");

        assertInstanceOf(Verdict.Tunnel.class, proxy.judge(forward(offered).attempt(),
                response(SWITCH.replace("\r\n\r\n", "\r\nSec-WebSocket-Protocol: superchat\r\n\r\n"))));
    }

    @Test
    void h2cIsForwardedOnlyWhenAllowedWithItsSettingsNominated() {
        ProxyUpgrade permissive = ProxyUpgrade.builder().allow("websocket", "h2c").build();
        RequestHead h2c = request("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                + "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n");

        var forward = assertInstanceOf(Outbound.Forward.class, permissive.towardUpstream(h2c));
        assertEquals(List.of("upgrade, HTTP2-Settings"), forward.head().headers().values(HeaderName.CONNECTION));
        assertEquals(List.of("AAMAAABkAAQCAAAAAAIAAAAA"), forward.head().headers().values(HeaderName.HTTP2_SETTINGS));
        assertInstanceOf(Verdict.Tunnel.class, permissive.judge(forward.attempt(),
                response("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")));
    }

    @Test
    void builderRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> ProxyUpgrade.builder().allow("web socket"));
        assertThrows(IllegalArgumentException.class,
                () -> ProxyUpgrade.builder().plainConnection(UpstreamConnection.UPGRADE));
    }
}
