package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.Loopback.async;
import static io.github.upgrade4j.tunnel.Loopback.await;
import static io.github.upgrade4j.tunnel.Loopback.awaitSteady;
import static io.github.upgrade4j.tunnel.Loopback.awaitTrue;
import static io.github.upgrade4j.tunnel.Loopback.outcome;
import static io.github.upgrade4j.tunnel.Loopback.randomBytes;
import static io.github.upgrade4j.tunnel.Loopback.readFully;
import static io.github.upgrade4j.tunnel.Loopback.sha256;
import static io.github.upgrade4j.tunnel.Loopback.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** Scenarios 23, 24, 26 and 27 of tunnel-anchors.md §B: backpressure, buffers back in the pool, the budget. */
@ParameterizedClass(name = "{0}")
@MethodSource("io.github.upgrade4j.tunnel.RelayPaths#tested")
class TunnelMemoryTest {
    @Parameter
    RelayPath path;

    private static final int BUFFER = 16 * 1024;
    private TunnelRelay relay;

    @AfterEach
    void closeRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void throttlesTheClientThroughFlowControlWhenTheUpstreamReadsSlowly() throws IOException {
        slowReaderKeepsMemoryBounded(true);
    }

    @Test
    void throttlesTheUpstreamThroughFlowControlWhenTheClientReadsSlowly() throws IOException {
        slowReaderKeepsMemoryBounded(false);
    }

