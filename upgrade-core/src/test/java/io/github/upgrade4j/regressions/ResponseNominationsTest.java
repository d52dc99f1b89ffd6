package io.github.upgrade4j.regressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.http.Headers;
import org.junit.jupiter.api.Test;

/**
 * Response-side nominations: Go lost them when {@code close} was present and never stripped 1xx
 * (golang/go#81319) or 101 heads; nginx, Envoy and HAProxy never strip them at all.
 */
class ResponseNominationsTest {
    private final HopByHopPolicy policy = HopByHopPolicy.standard();

    @Test
    void aFinalResponseWithXHopAndCloseLeaksNeither() {
        var forward = assertInstanceOf(Forwarding.Forward.class, policy.forResponse(Wire.response("""
                HTTP/1.1 200 OK\r
                Connection: X-Hop, close\r
                X-Hop: internal\r
                Content-Length: 0\r
                \r
                """)));

        assertEquals(Headers.of("Content-Length", "0"), forward.headers());
    }

    @Test
    void a103EarlyHintsLosesItsNominatedFields() {
        var forward = assertInstanceOf(Forwarding.Forward.class, policy.forResponse(Wire.response("""
                HTTP/1.1 103 Early Hints\r
                Connection: X-Debug\r
                X-Debug: backend-3\r
                Link: </app.js>; rel=preload\r
                \r
                """)));

        assertEquals(Headers.of("Link", "</app.js>; rel=preload"), forward.headers());
    }

    @Test
    void a101LosesItsNominatedFieldsButNotItsUpgrade() {
        var forward = assertInstanceOf(Forwarding.Forward.class, policy.forResponse(Wire.response("""
                HTTP/1.1 101 Switching Protocols\r
                Connection: upgrade, X-Debug\r
                Upgrade: websocket\r
                X-Debug: backend-3\r
                Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
                \r
                """)));

        assertEquals(Headers.of("Connection", "upgrade", "Upgrade", "websocket",
                "Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), forward.headers());
    }
}
