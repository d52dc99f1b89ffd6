package io.github.upgrade4j.tunnel;

import static io.github.upgrade4j.tunnel.Loopback.assertEof;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a tunnel holds while bytes are in flight, on each path: a buffer or a pipe, borrowed only then,
 * back after bursts and after every kind of end, a pipe with bytes left in it closed rather than
 * pooled, no descriptor kept once the tunnels are gone, and the two sides of a pipe each finding the
 * other unready (EAGAIN) without losing a byte.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.github.upgrade4j.tunnel.RelayPaths#tested")
class TunnelInFlightTest {
    @Parameter
    RelayPath path;

    private TunnelRelay relay;

    @AfterEach
    void closeRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    private TunnelRelay start(RelayOptions.Builder options) {
        relay = TunnelRelay.start(options.relayPath(path).build());
        assertEquals(path, relay.path());
        return relay;
    }

    @Test
    void everyBufferAndPipeIsBackAfterBurstsAndAfterEveryKindOfEnd() throws IOException {
        start(RelayOptions.builder());
        Set<CloseReason> seen = EnumSet.noneOf(CloseReason.class);
        for (int round = 0; round < 3; round++) {
            seen.add(burstThenFins());
            seen.add(burstThenClose());
            seen.add(burstThenReset());
        }
        assertEquals(EnumSet.of(CloseReason.CLIENT_FIN_FIRST, CloseReason.CLOSED_BY_CALLER,
                CloseReason.UPSTREAM_RESET), seen);
        assertNothingHeld();
    }

