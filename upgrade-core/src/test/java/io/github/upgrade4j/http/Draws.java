package io.github.upgrade4j.http;

import static org.quicktheories.generators.SourceDSL.integers;

import org.quicktheories.core.RandomnessSource;

/** Small random choices shared by the property tests of every package; QuickTheories shrinks them. */
@SuppressWarnings("exports") // test code: QuickTheories types on a test helper of the patched module
public final class Draws {
    private Draws() {}

    /** An int from {@code min} to {@code max}, both included. */
    public static int draw(RandomnessSource in, int min, int max) {
        return integers().between(min, max).generate(in);
    }

    /** {@code s} with the case of a random subset of its ASCII letters flipped; nothing else changes. */
    public static String recase(RandomnessSource in, String s) {
        StringBuilder out = new StringBuilder(s);
        for (int i = 0; i < out.length(); i++) {
            char c = out.charAt(i);
            if ((c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') && draw(in, 0, 1) == 1) {
                out.setCharAt(i, (char) (c ^ 0x20));
            }
        }
        return out.toString();
    }

    /** {@code line} without leading and trailing SP and HTAB, as a field value must be (RFC 9110 §5.5). */
    public static String stripOws(CharSequence line) {
        int from = 0;
        int to = line.length();
        while (from < to && (line.charAt(from) == ' ' || line.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (line.charAt(to - 1) == ' ' || line.charAt(to - 1) == '\t')) {
            to--;
        }
        return line.subSequence(from, to).toString();
    }
}
