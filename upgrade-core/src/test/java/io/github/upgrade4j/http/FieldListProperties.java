package io.github.upgrade4j.http;

import static io.github.upgrade4j.http.Draws.draw;
import static io.github.upgrade4j.http.Draws.recase;
import static io.github.upgrade4j.http.Draws.stripOws;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import io.github.upgrade4j.http.FieldList.Element;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

/**
 * Properties of {@link FieldList}, the RFC 9110 §5.6.1 list tokenizer, and of {@link Headers#hasToken},
 * which must never disagree with it.
 *
 * <p>Lists are generated together with the elements they should yield: tokens, parameters and quoted
 * strings (with commas, OWS and quoted pairs inside), separated by commas with random OWS and empty
 * elements between them and spread over several field lines.
 */
class FieldListProperties {
    private static final String TCHARS =
            "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    /** qdtext (RFC 9110 §5.6.4) chosen to hurt: list and parameter separators, OWS, obs-text. */
    private static final String QDTEXT = "a ,\t;=/()\u00E9\u00FF!";
    private static final int NO_LIMIT = 10_000;

    /** Field lines and the elements they should yield. */
    record Lines(List<String> lines, List<String> elements) {
        @Override
        public String toString() {
            StringBuilder out = new StringBuilder("lines:");
            for (String line : lines) {
                out.append("\n  [").append(line.replace("\t", "\\t")).append(']');
            }
            return out.append("\nelements: ").append(elements).toString();
        }
    }

    @Test
    void anyListYieldsItsNonEmptyElementsInOrderTrimmed() {
        Gen<Lines> lists = in -> {
            List<String> lines = new ArrayList<>();
            List<String> elements = new ArrayList<>();
            for (int l = draw(in, 0, 4); l > 0; l--) {
                StringBuilder line = new StringBuilder();
                for (int i = draw(in, 0, 6); i >= 0; i--) {
                    line.append(ows(in));
                    if (draw(in, 0, 3) > 0) {
                        String element = anyElement(in);
                        elements.add(element);
                        line.append(element);
                    }
                    line.append(ows(in));
                    if (i > 0) {
                        line.append(',');
                    }
                }
                lines.add(line.toString());
            }
            return new Lines(lines, elements);
        };
        qt().forAll(lists).checkAssert(given -> {
            FieldList parsed = FieldList.parse(given.lines(), Element.ANY, NO_LIMIT);
            assertEquals(new FieldList.Valid(given.elements()), parsed);
            assertWellFormedElements(parsed, Element.ANY);
        });
    }

    @Test
    void noRuleEverYieldsAnEmptyOrUntrimmedElementWhateverTheLine() {
        String soup = "ab,,  \t\t\"\"\\=;/";
        Gen<List<String>> soups = in -> {
            List<String> lines = new ArrayList<>();
            for (int l = draw(in, 0, 3); l > 0; l--) {
                StringBuilder line = new StringBuilder();
                for (int n = draw(in, 0, 24); n > 0; n--) {
                    line.append(pick(in, soup));
                }
                lines.add(line.toString());
            }
            return lines;
        };
        qt().forAll(soups.describedAs(l -> l.toString().replace("\t", "\\t"))).checkAssert(lines -> {
            for (Element rule : Element.values()) {
                FieldList parsed = FieldList.parse(lines, rule, NO_LIMIT);
                assertWellFormedElements(parsed, rule);
                if (parsed instanceof FieldList.Malformed malformed) {
                    assertNotEquals(FieldList.Problem.TOO_MANY_ELEMENTS, malformed.problem());
                    assertTrue(malformed.detail().chars().allMatch(c -> c >= 0x20 && c < 0x7F),
                            () -> "detail must be safe to log: " + malformed.detail());
                }
            }
        });
    }

    @Test
    void aJoinedTokenListWithSprinkledOwsAndEmptyElementsYieldsTheTokens() {
        Gen<Lines> lists = in -> {
            List<String> tokens = tokens(in, 0, 10);
            return new Lines(List.of(sprinkled(in, tokens)), tokens);
        };
        qt().forAll(lists).checkAssert(given -> {
            FieldList expected = new FieldList.Valid(given.elements());
            assertEquals(expected, FieldList.parse(String.join(", ", given.elements()), Element.TOKEN, NO_LIMIT));
            assertEquals(expected, FieldList.parse(given.lines(), Element.TOKEN, NO_LIMIT));
            assertEquals(expected, FieldList.parse(given.lines(), Element.PROTOCOL, NO_LIMIT));
            assertEquals(expected, FieldList.parse(given.lines(), Element.ANY, NO_LIMIT));
        });
    }

