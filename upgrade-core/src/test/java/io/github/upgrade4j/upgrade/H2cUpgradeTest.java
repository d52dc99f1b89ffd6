package io.github.upgrade4j.upgrade;

import static io.github.upgrade4j.http.RawHeads.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class H2cUpgradeTest {
    private static final String CURL = """
            GET / HTTP/1.1\r
            Host: app.example\r
            User-Agent: curl/8.5.0\r
            Connection: Upgrade, HTTP2-Settings\r
            Upgrade: h2c\r
            HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r
            \r
            """;
    private final UpgradeNegotiator negotiator = UpgradeNegotiator.of(H2cUpgrade.handler());

    private UpgradeReason ignoredBecause(String raw) {
        return assertInstanceOf(UpgradeDecision.Ignore.class, negotiator.decide(request(raw))).reason();
    }

    @Test
    void switchesCurlsH2cUpgrade() {
        var switched = assertInstanceOf(UpgradeDecision.Switch.class, negotiator.decide(request(CURL)));

        assertEquals(Protocol.H2C, switched.protocol());
        assertEquals(18, H2cUpgrade.decodeSettings("AAMAAABkAAQCAAAAAAIAAAAA").orElseThrow().length);
    }

    @Test
    void ignoresH2cWithoutExactlyOneSettingsField() {
        assertEquals(UpgradeReason.Ignored.H2C_SETTINGS_MISSING,
                ignoredBecause(CURL.replace("HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n", "")));
        assertEquals(UpgradeReason.Ignored.H2C_SETTINGS_MISSING, ignoredBecause(CURL.replace("HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n",
                "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n")));
    }

    @Test
    void ignoresSettingsThatAreNotBase64UrlOfWholeSettings() {
        for (String bad : new String[] {"AAMAAABkAAQCAAAAAAIAAAAA==", "AAMA+ABk", "AAMAAA"}) {
            assertEquals(UpgradeReason.Ignored.H2C_SETTINGS_INVALID, ignoredBecause(CURL.replace("AAMAAABkAAQCAAAAAAIAAAAA", bad)),
                    bad);
        }
        assertTrue(H2cUpgrade.decodeSettings("").isPresent());
    }

    @Test
    void ignoresSettingsThatConnectionDoesNotNominate() {
        assertEquals(UpgradeReason.Ignored.H2C_SETTINGS_NOT_NOMINATED,
                ignoredBecause(CURL.replace("Connection: Upgrade, HTTP2-Settings", "Connection: Upgrade")));
    }
}
