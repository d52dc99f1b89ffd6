package io.github.upgrade4j.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@link HeaderName} constants in an open-addressing table keyed by a name's length and its first
 * and last byte, which the parser knows once it has found the colon. It finds the constant spelled
 * exactly like the raw bytes of a field name without hashing every byte or making a string, so a
 * canonically spelled name costs a few word comparisons and shares the constant.
 *
 * <p>Only exact spellings match: {@code connection} is not found, because a name keeps the spelling
 * it arrived with; it becomes a new name equal to {@link HeaderName#CONNECTION}. Immutable once built.
 */
final class KnownNames {
    private final HeaderName[] names;
    /** The Latin-1 bytes of {@code names[i]}, compared eight at a time. */
    private final byte[][] spellings;
    private final int mask;

    /** Builds the table; every name must be non-empty and Latin-1, as a token is. */
    KnownNames(List<HeaderName> constants) {
        // At most a quarter full, so that a miss, the usual outcome for an unknown name, ends soon.
        int size = Integer.highestOneBit(Math.max(constants.size(), 1) * 4 - 1) << 1;
        names = new HeaderName[size];
        spellings = new byte[size][];
        mask = size - 1;
        for (HeaderName name : constants) {
            String s = name.toString();
            int i = slot(s.length(), s.charAt(0), s.charAt(s.length() - 1));
            while (names[i] != null) {
                i = (i + 1) & mask;
            }
            names[i] = name;
            spellings[i] = s.getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    /** The constant spelled exactly as the {@code len >= 1} bytes at {@code off}, or null. */
    @Nullable HeaderName find(byte[] bytes, int off, int len) {
        for (int i = slot(len, bytes[off] & 0xFF, bytes[off + len - 1] & 0xFF); ; i = (i + 1) & mask) {
            byte[] s = spellings[i];
            if (s == null) {
                return null;
            }
            if (s.length == len && sameBytes(bytes, off, s)) {
                return names[i];
            }
        }
    }

    /** The constant spelled exactly {@code name}, a non-empty string, or null. */
    @Nullable HeaderName find(String name) {
        int len = name.length();
        for (int i = slot(len, name.charAt(0), name.charAt(len - 1)); ; i = (i + 1) & mask) {
            HeaderName candidate = names[i];
            if (candidate == null) {
                return null;
            }
            if (candidate.toString().equals(name)) {
                return candidate;
            }
        }
    }

    private int slot(int length, int first, int last) {
        return ((length * 31 + first) * 31 + last) & mask;
    }

    /** Whether {@code bytes[off, off + s.length)} equals {@code s}; reads nothing outside that range. */
    private static boolean sameBytes(byte[] bytes, int off, byte[] s) {
        int n = s.length;
        if (n < 8) {
            for (int i = 0; i < n; i++) {
                if (bytes[off + i] != s[i]) {
                    return false;
                }
            }
            return true;
        }
        for (int i = 0; i < n - 8; i += 8) {
            if (Swar.load(bytes, off + i) != Swar.load(s, i)) {
                return false;
            }
        }
        return Swar.load(bytes, off + n - 8) == Swar.load(s, n - 8); // the last eight, overlapping
    }
}
