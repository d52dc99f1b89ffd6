package io.github.upgrade4j.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The scanning behind {@link FieldList}, {@link ParameterizedElement} and {@link Headers#hasToken}: one
 * implementation of the RFC 9110 §5.6.1 list rule and the §5.6.6 parameter rule, so that splitting,
 * checking, reading and token lookup can never disagree.
 */
final class ListScanner {
    /** The list of a field that is absent or has only empty elements, shared. */
    static final FieldList.Valid NO_ELEMENTS = new FieldList.Valid(List.of());

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
                FieldList.@Nullable Malformed wrong = check(element, rule);
                if (wrong != null) {
                    return wrong;
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

    /** Null when {@code element} is of the form {@code rule} asks for, else why not. */
    private static FieldList.@Nullable Malformed check(String element, FieldList.Element rule) {
        switch (rule) {
            case TOKEN:
                return Ascii.isToken(element) ? null : invalidElement(element, rule);
            case PROTOCOL:
                int slash = element.indexOf('/');
                boolean protocol = slash < 0
                        ? Ascii.isToken(element)
                        : Ascii.isToken(element.subSequence(0, slash))
                                && Ascii.isToken(element.subSequence(slash + 1, element.length()));
                return protocol ? null : invalidElement(element, rule);
            case PARAMETERIZED:
                int at = parameterizedError(element, null);
                return at < 0 ? null : notParameterized(element, at);
            default:
                return null;
        }
    }

    private static FieldList.Malformed invalidElement(String element, FieldList.Element rule) {
        return new FieldList.Malformed(FieldList.Problem.INVALID_ELEMENT,
                "expected a " + rule.name().toLowerCase(Locale.ROOT) + " but was \"" + Ascii.printable(element) + "\"");
    }

    // ---- Elements with parameters (RFC 9110 §5.6.6) ----------------------------------------------

    /**
     * Reads a well-formed parameterized element: its leading token as the name, then its parameters,
     * values unquoted. An element without parameters costs the record only: its name is the element.
     *
     * @throws IllegalArgumentException if {@code element} is not of the {@link FieldList.Element#PARAMETERIZED} form
     */
    static ParameterizedElement parameterized(String element) {
        int nameEnd = tokenEnd(element, 0);
        if (nameEnd == element.length() && nameEnd > 0) {
            return new ParameterizedElement(element, List.of());
        }
        List<ParameterizedElement.Parameter> parameters = new ArrayList<>(4);
        int at = parameterizedError(element, parameters);
        if (at >= 0) {
            throw new IllegalArgumentException(notParameterized(element, at).detail());
        }
        return new ParameterizedElement(element.substring(0, nameEnd), parameters);
    }

    /**
     * The name of a well-formed parameterized element, without reading its parameters: its leading
     * token, and for an element without parameters the element itself, so no allocation.
     */
    static String parameterizedName(String element) {
        int nameEnd = tokenEnd(element, 0);
        return nameEnd == element.length() ? element : element.substring(0, nameEnd);
    }

    /**
     * Scans {@code element} as {@code token *( OWS ";" OWS token [ BWS "=" BWS ( token / quoted-string ) ] )},
     * where whitespace is only SP and HTAB (RFC 9110 §5.6.3): a no-break or em space is not trimmed but
     * breaks the form. The one routine behind both checking a list and reading an element, so that
     * the two can never disagree.
     *
     * @param sink receives each parameter, its value unquoted; null to check without allocating
     * @return -1 when well-formed, else the index at which the element stops being of the form
     *     ({@code element.length()} when it ends too early)
     */
    private static int parameterizedError(String element, @Nullable List<ParameterizedElement.Parameter> sink) {
        int n = element.length();
        int i = tokenEnd(element, 0);
        if (i == 0) {
            return 0;
        }
        while (i < n) {
            int semicolon = skipOws(element, i);
            if (semicolon == n || element.charAt(semicolon) != ';') {
                return semicolon; // trailing OWS included: an element is trimmed, so it cannot end in OWS
            }
            int nameStart = skipOws(element, semicolon + 1);
            int nameEnd = tokenEnd(element, nameStart);
            if (nameEnd == nameStart) {
                return nameStart; // an empty parameter ("a;;b", "a;") or a name that is not a token
            }
            int equals = skipOws(element, nameEnd);
            @Nullable String value = null;
            if (equals < n && element.charAt(equals) == '=') {
                int valueStart = skipOws(element, equals + 1);
                if (valueStart < n && element.charAt(valueStart) == '"') {
                    int close = quotedStringEnd(element, valueStart);
                    if (close < 0) {
                        return ~close;
                    }
                    if (sink != null) {
                        value = unquote(element, valueStart, close);
                    }
                    i = close;
                } else {
                    int valueEnd = tokenEnd(element, valueStart);
                    if (valueEnd == valueStart) {
                        return valueStart;
                    }
                    if (sink != null) {
                        value = element.substring(valueStart, valueEnd);
                    }
                    i = valueEnd;
                }
            } else {
                i = nameEnd; // a parameter without value (RFC 6455 §9.1); what follows must be ';' or the end
            }
            if (sink != null) {
                sink.add(new ParameterizedElement.Parameter(element.substring(nameStart, nameEnd), value));
            }
        }
        return -1;
    }

    /** Why {@code element} is not a parameterized element, given where {@link #parameterizedError} stopped. */
    private static FieldList.Malformed notParameterized(String element, int at) {
        String found = at < element.length() ? Ascii.describe(element.charAt(at)) + " at index " + at : "the end";
        int semicolon = element.indexOf(';');
        if (at == 0 || semicolon < 0 || at < semicolon) { // no name, or something other than ';' after it
            return new FieldList.Malformed(FieldList.Problem.INVALID_ELEMENT, "expected a token with optional"
                    + " parameters (name; p; q=v) but found " + found + " in \"" + Ascii.printable(element) + "\"");
        }
        return new FieldList.Malformed(FieldList.Problem.INVALID_PARAMETER, "expected a parameter (\"; name\" or"
                + " \"; name=value\", the value a token or a quoted string) but found " + found + " in \""
                + Ascii.printable(element) + "\"");
    }

    /** The exclusive end of the token starting at {@code from}; {@code from} itself when there is none. */
    private static int tokenEnd(String s, int from) {
        int i = from;
        while (i < s.length() && Ascii.isTchar(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /**
     * Given the index of an opening quote, the index just past the closing one; when the quoted string
     * is malformed, {@code ~index} of the offending character, or {@code ~s.length()} when it is not
     * closed (RFC 9110 §5.6.4: qdtext and quoted-pair are HTAB, SP, VCHAR and obs-text, nothing else).
     */
    private static int quotedStringEnd(String s, int open) {
        int n = s.length();
        for (int i = open + 1; i < n; i++) {
            char c = s.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\' && ++i == n) {
                break;
            }
            if (!isQuotable(s.charAt(i))) {
                return ~i;
            }
        }
        return ~n;
    }

    private static boolean isQuotable(char c) {
        return Ascii.isOws(c) || Ascii.isFieldVchar(c);
    }

    /** The content of the well-formed quoted string from {@code open} to {@code close} (exclusive), quoted pairs undone. */
    private static String unquote(String s, int open, int close) {
        int from = open + 1;
        int to = close - 1;
        int backslash = s.indexOf('\\', from);
        if (backslash < 0 || backslash >= to) {
            return s.substring(from, to);
        }
        StringBuilder out = new StringBuilder(to - from - 1);
        int run = from;
        while (backslash >= 0 && backslash < to) {
            out.append(s, run, backslash);
            run = backslash + 1; // the escaped character starts the next run
            backslash = s.indexOf('\\', backslash + 2);
        }
        return out.append(s, run, to).toString();
    }
}
