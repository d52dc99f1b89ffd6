package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.hop.ForwardedFields;
import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.hop.Protection;
import io.github.upgrade4j.hop.Refusal;
import io.github.upgrade4j.hop.UnderscoreAction;
import io.github.upgrade4j.http.HeaderField;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeAttempt;
import io.github.upgrade4j.upgrade.UpgradeReason;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, item 3: field names that imitate the proxy's own fields with {@code _} for {@code -}.
 * {@code X_Forwarded_Proto: https} is a different field from {@code X-Forwarded-Proto} to HTTP, so
 * the proxy forwarded it beside its own {@code X-Forwarded-Proto: http}; but a back end that reads
 * {@code _} as {@code -}, as CGI does (both become {@code HTTP_X_FORWARDED_PROTO}, RFC 3875
 * §4.1.18), takes the client's for the proxy's. nginx ignores such names by default
 * ({@code underscores_in_headers off}); Envoy has {@code headers_with_underscores_action}.
 *
 * <p>By default the policy drops every request field whose name, read that way, is a protected or
 * forwarding field, and reports each as a removal; it can refuse the request (400) or pass it
 * instead. Names with {@code _} that imitate nothing pass, and responses are not checked.
 */
class UnderscoredAliasTest {
    private static final String SPOOF = """
            GET /admin HTTP/1.1\r
            Host: app.example\r
            X_Forwarded_Proto: https\r
            Accept: text/html\r
            x_forwarded_for: 127.0.0.1\r
            X_Real_IP: 127.0.0.1\r
            X-Forwarded_Host: admin.internal\r
            X_Forwarded_Client_Cert: Hash=00\r
            X_Request_Id: 42\r
            \r
            """;

    @Test
    void anUnderscoredForwardedProtoNeverReachesTheUpstreamBesideTheProxysOwn() {
        RequestHead head = Wire.request(SPOOF);
        var forward = assertInstanceOf(Forwarding.Forward.class, HopByHopPolicy.standard().forRequest(head));
        RequestHead upstream = head.withHeaders(forward.edit()
                .forwarded(ForwardedFields.builder().build(), head, "198.51.100.9").build());
        String bytes = Wire.upstreamBytes(upstream, forward);

        assertFalse(bytes.toLowerCase(Locale.ROOT).contains("x_forwarded"), bytes);
        assertFalse(bytes.contains("X_Real_IP"), bytes);
        assertEquals(List.of("http"), upstream.headers().values(HeaderName.X_FORWARDED_PROTO));
        assertEquals(List.of("198.51.100.9"), upstream.headers().values(HeaderName.X_FORWARDED_FOR));
        assertEquals(List.of("app.example"), upstream.headers().values(HeaderName.X_FORWARDED_HOST));
        assertTrue(bytes.contains("X_Request_Id: 42\r\n"), () -> "a name with '_' that imitates nothing passes: " + bytes);
        assertTrue(bytes.contains("Accept: text/html\r\n"), bytes);
    }

    @Test
    void everyDropIsReportedAsARemovalWithItsCause() {
        var forward = assertInstanceOf(Forwarding.Forward.class, Wire.forward(HopByHopPolicy.standard(), SPOOF));

        assertEquals(List.of(HeaderField.of("X_Forwarded_Proto", "https"), HeaderField.of("x_forwarded_for", "127.0.0.1"),
                HeaderField.of("X_Real_IP", "127.0.0.1"), HeaderField.of("X-Forwarded_Host", "admin.internal"),
                HeaderField.of("X_Forwarded_Client_Cert", "Hash=00")),
                forward.removals().stream().map(Forwarding.Removal::field).toList());
        assertTrue(forward.removals().stream().allMatch(r -> r.cause() == Forwarding.RemovalCause.UNDERSCORED_ALIAS),
                forward.removals()::toString);
        assertEquals(List.of(), forward.notices());
    }

    @Test
    void framingFieldsSpelledWithUnderscoresAreDroppedToo() {
        // A back end that reads Transfer_Encoding as Transfer-Encoding would frame the body differently
        // from the proxy, which forwards it by Content-Length: request smuggling.
        var forward = assertInstanceOf(Forwarding.Forward.class, Wire.forward(HopByHopPolicy.standard(), """
                POST /upload HTTP/1.1\r
                Host: app.example\r
                Content-Length: 5\r
                Transfer_Encoding: chunked\r
                Content_Length: 0\r
                \r
                """));

        assertEquals(List.of(HeaderField.of("Host", "app.example"), HeaderField.of("Content-Length", "5")),
                forward.headers().fields());
        assertEquals(2, forward.removals().size());
    }

