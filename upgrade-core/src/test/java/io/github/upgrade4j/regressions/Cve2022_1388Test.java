package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.hop.Protection;
import io.github.upgrade4j.hop.Refusal;
import io.github.upgrade4j.http.HeaderName;
import org.junit.jupiter.api.Test;

/**
 * F5 BIG-IP iControl REST (CVE-2022-1388): {@code Connection: X-F5-Auth-Token} made the front end
 * strip the token the back end relied on, and an empty token plus {@code Authorization: Basic
 * admin:} passed as authenticated. A protected name must survive nomination.
 */
class Cve2022_1388Test {
    private static final String ATTACK = """
            POST /mgmt/tm/util/bash HTTP/1.1\r
            Host: bigip.example\r
            Authorization: Basic YWRtaW46\r
            X-F5-Auth-Token: a\r
            Connection: keep-alive, X-F5-Auth-Token\r
            Content-Length: 0\r
            \r
            """;

    @Test
    void aProtectedAuthTokenSurvivesItsNomination() {
        HopByHopPolicy policy = HopByHopPolicy.builder().protect(HeaderName.of("X-F5-Auth-Token"), Protection.KEEP_AND_REPORT).build();

        var forward = assertInstanceOf(Forwarding.Forward.class, Wire.forward(policy, ATTACK));
        assertEquals("a", forward.headers().first(HeaderName.of("x-f5-auth-token")).orElseThrow());
        assertTrue(forward.headers().contains(HeaderName.AUTHORIZATION));
        assertEquals(Forwarding.NoticeKind.PROTECTED_FIELD_NOMINATED, forward.notices().get(0).kind());
    }

    @Test
    void anOperatorCanRefuseSuchARequestOutright() {
        HopByHopPolicy policy = HopByHopPolicy.builder().protect(HeaderName.of("X-F5-Auth-Token"), Protection.REFUSE).build();

        var refuse = assertInstanceOf(Forwarding.Refuse.class, Wire.forward(policy, ATTACK));
        assertEquals(Refusal.PROTECTED_FIELD_NOMINATED, refuse.reason());
        assertEquals(400, refuse.status());
        assertTrue(refuse.message().contains("CVE-2022-1388"), refuse.message());
    }

    @Test
    void authorizationItselfIsProtectedByDefault() {
        var forward = assertInstanceOf(Forwarding.Forward.class, Wire.forward(HopByHopPolicy.standard(),
                ATTACK.replace("X-F5-Auth-Token\r", "Authorization\r")));

        assertEquals("Basic YWRtaW46", forward.headers().first(HeaderName.AUTHORIZATION).orElseThrow());
    }
}
