package io.github.upgrade4j.http;

import static io.github.upgrade4j.http.Draws.draw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

/**
 * Properties of {@link HeaderName}: equality ignores ASCII case and nothing else, {@code of} accepts
 * exactly the tokens of RFC 9110 §5.6.2, and a name keeps the spelling it was given.
 *
 * <p>The tchar set is written out again here from the RFC, independently of {@code Ascii}, so that a
 * wrong table in the main code cannot make its own oracle.
 */
class HeaderNameProperties {
    /** RFC 9110 §5.6.2 tchar, in full. */
    private static final String TCHARS =
            "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String NON_LETTER_TCHARS = "!#$%&'*+-.^_`|~0123456789";

    /** Spellings of the constants, so that the known-name paths of {@code of} are exercised too. */
    private static final List<String> KNOWN = List.of("Connection", "Upgrade", "Keep-Alive", "Proxy-Connection",
            "TE", "Trailer", "Transfer-Encoding", "Host", "Content-Length", "Content-Type", "Authorization",
            "Cookie", "Set-Cookie", "Sec-WebSocket-Key", "Sec-WebSocket-Accept", "Sec-WebSocket-Version",
            "X-Real-IP", "HTTP2-Settings", "Via");

    /** Characters that are not tchars and are easy to get wrong: separators, controls, Latin-1, look-alikes. */
    private static final String TRICKY_NON_TCHARS = " \t\r\n\0\"(),/:;<=>?@[\\]{}\u007F\u0080\u00A0\u00C0\u00E9\u00FF"
            + "\u0130\u0131\u017F\u212A\uFF21\uD800";

    @Test
    void namesThatDifferOnlyInTheCaseOfAsciiLettersAreEqualAndHashAlike() {
        Gen<String[]> pairs = in -> {
            String original = spelling(in);
            StringBuilder flipped = new StringBuilder(original.length());
            for (char c : original.toCharArray()) {
                flipped.append(isAsciiLetter(c) && draw(in, 0, 1) == 1 ? flipCase(c) : c);
            }
            return new String[] {original, flipped.toString()};
        };
        qt().forAll(pairs.describedAs(p -> p[0] + " / " + p[1])).checkAssert(pair -> {
            HeaderName a = HeaderName.of(pair[0]);
            HeaderName b = HeaderName.of(pair[1]);
            assertEquals(a, b);
            assertEquals(b, a);
            assertEquals(a.hashCode(), b.hashCode());
            assertTrue(a.is(pair[1]), "is() must agree with equals()");
            assertTrue(b.is(pair[0]), "is() must agree with equals()");
            assertEquals(pair[0], a.toString());
            assertEquals(pair[1], b.toString());
            assertEquals(a.lowerCase(), b.lowerCase());
        });
    }

    @Test
    void replacingANonLetterWithAnyOtherTcharMakesNamesUnequal() {
        Gen<String[]> pairs = in -> {
            // Guarantee a non-letter by inserting one at a random place.
            StringBuilder s = new StringBuilder(spelling(in));
            s.insert(draw(in, 0, s.length()), pick(in, NON_LETTER_TCHARS));
            int index = somePosition(in, s, false);
            char old = s.charAt(index);
            String others = TCHARS.replace(String.valueOf(old), "");
            String original = s.toString();
            s.setCharAt(index, pick(in, others));
            return new String[] {original, s.toString()};
        };
        qt().forAll(pairs.describedAs(p -> p[0] + " / " + p[1])).checkAssert(pair -> assertUnequal(pair[0], pair[1]));
    }

    @Test
    void replacingALetterWithADifferentLetterMakesNamesUnequal() {
        Gen<String[]> pairs = in -> {
            StringBuilder s = new StringBuilder(spelling(in));
            s.insert(draw(in, 0, s.length()), pick(in, "aZ"));
            int index = somePosition(in, s, true);
            char old = s.charAt(index);
            char replacement = (char) ('a' + (Character.toLowerCase(old) - 'a' + draw(in, 1, 25)) % 26);
            String original = s.toString();
            s.setCharAt(index, draw(in, 0, 1) == 0 ? replacement : Character.toUpperCase(replacement));
            return new String[] {original, s.toString()};
        };
        qt().forAll(pairs.describedAs(p -> p[0] + " / " + p[1])).checkAssert(pair -> assertUnequal(pair[0], pair[1]));
    }

