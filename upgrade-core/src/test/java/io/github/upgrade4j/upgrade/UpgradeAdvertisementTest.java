package io.github.upgrade4j.upgrade;

import static io.github.upgrade4j.http.RawHeads.request;
import static io.github.upgrade4j.http.RawHeads.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.http.BodyFraming;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.tunnel.TlsFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An {@code Upgrade} advertisement in a response that is not a 101 (a 426, or a 200 announcing TLS),
 * in both roles: the origin writes it ({@link TlsUpgrade#require}, {@link TlsUpgrade#advertisement()});
 * the proxy passes on, with its own {@code Connection: upgrade}, only the protocols it would forward,
 * removes the rest, and says which in {@link Verdict.Plain#notices()}.
 */
class UpgradeAdvertisementTest {
    private static final String WEBSOCKET_OFFER = """
            GET /chat HTTP/1.1\r
            Host: example.com\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Sec-WebSocket-Version: 13\r
            \r
            """;
    private static final String PLAIN_GET = """
            GET /page HTTP/1.1\r
            Host: example.com\r
            \r
            """;

    private final ProxyUpgrade standard = ProxyUpgrade.standard();
    private final ProxyUpgrade allowingTls = ProxyUpgrade.builder().allow("websocket", "TLS/1.2").build();

    /** The client's head for the upstream's {@code answer} to {@code raw}, as the proxy frames it. */
    private static Headers toClient(ProxyUpgrade proxy, String raw, Verdict.Plain plain, ResponseHead answer) {
        RequestHead request = request(raw);
        return plain.edit().responseBody(request, BodyFraming.ofResponse(answer, request.method()), plain.closeClient())
                .build();
    }

    private Verdict.Plain judged(ProxyUpgrade proxy, String raw, ResponseHead answer) {
        Outbound.Forward forward = assertInstanceOf(Outbound.Forward.class, proxy.towardUpstream(request(raw)));
        return assertInstanceOf(Verdict.Plain.class, proxy.judge(forward.attempt(), answer));
    }

    @Test
    void aWebSocket426KeepsItsAdvertisementSinceTheProxyForwardsWebSocket() {
        ResponseHead answer = response("""
                HTTP/1.1 426 Upgrade Required\r
                Sec-WebSocket-Version: 13\r
                Upgrade: websocket\r
                Connection: upgrade, close\r
                Content-Length: 0\r
                \r
                """);
        Verdict.Plain plain = judged(standard, WEBSOCKET_OFFER, answer);
        Headers head = toClient(standard, WEBSOCKET_OFFER, plain, answer);

        assertEquals(List.of("websocket"), head.values(HeaderName.UPGRADE));
        assertEquals(List.of("upgrade, close"), head.values(HeaderName.CONNECTION),
                "nominated, and closed after an answer to an upgrade");
        assertEquals(List.of("13"), head.values(HeaderName.SEC_WEBSOCKET_VERSION));
        assertEquals(List.of(Forwarding.NoticeKind.UPGRADE_ADVERTISED),
                plain.notices().stream().map(Forwarding.Notice::kind).toList());
    }

    @Test
    void anAdvertisementOfWhatTheProxyDoesNotForwardIsRemovedSayingWhy() {
        ResponseHead answer = response("""
                HTTP/1.1 200 OK\r
                Upgrade: h2c\r
                Connection: Upgrade\r
                Content-Length: 0\r
                \r
                """);
        Verdict.Plain plain = judged(standard, PLAIN_GET, answer);
        Headers head = toClient(standard, PLAIN_GET, plain, answer);

        assertFalse(head.contains(HeaderName.UPGRADE));
        assertFalse(head.contains(HeaderName.CONNECTION), "a kept-alive answer to a plain request needs none");
        Forwarding.Notice notice = plain.notices().get(0);
        assertEquals(Forwarding.NoticeKind.UPGRADE_ADVERTISEMENT_REMOVED, notice.kind());
        assertEquals("removed 'h2c' from the upstream's 200 advertisement: the proxy would not forward an offer of it",
                notice.detail());
    }

    @Test
    void aTls426ReachesTheClientWithItsLayersOnlyWhenTheProxyForwardsTls() {
        TlsUpgrade tls = TlsUpgrade.of(TlsFixture.context());
        ErrorAnswer required = tls.require(request(PLAIN_GET));
        ResponseHead answer = required.response();

        Verdict.Plain refused = judged(standard, PLAIN_GET, answer);
        assertFalse(toClient(standard, PLAIN_GET, refused, answer).contains(HeaderName.UPGRADE));
        assertTrue(refused.notices().get(0).detail().endsWith("; the 426 reaches the client without the Upgrade field"
                + " RFC 9110 §15.5.22 asks for"), refused.notices()::toString);

        Verdict.Plain passed = judged(allowingTls, PLAIN_GET, answer);
        Headers head = toClient(allowingTls, PLAIN_GET, passed, answer);
        assertEquals(List.of(tls.advertisement()), head.values(HeaderName.UPGRADE));
        assertEquals(List.of("upgrade"), head.values(HeaderName.CONNECTION),
                "the origin closes its own connection; the client's, to a plain request, persists");
        assertEquals(List.of(Forwarding.NoticeKind.UPGRADE_ADVERTISED),
                passed.notices().stream().map(Forwarding.Notice::kind).toList());
    }

    @Test
    void aPersistentAnswerThatAdvertisesTlsStaysPersistentAndNominatesUpgrade() {
        ResponseHead answer = response("""
                HTTP/1.1 200 OK\r
                Upgrade: TLS/1.2, HTTP/1.1, h2c\r
                Connection: Upgrade\r
                Content-Length: 2\r
                \r
                """);
        Verdict.Plain plain = judged(allowingTls, PLAIN_GET, answer);
        Headers head = toClient(allowingTls, PLAIN_GET, plain, answer);

        assertEquals(List.of("TLS/1.2, HTTP/1.1"), head.values(HeaderName.UPGRADE));
        assertEquals(List.of("upgrade"), head.values(HeaderName.CONNECTION));
        assertEquals(List.of(Forwarding.NoticeKind.UPGRADE_ADVERTISED, Forwarding.NoticeKind.UPGRADE_ADVERTISEMENT_REMOVED),
                plain.notices().stream().map(Forwarding.Notice::kind).toList());
    }

    @Test
    void aResponseWithoutUpgradeHasNoNotice() {
        ResponseHead answer = response("HTTP/1.1 204 No Content\r\n\r\n");

        assertEquals(List.of(), judged(standard, PLAIN_GET, answer).notices());
    }
}
