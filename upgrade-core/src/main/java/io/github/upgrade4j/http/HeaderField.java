package io.github.upgrade4j.http;

import java.util.Objects;

/**
 * One field line: a name and its value, exactly as they are sent.
 *
 * <p>The value follows RFC 9110 §5.5: visible characters (VCHAR or obs-text, i.e. chars 0x21–0x7E and
 * 0x80–0xFF) with SP or HTAB allowed between them, but not at either end. CR, LF, NUL, DEL and every
 * other control character are rejected, never trimmed away, so no value can split a message or a
 * log line (CWE-113). An empty value is allowed. A value is a Latin-1 string: each char is one byte
 * on the wire.
 *
 * @param name the field name
 * @param value the field value, without surrounding whitespace
 */
public record HeaderField(HeaderName name, String value) {
    /**
     * Checks the value.
     *
     * @param name the field name
     * @param value the field value, without surrounding whitespace
     * @throws IllegalArgumentException if {@code value} has a control character other than HTAB, a
     *     char above 0xFF, or leading or trailing whitespace
     */
    public HeaderField {
        check(name, value);
    }

    /** The checks of the constructor, without making a field: {@link Headers.Builder} validates with it. */
    static void check(HeaderName name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        int bad = firstInvalidValueChar(value);
        if (bad >= 0) {
            throw new IllegalArgumentException("expected a field value of visible characters, SP and HTAB "
                    + "(RFC 9110 §5.5) but found " + Ascii.describe(value.charAt(bad)) + " at index " + bad
                    + " in the value of " + name);
        }
        if (!value.isEmpty() && (Ascii.isOws(value.charAt(0)) || Ascii.isOws(value.charAt(value.length() - 1)))) {
            throw new IllegalArgumentException("expected a field value without leading or trailing whitespace "
                    + "(RFC 9110 §5.5) but the value of " + name + " was \"" + Ascii.printable(value) + "\"");
        }
    }

    /**
     * Returns the field {@code name: value}.
     *
     * @param name the field name, a token (RFC 9110 §5.6.2)
     * @param value the field value, without surrounding whitespace
     * @return the field, its name spelled as given
     * @throws IllegalArgumentException if the name is not a token or the value is not a valid field value
     */
    public static HeaderField of(String name, String value) {
        return new HeaderField(HeaderName.of(name), value);
    }

    /** {@code name: value}, as on the wire without the line ending. */
    @Override
    public String toString() {
        return name + ": " + value;
    }

    /** Index of the first char that may not appear in a field value, or -1. */
    static int firstInvalidValueChar(String value) {
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            if (!Ascii.isFieldVchar(c) && !Ascii.isOws(c)) {
                return i;
            }
        }
        return -1;
    }
}
