package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import org.junit.jupiter.api.Test;

/**
 * Go httputil.ReverseProxy (CVE-2021-33197, golang/go#46313): an empty first {@code Connection}
 * line made the proxy skip the nominations on the following lines.
 */
class Cve2021_33197Test {
    @Test
    void anEmptyFirstConnectionLineHidesNothing() {
        String raw = """
                GET / HTTP/1.1\r
                Host: app.example\r
                Connection:\r
                Connection: X-Internal-Trace\r
                X-Internal-Trace: on\r
                \r
                """;
        var forward = assertInstanceOf(Forwarding.Forward.class, Wire.forward(HopByHopPolicy.standard(), raw));

        assertEquals("GET / HTTP/1.1\r\nHost: app.example\r\nConnection: keep-alive\r\n\r\n",
                Wire.upstreamBytes(Wire.request(raw), forward));
    }
}
