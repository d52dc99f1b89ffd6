package io.github.upgrade4j.upgrade;

import static io.github.upgrade4j.http.Draws.draw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.ParameterizedElement.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

/** {@link WebSocketExtension}: {@code Sec-WebSocket-Extensions} (RFC 6455 §9.1) through the one list tokenizer. */
class WebSocketExtensionTest {
    private static final String TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private static List<WebSocketExtension> extensions(String... lines) {
        FieldList list = WebSocketExtension.parseAll(List.of(lines));
        return WebSocketExtension.readAll(assertInstanceOf(FieldList.Valid.class, list, list::toString));
    }

    private static FieldList.Malformed malformed(String... lines) {
        FieldList list = WebSocketExtension.parseAll(List.of(lines));
        FieldList.Malformed malformed = assertInstanceOf(FieldList.Malformed.class, list, () -> List.of(lines) + " gave "
                + list);
        assertTrue(malformed.detail().chars().allMatch(c -> c >= 0x20 && c < 0x7F), () -> "unsafe: " + malformed);
        return malformed;
    }

    @Test
    void readsOffersOverSeveralLinesWithOwsAroundSemicolonsAndEqualsSigns() {
        List<WebSocketExtension> read = extensions(
                "permessage-deflate ;\tclient_max_window_bits ; server_max_window_bits = 10",
                "x-webkit-deflate-frame, permessage-deflate; server_no_context_takeover");

        assertEquals(List.of(
                new WebSocketExtension("permessage-deflate", List.of(new Parameter("client_max_window_bits", null),
                        new Parameter("server_max_window_bits", "10"))),
                new WebSocketExtension("x-webkit-deflate-frame", List.of()),
                new WebSocketExtension("permessage-deflate", List.of(new Parameter("server_no_context_takeover", null)))),
                read);
        assertTrue(read.get(0).has("CLIENT_MAX_WINDOW_BITS"));
        assertEquals(Optional.empty(), read.get(0).parameter("client_max_window_bits"));
        assertEquals(Optional.of("10"), read.get(0).parameter("Server_Max_Window_Bits"));
        assertFalse(read.get(1).has("client_max_window_bits"));
    }

    @Test
    void aQuotedValueIsUnquotedAndMustThenBeAToken() {
        assertEquals(List.of(new WebSocketExtension("e", List.of(new Parameter("bits", "10"), new Parameter("x", "y")))),
                extensions("e; bits=\"10\"; x=\"\\y\""));
        for (String value : List.of("\"a b\"", "\"1,2\"", "\"a;b\"", "\"\"", "\"a\\\"b\"", "\"\u00e9\"")) {
            FieldList.Malformed malformed = malformed("e; p=" + value);
            assertEquals(FieldList.Problem.INVALID_PARAMETER, malformed.problem(), value);
            assertTrue(malformed.detail().contains("as RFC 6455 section 9.1 requires"), malformed.detail());
        }
    }

    @Test
    void saysMalformedTheWayEveryListDoes() {
        assertEquals(FieldList.Problem.INVALID_PARAMETER, malformed("permessage-deflate;;client_max_window_bits").problem());
        assertEquals(FieldList.Problem.INVALID_PARAMETER, malformed("permessage-deflate;").problem());
        assertEquals(FieldList.Problem.INVALID_ELEMENT, malformed("permessage-deflate\u00a0; a").problem());
        assertEquals(FieldList.Problem.INVALID_ELEMENT, malformed("permessage-deflate\u2003").problem());
        assertEquals(FieldList.Problem.INVALID_PARAMETER, malformed("permessage-deflate; a=\u2003b").problem());
        assertEquals(FieldList.Problem.UNTERMINATED_QUOTED_STRING, malformed("e; p=\"10, f").problem());
        assertEquals(FieldList.Problem.TOO_MANY_ELEMENTS, malformed("e,".repeat(FieldList.DEFAULT_MAX_ELEMENTS) + "e")
                .problem());
        assertEquals(FieldList.DEFAULT_MAX_ELEMENTS, extensions("e,".repeat(FieldList.DEFAULT_MAX_ELEMENTS)).size());
    }

    @Test
    void noLinesOrOnlyEmptyElementsAreNoExtensions() {
        assertEquals(List.of(), extensions());
        assertEquals(List.of(), extensions("", " , ,"));
    }

