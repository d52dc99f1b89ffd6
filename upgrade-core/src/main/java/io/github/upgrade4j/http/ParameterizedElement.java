package io.github.upgrade4j.http;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One element of a list whose elements carry parameters: a name and its parameters in wire order,
 * {@code token *( OWS ";" OWS parameter )} (RFC 9110 §5.6.6), as in {@code Transfer-Encoding}
 * ({@code gzip; level=9}, RFC 9112 §7) and {@code Sec-WebSocket-Extensions}
 * ({@code permessage-deflate; client_max_window_bits}, RFC 6455 §9.1).
 *
 * <p>Split and check a field with {@link FieldList#parse} and {@link FieldList.Element#PARAMETERIZED},
 * which says why a list is malformed, then read each element of the valid list with {@link #parse}:
 * <pre>{@code
 * FieldList list = FieldList.parse(headers.values(name), FieldList.Element.PARAMETERIZED, 32);
 * if (list instanceof FieldList.Valid valid) {
 *     for (String element : valid.elements()) {
 *         ParameterizedElement coding = ParameterizedElement.parse(element);
 *         ...
 *     }
 * } else if (list instanceof FieldList.Malformed malformed) {
 *     reject(malformed.problem(), malformed.detail());
 * }
 * }</pre>
 *
 * <p>Names keep their spelling; compare them with {@link String#equalsIgnoreCase} where the field is
 * case-insensitive. A value sent as a quoted string (RFC 9110 §5.6.4) is returned unquoted, its
 * quoted pairs undone, so {@code q="a\"b"} has the value {@code a"b}; {@code q=v} and {@code q="v"}
 * have the same value.
 *
 * <p>This type does not know what any parameter means, does not merge, sort or look up parameters,
 * and checks values only for what a quoted string can carry: a field with a stricter rule (RFC 6455
 * wants token values) checks it itself.
 *
 * @param name the element name, a token (RFC 9110 §5.6.2)
 * @param parameters the parameters in wire order, duplicates kept
 */
public record ParameterizedElement(String name, List<Parameter> parameters) {
    /**
     * Checks the name and copies the parameters.
     *
     * @param name the element name, a token (RFC 9110 §5.6.2)
     * @param parameters the parameters in wire order, duplicates kept
     * @throws IllegalArgumentException if the name is not a token
     */
    public ParameterizedElement {
        if (!Ascii.isToken(Objects.requireNonNull(name, "name"))) {
            throw new IllegalArgumentException("expected an element name (a token) but was \"" + Ascii.printable(name)
                    + "\"");
        }
        parameters = List.copyOf(parameters);
    }

    /**
     * One parameter, {@code name [ "=" value ]} (RFC 9110 §5.6.6).
     *
     * @param name the parameter name, a token (RFC 9110 §5.6.2)
     * @param value the value, unquoted (possibly empty, from {@code ""}); null for a parameter without
     *     {@code "="}, which RFC 6455 §9.1 allows
     */
    public record Parameter(String name, @Nullable String value) {
        /**
         * Checks that the name is a token and that a quoted string can carry the value.
         *
         * @param name the parameter name, a token (RFC 9110 §5.6.2)
         * @param value the value, unquoted (possibly empty); null for a parameter without {@code "="}
         * @throws IllegalArgumentException if the name is not a token, or the value has a character
         *     other than HTAB, SP, VCHAR and obs-text (RFC 9110 §5.6.4)
         */
        public Parameter {
            if (!Ascii.isToken(Objects.requireNonNull(name, "name"))) {
                throw new IllegalArgumentException("expected a parameter name (a token) but was \""
                        + Ascii.printable(name) + "\"");
            }
            if (value != null) {
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if (!Ascii.isOws(c) && !Ascii.isFieldVchar(c)) {
                        throw new IllegalArgumentException("expected a parameter value of HTAB, SP, VCHAR and obs-text"
                                + " but found " + Ascii.describe(c) + " in \"" + Ascii.printable(value) + "\"");
                    }
                }
            }
        }

        /**
         * {@code name}, {@code name=value} for a token value, or {@code name="value"} with {@code "} and
         * {@code \} escaped otherwise: the parameter as it is sent.
         */
        @Override
        public String toString() {
            if (value == null) {
                return name;
            }
            if (Ascii.isToken(value)) {
                return name + "=" + value;
            }
            StringBuilder out = new StringBuilder(name.length() + value.length() + 4).append(name).append("=\"");
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\');
                }
                out.append(c);
            }
            return out.append('"').toString();
        }
    }

    /**
     * Reads one element of a list parsed with {@link FieldList.Element#PARAMETERIZED}: its name, then its
     * parameters with values unquoted. An element without parameters allocates nothing but the record;
     * its name is the element.
     *
     * @param element an element as {@link FieldList.Valid#elements()} returns it: trimmed, no comma
     *     outside a quoted string
     * @return the element's name and its parameters in wire order, values unquoted
     * @throws IllegalArgumentException if {@code element} is not of that form, which an element of a
     *     {@code PARAMETERIZED} or {@code TOKEN} list always is
     */
    public static ParameterizedElement parse(String element) {
        return ListScanner.parameterized(Objects.requireNonNull(element, "element"));
    }

    /** {@code name; p; q=v}, as sent on the wire, values quoted where they are not tokens. */
    @Override
    public String toString() {
        if (parameters.isEmpty()) {
            return name;
        }
        StringBuilder out = new StringBuilder(name);
        for (int i = 0; i < parameters.size(); i++) {
            out.append("; ").append(parameters.get(i));
        }
        return out.toString();
    }
}
