package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeAttempt;
import io.github.upgrade4j.upgrade.UpgradeDecision;
import io.github.upgrade4j.upgrade.UpgradeReason;
import io.github.upgrade4j.upgrade.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An unsolicited 101: the upstream switches protocols on a request that the proxy forwarded without
 * an upgrade. RFC 9110 §15.2.2 and §7.8 allow a server to switch only to a protocol the request's
 * {@code Upgrade} field offered. A proxy that tunnels any 101 (nginx keys only on the status, as
 * websocket-smuggle scenario 2 shows) lets a compromised, misrouted or SSRF-relaying upstream turn an
 * ordinary request into an unmonitored tunnel, past the proxy's rules for every later request.
 *
 * <p>The proxy remembers what it forwarded in the {@link UpgradeAttempt}; a 101 to a plain request is
 * a 502, whatever fields it carries, while a 100 Continue is still relayed as an interim answer.
 */
class UnsolicitedSwitchTest {
    private static final String PLAIN_GET = """
            GET /account HTTP/1.1\r
            Host: app.example\r
            Accept: text/html\r
            \r
            """;

    /** As convincing as a 101 gets: it even carries an accept. */
    private static final String SWITCH = """
            HTTP/1.1 101 Switching Protocols\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
            \r
            """;

    @Test
    void a101ToAPlainGetIsInvalid() {
        UpgradeAttempt attempt = plainAttempt(PLAIN_GET);
        assertEquals(UpgradeReason.Ignored.NOT_OFFERED, ((UpgradeDecision.Ignore) attempt).reason());

        var invalid = assertInstanceOf(ErrorAnswer.class,
                ProxyUpgrade.standard().judge(attempt, Wire.response(SWITCH)));
        assertEquals(UpgradeReason.Invalid.UNSOLICITED_SWITCH, invalid.reason());
        assertEquals(502, invalid.response().status());
        assertTrue(invalid.detail().contains("101"), invalid.detail());
        assertTrue(invalid.detail().contains("without an upgrade"), invalid.detail());
        assertTrue(invalid.detail().contains("NOT_OFFERED"), invalid.detail());
        assertTrue(invalid.message().contains("did not ask for an upgrade"), invalid.message());
        assertTrue(invalid.response().headers().hasToken(HeaderName.CONNECTION, "close"));
        assertEquals(List.of(Integer.toString(invalid.body().length)),
                invalid.response().headers().values(HeaderName.CONTENT_LENGTH));
    }

    @Test
    void a101ToAnUpgradeThatWasDroppedIsInvalidToo() {
        String withoutConnectionUpgrade = PLAIN_GET.replace("\r\n\r\n",
                "\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n");
        String http10 = withoutConnectionUpgrade.replace("HTTP/1.1", "HTTP/1.0").replace("keep-alive", "Upgrade");

        UpgradeAttempt lacksToken = plainAttempt(withoutConnectionUpgrade);
        assertEquals(UpgradeReason.Ignored.CONNECTION_LACKS_UPGRADE, ((UpgradeDecision.Ignore) lacksToken).reason());
        UpgradeAttempt oldVersion = plainAttempt(http10);
        assertEquals(UpgradeReason.Ignored.HTTP_1_0_REQUEST, ((UpgradeDecision.Ignore) oldVersion).reason());

        for (UpgradeAttempt attempt : List.of(lacksToken, oldVersion)) {
            var invalid = assertInstanceOf(ErrorAnswer.class,
                    ProxyUpgrade.standard().judge(attempt, Wire.response(SWITCH)));
            assertEquals(UpgradeReason.Invalid.UNSOLICITED_SWITCH, invalid.reason(), attempt::toString);
            assertEquals(502, invalid.response().status());
        }
    }

    @Test
    void a100ContinueToAPlainRequestIsStillRelayedAsInterim() {
        var interim = assertInstanceOf(Verdict.Interim.class, ProxyUpgrade.standard()
                .judge(plainAttempt(PLAIN_GET), Wire.response("HTTP/1.1 100 Continue\r\n\r\n")));
        assertEquals(100, interim.response().status());
    }

    @Test
    void aFinalAnswerToAPlainRequestKeepsTheClientConnection() {
        var plain = assertInstanceOf(Verdict.Plain.class, ProxyUpgrade.standard()
                .judge(plainAttempt(PLAIN_GET), Wire.response("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")));
        assertFalse(plain.closeClient());
        assertEquals(UpgradeReason.Ignored.NOT_OFFERED, plain.reason());
    }

    private static UpgradeAttempt plainAttempt(String raw) {
        var forward = assertInstanceOf(Outbound.Forward.class,
                ProxyUpgrade.standard().towardUpstream(Wire.request(raw)));
        assertFalse((forward.attempt() instanceof UpgradeAttempt.Forwarded), raw);
        assertFalse(forward.head().headers().contains(HeaderName.UPGRADE), raw);
        return forward.attempt();
    }
}
