package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.hop.Protection;
import io.github.upgrade4j.hop.Refusal;
import io.github.upgrade4j.http.HeaderName;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Traefik (CVE-2024-45410): a client nominating {@code X-Forwarded-Prefix} or another
 * {@code X-Forwarded-*} field removed the value a trusted hop had set. Every {@code X-Forwarded-*}
 * name is protected, including ones nobody listed.
 */
class Cve2024_45410Test {
    private static final String ATTACK = """
            GET / HTTP/1.1\r
            Host: app.example\r
            X-Forwarded-Prefix: /tenant-a\r
            X-Forwarded-Port: 443\r
            Connection: x-forwarded-prefix, X-FORWARDED-PORT\r
            \r
            """;

    @Test
    void everyForwardingFieldSurvivesItsNomination() {
        var forward = assertInstanceOf(Forwarding.Forward.class, Wire.forward(HopByHopPolicy.standard(), ATTACK));

        assertEquals(List.of("/tenant-a"), forward.headers().values(HeaderName.of("X-Forwarded-Prefix")));
        assertEquals(List.of("443"), forward.headers().values(HeaderName.X_FORWARDED_PORT));
    }

    @Test
    void theWholeFamilyCanBeMadeToRefuse() {
        HopByHopPolicy policy = HopByHopPolicy.builder().protectForwardingFields(Protection.REFUSE).build();

        var refuse = assertInstanceOf(Forwarding.Refuse.class, Wire.forward(policy, ATTACK));
        assertEquals(Refusal.PROTECTED_FIELD_NOMINATED, refuse.reason());
    }
}