    @Test
    void splittingTheTokensOverSeveralLinesYieldsTheSameElements() {
        qt().forAll(splitTokenLists(0, 12)).checkAssert(given -> {
            FieldList expected = new FieldList.Valid(given.elements());
            assertEquals(expected, FieldList.parse(given.lines(), Element.TOKEN, NO_LIMIT));
            assertEquals(FieldList.parse(String.join(",", given.lines()), Element.TOKEN, NO_LIMIT),
                    FieldList.parse(given.lines(), Element.TOKEN, NO_LIMIT));
        });
    }

    @Test
    void hasTokenAgreesWithTokenListMembershipIgnoringCase() {
        record Query(Lines list, List<String> others, String nameSpelling, String token) {}
        Gen<Query> queries = in -> {
            Lines list = splitTokenLists(0, 10).generate(in);
            List<String> others = tokens(in, 0, 4);
            String token;
            switch (draw(in, 0, 3)) {
                case 0:
                case 1:
                    List<String> candidates = draw(in, 0, 2) > 0 || others.isEmpty() ? list.elements() : others;
                    token = candidates.isEmpty() ? token(in) : recase(in, candidates.get(draw(in, 0,
                            candidates.size() - 1)));
                    break;
                default:
                    token = token(in);
            }
            return new Query(list, others, recase(in, "Connection"), token);
        };
        qt().forAll(queries).checkAssert(q -> {
            Headers.Builder builder = Headers.builder();
            int other = 0;
            for (String line : q.list().lines()) {
                if (other < q.others().size()) {
                    // A different field carrying other tokens must not count.
                    builder.add(HeaderName.of("X-Connection"), q.others().get(other++));
                }
                builder.add(HeaderName.of(q.nameSpelling()), stripOws(line));
            }
            Headers headers = builder.build();
            FieldList list = FieldList.parse(headers.values(HeaderName.CONNECTION), Element.TOKEN, NO_LIMIT);
            FieldList.Valid valid = assertInstanceOf(FieldList.Valid.class, list);
            boolean member = valid.elements().stream().anyMatch(e -> e.equalsIgnoreCase(q.token()));
            assertEquals(member, headers.hasToken(HeaderName.CONNECTION, q.token()),
                    () -> "hasToken(" + q.token() + ") on " + headers.values(HeaderName.CONNECTION));
            assertEquals(member, headers.hasToken(HeaderName.of("connection"), q.token()));
            if (valid.elements().size() <= FieldList.DEFAULT_MAX_ELEMENTS) {
                assertEquals(valid, FieldList.parse(headers.values(HeaderName.CONNECTION), FieldList.Element.TOKEN, FieldList.DEFAULT_MAX_ELEMENTS));
            }
        });
    }

    /**
     * FieldList never yields an empty element, so no list has the element {@code ""}; {@code hasToken}
     * must agree even for that query.
     */
    @Test
    void hasTokenNeverFindsTheEmptyElement() {
        qt().forAll(splitTokenLists(0, 6)).checkAssert(given -> {
            Headers.Builder builder = Headers.builder();
            for (String line : given.lines()) {
                builder.add(HeaderName.UPGRADE, stripOws(line));
            }
            Headers headers = builder.build();
            assertFalse(headers.hasToken(HeaderName.UPGRADE, ""),
                    () -> "hasToken(Upgrade, \"\") on " + headers.values(HeaderName.UPGRADE) + " but tokens() is "
                            + FieldList.parse(headers.values(HeaderName.UPGRADE), FieldList.Element.TOKEN, FieldList.DEFAULT_MAX_ELEMENTS));
        });
    }

    @Test
    void moreThanMaxElementsElementsIsMalformedWithTooManyElements() {
        record Limited(Lines list, int max) {}
        Gen<Limited> cases = in -> new Limited(splitTokenLists(0, 40).generate(in), draw(in, 0, 40));
        qt().forAll(cases).checkAssert(c -> {
            int n = c.list().elements().size();
            for (Element rule : Element.values()) {
                FieldList parsed = FieldList.parse(c.list().lines(), rule, c.max());
                if (n > c.max()) {
                    FieldList.Malformed malformed = assertInstanceOf(FieldList.Malformed.class, parsed,
                            () -> n + " elements with a limit of " + c.max());
                    assertEquals(FieldList.Problem.TOO_MANY_ELEMENTS, malformed.problem());
                    assertTrue(malformed.detail().contains(String.valueOf(c.max())), malformed.detail());
                } else {
                    assertEquals(new FieldList.Valid(c.list().elements()), parsed);
                }
            }
        });
    }

