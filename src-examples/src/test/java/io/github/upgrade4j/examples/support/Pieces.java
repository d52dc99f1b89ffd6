package io.github.upgrade4j.examples.support;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A stream that hands out its bytes in the pieces it was given, one piece (or the part of it that
 * fits) per read, as a socket hands out what has arrived; then the end of the stream. It counts the
 * reads it answered, so a test can tell whether a reader looked ahead.
 */
final class Pieces extends InputStream {
    private final List<byte[]> pieces;
    private int piece;
    private int offset;
    private int reads;

    private Pieces(List<byte[]> pieces) {
        this.pieces = pieces;
    }

    /** The pieces of ISO-8859-1 text, in order. */
    static Pieces of(String... pieces) {
        List<byte[]> bytes = new ArrayList<>();
        for (String piece : pieces) {
            bytes.add(piece.getBytes(StandardCharsets.ISO_8859_1));
        }
        return new Pieces(bytes);
    }

    /** {@code text} cut at {@code at}: two pieces (the first may be empty). */
    static Pieces splitAt(String text, int at) {
        return of(text.substring(0, at), text.substring(at));
    }

    /** {@code text} one byte a read. */
    static Pieces oneByteAtATime(String text) {
        String[] pieces = new String[text.length()];
        for (int i = 0; i < pieces.length; i++) {
            pieces[i] = text.substring(i, i + 1);
        }
        return of(pieces);
    }

    /** How many reads returned bytes or the end of the stream. */
    int reads() {
        return reads;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) == 1 ? one[0] & 0xFF : -1;
    }

    @Override
    public int read(byte[] dst, int off, int len) {
        if (len == 0) {
            return 0;
        }
        while (piece < pieces.size() && offset == pieces.get(piece).length) {
            piece++; // empty pieces and used-up ones
            offset = 0;
        }
        reads++;
        if (piece == pieces.size()) {
            return -1;
        }
        byte[] current = pieces.get(piece);
        int n = Math.min(len, current.length - offset);
        System.arraycopy(current, offset, dst, off, n);
        offset += n;
        return n;
    }

    @Override
    public String toString() {
        List<String> shown = new ArrayList<>();
        for (byte[] bytes : pieces) {
            shown.add(new String(bytes, StandardCharsets.ISO_8859_1));
        }
        return Arrays.toString(shown.toArray());
    }
}
