package io.github.upgrade4j.examples.support;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON the tests read (the probe's {@code --json}, the lines node scripts print), with Jackson: objects
 * as maps in their order, arrays as lists, every number as a {@code Double}.
 */
public final class JsonLines {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonLines() {}

    /** {@code text}, which must be one JSON object and nothing else. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(String text) {
        try {
            Object value = MAPPER.readValue(text, Object.class);
            if (!(value instanceof Map)) {
                fail("expected a JSON object but was: " + text);
            }
            return (Map<String, Object>) numbersAsDoubles(value);
        } catch (JsonProcessingException e) {
            throw new AssertionError("expected one JSON object but was: " + text, e);
        }
    }

    /** The last line of {@code output} that is a JSON object, as node scripts print their result. */
    public static Map<String, Object> lastLine(String output) {
        List<String> lines = output.strip().lines().filter(l -> l.startsWith("{")).toList();
        assertFalse(lines.isEmpty(), "expected a line of JSON but the output was:\n" + output);
        return parse(lines.get(lines.size() - 1));
    }

    private static Object numbersAsDoubles(Object value) {
        if (value instanceof Number number) {
            return number.doubleValue();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, item) -> copy.put((String) key, numbersAsDoubles(item)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(item -> copy.add(numbersAsDoubles(item)));
            return copy;
        }
        return value;
    }
}
