package io.github.upgrade4j.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The elements of a comma-separated field, taken over every field line of that field (RFC 9110
 * §5.6.1): the one list tokenizer of this library, used for {@code Connection}, {@code Upgrade},
 * {@code TE}, {@code Transfer-Encoding} and every other list-valued field.
 *
 * <p>Rules: elements are separated by commas outside quoted strings; optional whitespace around
 * each element is trimmed; empty elements ({@code "a,,b"}, a leading or trailing comma, an empty
 * field line) are ignored and do not count; a quoted string keeps its commas and its quoted pairs;
 * more than the given number of elements makes the list malformed. An empty field line never hides
 * the lines after it. The caller chooses what an element must look like with an {@link Element}
 * rule. Elements keep their spelling; compare them with {@link String#equalsIgnoreCase} or
 * {@link Headers#hasToken} where the field is case-insensitive.
 *
 * <p>Take a result apart with {@code instanceof} patterns on Java 17, or with {@code switch} on 21+:
 * <pre>{@code
 * FieldList list = FieldList.parse(headers.values(HeaderName.CONNECTION), Element.TOKEN, 32);
 * if (list instanceof FieldList.Valid valid) {
 *     for (String option : valid.elements()) { ... }
 * } else if (list instanceof FieldList.Malformed malformed) {
 *     reject(malformed.problem(), malformed.detail());
 * }
 * }</pre>
 *
 * <p>Elements are returned as strings, as sent. With {@link Element#PARAMETERIZED} every element is
 * checked to be a name with parameters ({@code gzip; level=9}), which {@link ParameterizedElement#parse}
 * then reads; this type itself neither unquotes values nor interprets parameters, and an
 * {@link Element#ANY} element is returned whole.
 */
public sealed interface FieldList {
    /** The number of elements a list may have unless the caller says otherwise. */
    int DEFAULT_MAX_ELEMENTS = 32;

    /** What each element of a list must be. */
    enum Element {
        /** A token (RFC 9110 §5.6.2), as in {@code Connection} options. */
        TOKEN,
        /** A protocol, {@code token ["/" token]} (RFC 9110 §7.8), as in {@code Upgrade}. */
        PROTOCOL,
        /**
         * A token with parameters, {@code token *( OWS ";" OWS token [ BWS "=" BWS ( token / quoted-string ) ] )}
         * (RFC 9110 §5.6.6, §5.6.4), as in {@code Transfer-Encoding} (RFC 9112 §7) and {@code
         * Sec-WebSocket-Extensions} (RFC 6455 §9.1); read each element with {@link ParameterizedElement#parse}.
         * Whitespace is SP and HTAB only, so another space (U+00A0, U+2003) makes the element malformed. A
         * parameter may lack a value (RFC 6455 §9.1) and may have whitespace around {@code "="} (BWS, RFC
         * 9112 §7). An empty parameter ({@code a;;b}, {@code a;}) is malformed: RFC 9110's generic grammar
         * tolerates one, but neither a transfer coding nor a WebSocket extension does, and strict is the default.
         */
        PARAMETERIZED,
        /** Any text with well-formed quoted strings, returned whole, for fields that no other rule fits. */
        ANY
    }

    /** Why a list is malformed: the rule, where it comes from, and what probably went wrong. */
    enum Problem implements Reason {
        /** An element that must be a token, a protocol or a token with parameters is not one. */
        INVALID_ELEMENT("RFC 9110 §5.6.2",
                "An element of the list is not of the required form, usually a token: letters, digits and"
                        + " !#$%&'*+-.^_`|~ only, no spaces, slashes or quotes inside. The sender wrote a broken field"
                        + " or joined two fields into one; fix the sender, since guessing the meaning is unsafe."),
        /**
         * A parameter of a {@link Element#PARAMETERIZED} element is empty, is not a token, has a value that
         * is neither a token nor a well-formed quoted string, or is followed by something other than
         * {@code ";"}.
         */
        INVALID_PARAMETER("RFC 9110 §5.6.6",
                "A parameter after a ';' is not of the form 'name' or 'name=value', where the name is a token and"
                        + " the value a token or a quoted string. Typical causes are an empty parameter (';;' or a"
                        + " trailing ';'), a space other than SP or HTAB (a no-break space pasted from a document), or"
                        + " a value with spaces or commas that was not quoted; fix the sender."),
        /** A quoted string is not closed before the end of its field line. */
        UNTERMINATED_QUOTED_STRING("RFC 9110 §5.6.4",
                "A '\"' opens a quoted string that never closes on its field line, so it cannot be told where the"
                        + " element ends. A value was probably cut off or a '\\' escaped the closing quote; the sender"
                        + " must close every quoted string on the same line."),
        /** The list has more elements than allowed. */
        TOO_MANY_ELEMENTS("RFC 9110 §5.6.1",
                "The field lists more elements than this recipient accepts, which real clients never need and which"
                        + " costs work to process. Send fewer elements, or raise the limit where the list is parsed.");

        private final String spec;
        private final String explanation;

        Problem(String spec, String explanation) {
            this.spec = spec;
            this.explanation = explanation;
        }

        /** The specification section the rule comes from. */
        @Override
        public String spec() {
            return spec;
        }

        /** What broke the list, the likely cause and the fix, in plain words. */
        @Override
        public String explanation() {
            return explanation;
        }
    }

    /**
     * A well-formed list.
     *
     * @param elements the non-empty, trimmed elements in wire order, duplicates kept
     */
    record Valid(List<String> elements) implements FieldList {
        /**
         * Copies {@code elements}.
         *
         * @param elements the non-empty, trimmed elements in wire order, duplicates kept
         */
        public Valid {
            elements = List.copyOf(elements);
        }
    }

    /**
     * A malformed list.
     *
     * @param problem the rule that was broken
     * @param detail what was expected and what was found, safe to log
     */
    record Malformed(Problem problem, String detail) implements FieldList {
        /**
         * Checks for nulls.
         *
         * @param problem the rule that was broken
         * @param detail what was expected and what was found, safe to log
         */
        public Malformed {
            Objects.requireNonNull(problem, "problem");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * Parses the elements of every line in {@code lines} as one list.
     *
     * @param lines the values of all field lines of one field, in wire order
     * @param rule what each element must be
     * @param maxElements the most elements accepted; more makes the list malformed
     * @return the elements of all lines in order, or the first rule broken; {@link Valid} with no elements
     *     when {@code lines} is empty
     * @throws IllegalArgumentException if {@code maxElements} is negative
     */
    static FieldList parse(List<String> lines, Element rule, int maxElements) {
        Objects.requireNonNull(lines, "lines");
        Objects.requireNonNull(rule, "rule");
        if (maxElements < 0) {
            throw new IllegalArgumentException("expected maxElements >= 0 but was " + maxElements);
        }
        if (lines.isEmpty()) {
            return ListScanner.NO_ELEMENTS; // an absent field: no list to build
        }
        List<String> out = new ArrayList<>(4);
        for (int i = 0; i < lines.size(); i++) { // by index: no iterator object on the request path
            Malformed malformed = ListScanner.split(lines.get(i), rule, maxElements, out);
            if (malformed != null) {
                return malformed;
            }
        }
        return new Valid(out);
    }

    /**
     * {@return whether {@code s} is a token (RFC 9110 §5.6.2): one or more tchars} Allocation-free.
     *
     * @param s the characters to check
     */
    static boolean isToken(CharSequence s) {
        return Ascii.isToken(s);
    }

    /**
     * Parses one field line; see {@link #parse(List, Element, int)}.
     *
     * @param line the value of the field line
     * @param rule what each element must be
     * @param maxElements the most elements accepted; more makes the list malformed
     * @return the elements of the line in order, or the first rule broken
     * @throws IllegalArgumentException if {@code maxElements} is negative
     */
    static FieldList parse(String line, Element rule, int maxElements) {
        return parse(List.of(line), rule, maxElements);
    }
}
