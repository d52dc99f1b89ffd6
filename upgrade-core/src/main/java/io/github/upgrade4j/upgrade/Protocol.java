package io.github.upgrade4j.upgrade;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One protocol of an {@code Upgrade} field: {@code protocol-name ["/" protocol-version]} (RFC 9110
 * §7.8), e.g. {@code websocket}, {@code h2c} or {@code HTTP/2.0}.
 *
 * <p>Names compare ignoring ASCII case: RFC 9110 §7.8 says that although protocol names are
 * registered with a preferred case, recipients SHOULD compare them case-insensitively
 * ({@code WebSocket} is sent by some clients). Versions compare exactly, as tokens do unless a
 * specification says otherwise, and a protocol without a version is not the same as one with a
 * version: {@code websocket} is not {@code websocket/13}. {@link #toString()} gives the wire form
 * with the spelling received.
 *
 * @param name the protocol name, a token
 * @param version the protocol version, a token, or null when absent
 */
public record Protocol(String name, @Nullable String version) {
    /** The WebSocket protocol (RFC 6455). */
    public static final Protocol WEBSOCKET = new Protocol("websocket", null);
    /** HTTP/2 over cleartext TCP (RFC 7540 §3.2, deprecated by RFC 9113 §3.1). */
    public static final Protocol H2C = new Protocol("h2c", null);

    /** HTTP/1.1 itself, as a layer named above another in an {@code Upgrade} list ({@code TLS/1.2, HTTP/1.1}). */
    static final Protocol HTTP_1_1 = new Protocol("HTTP", "1.1");

    /**
     * Checks the parts.
     *
     * @param name the protocol name, a token
     * @param version the protocol version, a token, or null when absent
     * @throws IllegalArgumentException if the name or version is not a token
     */
    public Protocol {
        Objects.requireNonNull(name, "name");
        if (!Tokens.isToken(name) || version != null && !Tokens.isToken(version)) {
            throw new IllegalArgumentException("expected a protocol name and optional version, both tokens (RFC 9110"
                    + " §7.8), but was \"" + name + (version == null ? "" : "/" + version) + "\"");
        }
    }

    /**
     * Parses {@code name} or {@code name/version}.
     *
     * @param text one element of an {@code Upgrade} field, e.g. {@code "websocket"} or {@code "HTTP/2.0"}
     * @return the protocol, spelled as in {@code text}
     * @throws IllegalArgumentException if it is not of that form
     */
    public static Protocol parse(String text) {
        int slash = text.indexOf('/');
        return slash < 0 ? new Protocol(text, null) : new Protocol(text.substring(0, slash), text.substring(slash + 1));
    }

    /**
     * {@return whether this protocol has {@code other}'s name (ignoring ASCII case) and the same version
     * or none} Unlike {@link #equals}, which compares names exactly.
     *
     * @param other the protocol to compare with
     */
    public boolean sameAs(Protocol other) {
        return name.equalsIgnoreCase(other.name) && Objects.equals(version, other.version);
    }

    /**
     * {@return whether this protocol's name is {@code name}, ignoring ASCII case} The version does not
     * count.
     *
     * @param name the protocol name to compare with
     */
    public boolean named(String name) {
        return this.name.equalsIgnoreCase(name);
    }

    /** The wire form, {@code name} or {@code name/version}. */
    @Override
    public String toString() {
        return version == null ? name : name + "/" + version;
    }
}
