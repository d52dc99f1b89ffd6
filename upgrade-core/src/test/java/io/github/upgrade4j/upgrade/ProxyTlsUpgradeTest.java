package io.github.upgrade4j.upgrade;

import static io.github.upgrade4j.http.RawHeads.request;
import static io.github.upgrade4j.http.RawHeads.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ProxyUpgrade} with RFC 2817's offer of TLS: never forwarded by default; forwarded when the
 * allowlist names it, and the upstream's 101, whose {@code Upgrade} lists the layers
 * ({@code TLS/1.2, HTTP/1.1}), judged against the offer and passed on with its layers.
 */
class ProxyTlsUpgradeTest {
    private static final String CUPS_OFFER = """
            OPTIONS * HTTP/1.1\r
            Connection: Upgrade\r
            Host: printer.example:631\r
            Upgrade: TLS/1.2,TLS/1.1,TLS/1.0\r
            \r
            """;
    private static final String SWITCHED = """
            HTTP/1.1 101 Switching Protocols\r
            Upgrade: TLS/1.2, HTTP/1.1\r
            Connection: Upgrade\r
            \r
            """;

    private final ProxyUpgrade allowing = ProxyUpgrade.builder().allow("websocket", "TLS/1.2").build();

    private UpgradeAttempt forwarded(ProxyUpgrade proxy) {
        return assertInstanceOf(Outbound.Forward.class, proxy.towardUpstream(request(CUPS_OFFER))).attempt();
    }

    @Test
    void neverForwardsAnOfferOfTlsByDefault() {
        Outbound.Forward forward = assertInstanceOf(Outbound.Forward.class,
                ProxyUpgrade.standard().towardUpstream(request(CUPS_OFFER)));

        UpgradeDecision.Ignore why = assertInstanceOf(UpgradeDecision.Ignore.class, forward.attempt());
        assertEquals(UpgradeReason.Ignored.NO_SUPPORTED_PROTOCOL, why.reason());
        assertEquals("the client offered TLS/1.2, TLS/1.1, TLS/1.0 but the proxy forwards only websocket", why.detail());
        Headers sent = forward.head().headers();
        assertFalse(sent.contains(HeaderName.UPGRADE), "the offer does not reach the upstream");
    }

    @Test
    void forwardsTheAllowedVersionOnlyWhenTheAllowlistNamesTls() {
        Outbound.Forward forward = assertInstanceOf(Outbound.Forward.class, allowing.towardUpstream(request(CUPS_OFFER)));

        Headers sent = forward.head().headers();
        assertEquals(List.of("TLS/1.2"), sent.values(HeaderName.UPGRADE));
        assertEquals(List.of("upgrade"), sent.values(HeaderName.CONNECTION));
        assertEquals(List.of(new Protocol("TLS", "1.2")),
                assertInstanceOf(UpgradeAttempt.Forwarded.class, forward.attempt()).offered());
    }

    @Test
    void tunnelsALayered101AndPassesItsLayersOn() {
        Verdict.Tunnel tunnel = assertInstanceOf(Verdict.Tunnel.class,
                allowing.judge(forwarded(allowing), response(SWITCHED)));

        assertEquals(new Protocol("TLS", "1.2"), tunnel.protocol());
        assertEquals(List.of("TLS/1.2, HTTP/1.1"), tunnel.response().headers().values(HeaderName.UPGRADE));
        assertEquals(List.of("upgrade"), tunnel.response().headers().values(HeaderName.CONNECTION));
        assertEquals(List.of(), tunnel.notices(), "nothing changed on the way");
    }

    @Test
    void tunnelsA101ThatNamesTheOfferAloneOrInAnotherCase() {
        Verdict.Tunnel tunnel = assertInstanceOf(Verdict.Tunnel.class, allowing.judge(forwarded(allowing),
                response(SWITCHED.replace("TLS/1.2, HTTP/1.1", "tls/1.2"))));

        assertEquals(List.of("TLS/1.2"), tunnel.response().headers().values(HeaderName.UPGRADE));
    }

    @Test
    void refusesA101ForAVersionThatWasNotForwarded() {
        ErrorAnswer answer = assertInstanceOf(ErrorAnswer.class, allowing.judge(forwarded(allowing),
                response(SWITCHED.replace("TLS/1.2, HTTP/1.1", "TLS/1.3, HTTP/1.1"))));

        assertEquals(UpgradeReason.Invalid.SWITCH_TO_UNOFFERED_PROTOCOL, answer.reason());
        assertEquals(502, answer.status());
        assertTrue(answer.detail().startsWith("the upstream switched to TLS/1.3, HTTP/1.1 but the client offered TLS/1.2"),
                answer::detail);
    }

    @Test
    void refusesALayerAboveTlsOtherThanHttp11() {
        ErrorAnswer answer = assertInstanceOf(ErrorAnswer.class, allowing.judge(forwarded(allowing),
                response(SWITCHED.replace("TLS/1.2, HTTP/1.1", "TLS/1.2, h2c"))));

        assertEquals(UpgradeReason.Invalid.SWITCH_TO_UNOFFERED_PROTOCOL, answer.reason());
        assertEquals("the upstream switched to TLS/1.2, h2c but the client offered TLS/1.2 (a 101 names one"
                + " protocol, or TLS with HTTP/1.1 on top of it)", answer.detail());
    }

    @Test
    void refusesALayered101WithoutConnectionUpgrade() {
        ErrorAnswer answer = assertInstanceOf(ErrorAnswer.class, allowing.judge(forwarded(allowing),
                response(SWITCHED.replace("Connection: Upgrade\r\n", ""))));

        assertEquals(UpgradeReason.Invalid.SWITCH_WITHOUT_CONNECTION_UPGRADE, answer.reason());
    }
}
