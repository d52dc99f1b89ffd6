package io.github.upgrade4j.http;

import static io.github.upgrade4j.http.Draws.draw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The eight-bytes-at-a-time tests of {@link Swar} agree with a byte-by-byte oracle on every word, down
 * to the first byte they mark: a wrong answer would let a CR, LF, NUL or control byte through the
 * parser unseen, end a field name at the wrong colon, or only slow the parser down, and none may happen.
 */
class SwarProperties {
    /** Bytes at and around every boundary the tests draw: the ones of interest and their neighbours. */
    private static final int[] EDGES = {0x00, 0x01, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x1F, 0x20, 0x21,
        0x7E, 0x7F, 0x80, 0x81, 0x8A, 0x8D, 0xA0, 0xFE, 0xFF};

    /** Words of eight bytes, each an edge byte or any byte, so that words with none, one or many occur. */
    private static final Gen<byte[]> WORDS = in -> {
        byte[] word = new byte[8];
        int edgeChance = draw(in, 0, 8); // per word: from no edge bytes at all to edge bytes everywhere
        for (int i = 0; i < 8; i++) {
            word[i] = (byte) (draw(in, 0, 7) < edgeChance ? EDGES[draw(in, 0, EDGES.length - 1)] : draw(in, 0, 255));
        }
        return word;
    };

    @Test
    void controlsMarksFirstTheFirstByteBelowSpaceOrDel() {
        qt().withExamples(20_000).forAll(WORDS).checkAssert(word ->
                assertFirst(word, b -> b < 0x20 || b == 0x7F, Swar.controls(Swar.load(word, 0))));
    }

    @Test
    void notVisibleAsciiMarksFirstTheFirstByteOutsideBangToTilde() {
        qt().withExamples(20_000).forAll(WORDS).checkAssert(word ->
                assertFirst(word, b -> b < 0x21 || b > 0x7E, Swar.notVisibleAscii(Swar.load(word, 0))));
    }

    @Test
    void colonsMarksFirstTheFirstColon() {
        qt().withExamples(20_000).forAll(WORDS).checkAssert(word ->
                assertFirst(word, b -> b == ':', Swar.colons(Swar.load(word, 0))));
    }

    @Test
    void everyByteValueInEveryPositionAmongOrdinaryBytesIsSeenOrNot() {
        for (int value = 0; value < 256; value++) {
            for (int position = 0; position < 8; position++) {
                byte[] word = "abcdefgh".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                word[position] = (byte) value;
                long loaded = Swar.load(word, 0);
                assertFirst(word, b -> b < 0x20 || b == 0x7F, Swar.controls(loaded));
                assertFirst(word, b -> b < 0x21 || b > 0x7E, Swar.notVisibleAscii(loaded));
                assertFirst(word, b -> b == ':', Swar.colons(loaded));
                assertEquals(value < 0x20 || value == 0x7F, Swar.hasControl(loaded), hex(word));
            }
        }
        assertEquals(0, Swar.controls(Swar.load(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1}, 0)));
        assertTrue(Swar.hasControl(Swar.load(new byte[] {-1, -1, -1, -1, -1, -1, -1, 0x7F}, 0)));
        assertFalse(Swar.hasControl(Swar.load(new byte[] {' ', '~', -1, -128, '!', ':', 'a', 0x7E}, 0)));
    }

    @Test
    void loadsAnyEightBytesOfAnArrayWhateverTheirAlignment() {
        byte[] bytes = new byte[24];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i + 1);
        }
        for (int at = 0; at <= bytes.length - 8; at++) {
            long word = Swar.load(bytes, at);
            for (int i = 0; i < 8; i++) {
                assertEquals(at + i + 1, (int) (word >>> (8 * i)) & 0xFF, "byte " + i + " at " + at);
            }
        }
    }

    private interface BytePredicate {
        boolean test(int b);
    }

    /**
     * The mask is zero exactly when no byte is of interest, and otherwise its lowest bit marks the
     * first byte that is: the only two ways the parser reads a mask.
     */
    private static void assertFirst(byte[] word, BytePredicate interesting, long mask) {
        int first = -1;
        for (int i = 0; i < word.length && first < 0; i++) {
            first = interesting.test(word[i] & 0xFF) ? i : -1;
        }
        assertEquals(first < 0, mask == 0, hex(word));
        if (first >= 0) {
            assertEquals(first, Swar.first(mask), hex(word));
        }
    }

    private static String hex(byte[] word) {
        StringBuilder out = new StringBuilder();
        for (byte b : word) {
            out.append(String.format("%02x ", b & 0xFF));
        }
        return out.toString().trim();
    }
}
