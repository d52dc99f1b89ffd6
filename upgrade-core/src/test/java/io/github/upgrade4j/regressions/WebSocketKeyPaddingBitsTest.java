package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeDecision;
import io.github.upgrade4j.upgrade.UpgradeNegotiator;
import io.github.upgrade4j.upgrade.UpgradeReason;
import io.github.upgrade4j.upgrade.Verdict;
import io.github.upgrade4j.upgrade.WebSocketHandshake;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17, item 6: a {@code Sec-WebSocket-Key} whose unused padding bits are not zero. A key is 16
 * bytes in base64, 24 characters ending in {@code ==} (RFC 6455 §4.1 item 7); the 22nd character
 * carries 2 bits of the 16th byte and 4 bits that no byte uses. RFC 6455's own example key,
 * {@code AQIDBAUGBwgJCgsMDQ4PEC==} (§4.1 item 7, the nonce 0x01 … 0x10), has those bits set: the
 * canonical spelling would end in {@code EA==}. The server need not decode the key (§4.2.1 item 5)
 * and computes the accept over the key as received (§4.2.2 item 5), so such a key is valid.
 *
 * <p>The library answered it with a 400 {@code WEBSOCKET_KEY_INVALID} at the origin and refused it
 * at the proxy. Now both take it, the accept is computed over the string exactly as it came, and
 * keys that are not 24 base64 characters ending in {@code ==} are still refused.
 */
class WebSocketKeyPaddingBitsTest {
    /** RFC 6455 §4.1 item 7: the bytes 0x01 to 0x10 with the 4 unused bits of 'C' set. */
    private static final String RFC_KEY = "AQIDBAUGBwgJCgsMDQ4PEC==";
    /** SHA-1 of {@code RFC_KEY} and the GUID, in base64, computed outside the library. */
    private static final String RFC_KEY_ACCEPT = "OfS0wDaT5NoxF2gqm7Zj2YtetzM=";
    /** The accept of the same 16 bytes spelled canonically ({@code …EA==}), which is not the answer. */
    private static final String CANONICAL_SPELLING_ACCEPT = "C/0nmHhBztSRGR1CwL6Tf4ZjwpY=";
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    @Test
    void theRfcExampleKeyIsSixteenBytesWithItsPaddingBitsSet() {
        // The test's premise, checked with the JDK: same 16 bytes as the canonical spelling.
        byte[] bytes = Base64.getDecoder().decode(RFC_KEY);

        assertEquals(16, bytes.length);
        assertEquals("AQIDBAUGBwgJCgsMDQ4PEA==", Base64.getEncoder().encodeToString(bytes));
        assertEquals(RFC_KEY_ACCEPT, independentAccept(RFC_KEY));
        assertEquals(CANONICAL_SPELLING_ACCEPT, independentAccept("AQIDBAUGBwgJCgsMDQ4PEA=="));
    }

    @Test
    void theOriginSwitchesWithTheAcceptOfTheKeyAsReceived() {
        var switched = assertInstanceOf(UpgradeDecision.Switch.class,
                UpgradeNegotiator.of(WebSocketHandshake.standard()).decide(Wire.request(upgrade(RFC_KEY))));

        assertEquals(101, switched.response().status());
        assertEquals(List.of(RFC_KEY_ACCEPT), switched.response().headers().values(HeaderName.SEC_WEBSOCKET_ACCEPT));
    }

    @Test
    void theStandardNegotiatorSwitchesToo() {
        var switched = assertInstanceOf(UpgradeDecision.Switch.class,
                UpgradeNegotiator.standard().decide(Wire.request(upgrade(RFC_KEY))));

        assertEquals(List.of(RFC_KEY_ACCEPT), switched.response().headers().values(HeaderName.SEC_WEBSOCKET_ACCEPT));
    }

    @Test
    void theProxyForwardsTheKeyUnchangedAndTunnelsTheMatching101() {
        var forward = assertInstanceOf(Outbound.Forward.class,
                ProxyUpgrade.standard().towardUpstream(Wire.request(upgrade(RFC_KEY))));
        assertEquals(List.of(RFC_KEY), forward.head().headers().values(HeaderName.SEC_WEBSOCKET_KEY));

        var tunnel = assertInstanceOf(Verdict.Tunnel.class, ProxyUpgrade.standard().judge(
                forward.attempt(), Wire.response(switching(RFC_KEY_ACCEPT))));

        assertEquals(List.of(RFC_KEY_ACCEPT), tunnel.response().headers().values(HeaderName.SEC_WEBSOCKET_ACCEPT));
    }

