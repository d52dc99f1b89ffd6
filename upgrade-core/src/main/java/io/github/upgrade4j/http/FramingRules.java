package io.github.upgrade4j.http;

import java.util.List;

/** The shared instances and the length rules behind {@link BodyFraming}. */
final class FramingRules {
    static final BodyFraming NONE = new BodyFraming.None();
    static final BodyFraming CHUNKED = new BodyFraming.Chunked();
    static final BodyFraming UNTIL_CLOSE = new BodyFraming.UntilClose();
    static final BodyFraming TUNNEL = new BodyFraming.Tunnel();
    private static final BodyFraming ZERO = new BodyFraming.FixedLength(0);
    /** 18 decimal digits always fit in a long. */
    private static final int MAX_LENGTH_DIGITS = 18;

    private FramingRules() {}

    static BodyFraming decide(HttpVersion version, Headers headers, boolean request) {
        int status = request ? 400 : 502;
        boolean hasLength = headers.contains(HeaderName.CONTENT_LENGTH);
        if (headers.contains(HeaderName.TRANSFER_ENCODING)) {
            if (version == HttpVersion.HTTP_1_0) {
                return new BodyFraming.Invalid(FramingProblem.TRANSFER_ENCODING_IN_HTTP_1_0,
                        "expected no Transfer-Encoding in an HTTP/1.0 message but found one", status);
            }
            if (hasLength) {
                return new BodyFraming.Invalid(FramingProblem.CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
                        "expected Content-Length or Transfer-Encoding but found both", status);
            }
            return transferCodings(headers.values(HeaderName.TRANSFER_ENCODING), request, status);
        }
        if (hasLength) {
            return contentLength(headers.values(HeaderName.CONTENT_LENGTH), status);
        }
        return request ? NONE : UNTIL_CLOSE;
    }

    /**
     * The framing of a {@code CONNECT} request, which has no content (RFC 9110 §9.3.6). A recipient
     * that honoured a length or a coding here would read the first tunnel bytes as a body, while one
     * that follows §9.3.6 (llhttp, for one) passes them to the tunnel: rather than pick a side, refuse.
     * {@code Content-Length: 0} promises no bytes, so every reading agrees and it is accepted.
     */
    static BodyFraming connect(Headers headers) {
        if (headers.contains(HeaderName.TRANSFER_ENCODING)) {
            return new BodyFraming.Invalid(FramingProblem.CONNECT_WITH_CONTENT,
                    "expected no Transfer-Encoding in a CONNECT request (it has no content) but found one", 400);
        }
        if (headers.contains(HeaderName.CONTENT_LENGTH)) {
            BodyFraming length = contentLength(headers.values(HeaderName.CONTENT_LENGTH), 400);
            if (length instanceof BodyFraming.FixedLength fixed && fixed.length() != 0) {
                return new BodyFraming.Invalid(FramingProblem.CONNECT_WITH_CONTENT, "expected no Content-Length"
                        + " other than 0 in a CONNECT request (it has no content) but it was " + fixed.length(), 400);
            }
            if (length instanceof BodyFraming.Invalid) {
                return length;
            }
        }
        return NONE;
    }

    /**
     * The framing given by {@code Transfer-Encoding}: each element is a transfer coding, {@code token
     * *( OWS ";" OWS transfer-parameter )} (RFC 9112 §7), checked by the one list tokenizer with its
     * parameter rule, so that a coding followed by a no-break space is refused rather than trimmed.
     */
    private static BodyFraming transferCodings(List<String> lines, boolean request, int status) {
        FieldList list = FieldList.parse(lines, FieldList.Element.PARAMETERIZED, FieldList.DEFAULT_MAX_ELEMENTS);
        if (list instanceof FieldList.Malformed malformed) {
            return new BodyFraming.Invalid(FramingProblem.INVALID_TRANSFER_ENCODING, malformed.detail(), status);
        }
        List<String> codings = ((FieldList.Valid) list).elements();
        if (codings.isEmpty()) {
            return new BodyFraming.Invalid(FramingProblem.INVALID_TRANSFER_ENCODING,
                    "expected at least one transfer coding but Transfer-Encoding was empty", status);
        }
        int chunkedCount = 0;
        for (int i = 0; i < codings.size(); i++) { // by index: no iterator object on the request path
            String coding = ListScanner.parameterizedName(codings.get(i)); // "chunked" itself: no allocation
            if (coding.equalsIgnoreCase("chunked")) {
                chunkedCount++;
            }
        }
        String last = codings.get(codings.size() - 1);
        boolean chunkedLast = last.equalsIgnoreCase("chunked");
        if (chunkedCount > 1) {
            return new BodyFraming.Invalid(FramingProblem.CHUNKED_APPLIED_TWICE,
                    "expected chunked at most once but Transfer-Encoding was \"" + Ascii.printable(String.join(", ", codings))
                            + "\"", status);
        }
        if (chunkedLast) {
            return CHUNKED;
        }
        if (request) {
            return new BodyFraming.Invalid(FramingProblem.CHUNKED_NOT_FINAL,
                    "expected chunked as the final transfer coding of a request but it was \"" + Ascii.printable(last)
                            + "\"", status);
        }
        return UNTIL_CLOSE;
    }

    private static BodyFraming contentLength(List<String> lines, int status) {
        FieldList list = FieldList.parse(lines, FieldList.Element.ANY, FieldList.DEFAULT_MAX_ELEMENTS);
        if (list instanceof FieldList.Malformed malformed) {
            return new BodyFraming.Invalid(FramingProblem.INVALID_CONTENT_LENGTH, malformed.detail(), status);
        }
        List<String> elements = ((FieldList.Valid) list).elements();
        if (elements.isEmpty()) {
            return new BodyFraming.Invalid(FramingProblem.INVALID_CONTENT_LENGTH,
                    "expected a decimal length but Content-Length was empty", status);
        }
        long length = -1;
        for (String element : elements) {
            long value = parseLength(element);
            if (value < 0) {
                return new BodyFraming.Invalid(FramingProblem.INVALID_CONTENT_LENGTH, "expected a decimal length of at"
                        + " most " + MAX_LENGTH_DIGITS + " digits but was \"" + Ascii.printable(element) + "\"", status);
            }
            if (length >= 0 && value != length) {
                return new BodyFraming.Invalid(FramingProblem.DIFFERING_CONTENT_LENGTHS,
                        "expected one Content-Length but found " + length + " and " + value, status);
            }
            length = value;
        }
        return length == 0 ? ZERO : new BodyFraming.FixedLength(length);
    }

    /** The value of {@code 1*DIGIT}, or -1 if {@code s} is not that or is too long. */
    private static long parseLength(String s) {
        if (s.isEmpty() || s.length() > MAX_LENGTH_DIGITS) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
