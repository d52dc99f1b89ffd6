package io.github.upgrade4j.http;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Eight bytes at a time ("SIMD within a register"): the parser's hot loops skip runs of ordinary
 * bytes with one load and a few arithmetic operations per eight bytes, and fall back to their
 * byte-by-byte checks only where a byte needs a closer look. Every test here is exact: it reports a
 * byte of interest if and only if there is one (the borrow of the classic "has a zero byte" trick can
 * only spread upward from a byte that really is of interest, and a test's result is only ever used as
 * a whole).
 */
final class Swar {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long LFS = 0x0A0A0A0A0A0A0A0AL;
    private static final long CRS = 0x0D0D0D0D0D0D0D0DL;
    private static final long SPACES = 0x2020202020202020L;
    private static final long DELS = 0x7F7F7F7F7F7F7F7FL;

    private Swar() {}

    /** The eight bytes at {@code bytes[at]} to {@code bytes[at + 7]}, in one long. */
    static long load(byte[] bytes, int at) {
        return (long) LONGS.get(bytes, at);
    }

    /** Whether one of the eight bytes in {@code word} is NUL, LF or CR: what ends or breaks a line. */
    static boolean hasLineByte(long word) {
        long lf = word ^ LFS;
        long cr = word ^ CRS;
        return (((word - ONES) & ~word | (lf - ONES) & ~lf | (cr - ONES) & ~cr) & HIGHS) != 0;
    }

    /**
     * Whether one of the eight bytes in {@code word} is a control character (below 0x20, HTAB
     * included) or DEL: any byte that is not SP, VCHAR or obs-text.
     */
    static boolean hasControl(long word) {
        long del = word ^ DELS;
        return (((word - SPACES) & ~word | (del - ONES) & ~del) & HIGHS) != 0;
    }
}