    @Test
    void theRecordKeepsRfc6455sTokenRule() {
        assertThrows(IllegalArgumentException.class, () -> new WebSocketExtension("a b", List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new WebSocketExtension("e", List.of(new Parameter("p", "a b"))));
        assertThrows(IllegalArgumentException.class, () -> WebSocketExtension.parse("e; p=\"a b\""));
        assertEquals("e; p; q=1", new WebSocketExtension("e", List.of(new Parameter("p", null), new Parameter("q", "1")))
                .toString());
    }

    @Test
    void parametersAreCopiedOnTheWayIn() {
        List<Parameter> parameters = new ArrayList<>(List.of(new Parameter("p", "1")));
        WebSocketExtension extension = new WebSocketExtension("e", parameters);
        parameters.add(new Parameter("q", null));

        assertEquals(1, extension.parameters().size());
        assertThrows(UnsupportedOperationException.class, () -> extension.parameters().add(new Parameter("r", null)));
    }

    /**
     * Writing extensions with {@code toString()}, joined by commas over one or more lines with OWS
     * and empty elements between them, then parsing them back, gives the same extensions; so does
     * writing every value as a quoted string.
     */
    @Test
    void writtenExtensionsParseBackToTheSameValues() {
        record Offer(List<WebSocketExtension> extensions, List<String> lines, List<String> quotedLines) {}
        Gen<Offer> offers = in -> {
            List<WebSocketExtension> extensions = new ArrayList<>();
            for (int n = draw(in, 0, 6); n > 0; n--) {
                List<Parameter> parameters = new ArrayList<>();
                for (int p = draw(in, 0, 4); p > 0; p--) {
                    parameters.add(new Parameter(token(in), draw(in, 0, 2) == 0 ? null : token(in)));
                }
                extensions.add(new WebSocketExtension(token(in), parameters));
            }
            List<String> lines = new ArrayList<>();
            List<String> quotedLines = new ArrayList<>();
            StringBuilder line = new StringBuilder();
            StringBuilder quoted = new StringBuilder();
            for (WebSocketExtension extension : extensions) {
                String separator = ows(in) + "," + (draw(in, 0, 3) == 0 ? ows(in) + "," : "") + ows(in);
                line.append(separator).append(extension);
                quoted.append(separator).append(quotedValues(extension));
                if (draw(in, 0, 3) == 0) {
                    lines.add(line.toString());
                    quotedLines.add(quoted.toString());
                    line.setLength(0);
                    quoted.setLength(0);
                }
            }
            lines.add(line.toString());
            quotedLines.add(quoted.toString());
            return new Offer(List.copyOf(extensions), lines, quotedLines);
        };
        qt().forAll(offers).checkAssert(offer -> {
            FieldList.Valid valid = assertInstanceOf(FieldList.Valid.class, WebSocketExtension.parseAll(offer.lines()),
                    offer::toString);
            assertEquals(offer.extensions(), WebSocketExtension.readAll(valid));
            List<String> written = new ArrayList<>();
            for (WebSocketExtension extension : offer.extensions()) {
                written.add(extension.toString());
            }
            assertEquals(written, valid.elements(), "elements keep their spelling");
            assertEquals(offer.extensions(), WebSocketExtension.readAll(assertInstanceOf(FieldList.Valid.class,
                    WebSocketExtension.parseAll(offer.quotedLines()), offer::toString)));
        });
    }

    /** {@code extension} with every value written as a quoted string, some characters escaped for no reason. */
    private static String quotedValues(WebSocketExtension extension) {
        StringBuilder out = new StringBuilder(extension.name());
        for (Parameter p : extension.parameters()) {
            out.append(" ; ").append(p.name());
            if (p.value() != null) {
                out.append(" = \"");
                for (int i = 0; i < p.value().length(); i++) {
                    out.append(i % 2 == 0 ? "\\" : "").append(p.value().charAt(i)); // a quoted-pair for any char
                }
                out.append('"');
            }
        }
        return out.toString();
    }

    private static String token(RandomnessSource in) {
        StringBuilder out = new StringBuilder();
        for (int n = draw(in, 1, 8); n > 0; n--) {
            out.append(TCHARS.charAt(draw(in, 0, TCHARS.length() - 1)));
        }
        return out.toString();
    }

    private static String ows(RandomnessSource in) {
        return switch (draw(in, 0, 3)) {
            case 0 -> "";
            case 1 -> " ";
            case 2 -> "\t";
            default -> " \t ";
        };
    }
}