    @Test
    void theProxyRefusesTheAcceptOfTheCanonicalSpelling() {
        // An upstream that decoded and re-encoded the key answered another string than the one sent.
        var forward = assertInstanceOf(Outbound.Forward.class,
                ProxyUpgrade.standard().towardUpstream(Wire.request(upgrade(RFC_KEY))));

        var invalid = assertInstanceOf(ErrorAnswer.class, ProxyUpgrade.standard().judge(
                forward.attempt(), Wire.response(switching(CANONICAL_SPELLING_ACCEPT))));

        assertEquals(UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISMATCH, invalid.reason());
        assertTrue(invalid.detail().contains("expected Sec-WebSocket-Accept '" + RFC_KEY_ACCEPT + "'"),
                invalid.detail());
    }

    @ParameterizedTest
    @ValueSource(strings = {"AQIDBAUGBwgJCgsMDQ4PEB==", "AQIDBAUGBwgJCgsMDQ4PED==", "AQIDBAUGBwgJCgsMDQ4PEP==",
            "//////////////////////==", "zzzzzzzzzzzzzzzzzzzzzz==", "+++++++++++++++++++++9=="})
    void everyPaddingBitPatternIsAcceptedWithItsOwnAccept(String key) {
        var switched = assertInstanceOf(UpgradeDecision.Switch.class,
                UpgradeNegotiator.standard().decide(Wire.request(upgrade(key))));

        assertEquals(List.of(independentAccept(key)),
                switched.response().headers().values(HeaderName.SEC_WEBSOCKET_ACCEPT));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "AQIDBAUGBwgJCgsMDQ4PEC=", // 23 characters
            "AQIDBAUGBwgJCgsMDQ4PEC===", // 25 characters
            "AQIDBAUGBwgJCgsMDQ4PECA=", // one '=': 17 bytes
            "AQIDBAUGBwgJCgsMDQ4PECAA", // no '=': 18 bytes
            "AQIDBAUGBwgJCgsMDQ4PEC", // no padding: 16 bytes, but not the 24 characters RFC 6455 asks for
            "AQIDBAUGBwgJCgsMDQ4P=C==", // '=' inside
            "AQIDBAUGBwgJCgsMDQ4P-C==", // base64url alphabet
            "AQIDBAUGBwgJCgsMDQ4P_C==", // base64url alphabet
            "AQIDBAUGBwgJCgsMDQ4P C==", // a space
            "AQIDBAUGBwgJCgsMDQ4P\u00c9C==", // a letter outside ASCII
            "AQIDBAUGBwgJCgsMDQ4PEC=A", // padding not at the end
            "========================"})
    void keysThatAreNotTwentyFourBase64CharactersEndingInTwoPadsAreStillRefused(String key) {
        var reject = assertInstanceOf(ErrorAnswer.class,
                UpgradeNegotiator.standard().decide(Wire.request(upgrade(key))));
        assertEquals(UpgradeReason.Refused.WEBSOCKET_KEY_INVALID, reject.reason(), key);
        assertEquals(400, reject.status());

        var refuse = assertInstanceOf(ErrorAnswer.class,
                ProxyUpgrade.standard().towardUpstream(Wire.request(upgrade(key))));
        assertEquals(UpgradeReason.Refused.WEBSOCKET_KEY_INVALID, refuse.reason(), key);
        assertEquals(400, refuse.response().status());
    }

    @Test
    void theCanonicalSpellingOfTheSameBytesGetsADifferentAccept() {
        var switched = assertInstanceOf(UpgradeDecision.Switch.class,
                UpgradeNegotiator.standard().decide(Wire.request(upgrade("AQIDBAUGBwgJCgsMDQ4PEA=="))));

        String accept = switched.response().headers().first(HeaderName.SEC_WEBSOCKET_ACCEPT).orElseThrow();
        assertEquals(CANONICAL_SPELLING_ACCEPT, accept);
        assertNotEquals(RFC_KEY_ACCEPT, accept);
    }

    private static String upgrade(String key) {
        return "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nOrigin: http://example.com\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    private static String switching(String accept) {
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n";
    }

    /** RFC 6455 §4.2.2 item 5, computed here without the library. */
    private static String independentAccept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
