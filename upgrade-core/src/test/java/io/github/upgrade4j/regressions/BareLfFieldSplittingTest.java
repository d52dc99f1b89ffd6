package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.upgrade4j.http.BodyFraming;
import io.github.upgrade4j.http.HeadProblem;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.ParserOptions;
import io.github.upgrade4j.http.RequestHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17, item 10: with {@link ParserOptions.Leniency#LF_LINE_ENDINGS} on, {@code Dummy: x\nContent-Length:
 * 23} is two field lines, and the second frames a body. A peer that ends lines only at CRLF sees one field
 * {@code Dummy} holding the LF and no length, so the 23 bytes this parser takes for a body it takes for a
 * second request: a request-smuggling shape, now stated in the leniency's javadoc. These tests pin the
 * behaviour down: off (the default) the bare LF is rejected; on, two fields; and a head written again by
 * {@link Http1Writer} has CRLF everywhere, so a strict peer reads it as this parser did.
 */
class BareLfFieldSplittingTest {
    /** 23 bytes: a body to the lenient reader, a second request to a reader that finds no length. */
    private static final String SMUGGLED = "GET /admin HTTP/1.1\r\n\r\n";
    private static final String ATTACK = "POST /upload HTTP/1.1\r\n"
            + "Host: app.example\r\n"
            + "Dummy: x\nContent-Length: 23\r\n"
            + "\r\n"
            + SMUGGLED;
    private static final ParserOptions LENIENT = ParserOptions.standard().with(ParserOptions.Leniency.LF_LINE_ENDINGS);

    @ParameterizedTest(name = "{0} bytes a call")
    @ValueSource(ints = {1, 7, Integer.MAX_VALUE})
    void withTheLeniencyOnABareLfSplitsOneLineIntoTwoFieldsAndTheSecondFramesTheBody(int chunk) {
        Fed fed = feed(Http1Parser.forRequests(LENIENT), ATTACK, chunk);

        var complete = assertInstanceOf(ParseResult.Complete.class, fed.result());
        RequestHead head = (RequestHead) complete.head();
        assertEquals(List.of("x"), head.headers().values(HeaderName.of("Dummy")));
        assertEquals(List.of("23"), head.headers().values(HeaderName.CONTENT_LENGTH));
        assertEquals(new BodyFraming.FixedLength(23), BodyFraming.ofRequest(head));
        assertEquals(SMUGGLED, fed.leftover(), "the lenient reader takes these bytes for a body");
    }

    @ParameterizedTest(name = "{0} bytes a call")
    @ValueSource(ints = {1, 7, Integer.MAX_VALUE})
    void withTheLeniencyOffTheBareLfIsRejected(int chunk) {
        Fed fed = feed(Http1Parser.forRequests(), ATTACK, chunk);

        var rejected = assertInstanceOf(ParseResult.Rejected.class, fed.result());
        assertEquals(HeadProblem.BARE_LF, rejected.problem());
        assertEquals(400, rejected.status());
        int at = ATTACK.indexOf("x\n") + 1;
        assertEquals("expected CRLF but found a bare LF at byte " + at, rejected.detail());
    }

    @ParameterizedTest(name = "{0} bytes a call")
    @ValueSource(ints = {1, Integer.MAX_VALUE})
    void theHeadWrittenAgainHasNoBareLfSoAStrictReaderFramesTheBodyAlike(int chunk) {
        var lenient = assertInstanceOf(ParseResult.Complete.class, feed(Http1Parser.forRequests(LENIENT), ATTACK, chunk)
                .result());
        String rewritten = new String(Http1Writer.toBytes((RequestHead) lenient.head()), StandardCharsets.ISO_8859_1);

        assertFalse(rewritten.replace("\r\n", "").contains("\n"), rewritten);
        var strict = assertInstanceOf(ParseResult.Complete.class, feed(Http1Parser.forRequests(), rewritten, chunk)
                .result());
        assertEquals(lenient.head(), strict.head());
        assertEquals(new BodyFraming.FixedLength(23), BodyFraming.ofRequest((RequestHead) strict.head()));
    }

    private record Fed(ParseResult<RequestHead> result, String leftover) {}

    private static Fed feed(Http1Parser<RequestHead> parser, String text, int chunk) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        ParseResult<RequestHead> result = new ParseResult.NeedMore<>();
        int at = 0;
        while (at < bytes.length) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes, at, Math.min(chunk, bytes.length - at));
            result = parser.parse(buffer);
            at = buffer.position();
            if (!(result instanceof ParseResult.NeedMore)) {
                break;
            }
        }
        return new Fed(result, new String(bytes, at, bytes.length - at, StandardCharsets.ISO_8859_1));
    }
}
