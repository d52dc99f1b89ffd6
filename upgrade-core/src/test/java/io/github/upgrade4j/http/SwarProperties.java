package io.github.upgrade4j.http;

import static io.github.upgrade4j.http.Draws.draw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The eight-bytes-at-a-time tests of {@link Swar} agree with a byte-by-byte oracle on every word: a
 * wrong answer either way would let a CR, LF, NUL or control byte through the parser unseen, or only
 * slow it down, and neither may happen.
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
    void hasLineByteIsTrueExactlyWhenAByteIsNulLfOrCr() {
        qt().withExamples(20_000).forAll(WORDS).checkAssert(word -> assertEquals(
                oracle(word, b -> b == 0 || b == '\n' || b == '\r'), Swar.hasLineByte(Swar.load(word, 0)), hex(word)));
    }

    @Test
    void hasControlIsTrueExactlyWhenAByteIsBelowSpaceOrDel() {
        qt().withExamples(20_000).forAll(WORDS).checkAssert(word -> assertEquals(
                oracle(word, b -> b < 0x20 || b == 0x7F), Swar.hasControl(Swar.load(word, 0)), hex(word)));
    }

    @Test
    void everyByteValueInEveryPositionAmongOrdinaryBytesIsSeenOrNot() {
        for (int value = 0; value < 256; value++) {
            for (int position = 0; position < 8; position++) {
                byte[] word = "abcdefgh".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                word[position] = (byte) value;
                boolean line = value == 0 || value == '\n' || value == '\r';
                boolean control = value < 0x20 || value == 0x7F;
                assertEquals(line, Swar.hasLineByte(Swar.load(word, 0)), hex(word));
                assertEquals(control, Swar.hasControl(Swar.load(word, 0)), hex(word));
            }
        }
        assertFalse(Swar.hasLineByte(Swar.load(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1}, 0)));
        assertTrue(Swar.hasControl(Swar.load(new byte[] {-1, -1, -1, -1, -1, -1, -1, 0x7F}, 0)));
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

    private static boolean oracle(byte[] word, BytePredicate interesting) {
        for (byte b : word) {
            if (interesting.test(b & 0xFF)) {
                return true;
            }
        }
        return false;
    }

    private static String hex(byte[] word) {
        StringBuilder out = new StringBuilder();
        for (byte b : word) {
            out.append(String.format("%02x ", b & 0xFF));
        }
        return out.toString().trim();
    }
}
