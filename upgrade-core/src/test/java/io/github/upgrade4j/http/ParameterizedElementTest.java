package io.github.upgrade4j.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.FieldList.Element;
import io.github.upgrade4j.http.ParameterizedElement.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link FieldList.Element#PARAMETERIZED} lists and {@link ParameterizedElement}, RFC 9110 §5.6.6 and §5.6.4. */
class ParameterizedElementTest {
    private static List<ParameterizedElement> read(String... lines) {
        FieldList list = FieldList.parse(List.of(lines), Element.PARAMETERIZED, FieldList.DEFAULT_MAX_ELEMENTS);
        List<ParameterizedElement> out = new ArrayList<>();
        for (String element : assertInstanceOf(FieldList.Valid.class, list, list::toString).elements()) {
            out.add(ParameterizedElement.parse(element));
        }
        return out;
    }

    private static FieldList.Malformed malformed(String line) {
        FieldList list = FieldList.parse(line, Element.PARAMETERIZED, FieldList.DEFAULT_MAX_ELEMENTS);
        return assertInstanceOf(FieldList.Malformed.class, list, () -> "[" + line + "] gave " + list);
    }

    private static ParameterizedElement element(String name, Parameter... parameters) {
        return new ParameterizedElement(name, List.of(parameters));
    }

    @Test
    void readsNamesAndParametersInWireOrderWithAndWithoutValues() {
        assertEquals(List.of(
                element("permessage-deflate", new Parameter("client_max_window_bits", null),
                        new Parameter("server_max_window_bits", "10")),
                element("x-webkit-deflate-frame"),
                element("gzip", new Parameter("q", "1"), new Parameter("q", "0.5"))),
                read("permessage-deflate; client_max_window_bits; server_max_window_bits=10, x-webkit-deflate-frame",
                        "gzip;q=1;q=0.5"));
    }

    @Test
    void trimsOwsAroundSemicolonsAndEqualsSigns() {
        ParameterizedElement expected = element("a", new Parameter("p", null), new Parameter("q", "v"),
                new Parameter("r", "w x"));
        for (String line : List.of("a;p;q=v;r=\"w x\"", "a ; p\t;\tq = v ;  r\t=\t\"w x\"", " \ta  ;p ;q= v;r =\"w x\"\t")) {
            assertEquals(List.of(expected), read(line), line);
        }
    }

    @Test
    void unquotesValuesKeepingEscapedQuotesCommasAndSemicolonsInside() {
        List<ParameterizedElement> read = read("ext; a=\"x, y\"; b=\"q\\\"uote; z\"; c=\"back\\\\slash\"; d=\"\"; e=\"t\"");

        assertEquals(List.of(element("ext", new Parameter("a", "x, y"), new Parameter("b", "q\"uote; z"),
                new Parameter("c", "back\\slash"), new Parameter("d", ""), new Parameter("e", "t"))), read);
    }

    @Test
    void anElementWithoutParametersIsItsOwnNameWithTheSharedEmptyList() {
        String element = "chunked";
        ParameterizedElement read = ParameterizedElement.parse(element);

        assertSame(element, read.name());
        assertSame(List.of(), read.parameters());
    }

    /** Strict by default: RFC 9112 §7 and RFC 6455 §9.1 have no empty parameters, though RFC 9110 §5.6.6 does. */
    @Test
    void emptyParametersAreMalformed() {
        for (String line : List.of("a;;b", "a;", "a; ;b", "a ; ", "a;b;")) {
            assertEquals(FieldList.Problem.INVALID_PARAMETER, malformed(line).problem(), line);
        }
    }

    @Test
    void aUnicodeSpaceIsNeitherTrimmedNorAllowed() {
        for (String space : List.of("\u00A0", "\u2003", "\u3000", "\u000B", "\u000C")) {
            assertEquals(FieldList.Problem.INVALID_ELEMENT, malformed("a" + space).problem(), space);
            assertEquals(FieldList.Problem.INVALID_ELEMENT, malformed("a" + space + "; b").problem(), space);
            assertEquals(FieldList.Problem.INVALID_PARAMETER, malformed("a;" + space + "b").problem(), space);
            assertEquals(FieldList.Problem.INVALID_PARAMETER, malformed("a; b=c" + space).problem(), space);
            assertEquals(FieldList.Problem.INVALID_PARAMETER, malformed("a; b" + space + "=c").problem(), space);
            assertThrows(IllegalArgumentException.class, () -> ParameterizedElement.parse("a" + space));
        }
    }

    @Test
    void aNoBreakSpaceInsideAQuotedStringIsObsTextAndKept() {
        assertEquals(List.of(element("a", new Parameter("b", "x\u00A0y"))), read("a; b=\"x\u00A0y\""));
        assertEquals(FieldList.Problem.INVALID_PARAMETER, malformed("a; b=\"x\u2003y\"").problem());
        assertEquals(FieldList.Problem.INVALID_PARAMETER, malformed("a; b=\"x\u0001y\"").problem());
    }

