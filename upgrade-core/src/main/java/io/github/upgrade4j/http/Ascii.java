package io.github.upgrade4j.http;

/**
 * Allocation-free ASCII character classes and comparisons shared by the parser, the model and the
 * list tokenizer.
 *
 * <p>Invariant: every table has 256 entries, so any byte value masked with {@code 0xFF} and any
 * {@code char} below 256 indexes it directly; chars above 255 are never members of any class.
 */
final class Ascii {
    private static final boolean[] TCHAR = new boolean[256];
    private static final boolean[] FIELD_VCHAR = new boolean[256];

    static {
        // RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
        //                         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        // RFC 9110 §5.5: field-vchar = VCHAR / obs-text (0x21-0x7E, 0x80-0xFF).
        for (int b = 0x21; b <= 0xFF; b++) {
            FIELD_VCHAR[b] = b != 0x7F;
        }
    }

    private Ascii() {}

    /** Whether {@code c} may appear in a token (RFC 9110 §5.6.2). */
    static boolean isTchar(int c) {
        return c >= 0 && c < 256 && TCHAR[c];
    }

    /** {@link #isTchar} for a byte, without range checks: the mask keeps the index inside the table. */
    static boolean tchar(byte b) {
        return TCHAR[b & 0xFF];
    }

    /** {@link #isFieldVchar} for a byte, without range checks. */
    static boolean fieldVchar(byte b) {
        return FIELD_VCHAR[b & 0xFF];
    }

    /** Whether {@code c} is a visible field character, VCHAR or obs-text (RFC 9110 §5.5). */
    static boolean isFieldVchar(int c) {
        return c >= 0 && c < 256 && FIELD_VCHAR[c];
    }

    /** Whether {@code c} is SP or HTAB, the whitespace of OWS (RFC 9110 §5.6.3). */
    static boolean isOws(int c) {
        return c == ' ' || c == '\t';
    }

    /** Whether {@code s} is a non-empty token. */
    static boolean isToken(CharSequence s) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (!isTchar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Index of the first character of {@code s} that is not a tchar, or -1 when all are. */
    static int firstNonTchar(CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (!isTchar(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** ASCII lower case of one char; every other char is returned unchanged. */
    static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    /** Compares ASCII-case-insensitively; non-ASCII letters must match exactly. */
    static boolean equalsIgnoreCase(CharSequence a, CharSequence b) {
        int n = a.length();
        return n == b.length() && regionMatchesIgnoreCase(a, 0, b, 0, n);
    }

    /** Compares {@code len} chars of {@code a} from {@code aOff} with {@code b} from {@code bOff}. */
    static boolean regionMatchesIgnoreCase(CharSequence a, int aOff, CharSequence b, int bOff, int len) {
        for (int i = 0; i < len; i++) {
            char x = a.charAt(aOff + i);
            char y = b.charAt(bOff + i);
            if (x != y && lower(x) != lower(y)) {
                return false;
            }
        }
        return true;
    }

    /** A hash of {@code s} that ignores ASCII case, consistent with {@link #equalsIgnoreCase}. */
    static int hashIgnoreCase(CharSequence s) {
        int h = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            h = 31 * h + lower(s.charAt(i));
        }
        return h;
    }

    /** Describes one character for an error message: printable as itself, others as hex. */
    static String describe(int c) {
        return c > 0x20 && c < 0x7F ? "'" + (char) c + "'" : String.format("0x%02X", c);
    }

    /** Renders untrusted text for an error message without letting control characters through. */
    static String printable(CharSequence s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), 64) + 8);
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                out.append(c);
            } else {
                out.append(String.format("\\x%02X", (int) c & 0xFFFF));
            }
        }
        if (s.length() > 64) {
            out.append("...");
        }
        return out.toString();
    }
}
