package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.proxy.attacks.Leaks;
import io.github.upgrade4j.examples.proxy.attacks.LogLines;
import io.github.upgrade4j.examples.proxy.attacks.RawClient;
import io.github.upgrade4j.examples.proxy.attacks.ScriptedUpstream;
import io.github.upgrade4j.examples.proxy.attacks.Leaks;
import io.github.upgrade4j.examples.proxy.attacks.LogLines;
import io.github.upgrade4j.examples.proxy.attacks.RawClient;
import io.github.upgrade4j.examples.proxy.attacks.ScriptedUpstream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstreams that fail during the handshake, in front of the example proxy on real sockets: one that
 * accepts and never answers an upgrade gets the client a 504 after the handshake timeout, which is
 * separate from the tunnel idle timeout in both directions (a slow handshake is not cut by a short idle timeout; a
 * quiet tunnel is not cut by a short handshake timeout); one that is down or closes gets a 502. After
 * each test, with the proxy closed, no descriptor and no thread is left.
 */
class FaultSilentUpstreamIT {
    static final String WEBSOCKET = """
            GET /chat HTTP/1.1\r
            Host: app.example\r
            Connection: Upgrade\r
            Upgrade: websocket\r
            Sec-WebSocket-Version: 13\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            \r
            """;
    private final LogLines log = new LogLines();
    private Leaks leaks;

    @BeforeEach
    void snapshot() {
        leaks = Leaks.snapshot();
    }

    @AfterEach
    void nothingLeft() {
        leaks.assertReleased();
    }

    static ReverseProxy.Config config(InetSocketAddress upstream, Duration idle, Duration handshake) {
        return new ReverseProxy.Config(new InetSocketAddress("127.0.0.1", 0), upstream, idle, 100, handshake);
    }