    @Test
    void rejectsElementsThatAreNotATokenWithParameters() {
        for (String line : List.of("a b", "\"a\"", "a/b", "=a", "; a", "a=b", "a \"b\"", "caf\u00e9")) {
            assertEquals(FieldList.Problem.INVALID_ELEMENT, malformed(line).problem(), line);
        }
        for (String line : List.of("a; b c", "a; b=", "a; b= ;c", "a; \"b\"=c", "a; b=c d", "a; b=\"c\"d", "a; b==c",
                "a; b=c/d", "a; b=\"c\" \"d\"")) {
            assertEquals(FieldList.Problem.INVALID_PARAMETER, malformed(line).problem(), line);
        }
    }

    @Test
    void detailsSayWhatWasExpectedAndWhereItBroke() {
        assertEquals("expected a parameter (\"; name\" or \"; name=value\", the value a token or a quoted string)"
                + " but found ';' at index 2 in \"a;;b\"", malformed("a;;b").detail());
        assertEquals("expected a token with optional parameters (name; p; q=v) but found 0x2003 at index 1 in"
                + " \"a\\x2003\"", malformed("a\u2003").detail());
        assertEquals("expected a parameter (\"; name\" or \"; name=value\", the value a token or a quoted string)"
                + " but found the end in \"a;\"", malformed("a;").detail());
    }

    @Test
    void anUnterminatedQuoteIsUnterminatedWhereverItIs() {
        for (String line : List.of("a; b=\"c", "a; b=\"c\\\"", "a; b=\"c, d; e", "a, b; c=\"")) {
            assertEquals(FieldList.Problem.UNTERMINATED_QUOTED_STRING, malformed(line).problem(), line);
        }
        assertThrows(IllegalArgumentException.class, () -> ParameterizedElement.parse("a; b=\"c"));
    }

    @Test
    void tooManyElementsCountsElementsNotParameters() {
        String nine = "a;p=1;q;r=\"x,y\", b, c, d, e, f, g, h, i";

        assertEquals(9, assertInstanceOf(FieldList.Valid.class, FieldList.parse(nine, Element.PARAMETERIZED, 9))
                .elements().size());
        assertEquals(FieldList.Problem.TOO_MANY_ELEMENTS,
                assertInstanceOf(FieldList.Malformed.class, FieldList.parse(nine, Element.PARAMETERIZED, 8)).problem());
    }

    @Test
    void everyTokenListIsAParameterizedListOfTheSameElements() {
        String line = "keep-alive, Upgrade, x-custom";

        assertEquals(FieldList.parse(line, Element.TOKEN, 32), FieldList.parse(line, Element.PARAMETERIZED, 32));
    }

    @Test
    void parseRefusesTextThatIsNotOneTrimmedElement() {
        for (String text : List.of("", " a", "a ", "a, b", "a;;b", "a; b=\"c\" ")) {
            assertThrows(IllegalArgumentException.class, () -> ParameterizedElement.parse(text), text);
        }
    }

    @Test
    void writesItselfAsSentQuotingValuesThatAreNotTokens() {
        ParameterizedElement e = element("ext", new Parameter("flag", null), new Parameter("n", "10"),
                new Parameter("s", "a \"b\", c\\d"), new Parameter("empty", ""));

        assertEquals("ext; flag; n=10; s=\"a \\\"b\\\", c\\\\d\"; empty=\"\"", e.toString());
        assertEquals(List.of(e), read(e.toString()));
        assertEquals("chunked", element("chunked").toString());
    }

    @Test
    void recordsRefuseWhatCannotBeSent() {
        assertThrows(IllegalArgumentException.class, () -> element("a b"));
        assertThrows(IllegalArgumentException.class, () -> new Parameter("", "v"));
        assertThrows(IllegalArgumentException.class, () -> new Parameter("p", "line\r\nbreak"));
        assertThrows(IllegalArgumentException.class, () -> new Parameter("p", "\u2003"));
        assertNull(new Parameter("p", null).value());
        assertEquals("p=\"\u00e9t\u00e9\"", new Parameter("p", "\u00e9t\u00e9").toString());
    }

    @Test
    void parametersAreCopiedOnTheWayIn() {
        List<Parameter> parameters = new ArrayList<>(List.of(new Parameter("p", "1")));
        ParameterizedElement e = new ParameterizedElement("a", parameters);
        parameters.clear();

        assertEquals(1, e.parameters().size());
        assertThrows(UnsupportedOperationException.class, () -> e.parameters().add(new Parameter("q", null)));
        assertTrue(e.parameters().get(0).name().equals("p"));
    }
}
