package io.github.upgrade4j.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HeadersTest {
    @Test
    void keepsWireOrderAndDuplicates() {
        Headers headers = Headers.of("Via", "1.1 a", "Host", "x", "via", "1.1 b");

        assertEquals(3, headers.size());
        assertEquals(List.of("1.1 a", "1.1 b"), headers.values(HeaderName.VIA));
        assertEquals(2, headers.values(HeaderName.VIA).size());
        assertEquals("via", headers.name(2).toString());
        assertEquals(Optional.of("1.1 a"), headers.first(HeaderName.VIA));
        assertEquals(Optional.empty(), headers.first(HeaderName.UPGRADE));
    }

    @Test
    void ofMakesADefensiveCopyOfItsArray() {
        String[] namesAndValues = {"Host", "x"};
        Headers headers = Headers.of(namesAndValues);
        namesAndValues[1] = "changed";

        assertEquals("x", headers.value(0));
    }

    @Test
    void ofMakesADefensiveCopyOfItsList() {
        List<HeaderField> fields = new ArrayList<>(List.of(HeaderField.of("Host", "x")));
        Headers headers = Headers.of(fields);
        fields.add(HeaderField.of("Upgrade", "websocket"));

        assertEquals(1, headers.size());
    }

    @Test
    void sharesNothingMutableOnTheWayOut() {
        Headers headers = Headers.of("Host", "x");

        assertThrows(UnsupportedOperationException.class, () -> headers.fields().add(HeaderField.of("A", "b")));
        assertThrows(UnsupportedOperationException.class, () -> headers.values(HeaderName.HOST).add("y"));
        Headers.Builder builder = headers.toBuilder().add(HeaderName.of("A"), "b");
        assertEquals(1, headers.size());
        assertEquals(2, builder.build().size());
    }

    @Test
    void builderSetReplacesTheFirstLineInPlaceAndRemovesTheOthers() {
        Headers headers = Headers.of("A", "1", "X-Forwarded-For", "evil", "B", "2", "x-forwarded-for", "evil2")
                .toBuilder().set(HeaderName.X_FORWARDED_FOR, "10.0.0.1").build();

        assertEquals(Headers.of("A", "1", "X-Forwarded-For", "10.0.0.1", "B", "2"), headers);
    }

    @Test
    void builderSetAppendsWhenTheNameIsAbsent() {
        assertEquals(Headers.of("A", "1", "B", "2"), Headers.of("A", "1").toBuilder().set(HeaderName.of("B"), "2").build());
    }

    @Test
    void builderRemoveAllRemovesEverySpelling() {
        Headers headers = Headers.of("Keep-Alive", "5", "A", "1", "KEEP-ALIVE", "6").toBuilder()
                .removeAll(HeaderName.KEEP_ALIVE).build();

        assertEquals(Headers.of("A", "1"), headers);
    }

    @Test
    void builderStaysUsableAfterBuild() {
        Headers.Builder builder = Headers.builder().add(HeaderName.of("A"), "1");
        Headers first = builder.build();
        builder.add(HeaderName.of("B"), "2");

        assertEquals(1, first.size());
        assertEquals(2, builder.build().size());
    }

    /**
     * build() hands its arrays to the headers and the builder copies them before its next change: each
     * kind of change, made right after a build (while the arrays are shared), must leave every earlier
     * build as it was.
     */
    @Test
    void builtHeadersDoNotChangeWhenTheSameBuilderIsUsedAgain() {
        Headers.Builder builder = Headers.builder().add(HeaderName.of("A"), "1").add(HeaderName.of("B"), "2")
                .add(HeaderName.of("A"), "3");
        Headers built = builder.build();

        builder.set(HeaderName.of("A"), "set");
        Headers afterSet = builder.build();
        builder.removeAll(HeaderName.of("B"));
        Headers afterRemoveAll = builder.build();
        builder.add(HeaderName.of("C"), "4");
        Headers afterAdd = builder.build();
        builder.set(HeaderName.of("D"), "appended");
        Headers afterSetAppending = builder.build();
        builder.addFrom(built, 1).addFrom(Headers.of("E", "5"), 0);

        assertEquals(List.of("A: 1", "B: 2", "A: 3"), lines(built));
        assertEquals(List.of("A: set", "B: 2"), lines(afterSet));
        assertEquals(List.of("A: set"), lines(afterRemoveAll));
        assertEquals(List.of("A: set", "C: 4"), lines(afterAdd));
        assertEquals(List.of("A: set", "C: 4", "D: appended"), lines(afterSetAppending));
        assertEquals(List.of("A: set", "C: 4", "D: appended", "B: 2", "E: 5"), lines(builder.build()));
    }

    @Test
    void builtHeadersDoNotChangeWhenTheBuilderGrowsOrShrinksThemAfterABuild() {
        Headers.Builder full = new Headers.Builder(4); // exactly full, so the next add takes the growing path
        for (String name : List.of("A", "B", "C", "D")) {
            full.add(HeaderName.of(name), name.toLowerCase(java.util.Locale.ROOT));
        }
        Headers four = full.build();
        full.add(HeaderName.of("E"), "e").set(HeaderName.of("A"), "changed");
        Headers.Builder emptied = Headers.of("A", "1", "A", "2").toBuilder();
        Headers two = emptied.build();
        emptied.removeAll(HeaderName.of("A"));

        assertEquals(List.of("A: a", "B: b", "C: c", "D: d"), lines(four));
        assertEquals(List.of("A: changed", "B: b", "C: c", "D: d", "E: e"), lines(full.build()));
        assertEquals(List.of("A: 1", "A: 2"), lines(two));
        assertEquals(0, emptied.build().size());
    }

    private static List<String> lines(Headers headers) {
        List<String> out = new ArrayList<>();
        for (HeaderField field : headers) {
            out.add(field.name() + ": " + field.value());
        }
        return out;
    }

    @Test
    void builderGrowsPastItsInitialCapacity() {
        Headers.Builder builder = Headers.builder();
        for (int i = 0; i < 100; i++) {
            builder.add(HeaderName.of("X-" + i), Integer.toString(i));
        }
        Headers headers = builder.build();

        assertEquals(100, headers.size());
        assertEquals("99", headers.value(99));
    }

    @Test
    void hasTokenLooksAtEveryLineAndIgnoresCase() {
        Headers headers = Headers.of("Connection", "", "Connection", "keep-alive, Upgrade");

        assertTrue(headers.hasToken(HeaderName.CONNECTION, "upgrade"));
        assertTrue(headers.hasToken(HeaderName.CONNECTION, "KEEP-ALIVE"));
        assertFalse(headers.hasToken(HeaderName.CONNECTION, "close"));
        assertFalse(headers.hasToken(HeaderName.CONNECTION, "upgr"));
        assertFalse(headers.hasToken(HeaderName.UPGRADE, "upgrade"));
    }

    @Test
    void hasTokenDoesNotMatchInsideQuotedStrings() {
        Headers headers = Headers.of("Connection", "\"upgrade, close\"");

        assertFalse(headers.hasToken(HeaderName.CONNECTION, "upgrade"));
        assertFalse(headers.hasToken(HeaderName.CONNECTION, "close"));
    }

    @Test
    void tokensReadsEveryLineAndReportsMalformedLists() {
        Headers good = Headers.of("Connection", "", "Connection", "keep-alive, Upgrade");
        Headers bad = Headers.of("Connection", "upgrade, x-a b");

        assertEquals(new FieldList.Valid(List.of("keep-alive", "Upgrade")), FieldList.parse(good.values(HeaderName.CONNECTION), FieldList.Element.TOKEN, FieldList.DEFAULT_MAX_ELEMENTS));
        assertTrue(FieldList.parse(bad.values(HeaderName.CONNECTION), FieldList.Element.TOKEN, FieldList.DEFAULT_MAX_ELEMENTS) instanceof FieldList.Malformed m
                && m.problem() == FieldList.Problem.INVALID_ELEMENT);
    }

    @Test
    void equalityIgnoresNameCaseButNotValueCaseOrOrder() {
        assertEquals(Headers.of("Host", "x"), Headers.of("HOST", "x"));
        assertEquals(Headers.of("Host", "x").hashCode(), Headers.of("HOST", "x").hashCode());
        assertNotEquals(Headers.of("Host", "x"), Headers.of("Host", "X"));
        assertNotEquals(Headers.of("A", "1", "B", "2"), Headers.of("B", "2", "A", "1"));
    }

    @Test
    void toStringHidesCredentials() {
        String text = Headers.of("Authorization", "Bearer secret", "Cookie", "s=secret", "Host", "x").toString();

        assertFalse(text.contains("secret"), text);
        assertTrue(text.contains("Host: x"), text);
    }

    @Test
    void rejectsOddNamesAndValues() {
        assertThrows(IllegalArgumentException.class, () -> Headers.of("Host"));
        assertThrows(IllegalArgumentException.class, () -> Headers.of("Bad Name", "x"));
        assertThrows(IllegalArgumentException.class, () -> Headers.of("A", "b\r\nInjected: yes"));
        assertThrows(IllegalArgumentException.class, () -> Headers.builder().add(HeaderName.HOST, "x\u0000"));
        assertThrows(NullPointerException.class, () -> Headers.of("A", null));
    }

    @Test
    void headerFieldRejectsControlCharactersAndSurroundingWhitespace() {
        for (String value : List.of("a\rb", "a\nb", "a\u0000b", "a\u007fb", "\u001b[1m", " a", "a\t", "\u0100")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HeaderField.of("X", value), value);
            assertTrue(e.getMessage().startsWith("expected"), e.getMessage());
        }
        assertEquals("a \t b", HeaderField.of("X", "a \t b").value());
        assertEquals("caf\u00e9", HeaderField.of("X", "caf\u00e9").value());
        assertEquals("", HeaderField.of("X", "").value());
    }

    @Test
    void headerNameComparesIgnoringAsciiCaseOnly() {
        assertEquals(HeaderName.of("sec-websocket-key"), HeaderName.SEC_WEBSOCKET_KEY);
        assertEquals("sec-websocket-key", HeaderName.of("sec-websocket-key").toString());
        assertEquals("sec-websocket-key", HeaderName.SEC_WEBSOCKET_KEY.lowerCase());
        assertTrue(HeaderName.of("Upgrade") == HeaderName.UPGRADE);
        assertTrue(HeaderName.CONNECTION.is("CONNECTION"));
        assertFalse(HeaderName.CONNECTION.is("Connectio"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeaderName.of("Host:"));
        assertEquals("expected a field name (a token, RFC 9110 §5.1) but found ':' at index 4 in \"Host:\"",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HeaderName.of(""));
        assertThrows(IllegalArgumentException.class, () -> HeaderName.of("K\u212a"));
    }
}
