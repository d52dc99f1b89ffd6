package io.github.upgrade4j.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Ways of handing bytes to a parser. Every parser test runs under each of them, so a parser that only
 * works when a head arrives whole cannot pass.
 */
enum Feed {
    /** All bytes in one heap buffer. */
    WHOLE,
    /** One byte a call. */
    ONE_BYTE_AT_A_TIME,
    /** Random chunk sizes from a fixed seed. */
    RANDOM_SPLITS,
    /** All bytes in one direct buffer (no backing array). */
    DIRECT;

    /** The outcome of feeding: the last result, and the bytes the parser did not consume. */
    record Outcome<H extends MessageHead>(ParseResult<H> result, String leftover) {}

    <H extends MessageHead> Outcome<H> parse(Http1Parser<H> parser, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        if (this == WHOLE || this == DIRECT) {
            ByteBuffer buffer = this == WHOLE ? ByteBuffer.wrap(bytes) : ByteBuffer.allocateDirect(bytes.length);
            if (this == DIRECT) {
                buffer.put(bytes).flip();
            }
            ParseResult<H> result = parser.parse(buffer);
            return new Outcome<>(result, rest(buffer));
        }
        Random random = new Random(text.hashCode());
        int at = 0;
        ParseResult<H> result = new ParseResult.NeedMore<>();
        while (at < bytes.length) {
            int n = this == ONE_BYTE_AT_A_TIME ? 1 : 1 + random.nextInt(Math.min(64, bytes.length - at));
            ByteBuffer chunk = ByteBuffer.wrap(bytes, at, n).slice();
            result = parser.parse(chunk);
            at += chunk.position();
            if (!(result instanceof ParseResult.NeedMore)) {
                // Whatever the parser left in this chunk, plus every chunk not yet offered.
                return new Outcome<>(result, new String(bytes, at, bytes.length - at, StandardCharsets.ISO_8859_1));
            }
        }
        return new Outcome<>(result, "");
    }

    private static String rest(ByteBuffer buffer) {
        byte[] rest = new byte[buffer.remaining()];
        buffer.get(rest);
        return new String(rest, StandardCharsets.ISO_8859_1);
    }
}
