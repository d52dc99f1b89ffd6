package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.Protocol;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeAttempt;
import io.github.upgrade4j.upgrade.UpgradeReason;
import io.github.upgrade4j.upgrade.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A 101 that names a protocol the client did not offer: the client asked for {@code websocket} and
 * the upstream switched to {@code h2c}. RFC 9110 §7.8 lets a server switch only to one of the
 * protocols listed in the request's {@code Upgrade} field, and requires the 101 to name the protocol
 * switched to. Relaying such a switch gives the client an HTTP/2 connection to the upstream it never
 * negotiated through the proxy (the h2c smuggling outcome, reached from the upstream's side), and a
 * 101 that lists several protocols does not say which one the bytes that follow speak.
 *
 * <p>The proxy refuses with a 502 whose detail reads "the upstream switched to h2c but the client
 * offered websocket". Protocol names compare ignoring case, versions exactly.
 */
class SwitchToUnofferedProtocolTest {
    private static final String KEY = "x3JJHMbDL1EzLkh9GBhXDw==";
    private static final String ACCEPT = "HSmrc0sMlYUkAGmm5OPpG2HaGWk="; // the right accept for KEY

    private static final String UPGRADE = """
            GET /chat HTTP/1.1\r
            Host: chat.example\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r
            Sec-WebSocket-Version: 13\r
            \r
            """;

    @Test
    void aSwitchToH2cWhenWebsocketWasOfferedIsInvalid() {
        var invalid = assertInstanceOf(ErrorAnswer.class, ProxyUpgrade.standard().judge(attempt(),
                Wire.response("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")));

        assertEquals(UpgradeReason.Invalid.SWITCH_TO_UNOFFERED_PROTOCOL, invalid.reason());
        assertEquals(502, invalid.response().status());
        assertEquals("the upstream switched to h2c but the client offered websocket", invalid.detail());
        assertTrue(invalid.message().contains("did not ask for"), invalid.message());
        assertEquals(List.of(Integer.toString(invalid.body().length)),
                invalid.response().headers().values(HeaderName.CONTENT_LENGTH));
    }

    @Test
    void aSwitchNamingSeveralProtocolsOrAnotherVersionIsInvalid() {
        for (String upgrade : List.of("websocket, h2c", "h2c, websocket", "websocket\r\nUpgrade: websocket",
                "websocket/13", "IRC/6.9")) {
            var invalid = assertInstanceOf(ErrorAnswer.class, ProxyUpgrade.standard().judge(attempt(),
                    Wire.response("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: " + upgrade
                            + "\r\nSec-WebSocket-Accept: " + ACCEPT + "\r\n\r\n")));
            assertEquals(UpgradeReason.Invalid.SWITCH_TO_UNOFFERED_PROTOCOL, invalid.reason(), upgrade);
            assertTrue(invalid.detail().contains("the client offered websocket"), invalid.detail());
        }
    }

    @Test
    void aSwitchToTheOfferedProtocolInAnotherCaseOpensTheTunnel() {
        var tunnel = assertInstanceOf(Verdict.Tunnel.class, ProxyUpgrade.standard().judge(attempt(),
                Wire.response("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: WebSocket\r\n"
                        + "Sec-WebSocket-Accept: " + ACCEPT + "\r\n\r\n")));

        assertTrue(tunnel.protocol().sameAs(Protocol.WEBSOCKET), tunnel::toString);
        assertEquals(List.of("upgrade"), tunnel.response().headers().values(HeaderName.CONNECTION));
    }

    @Test
    void aSwitchWithoutAnyUpgradeFieldIsInvalid() {
        var invalid = assertInstanceOf(ErrorAnswer.class, ProxyUpgrade.standard().judge(attempt(),
                Wire.response("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + ACCEPT + "\r\n\r\n")));

        assertEquals(UpgradeReason.Invalid.SWITCH_WITHOUT_UPGRADE, invalid.reason());
        assertEquals(502, invalid.response().status());
    }

    private static UpgradeAttempt attempt() {
        var forward = assertInstanceOf(Outbound.Forward.class,
                ProxyUpgrade.standard().towardUpstream(Wire.request(UPGRADE)));
        assertEquals(List.of(Protocol.WEBSOCKET), ((UpgradeAttempt.Forwarded) forward.attempt()).offered());
        assertEquals(List.of(KEY), forward.head().headers().values(HeaderName.SEC_WEBSOCKET_KEY));
        return forward.attempt();
    }
}
