package io.github.upgrade4j.http;

/**
 * Why {@link Http1Parser} rejected a message head: the rule broken, where the rule comes from, and
 * what a server should answer.
 *
 * <p>{@link #status()} is the answer to a client whose request head broke the rule. A proxy that
 * received a broken response head from its upstream answers its client 502 instead, which
 * {@link ParseResult.Rejected#status()} already says.
 */
public enum HeadProblem {
    /** The request line is not {@code method SP request-target SP HTTP-version}. */
    MALFORMED_REQUEST_LINE(400, "RFC 9112 §3"),
    /** The request target is empty or has a character outside visible ASCII. */
    INVALID_REQUEST_TARGET(400, "RFC 9112 §3.2"),
    /** The request line is longer than {@link ParserOptions#maxStartLineBytes()}. */
    REQUEST_LINE_TOO_LONG(414, "RFC 9112 §3"),
    /** The status line is not {@code HTTP-version SP 3DIGIT SP reason-phrase}. */
    MALFORMED_STATUS_LINE(400, "RFC 9112 §4"),
    /** The version is well-formed but not HTTP/1.0 or HTTP/1.1. */
    UNSUPPORTED_VERSION(505, "RFC 9110 §15.6.6"),
    /** A field line starts with whitespace after another field line: obsolete line folding. */
    OBSOLETE_LINE_FOLDING(400, "RFC 9112 §5.2"),
    /** The first field line starts with whitespace. */
    WHITESPACE_AFTER_START_LINE(400, "RFC 9112 §2.2"),
    /** A field name is followed by whitespace before its colon. */
    WHITESPACE_BEFORE_COLON(400, "RFC 9112 §5.1"),
    /** A field name is empty, has a character that is not a tchar, or has no colon after it. */
    INVALID_FIELD_NAME(400, "RFC 9110 §5.1"),
    /** A field value has a control character other than HTAB (NUL has its own reason). */
    INVALID_FIELD_VALUE(400, "RFC 9110 §5.5"),
    /** A NUL byte appears anywhere in the head. */
    NUL_BYTE(400, "RFC 9110 §5.5"),
    /** A CR is not followed by LF. */
    BARE_CR(400, "RFC 9112 §2.2"),
    /** A line ends with LF alone while {@link ParserOptions.Leniency#LF_LINE_ENDINGS} is off. */
    BARE_LF(400, "RFC 9112 §2.2"),
    /** An HTTP/1.1 request has no {@code Host} field, or more than one. */
    INVALID_HOST(400, "RFC 9112 §3.2"),
    /** The head is longer than {@link ParserOptions#maxHeadBytes()}. */
    HEAD_TOO_LARGE(431, "RFC 6585 §5"),
    /** The head has more field lines than {@link ParserOptions#maxFields()}. */
    TOO_MANY_FIELDS(431, "RFC 6585 §5"),
    /**
     * More than {@link ParserOptions#MAX_EMPTY_LINES_BEFORE_START_LINE} empty lines precede the start
     * line.
     */
    TOO_MANY_EMPTY_LINES(400, "RFC 9112 §2.2");

    private final int status;
    private final String spec;

    HeadProblem(int status, String spec) {
        this.status = status;
        this.spec = spec;
    }

    /** The status a server answers to a request head with this problem: 400, 414, 431 or 505. */
    public int status() {
        return status;
    }

    /** The specification section that states the rule, e.g. {@code "RFC 9112 §5.2"}. */
    public String spec() {
        return spec;
    }
}
