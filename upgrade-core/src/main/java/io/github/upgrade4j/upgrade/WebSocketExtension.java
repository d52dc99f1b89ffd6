package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.ParameterizedElement;
import io.github.upgrade4j.http.ParameterizedElement.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One element of {@code Sec-WebSocket-Extensions} (RFC 6455 §9.1): an extension name and its
 * parameters, e.g. {@code permessage-deflate; client_max_window_bits; server_max_window_bits=10}
 * (RFC 7692).
 *
 * <p>The field is split and checked by {@link #parseAll}, which says why it is malformed the way every
 * list does, with {@link FieldList.Malformed}; {@link ParameterizedElement#parse} then reads each element:
 * <pre>{@code
 * FieldList offered = WebSocketExtension.parseAll(headers.values(HeaderName.SEC_WEBSOCKET_EXTENSIONS));
 * if (offered instanceof FieldList.Valid valid) {
 *     for (String element : valid.elements()) {
 *         ParameterizedElement read = ParameterizedElement.parse(element);
 *         WebSocketExtension extension = new WebSocketExtension(read.name(), read.parameters());
 *         ...
 *     }
 * } else if (offered instanceof FieldList.Malformed malformed) {
 *     reject(malformed.problem(), malformed.detail());
 * }
 * }</pre>
 *
 * <p>Parameter values given as quoted strings are unquoted; RFC 6455 §9.1 requires the unquoted
 * value to be a token, so {@link #toString()} writes every value bare. This type does not know what
 * any extension or parameter means.
 *
 * @param name the extension name, a token
 * @param parameters the parameters in the order received
 */
public record WebSocketExtension(String name, List<Parameter> parameters) {
    /**
     * Checks the name and the values and copies the parameters.
     *
     * @param name the extension name, a token
     * @param parameters the parameters in the order received, each value a token or absent
     * @throws IllegalArgumentException if the name or a parameter value is not a token (RFC 6455 §9.1)
     */
    public WebSocketExtension {
        if (!Tokens.isToken(Objects.requireNonNull(name, "name"))) {
            throw new IllegalArgumentException("expected an extension name (a token) but was \"" + name + "\"");
        }
        parameters = List.copyOf(parameters);
        for (int i = 0; i < parameters.size(); i++) {
            String value = parameters.get(i).value();
            if (value != null && !Tokens.isToken(value)) {
                throw new IllegalArgumentException("expected the value of extension parameter "
                        + parameters.get(i).name() + " to be a token (RFC 6455 §9.1) but was \"" + value + "\"");
            }
        }
    }

    /**
     * {@return the value of the first parameter named {@code name}; empty when absent or valueless} Use
     * {@link #has} to tell those two apart.
     *
     * @param name the parameter name, compared ignoring case
     */
    public Optional<String> parameter(String name) {
        for (int i = 0; i < parameters.size(); i++) {
            if (parameters.get(i).name().equalsIgnoreCase(name)) {
                return Optional.ofNullable(parameters.get(i).value());
            }
        }
        return Optional.empty();
    }

    /**
     * {@return whether a parameter named {@code name} is present, with or without a value}
     *
     * @param name the parameter name, compared ignoring case
     */
    public boolean has(String name) {
        for (int i = 0; i < parameters.size(); i++) {
            if (parameters.get(i).name().equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Splits and checks every {@code Sec-WebSocket-Extensions} line as one list of extensions, at most
     * {@link FieldList#DEFAULT_MAX_ELEMENTS} of them: each element a name with parameters
     * ({@link FieldList.Element#PARAMETERIZED}) whose values, unquoted, are tokens (RFC 6455 §9.1).
     *
     * @param lines the values of every {@code Sec-WebSocket-Extensions} field line, in wire order
     * @return the elements as sent, each of which {@link #parse} reads; or why the field is malformed,
     *     {@link FieldList.Problem#INVALID_PARAMETER} for a value that is not a token
     */
    public static FieldList parseAll(List<String> lines) {
        FieldList list = FieldList.parse(lines, FieldList.Element.PARAMETERIZED, FieldList.DEFAULT_MAX_ELEMENTS);
        if (!(list instanceof FieldList.Valid valid)) {
            return list;
        }
        List<String> elements = valid.elements();
        for (int i = 0; i < elements.size(); i++) {
            String element = elements.get(i);
            if (element.indexOf('"') < 0) {
                continue; // every bare value is a token already: PARAMETERIZED checked it, nothing to read
            }
            List<Parameter> parameters = ParameterizedElement.parse(element).parameters();
            for (int p = 0; p < parameters.size(); p++) {
                String value = parameters.get(p).value();
                if (value != null && !Tokens.isToken(value)) {
                    return new FieldList.Malformed(FieldList.Problem.INVALID_PARAMETER, "expected the value of"
                            + " extension parameter " + parameters.get(p).name() + " to be a token once unquoted,"
                            + " as RFC 6455 section 9.1 requires, but it was \"" + asciiOnly(value) + "\"");
                }
            }
        }
        return list;
    }

    /**
     * Reads one element of a list that {@link #parseAll} found valid.
     *
     * @param element an element of {@code parseAll}'s {@link FieldList.Valid#elements()}
     * @throws IllegalArgumentException if {@code element} is not a name with parameters whose values
     *     are tokens, which such an element always is
     */
    static WebSocketExtension parse(String element) {
        ParameterizedElement read = ParameterizedElement.parse(element);
        return new WebSocketExtension(read.name(), read.parameters());
    }

    /** The extensions of a list {@link #parseAll} found valid, in order. */
    static List<WebSocketExtension> readAll(FieldList.Valid valid) {
        List<String> elements = valid.elements();
        List<WebSocketExtension> out = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            out.add(parse(elements.get(i)));
        }
        return List.copyOf(out);
    }

    /** {@code name; p; q=v}, as sent on the wire: every value is a token, so none is quoted. */
    @Override
    public String toString() {
        return parameters.isEmpty() ? name : new ParameterizedElement(name, parameters).toString();
    }

    /** {@code value} of a quoted string, for a log line: obs-text and HTAB as {@code ?}, at most 64 characters. */
    private static String asciiOnly(String value) {
        char[] out = new char[Math.min(value.length(), 64)];
        for (int i = 0; i < out.length; i++) {
            char c = value.charAt(i);
            out[i] = c >= 0x20 && c < 0x7F ? c : '?';
        }
        return new String(out);
    }
}
