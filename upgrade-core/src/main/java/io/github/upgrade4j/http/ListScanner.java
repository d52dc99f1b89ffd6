package io.github.upgrade4j.http;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The scanning behind {@link FieldList} and {@link Headers#hasToken}: one implementation of the
 * RFC 9110 §5.6.1 list rule, so that splitting and token lookup can never disagree.
 */
final class ListScanner {
    private ListScanner() {}

    /** Splits one line into {@code out}; returns the problem, or null when the line is well-formed. */
    static FieldList.@Nullable Malformed split(String line, FieldList.Element rule, int maxElements, List<String> out) {
        int n = line.length();
        int i = 0;
        while (i < n) {
            int start = skipOws(line, i);
            int end = elementEnd(line, start);
            if (end < 0) {
                return new FieldList.Malformed(FieldList.Problem.UNTERMINATED_QUOTED_STRING,
                        "expected a closing '\"' but the line ended: \"" + Ascii.printable(line) + "\"");
            }
            i = nextElement(line, end);
            if (end > start) {
                if (out.size() == maxElements) {
                    return new FieldList.Malformed(FieldList.Problem.TOO_MANY_ELEMENTS,
                            "expected at most " + maxElements + " elements but there were more");
                }
                String element = line.substring(start, end);
                if (!conforms(element, rule)) {
                    return new FieldList.Malformed(FieldList.Problem.INVALID_ELEMENT,
                            "expected a " + rule.name().toLowerCase(Locale.ROOT) + " but was \""
                                    + Ascii.printable(element) + "\"");
                }
                out.add(element);
            }
        }
        return null;
    }

    /**
     * Whether {@code line} has an element equal to {@code token} ignoring ASCII case. Allocation-free;
     * a malformed line is scanned as far as it can be, so a well-formed element is still found.
     */
    static boolean containsToken(String line, String token) {
        int n = line.length();
        int i = 0;
        while (i < n) {
            int start = skipOws(line, i);
            int end = elementEnd(line, start);
            if (end < 0) {
                return false;
            }
            if (end > start && end - start == token.length()
                    && Ascii.regionMatchesIgnoreCase(line, start, token, 0, end - start)) {
                return true;
            }
            i = nextElement(line, end);
        }
        return false;
    }

    private static int skipOws(String line, int i) {
        while (i < line.length() && Ascii.isOws(line.charAt(i))) {
            i++;
        }
        return i;
    }

    /**
     * The exclusive end of the element starting at {@code start}, trailing whitespace excluded; -1 if
     * a quoted string in it is not closed.
     */
    private static int elementEnd(String line, int start) {
        int n = line.length();
        int end = start;
        int i = start;
        while (i < n && line.charAt(i) != ',') {
            char c = line.charAt(i);
            if (c == '"') {
                i = skipQuotedString(line, i);
                if (i < 0) {
                    return -1;
                }
                end = i;
            } else {
                i++;
                if (!Ascii.isOws(c)) {
                    end = i;
                }
            }
        }
        return end;
    }

    /** The start of the element after the one ending at {@code end}: past the next comma. */
    private static int nextElement(String line, int end) {
        int i = end;
        while (i < line.length() && line.charAt(i) != ',') {
            i++;
        }
        return i + 1;
    }

    /** Given the index of an opening quote, the index just past the closing one, or -1 (RFC 9110 §5.6.4). */
    private static int skipQuotedString(String line, int open) {
        for (int i = open + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                i++; // quoted-pair: the next char is literal, whatever it is
            } else if (c == '"') {
                return i + 1;
            }
        }
        return -1;
    }

    private static boolean conforms(String element, FieldList.Element rule) {
        switch (rule) {
            case TOKEN:
                return Ascii.isToken(element);
            case PROTOCOL:
                int slash = element.indexOf('/');
                return slash < 0
                        ? Ascii.isToken(element)
                        : Ascii.isToken(element.subSequence(0, slash))
                                && Ascii.isToken(element.subSequence(slash + 1, element.length()));
            default:
                return true;
        }
    }
}
