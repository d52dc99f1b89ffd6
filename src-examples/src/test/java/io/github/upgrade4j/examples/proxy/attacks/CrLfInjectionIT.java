package io.github.upgrade4j.examples.proxy.attacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.RequestHead;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CR/LF injection (CWE-113) in field names and values, end to end through the example proxy: a bare
 * CR or LF, a NUL or a folded line lets one hop see a field boundary another does not, which injects
 * fields (a second {@code Upgrade}, a {@code Set-Cookie}) or whole messages. Every such request is
 * refused with 400 before any upstream is contacted; nothing is trimmed away and passed on. An
 * upstream answer with the same defects is a 502, never relayed, and never opens a tunnel.
 */
public class CrLfInjectionIT extends ThroughTheProxy {
    private static final String HEAD = "GET /chat HTTP/1.1\r\nHost: app.example\r\n";
    private static final String WEBSOCKET_FIELDS = "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

    @ParameterizedTest
    @ValueSource(strings = {
        "X-Note: a\rUpgrade: h2c\r\n",
        "X-Note: a\nUpgrade: h2c\r\n",
        "X-Note: a\r\n\rUpgrade: h2c\r\n",
        "X-Note: a\u0000Upgrade: h2c\r\n",
        "X-Note\r: a\r\n",
        "X-No\nte: a\r\n",
        "Upgrade : websocket\r\n",
        "X-Note: a\r\n Upgrade: h2c\r\n",
        "X-Note: a\r\n\tUpgrade: h2c\r\n",
        "X-Note: a\u007fb\r\n",
        "X-Note: a\u001bb\r\n"})
    void aBrokenFieldLineIsRefused400AndNothingReachesTheUpstream(String injected) throws Exception {
        RawClient.Reply reply = send(HEAD + WEBSOCKET_FIELDS + injected + "\r\n" + SMUGGLED);

        assertEquals(400, reply.status(), reply::text);
        assertEquals(1, reply.statuses().size(), reply::text);
        reply.assertCloses();
        upstream.assertNeverContacted();
        assertFalse(reply.text().contains("HTTP/1.1 101"), reply::text); // a status line, not the random request id
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /a\rb HTTP/1.1\r\n", "GET /a\nHost: x HTTP/1.1\r\n", "GET /a HTTP/1.1\rX: y\r\n",
        "GET /a\u0000 HTTP/1.1\r\n"})
    void aBrokenRequestLineIsRefusedAndNothingReachesTheUpstream(String requestLine) throws Exception {
        RawClient.Reply reply = send(requestLine + "Host: app.example\r\n" + WEBSOCKET_FIELDS + "\r\n" + SMUGGLED);

        assertEquals(400, reply.status(), reply::text);
        upstream.assertNeverContacted();
    }

    @Test
    void percentEncodedLineEndsInTheTargetTravelVerbatimAndAddNoField() throws Exception {
        RawClient.Reply reply = send("GET /a%0d%0aSet-Cookie:%20admin=1 HTTP/1.1\r\nHost: app.example\r\n"
                + "Connection: close\r\n\r\n");

        assertEquals(200, reply.status(), reply::text);
        RequestHead got = upstream.peer(0).awaitEnd().requests().get(0);
        assertEquals("/a%0d%0aSet-Cookie:%20admin=1", got.target());
        assertFalse(got.headers().contains(HeaderName.of("Set-Cookie")));
    }

    /** An upstream whose answer carries the same defects: a 502, and no tunnel for a broken 101. */
    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nSet-Cookie: a=b\rX-Injected: 1\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nSet-Cookie: a=b\nX-Injected: 1\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n X-Folded: 1\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\rX-Injected: 1\r\n\r\n",
        "HTTP/1.1 101 Switching\nProtocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"})
    void aBrokenUpstreamAnswerIsA502AndNeverOpensATunnel(String answer) throws Exception {
        upstream.script(ScriptedUpstream.answering(answer));

        RawClient.Reply reply = send(HEAD + WEBSOCKET_FIELDS + "\r\n");

        assertEquals(502, reply.status(), reply::text);
        assertFalse(reply.head().contains("\r\nX-Injected") || reply.head().contains("X-Folded"), reply::text);
        assertFalse(proxy.output().contains("/chat -> 101"), proxy::output);
    }
}
