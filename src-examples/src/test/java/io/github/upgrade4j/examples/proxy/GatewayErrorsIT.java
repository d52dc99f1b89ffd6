package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.proxy.attacks.LogLines;
import io.github.upgrade4j.examples.proxy.attacks.RawClient;
import io.github.upgrade4j.examples.proxy.attacks.ScriptedUpstream;
import io.github.upgrade4j.examples.proxy.attacks.LogLines;
import io.github.upgrade4j.examples.proxy.attacks.RawClient;
import io.github.upgrade4j.examples.proxy.attacks.ScriptedUpstream;
import io.github.upgrade4j.examples.servlet.ServletProxy;
import io.github.upgrade4j.examples.servlet.ServletProxyIT;
import io.github.upgrade4j.examples.support.ErrorAnswers;
import io.github.upgrade4j.http.RequestHead;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, item 5: the example proxies' own 5xx answers say what kind of failure it was and a request
 * id, never the upstream's address or error text (they would tell any client the internal topology);
 * the details go to the log line, which starts with the same id. The id is the client's
 * {@code X-Request-Id} when it sent one sensible value, otherwise a new one, and goes to the upstream
 * too. On real sockets, through both example proxies.
 */
class GatewayErrorsIT {
    private static final Pattern ID_FIELD = Pattern.compile("\r\nX-Request-Id: ([^\r]+)\r\n");
    private final LogLines log = new LogLines();

    private static InetSocketAddress nowhere() throws IOException {
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return (InetSocketAddress) closed.getLocalSocketAddress();
        }
    }

    private ReverseProxy start(InetSocketAddress upstream) throws IOException {
        return ReverseProxy.start(new ReverseProxy.Config(new InetSocketAddress("127.0.0.1", 0), upstream,
                Duration.ofSeconds(30), 100, Duration.ofSeconds(10)), log.stream());
    }

    private static String idOf(String head) {
        Matcher id = ID_FIELD.matcher(head);
        assertTrue(id.find(), () -> "expected an X-Request-Id in\n" + head);
        String value = id.group(1);
        assertFalse(id.find(), () -> "expected one X-Request-Id in\n" + head);
        return value;
    }

    /** Asserts a generic 502 that names neither the upstream nor its error, and the log line with both; returns the id. */
    private String assertGeneric502(String reply, InetSocketAddress upstream) {
        assertTrue(reply.startsWith("HTTP/1.1 502 "), reply);
        String id = idOf(reply);
        String body = reply.substring(reply.indexOf("\r\n\r\n") + 4);
        assertTrue(body.contains("request id: " + id), body);
        assertFalse(body.contains(Integer.toString(upstream.getPort())), body);
        assertFalse(body.contains("127.0.0.1") || body.contains("refused") || body.contains("Exception"), body);
        String line = log.awaitLine(id + " ");
        assertTrue(line.startsWith(id + " "), line);
        assertTrue(line.contains("-> 502 ") && line.contains(upstream.toString()), line);
        return id;
    }

    @Test
    void aFailedUpstreamGetsTheClientAGeneric502WithARequestIdAndTheLogTheDetails() throws IOException {
        InetSocketAddress down = nowhere();
        try (ReverseProxy proxy = start(down)) {
            String upgrade = RawClient.exchange(proxy.address(), FaultSilentUpstreamIT.WEBSOCKET).text();
            String plain = RawClient.exchange(proxy.address(),
                    "GET / HTTP/1.1\r\nHost: app\r\nX-Request-Id: client-chosen.42\r\n\r\n").text();

            String generated = assertGeneric502(upgrade, down);
            assertTrue(generated.matches("[0-9a-f]{16}"), generated);
            assertEquals("client-chosen.42", assertGeneric502(plain, down));
        }
    }

    @Test
    void theServletProxyAnswersTheSameWay() throws IOException {
        InetSocketAddress down = nowhere();
        try (ServletProxy proxy = ServletProxy.start(ServletProxyIT.config(down), log.stream())) {
            String upgrade = ProxyIT.exchange(proxy.address(), ServletProxyIT.UPGRADE);
            String plain = ProxyIT.exchange(proxy.address(),
                    "GET / HTTP/1.1\r\nHost: app\r\nX-Request-Id: from-the-client\r\nConnection: close\r\n\r\n");

            assertGeneric502(upgrade, down);
            assertEquals("from-the-client", assertGeneric502(plain, down));
        }
    }

    @Test
    void theUpstreamGetsTheRequestIdAndTheClientGetsItBackWithEveryAnswer() throws IOException {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.answering(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
                ReverseProxy proxy = start(upstream.address());
                RawClient client = RawClient.connect(proxy.address())) {
            client.send("GET /a HTTP/1.1\r\nHost: app\r\nX-Request-Id: abc-123\r\n\r\n");
            String first = client.readResponse().text();
            client.send("GET /b HTTP/1.1\r\nHost: app\r\n\r\n");
            String second = client.readResponse().text();
            client.send("GET /c HTTP/1.1\r\nHost: app\r\nX-Request-Id: has spaces, and a comma\r\n\r\n");
            String third = client.readResponse().text();
            client.send("GET /d HTTP/1.1\r\nHost: app\r\nX-Request-Id: " + "x".repeat(ErrorAnswers.MAX_ID_LENGTH + 1)
                    + "\r\n\r\n");
            String fourth = client.readResponse().text();

            List<RequestHead> seen = upstream.peer(0).requests();
            assertEquals(4, seen.size());
            assertEquals(List.of("abc-123"), seen.get(0).headers().values(ErrorAnswers.REQUEST_ID));
            assertEquals("abc-123", idOf(first));
            for (int i = 1; i < 4; i++) { // none sent, or one the proxy replaces: a new id, the same both ways
                String answer = List.of(first, second, third, fourth).get(i);
                assertEquals(List.of(idOf(answer)), seen.get(i).headers().values(ErrorAnswers.REQUEST_ID), answer);
                assertTrue(idOf(answer).matches("[0-9a-f]{16}"), answer);
            }
            assertNotEquals(idOf(second), idOf(third));
        }
    }

    @Test
    void anUpstreamsOwnRequestIdInItsAnswerIsKeptAlone() throws IOException {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.answering(
                "HTTP/1.1 200 OK\r\nX-Request-Id: upstream-7\r\nContent-Length: 2\r\n\r\nok"));
                ReverseProxy proxy = start(upstream.address())) {
            String reply = RawClient.exchange(proxy.address(),
                    "GET / HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n").text();

            assertEquals("upstream-7", idOf(reply));
        }
    }
}
