package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.FieldList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * One element of {@code Sec-WebSocket-Extensions} (RFC 6455 §9.1): an extension name and its
 * parameters, e.g. {@code permessage-deflate; client_max_window_bits; server_max_window_bits=10}
 * (RFC 7692).
 *
 * <p>Parameter values given as quoted strings are unquoted; RFC 6455 §9.1 requires the unquoted
 * value to be a token, so {@link #toString()} can write every value bare.
 *
 * @param name the extension name, a token
 * @param parameters the parameters in the order received
 */
public record WebSocketExtension(String name, List<Parameter> parameters) {
    /**
     * Checks the name and copies the parameters.
     *
     * @throws IllegalArgumentException if the name is not a token
     */
    public WebSocketExtension {
        if (!Tokens.isToken(Objects.requireNonNull(name, "name"))) {
            throw new IllegalArgumentException("expected an extension name (a token) but was \"" + name + "\"");
        }
        parameters = List.copyOf(parameters);
    }

    /**
     * One extension parameter.
     *
     * @param name the parameter name, a token
     * @param value the value, a token, or null for a parameter without value
     */
    public record Parameter(String name, @Nullable String value) {
        /**
         * Checks both parts are tokens.
         *
         * @throws IllegalArgumentException if not
         */
        public Parameter {
            if (!Tokens.isToken(Objects.requireNonNull(name, "name")) || value != null && !Tokens.isToken(value)) {
                throw new IllegalArgumentException("expected an extension parameter of tokens but was \"" + name
                        + (value == null ? "" : "=" + value) + "\"");
            }
        }

        @Override
        public String toString() {
            return value == null ? name : name + "=" + value;
        }
    }

    /** The value of the first parameter named {@code name}, ignoring case; empty when absent or valueless. */
    public Optional<String> parameter(String name) {
        for (Parameter p : parameters) {
            if (p.name().equalsIgnoreCase(name)) {
                return Optional.ofNullable(p.value());
            }
        }
        return Optional.empty();
    }

    /** Whether a parameter named {@code name} is present, with or without a value. */
    public boolean has(String name) {
        return parameters.stream().anyMatch(p -> p.name().equalsIgnoreCase(name));
    }

    /**
     * Parses every extension offered on the {@code Sec-WebSocket-Extensions} lines.
     *
     * @return the extensions in order, or empty when a line does not parse
     */
    public static Optional<List<WebSocketExtension>> parseAll(List<String> lines) {
        FieldList list = FieldList.parse(lines, FieldList.Element.ANY, FieldList.DEFAULT_MAX_ELEMENTS);
        if (!(list instanceof FieldList.Valid valid)) {
            return Optional.empty();
        }
        List<WebSocketExtension> out = new ArrayList<>(valid.elements().size());
        for (String element : valid.elements()) {
            WebSocketExtension extension = parseOne(element);
            if (extension == null) {
                return Optional.empty();
            }
            out.add(extension);
        }
        return Optional.of(List.copyOf(out));
    }

    /** {@code name; p; q=v}, as sent on the wire. */
    @Override
    public String toString() {
        return parameters.isEmpty() ? name
                : name + "; " + parameters.stream().map(Parameter::toString).collect(Collectors.joining("; "));
    }

    private static @Nullable WebSocketExtension parseOne(String element) {
        List<String> parts = splitParameters(element);
        if (parts == null) {
            return null;
        }
        String name = parts.get(0).strip();
        if (!Tokens.isToken(name)) {
            return null;
        }
        List<Parameter> parameters = new ArrayList<>(parts.size() - 1);
        for (String part : parts.subList(1, parts.size())) {
            String p = part.strip();
            int eq = p.indexOf('=');
            String key = (eq < 0 ? p : p.substring(0, eq)).strip();
            String value = eq < 0 ? null : unquote(p.substring(eq + 1).strip());
            if (!Tokens.isToken(key) || eq >= 0 && (value == null || !Tokens.isToken(value))) {
                return null;
            }
            parameters.add(new Parameter(key, value));
        }
        return new WebSocketExtension(name, parameters);
    }

    /**
     * Splits at semicolons outside quoted strings, each part as it was (quotes and escapes included);
     * null if a quote is not closed.
     */
    private static @Nullable List<String> splitParameters(String element) {
        List<String> parts = new ArrayList<>(4);
        int start = 0;
        boolean quoted = false;
        for (int i = 0; i < element.length(); i++) {
            char c = element.charAt(i);
            if (quoted && c == '\\' && i + 1 < element.length()) {
                i++; // an escaped character, whatever it is, stays inside the quoted string
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ';' && !quoted) {
                parts.add(element.substring(start, i));
                start = i + 1;
            }
        }
        if (quoted) {
            return null;
        }
        parts.add(element.substring(start));
        return parts;
    }

    private static @Nullable String unquote(String value) {
        if (value.length() < 2 || value.charAt(0) != '"') {
            return value;
        }
        if (value.charAt(value.length() - 1) != '"') {
            return null;
        }
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 1; i < value.length() - 1; i++) {
            char c = value.charAt(i);
            out.append(c == '\\' && i + 1 < value.length() - 1 ? value.charAt(++i) : c);
        }
        return out.toString();
    }
}
