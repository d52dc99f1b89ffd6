package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.BodyFraming;
import io.github.upgrade4j.http.FramingProblem;
import io.github.upgrade4j.http.RequestHead;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, item 8: {@code BodyFraming.ofRequest} framed a {@code CONNECT} with {@code Content-Length:
 * 10} as a 10-byte body, while RFC 9110 §9.3.6 says a CONNECT request has no content and llhttp passes
 * the bytes behind its head to the tunnel. A proxy and its peer disagreeing on where a message ends is
 * a smuggling shape, so such a CONNECT is now refused with 400; {@code Content-Length: 0} is accepted,
 * since it promises no bytes and every reading agrees.
 */
class ConnectWithContentTest {
    @Test
    void aConnectWithContentLengthIsRefusedInsteadOfFramedAsABody() {
        RequestHead head = Wire.request("""
                CONNECT app.example:443 HTTP/1.1\r
                Host: app.example:443\r
                Content-Length: 10\r
                \r
                """);

        var invalid = assertInstanceOf(BodyFraming.Invalid.class, BodyFraming.ofRequest(head));
        assertEquals(FramingProblem.CONNECT_WITH_CONTENT, invalid.problem());
        assertEquals(400, invalid.status());
        assertEquals("RFC 9110 §9.3.6", invalid.problem().spec());
        assertTrue(invalid.detail().startsWith("expected no Content-Length other than 0"), invalid.detail());
        assertTrue(invalid.detail().endsWith("but it was 10"), invalid.detail());
    }

    @Test
    void aConnectWithChunkedTransferEncodingIsRefused() {
        RequestHead head = Wire.request("""
                CONNECT app.example:443 HTTP/1.1\r
                Host: app.example:443\r
                Transfer-Encoding: chunked\r
                \r
                """);

        var invalid = assertInstanceOf(BodyFraming.Invalid.class, BodyFraming.ofRequest(head));
        assertEquals(FramingProblem.CONNECT_WITH_CONTENT, invalid.problem());
        assertEquals(400, invalid.status());
    }

    @Test
    void aConnectWithBothFramingFieldsIsRefusedAsAConnectWithContent() {
        RequestHead head = Wire.request("""
                CONNECT app.example:443 HTTP/1.1\r
                Host: app.example:443\r
                Content-Length: 0\r
                Transfer-Encoding: chunked\r
                \r
                """);

        var invalid = assertInstanceOf(BodyFraming.Invalid.class, BodyFraming.ofRequest(head));
        assertEquals(FramingProblem.CONNECT_WITH_CONTENT, invalid.problem());
    }

    @Test
    void aConnectWithContentLengthZeroHasNoBody() {
        RequestHead head = Wire.request("""
                CONNECT app.example:443 HTTP/1.1\r
                Host: app.example:443\r
                Content-Length: 0\r
                \r
                """);

        assertEquals(new BodyFraming.None(), BodyFraming.ofRequest(head));
    }

    @Test
    void aMalformedContentLengthOnAConnectIsReportedAsMalformed() {
        RequestHead head = Wire.request("""
                CONNECT app.example:443 HTTP/1.1\r
                Host: app.example:443\r
                Content-Length: 0, 1\r
                \r
                """);

        var invalid = assertInstanceOf(BodyFraming.Invalid.class, BodyFraming.ofRequest(head));
        assertEquals(FramingProblem.DIFFERING_CONTENT_LENGTHS, invalid.problem());
        assertEquals(400, invalid.status());
    }

    @Test
    void aConnectWithoutFramingFieldsHasNoBodyAndItsSuccessOpensATunnel() {
        RequestHead head = Wire.request("""
                CONNECT app.example:443 HTTP/1.1\r
                Host: app.example:443\r
                \r
                """);

        assertEquals(new BodyFraming.None(), BodyFraming.ofRequest(head));
        assertEquals(new BodyFraming.Tunnel(), BodyFraming.ofResponse(Wire.response("""
                HTTP/1.1 200 Connection Established\r
                Content-Length: 10\r
                \r
                """), head.method()));
    }

    @Test
    void onlyTheUpperCaseMethodIsConnect() {
        RequestHead head = Wire.request("""
                connect app.example:443 HTTP/1.1\r
                Host: app.example:443\r
                Content-Length: 10\r
                \r
                """);

        assertEquals(new BodyFraming.FixedLength(10), BodyFraming.ofRequest(head));
    }
}
