package io.github.upgrade4j.http;

/**
 * Why the body of a message cannot be delimited safely. Each of these is a known vector for request
 * smuggling or response splitting, so the message is refused rather than guessed at: a server
 * answers 400 and closes; a proxy receiving such a response answers 502 and closes.
 */
public enum FramingProblem {
    /** Both {@code Content-Length} and {@code Transfer-Encoding} are present. */
    CONTENT_LENGTH_WITH_TRANSFER_ENCODING("RFC 9112 §6.3"),
    /** An HTTP/1.0 message has {@code Transfer-Encoding}, which that version does not define. */
    TRANSFER_ENCODING_IN_HTTP_1_0("RFC 9112 §6.1"),
    /** A request's transfer codings do not end with {@code chunked}. */
    CHUNKED_NOT_FINAL("RFC 9112 §6.3"),
    /** {@code chunked} is applied more than once. */
    CHUNKED_APPLIED_TWICE("RFC 9112 §6.1"),
    /** {@code Transfer-Encoding} is empty or an element is not a transfer coding. */
    INVALID_TRANSFER_ENCODING("RFC 9112 §6.1"),
    /** A {@code Content-Length} element is not a decimal number that fits in a {@code long}. */
    INVALID_CONTENT_LENGTH("RFC 9110 §8.6"),
    /** {@code Content-Length} has elements with different values. */
    DIFFERING_CONTENT_LENGTHS("RFC 9110 §8.6"),
    /**
     * A {@code CONNECT} request has {@code Transfer-Encoding} or a {@code Content-Length} other than 0,
     * though it has no content: its recipients would disagree whether the bytes behind the head are a
     * body or the tunnel's.
     */
    CONNECT_WITH_CONTENT("RFC 9110 §9.3.6");

    private final String spec;

    FramingProblem(String spec) {
        this.spec = spec;
    }

    /** The specification section that states the rule. */
    public String spec() {
        return spec;
    }
}
