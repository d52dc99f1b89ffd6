package io.github.upgrade4j.http;

/**
 * Why the body of a message cannot be delimited safely. Each of these is a known vector for request
 * smuggling or response splitting, so the message is refused rather than guessed at: a server
 * answers 400 and closes; a proxy receiving such a response answers 502 and closes.
 *
 * <p>There is no {@code status()} here, since the answer depends on who received the message:
 * {@link BodyFraming.Invalid#status()} says it.
 */
public enum FramingProblem implements Reason {
    /** Both {@code Content-Length} and {@code Transfer-Encoding} are present. */
    CONTENT_LENGTH_WITH_TRANSFER_ENCODING("RFC 9112 §6.3",
            "The message has both Content-Length and Transfer-Encoding, so two parsers can disagree on where its"
                    + " body ends: the classic request-smuggling shape. It is refused; the sender must send only"
                    + " one of them, and a hop in between that adds the other must be fixed."),
    /** An HTTP/1.0 message has {@code Transfer-Encoding}, which that version does not define. */
    TRANSFER_ENCODING_IN_HTTP_1_0("RFC 9112 §6.1",
            "An HTTP/1.0 message carries Transfer-Encoding, which HTTP/1.0 does not know, so an HTTP/1.0"
                    + " recipient would misread the body. The sender must speak HTTP/1.1 or use Content-Length."),
    /** A request's transfer codings do not end with {@code chunked}. */
    CHUNKED_NOT_FINAL("RFC 9112 §6.3",
            "The request's Transfer-Encoding does not end with 'chunked', so its body has no end the server"
                    + " can find. The client must apply chunked last, as in 'Transfer-Encoding: gzip, chunked'."),
    /** {@code chunked} is applied more than once. */
    CHUNKED_APPLIED_TWICE("RFC 9112 §6.1",
            "Transfer-Encoding lists 'chunked' more than once, often because a hop in between appended it"
                    + " again; parsers disagree on such a body. The hop that adds it must check for it first."),
    /** {@code Transfer-Encoding} is empty or an element is not a transfer coding. */
    INVALID_TRANSFER_ENCODING("RFC 9112 §6.1",
            "Transfer-Encoding is empty or holds something that is not a coding name, such as 'gzip chunked'"
                    + " without its comma or a quoted string. Parsers read such values differently, so the message"
                    + " is refused; the detail shows the value."),
    /** A {@code Content-Length} element is not a decimal number that fits in a {@code long}. */
    INVALID_CONTENT_LENGTH("RFC 9110 §8.6",
            "Content-Length is not a plain decimal number of bytes: it is empty, signed, has other characters,"
                    + " or is too large. The sender is broken or probing; the detail shows the value."),
    /** {@code Content-Length} has elements with different values. */
    DIFFERING_CONTENT_LENGTHS("RFC 9110 §8.6",
            "The message states two different body lengths, so it is unknowable which one a recipient uses."
                    + " A hop in between probably added its own Content-Length beside the original."),
    /**
     * A {@code CONNECT} request has {@code Transfer-Encoding} or a {@code Content-Length} other than 0,
     * though it has no content: its recipients would disagree whether the bytes behind the head are a
     * body or the tunnel's.
     */
    CONNECT_WITH_CONTENT("RFC 9110 §9.3.6",
            "A CONNECT request has no body, yet this one announces one with Transfer-Encoding or a nonzero"
                    + " Content-Length, so recipients would disagree whether the next bytes are a body or tunnel"
                    + " data. Real clients never send it; it is a broken client or a smuggling probe.");

    private final String spec;
    private final String explanation;

    FramingProblem(String spec, String explanation) {
        this.spec = spec;
        this.explanation = explanation;
    }

    /** The specification section that states the rule. */
    @Override
    public String spec() {
        return spec;
    }

    /** What happened, the likely cause and what to do, in plain words. */
    @Override
    public String explanation() {
        return explanation;
    }
}
