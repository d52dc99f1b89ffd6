package io.github.upgrade4j.http;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Eight bytes at a time ("SIMD within a register"): the parser's hot loops skip runs of ordinary
 * bytes with one load and a few arithmetic operations per eight bytes, and go straight to the first
 * byte that needs a closer look.
 *
 * <p>Each test returns a mask with the high bit of the bytes of interest set. Its lowest set bit is
 * exact: it marks the first byte of interest in the word, and the mask is zero if and only if there
 * is none. Higher bits may be wrong (the borrow of the classic "has a zero byte" trick spreads upward
 * from a byte that really is of interest), so callers only ever use a mask's lowest bit, through
 * {@link #first}, or whether it is zero. Words are loaded little-endian, so the lowest bit is the
 * byte at the lowest index.
 */
final class Swar {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long SPACES = 0x2020202020202020L;
    private static final long BANGS = 0x2121212121212121L;
    private static final long DELS = 0x7F7F7F7F7F7F7F7FL;
    private static final long COLONS = 0x3A3A3A3A3A3A3A3AL;

    private Swar() {}

    /** The eight bytes at {@code bytes[at]} to {@code bytes[at + 7]}, in one long. */
    static long load(byte[] bytes, int at) {
        return (long) LONGS.get(bytes, at);
    }

    /** The index in its word, 0 to 7, of the first byte a non-zero {@code mask} marks. */
    static int first(long mask) {
        return Long.numberOfTrailingZeros(mask) >>> 3;
    }

    /**
     * Marks the control characters (below 0x20: NUL, HTAB, LF, CR...) and DEL: every byte that is
     * not SP, VCHAR or obs-text, and every byte that ends or breaks a line.
     */
    static long controls(long word) {
        long del = word ^ DELS;
        return ((word - SPACES) & ~word | (del - ONES) & ~del) & HIGHS;
    }

    /** Whether one of the eight bytes in {@code word} is a control character or DEL. */
    static boolean hasControl(long word) {
        return controls(word) != 0;
    }

    /** Marks the bytes that are not visible ASCII (0x21 to 0x7E): SP, controls, DEL and obs-text. */
    static long notVisibleAscii(long word) {
        long del = word ^ DELS;
        return ((word - BANGS) & ~word | word | (del - ONES) & ~del) & HIGHS;
    }

    /** Marks the colons. */
    static long colons(long word) {
        long x = word ^ COLONS;
        return (x - ONES) & ~x & HIGHS;
    }
}
