package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import io.github.upgrade4j.http.RequestHead;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Resets on either side of a tunnel through the example proxy, on real sockets: an upstream that
 * answers 101 and then resets, at once or mid-stream, reaches the client as a reset, never as a clean
 * end of stream, after every byte the upstream sent before it; a client reset reaches the upstream the
 * same way. The proxy logs the outcome ({@code UPSTREAM_RESET}, {@code CLIENT_RESET}) with byte counts
 * that match what each side received. Nothing is left open afterwards.
 */
class FaultUpstreamResetIT {
    private static final Pattern CLOSED = Pattern.compile("tunnel closed: (\\w+), (\\d+) B up, (\\d+) B down");
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

    private static ReverseProxy.Config config(ScriptedUpstream upstream) {
        return FaultSilentUpstreamIT.config(upstream.address(), Duration.ofSeconds(60), Duration.ofSeconds(5));
    }

    /** Repeated: the reset races the proxy reading the 101 and the relay starting. */
    @RepeatedTest(20)
    void anUpstreamThatResetsRightAfterItsSwitchReachesTheClientAsAReset() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(peer -> {
                    RequestHead request = peer.readRequest();
                    peer.write(ScriptedUpstream.switchingFor(request) + "first bytes");
                    peer.reset();
                });
                ReverseProxy proxy = ReverseProxy.start(config(upstream), log.stream());
                RawClient client = RawClient.connect(proxy.address())) {
            RawClient.Reply reply = client.send(FaultSilentUpstreamIT.WEBSOCKET).readToEnd();

            assertTrue(reply.text().startsWith("HTTP/1.1 101 "), reply::text);
            assertTrue(reply.reset(), () -> "expected a reset after the 101 but the stream ended cleanly:\n" + reply.text());
            assertTrue("first bytes".startsWith(reply.text().substring(reply.head().length())), reply::text);
            Matcher outcome = outcome();
            assertEquals("UPSTREAM_RESET", outcome.group(1));
            assertEquals(reply.text().length(), Long.parseLong(outcome.group(3)),
                    "bytes down: the 101 and what the client received");
        }
    }

    @Test
    void anUpstreamResetMidStreamEndsTheTunnelWithAResetAfterEveryByteSentBeforeIt() throws Exception {
        byte[] stream = new byte[256 * 1024];
        new SplittableRandom(17).nextBytes(stream);
        try (ScriptedUpstream upstream = ScriptedUpstream.start(peer -> {
                    RequestHead request = peer.readRequest();
                    peer.write(ScriptedUpstream.switchingFor(request));
                    for (int i = 0; i < 3; i++) { // a short conversation first
                        byte[] ping = peer.socket().getInputStream().readNBytes(4);
                        peer.write(ping);
                    }
                    peer.write(stream);
                    peer.reset();
                });
                ReverseProxy proxy = ReverseProxy.start(config(upstream), log.stream());
                RawClient client = RawClient.connect(proxy.address())) {
            client.send(FaultSilentUpstreamIT.WEBSOCKET).readUntil("\r\n\r\n");
            int head = client.text().length();
            for (int i = 0; i < 3; i++) {
                client.send("png" + i);
                assertEquals("png" + i, new String(client.readExactly(4), StandardCharsets.ISO_8859_1));
            }

            RawClient.Reply reply = client.readToEnd();

            assertTrue(reply.reset(), "expected a reset, not a clean end of stream");
            byte[] got = reply.text().substring(head + 12).getBytes(StandardCharsets.ISO_8859_1);
            assertArrayEquals(Arrays.copyOf(stream, got.length), got, "a prefix of the upstream's bytes, in order");
            Matcher outcome = outcome();
            assertEquals("UPSTREAM_RESET", outcome.group(1));
            assertEquals(12, Long.parseLong(outcome.group(2)), "bytes up");
            assertTrue(Long.parseLong(outcome.group(3)) >= head + 12 + got.length, outcome::group);
        }
    }

    @Test
    void aClientResetMidStreamReachesTheUpstreamAsAReset() throws Exception {
        CompletableFuture<ScriptedUpstream.Peer> upstreamSide = new CompletableFuture<>();
        try (ScriptedUpstream upstream = ScriptedUpstream.start(peer -> {
                    RequestHead request = peer.readRequest();
                    peer.write(ScriptedUpstream.switchingFor(request));
                    upstreamSide.complete(peer);
                    peer.readToEnd();
                });
                ReverseProxy proxy = ReverseProxy.start(config(upstream), log.stream())) {
            RawClient client = RawClient.connect(proxy.address());
            client.send(FaultSilentUpstreamIT.WEBSOCKET).readUntil("\r\n\r\n");
            client.send("before the reset");
            ScriptedUpstream.Peer peer = upstreamSide.get(10, TimeUnit.SECONDS);

            client.reset();

            peer.awaitEnd();
            assertTrue(peer.wasReset(), "expected the upstream to see a reset, not a FIN");
            assertTrue(peer.received().endsWith("\r\n\r\nbefore the reset"), peer::received);
            Matcher outcome = outcome();
            assertEquals("CLIENT_RESET", outcome.group(1));
            assertEquals(16, Long.parseLong(outcome.group(2)));
        }
    }

    private Matcher outcome() {
        Matcher m = CLOSED.matcher(log.awaitLine("tunnel closed"));
        assertTrue(m.find(), log::toString);
        assertFalse(log.lines().stream().filter(l -> l.contains("tunnel closed")).count() > 1, log::toString);
        return m;
    }
}
