package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;

/** List reads for this package, all through the one list tokenizer of {@code http}. */
final class Tokens {
    private Tokens() {}

    /** Whether {@code s} is a token (RFC 9110 §5.6.2). */
    static boolean isToken(String s) {
        return FieldList.isToken(s);
    }

    /** The elements of {@code name} over every line by {@code rule}, or why they are malformed. */
    static FieldList list(Headers headers, HeaderName name, FieldList.Element rule) {
        return FieldList.parse(headers.values(name), rule, FieldList.DEFAULT_MAX_ELEMENTS);
    }
}
