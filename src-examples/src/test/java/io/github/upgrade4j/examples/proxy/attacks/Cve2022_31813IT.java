package io.github.upgrade4j.examples.proxy.attacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Apache httpd mod_proxy (CVE-2022-31813), end to end through the example proxy: a client names the
 * proxy's own {@code X-Forwarded-*} fields in {@code Connection} so that a back end doing IP-based
 * authorisation never sees them, and writes its own. The upstream gets the proxy's values, once each,
 * whatever the client nominated or forged.
 */
public class Cve2022_31813IT extends ThroughTheProxy {
    private static final String ATTACK = """
            GET /admin HTTP/1.1\r
            Host: app.example\r
            X-Forwarded-For: 10.0.0.1\r
            X-Real-IP: 10.0.0.1\r
            Via: 1.1 trusted-edge\r
            Connection: close, X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto, Forwarded, X-Real-IP, Via\r
            \r
            """;

    @Test
    void theUpstreamGetsTheProxysForwardingFieldsWhateverTheClientNominatedOrForged() throws Exception {
        RawClient.Reply reply = send(ATTACK);

        assertEquals(200, reply.status(), reply::text);
        Headers got = upstream.peer(0).awaitEnd().requests().get(0).headers();
        assertEquals(List.of("127.0.0.1"), got.values(HeaderName.X_FORWARDED_FOR));
        assertEquals(List.of("http"), got.values(HeaderName.X_FORWARDED_PROTO));
        assertEquals(List.of("app.example"), got.values(HeaderName.X_FORWARDED_HOST));
        assertFalse(got.contains(HeaderName.X_REAL_IP), "a forged X-Real-IP went upstream");
        assertEquals(List.of("1.1 trusted-edge", "1.1 upgrade4j"), got.values(HeaderName.VIA), "Via is appended to");
    }

    @Test
    void anUpgradeRequestCannotNominateThemAwayEither() throws Exception {
        upstream.script(ScriptedUpstream.echoing());
        try (RawClient client = RawClient.connect(proxyAddress())) {
            client.send(WEBSOCKET.replace("Connection: Upgrade", "Connection: Upgrade, X-Forwarded-For, Via"))
                    .readUntil("\r\n\r\n");

            Headers got = upstream.peer(0).requests().get(0).headers();
            assertEquals(List.of("127.0.0.1"), got.values(HeaderName.X_FORWARDED_FOR));
            assertEquals(List.of("1.1 upgrade4j"), got.values(HeaderName.VIA));
            assertEquals(List.of("upgrade"), got.values(HeaderName.CONNECTION));
        }
    }
}
