package io.github.upgrade4j.examples.proxy.attacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.RequestHead;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * F5 BIG-IP iControl REST (CVE-2022-1388), end to end through the example proxy: the request names
 * the fields the back end trusts in {@code Connection} so that a proxy strips them on the way. Here
 * {@code Authorization} is protected by the standard policy and reaches the upstream unchanged; the
 * vendor token is not on that list, so it is removed like any nominated field, which is what RFC 9110
 * §7.6.1 asks. A deployment whose back end relies on such a token protects it
 * ({@code HopByHopPolicy.Builder.protect}), as the library regression {@code Cve2022_1388Test} shows.
 */
public class Cve2022_1388IT extends ThroughTheProxy {
    private static final String ATTACK = """
            POST /mgmt/tm/util/bash HTTP/1.1\r
            Host: bigip.example\r
            Authorization: Basic YWRtaW46\r
            X-F5-Auth-Token: a\r
            Connection: keep-alive, X-F5-Auth-Token, Authorization\r
            Content-Length: 0\r
            \r
            """;

    @Test
    void aNominatedAuthorizationStillReachesTheUpstreamUnchanged() throws Exception {
        try (RawClient client = RawClient.connect(proxyAddress())) {
            RawClient.Reply reply = client.send(ATTACK).readResponse();

            assertEquals(200, reply.status(), reply::text);
            RequestHead got = upstream.peer(0).requests().get(0);
            assertEquals(List.of("Basic YWRtaW46"), got.headers().values(HeaderName.AUTHORIZATION));
            assertEquals(List.of("keep-alive"), got.headers().values(HeaderName.CONNECTION), "the proxy's own Connection");
            assertFalse(got.headers().contains(HeaderName.of("X-F5-Auth-Token")), "a nominated, unprotected field");
            assertEquals(List.of("127.0.0.1"), got.headers().values(HeaderName.X_FORWARDED_FOR));
            proxy.awaitLine("POST /mgmt/tm/util/bash -> 200");
        }
    }

    @Test
    void theSameNominationCannotStripAuthorizationFromAWebSocketUpgradeEither() throws Exception {
        upstream.script(ScriptedUpstream.echoing());
        String upgrade = WEBSOCKET.replace("Connection: Upgrade\r\n",
                "Authorization: Bearer t0ken\r\nConnection: Upgrade, Authorization\r\n");
        try (RawClient client = RawClient.connect(proxyAddress())) {
            client.send(upgrade).readUntil("\r\n\r\n");
            assertTrue(client.text().startsWith("HTTP/1.1 101 "), client::text);
            client.send("ping");
            client.readUntil("ping");

            RequestHead got = upstream.peer(0).requests().get(0);
            assertEquals(List.of("Bearer t0ken"), got.headers().values(HeaderName.AUTHORIZATION));
            assertEquals(List.of("upgrade"), got.headers().values(HeaderName.CONNECTION));
        }
    }
}
