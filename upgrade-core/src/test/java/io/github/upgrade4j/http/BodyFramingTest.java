package io.github.upgrade4j.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BodyFramingTest {
    private static RequestHead post(HttpVersion version, String... namesAndValues) {
        return new RequestHead("POST", "/", version, Headers.of(namesAndValues));
    }

    private static ResponseHead response(int status, String... namesAndValues) {
        return ResponseHead.of(status, Headers.of(namesAndValues));
    }

    @Test
    void aRequestWithoutLengthHasNoBody() {
        assertEquals(new BodyFraming.None(), BodyFraming.ofRequest(post(HttpVersion.HTTP_1_1, "Host", "x")));
    }

    @Test
    void aRequestWithContentLengthHasThatManyBytes() {
        assertEquals(new BodyFraming.FixedLength(42),
                BodyFraming.ofRequest(post(HttpVersion.HTTP_1_1, "Content-Length", "42")));
        assertEquals(new BodyFraming.FixedLength(0),
                BodyFraming.ofRequest(post(HttpVersion.HTTP_1_1, "Content-Length", "0")));
        assertEquals(new BodyFraming.FixedLength(999_999_999_999_999_999L),
                BodyFraming.ofRequest(post(HttpVersion.HTTP_1_1, "Content-Length", "999999999999999999")));
    }

    @Test
    void identicalRepeatedLengthsAreOneLength() {
        assertEquals(new BodyFraming.FixedLength(42),
                BodyFraming.ofRequest(post(HttpVersion.HTTP_1_1, "Content-Length", "42, 42", "Content-Length", "42")));
    }

    @Test
    void chunkedAsTheFinalCodingIsChunked() {
        assertEquals(new BodyFraming.Chunked(),
                BodyFraming.ofRequest(post(HttpVersion.HTTP_1_1, "Transfer-Encoding", "gzip", "Transfer-Encoding", "CHUNKED")));
    }

    @Test
    void codingsMayCarryParametersWithOwsAndQuotedCommas() {
        assertEquals(new BodyFraming.Chunked(), BodyFraming.ofRequest(post(HttpVersion.HTTP_1_1,
                "Transfer-Encoding", "gzip ; level = 9 ; note=\"a, chunked; b\"", "Transfer-Encoding", "chunked")));
    }

    @Test
    void aNoBreakSpaceBeforeAParameterIsRefusedNotTrimmed() {
        var invalid = assertInstanceOf(BodyFraming.Invalid.class,
                BodyFraming.ofResponse(response(200, "Transfer-Encoding", "gzip; level=1\u00a0; x, chunked"), "GET"));

        assertEquals(FramingProblem.INVALID_TRANSFER_ENCODING, invalid.problem());
        assertEquals(502, invalid.status());
    }

    static Stream<Arguments> smuggling() {
        return Stream.of(
                Arguments.of(post(HttpVersion.HTTP_1_1, "Content-Length", "5", "Transfer-Encoding", "chunked"),
                        FramingProblem.CONTENT_LENGTH_WITH_TRANSFER_ENCODING),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Content-Length", "5", "Content-Length", "6"),
                        FramingProblem.DIFFERING_CONTENT_LENGTHS),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Content-Length", "5, 6"), FramingProblem.DIFFERING_CONTENT_LENGTHS),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Content-Length", "+5"), FramingProblem.INVALID_CONTENT_LENGTH),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Content-Length", "-1"), FramingProblem.INVALID_CONTENT_LENGTH),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Content-Length", "0x10"), FramingProblem.INVALID_CONTENT_LENGTH),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Content-Length", ""), FramingProblem.INVALID_CONTENT_LENGTH),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Content-Length", "1 2"), FramingProblem.INVALID_CONTENT_LENGTH),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Content-Length", "9999999999999999999"),
                        FramingProblem.INVALID_CONTENT_LENGTH),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Transfer-Encoding", "chunked, gzip"), FramingProblem.CHUNKED_NOT_FINAL),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Transfer-Encoding", "identity"), FramingProblem.CHUNKED_NOT_FINAL),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Transfer-Encoding", "chunked", "Transfer-Encoding", "chunked"),
                        FramingProblem.CHUNKED_APPLIED_TWICE),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Transfer-Encoding", "\"chunked\""),
                        FramingProblem.INVALID_TRANSFER_ENCODING),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Transfer-Encoding", ", ,"), FramingProblem.INVALID_TRANSFER_ENCODING),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Transfer-Encoding", "chunked\u00a0"),
                        FramingProblem.INVALID_TRANSFER_ENCODING),
                // Only SP and HTAB are whitespace (RFC 9110 §5.6.3); a no-break space is obs-text, not OWS.
                Arguments.of(post(HttpVersion.HTTP_1_1, "Transfer-Encoding", "gzip\u00a0; level=1, chunked"),
                        FramingProblem.INVALID_TRANSFER_ENCODING),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Transfer-Encoding", "gzip;;level=1, chunked"),
                        FramingProblem.INVALID_TRANSFER_ENCODING),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Transfer-Encoding", "gzip; level=\"1, chunked"),
                        FramingProblem.INVALID_TRANSFER_ENCODING),
                Arguments.of(post(HttpVersion.HTTP_1_1, "Transfer-Encoding", "gzip; level=1 2, chunked"),
                        FramingProblem.INVALID_TRANSFER_ENCODING),
                Arguments.of(post(HttpVersion.HTTP_1_0, "Transfer-Encoding", "chunked"),
                        FramingProblem.TRANSFER_ENCODING_IN_HTTP_1_0));
    }

    @ParameterizedTest
    @MethodSource("smuggling")
    void refusesRequestsWhoseBodyCannotBeDelimitedSafely(RequestHead request, FramingProblem expected) {
        var invalid = assertInstanceOf(BodyFraming.Invalid.class, BodyFraming.ofRequest(request));

        assertEquals(expected, invalid.problem(), invalid.detail());
        assertEquals(400, invalid.status());
    }

    @Test
    void responsesWithoutBodies() {
        for (int status : new int[] {100, 103, 204, 304}) {
            assertEquals(new BodyFraming.None(), BodyFraming.ofResponse(response(status, "Content-Length", "10"), "GET"));
        }
        assertEquals(new BodyFraming.None(), BodyFraming.ofResponse(response(200, "Content-Length", "10"), "HEAD"));
    }

    @Test
    void aSwitchOrAConnectSuccessBecomesATunnel() {
        assertEquals(new BodyFraming.Tunnel(), BodyFraming.ofResponse(response(101, "Upgrade", "websocket"), "GET"));
        assertEquals(new BodyFraming.Tunnel(), BodyFraming.ofResponse(response(200), "CONNECT"));
        assertEquals(new BodyFraming.UntilClose(), BodyFraming.ofResponse(response(407), "CONNECT"));
    }

    @Test
    void responseBodies() {
        assertEquals(new BodyFraming.UntilClose(), BodyFraming.ofResponse(response(200), "GET"));
        assertEquals(new BodyFraming.FixedLength(7), BodyFraming.ofResponse(response(200, "Content-Length", "7"), "GET"));
        assertEquals(new BodyFraming.Chunked(), BodyFraming.ofResponse(response(200, "Transfer-Encoding", "chunked"), "GET"));
        assertEquals(new BodyFraming.UntilClose(),
                BodyFraming.ofResponse(response(200, "Transfer-Encoding", "chunked, gzip"), "GET"));
    }

    @Test
    void ambiguousResponsesAreRefusedWith502() {
        var invalid = assertInstanceOf(BodyFraming.Invalid.class, BodyFraming.ofResponse(
                response(200, "Content-Length", "7", "Transfer-Encoding", "chunked"), "GET"));

        assertEquals(FramingProblem.CONTENT_LENGTH_WITH_TRANSFER_ENCODING, invalid.problem());
        assertEquals(502, invalid.status());
        assertEquals("RFC 9112 §6.3", invalid.problem().spec());
    }
}
