package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeadProblem;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.MessageHead;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.ParserOptions;
import io.github.upgrade4j.http.ParserOptions.Leniency;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, item 9: RFC 9112 §2.2 asks a server to skip at least one empty line before a request line,
 * since a client may send a stray CRLF after a body. The parser skipped any number of them, bounded
 * only by the head limit, where a flood of CRLFs was answered with a misleading 414. It now skips at
 * most {@link ParserOptions#MAX_EMPTY_LINES_BEFORE_START_LINE} and rejects one more; before a status
 * line it skips them only with {@link Leniency#EMPTY_LINES_BEFORE_STATUS_LINE}, under the same bound.
 * Every case is fed cut at every pair of positions and one byte at a time.
 */
class EmptyLinesBeforeStartLineTest {
    private static final int MAX = ParserOptions.MAX_EMPTY_LINES_BEFORE_START_LINE;
    private static final String REQUEST = "GET /chat HTTP/1.1\r\nHost: app.example\r\n\r\n";
    private static final String RESPONSE = "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n";
    private static final ParserOptions EMPTY_LINES_BEFORE_STATUS_LINE =
            ParserOptions.standard().with(Leniency.EMPTY_LINES_BEFORE_STATUS_LINE);

    @Test
    void upToTheBoundEmptyLinesBeforeARequestLineAreSkippedAndCounted() {
        for (int n = 1; n <= MAX; n++) {
            String raw = "\r\n".repeat(n) + REQUEST;
            var complete = completeInEverySplit(Http1Parser::forRequests, raw, "\u0081\u0000body");

            assertEquals("/chat", ((RequestHead) complete.head()).target());
        }
    }

    @Test
    void oneEmptyLineMoreThanTheBoundIsRejected() {
        var rejected = rejectedInEverySplit(Http1Parser::forRequests, "\r\n".repeat(MAX + 1) + REQUEST);

        assertEquals(HeadProblem.TOO_MANY_EMPTY_LINES, rejected.problem());
        assertEquals(400, rejected.status());
        assertEquals("RFC 9112 §2.2", rejected.problem().spec());
        assertEquals("expected at most " + MAX + " empty lines before the request line but there were more",
                rejected.detail());
    }

    @Test
    void anEndlessRunOfEmptyLinesIsRejectedAtTheBoundNotAtTheHeadLimit() {
        Http1Parser<RequestHead> parser = Http1Parser.forRequests();
        ParseResult<RequestHead> result = parser.parse(ascii("\r\n".repeat(10_000)));

        var rejected = assertInstanceOf(ParseResult.Rejected.class, result);
        assertEquals(HeadProblem.TOO_MANY_EMPTY_LINES, rejected.problem());
    }

    @Test
    void theBoundHoldsForEachHeadOfAConnection() {
        String first = "\r\n".repeat(MAX) + "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
        String second = "\r\n".repeat(MAX) + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
        Http1Parser<RequestHead> parser = Http1Parser.forRequests();
        ByteBuffer wire = ascii(first + second);

        var a = assertInstanceOf(ParseResult.Complete.class, parser.parse(wire));
        var b = assertInstanceOf(ParseResult.Complete.class, parser.parse(wire));
        assertEquals("/a", ((RequestHead) a.head()).target());
        assertEquals("/b", ((RequestHead) b.head()).target());
        assertEquals(second.length(), b.headLength());
    }

    @Test
    void aStrayCrlfAfterARequestBodyIsSkippedBeforeTheNextRequest() {
        Http1Parser<RequestHead> parser = Http1Parser.forRequests();
        ByteBuffer wire = ascii("POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n" + "hi"
                + "\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n");

        assertInstanceOf(ParseResult.Complete.class, parser.parse(wire));
        wire.position(wire.position() + 2); // the body, read by the caller
        var next = assertInstanceOf(ParseResult.Complete.class, parser.parse(wire));
        assertEquals("/next", ((RequestHead) next.head()).target());
        assertEquals(2 + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n".length(), next.headLength());
        assertEquals(0, wire.remaining());
    }

    @Test
    void theSkippedBytesCountTowardTheHeadLimit() {
        String raw = "\r\n\r\n" + REQUEST;
        ParserOptions exact = ParserOptions.standard().withMaxHeadBytes(raw.length());

        completeInEverySplit(() -> Http1Parser.forRequests(exact), raw, "");
        ParserOptions oneShort = exact.withMaxHeadBytes(raw.length() - 1);
        var rejected = rejectedInEverySplit(() -> Http1Parser.forRequests(oneShort), raw);
        assertEquals(HeadProblem.HEAD_TOO_LARGE, rejected.problem());
    }

    @Test
    void bareLfEmptyLinesAreSkippedOnlyWithTheBareLfLeniency() {
        ParserOptions lf = ParserOptions.standard().with(Leniency.LF_LINE_ENDINGS);
        String raw = "\n\r\n" + REQUEST;

        assertEquals(HeadProblem.BARE_LF, rejectedInEverySplit(Http1Parser::forRequests, raw).problem());
        completeInEverySplit(() -> Http1Parser.forRequests(lf), raw, "");
        var tooMany = rejectedInEverySplit(() -> Http1Parser.forRequests(lf), "\n\r\n".repeat(MAX) + REQUEST);
        assertEquals(HeadProblem.TOO_MANY_EMPTY_LINES, tooMany.problem());
    }

    @Test
    void anEmptyLineBeforeAStatusLineIsRejectedByDefault() {
        var rejected = rejectedInEverySplit(Http1Parser::forResponses, "\r\n" + RESPONSE);

        assertEquals(HeadProblem.MALFORMED_STATUS_LINE, rejected.problem());
        assertEquals(502, rejected.status());
        assertTrue(rejected.detail().contains("Leniency.EMPTY_LINES_BEFORE_STATUS_LINE"), rejected.detail());
    }

    @Test
    void withTheLeniencyUpToTheBoundEmptyLinesBeforeAStatusLineAreSkippedAndCounted() {
        for (int n = 1; n <= MAX; n++) {
            var complete = completeInEverySplit(() -> Http1Parser.forResponses(EMPTY_LINES_BEFORE_STATUS_LINE),
                    "\r\n".repeat(n) + RESPONSE, "\u0081\u0002hi");

            assertEquals(204, ((ResponseHead) complete.head()).status());
        }
        var rejected = rejectedInEverySplit(() -> Http1Parser.forResponses(EMPTY_LINES_BEFORE_STATUS_LINE),
                "\r\n".repeat(MAX + 1) + RESPONSE);
        assertEquals(HeadProblem.TOO_MANY_EMPTY_LINES, rejected.problem());
        assertEquals(502, rejected.status());
    }

    @Test
    void withTheLeniencyAStrayCrlfAfterAResponseBodyIsSkipped() {
        Http1Parser<ResponseHead> parser = Http1Parser.forResponses(EMPTY_LINES_BEFORE_STATUS_LINE);
        ByteBuffer wire = ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi\r\n" + RESPONSE);

        assertInstanceOf(ParseResult.Complete.class, parser.parse(wire));
        wire.position(wire.position() + 2); // the body, read by the caller
        var next = assertInstanceOf(ParseResult.Complete.class, parser.parse(wire));
        assertEquals(204, ((ResponseHead) next.head()).status());
        assertEquals(2 + RESPONSE.length(), next.headLength());
    }

    @Test
    void theStatusLineLeniencyAcceptsBareLfOnlyWithTheBareLfLeniency() {
        String raw = "\n" + RESPONSE;

        var rejected = rejectedInEverySplit(() -> Http1Parser.forResponses(EMPTY_LINES_BEFORE_STATUS_LINE), raw);
        assertEquals(HeadProblem.BARE_LF, rejected.problem());
        ParserOptions both = EMPTY_LINES_BEFORE_STATUS_LINE.with(Leniency.LF_LINE_ENDINGS);
        completeInEverySplit(() -> Http1Parser.forResponses(both), raw, "");
    }

    @Test
    void theStatusLineLeniencySkipsOnlyEmptyLines() {
        var rejected = rejectedInEverySplit(() -> Http1Parser.forResponses(EMPTY_LINES_BEFORE_STATUS_LINE),
                "\r\n \r\n" + RESPONSE);

        assertEquals(HeadProblem.MALFORMED_STATUS_LINE, rejected.problem());
    }

    // ---------------------------------------------------------------- feeding

    private static <H extends MessageHead> ParseResult.Complete<?> completeInEverySplit(
            Supplier<Http1Parser<H>> parsers, String raw, String trailing) {
        ParseResult<H> result = inEverySplit(parsers, raw + trailing, raw.length());
        var complete = assertInstanceOf(ParseResult.Complete.class, result, result::toString);
        assertEquals(raw.length(), complete.headLength(), "head length, skipped empty lines included");
        return complete;
    }

    private static <H extends MessageHead> ParseResult.Rejected<?> rejectedInEverySplit(
            Supplier<Http1Parser<H>> parsers, String raw) {
        ParseResult<H> result = inEverySplit(parsers, raw, -1);
        return assertInstanceOf(ParseResult.Rejected.class, result, result::toString);
    }

    /**
     * Feeds {@code text} to a new parser in three buffers cut at every pair of positions (empty buffers
     * included), one byte at a time, and whole in a direct buffer; every way must give the same result.
     * A Complete must leave its buffer's position at {@code headEnd}, counted from the start of the text.
     */
    private static <H extends MessageHead> ParseResult<H> inEverySplit(
            Supplier<Http1Parser<H>> parsers, String text, int headEnd) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        List<int[]> ways = new ArrayList<>();
        for (int i = 0; i <= bytes.length; i++) {
            for (int j = i; j <= bytes.length; j++) {
                ways.add(new int[] {i, j, bytes.length});
            }
        }
        ways.add(IntStream.rangeClosed(1, bytes.length).toArray());
        ParseResult<H> first = null;
        for (int[] ends : ways) {
            ParseResult<H> result = feed(parsers.get(), bytes, ends, headEnd);
            if (first == null) {
                first = result;
            }
            assertEquals(first, result, () -> "cut at " + Arrays.toString(ends));
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        assertEquals(first, parsers.get().parse(direct), "whole, in a direct buffer");
        return first;
    }

    private static <H extends MessageHead> ParseResult<H> feed(
            Http1Parser<H> parser, byte[] bytes, int[] ends, int headEnd) {
        ParseResult<H> result = new ParseResult.NeedMore<>();
        int at = 0;
        for (int end : ends) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes, at, end - at);
            result = parser.parse(buffer);
            if (result instanceof ParseResult.Complete) {
                assertEquals(headEnd, buffer.position(), "position just past the head");
                return result;
            }
            if (result instanceof ParseResult.Rejected) {
                return result;
            }
            assertEquals(end, buffer.position(), "NeedMore consumes every byte");
            at = end;
        }
        return result;
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
