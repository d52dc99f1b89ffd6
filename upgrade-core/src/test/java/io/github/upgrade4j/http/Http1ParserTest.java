package io.github.upgrade4j.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class Http1ParserTest {
    static final String CHROME_UPGRADE = """
            GET /chat?room=7 HTTP/1.1\r
            Host: app.example:8080\r
            Connection: Upgrade\r
            Pragma: no-cache\r
            Cache-Control: no-cache\r
            User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r
            Upgrade: websocket\r
            Origin: https://app.example\r
            Sec-WebSocket-Version: 13\r
            Accept-Encoding: gzip, deflate, br, zstd\r
            Accept-Language: en-GB,en;q=0.9\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r
            \r
            """;

    private static RequestHead request(Feed feed, String raw, String expectedLeftover) {
        Feed.Outcome<RequestHead> outcome = feed.parse(Http1Parser.forRequests(), raw);
        var complete = assertInstanceOf(ParseResult.Complete.class, outcome.result(), () -> outcome.result().toString());
        assertEquals(expectedLeftover, outcome.leftover(), "bytes behind the head");
        assertEquals(raw.length() - expectedLeftover.length(), complete.headLength(), "head length");
        return (RequestHead) complete.head();
    }

    private static ResponseHead response(Feed feed, Http1Parser<ResponseHead> parser, String raw, String leftover) {
        Feed.Outcome<ResponseHead> outcome = feed.parse(parser, raw);
        var complete = assertInstanceOf(ParseResult.Complete.class, outcome.result(), () -> outcome.result().toString());
        assertEquals(leftover, outcome.leftover(), "bytes behind the head");
        return (ResponseHead) complete.head();
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void parsesAChromeWebSocketUpgradeRequest(Feed feed) {
        RequestHead head = request(feed, CHROME_UPGRADE, "");

        assertEquals("GET", head.method());
        assertEquals("/chat?room=7", head.target());
        assertEquals(HttpVersion.HTTP_1_1, head.version());
        assertEquals(12, head.headers().size());
        assertEquals("app.example:8080", head.headers().first(HeaderName.HOST).orElseThrow());
        assertTrue(head.headers().hasToken(HeaderName.CONNECTION, "upgrade"));
        assertEquals("permessage-deflate; client_max_window_bits",
                head.headers().first(HeaderName.SEC_WEBSOCKET_EXTENSIONS).orElseThrow());
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void leavesTheBytesBehindTheHeadInTheBuffer(Feed feed) {
        String frame = "\u0081\u0085\u0037\u00fa\u0021\u003d\u007f\u009f\u004d\u0051\u0058";
        RequestHead head = request(feed, CHROME_UPGRADE + frame, frame);

        assertEquals("/chat?room=7", head.target());
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void leavesAPipelinedRequestForTheNextCall(Feed feed) {
        String second = "GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
        request(feed, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" + second, second);
    }

    @Test
    void parsesConsecutiveHeadsWithOneParser() {
        Http1Parser<RequestHead> parser = Http1Parser.forRequests();
        ByteBuffer buffer = ByteBuffer.wrap("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: y\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        List<String> targets = new ArrayList<>();
        while (buffer.hasRemaining()) {
            var complete = assertInstanceOf(ParseResult.Complete.class, parser.parse(buffer));
            targets.add(((RequestHead) complete.head()).target());
        }
        assertEquals(List.of("/a", "/b"), targets);
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void parsesA101ResponseAndKeepsTheFirstFrame(Feed feed) {
        String raw = """
                HTTP/1.1 101 Switching Protocols\r
                Upgrade: websocket\r
                Connection: Upgrade\r
                Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
                \r
                """;
        ResponseHead head = response(feed, Http1Parser.forResponses(), raw + "\u0081\u0002hi", "\u0081\u0002hi");

        assertEquals(101, head.status());
        assertEquals("Switching Protocols", head.reason());
        assertEquals(List.of("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), head.headers().values(HeaderName.SEC_WEBSOCKET_ACCEPT));
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void keepsTheSpellingOfFieldNames(Feed feed) {
        RequestHead head = request(feed, "GET / HTTP/1.1\r\nhost: x\r\nCONNECTION: upgrade\r\nX-Custom-ID: 1\r\n\r\n", "");

        assertEquals(List.of("host", "CONNECTION", "X-Custom-ID"),
                head.headers().fields().stream().map(f -> f.name().toString()).toList());
        assertEquals(HeaderName.CONNECTION, head.headers().name(1));
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void trimsWhitespaceAroundValuesButKeepsInnerWhitespace(Feed feed) {
        RequestHead head = request(feed, "GET / HTTP/1.1\r\nHost:x\r\nA: \t one \t two \t\r\nB:\r\nC:   \r\n\r\n", "");

        assertEquals("x", head.headers().value(0));
        assertEquals("one \t two", head.headers().value(1));
        assertEquals("", head.headers().value(2));
        assertEquals("", head.headers().value(3));
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void acceptsObsTextInValuesAsLatin1(Feed feed) {
        RequestHead head = request(feed, "GET / HTTP/1.1\r\nHost: x\r\nX-Name: caf\u00e9 \u00ff\r\n\r\n", "");

        assertEquals("caf\u00e9 \u00ff", head.headers().value(1));
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void ignoresEmptyLinesBeforeARequestLine(Feed feed) {
        RequestHead head = request(feed, "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", "");

        assertEquals("/", head.target());
        String most = "\r\n".repeat(ParserOptions.MAX_EMPTY_LINES_BEFORE_START_LINE);
        assertEquals("/", request(feed, most + "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "").target());
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void acceptsAnHttp10RequestWithoutHost(Feed feed) {
        RequestHead head = request(feed, "GET / HTTP/1.0\r\n\r\n", "");

        assertEquals(HttpVersion.HTTP_1_0, head.version());
        assertEquals(0, head.headers().size());
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void acceptsBareLfOnlyWhenThatLeniencyIsOn(Feed feed) {
        String raw = "GET / HTTP/1.1\nHost: x\r\nA: b\n\n";
        Http1Parser<RequestHead> lenient = Http1Parser.forRequests(
                ParserOptions.standard().with(ParserOptions.Leniency.LF_LINE_ENDINGS));

        var complete = assertInstanceOf(ParseResult.Complete.class, feed.parse(lenient, raw).result());
        assertEquals("b", ((RequestHead) complete.head()).headers().value(1));
        var strict = assertInstanceOf(ParseResult.Rejected.class, feed.parse(Http1Parser.forRequests(), raw).result());
        assertEquals(HeadProblem.BARE_LF, strict.problem());
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void acceptsAStatusLineWithoutReasonOnlyWhenThatLeniencyIsOn(Feed feed) {
        String raw = "HTTP/1.1 204\r\nServer: x\r\n\r\n";
        Http1Parser<ResponseHead> lenient = Http1Parser.forResponses(
                ParserOptions.standard().with(ParserOptions.Leniency.STATUS_LINE_WITHOUT_REASON));

        assertEquals(204, response(feed, lenient, raw, "").status());
        var strict = assertInstanceOf(ParseResult.Rejected.class, feed.parse(Http1Parser.forResponses(), raw).result());
        assertEquals(HeadProblem.MALFORMED_STATUS_LINE, strict.problem());
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void skipsEmptyLinesBeforeAStatusLineOnlyWhenThatLeniencyIsOn(Feed feed) {
        String raw = "\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        Http1Parser<ResponseHead> lenient = Http1Parser.forResponses(
                ParserOptions.standard().with(ParserOptions.Leniency.EMPTY_LINES_BEFORE_STATUS_LINE));

        assertEquals(200, response(feed, lenient, raw, "").status());
        var strict = assertInstanceOf(ParseResult.Rejected.class, feed.parse(Http1Parser.forResponses(), raw).result());
        assertEquals(HeadProblem.MALFORMED_STATUS_LINE, strict.problem());
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void acceptsAnEmptyReasonAfterTheSpace(Feed feed) {
        ResponseHead head = response(feed, Http1Parser.forResponses(), "HTTP/1.0 200 \r\n\r\n", "");

        assertEquals("", head.reason());
        assertEquals(HttpVersion.HTTP_1_0, head.version());
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void consumesEverythingWhileTheHeadIsIncomplete(Feed feed) {
        Http1Parser<RequestHead> parser = Http1Parser.forRequests();
        Feed.Outcome<RequestHead> outcome = feed.parse(parser, "GET / HTTP/1.1\r\nHost: x\r\n");

        assertInstanceOf(ParseResult.NeedMore.class, outcome.result());
        assertEquals("", outcome.leftover());
        var complete = assertInstanceOf(ParseResult.Complete.class, parser.parse(ByteBuffer.wrap(new byte[] {'\r', '\n'})));
        assertEquals(27, complete.headLength());
    }

    @Test
    void keepsAnsweringTheSameRejectionUntilReset() {
        Http1Parser<RequestHead> parser = Http1Parser.forRequests();
        ParseResult<RequestHead> first = parser.parse(ascii("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n"));
        ParseResult<RequestHead> again = parser.parse(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));

        assertEquals(first, again);
        parser.reset();
        assertInstanceOf(ParseResult.Complete.class, parser.parse(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
    }

    static Stream<Arguments> brokenRequests() {
        String big = "a".repeat(40_000);
        return Stream.of(
                Arguments.of("obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n",
                        HeadProblem.OBSOLETE_LINE_FOLDING),
                Arguments.of("space after start line", "GET / HTTP/1.1\r\n Host: x\r\n\r\n",
                        HeadProblem.WHITESPACE_AFTER_START_LINE),
                Arguments.of("space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", HeadProblem.WHITESPACE_BEFORE_COLON),
                Arguments.of("tab before colon", "GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", HeadProblem.WHITESPACE_BEFORE_COLON),
                Arguments.of("invalid name char", "GET / HTTP/1.1\r\nHost: x\r\nA(b): c\r\n\r\n", HeadProblem.INVALID_FIELD_NAME),
                Arguments.of("empty name", "GET / HTTP/1.1\r\nHost: x\r\n: c\r\n\r\n", HeadProblem.INVALID_FIELD_NAME),
                Arguments.of("no colon", "GET / HTTP/1.1\r\nHost: x\r\nJustAName\r\n\r\n", HeadProblem.INVALID_FIELD_NAME),
                Arguments.of("control char in value", "GET / HTTP/1.1\r\nHost: x\r\nA: b\u0001c\r\n\r\n",
                        HeadProblem.INVALID_FIELD_VALUE),
                Arguments.of("DEL in value", "GET / HTTP/1.1\r\nHost: x\r\nA: b\u007fc\r\n\r\n", HeadProblem.INVALID_FIELD_VALUE),
                Arguments.of("escape in value", "GET / HTTP/1.1\r\nHost: x\r\nA: \u001b[31m\r\n\r\n",
                        HeadProblem.INVALID_FIELD_VALUE),
                Arguments.of("DEL late in a long value of a known field",
                        "GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: " + "a".repeat(45) + "\u007f\r\n\r\n",
                        HeadProblem.INVALID_FIELD_VALUE),
                Arguments.of("control char in a value after a tab in another",
                        "GET / HTTP/1.1\r\nHost: x\r\nA: b\tc\r\nB: d\u0002e\r\n\r\n", HeadProblem.INVALID_FIELD_VALUE),
                Arguments.of("space before colon after a known name",
                        "GET / HTTP/1.1\r\nHost: x\r\nUpgrade : websocket\r\n\r\n", HeadProblem.WHITESPACE_BEFORE_COLON),
                Arguments.of("known name then a non-token char", "GET / HTTP/1.1\r\nHost: x\r\nUpgrade(: a\r\n\r\n",
                        HeadProblem.INVALID_FIELD_NAME),
                Arguments.of("NUL in value", "GET / HTTP/1.1\r\nHost: x\r\nA: b\u0000c\r\n\r\n", HeadProblem.NUL_BYTE),
                Arguments.of("NUL in target", "GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n", HeadProblem.NUL_BYTE),
                Arguments.of("bare CR in value", "GET / HTTP/1.1\r\nHost: x\r\nA: b\rc\r\n\r\n", HeadProblem.BARE_CR),
                Arguments.of("bare CR ending a line", "GET / HTTP/1.1\rHost: x\r\n\r\n", HeadProblem.BARE_CR),
                Arguments.of("bare LF", "GET / HTTP/1.1\r\nHost: x\nA: b\r\n\r\n", HeadProblem.BARE_LF),
                Arguments.of("bare LF as final line", "GET / HTTP/1.1\r\nHost: x\r\n\n", HeadProblem.BARE_LF),
                Arguments.of("HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", HeadProblem.UNSUPPORTED_VERSION),
                Arguments.of("HTTP/1.2", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", HeadProblem.UNSUPPORTED_VERSION),
                Arguments.of("lower-case version", "GET / http/1.1\r\nHost: x\r\n\r\n", HeadProblem.MALFORMED_REQUEST_LINE),
                Arguments.of("version with suffix", "GET / HTTP/1.1x\r\nHost: x\r\n\r\n", HeadProblem.MALFORMED_REQUEST_LINE),
                Arguments.of("HTTP/0.9 style", "GET /\r\n\r\n", HeadProblem.MALFORMED_REQUEST_LINE),
                Arguments.of("two spaces", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", HeadProblem.MALFORMED_REQUEST_LINE),
                Arguments.of("trailing space", "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", HeadProblem.MALFORMED_REQUEST_LINE),
                Arguments.of("method not a token", "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", HeadProblem.MALFORMED_REQUEST_LINE),
                Arguments.of("space in target", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", HeadProblem.MALFORMED_REQUEST_LINE),
                Arguments.of("obs-text in target", "GET /caf\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n",
                        HeadProblem.INVALID_REQUEST_TARGET),
                Arguments.of("tab in target", "GET /a\tb HTTP/1.1\r\nHost: x\r\n\r\n", HeadProblem.INVALID_REQUEST_TARGET),
                Arguments.of("no Host in HTTP/1.1", "GET / HTTP/1.1\r\nA: b\r\n\r\n", HeadProblem.INVALID_HOST),
                Arguments.of("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", HeadProblem.INVALID_HOST),
                Arguments.of("too many fields", "GET / HTTP/1.1\r\nHost: x\r\n" + "A: b\r\n".repeat(100) + "\r\n",
                        HeadProblem.TOO_MANY_FIELDS),
                Arguments.of("head too large", "GET / HTTP/1.1\r\nHost: x\r\nA: " + big + "\r\n\r\n",
                        HeadProblem.HEAD_TOO_LARGE),
                Arguments.of("request line too long", "GET /" + big + " HTTP/1.1\r\nHost: x\r\n\r\n",
                        HeadProblem.REQUEST_LINE_TOO_LONG),
                Arguments.of("too many empty lines before the request line", "\r\n".repeat(
                        ParserOptions.MAX_EMPTY_LINES_BEFORE_START_LINE + 1) + "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                        HeadProblem.TOO_MANY_EMPTY_LINES),
                Arguments.of("a flood of empty lines", "\r\n".repeat(20_000), HeadProblem.TOO_MANY_EMPTY_LINES));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenRequests")
    void rejectsBrokenRequestHeadsWhicheverWayTheyArrive(String name, String raw, HeadProblem expected) {
        for (Feed feed : Feed.values()) {
            Feed.Outcome<RequestHead> outcome = feed.parse(Http1Parser.forRequests(), raw);
            var rejected = assertInstanceOf(ParseResult.Rejected.class, outcome.result(), () -> feed + ": " + outcome);
            assertEquals(expected, rejected.problem(), () -> feed + ": " + rejected.detail());
            assertEquals(expected.status(), rejected.status());
            assertTrue(rejected.detail().startsWith("expected"), rejected.detail());
            assertTrue(rejected.detail().chars().allMatch(c -> c >= 0x20 && c < 0x7F || c == '§'),
                    () -> "detail must be printable: " + rejected.detail());
        }
    }

    static Stream<Arguments> brokenResponses() {
        return Stream.of(
                Arguments.of("status below 100", "HTTP/1.1 099 Odd\r\n\r\n", HeadProblem.MALFORMED_STATUS_LINE),
                Arguments.of("status above 599", "HTTP/1.1 600 Odd\r\n\r\n", HeadProblem.MALFORMED_STATUS_LINE),
                Arguments.of("two-digit status", "HTTP/1.1 20 OK\r\n\r\n", HeadProblem.MALFORMED_STATUS_LINE),
                Arguments.of("four-digit status", "HTTP/1.1 2000 OK\r\n\r\n", HeadProblem.MALFORMED_STATUS_LINE),
                Arguments.of("no space before status", "HTTP/1.1200 OK\r\n\r\n", HeadProblem.MALFORMED_STATUS_LINE),
                Arguments.of("control char in reason", "HTTP/1.1 200 O\u0001K\r\n\r\n", HeadProblem.MALFORMED_STATUS_LINE),
                Arguments.of("HTTP/2", "HTTP/2.0 200 OK\r\n\r\n", HeadProblem.UNSUPPORTED_VERSION),
                Arguments.of("short line", "HTTP/1\r\n\r\n", HeadProblem.MALFORMED_STATUS_LINE),
                Arguments.of("empty first line", "\r\nHTTP/1.1 200 OK\r\n\r\n", HeadProblem.MALFORMED_STATUS_LINE),
                Arguments.of("obs-fold", "HTTP/1.1 200 OK\r\nA: b\r\n\tc\r\n\r\n", HeadProblem.OBSOLETE_LINE_FOLDING),
                Arguments.of("NUL", "HTTP/1.1 200 OK\r\nA: \u0000\r\n\r\n", HeadProblem.NUL_BYTE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenResponses")
    void rejectsBrokenResponseHeadsWith502(String name, String raw, HeadProblem expected) {
        for (Feed feed : Feed.values()) {
            Feed.Outcome<ResponseHead> outcome = feed.parse(Http1Parser.forResponses(), raw);
            var rejected = assertInstanceOf(ParseResult.Rejected.class, outcome.result(), () -> feed + ": " + outcome);
            assertEquals(expected, rejected.problem(), () -> feed + ": " + rejected.detail());
            assertEquals(502, rejected.status());
        }
    }

    @Test
    void appliesConfiguredLimits() {
        ParserOptions small = ParserOptions.standard().withMaxHeadBytes(64).withMaxFields(2);
        String threeFields = "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n";
        var tooMany = assertInstanceOf(ParseResult.Rejected.class, Http1Parser.forRequests(small).parse(ascii(threeFields)));
        assertEquals(HeadProblem.TOO_MANY_FIELDS, tooMany.problem());
        assertEquals(431, tooMany.status());

        String longHead = "GET / HTTP/1.1\r\nHost: x\r\nA: " + "b".repeat(60) + "\r\n\r\n";
        var tooLarge = assertInstanceOf(ParseResult.Rejected.class, Http1Parser.forRequests(small).parse(ascii(longHead)));
        assertEquals(HeadProblem.HEAD_TOO_LARGE, tooLarge.problem());
    }

    @Test
    void acceptsAHeadOfExactlyTheLimit() {
        String head = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        ParserOptions exact = ParserOptions.standard().withMaxHeadBytes(head.length());

        assertInstanceOf(ParseResult.Complete.class, Http1Parser.forRequests(exact).parse(ascii(head)));
        assertInstanceOf(ParseResult.Rejected.class, Http1Parser.forRequests(exact.withMaxHeadBytes(head.length() - 1))
                .parse(ascii(head)));
    }

    @Test
    void rejectsAnOverlongHeadBeforeItsEndArrives() {
        Http1Parser<RequestHead> parser = Http1Parser.forRequests(ParserOptions.standard().withMaxHeadBytes(100));
        ByteBuffer endless = ascii("GET / HTTP/1.1\r\nHost: x\r\nA: " + "b".repeat(200));

        var rejected = assertInstanceOf(ParseResult.Rejected.class, parser.parse(endless));
        assertEquals(HeadProblem.HEAD_TOO_LARGE, rejected.problem());
    }

    @Test
    void sharesConstantsForCanonicallySpelledNames() {
        var complete = assertInstanceOf(ParseResult.Complete.class,
                Http1Parser.forRequests().parse(ascii("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n")));

        assertTrue(((RequestHead) complete.head()).headers().name(1) == HeaderName.UPGRADE);
    }

    @ParameterizedTest
    @EnumSource(Feed.class)
    void readsOtherSpellingsAsNamesThatEqualAndHashLikeTheirConstants(Feed feed) {
        var complete = assertInstanceOf(ParseResult.Complete.class, feed.parse(Http1Parser.forRequests(), """
                GET / HTTP/1.1\r
                host: x\r
                UPGRADE: websocket\r
                sec-ch-ua-mobile: ?0\r
                \r
                """).result());
        Headers headers = ((RequestHead) complete.head()).headers();

        assertEquals(List.of("host", "UPGRADE", "sec-ch-ua-mobile"),
                List.of(headers.name(0).toString(), headers.name(1).toString(), headers.name(2).toString()));
        assertEquals(HeaderName.HOST, headers.name(0));
        assertEquals(HeaderName.HOST.hashCode(), headers.name(0).hashCode());
        assertEquals(HeaderName.UPGRADE.hashCode(), headers.name(1).hashCode());
        assertEquals(HeaderName.of("Sec-CH-UA-Mobile").hashCode(), headers.name(2).hashCode());
        assertEquals(HeaderName.of("Sec-CH-UA-Mobile"), headers.name(2));
    }

    /**
     * The parser skips runs of ordinary bytes eight at a time; a forbidden byte must be found in every
     * position of a long value and of a long request line, whatever its place in an eight-byte word.
     */
    @Test
    void findsEveryForbiddenByteInEveryPositionOfALongValueAndALongRequestLine() {
        String value = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN"; // 50 bytes
        for (int bad = 0; bad < 0x80; bad++) {
            boolean allowed = bad == '\t' || bad >= 0x20 && bad != 0x7F;
            if (allowed) {
                continue;
            }
            for (int at = 0; at < value.length(); at++) {
                char[] chars = value.toCharArray();
                chars[at] = (char) bad;
                String head = "GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + new String(chars) + "\r\n\r\n";
                ParseResult<RequestHead> result = Http1Parser.forRequests().parse(ascii(head));
                ParseResult.Rejected<?> rejected = assertInstanceOf(ParseResult.Rejected.class, result,
                        "byte " + bad + " at " + at);
                HeadProblem expected = bad == 0 ? HeadProblem.NUL_BYTE : bad == '\r' ? HeadProblem.BARE_CR
                        : bad == '\n' ? HeadProblem.BARE_LF : HeadProblem.INVALID_FIELD_VALUE;
                assertEquals(expected, rejected.problem(), "byte " + bad + " at " + at);
                String line = "GET /" + new String(chars) + " HTTP/1.1\r\nHost: a\r\n\r\n";
                ParseResult.Rejected<?> inLine = assertInstanceOf(ParseResult.Rejected.class,
                        Http1Parser.forRequests().parse(ascii(line)), "byte " + bad + " at " + at + " of the line");
                if (bad == 0 || bad == '\r' || bad == '\n') {
                    assertEquals(expected, inLine.problem(), "byte " + bad + " at " + at + " of the line");
                }
            }
        }
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
