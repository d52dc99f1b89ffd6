package io.github.upgrade4j.examples.support;

/**
 * An incremental check that bytes are UTF-8 (RFC 3629 §4), fed in pieces that may split a character.
 *
 * <p>A WebSocket endpoint must fail the connection as soon as a text message is found not to be UTF-8
 * (RFC 6455 §8.1), and a message arrives in fragments, each fragment in reads, any of which may end
 * inside a character. So the state between pieces is the part of a character still expected, and a
 * piece is refused at the first byte that no valid continuation could follow: {@code 0xF4 0x90} is
 * refused at {@code 0x90}, before the rest of the would-be U+110000 arrives.
 *
 * <p>The state machine follows the table of well-formed sequences in RFC 3629 §4 (the Unicode
 * Standard's Table 3-7): after {@code E0} the next byte must be {@code A0..BF} (no overlong forms),
 * after {@code ED} {@code 80..9F} (no surrogates U+D800..DFFF), after {@code F0} {@code 90..BF} (no
 * overlong forms), after {@code F4} {@code 80..8F} (nothing over U+10FFFF); {@code C0}, {@code C1}
 * and {@code F5..FF} never occur.
 *
 * <p>Not thread-safe; no allocation. It does not decode: it only says whether the bytes are UTF-8.
 */
public final class Utf8Validator {
    // The states: what the next byte may be. REJECT is final until reset().
    private static final int ACCEPT = 0; // between characters: any lead byte
    private static final int REJECT = 1;
    private static final int TAIL_1 = 2; // one more 80..BF ends the character
    private static final int TAIL_2 = 3; // two more 80..BF
    private static final int TAIL_3 = 4; // three more 80..BF
    private static final int AFTER_E0 = 5; // A0..BF, then TAIL_1
    private static final int AFTER_ED = 6; // 80..9F, then TAIL_1
    private static final int AFTER_F0 = 7; // 90..BF, then TAIL_2
    private static final int AFTER_F4 = 8; // 80..8F, then TAIL_2

    private int state = ACCEPT;

    /** Whether {@code bytes[from, to)} is UTF-8 on its own: valid and not ending inside a character. */
    static boolean isUtf8(byte[] bytes, int from, int to) {
        Utf8Validator validator = new Utf8Validator();
        return validator.feed(bytes, from, to) < 0 && validator.atCharacterBoundary();
    }

    /**
     * Checks {@code bytes[from, to)} as the continuation of the bytes fed before.
     *
     * @return the index of the first byte that makes the sequence invalid, or -1 when none does (the
     *     bytes may still end inside a character: see {@link #atCharacterBoundary()}); once a byte was
     *     invalid, every later call returns {@code from} until {@link #reset()}
     */
    int feed(byte[] bytes, int from, int to) {
        int s = state;
        for (int i = from; i < to; i++) {
            int b = bytes[i];
            if (s == ACCEPT && b >= 0) {
                continue; // ASCII, by far the most common byte of text
            }
            s = next(s, b & 0xFF);
            if (s == REJECT) {
                state = REJECT;
                return i;
            }
        }
        state = s;
        return s == REJECT ? from : -1;
    }

    /** Whether the bytes fed so far are valid and end between characters; false once any was invalid. */
    boolean atCharacterBoundary() {
        return state == ACCEPT;
    }

    /** Forgets the bytes fed so far, for the next message. */
    void reset() {
        state = ACCEPT;
    }

    private static int next(int state, int b) {
        switch (state) {
            case ACCEPT:
                return lead(b);
            case TAIL_1:
                return within(b, 0x80, 0xBF) ? ACCEPT : REJECT;
            case TAIL_2:
                return within(b, 0x80, 0xBF) ? TAIL_1 : REJECT;
            case TAIL_3:
                return within(b, 0x80, 0xBF) ? TAIL_2 : REJECT;
            case AFTER_E0:
                return within(b, 0xA0, 0xBF) ? TAIL_1 : REJECT;
            case AFTER_ED:
                return within(b, 0x80, 0x9F) ? TAIL_1 : REJECT;
            case AFTER_F0:
                return within(b, 0x90, 0xBF) ? TAIL_2 : REJECT;
            case AFTER_F4:
                return within(b, 0x80, 0x8F) ? TAIL_2 : REJECT;
            default:
                return REJECT;
        }
    }

    /** The state after the first byte of a character. */
    private static int lead(int b) {
        if (b <= 0x7F) {
            return ACCEPT;
        }
        if (b < 0xC2) {
            return REJECT; // a continuation byte out of place, or C0/C1: an overlong 2-byte form
        }
        if (b <= 0xDF) {
            return TAIL_1;
        }
        if (b == 0xE0) {
            return AFTER_E0;
        }
        if (b == 0xED) {
            return AFTER_ED;
        }
        if (b <= 0xEF) {
            return TAIL_2;
        }
        if (b == 0xF0) {
            return AFTER_F0;
        }
        if (b <= 0xF3) {
            return TAIL_3;
        }
        return b == 0xF4 ? AFTER_F4 : REJECT; // F5..FF would start code points over U+10FFFF
    }

    private static boolean within(int b, int low, int high) {
        return b >= low && b <= high;
    }
}
