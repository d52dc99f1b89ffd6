package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The server side of the h2c upgrade (RFC 7540 §3.2), as a {@link ProtocolHandler}: off unless
 * registered with {@link UpgradeNegotiator#of}. RFC 9113 §3.1 deprecates this mechanism, and a
 * proxy that forwards it lets clients reach the upstream over HTTP/2 outside the proxy's rules (h2c
 * smuggling), so register it only on an origin that really serves h2c.
 *
 * <p>It switches only when the request has exactly one {@code HTTP2-Settings} field, valid
 * base64url, which {@code Connection} nominates; otherwise the offer is ignored, as RFC 7540 §3.2.1
 * requires, and the request is served as HTTP/1.1. Immutable and thread-safe.
 */
public final class H2cUpgrade implements ProtocolHandler {
    private static final H2cUpgrade INSTANCE = new H2cUpgrade();

    private H2cUpgrade() {}

    /** {@return the handler, one shared instance} */
    public static H2cUpgrade handler() {
        return INSTANCE;
    }

    @Override
    public Protocol protocol() {
        return Protocol.H2C;
    }

    @Override
    public UpgradeDecision decide(RequestHead request, Protocol offered) {
        Headers headers = request.headers();
        List<String> settings = headers.values(HeaderName.HTTP2_SETTINGS);
        if (settings.size() != 1) {
            return new UpgradeDecision.Ignore(UpgradeReason.Ignored.H2C_SETTINGS_MISSING,
                    "expected one HTTP2-Settings field but found " + settings.size());
        }
        if (decodeSettings(settings.get(0)).isEmpty()) {
            return new UpgradeDecision.Ignore(UpgradeReason.Ignored.H2C_SETTINGS_INVALID,
                    "expected HTTP2-Settings in base64url but it was '" + settings.get(0) + "'");
        }
        if (!headers.hasToken(HeaderName.CONNECTION, "HTTP2-Settings")) {
            return new UpgradeDecision.Ignore(UpgradeReason.Ignored.H2C_SETTINGS_NOT_NOMINATED,
                    "expected 'HTTP2-Settings' among the Connection options but it was not there");
        }
        return new UpgradeDecision.Switch(offered, ResponseHead.of(101,
                Headers.of("Connection", "Upgrade", "Upgrade", "h2c")));
    }

    /**
     * The SETTINGS frame payload carried by an {@code HTTP2-Settings} value: base64url without
     * padding (RFC 7540 §3.2.1), a whole number of 6-byte settings. Empty when the value is not that.
     *
     * @param value the field value as received
     * @return the payload, possibly of no setting at all, or empty when {@code value} is not valid
     */
    public static Optional<byte[]> decodeSettings(String value) {
        if (value.indexOf('=') >= 0) {
            return Optional.empty(); // token68 here means base64url with trailing '=' omitted
        }
        try {
            byte[] payload = Base64.getUrlDecoder().decode(value);
            return payload.length % 6 == 0 ? Optional.of(payload) : Optional.empty();
        } catch (IllegalArgumentException notBase64Url) {
            return Optional.empty();
        }
    }
}
