package io.github.upgrade4j.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FieldListTest {
    private static List<String> elements(FieldList list) {
        return assertInstanceOf(FieldList.Valid.class, list, list::toString).elements();
    }

    private static FieldList.Problem problem(FieldList list) {
        return assertInstanceOf(FieldList.Malformed.class, list, list::toString).problem();
    }

    @Test
    void trimsWhitespaceAndIgnoresEmptyElements() {
        assertEquals(List.of("a", "b", "c"),
                elements(FieldList.parse(" ,a ,\t, b,,\tc , ", FieldList.Element.TOKEN, 32)));
    }

    @Test
    void anEmptyFirstLineDoesNotHideTheSecond() {
        assertEquals(List.of("close", "x-secret"),
                elements(FieldList.parse(List.of("", " , ", "close, x-secret"), FieldList.Element.TOKEN, 32)));
    }

    @Test
    void keepsQuotedStringsWholeWithTheirCommasAndEscapes() {
        assertEquals(List.of("foo; a=\"x, y\"", "bar; b=\"q\\\"uote, z\""),
                elements(FieldList.parse("foo; a=\"x, y\", bar; b=\"q\\\"uote, z\"", FieldList.Element.ANY, 32)));
    }

    @Test
    void rejectsAnUnterminatedQuotedString() {
        assertEquals(FieldList.Problem.UNTERMINATED_QUOTED_STRING,
                problem(FieldList.parse("a, \"b, c", FieldList.Element.ANY, 32)));
        assertEquals(FieldList.Problem.UNTERMINATED_QUOTED_STRING,
                problem(FieldList.parse("a, \"b\\\"", FieldList.Element.ANY, 32)));
    }

    @Test
    void tokenRuleRejectsElementsThatAreNotTokens() {
        for (String bad : List.of("a b", "a/b", "\"a\"", "a;b", "a=b", "caf\u00e9")) {
            assertEquals(FieldList.Problem.INVALID_ELEMENT, problem(FieldList.parse("x, " + bad, FieldList.Element.TOKEN, 32)),
                    bad);
        }
    }

    @Test
    void protocolRuleAcceptsNameAndVersion() {
        assertEquals(List.of("websocket", "h2c", "HTTP/2.0", "RTA/x11"),
                elements(FieldList.parse("websocket, h2c, HTTP/2.0, RTA/x11", FieldList.Element.PROTOCOL, 32)));
        for (String bad : List.of("/1", "a/", "a/b/c", "a b")) {
            assertEquals(FieldList.Problem.INVALID_ELEMENT, problem(FieldList.parse(bad, FieldList.Element.PROTOCOL, 32)),
                    bad);
        }
    }

    @Test
    void capsTheNumberOfElementsAcrossLines() {
        List<String> lines = List.of("a, b", "c");

        assertEquals(3, elements(FieldList.parse(lines, FieldList.Element.TOKEN, 3)).size());
        assertEquals(FieldList.Problem.TOO_MANY_ELEMENTS, problem(FieldList.parse(lines, FieldList.Element.TOKEN, 2)));
        assertEquals(List.of(), elements(FieldList.parse(",,,,", FieldList.Element.TOKEN, 0)));
    }

    @Test
    void problemsNameTheirRfcSection() {
        assertEquals("RFC 9110 §5.6.1", FieldList.Problem.TOO_MANY_ELEMENTS.spec());
        assertThrows(IllegalArgumentException.class, () -> FieldList.parse("a", FieldList.Element.TOKEN, -1));
    }

    @Test
    void everyProblemIsAReasonWithAPlainWordsExplanation() {
        for (FieldList.Problem problem : FieldList.Problem.values()) {
            Reason reason = problem;
            assertTrue(reason.spec().startsWith("RFC 9110 §5.6."), reason::name);
            assertTrue(reason.explanation().length() > 80 && reason.explanation().endsWith("."), reason::name);
            assertTrue(reason.explanation().chars().allMatch(c -> c >= 0x20 && c < 0x7F), reason::name);
        }
    }
}
