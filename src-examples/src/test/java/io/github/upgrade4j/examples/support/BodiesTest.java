package io.github.upgrade4j.examples.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BodiesTest {
    /** Two chunks, one with extensions (BWS before a ';' included), then two trailer fields. */
    private static final String CHUNKED = "5;name=value\r\nhello\r\n"
            + "6 ;a=\"quoted; \\\"x\\\"\"\t;b\r\n world\r\n"
            + "0;last\r\n"
            + "Server-Timing: total;dur=1\r\nX-Checksum: abc\r\n"
            + "\r\n";
    private static final String NEXT = "GET /next HTTP/1.1\r\nHost: h\r\n\r\n";

    @Test
    void keepsTheFramingAsReceivedExtensionsAndTrailersIncluded() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(11, Bodies.copyChunked(HeadReader.of(Pieces.of(CHUNKED)), out, false));
        assertEquals(CHUNKED, text(out));
    }

    @Test
    void dechunksToTheDataAloneAndDropsTheTrailers() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(11, Bodies.copyChunked(HeadReader.of(Pieces.of(CHUNKED)), out, true));
        assertEquals("hello world", text(out));
    }

    @Test
    void copiesAChunkedBodySplitAtEveryByteBoundaryAndStopsRightBehindIt() throws IOException {
        String wire = CHUNKED + NEXT;
        for (boolean dechunk : new boolean[] {false, true}) {
            for (int at = 0; at <= wire.length(); at++) {
                HeadReader reader = HeadReader.of(Pieces.splitAt(wire, at));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                assertEquals(11, Bodies.copyChunked(reader, out, dechunk), "split at " + at);
                assertEquals(dechunk ? "hello world" : CHUNKED, text(out), "split at " + at);
                assertEquals(NEXT, text(reader.readAllBytes()), "the next message stays, split at " + at);
            }
            HeadReader oneByOne = HeadReader.of(Pieces.oneByteAtATime(wire));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Bodies.copyChunked(oneByOne, out, dechunk);
            assertEquals(dechunk ? "hello world" : CHUNKED, text(out));
            assertEquals(NEXT, text(oneByOne.readAllBytes()));
        }
    }

    @Test
    void acceptsUppercaseHexLeadingZerosAndAnEmptyBody() throws IOException {
        String body = "0000000000000000000A\r\n0123456789\r\n0\r\n\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(10, Bodies.copyChunked(HeadReader.of(Pieces.of(body)), out, true));
        assertEquals("0123456789", text(out));

        ByteArrayOutputStream empty = new ByteArrayOutputStream();
        assertEquals(0, Bodies.copyChunked(HeadReader.of(Pieces.of("0\r\n\r\n")), empty, false));
        assertEquals("0\r\n\r\n", text(empty));
    }

    @Test
    void readsChunkSizesUpToTheLargestLong() throws ProtocolException {
        assertEquals(Long.MAX_VALUE, Bodies.chunkSize("7fffffffffffffff"));
        assertEquals(Long.MAX_VALUE, Bodies.chunkSize("00007FFFFFFFFFFFFFFF;x"));
        assertEquals(0xABC, Bodies.chunkSize("abc\t;ext"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "8000000000000000", // 2^63: does not fit a long
            "ffffffffffffffff", // 2^64 - 1: would wrap to -1
            "10000000000000000", // 2^64: would wrap to 0
            "fffffffffffffffffffffffff5", // the low digits alone look harmless
            "", // no size at all
            "g", // not hex
            "-1",
            "+5",
            "0x5",
            " 5", // whitespace before the size
            "5 ", // whitespace without an extension
            "5\t",
            "5 x", // something other than ';' after whitespace
            "5,ext",
            "\u00b9", // superscript one: a digit to some libraries, not HEXDIG
            "\uff15", // fullwidth five
            "5;ext=\u0001", // a control character in an extension
            "5;ext=\u007f",
    })
    void refusesMalformedChunkSizeLines(String line) {
        assertThrows(ProtocolException.class, () -> Bodies.chunkSize(line));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "g\r\n\r\n", // a size line that is not hex
            "8000000000000000\r\n", // a size that overflows
            "5\r\nhelloX\r\n0\r\n\r\n", // data longer than its size
            "5\r\nhell\r\n0\r\n\r\n", // data shorter than its size: the CRLF is taken as data
            "5\nhello\r\n0\r\n\r\n", // bare LF after the size
            "5\rhello\r\n0\r\n\r\n", // bare CR after the size
            "5\r\nhello\r\n0\r\nX-Trailer: a\nb\r\n\r\n", // bare LF in a trailer
            "5;a\u0000b\r\nhello\r\n0\r\n\r\n", // NUL in an extension
            "5\r\nhello\r\n0\r\n\u0000\r\n\r\n", // NUL in the trailer section
    })
    void refusesMalformedChunkedBodies(String body) {
        for (boolean dechunk : new boolean[] {false, true}) {
            assertThrows(ProtocolException.class,
                    () -> Bodies.copyChunked(HeadReader.of(Pieces.of(body)), new ByteArrayOutputStream(), dechunk));
        }
    }

    @Test
    void refusesLinesLongerThanTheLimit() throws IOException {
        String extension = "5;" + "x".repeat(Bodies.MAX_LINE - 2);
        String fits = extension + "\r\nhello\r\n0\r\n\r\n";
        assertEquals(5, Bodies.copyChunked(HeadReader.of(Pieces.of(fits)), new ByteArrayOutputStream(), true));
        String tooLong = extension + "x\r\nhello\r\n0\r\n\r\n";
        assertThrows(ProtocolException.class,
                () -> Bodies.copyChunked(HeadReader.of(Pieces.of(tooLong)), new ByteArrayOutputStream(), true));
        String trailer = "0\r\nX: " + "y".repeat(Bodies.MAX_LINE) + "\r\n\r\n";
        assertThrows(ProtocolException.class,
                () -> Bodies.copyChunked(HeadReader.of(Pieces.of(trailer)), new ByteArrayOutputStream(), false));
    }

    @Test
    void anEndInsideAChunkedBodyIsEofWhereverItComes() {
        for (int end = 0; end < CHUNKED.length(); end++) {
            String cut = CHUNKED.substring(0, end);
            for (boolean dechunk : new boolean[] {false, true}) {
                assertThrows(EOFException.class, () -> Bodies.copyChunked(HeadReader.of(Pieces.oneByteAtATime(cut)),
                        new ByteArrayOutputStream(), dechunk), "closed after " + cut.length() + " bytes");
            }
        }
    }

    @Test
    void copiesAFixedLengthAndLeavesTheRest() throws IOException {
        HeadReader reader = HeadReader.of(Pieces.of("hel", "lo", NEXT));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(5, Bodies.copyFixed(reader, out, 5));
        assertEquals("hello", text(out));
        assertEquals(NEXT, text(reader.readAllBytes()));
        assertEquals(0, Bodies.copyFixed(HeadReader.of(Pieces.of("x")), out, 0));
        EOFException early = assertThrows(EOFException.class,
                () -> Bodies.copyFixed(HeadReader.of(Pieces.of("hel")), new ByteArrayOutputStream(), 5));
        assertTrue(early.getMessage().contains("expected 5 body bytes but the peer closed after 3"), early.getMessage());
    }

    @Test
    void reframesABodyThatEndsWithTheStreamAsChunksThatDecodeToIt() throws IOException {
        String data = "a".repeat(40_000);
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        assertEquals(40_004, Bodies.copyUntilCloseAsChunks(HeadReader.of(Pieces.of(data, "", "tail")), chunked));
        assertTrue(text(chunked).endsWith("\r\n0\r\n\r\n"), "ends with the last chunk");
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        assertEquals(40_004, Bodies.copyChunked(HeadReader.of(Pieces.of(text(chunked))), decoded, true));
        assertEquals(data + "tail", text(decoded));

        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        assertEquals(40_004, Bodies.copyUntilClose(HeadReader.of(Pieces.of(data, "tail")), raw));
        assertEquals(data + "tail", text(raw));
    }

    private static String text(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
