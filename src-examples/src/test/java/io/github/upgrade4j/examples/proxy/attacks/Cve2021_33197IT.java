package io.github.upgrade4j.examples.proxy.attacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Go's httputil.ReverseProxy (CVE-2021-33197), end to end through the example proxy: an empty first
 * {@code Connection} line made the proxy skip the nominations on the lines after it, so a field meant
 * for the proxy alone reached the back end. Every line is read.
 */
public class Cve2021_33197IT extends ThroughTheProxy {
    @Test
    void anEmptyFirstConnectionLineHidesNoNomination() throws Exception {
        RawClient.Reply reply = send("""
                GET / HTTP/1.1\r
                Host: app.example\r
                Connection:\r
                Connection: close, X-Internal-Trace\r
                X-Internal-Trace: on\r
                \r
                """);

        assertEquals(200, reply.status(), reply::text);
        String got = upstream.peer(0).awaitEnd().received();
        String id = reply.head().replaceAll("(?s).*\r\nX-Request-Id: ([0-9a-f]{16})\r\n.*", "$1");
        assertEquals("GET / HTTP/1.1\r\nHost: app.example\r\nConnection: keep-alive\r\nX-Forwarded-For: 127.0.0.1\r\n"
                + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: app.example\r\nVia: 1.1 upgrade4j\r\n"
                + "X-Request-Id: " + id + "\r\n\r\n", got);
    }

    @Test
    void nominationsAfterAnEmptyLineAlsoApplyToAnUpgrade() throws Exception {
        upstream.script(ScriptedUpstream.echoing());
        try (RawClient client = RawClient.connect(proxyAddress())) {
            client.send(WEBSOCKET.replace("Connection: Upgrade\r\n",
                    "Connection:\r\nConnection: Upgrade, X-Internal-Trace\r\nX-Internal-Trace: on\r\n")).readUntil("\r\n\r\n");

            assertTrue(client.text().startsWith("HTTP/1.1 101 "), client::text);
            Headers got = upstream.peer(0).requests().get(0).headers();
            assertFalse(got.contains(HeaderName.of("X-Internal-Trace")), got::toString);
            assertEquals(List.of("upgrade"), got.values(HeaderName.CONNECTION));
        }
    }
}
