package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.upgrade4j.hop.ForwardedFields;
import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.RequestHead;
import org.junit.jupiter.api.Test;

/**
 * Apache httpd mod_proxy (CVE-2022-31813): {@code Connection: X-Forwarded-For} removed the
 * proxy's own {@code X-Forwarded-*} fields, defeating IP-based authentication at the back end.
 * Stripping runs first and the proxy's fields are written after it.
 */
class Cve2022_31813Test {
    @Test
    void theProxysForwardingFieldsCannotBeNominatedAway() {
        String raw = """
                GET /admin HTTP/1.1\r
                Host: app.example\r
                Connection: close, X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto, Forwarded, X-Real-IP, Via\r
                \r
                """;
        RequestHead head = Wire.request(raw);
        var forward = assertInstanceOf(Forwarding.Forward.class, HopByHopPolicy.standard().forRequest(head));
        RequestHead upstream = head.withHeaders(forward.edit()
                .forwarded(ForwardedFields.builder().via("edge").forwarded(true).build(), head, "198.51.100.9").build());

        assertEquals("198.51.100.9", upstream.headers().first(HeaderName.X_FORWARDED_FOR).orElseThrow());
        assertEquals("app.example", upstream.headers().first(HeaderName.X_FORWARDED_HOST).orElseThrow());
        assertEquals("http", upstream.headers().first(HeaderName.X_FORWARDED_PROTO).orElseThrow());
        assertEquals("1.1 edge", upstream.headers().first(HeaderName.VIA).orElseThrow());
        assertEquals(6, forward.notices().size());
    }
}
