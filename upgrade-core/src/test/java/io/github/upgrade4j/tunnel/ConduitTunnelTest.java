package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.Loopback.assertEof;
import static io.github.upgrade4j.tunnel.Loopback.assertReset;
import static io.github.upgrade4j.tunnel.Loopback.async;
import static io.github.upgrade4j.tunnel.Loopback.await;
import static io.github.upgrade4j.tunnel.Loopback.awaitSteady;
import static io.github.upgrade4j.tunnel.Loopback.awaitTrue;
import static io.github.upgrade4j.tunnel.Loopback.opened;
import static io.github.upgrade4j.tunnel.Loopback.outcome;
import static io.github.upgrade4j.tunnel.Loopback.randomBytes;
import static io.github.upgrade4j.tunnel.Loopback.readFully;
import static io.github.upgrade4j.tunnel.Loopback.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A tunnel whose client's side is a {@link Conduit} (an HTTP/2 stream, say) and whose upstream is a socket:
 * bytes both ways in order, half-closes passed on, flow control that holds bytes instead of losing them,
 * resets both ways, timeouts, refusals and the relay's counts. The conduit here is a queue in memory with a
 * window the test opens, as an HTTP/2 peer's WINDOW_UPDATEs would.
 */
class ConduitTunnelTest {
    private TunnelRelay relay;

    @AfterEach
    void closeRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    private TunnelRelay start(RelayOptions options) {
        relay = TunnelRelay.start(options);
        return relay;
    }

