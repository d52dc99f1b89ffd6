package io.github.upgrade4j.examples.proxy.attacks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Traefik (CVE-2024-45410), end to end through the example proxy: a client nominating an
 * {@code X-Forwarded-*} field nobody listed ({@code X-Forwarded-Prefix}) removed it on the way to the
 * back end. Every {@code X-Forwarded-*} name is protected: the nomination is ignored, and the proxy
 * still writes its own forwarding fields.
 */
public class Cve2024_45410IT extends ThroughTheProxy {
    private static final String ATTACK = """
            GET / HTTP/1.1\r
            Host: app.example\r
            X-Forwarded-Prefix: /tenant-a\r
            Connection: close, x-forwarded-prefix, X-FORWARDED-PROTO\r
            \r
            """;

    @Test
    void aNominatedForwardingFieldReachesTheUpstreamAndTheProxysOwnAreWritten() throws Exception {
        RawClient.Reply reply = send(ATTACK);

        assertEquals(200, reply.status(), reply::text);
        Headers got = upstream.peer(0).awaitEnd().requests().get(0).headers();
        assertEquals(List.of("/tenant-a"), got.values(HeaderName.of("X-Forwarded-Prefix")));
        assertEquals(List.of("http"), got.values(HeaderName.X_FORWARDED_PROTO));
        assertEquals(List.of("127.0.0.1"), got.values(HeaderName.X_FORWARDED_FOR));
    }

    @Test
    void theSameHoldsOnAWebSocketUpgrade() throws Exception {
        upstream.script(ScriptedUpstream.echoing());
        try (RawClient client = RawClient.connect(proxyAddress())) {
            client.send(WEBSOCKET.replace("Connection: Upgrade\r\n",
                    "X-Forwarded-Prefix: /tenant-a\r\nConnection: Upgrade, X-Forwarded-Prefix\r\n")).readUntil("\r\n\r\n");

            Headers got = upstream.peer(0).requests().get(0).headers();
            assertEquals(List.of("/tenant-a"), got.values(HeaderName.of("X-Forwarded-Prefix")));
        }
    }
}