    private void slowReaderKeepsMemoryBounded(boolean fromClient) throws IOException {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).bufferSize(BUFFER).build());
        byte[] data = randomBytes(8 * 1024 * 1024, fromClient ? 41 : 42);
        try (Loopback pair = Loopback.open(32 * 1024)) {
            Tunnel tunnel = pair.openOn(relay);
            Socket sender = fromClient ? pair.client : pair.upstream;
            Socket receiver = fromClient ? pair.upstream : pair.client;
            AtomicLong received = new AtomicLong();
            CompletableFuture<Long> writer = async(() -> {
                write(sender, data);
                return received.get(); // how far the reader was when the last byte was accepted
            });
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = receiver.getInputStream();
            byte[] chunk = new byte[4096];
            int maxBorrowed = 0;
            long maxHeld = 0;
            while (out.size() < data.length) {
                int n = in.read(chunk);
                assertTrue(n > 0, "EOF after " + out.size());
                out.write(chunk, 0, n);
                received.addAndGet(n);
                RelayStats stats = relay.stats();
                maxBorrowed = Math.max(maxBorrowed, stats.buffersBorrowed());
                maxHeld = Math.max(maxHeld, stats.pooledBytes() + (long) stats.buffersBorrowed() * BUFFER);
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50)); // a slow reader
            }
            long readerProgressWhenWriterDone = await(writer);

            assertEquals(sha256(data), sha256(out.toByteArray()));
            assertTrue(maxBorrowed <= 2, "at most one buffer per direction, saw " + maxBorrowed);
            assertTrue(maxHeld <= 2L * BUFFER, "relay memory at most 2 buffers, saw " + maxHeld);
            // Everything the writer got rid of was in kernel buffers or the relay's one buffer: the
            // writer waited for the reader instead of the relay queueing megabytes.
            assertTrue(data.length - readerProgressWhenWriterDone < 1024 * 1024,
                    "the writer finished " + (data.length - readerProgressWhenWriterDone) + " bytes ahead of the reader");
            tunnel.close();
            outcome(tunnel);
        }
    }

    @Test
    void returnsBuffersToThePoolRightAfterABurst() throws IOException {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).build());
        byte[] burst = randomBytes(10 * 1024 * 1024, 43);
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            CompletableFuture<Void> sender = async(() -> {
                write(pair.client, burst);
                return null;
            });
            assertEquals(sha256(burst), sha256(readFully(pair.upstream, burst.length)));
            await(sender);

            awaitTrue("no buffer borrowed once the burst is through", () -> relay.stats().buffersBorrowed() == 0);
            RelayStats stats = relay.stats();
            assertEquals(1, stats.activeTunnels(), "the tunnel is still open, idle");
            assertTrue(stats.pooledBytes() > 0, "the buffers went back to the pool: " + stats);
            assertTrue(stats.pooledBytes() <= 2L * relay.options().bufferSize(), stats::toString);
            assertEquals(burst.length, tunnel.bytesClientToUpstream());
        }
    }

    @Test
    void refusesNewTunnelsWhenTheBudgetIsSpentWhileRunningOnesKeepGoing() throws IOException {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).bufferSize(BUFFER).bufferBudgetBytes(2 * BUFFER).build());
        byte[] upload = randomBytes(1024 * 1024, 44);
        try (Loopback stalled = Loopback.open(32 * 1024); Loopback refused = Loopback.open();
                Loopback later = Loopback.open()) {
            Tunnel running = stalled.openOn(relay);
            CompletableFuture<Void> sender = async(() -> {
                write(stalled.client, upload);
                stalled.client.shutdownOutput();
                return null;
            });
            awaitSteady("the stalled tunnel to hold a buffer", () -> relay.stats().buffersBorrowed() == 1);

            Opening.Refused refusal = assertInstanceOf(Opening.Refused.class,
                    relay.open(refused.clientEndpoint(), refused.upstreamEndpoint()));
            assertEquals(RefusalReason.BUFFER_BUDGET, refusal.reason());
            assertEquals(503, refusal.reason().status());
            assertTrue(refusal.detail().contains("budget"), refusal.detail());
            // Nothing was sent, and the channels are still the caller's: it can answer 503 itself.
            byte[] answer = "HTTP/1.1 503 Service Unavailable\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            refused.proxyClient.write(ByteBuffer.wrap(answer));
            assertArrayEquals(answer, readFully(refused.client, answer.length));

            assertArrayEquals(upload, readFully(stalled.upstream, upload.length)); // the running one went on
            await(sender);
            stalled.upstream.shutdownOutput();
            assertTrue(outcome(running).reason().isCompletion());
            assertTrue(relay.stats().pooledBytes() + relay.stats().buffersBorrowed() * (long) BUFFER <= 2L * BUFFER);
            Tunnel admitted = later.openOn(relay);
            admitted.close();
            assertEquals(CloseReason.CLOSED_BY_CALLER, outcome(admitted).reason());
        }
    }

    @Test
    void letsARunningDirectionWaitForABufferInsteadOfFailingWhenTheBudgetIsSpent() throws IOException {
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).bufferSize(BUFFER).bufferBudgetBytes(2 * BUFFER).build());
        byte[] upload = randomBytes(1024 * 1024, 45);
        byte[] download = randomBytes(1024 * 1024, 46);
        try (Loopback a = Loopback.open(32 * 1024); Loopback b = Loopback.open(32 * 1024)) {
            Tunnel first = a.openOn(relay);
            Tunnel second = b.openOn(relay);
            CompletableFuture<Void> uploading = async(() -> {
                write(a.client, upload);
                return null;
            });
            CompletableFuture<Void> downloading = async(() -> {
                write(b.upstream, download);
                return null;
            });
            awaitSteady("both buffers to be held", () -> relay.stats().buffersBorrowed() == 2);

            write(a.upstream, "pong".getBytes(StandardCharsets.US_ASCII)); // needs a third buffer: waits
            assertArrayEquals(download, readFully(b.client, download.length)); // frees one
            assertEquals("pong", new String(readFully(a.client, 4), StandardCharsets.US_ASCII));
            assertArrayEquals(upload, readFully(a.upstream, upload.length));
            await(uploading);
            await(downloading);
            first.close();
            second.close();
            assertEquals(CloseReason.CLOSED_BY_CALLER, outcome(first).reason());
            assertEquals(CloseReason.CLOSED_BY_CALLER, outcome(second).reason());
            assertEquals(0, relay.stats().buffersBorrowed());
        }
    }
}
