package io.github.upgrade4j.http;

import java.util.Objects;

/**
 * A request line and its fields (RFC 9112 §3).
 *
 * <p>The method is a token and case-sensitive ({@code get} is not {@code GET}, RFC 9110 §9.1). The
 * target is kept exactly as received: one or more visible ASCII characters, none of them
 * whitespace; this type does not interpret its form (origin, absolute, authority or asterisk).
 *
 * @param method the request method, e.g. {@code "GET"}
 * @param target the request target, e.g. {@code "/chat?room=1"}
 * @param version the protocol version
 * @param headers the field lines
 */
public record RequestHead(String method, String target, HttpVersion version, Headers headers) implements MessageHead {
    /**
     * Checks the start line.
     *
     * @param method the request method, a token
     * @param target the request target, one or more visible ASCII characters
     * @param version the protocol version
     * @param headers the field lines
     * @throws IllegalArgumentException if the method is not a token or the target is empty or has a
     *     character outside visible ASCII
     */
    public RequestHead {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(headers, "headers");
        if (!Ascii.isToken(method)) {
            throw new IllegalArgumentException("expected a method (a token, RFC 9110 §9.1) but was \""
                    + Ascii.printable(method) + "\"");
        }
        int bad = firstInvalidTargetChar(target);
        if (target.isEmpty() || bad >= 0) {
            throw new IllegalArgumentException("expected a request target of visible ASCII characters "
                    + "(RFC 9112 §3.2) but was \"" + Ascii.printable(target) + "\"");
        }
    }

    /**
     * {@return a {@code GET} request for {@code target} over HTTP/1.1}
     *
     * @param target the request target, e.g. {@code "/chat"}
     * @param headers the field lines
     * @throws IllegalArgumentException if the target is empty or has a character outside visible ASCII
     */
    public static RequestHead get(String target, Headers headers) {
        return new RequestHead("GET", target, HttpVersion.HTTP_1_1, headers);
    }

    @Override
    public RequestHead withHeaders(Headers headers) {
        return new RequestHead(method, target, version, headers);
    }

    /** The request line and fields, with credential values hidden as {@link Headers#toString()} does. */
    @Override
    public String toString() {
        return method + " " + target + " " + version + "\n" + headers;
    }

    static int firstInvalidTargetChar(String target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                return i;
            }
        }
        return -1;
    }
}
