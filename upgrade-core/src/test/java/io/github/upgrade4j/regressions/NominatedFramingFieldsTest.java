package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.http.BodyFraming;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.RequestHead;
import org.junit.jupiter.api.Test;

/**
 * Nominating {@code Content-Length}, {@code Transfer-Encoding} or {@code Host} must not change how
 * the forwarded message is framed or routed: the desync a naive stripper creates when it drops the
 * length of a body it still forwards.
 */
class NominatedFramingFieldsTest {
    @Test
    void aNominatedContentLengthIsKeptSoTheBodyStaysDelimited() {
        RequestHead head = Wire.request("""
                POST /upload HTTP/1.1\r
                Host: app.example\r
                Content-Length: 5\r
                Connection: Content-Length\r
                \r
                """);
        var forward = assertInstanceOf(Forwarding.Forward.class, HopByHopPolicy.standard().forRequest(head));

        assertEquals(BodyFraming.ofRequest(head), BodyFraming.ofRequest(head.withHeaders(forward.headers())));
        assertEquals(new BodyFraming.FixedLength(5), BodyFraming.ofRequest(head.withHeaders(forward.headers())));
    }

    @Test
    void aNominatedTransferEncodingIsRemovedAsHopByHopAndTheReceivedFramingStillApplies() {
        RequestHead head = Wire.request("""
                POST /upload HTTP/1.1\r
                Host: app.example\r
                Transfer-Encoding: chunked\r
                Connection: Transfer-Encoding\r
                \r
                """);
        var forward = assertInstanceOf(Forwarding.Forward.class, HopByHopPolicy.standard().forRequest(head));

        assertEquals(new BodyFraming.Chunked(), BodyFraming.ofRequest(head));
        assertEquals(Forwarding.RemovalCause.HOP_BY_HOP, forward.removals().stream()
                .filter(r -> r.field().name().equals(HeaderName.TRANSFER_ENCODING)).findFirst().orElseThrow().cause());
    }

    @Test
    void aNominatedHostIsKept() {
        var forward = assertInstanceOf(Forwarding.Forward.class, Wire.forward(HopByHopPolicy.standard(), """
                GET / HTTP/1.1\r
                Host: app.example\r
                Connection: Host\r
                \r
                """));

        assertEquals("app.example", forward.headers().first(HeaderName.HOST).orElseThrow());
    }
}