    @Test
    void movesBytesBothWaysInOrderAndPassesEachEndOnAsTheOthersHalfClose() throws IOException {
        start(RelayOptions.standard());
        byte[] up = randomBytes(1024 * 1024 + 17, 1);
        byte[] down = randomBytes(700 * 1024 + 3, 2);
        try (Loopback pair = Loopback.open()) {
            MemoryConduit client = new MemoryConduit(Integer.MAX_VALUE);
            Tunnel tunnel = opened(relay.open(client, Endpoint.of(pair.proxyUpstream)));
            CompletableFuture<byte[]> atUpstream = async(() -> pair.upstream.getInputStream().readAllBytes());
            for (int i = 0; i < up.length; i += 10_000) {
                client.send(Arrays.copyOfRange(up, i, Math.min(up.length, i + 10_000)));
            }
            client.end();
            assertArrayEquals(up, await(atUpstream), "the client's bytes, then a FIN");

            write(pair.upstream, down);
            pair.upstream.shutdownOutput();
            awaitTrue("the upstream's bytes and END_STREAM", client::outputEnded);
            assertArrayEquals(down, client.received());

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_FIN_FIRST, outcome.reason());
            assertEquals(up.length, outcome.bytesClientToUpstream());
            assertEquals(down.length, outcome.bytesUpstreamToClient());
            assertEquals(RelayPath.COPY, outcome.path());
            assertEquals(Boolean.FALSE, await(client.closed), "a stream both sides ended is closed, not reset");
            assertEquals(1, relay.stats().tunnelsOpened());
            assertEquals(0, relay.stats().activeTunnels());
        }
    }

    @Test
    void theUpstreamsLeftoverComesFirstAndAFullWindowHoldsBytesUntilItOpens() throws IOException {
        start(RelayOptions.standard());
        byte[] down = randomBytes(300 * 1024, 3);
        try (Loopback pair = Loopback.open()) {
            MemoryConduit client = new MemoryConduit(0);
            opened(relay.open(client, Endpoint.of(pair.proxyUpstream,
                    ByteBuffer.wrap("after the 101|".getBytes(StandardCharsets.US_ASCII)))));
            write(pair.upstream, down);
            awaitSteady("the relay holding bytes for a closed window", () -> client.received().length == 0);

            for (int granted = 0; client.received().length < 14 + down.length; granted++) {
                assertTrue(granted < 1000, "the window was opened 1,000 times and bytes are still missing");
                client.grant(4096);
                int before = granted * 4096;
                awaitTrue("bytes within the window", () -> client.received().length > Math.min(before,
                        14 + down.length - 1));
            }
            byte[] received = client.received();
            assertEquals("after the 101|", new String(received, 0, 14, StandardCharsets.US_ASCII));
            assertArrayEquals(down, Arrays.copyOfRange(received, 14, received.length));
        }
    }

    @Test
    void aClientResetResetsTheUpstream() throws IOException {
        start(RelayOptions.standard());
        try (Loopback pair = Loopback.open()) {
            MemoryConduit client = new MemoryConduit(Integer.MAX_VALUE);
            Tunnel tunnel = opened(relay.open(client, Endpoint.of(pair.proxyUpstream)));
            client.send("hello".getBytes(StandardCharsets.US_ASCII));
            assertEquals("hello", new String(readFully(pair.upstream, 5), StandardCharsets.US_ASCII));

            client.reset();

            assertReset(pair.upstream);
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_RESET, outcome.reason());
            assertInstanceOf(ConduitResetException.class, outcome.cause().orElseThrow());
            assertEquals(Boolean.TRUE, await(client.closed), "the conduit is aborted too");
        }
    }

    @Test
    void anUpstreamResetAbortsTheConduit() throws IOException {
        start(RelayOptions.standard());
        try (Loopback pair = Loopback.open()) {
            MemoryConduit client = new MemoryConduit(Integer.MAX_VALUE);
            Tunnel tunnel = opened(relay.open(client, Endpoint.of(pair.proxyUpstream)));
            pair.upstream.setSoLinger(true, 0);
            pair.upstream.close();

            assertEquals(Boolean.TRUE, await(client.closed), "reset, so that the peer never takes it for an end");
            assertEquals(CloseReason.UPSTREAM_RESET, outcome(tunnel).reason());
        }
    }

    @Test
    void anIdleTunnelEndsAtTheIdleTimeoutAndItsStreamIsClosedWithoutAReset() throws IOException {
        start(RelayOptions.builder().idleTimeout(Duration.ofMillis(200)).build());
        try (Loopback pair = Loopback.open()) {
            MemoryConduit client = new MemoryConduit(Integer.MAX_VALUE);
            Tunnel tunnel = opened(relay.open(client, Endpoint.of(pair.proxyUpstream)));

            assertEquals(CloseReason.IDLE_TIMEOUT, outcome(tunnel).reason());
            assertEquals(Boolean.FALSE, await(client.closed));
            assertEof(pair.upstream);
        }
    }

    @Test
    void aRefusedOpenLeavesTheConduitUntouched() throws IOException {
        start(RelayOptions.builder().maxTunnels(1).build());
        try (Loopback first = Loopback.open(); Loopback second = Loopback.open()) {
            opened(relay.open(new MemoryConduit(Integer.MAX_VALUE), Endpoint.of(first.proxyUpstream)));
            MemoryConduit refused = new MemoryConduit(Integer.MAX_VALUE);

            Opening opening = relay.open(refused, Endpoint.of(second.proxyUpstream));

            assertEquals(RefusalReason.TUNNEL_LIMIT, assertInstanceOf(Opening.Refused.class, opening).reason());
            assertNull(refused.wakeUp, "no method of a refused conduit is called");
            assertFalse(refused.closed.isDone());
            assertTrue(second.proxyUpstream.isOpen(), "the upstream's channel is still the caller's");
        }
    }

    @Test
    void aDrainWritesTheClosingBytesToTheConduitAndClosesIt() throws IOException {
        start(RelayOptions.builder().closeHook(CloseHook.webSocketGoingAway()).build());
        try (Loopback pair = Loopback.open()) {
            MemoryConduit client = new MemoryConduit(Integer.MAX_VALUE);
            Tunnel tunnel = opened(relay.open(client, Endpoint.of(pair.proxyUpstream)));

            await(relay.drain(Duration.ZERO));

            assertEquals(CloseReason.SHUTDOWN, outcome(tunnel).reason());
            assertArrayEquals(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xE9}, client.received());
            assertEquals(Boolean.FALSE, await(client.closed));
        }
    }

    /**
     * A conduit in memory: what the test sends waits in a queue for the relay's reads, and what the relay
     * writes goes into {@link #received()} as far as the window allows. Every change wakes the relay.
     */
    static final class MemoryConduit implements Conduit {
        private final ArrayDeque<ByteBuffer> inbound = new ArrayDeque<>();
        private final ByteArrayOutputStream outbound = new ByteArrayOutputStream();
        private boolean inputEnded;
        private boolean outputEnded;
        private IOException failure;
        private long window;
        volatile Runnable wakeUp;
        final CompletableFuture<Boolean> closed = new CompletableFuture<>();

        MemoryConduit(long window) {
            this.window = window;
        }

        @Override
        public void onReady(Runnable wakeUp) {
            assertNull(this.wakeUp, "onReady is called once");
            this.wakeUp = wakeUp;
        }

        void send(byte[] bytes) {
            synchronized (this) {
                inbound.add(ByteBuffer.wrap(bytes));
            }
            wake();
        }

        void end() {
            synchronized (this) {
                inputEnded = true;
            }
            wake();
        }

        void reset() {
            synchronized (this) {
                failure = new ConduitResetException("the client reset the stream (RST_STREAM CANCEL)");
            }
            wake();
        }

        void grant(int bytes) {
            synchronized (this) {
                window += bytes;
            }
            wake();
        }

        synchronized byte[] received() {
            return outbound.toByteArray();
        }

        synchronized boolean outputEnded() {
            return outputEnded;
        }

        private void wake() {
            Runnable wake = wakeUp;
            if (wake != null) {
                wake.run();
            }
        }

        @Override
        public synchronized int read(ByteBuffer dst) throws IOException {
            if (failure != null) {
                throw failure;
            }
            int n = 0;
            while (dst.hasRemaining() && !inbound.isEmpty()) {
                ByteBuffer next = inbound.peek();
                int take = Math.min(dst.remaining(), next.remaining());
                dst.put(next.slice(next.position(), take));
                next.position(next.position() + take);
                n += take;
                if (!next.hasRemaining()) {
                    inbound.poll();
                }
            }
            return n == 0 && inputEnded ? -1 : n;
        }

        @Override
        public synchronized int write(ByteBuffer src) throws IOException {
            if (failure != null) {
                throw failure;
            }
            int n = (int) Math.min(src.remaining(), window);
            byte[] bytes = new byte[n];
            src.get(bytes);
            outbound.write(bytes, 0, n);
            window -= n;
            return n;
        }

        @Override
        public synchronized void shutdownOutput() {
            outputEnded = true;
        }

        @Override
        public void close(boolean abort) {
            assertTrue(closed.complete(abort), "close is called once");
        }
    }
}