    @Test
    void aPolicyThatRefusesAnswers400WithAdviceBeforeTheUpstreamIsContacted() {
        HopByHopPolicy refusing = HopByHopPolicy.builder().underscoredAliases(UnderscoreAction.REFUSE).build();

        var refuse = assertInstanceOf(Forwarding.Refuse.class, Wire.forward(refusing, SPOOF));
        assertEquals(Refusal.UNDERSCORED_ALIAS, refuse.reason());
        assertEquals(400, refuse.status());
        assertEquals("expected no field name that reads as a protected one with '_' as '-' but found"
                + " X_Forwarded_Proto, read as X-Forwarded-Proto", refuse.detail());
        assertTrue(refuse.message().contains("RFC 3875 §4.1.18"), refuse::message);
        assertTrue(refuse.message().contains("underscoredAliases(UnderscoreAction.PASS)"), refuse::message);

        var proxied = assertInstanceOf(ErrorAnswer.class,
                ProxyUpgrade.builder().policy(refusing).build().towardUpstream(Wire.request(SPOOF)));
        assertEquals(Refusal.UNDERSCORED_ALIAS, proxied.reason());
        assertEquals(400, proxied.response().status());
        assertTrue(proxied.detail().contains("X_Forwarded_Proto"), proxied::detail);

        var harmless = assertInstanceOf(Forwarding.Forward.class,
                Wire.forward(refusing, "GET / HTTP/1.1\r\nHost: a\r\nX_Request_Id: 42\r\n\r\n"));
        assertFalse(harmless.stripped(), "a name with '_' that imitates nothing is not refused");
    }

    @Test
    void aPolicyThatPassesForwardsThemAsTheyCame() {
        HopByHopPolicy passing = HopByHopPolicy.builder().underscoredAliases(UnderscoreAction.PASS).build();
        RequestHead head = Wire.request(SPOOF);

        var forward = assertInstanceOf(Forwarding.Forward.class, passing.forRequest(head));
        assertSame(head.headers(), forward.headers(), "nothing removed, nothing copied");
        assertEquals(UnderscoreAction.PASS, underscoreActionOf(passing.toBuilder().build()));
    }

    @Test
    void aliasesOfTheOperatorsOwnProtectedNamesAreDropped() {
        String raw = "GET / HTTP/1.1\r\nHost: a\r\nX_Auth_User: root\r\nX_Tenant: acme\r\n\r\n";
        var unprotected = assertInstanceOf(Forwarding.Forward.class, Wire.forward(HopByHopPolicy.standard(), raw));
        assertFalse(unprotected.stripped(), "X-Auth-User is not protected by default");

        // The operator protects X-Auth-User, and X_Tenant spelled with its '_': that one is the real field.
        HopByHopPolicy own = HopByHopPolicy.builder().protect(HeaderName.of("X-Auth-User"), Protection.KEEP_AND_REPORT)
                .protect(HeaderName.of("X_Tenant"), Protection.REFUSE).build();
        var forward = assertInstanceOf(Forwarding.Forward.class, Wire.forward(own, raw));
        assertEquals(List.of(HeaderField.of("X_Auth_User", "root")),
                forward.removals().stream().map(Forwarding.Removal::field).toList());
        assertEquals(List.of("acme"), forward.headers().values(HeaderName.of("X_Tenant")));
    }

    @Test
    void responsesAreNotChecked() {
        var forward = assertInstanceOf(Forwarding.Forward.class, HopByHopPolicy.standard().forResponse(Wire.response(
                "HTTP/1.1 200 OK\r\nX_Forwarded_Proto: https\r\nContent-Length: 0\r\n\r\n")));

        assertEquals(List.of("https"), forward.headers().values(HeaderName.of("X_Forwarded_Proto")));
        assertFalse(forward.stripped());
    }

    @Test
    void theProxyRoleDropsThemFromAWebSocketUpgradeToo() {
        String upgrade = SPOOF.replace("GET /admin HTTP/1.1\r\n", "GET /chat HTTP/1.1\r\n").replace("\r\n\r\n",
                "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n");

        var forward = assertInstanceOf(Outbound.Forward.class,
                ProxyUpgrade.standard().towardUpstream(Wire.request(upgrade)));
        assertTrue((forward.attempt() instanceof UpgradeAttempt.Forwarded));
        assertFalse(forward.head().headers().contains(HeaderName.of("X_Forwarded_Proto")));
        assertEquals(5, forward.stripping().removals().stream()
                .filter(r -> r.cause() == Forwarding.RemovalCause.UNDERSCORED_ALIAS).count());
    }

    /** The action a policy applies, read from its behaviour on one aliased field. */
    private static UnderscoreAction underscoreActionOf(HopByHopPolicy policy) {
        Forwarding forwarding = Wire.forward(policy, "GET / HTTP/1.1\r\nHost: a\r\nX_Real_IP: 1\r\n\r\n");
        if (forwarding instanceof Forwarding.Refuse) {
            return UnderscoreAction.REFUSE;
        }
        return ((Forwarding.Forward) forwarding).stripped() ? UnderscoreAction.DROP : UnderscoreAction.PASS;
    }
}