    private CloseReason burstThenFins() throws IOException {
        byte[] burst = randomBytes(3 << 20, 7);
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            CompletableFuture<Void> sending = async(() -> {
                write(pair.client, burst);
                pair.client.shutdownOutput();
                return null;
            });
            assertEquals(sha256(burst), sha256(Loopback.readToEof(pair.upstream)));
            await(sending);
            pair.upstream.shutdownOutput();
            assertEof(pair.client);
            return outcome(tunnel).reason();
        }
    }

    private CloseReason burstThenClose() throws IOException {
        byte[] burst = randomBytes(2 << 20, 8);
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            write(pair.upstream, burst);
            assertArrayEquals(burst, readFully(pair.client, burst.length));
            awaitTrue("the burst to be counted", () -> tunnel.bytesUpstreamToClient() == burst.length);
            tunnel.close();
            return outcome(tunnel).reason();
        }
    }

    private CloseReason burstThenReset() throws IOException {
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            write(pair.client, randomBytes(1 << 20, 9));
            readFully(pair.upstream, 1 << 20);
            pair.upstream.setSoLinger(true, 0);
            pair.upstream.close();
            return outcome(tunnel).reason();
        }
    }

    @Test
    void aPeerThatResetsWhileBytesWaitInsideTheRelayEndsTheTunnelAndNothingIsPooledWithThem() throws IOException {
        start(RelayOptions.builder().bufferSize(16 * 1024));
        try (Loopback pair = Loopback.open(8 * 1024)) {
            Tunnel tunnel = pair.openOn(relay);
            CompletableFuture<Void> flooding = async(() -> {
                try {
                    write(pair.client, new byte[8 << 20]); // the upstream reads nothing: the relay fills up
                } catch (RuntimeException expected) {
                    // the reset reaches the client while it writes
                }
                return null;
            });
            awaitSteady("bytes held inside the relay toward the silent upstream",
                    () -> relay.stats().buffersBorrowed() == 1 && tunnel.bytesClientToUpstream() > 0);
            int pipesBefore = relay.pipesOpen();

            pair.upstream.setSoLinger(true, 0);
            pair.upstream.close();

            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.UPSTREAM_RESET, outcome.reason());
            // The client gets the reset too; its flooding writer may be the one to see it (the kernel
            // reports it once), so the writer ending is the check here (TunnelResetTest checks the RST).
            await(flooding);
            awaitTrue("nothing borrowed", () -> relay.stats().buffersBorrowed() == 0);
            // The pipe that held bytes was closed, not pooled (on the copy path there are none).
            assertEquals(path == RelayPath.SPLICE ? pipesBefore - 1 : 0, relay.pipesOpen());
            // The held pipe (or buffer) was not pooled with bytes in it: a new tunnel gets only its own bytes.
            try (Loopback next = Loopback.open()) {
                Tunnel fresh = next.openOn(relay);
                write(next.client, new byte[] {1, 2, 3});
                assertArrayEquals(new byte[] {1, 2, 3}, readFully(next.upstream, 3));
                fresh.close();
                outcome(fresh);
            }
        }
    }

    @Test
    void bothSidesOfTheRelayFindingTheOtherUnreadyLoseAndRepeatNoByte() throws IOException {
        // Small kernel buffers both ways, a writer of odd sizes and a jerky reader: the sink is full again
        // and again (EAGAIN toward it) and the source empty again and again (EAGAIN from it).
        start(RelayOptions.builder().bufferSize(16 * 1024));
        byte[] data = randomBytes(2 << 20, 10);
        try (Loopback pair = Loopback.open(32 * 1024)) {
            Tunnel tunnel = pair.openOn(relay);
            CompletableFuture<Void> sending = async(() -> {
                Socket client = pair.client;
                for (int offset = 0; offset < data.length; ) {
                    int n = Math.min(data.length - offset, 1 + (offset * 31 % 70_000));
                    client.getOutputStream().write(data, offset, n);
                    offset += n;
                }
                client.shutdownOutput();
                return null;
            });
            java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
            InputStream in = pair.upstream.getInputStream();
            byte[] chunk = new byte[20_000];
            for (int n; (n = in.read(chunk, 0, 1 + received.size() * 7 % chunk.length)) >= 0; ) {
                received.write(chunk, 0, n);
            }
            await(sending);

            assertEquals(sha256(data), sha256(received.toByteArray()));
            pair.upstream.shutdownOutput();
            TunnelOutcome outcome = outcome(tunnel);
            assertEquals(CloseReason.CLIENT_FIN_FIRST, outcome.reason());
            assertEquals(data.length, outcome.bytesClientToUpstream());
            assertNothingHeld();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(FaultySyscalls.Fault.class)
    void aSpliceTheKernelRefusesOrAPipeItCannotMakeFallsBackToCopyingWithoutLosingOrRepeatingAByte(
            FaultySyscalls.Fault fault) throws IOException {
        AtomicInteger injected = new AtomicInteger();
        relay = TunnelRelay.start(RelayOptions.builder().relayPath(path).bufferSize(16 * 1024).build(),
                real -> new FaultySyscalls(real, fault, fault == FaultySyscalls.Fault.NEW_PIPE ? 2 : 3, injected));
        byte[] up = randomBytes(2 << 20, 11);
        byte[] down = randomBytes(2 << 20, 12);
        try (Loopback pair = Loopback.open(32 * 1024)) {
            Tunnel tunnel = pair.openOn(relay);
            CompletableFuture<Void> uploading = async(() -> {
                write(pair.client, up);
                pair.client.shutdownOutput();
                return null;
            });
            CompletableFuture<Void> downloading = async(() -> {
                write(pair.upstream, down);
                pair.upstream.shutdownOutput();
                return null;
            });
            CompletableFuture<byte[]> received = async(() -> Loopback.readToEof(pair.client));

            assertEquals(sha256(up), sha256(Loopback.readToEof(pair.upstream)));
            assertEquals(sha256(down), sha256(await(received)));
            await(uploading);
            await(downloading);
            TunnelOutcome outcome = outcome(tunnel);
            assertTrue(outcome.reason().isCompletion(), outcome::toString);
            assertEquals(up.length, outcome.bytesClientToUpstream());
            assertEquals(down.length, outcome.bytesUpstreamToClient());
            assertEquals(path == RelayPath.SPLICE, injected.get() > 0, "failures injected: " + injected);
            awaitTrue("nothing borrowed", () -> relay.stats().buffersBorrowed() == 0);
        }
    }

    private static final byte[] BURST = randomBytes(256 * 1024, 13);

    @Test
    void smallTransfersAreCopiedAndBulkOnesSplicedOnTheSplicePath() throws IOException {
        start(RelayOptions.builder());
        try (Loopback pair = Loopback.open()) {
            Tunnel tunnel = pair.openOn(relay);
            byte[] message = randomBytes(64, 14);
            for (int i = 0; i < 200; i++) { // chat-like: 64 B each way, one at a time
                write(pair.client, message);
                assertArrayEquals(message, readFully(pair.upstream, 64));
                write(pair.upstream, message);
                assertArrayEquals(message, readFully(pair.client, 64));
            }
            assertEquals(0, relay.pipesOpen(), "64 B messages go through a buffer, not a pipe");

            byte[] bulk = randomBytes(8 << 20, 15);
            CompletableFuture<Void> sending = async(() -> {
                write(pair.client, bulk);
                return null;
            });
            assertEquals(sha256(bulk), sha256(readFully(pair.upstream, bulk.length)));
            await(sending);
            assertEquals(path == RelayPath.SPLICE, relay.pipesOpen() > 0, "a bulk transfer is spliced on that path");
            write(pair.upstream, message); // and small ones are fine again afterwards
            assertArrayEquals(message, readFully(pair.client, 64));
            tunnel.close();
            assertEquals(200 * 64 + bulk.length, outcome(tunnel).bytesClientToUpstream());
        }
    }

    @Test
    void descriptorsAreBackToWhereTheyWereAfterTenThousandTunnels() throws IOException {
        long before = Loopback.openFileDescriptors();
        start(RelayOptions.builder().loops(2));
        long started = Loopback.openFileDescriptors();
        List<Tunnel> tunnels = new ArrayList<>();
        for (int batch = 0; batch < 100; batch++) {
            List<Loopback> pairs = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Loopback pair = Loopback.open();
                pairs.add(pair);
                Tunnel tunnel = pair.openOn(relay);
                tunnels.add(tunnel);
                write(pair.client, new byte[] {(byte) i});
            }
            for (int i = 0; i < pairs.size(); i++) {
                Loopback pair = pairs.get(i);
                assertEquals(i, pair.upstream.getInputStream().read());
                if (i % 10 == 0) { // a burst, which the splice path moves through a pipe
                    write(pair.upstream, BURST);
                    readFully(pair.client, BURST.length);
                }
                switch (i % 3) {
                    case 0 -> tunnels.get(tunnels.size() - 100 + i).close();
                    case 1 -> {
                        pair.client.shutdownOutput();
                        pair.upstream.shutdownOutput();
                    }
                    default -> {
                        pair.client.setSoLinger(true, 0);
                        pair.client.close();
                    }
                }
            }
            for (Tunnel tunnel : tunnels.subList(tunnels.size() - 100, tunnels.size())) {
                outcome(tunnel);
            }
            pairs.forEach(Loopback::close);
        }
        assertEquals(10_000, relay.stats().tunnelsEnded());
        if (path == RelayPath.SPLICE) {
            assertEquals(10_000, relay.stats().tunnelsSpliced());
        }
        assertNothingHeld();
        // What is left open: the pooled pipes (two descriptors each), and the relay's own selectors.
        long pooledPipes = relay.pipesOpen();
        awaitTrue("descriptors of the ended tunnels to be released", () ->
                Loopback.openFileDescriptors() <= started + 2 * pooledPipes);
        relay.close();
        relay = null;
        awaitTrue("every descriptor the relay opened to be closed", () -> Loopback.openFileDescriptors() <= before);
    }

    /** No buffer or pipe is borrowed, and only the splice path has pipes, all of them pooled and empty. */
    private void assertNothingHeld() {
        awaitTrue("nothing borrowed", () -> relay.stats().buffersBorrowed() == 0);
        RelayStats stats = relay.stats();
        assertTrue(stats.pooledBytes() <= stats.budgetBytes(), stats::toString);
        if (path == RelayPath.COPY) {
            assertEquals(0, relay.pipesOpen(), "the copy path makes no pipe");
        } else {
            assertTrue(relay.pipesOpen() > 0, "the splice path moved its bytes through pipes");
            assertTrue(stats.pooledBytes() >= relay.pipesOpen() * (long) relay.options().bufferSize(),
                    () -> "every pipe is pooled: " + relay.pipesOpen() + " pipes, " + stats);
        }
    }
}
