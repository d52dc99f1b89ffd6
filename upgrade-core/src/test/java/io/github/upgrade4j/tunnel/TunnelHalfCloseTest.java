package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.Loopback.assertEof;
import static io.github.upgrade4j.tunnel.Loopback.async;
import static io.github.upgrade4j.tunnel.Loopback.await;
import static io.github.upgrade4j.tunnel.Loopback.awaitSteady;
import static io.github.upgrade4j.tunnel.Loopback.outcome;
import static io.github.upgrade4j.tunnel.Loopback.randomBytes;
import static io.github.upgrade4j.tunnel.Loopback.readFully;
import static io.github.upgrade4j.tunnel.Loopback.sha256;
import static io.github.upgrade4j.tunnel.Loopback.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** Scenarios 8, 9, 10 and 12 of tunnel-anchors.md §B: a FIN is passed on and nothing queued is dropped. */
@ParameterizedClass(name = "{0}")
@MethodSource("io.github.upgrade4j.tunnel.RelayPaths#tested")
class TunnelHalfCloseTest {
    @Parameter
    RelayPath path;

    private TunnelRelay relay;

    @BeforeEach
    void startRelay() {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).build());
    }

    @AfterEach
    void closeRelay() {
        relay.close();
    }

    @Test
    void passesAnUpstreamFinOnWhileTheClientKeepsSendingAMegabyte() throws IOException {
        byte[] upload = randomBytes(1024 * 1024, 11);
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            write(pair.upstream, "ten bytes!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            pair.upstream.shutdownOutput();
            CompletableFuture<Void> sender = async(() -> {
                write(pair.client, upload);
                return null;
            });

            assertEquals("ten bytes!", new String(readFully(pair.client, 10), java.nio.charset.StandardCharsets.US_ASCII));
            assertEof(pair.client);
            assertArrayEquals(upload, readFully(pair.upstream, upload.length));
            await(sender);
            pair.client.shutdownOutput();
            assertEof(pair.upstream); // a FIN, not a reset: read() would throw "Connection reset"

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.UPSTREAM_FIN_FIRST, outcome.reason());
            assertEquals(upload.length, outcome.bytesClientToUpstream());
            assertEquals(10, outcome.bytesUpstreamToClient());
            relay.close(); // every descriptor released: a reset would reach the peers now
            assertEof(pair.client);
            assertEof(pair.upstream);
        }
    }

    @Test
    void deliversTheWholeReplyAfterTheClientHalfClosed() throws IOException {
        byte[] reply = randomBytes(1024 * 1024, 12);
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            write(pair.client, "request frame".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            pair.client.shutdownOutput();
            // The origin answers only once it saw the client's FIN: nginx would have ended the tunnel by then.
            CompletableFuture<Void> origin = async(() -> {
                readFully(pair.upstream, 13);
                assertEof(pair.upstream);
                write(pair.upstream, reply);
                pair.upstream.shutdownOutput();
                return null;
            });

            assertEquals(sha256(reply), sha256(Loopback.readToEof(pair.client)));
            await(origin);
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_FIN_FIRST, outcome.reason());
            assertEquals(reply.length, outcome.bytesUpstreamToClient());
        }
    }

    @Test
    void passesOnAFinThatArrivesRightBehindManyFullBuffers() throws IOException {
        // Regression: a FIN read by the last read a pump allows was once recorded but never passed on.
        relay.close();
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).bufferSize(1024).build());
        for (int buffers = 12; buffers <= 20; buffers++) {
            byte[] bytes = randomBytes(buffers * 1024, buffers);
            try (Loopback pair = Loopback.open()) {
                write(pair.client, bytes);
                pair.client.shutdownOutput(); // all queued at the relay's socket before the tunnel opens
                Tunnel tunnel = pair.openOn(relay);

                assertArrayEquals(bytes, Loopback.readToEof(pair.upstream), buffers + " buffers");
                pair.upstream.shutdownOutput();
                assertEquals(CloseReason.CLIENT_FIN_FIRST, outcome(tunnel).reason());
            }
        }
    }

    @Test
    void relaysALeftoverOfManyBuffersWithoutWaitingForTheSocket() throws IOException {
        relay.close();
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).bufferSize(1024).build());
        byte[] leftover = randomBytes(40 * 1024 + 7, 15); // more buffers than one pump reads
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = Loopback.opened(relay.open(pair.clientEndpoint(),
                    Endpoint.of(pair.proxyUpstream, java.nio.ByteBuffer.wrap(leftover))));

            assertArrayEquals(leftover, readFully(pair.client, leftover.length));
            tunnel.close();
            outcome(tunnel);
        }
    }

    @Test
    void closesOnceAndCleanlyWhenBothSidesHalfCloseAtOnceTwoThousandTimes() throws IOException {
        relay.close();
        long descriptorsBefore = Loopback.openFileDescriptors();
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).build());
        for (int i = 0; i < 2000; i++) {
            try (Loopback pair = Loopback.open()) {
                Tunnel tunnel = pair.openOn(relay);
                pair.client.shutdownOutput();
                pair.upstream.shutdownOutput();
                assertEof(pair.client);
                assertEof(pair.upstream);
                TunnelOutcome outcome = outcome(tunnel);
                assertTrue(outcome.reason().isCompletion(), outcome::toString);
                assertEquals(0, outcome.bytesClientToUpstream() + outcome.bytesUpstreamToClient());
            }
        }
        RelayStats stats = relay.stats();
        assertEquals(0, stats.activeTunnels());
        assertEquals(0, stats.buffersBorrowed());
        relay.close();
        long descriptorsAfter = Loopback.openFileDescriptors();
        // Loose: the JDK and the test framework open a few files of their own meanwhile.
        assertTrue(descriptorsAfter <= descriptorsBefore + 16,
                "expected no descriptor leak but went from " + descriptorsBefore + " to " + descriptorsAfter);
    }

    @Test
    void deliversEveryQueuedByteBothWaysWhenTheClientFinsWhileItReadsSlowly() throws IOException {
        byte[] download = randomBytes(512 * 1024, 13);
        byte[] upload = randomBytes(1024, 14);
        try (Loopback pair = Loopback.open(32 * 1024)) {
            Tunnel tunnel = pair.openOn(relay);
            CompletableFuture<Void> origin = async(() -> {
                write(pair.upstream, download);
                pair.upstream.shutdownOutput();
                return null;
            });
            awaitSteady("the relay to hold bytes toward the client", () -> relay.stats().buffersBorrowed() == 1);

            write(pair.client, upload);
            pair.client.shutdownOutput(); // while the relay still holds download bytes
            assertArrayEquals(upload, readFully(pair.upstream, upload.length));
            assertEof(pair.upstream);

            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = pair.client.getInputStream();
            byte[] small = new byte[1024];
            for (int n; (n = in.read(small)) >= 0; ) { // slowly: 1 KiB a read
                received.write(small, 0, n);
            }
            assertEquals(sha256(download), sha256(received.toByteArray()));
            await(origin);
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_FIN_FIRST, outcome.reason());
            assertEquals(download.length, outcome.bytesUpstreamToClient());
            assertEquals(upload.length, outcome.bytesClientToUpstream());
        }
    }
}
