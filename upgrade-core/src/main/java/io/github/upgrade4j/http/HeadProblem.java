package io.github.upgrade4j.http;

/**
 * Why {@link Http1Parser} rejected a message head: the rule broken, where the rule comes from, what
 * a server should answer, and an explanation that names the likely cause and fix in words for
 * someone who has never read the RFC.
 *
 * <p>{@link #status()} is the answer to a client whose request head broke the rule. A proxy that
 * received a broken response head from its upstream answers its client 502 instead, which
 * {@link ParseResult.Rejected#status()} already says.
 */
public enum HeadProblem implements Reason {
    /** The request line is not {@code method SP request-target SP HTTP-version}. */
    MALFORMED_REQUEST_LINE(400, "RFC 9112 §3",
            "The first line of the request is not 'METHOD target HTTP/1.1' with single spaces between the three"
                    + " parts. The client is broken or is not speaking HTTP at all, for example TLS sent to a plain"
                    + " HTTP port: check that the client uses the right scheme and port."),
    /** The request target has a character outside visible ASCII (an empty one is a {@link #MALFORMED_REQUEST_LINE}). */
    INVALID_REQUEST_TARGET(400, "RFC 9112 §3.2",
            "The target in the request line, usually its path, has a control character or a byte outside ASCII."
                    + " Such bytes must be percent-encoded; the client or a hop in between sent an unencoded URL,"
                    + " or this is a probe."),
    /** The request line is longer than {@link ParserOptions#maxStartLineBytes()}. */
    REQUEST_LINE_TOO_LONG(414, "RFC 9112 §3",
            "The request line, mostly its URL, is longer than this server accepts. Usually a client put too much"
                    + " in the query string; send the data in a body instead, or raise"
                    + " ParserOptions.maxStartLineBytes if such URLs are expected."),
    /** The status line is not {@code HTTP-version SP 3DIGIT SP reason-phrase}. */
    MALFORMED_STATUS_LINE(400, "RFC 9112 §4",
            "The first line of the response is not 'HTTP/1.1 200 Reason'. The upstream is broken, is not an"
                    + " HTTP server on that port, or sent a stray empty line after a body: for the last, turn on"
                    + " ParserOptions.Leniency.EMPTY_LINES_BEFORE_STATUS_LINE."),
    /** The version is well-formed but not HTTP/1.0 or HTTP/1.1. */
    UNSUPPORTED_VERSION(505, "RFC 9110 §15.6.6",
            "The message names an HTTP version other than 1.0 or 1.1, which this parser does not speak. HTTP/2"
                    + " and HTTP/3 are not sent as text lines; a client that writes 'HTTP/2.0' in a request line is"
                    + " broken or probing."),
    /** A field line starts with whitespace after another field line: obsolete line folding. */
    OBSOLETE_LINE_FOLDING(400, "RFC 9112 §5.2",
            "A header line starts with a space or tab, the obsolete way of continuing the previous header. It is"
                    + " refused because parsers disagree on it, a request-smuggling shape; the sender must put"
                    + " each field value on one line."),
    /** The first field line starts with whitespace. */
    WHITESPACE_AFTER_START_LINE(400, "RFC 9112 §2.2",
            "The first header line after the request or status line starts with a space or tab, so some"
                    + " parsers would ignore it and others would not. The sender is broken or probing for a"
                    + " smuggling gap."),
    /** A field name is followed by whitespace before its colon. */
    WHITESPACE_BEFORE_COLON(400, "RFC 9112 §5.1",
            "A header has a space or tab between its name and the colon, as in 'Host : example.com'. Parsers"
                    + " disagree on whether such a field exists, so it is refused; the sender must write the"
                    + " colon right after the name."),
    /** A field name is empty, has a character that is not a tchar, or has no colon after it. */
    INVALID_FIELD_NAME(400, "RFC 9110 §5.1",
            "A header line has no colon, an empty name, or a name with a character not allowed there such as a"
                    + " space, a quote or a byte outside ASCII. The sender writes broken headers; the detail shows"
                    + " the line."),
    /** A field value has a control character other than HTAB (NUL has its own reason). */
    INVALID_FIELD_VALUE(400, "RFC 9110 §5.5",
            "A header value holds a control character other than tab. Such characters are how header injection"
                    + " and response splitting work, so they are refused, never stripped; the sender must encode"
                    + " or remove them."),
    /** A NUL byte appears anywhere in the head. */
    NUL_BYTE(400, "RFC 9110 §5.5",
            "The head contains a zero byte, which no HTTP head may hold and which C parsers take for the end of"
                    + " a string. This is almost always an attack or binary data sent to an HTTP port."),
    /** A CR is not followed by LF. */
    BARE_CR(400, "RFC 9112 §2.2",
            "A carriage return in the head is not followed by a line feed. Parsers disagree on where such a"
                    + " line ends, a request-smuggling shape, so the message is refused; the sender must end"
                    + " lines with CRLF."),
    /** A line ends with LF alone while {@link ParserOptions.Leniency#LF_LINE_ENDINGS} is off. */
    BARE_LF(400, "RFC 9112 §2.2",
            "A line in the head ends with a line feed alone instead of CRLF; typically a hand-written client or"
                    + " test script. Fix the sender. ParserOptions.Leniency.LF_LINE_ENDINGS accepts it, but read its"
                    + " warning first: it lets two parsers disagree on the fields."),
    /** An HTTP/1.1 request has no {@code Host} field, or more than one. */
    INVALID_HOST(400, "RFC 9112 §3.2",
            "An HTTP/1.1 request must have exactly one Host field, and this one has none or several. A client"
                    + " that omits it is hand-written or very old; a second Host usually means a hop in between"
                    + " added one instead of replacing it."),
    /** The head is longer than {@link ParserOptions#maxHeadBytes()}. */
    HEAD_TOO_LARGE(431, "RFC 6585 §5",
            "The headers together are larger than this server accepts. The usual cause is too many or too large"
                    + " cookies for the domain; clear them, or raise ParserOptions.maxHeadBytes if such heads are"
                    + " expected."),
    /** The head has more field lines than {@link ParserOptions#maxFields()}. */
    TOO_MANY_FIELDS(431, "RFC 6585 §5",
            "The message has more header lines than this server accepts, often because every hop appended its"
                    + " own forwarding headers or a client repeats a field. Trim them, or raise"
                    + " ParserOptions.maxFields if such messages are expected."),
    /**
     * More than {@link ParserOptions#MAX_EMPTY_LINES_BEFORE_START_LINE} empty lines precede the start
     * line.
     */
    TOO_MANY_EMPTY_LINES(400, "RFC 9112 §2.2",
            "More than a few empty lines came before the request or status line. One stray CRLF after a body is"
                    + " tolerated; many are a broken sender or an attempt to keep the connection busy.");

    private final int status;
    private final String spec;
    private final String explanation;

    HeadProblem(int status, String spec, String explanation) {
        this.status = status;
        this.spec = spec;
        this.explanation = explanation;
    }

    /** {@return the status a server answers to a request head with this problem: 400, 414, 431 or 505} */
    public int status() {
        return status;
    }

    /** The specification section that states the rule, e.g. {@code "RFC 9112 §5.2"}. */
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
