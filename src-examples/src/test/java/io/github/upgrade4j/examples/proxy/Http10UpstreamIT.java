package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.proxy.attacks.LogLines;
import io.github.upgrade4j.examples.proxy.attacks.RawClient;
import io.github.upgrade4j.examples.proxy.attacks.ScriptedUpstream;
import io.github.upgrade4j.examples.proxy.attacks.LogLines;
import io.github.upgrade4j.examples.proxy.attacks.RawClient;
import io.github.upgrade4j.examples.proxy.attacks.ScriptedUpstream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, item 1: a proxy sends its own HTTP version (RFC 9110 §6.2). An HTTP/1.0 upstream's answer
 * reaches an HTTP/1.1 client as an HTTP/1.1 response, framed so the client knows where it ends: a body
 * the upstream ends by closing goes chunked and the client's connection persists. An HTTP/1.0 client
 * gets the same body until the proxy closes, no interim response, and {@code Connection: close}, since a
 * proxy ignores an HTTP/1.0 client's {@code keep-alive} (RFC 9112 §9.3). On real sockets through the
 * example proxy.
 */
class Http10UpstreamIT {
    private static final String GET = "GET /page HTTP/1.1\r\nHost: app.example\r\n\r\n";
    private final LogLines log = new LogLines();

    private ReverseProxy start(InetSocketAddress upstream) throws IOException {
        return ReverseProxy.start(new ReverseProxy.Config(new InetSocketAddress("127.0.0.1", 0), upstream,
                Duration.ofSeconds(30), 100, Duration.ofSeconds(10)), log.stream());
    }

    /**
     * Answers one request as an HTTP/1.0 server without Content-Length does: the body ends when it
     * closes. The body is {@code body}, then the number of the connection.
     */
    private static ScriptedUpstream.Script http10UntilClose(String body) {
        AtomicInteger connections = new AtomicInteger();
        return peer -> {
            if (peer.readRequest() != null) {
                peer.write("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body + " "
                        + connections.incrementAndGet());
            }
        };
    }

    @Test
    void aCloseDelimitedHttp10AnswerReachesAnHttp11ClientAsHttp11ChunkedAndItsConnectionPersists()
            throws IOException {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(http10UntilClose("hello from 1.0"));
                ReverseProxy proxy = start(upstream.address());
                RawClient client = RawClient.connect(proxy.address())) {
            client.send(GET);
            String first = client.readUntil("\r\n0\r\n\r\n");

            assertTrue(first.startsWith("HTTP/1.1 200 OK\r\n"), first);
            assertTrue(first.contains("\r\nTransfer-Encoding: chunked\r\n"), first);
            assertFalse(first.toLowerCase(Locale.ROOT).contains("connection: close"), first);
            assertEquals("hello from 1.0 1", dechunk(first.substring(first.indexOf("\r\n\r\n") + 4)), first);

            client.send(GET); // the same client connection carries a second request
            String both = client.readUntil("hello from 1.0 2\r\n0\r\n\r\n");
            assertTrue(both.substring(first.length()).startsWith("HTTP/1.1 200 OK\r\n"), both);
            assertEquals(2, upstream.peers().size(), "each answer closed its upstream connection");
        }
    }

    /** The data of a whole chunked body (size lines without extensions), which must end exactly with it. */
    private static String dechunk(String chunked) {
        StringBuilder data = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd), 16);
            at = lineEnd + 2;
            if (size == 0) {
                assertEquals("\r\n", chunked.substring(at), "nothing after the last chunk but the empty trailer");
                return data.toString();
            }
            data.append(chunked, at, at + size);
            assertEquals("\r\n", chunked.substring(at + size, at + size + 2), "CRLF after the chunk data");
            at += size + 2;
        }
    }

    @Test
    void anHttp10ClientGetsTheSameBodyAsHttp11UntilTheProxyCloses() throws IOException {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(http10UntilClose("plain old body"));
                ReverseProxy proxy = start(upstream.address())) {
            RawClient.Reply reply = RawClient.exchange(proxy.address(),
                    "GET /page HTTP/1.0\r\nHost: app.example\r\nConnection: keep-alive\r\n\r\n");

            assertTrue(reply.text().startsWith("HTTP/1.1 200 OK\r\n"), reply::text);
            reply.assertCloses();
            assertFalse(reply.head().contains("Transfer-Encoding"), reply::text);
            assertTrue(reply.text().endsWith("\r\n\r\nplain old body 1"), reply::text);
        }
    }

    @Test
    void anHttp10ClientThatAsksForKeepAliveGetsHttp11AndCloseAsAProxyMustAnswer() throws IOException {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.answering(
                "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"));
                ReverseProxy proxy = start(upstream.address())) {
            RawClient.Reply reply = RawClient.exchange(proxy.address(),
                    "GET /a HTTP/1.0\r\nHost: app.example\r\nConnection: keep-alive\r\n\r\n");

            assertTrue(reply.text().startsWith("HTTP/1.1 200 OK\r\n"), reply::text);
            reply.assertCloses();
            assertEquals("ok", reply.body());
            assertFalse(reply.head().contains("Keep-Alive") || reply.head().contains("keep-alive"), reply::text);
        }
    }

    @Test
    void anHttp10ClientGetsNoInterimResponse() throws IOException {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.answering(
                "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
                ReverseProxy proxy = start(upstream.address())) {
            RawClient.Reply old = RawClient.exchange(proxy.address(), "GET /a HTTP/1.0\r\nHost: app.example\r\n\r\n");
            RawClient.Reply current = RawClient.exchange(proxy.address(),
                    "GET /a HTTP/1.1\r\nHost: app.example\r\nConnection: close\r\n\r\n");

            assertEquals(List.of(200), old.statuses(), old::text);
            assertEquals(List.of(103, 200), current.statuses(), current::text);
        }
    }
}