    private static void assertWellFormedElements(FieldList parsed, Element rule) {
        if (!(parsed instanceof FieldList.Valid valid)) {
            return;
        }
        for (String e : valid.elements()) {
            if (e.isEmpty()) {
                fail("empty element in " + valid.elements());
            }
            assertFalse(isOws(e.charAt(0)) || isOws(e.charAt(e.length() - 1)),
                    () -> "untrimmed element [" + e + "] in " + valid.elements());
            if (rule == Element.TOKEN) {
                assertTrue(isToken(e), () -> "not a token: [" + e + "]");
            } else if (rule == Element.PROTOCOL) {
                int slash = e.indexOf('/');
                assertTrue(slash < 0 ? isToken(e) : isToken(e.substring(0, slash)) && isToken(e.substring(slash + 1)),
                        () -> "not a protocol: [" + e + "]");
            } else if (rule == Element.PARAMETERIZED) {
                ParameterizedElement.parse(e); // checking the list and reading an element never disagree
            }
        }
    }

    /** Tokens spread over 1 to 5 lines, with OWS and empty elements sprinkled and some lines empty. */
    private static Gen<Lines> splitTokenLists(int min, int max) {
        return in -> {
            List<String> tokens = tokens(in, min, max);
            List<String> lines = new ArrayList<>();
            int from = 0;
            for (int l = draw(in, 1, 5); l > 0; l--) {
                int to = l == 1 ? tokens.size() : draw(in, from, tokens.size());
                lines.add(sprinkled(in, tokens.subList(from, to)));
                from = to;
            }
            return new Lines(lines, tokens);
        };
    }

    /** {@code tokens} joined by commas, with OWS and empty elements before, between and after them. */
    private static String sprinkled(RandomnessSource in, List<String> tokens) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            line.append(emptyElements(in));
            line.append(ows(in)).append(tokens.get(i)).append(ows(in));
            if (i < tokens.size() - 1) {
                line.append(',');
            }
        }
        if (draw(in, 0, 2) == 0) {
            line.append(',').append(emptyElements(in)).append(ows(in));
        }
        return line.toString();
    }

    /** Zero or more empty elements, each {@code OWS ","}. */
    private static String emptyElements(RandomnessSource in) {
        StringBuilder out = new StringBuilder();
        for (int n = draw(in, 0, 2); n > 0; n--) {
            out.append(ows(in)).append(',');
        }
        return out.toString();
    }

    /** An element with no whitespace at either end: a token, a parameter, a quoted string, or several. */
    private static String anyElement(RandomnessSource in) {
        switch (draw(in, 0, 4)) {
            case 0:
                return token(in);
            case 1:
                return token(in) + "=" + quoted(in);
            case 2:
                return quoted(in);
            case 3:
                return token(in) + ows(in) + ";" + ows(in) + token(in) + "=" + token(in);
            default:
                return token(in) + " " + ows(in) + quoted(in) + ows(in) + token(in);
        }
    }

    private static String quoted(RandomnessSource in) {
        StringBuilder out = new StringBuilder("\"");
        for (int n = draw(in, 0, 6); n > 0; n--) {
            if (draw(in, 0, 3) == 0) {
                out.append('\\').append(pick(in, "\"\\, x\t")); // quoted-pair
            } else {
                out.append(pick(in, QDTEXT));
            }
        }
        return out.append('"').toString();
    }

    private static List<String> tokens(RandomnessSource in, int min, int max) {
        List<String> tokens = new ArrayList<>();
        for (int n = draw(in, min, max); n > 0; n--) {
            tokens.add(token(in));
        }
        return tokens;
    }

    private static String token(RandomnessSource in) {
        StringBuilder out = new StringBuilder();
        for (int n = draw(in, 1, 8); n > 0; n--) {
            out.append(pick(in, TCHARS));
        }
        return out.toString();
    }

    private static String ows(RandomnessSource in) {
        StringBuilder out = new StringBuilder();
        for (int n = draw(in, 0, 2); n > 0; n--) {
            out.append(pick(in, " \t"));
        }
        return out.toString();
    }

    private static boolean isToken(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> TCHARS.indexOf(c) >= 0);
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    private static char pick(RandomnessSource in, String from) {
        return from.charAt(draw(in, 0, from.length() - 1));
    }
}
