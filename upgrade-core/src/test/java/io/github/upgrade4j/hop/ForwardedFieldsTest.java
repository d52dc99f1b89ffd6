package io.github.upgrade4j.hop;

import static io.github.upgrade4j.http.RawHeads.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.RequestHead;
import org.junit.jupiter.api.Test;

class ForwardedFieldsTest {
    private static final RequestHead SPOOFED = request("""
            GET / HTTP/1.1\r
            Host: app.example\r
            X-Forwarded-For: 6.6.6.6\r
            X-Forwarded-Proto: https\r
            X-Forwarded-Host: evil.example\r
            X-Real-IP: 6.6.6.6\r
            Forwarded: for=6.6.6.6\r
            Via: 1.1 cdn\r
            \r
            """);

    @Test
    void anEdgeProxyReplacesWhateverTheClientClaimed() {
        RequestHead out = Edits.forwarded(ForwardedFields.builder().via("edge").forwarded(true).build(), SPOOFED, "203.0.113.7");

        // The proxy's values take the place of the first spoofed line of each name (HeadEditor.set).
        assertEquals(Headers.of("Host", "app.example",
                "X-Forwarded-For", "203.0.113.7", "X-Forwarded-Proto", "http", "X-Forwarded-Host", "app.example",
                "Forwarded", "for=\"203.0.113.7\";host=\"app.example\";proto=http", "Via", "1.1 cdn", "Via", "1.1 edge"),
                out.headers());
    }

    @Test
    void aTrustingProxyExtendsTheChains() {
        RequestHead out = Edits.forwarded(ForwardedFields.builder().trustIncoming(true).forwarded(true).build(), SPOOFED, "10.0.0.2");

        assertEquals("6.6.6.6, 10.0.0.2", out.headers().first(io.github.upgrade4j.http.HeaderName.X_FORWARDED_FOR).orElseThrow());
        assertEquals("https", out.headers().first(io.github.upgrade4j.http.HeaderName.X_FORWARDED_PROTO).orElseThrow());
        assertEquals("evil.example", out.headers().first(io.github.upgrade4j.http.HeaderName.X_FORWARDED_HOST).orElseThrow());
        assertEquals("for=6.6.6.6, for=\"10.0.0.2\";host=\"app.example\";proto=http",
                out.headers().first(io.github.upgrade4j.http.HeaderName.FORWARDED).orElseThrow());
    }

    @Test
    void ipv6ClientsAreBracketedInForwarded() {
        RequestHead out = Edits.forwarded(ForwardedFields.builder().forwarded(true).proto("https").host("a").build(), request("GET / HTTP/1.0\r\n\r\n"), "2001:db8::1");

        assertEquals(Headers.of("X-Forwarded-For", "2001:db8::1", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "a",
                "Forwarded", "for=\"[2001:db8::1]\";host=\"a\";proto=https"), out.headers());
    }

    @Test
    void rejectsValuesThatCouldInjectFields() {
        ForwardedFields fields = ForwardedFields.builder().build();
        RequestHead plain = request("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThrows(IllegalArgumentException.class, () -> Edits.forwarded(fields, plain, "1.2.3.4\r\nX-Evil: 1"));
        assertThrows(IllegalArgumentException.class, () -> ForwardedFields.builder().via("a b"));
        assertThrows(IllegalArgumentException.class, () -> ForwardedFields.builder().proto(""));
        assertThrows(IllegalArgumentException.class, () -> Edits.forwarded(fields, plain, "1.2.3.4, 5.6.7.8"));
    }
}
