package io.github.upgrade4j.examples.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Utf8ValidatorTest {
    @Test
    void acceptsEveryScalarValueFedWholeAndOneByteAtATime() {
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                continue;
            }
            byte[] bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            String name = "U+" + Integer.toHexString(cp);
            assertTrue(Utf8Validator.isUtf8(bytes, 0, bytes.length), name);

            Utf8Validator validator = new Utf8Validator();
            for (int i = 0; i < bytes.length; i++) {
                assertEquals(-1, validator.feed(bytes, i, i + 1), name);
                assertEquals(i == bytes.length - 1, validator.atCharacterBoundary(), name);
            }
        }
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource({
            // the sequence, the index of the first byte that no UTF-8 could continue with, why
            "eda080, 1, U+D800 the first surrogate",
            "edbfbf, 1, U+DFFF the last surrogate",
            "edb080, 1, U+DC00 a low surrogate",
            "eda0bdedb2a9, 1, a surrogate pair in CESU-8",
            "c080, 0, U+0000 overlong in two bytes",
            "c1bf, 0, U+007F overlong in two bytes",
            "e08080, 1, U+0000 overlong in three bytes",
            "e09fbf, 1, U+07FF overlong in three bytes",
            "f0808080, 1, U+0000 overlong in four bytes",
            "f08fbfbf, 1, U+FFFF overlong in four bytes",
            "f4908080, 1, U+110000 one past the last code point",
            "f7bfbfbf, 0, U+1FFFFF",
            "f5, 0, a lead byte of code points over U+10FFFF",
            "ff, 0, never in UTF-8",
            "fe, 0, never in UTF-8",
            "80, 0, a continuation byte without a lead byte",
            "41bf, 1, a continuation byte after ASCII",
            "c341, 1, a lead byte followed by ASCII",
            "e282e282ac, 2, a character cut short by another",
            "cebae1bdb9cf83cebcceb5f4908080656469746564, 12, Autobahn 6.4.1 to 6.4.4"})
    void refusesAtTheFirstByteThatMakesTheSequenceInvalid(String hex, int index, String why) {
        byte[] bytes = HexFormat.of().parseHex(hex);

        Utf8Validator validator = new Utf8Validator();
        assertEquals(index, validator.feed(bytes, 0, bytes.length), why);
        assertFalse(validator.atCharacterBoundary(), why);
        assertFalse(Utf8Validator.isUtf8(bytes, 0, bytes.length), why);
    }

    @Test
    void carriesAPartialCharacterAcrossPieces() {
        byte[] bytes = HexFormat.of().parseHex("61f09f9880"); // "a" and U+1F600 split 2 + 2 + 1
        Utf8Validator validator = new Utf8Validator();

        assertEquals(-1, validator.feed(bytes, 0, 2));
        assertFalse(validator.atCharacterBoundary());
        assertEquals(-1, validator.feed(bytes, 2, 4));
        assertFalse(validator.atCharacterBoundary());
        assertEquals(-1, validator.feed(bytes, 4, 5));
        assertTrue(validator.atCharacterBoundary());
    }

    @Test
    void aPieceThatEndsInsideACharacterIsNotUtf8OnItsOwn() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);

        assertFalse(Utf8Validator.isUtf8(euro, 0, 2));
        assertTrue(Utf8Validator.isUtf8(euro, 0, 3));
        assertTrue(Utf8Validator.isUtf8(euro, 0, 0));
    }

    @Test
    void staysInvalidUntilReset() {
        byte[] bad = {(byte) 0xff};
        byte[] good = {'o', 'k'};
        Utf8Validator validator = new Utf8Validator();

        assertEquals(0, validator.feed(bad, 0, 1));
        assertEquals(0, validator.feed(good, 0, 2));
        assertEquals(1, validator.feed(good, 1, 1));
        assertFalse(validator.atCharacterBoundary());

        validator.reset();
        assertEquals(-1, validator.feed(good, 0, 2));
        assertTrue(validator.atCharacterBoundary());
    }

    @Test
    void agreesWithTheJdksStrictDecoderOnEveryTwoByteSequence() {
        CharsetDecoder jdk = strictDecoder();
        byte[] bytes = new byte[2];
        for (int i = 0; i < 1 << 16; i++) {
            bytes[0] = (byte) (i >> 8);
            bytes[1] = (byte) i;
            assertEquals(isUtf8ForTheJdk(jdk, bytes), Utf8Validator.isUtf8(bytes, 0, 2), HexFormat.of().formatHex(bytes));
        }
    }

    @Test
    void agreesWithTheJdksStrictDecoderOnRandomSequencesSplitAnywhere() {
        // Bytes drawn mostly from the boundaries of RFC 3629's table, where the mistakes are.
        int[] interesting = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0,
            0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff};
        CharsetDecoder jdk = strictDecoder();
        Random random = new Random(17);
        for (int round = 0; round < 200_000; round++) {
            byte[] bytes = new byte[1 + random.nextInt(8)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256)
                        : interesting[random.nextInt(interesting.length)]);
            }
            boolean expected = isUtf8ForTheJdk(jdk, bytes);
            String hex = HexFormat.of().formatHex(bytes);
            assertEquals(expected, Utf8Validator.isUtf8(bytes, 0, bytes.length), hex);

            int split = random.nextInt(bytes.length + 1);
            Utf8Validator validator = new Utf8Validator();
            boolean valid = validator.feed(bytes, 0, split) < 0 && validator.feed(bytes, split, bytes.length) < 0;
            assertEquals(expected, valid && validator.atCharacterBoundary(), hex + " split at " + split);
        }
    }

    private static CharsetDecoder strictDecoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static boolean isUtf8ForTheJdk(CharsetDecoder jdk, byte[] bytes) {
        try {
            jdk.reset().decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