    @Test
    void ofRejectsEveryStringThatContainsANonTchar() {
        Gen<String> strings = in -> {
            String prefix = anyChars(in);
            String suffix = anyChars(in);
            return prefix + nonTchar(in) + suffix;
        };
        qt().forAll(strings.describedAs(HeaderNameProperties::escape)).checkAssert(s -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeaderName.of(s));
            assertTrue(e.getMessage().startsWith("expected a field name"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> HeaderField.of(s, "v"));
        });
        assertThrows(IllegalArgumentException.class, () -> HeaderName.of(""));
    }

    @Test
    void ofAcceptsExactlyTheNonEmptyStringsOfTchars() {
        Gen<String> strings = in -> draw(in, 0, 3) == 0 ? anyChars(in) : spelling(in);
        qt().forAll(strings.describedAs(HeaderNameProperties::escape)).checkAssert(s -> {
            boolean token = !s.isEmpty() && s.chars().allMatch(c -> TCHARS.indexOf(c) >= 0);
            if (token) {
                assertEquals(s, HeaderName.of(s).toString());
            } else {
                assertThrows(IllegalArgumentException.class, () -> HeaderName.of(s));
            }
        });
    }

    @Test
    void toStringKeepsTheGivenSpellingAndLowerCaseFoldsOnlyAsciiLetters() {
        Gen<String> spellings = HeaderNameProperties::spelling;
        qt().forAll(spellings).checkAssert(s -> {
            HeaderName name = HeaderName.of(s);
            assertEquals(s, name.toString());
            assertEquals(s.toLowerCase(Locale.ROOT), name.lowerCase());
            // A constant with another spelling is equal but must not lend its spelling.
            assertEquals(s, HeaderName.of(s).toString());
            assertEquals(name, HeaderName.of(s.toLowerCase(Locale.ROOT)));
            assertEquals(name, HeaderName.of(s.toUpperCase(Locale.ROOT)));
        });
    }

    private static void assertUnequal(String a, String b) {
        HeaderName x = HeaderName.of(a);
        HeaderName y = HeaderName.of(b);
        assertNotEquals(x, y);
        assertNotEquals(y, x);
        assertFalse(x.is(b), "is() must agree with equals()");
        assertFalse(y.is(a), "is() must agree with equals()");
    }

    /** A token of 1 to 16 tchars, or a constant's spelling with random letter case. */
    private static String spelling(RandomnessSource in) {
        if (draw(in, 0, 3) == 0) {
            StringBuilder s = new StringBuilder(KNOWN.get(draw(in, 0, KNOWN.size() - 1)));
            for (int i = 0; i < s.length(); i++) {
                if (isAsciiLetter(s.charAt(i)) && draw(in, 0, 2) == 0) {
                    s.setCharAt(i, flipCase(s.charAt(i)));
                }
            }
            return s.toString();
        }
        int n = draw(in, 1, 16);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(pick(in, TCHARS));
        }
        return s.toString();
    }

    /** 0 to 8 chars, mostly tchars, sometimes anything in the BMP. */
    private static String anyChars(RandomnessSource in) {
        int n = draw(in, 0, 8);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            switch (draw(in, 0, 5)) {
                case 0:
                    s.append((char) draw(in, 0, 0xFFFF));
                    break;
                case 1:
                    s.append(nonTchar(in));
                    break;
                default:
                    s.append(pick(in, TCHARS));
            }
        }
        return s.toString();
    }

    private static char nonTchar(RandomnessSource in) {
        if (draw(in, 0, 1) == 0) {
            return pick(in, TRICKY_NON_TCHARS);
        }
        char c = (char) draw(in, 0, 0xFFFF);
        // Moving an ASCII tchar up by 0x80 lands in obs-text, which is never a tchar.
        return TCHARS.indexOf(c) >= 0 ? (char) (c + 0x80) : c;
    }

    /** A random position of {@code s} holding a letter (or a non-letter); there must be one. */
    private static int somePosition(RandomnessSource in, CharSequence s, boolean letter) {
        int[] positions = IntStream.range(0, s.length())
                .filter(i -> isAsciiLetter(s.charAt(i)) == letter)
                .toArray();
        return positions[draw(in, 0, positions.length - 1)];
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static char flipCase(char c) {
        return (char) (c ^ 0x20);
    }

    private static char pick(RandomnessSource in, String from) {
        return from.charAt(draw(in, 0, from.length() - 1));
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04X", (int) c));
        }
        return out.append('"').toString();
    }
}
