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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Head limits at the example proxy, on real sockets: a request head over 32 KiB or with more than 100
 * field lines is answered 431, an over-long request line 414, each with a reason and without contacting
 * the upstream; an upstream answer head over the limit is a 502. Meanwhile a tunnel opened before keeps
 * relaying, untouched: the limits cost the offender its connection, nobody else anything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LimitsHeadIT {
    private final LogLines log = new LogLines();
    private Leaks leaks;
    private ScriptedUpstream upstream;
    private ReverseProxy proxy;
    private RawClient tunnel;

    @BeforeAll
    void openATunnel() throws IOException {
        leaks = Leaks.snapshot();
        upstream = ScriptedUpstream.start(ScriptedUpstream.echoing());
        proxy = ReverseProxy.start(FaultSilentUpstreamIT.config(upstream.address(), Duration.ofSeconds(60),
                Duration.ofSeconds(5)), log.stream());
        tunnel = RawClient.connect(proxy.address());
        tunnel.send(FaultSilentUpstreamIT.WEBSOCKET).readUntil("\r\n\r\n");
        tunnel.send("before").readUntil("before");
    }

    @BeforeEach
    void forget() {
        upstream.forget();
    }

    @AfterAll
    void theTunnelStillWorksAndNothingIsLeft() throws IOException {
        try {
            tunnel.send("-the-end").readUntil("-ping--the-end");
            assertFalse(log.toString().contains("tunnel closed"), log::toString);
        } finally {
            tunnel.close();
            proxy.close();
            upstream.close();
        }
        leaks.assertReleased();
    }

    private static String head(String extraLines) {
        return "GET /chat HTTP/1.1\r\nHost: app.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" + extraLines + "\r\n";
    }

    @Test
    void aHeadOver32KiBIsAnswered431WithoutContactingTheUpstream() throws Exception {
        RawClient.Reply reply = RawClient.exchange(proxy.address(), head("X-Filler: " + "a".repeat(40 * 1024) + "\r\n"));

        assertEquals(431, reply.status(), reply::text);
        assertTrue(reply.body().contains("HEAD_TOO_LARGE"), reply::body);
        reply.assertCloses();
        upstream.assertNeverContacted();
    }

    @Test
    void moreThan100FieldLinesAreAnswered431WithoutContactingTheUpstream() throws Exception {
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < 101; i++) {
            fields.append("X-F").append(i).append(": ").append(i).append("\r\n");
        }
        RawClient.Reply reply = RawClient.exchange(proxy.address(), head(fields.toString()));

        assertEquals(431, reply.status(), reply::text);
        assertTrue(reply.body().contains("TOO_MANY_FIELDS"), reply::body);
        upstream.assertNeverContacted();
    }

    @Test
    void anOverlongRequestLineIsAnswered414WithoutContactingTheUpstream() throws Exception {
        RawClient.Reply reply = RawClient.exchange(proxy.address(),
                "GET /" + "a".repeat(9 * 1024) + " HTTP/1.1\r\nHost: app.example\r\n\r\n");

        assertEquals(414, reply.status(), reply::text);
        upstream.assertNeverContacted();
    }

    @Test
    void manyOversizedHeadsAtOnceCostOnlyTheirOwnConnections() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<RawClient.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String request = i % 2 == 0 ? head("X-Filler: " + "b".repeat(64 * 1024) + "\r\n")
                        : head("X-Many: 1\r\n".repeat(200));
                replies.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return RawClient.exchange(proxy.address(), request);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, clients));
            }
            for (CompletableFuture<RawClient.Reply> reply : replies) {
                assertEquals(431, reply.get(20, TimeUnit.SECONDS).status());
            }
            tunnel.send("-ping-").readUntil("-ping-");
            upstream.assertNeverContacted();
        } finally {
            clients.shutdown();
            clients.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anUpstreamAnswerHeadOverTheLimitIsA502() throws Exception {
        upstream.script(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nX-Filler: " + "c".repeat(40 * 1024) + "\r\nContent-Length: 0\r\n\r\n");
            peer.readToEnd();
        });
        try {
            RawClient.Reply reply = RawClient.exchange(proxy.address(), "GET /big HTTP/1.1\r\nHost: app.example\r\n\r\n");

            assertEquals(502, reply.status(), reply::text);
            assertFalse(reply.text().contains("X-Filler"), "the oversized head was relayed");
        } finally {
            upstream.script(ScriptedUpstream.echoing());
        }
    }
}
