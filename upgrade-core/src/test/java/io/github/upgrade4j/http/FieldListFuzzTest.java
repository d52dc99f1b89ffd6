package io.github.upgrade4j.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the one list tokenizer ({@link FieldList}, and {@link Headers#hasToken}
 * and {@link Headers#tokens} over it): any lines, under every element rule and several limits, give
 * Valid or Malformed, never another exception, and agree with a naive reference splitter written here
 * from RFC 9110 §5.6.1 and §5.6.4.
 *
 * <p>The input is used twice: its text split at line ends, as the lines of one field (so control
 * characters, lone quotes and backslashes reach the tokenizer), and, when it parses as a request head,
 * the values of each of its fields (so the tokenizer also sees exactly what a proxy gives it).
 *
 * <p>Without {@code JAZZER_FUZZ} this runs as a regression test over the shared seed corpus
 * {@code upgrade-core/src/test/fuzz-corpus/} (every raw head of the tests, {@code head_*} written by
 * {@code scripts/FuzzSeeds.java}, and hand-written heads), which the build copies into this target's
 * inputs folder, and over its own seeds, list values, in
 * {@code src/test/resources/io/github/upgrade4j/http/FieldListFuzzTestInputs/splitsAnyListSafely/}.
 * {@code scripts/fuzz.sh} fuzzes it for a given time.
 */
class FieldListFuzzTest {
    private static final ParserOptions LENIENT = ParserOptions.standard()
            .with(ParserOptions.Leniency.LF_LINE_ENDINGS).with(ParserOptions.Leniency.STATUS_LINE_WITHOUT_REASON);

    @FuzzTest(maxDuration = "2m")
    void splitsAnyListSafely(byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        List<String> lines = List.of(text.split("\r?\n", -1));
        int limit = input.length == 0 ? 0 : (input[input.length - 1] & 0xFF) % 8;
        for (FieldList.Element rule : FieldList.Element.values()) {
            check(lines, rule, limit);
            check(lines, rule, FieldList.DEFAULT_MAX_ELEMENTS);
        }

        ParseResult<RequestHead> parsed = Http1Parser.forRequests(LENIENT).parse(ByteBuffer.wrap(input));
        if (parsed instanceof ParseResult.Complete<RequestHead> complete) {
            Headers headers = complete.head().headers();
            Set<HeaderName> names = new LinkedHashSet<>();
            headers.forEach(field -> names.add(field.name()));
            for (HeaderName name : names) {
                for (FieldList.Element rule : FieldList.Element.values()) {
                    check(headers.values(name), rule, FieldList.DEFAULT_MAX_ELEMENTS);
                }
                checkTokenLookup(headers, name);
            }
        }
    }

    private static void check(List<String> lines, FieldList.Element rule, int limit) {
        FieldList result = FieldList.parse(lines, rule, limit);
        assertNotNull(result);
        Reference reference = Reference.split(lines);
        if (result instanceof FieldList.Malformed malformed) {
            assertSafeToLog(malformed.detail());
            switch (malformed.problem()) {
                case UNTERMINATED_QUOTED_STRING:
                    assertTrue(reference.unterminated, () -> "the reference closes every quote in " + lines);
                    break;
                case TOO_MANY_ELEMENTS:
                    assertTrue(reference.elements.size() > limit || reference.unterminated,
                            () -> "only " + reference.elements.size() + " elements but more than " + limit + " reported");
                    break;
                case INVALID_PARAMETER:
                    assertEquals(FieldList.Element.PARAMETERIZED, rule, "only PARAMETERIZED reads parameters");
                    assertTrue(reference.elements.stream().anyMatch(e -> !conforms(e, rule)) || reference.unterminated,
                            () -> "every element conforms to " + rule + ": " + reference.elements);
                    break;
                case INVALID_ELEMENT:
                    assertTrue(rule != FieldList.Element.ANY, "ANY accepts every element");
                    assertTrue(reference.elements.stream().anyMatch(e -> !conforms(e, rule)) || reference.unterminated,
                            () -> "every element conforms to " + rule + ": " + reference.elements);
                    break;
                default:
                    fail("unknown problem " + malformed.problem());
            }
            return;
        }
        List<String> elements = ((FieldList.Valid) result).elements();
        assertFalse(reference.unterminated, () -> "accepted an unterminated quoted string in " + lines);
        assertEquals(reference.elements, elements, () -> "elements of " + lines);
        assertTrue(elements.size() <= limit, () -> elements.size() + " elements over the limit " + limit);
        for (String element : elements) {
            assertFalse(element.isEmpty(), "an empty element");
            assertFalse(Ascii.isOws(element.charAt(0)) || Ascii.isOws(element.charAt(element.length() - 1)),
                    () -> "untrimmed element '" + element + "'");
            assertTrue(conforms(element, rule), () -> element + " is not a " + rule);
        }
        // Splitting every line on its own gives the same elements: no line hides or joins another.
        List<String> perLine = new ArrayList<>();
        for (String line : lines) {
            FieldList one = FieldList.parse(line, rule, Integer.MAX_VALUE);
            perLine.addAll(assertInstanceOf(FieldList.Valid.class, one, () -> "line " + line).elements());
        }
        assertEquals(elements, perLine, "lines parsed together and one by one");
    }

    /** {@link Headers#hasToken} finds exactly the elements {@link FieldList} returns, ignoring case. */
    private static void checkTokenLookup(Headers headers, HeaderName name) {
        FieldList list = FieldList.parse(headers.values(name), FieldList.Element.ANY, Integer.MAX_VALUE);
        if (!(list instanceof FieldList.Valid valid)) {
            return; // hasToken scans a malformed line as far as it can; nothing exact to compare
        }
        for (String element : valid.elements()) {
            assertTrue(headers.hasToken(name, element), () -> "hasToken misses '" + element + "' in " + headers);
            assertTrue(headers.hasToken(name, element.toUpperCase(Locale.ROOT)) || !isAscii(element),
                    () -> "hasToken is case-sensitive for '" + element + "'");
        }
        for (String probe : List.of("upgrade", "close", "keep-alive", "websocket", "chunked", "te", "")) {
            boolean expected = valid.elements().stream().anyMatch(e -> e.equalsIgnoreCase(probe));
            assertEquals(expected, headers.hasToken(name, probe), () -> "hasToken('" + probe + "') in " + headers);
        }
        if (FieldList.parse(headers.values(name), FieldList.Element.TOKEN, FieldList.DEFAULT_MAX_ELEMENTS) instanceof FieldList.Valid tokens) {
            assertEquals(valid.elements(), tokens.elements(), "tokens() of a list of tokens");
        }
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }

    private static boolean conforms(String element, FieldList.Element rule) {
        switch (rule) {
            case TOKEN:
                return FieldList.isToken(element);
            case PROTOCOL:
                int slash = element.indexOf('/');
                return slash < 0 ? FieldList.isToken(element)
                        : FieldList.isToken(element.substring(0, slash)) && FieldList.isToken(element.substring(slash + 1));
            case PARAMETERIZED:
                return isParameterized(element);
            default:
                return true;
        }
    }

    /**
     * A naive reading of RFC 9110 §5.6.6 as {@code PARAMETERIZED} states it: split at semicolons outside
     * quoted strings, then the first part is a token and every other part, OWS stripped, is {@code token}
     * or {@code token BWS "=" BWS (token / quoted-string)}.
     */
    private static boolean isParameterized(String element) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < element.length(); i++) {
            char c = element.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ';' && !quoted) {
                parts.add(element.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(element.substring(start));
        if (quoted || !FieldList.isToken(Draws.stripOws(parts.get(0)))) {
            return false;
        }
        for (String part : parts.subList(1, parts.size())) {
            String p = Draws.stripOws(part);
            int eq = p.indexOf('=');
            if (eq < 0 ? !FieldList.isToken(p)
                    : !FieldList.isToken(Draws.stripOws(p.substring(0, eq))) || !isValue(Draws.stripOws(p.substring(eq + 1)))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isValue(String v) {
        if (FieldList.isToken(v)) {
            return true;
        }
        if (v.length() < 2 || v.charAt(0) != '"' || v.charAt(v.length() - 1) != '"') {
            return false;
        }
        for (int i = 1; i < v.length() - 1; i++) {
            char c = v.charAt(i);
            if (c == '\\') {
                i++;
                if (i == v.length() - 1) {
                    return false; // the closing quote is escaped
                }
                c = v.charAt(i);
            } else if (c == '"') {
                return false;
            }
            if (c != '\t' && (c < 0x20 || c == 0x7F || c > 0xFF)) {
                return false;
            }
        }
        return true;
    }

    /** No control character, so a detail can go into a log line or a response body as it is. */
    private static void assertSafeToLog(String detail) {
        assertTrue(detail.chars().allMatch(c -> c >= 0x20 && c < 0x7F), () -> "detail not safe to log: " + detail);
    }

    /**
     * The list rule read as plainly as possible: commas outside quoted strings separate elements, a
     * quoted string runs from a double quote to the next one not escaped by a backslash, spaces and tabs
     * around an element go, empty elements are dropped.
     */
    private static final class Reference {
        final List<String> elements = new ArrayList<>();
        boolean unterminated;

        static Reference split(List<String> lines) {
            Reference out = new Reference();
            for (String line : lines) {
                StringBuilder element = new StringBuilder();
                boolean quoted = false;
                for (int i = 0; i < line.length(); i++) {
                    char c = line.charAt(i);
                    if (quoted) {
                        element.append(c);
                        if (c == '\\' && i + 1 < line.length()) {
                            element.append(line.charAt(++i));
                        } else if (c == '\\') {
                            break; // a backslash at the end escapes nothing: the quote stays open
                        } else if (c == '"') {
                            quoted = false;
                        }
                    } else if (c == ',') {
                        out.add(element);
                    } else {
                        quoted = c == '"';
                        element.append(c);
                    }
                }
                if (quoted) {
                    out.unterminated = true;
                    return out;
                }
                out.add(element);
            }
            return out;
        }

        private void add(StringBuilder element) {
            String trimmed = trim(element.toString());
            if (!trimmed.isEmpty()) {
                elements.add(trimmed);
            }
            element.setLength(0);
        }

        private static String trim(String s) {
            int start = 0;
            int end = s.length();
            while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
                start++;
            }
            while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
                end--;
            }
            return s.substring(start, end);
        }
    }
}
