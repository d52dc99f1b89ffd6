package io.github.upgrade4j.hop;

import io.github.upgrade4j.http.Reason;

/**
 * Why {@link HopByHopPolicy} refused a head, with the rule's source and the likely fix. A proxy answers
 * 400 for a refused request and 502 for a refused response ({@link Forwarding.Refuse#status()}).
 */
public enum Refusal implements Reason {
    /** A {@code Connection} option is not a token, or a quoted string is not closed. */
    MALFORMED_CONNECTION("RFC 9110 §7.6.1",
            "Connection must be a comma-separated list of tokens; fix the client or the hop that wrote it."),
    /** {@code Connection} lists more options than the policy allows. */
    TOO_MANY_CONNECTION_OPTIONS("RFC 9110 §5.6.1",
            "No legitimate client nominates that many fields; raise HopByHopPolicy.Builder.maxConnectionOptions"
                    + " only if a known client needs it."),
    /** {@code Connection} nominated a field the operator protected with {@link Protection#REFUSE}. */
    PROTECTED_FIELD_NOMINATED("RFC 9110 §7.6.1",
            "A sender must not nominate end-to-end fields; this is the pattern of CVE-2022-1388 and"
                    + " CVE-2022-31813, so treat the client as hostile or fix the hop that added the option."),
    /** A 101 response has no {@code Upgrade} field, so the new protocol is unknown. */
    SWITCH_WITHOUT_UPGRADE("RFC 9110 §15.2.2",
            "The upstream answered 101 without naming a protocol; fix the upstream's handshake code."),
    /** A 101 response that is not HTTP/1.1, such as {@code HTTP/1.0 101}. */
    SWITCH_NOT_HTTP_1_1("RFC 9110 §7.8",
            "Only HTTP/1.1 can switch protocols, so a 101 in an HTTP/1.0 response is not a valid switch; fix the"
                    + " upstream's handshake code or make the hop in front of it speak HTTP/1.1."),
    /** A field set received over HTTP/2 carries a connection-specific field. */
    HTTP2_CONNECTION_SPECIFIC_FIELD("RFC 9113 §8.2.2",
            "HTTP/2 forbids connection-specific fields; the peer's HTTP/2 implementation is broken or an"
                    + " HTTP/1.1 head was converted without sanitising it."),
    /**
     * A request field's name imitates a protected field by spelling a {@code -} as {@code _}, and the
     * policy was built with {@link UnderscoreAction#REFUSE}.
     */
    UNDERSCORED_ALIAS("RFC 3875 §4.1.18",
            "Servers that read '_' as '-' in field names (CGI, and PHP, WSGI and Rack after it) would take this"
                    + " field for the protected one, so a client could spoof it; nginx ignores such names by default"
                    + " and Envoy can reject them. Fix the client, or if a trusted client needs the name, build the"
                    + " policy with HopByHopPolicy.Builder.underscoredAliases(UnderscoreAction.PASS).");

    private final String spec;
    private final String explanation;

    Refusal(String spec, String explanation) {
        this.spec = spec;
        this.explanation = explanation;
    }

    @Override
    public String spec() {
        return spec;
    }

    @Override
    public String explanation() {
        return explanation;
    }
}
