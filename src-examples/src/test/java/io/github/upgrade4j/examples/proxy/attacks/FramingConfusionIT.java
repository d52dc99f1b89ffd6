package io.github.upgrade4j.examples.proxy.attacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CL.TE and TE.CL request smuggling on requests that carry {@code Upgrade}, end to end through the
 * example proxy: two framings in one head let two hops disagree on where the body ends, and an
 * upgrade adds a third reading, the tunnel. A head whose framing is ambiguous or invalid is refused
 * with 400 before any upstream is contacted (RFC 9112 §6.3); a well-framed body is forwarded exactly,
 * and the bytes after it never reach the upstream unless it really switched.
 */
public class FramingConfusionIT extends ThroughTheProxy {
    private static final String UPGRADE_HEAD = WEBSOCKET.substring(0, WEBSOCKET.length() - 2);

    @Test
    void clTeOnAnUpgradeIsRefusedBeforeTheUpstreamIsContacted() throws Exception {
        RawClient.Reply reply = send(UPGRADE_HEAD + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG"
                + SMUGGLED);

        assertEquals(400, reply.status(), reply::text);
        assertEquals(1, reply.statuses().size(), reply::text);
        upstream.assertNeverContacted();
    }

    @Test
    void teClOnAnUpgradeIsRefusedBeforeTheUpstreamIsContacted() throws Exception {
        RawClient.Reply reply = send(UPGRADE_HEAD + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
                + "8\r\nSMUGGLED\r\n0\r\n\r\n" + SMUGGLED);

        assertEquals(400, reply.status(), reply::text);
        assertEquals(1, reply.statuses().size(), reply::text);
        upstream.assertNeverContacted();
    }

    /** Obfuscations that make one hop see a chunked body and another a length, or two lengths. */
    @ParameterizedTest
    @ValueSource(strings = {
        "Content-Length: 0\r\nContent-Length: 44\r\n",
        "Content-Length: 0, 44\r\n",
        "Content-Length: +44\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: chunked, identity\r\n",
        "Transfer-Encoding: xchunked\r\n",
        "Transfer-Encoding: \"chunked\"\r\n",
        "Transfer-Encoding : chunked\r\n",
        "Transfer-Encoding:\u000bchunked\r\n",
        " Transfer-Encoding: chunked\r\n",
        "Transfer-Encoding: chunked\r\n Content-Length: 44\r\n"})
    void anObfuscatedFramingOnAnUpgradeIsRefusedBeforeTheUpstreamIsContacted(String framing) throws Exception {
        RawClient.Reply reply = send(UPGRADE_HEAD + framing + "\r\n0\r\n\r\n" + SMUGGLED);

        assertEquals(400, reply.status(), reply::text);
        assertEquals(1, reply.statuses().size(), reply::text);
        upstream.assertNeverContacted();
    }

    @Test
    void chunkedOnAnHttp10UpgradeIsRefused() throws Exception {
        RawClient.Reply reply = send(UPGRADE_HEAD.replace("HTTP/1.1", "HTTP/1.0") + "Transfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n" + SMUGGLED);

        assertEquals(400, reply.status(), reply::text);
        upstream.assertNeverContacted();
    }

    @Test
    void aLengthFramedBodyIsForwardedExactlyAndWhatFollowsItNeverReachesTheUpstream() throws Exception {
        upstream.script(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
            peer.readToEnd();
        });

        RawClient.Reply reply = send(UPGRADE_HEAD + "Content-Length: 5\r\n\r\nhello" + SMUGGLED);

        assertEquals(403, reply.status(), reply::text);
        reply.assertCloses();
        assertEquals(1, reply.statuses().size(), reply::text);
        String got = upstream.peer(0).awaitEnd().received();
        assertEquals("hello", got.substring(got.indexOf("\r\n\r\n") + 4), "the body, exactly");
        assertFalse(got.contains("/flag"), got);
    }

    @Test
    void aChunkedBodyIsForwardedChunkByChunkAndWhatFollowsItNeverReachesTheUpstream() throws Exception {
        upstream.script(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            peer.readToEnd();
        });

        RawClient.Reply reply = send(UPGRADE_HEAD + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + SMUGGLED);

        assertEquals(200, reply.status(), reply::text);
        assertEquals(1, reply.statuses().size(), reply::text);
        String got = upstream.peer(0).awaitEnd().received();
        assertEquals("5\r\nhello\r\n0\r\n\r\n", got.substring(got.indexOf("\r\n\r\n") + 4), "the body, exactly");
    }

    @Test
    void aMalformedChunkStopsTheCopySoNothingAfterItReachesTheUpstream() throws Exception {
        upstream.script(peer -> {
            peer.readRequest();
            peer.readToEnd(); // never answers: the proxy must give up on the body on its own
        });

        RawClient.Reply reply = send(UPGRADE_HEAD + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\n" + SMUGGLED);

        assertTrue(reply.status() >= 400, reply::text);
        assertEquals(1, reply.statuses().size(), reply::text);
        String got = upstream.peer(0).awaitEnd().received();
        assertFalse(got.contains("/flag"), got);
        assertFalse(got.contains("ZZ"), got);
        assertFalse(proxy.output().contains("/chat -> 101"), proxy::output);
    }

    /**
     * The client's body is malformed, so the answer is the client's fault (400), not the upstream's
     * (the proxy once answered 502 "the upstream could not be reached" here).
     */
    @Test
    void aMalformedChunkIsAnswered400NotBlamedOnTheUpstream() throws Exception {
        upstream.script(peer -> {
            peer.readRequest();
            peer.readToEnd();
        });

        RawClient.Reply reply = send(UPGRADE_HEAD + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\n" + SMUGGLED);

        assertEquals(400, reply.status(), reply::text);
    }
}