    @Test
    void anUpstreamThatAcceptsAndNeverAnswersAnUpgradeGets504AfterTheHandshakeTimeoutNotTheIdleTimeout()
            throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.silent());
                ReverseProxy proxy = ReverseProxy.start(config(upstream.address(), Duration.ofSeconds(60),
                        Duration.ofMillis(400)), log.stream())) {
            long start = System.nanoTime();
            RawClient.Reply reply = RawClient.exchange(proxy.address(), WEBSOCKET);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertEquals(504, reply.status(), reply::text);
            assertTrue(reply.body().contains("did not answer in time"), reply::body);
            log.awaitLine("-> 504 the upstream did not answer within 400 ms");
            assertTrue(millis >= 400 && millis < 5_000, () -> "answered after " + millis + " ms");
            assertTrue(upstream.peer(0).awaitEnd().received().startsWith("GET /chat HTTP/1.1\r\n"),
                    "the proxy closed its upstream connection");
            assertFalse(log.toString().contains("tunnel"), log::toString);
        }
    }

    /** A plain answer may be held back on purpose (a long poll), so it gets the idle timeout instead. */
    @Test
    void anUpstreamThatNeverAnswersAPlainRequestGets504AfterTheIdleTimeout() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.silent());
                ReverseProxy proxy = ReverseProxy.start(config(upstream.address(), Duration.ofMillis(400),
                        Duration.ofSeconds(60)), log.stream())) {
            long start = System.nanoTime();
            RawClient.Reply reply = RawClient.exchange(proxy.address(), "GET /poll HTTP/1.1\r\nHost: app.example\r\n\r\n");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertEquals(504, reply.status(), reply::text);
            assertTrue(millis >= 400 && millis < 5_000, () -> "answered after " + millis + " ms");
            upstream.peer(0).awaitEnd();
        }
    }

    @Test
    void aHandshakeSlowerThanTheIdleTimeoutStillSwitchesAndTheTunnelThenIdlesOut() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(peer -> {
                    var request = peer.readRequest();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(700)); // the fault: a slow upstream
                    peer.write(ScriptedUpstream.switchingFor(request));
                    peer.readToEnd();
                });
                ReverseProxy proxy = ReverseProxy.start(config(upstream.address(), Duration.ofMillis(200),
                        Duration.ofSeconds(5)), log.stream());
                RawClient client = RawClient.connect(proxy.address())) {
            client.send(WEBSOCKET).readUntil("\r\n\r\n");
            assertTrue(client.text().startsWith("HTTP/1.1 101 "), client::text);
            long start = System.nanoTime();

            RawClient.Reply rest = client.readToEnd();

            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertFalse(rest.reset(), "an idle close is a FIN");
            assertTrue(millis >= 150 && millis < 5_000, () -> "closed after " + millis + " ms");
            assertTrue(log.awaitLine("tunnel closed").contains("IDLE_TIMEOUT"), log::toString);
        }
    }

    @Test
    void anEstablishedTunnelOutlivesTheHandshakeTimeout() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.echoing());
                ReverseProxy proxy = ReverseProxy.start(config(upstream.address(), Duration.ofSeconds(60),
                        Duration.ofMillis(200)), log.stream());
                RawClient client = RawClient.connect(proxy.address())) {
            client.send(WEBSOCKET).readUntil("\r\n\r\n");

            assertTrue(client.silentFor(1_000), "a quiet tunnel was closed after the handshake timeout");
            client.send("still here");
            client.readUntil("still here");
            assertFalse(log.toString().contains("tunnel closed"), log::toString);
        }
    }

    @Test
    void anUpstreamThatClosesWithoutAnsweringGets502() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(peer -> peer.readRequest());
                ReverseProxy proxy = ReverseProxy.start(config(upstream.address(), Duration.ofSeconds(60),
                        Duration.ofSeconds(5)), log.stream())) {
            RawClient.Reply reply = RawClient.exchange(proxy.address(), WEBSOCKET);

            assertEquals(502, reply.status(), reply::text);
            log.awaitLine("-> 502 the upstream closed the connection without answering");
        }
    }

    @Test
    void anUpstreamThatIsDownGets502() throws Exception {
        InetSocketAddress down;
        try (ServerSocket closed = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            down = (InetSocketAddress) closed.getLocalSocketAddress();
        }
        try (ReverseProxy proxy = ReverseProxy.start(config(down, Duration.ofSeconds(60), Duration.ofSeconds(5)),
                log.stream())) {
            RawClient.Reply reply = RawClient.exchange(proxy.address(), WEBSOCKET);

            assertEquals(502, reply.status(), reply::text);
            assertTrue(reply.body().contains("could not be reached"), reply::body);
            assertFalse(reply.body().contains(Integer.toString(down.getPort())), reply::body); // in the log only
            log.awaitLine(down.toString());
        }
    }

    /**
     * An upstream that resets, or closes in the middle of its answer head, gets the client a 502 like one
     * that closes before answering (the proxy once closed the client connection without any answer).
     */
    @Test
    void anUpstreamThatResetsOrBreaksOffItsAnswerGets502() throws Exception {
        for (ScriptedUpstream.Script script : new ScriptedUpstream.Script[] {peer -> {
                    peer.readRequest();
                    peer.reset();
                }, peer -> {
                    peer.readRequest();
                    peer.write("HTTP/1.1 101 Switching Protocols\r\nUpgr");
                }}) {
            try (ScriptedUpstream upstream = ScriptedUpstream.start(script);
                    ReverseProxy proxy = ReverseProxy.start(config(upstream.address(), Duration.ofSeconds(60),
                            Duration.ofSeconds(5)), log.stream())) {
                RawClient.Reply reply = RawClient.exchange(proxy.address(), WEBSOCKET);

                assertEquals(502, reply.status(), reply::text);
            }
        }
    }

    /** The same faults never open a tunnel, whatever the answer. */
    @Test
    void anUpstreamThatResetsOrBreaksOffItsAnswerNeverOpensATunnel() throws Exception {
        for (ScriptedUpstream.Script script : new ScriptedUpstream.Script[] {peer -> {
                    peer.readRequest();
                    peer.reset();
                }, peer -> {
                    peer.readRequest();
                    peer.write("HTTP/1.1 101 Switching Protocols\r\nUpgr");
                }}) {
            try (ScriptedUpstream upstream = ScriptedUpstream.start(script);
                    ReverseProxy proxy = ReverseProxy.start(config(upstream.address(), Duration.ofSeconds(60),
                            Duration.ofSeconds(5)), log.stream())) {
                RawClient.Reply reply = RawClient.exchange(proxy.address(), WEBSOCKET);

                assertFalse(reply.text().startsWith("HTTP/1.1 101"), reply::text);
                assertFalse(log.toString().contains("tunnel"), log::toString);
            }
        }
    }
}
