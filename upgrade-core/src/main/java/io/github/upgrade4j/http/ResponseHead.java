package io.github.upgrade4j.http;

import java.util.Objects;

/**
 * A status line and its fields (RFC 9112 §4).
 *
 * <p>The reason phrase is kept as received (it may be empty); clients ignore it (RFC 9112 §4).
 *
 * @param version the protocol version
 * @param status the three-digit status code, 100 to 599
 * @param reason the reason phrase: SP, HTAB, visible characters and obs-text; no control character
 * @param headers the field lines
 */
public record ResponseHead(HttpVersion version, int status, String reason, Headers headers) implements MessageHead {
    /**
     * Checks the status line.
     *
     * @param version the protocol version
     * @param status the three-digit status code, 100 to 599
     * @param reason the reason phrase, possibly empty
     * @param headers the field lines
     * @throws IllegalArgumentException if the status is outside 100–599 or the reason has a control
     *     character other than HTAB
     */
    public ResponseHead {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(headers, "headers");
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("expected a status code from 100 to 599 (RFC 9110 §15) but was "
                    + status);
        }
        int bad = HeaderField.firstInvalidValueChar(reason);
        if (bad >= 0) {
            throw new IllegalArgumentException("expected a reason phrase without control characters "
                    + "(RFC 9112 §4) but found " + Ascii.describe(reason.charAt(bad)) + " at index " + bad);
        }
    }

    /**
     * {@return an HTTP/1.1 response with {@code status}, its standard reason phrase and {@code headers}}
     * The reason phrase is empty for a code that {@link #reasonPhrase} does not list.
     *
     * @param status the status code, 100 to 599
     * @param headers the field lines
     * @throws IllegalArgumentException if the status is outside 100–599
     */
    public static ResponseHead of(int status, Headers headers) {
        return new ResponseHead(HttpVersion.HTTP_1_1, status, reasonPhrase(status), headers);
    }

    @Override
    public ResponseHead withHeaders(Headers headers) {
        return new ResponseHead(version, status, reason, headers);
    }

    /** {@return whether the status is informational (1xx), which includes 101 Switching Protocols} */
    public boolean isInformational() {
        return status < 200;
    }

    /** The status line and fields, with credential values hidden as {@link Headers#toString()} does. */
    @Override
    public String toString() {
        return version + " " + status + " " + reason + "\n" + headers;
    }

    /**
     * {@return the reason phrase RFC 9110 §15 suggests for {@code status}, or {@code ""} for an unlisted code}
     *
     * @param status any status code
     */
    public static String reasonPhrase(int status) {
        switch (status) {
            case 100: return "Continue";
            case 101: return "Switching Protocols";
            case 200: return "OK";
            case 201: return "Created";
            case 202: return "Accepted";
            case 204: return "No Content";
            case 206: return "Partial Content";
            case 301: return "Moved Permanently";
            case 302: return "Found";
            case 303: return "See Other";
            case 304: return "Not Modified";
            case 307: return "Temporary Redirect";
            case 308: return "Permanent Redirect";
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 408: return "Request Timeout";
            case 411: return "Length Required";
            case 413: return "Content Too Large";
            case 414: return "URI Too Long";
            case 417: return "Expectation Failed";
            case 421: return "Misdirected Request";
            case 426: return "Upgrade Required";
            case 429: return "Too Many Requests";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 501: return "Not Implemented";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            case 505: return "HTTP Version Not Supported";
            default: return "";
        }
    }
}
