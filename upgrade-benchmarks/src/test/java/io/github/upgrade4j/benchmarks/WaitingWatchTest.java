package io.github.upgrade4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class WaitingWatchTest {
    private static final int CLIENTS = 20;

    /** Accepts {@code CLIENTS} connections, reads what each sent, answers {@code answer} and closes it. */
    private static Thread server(ServerSocket listener, byte[] answer, List<String> received) {
        Thread thread = new Thread(() -> {
            for (int i = 0; i < CLIENTS; i++) {
                try (Socket socket = listener.accept()) {
                    InputStream in = socket.getInputStream();
                    byte[] half = in.readNBytes(WaitingWatch.HALF_REQUEST.length);
                    received.add(new String(half, StandardCharsets.ISO_8859_1));
                    socket.getOutputStream().write(answer);
                } catch (Exception e) {
                    return;
                }
            }
        }, "test-server");
        thread.start();
        return thread;
    }

    @Test
    void everyClientSendsHalfARequestLineAndIsSeenClosedWithWhatItWasAnswered() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress())) {
            byte[] answer = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
            Thread server = server(listener, answer, received);
            InetSocketAddress address = (InetSocketAddress) listener.getLocalSocketAddress();
            try (WaitingWatch watch = WaitingWatch.open(address, CLIENTS, 4)) {
                server.join();
                watch.awaitAllClosed(System.nanoTime() + Duration.ofMinutes(1).toNanos()); // a bound, not a timing
                // closed at once, against a header timeout of an hour: all early, none late
                WaitingWatch.Closures closures = watch.closures(Duration.ofHours(1));

                assertEquals(CLIENTS, watch.opened());
                assertEquals(0, watch.failed());
                assertEquals(0, watch.stillOpen());
                assertEquals(CLIENTS, closures.closed());
                assertEquals(CLIENTS, closures.answered());
                assertEquals(CLIENTS, closures.closedEarly());
                assertEquals(0, closures.notClosedInTime());
            }
        }
        assertEquals(CLIENTS, received.size());
        received.forEach(line -> assertEquals("GET /ind", line));
    }

    @Test
    void clientsNobodyClosesAreCountedAsNotClosedInTime() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
                WaitingWatch watch = WaitingWatch.open((InetSocketAddress) listener.getLocalSocketAddress(), 3, 2)) {
            WaitingWatch.Closures closures = watch.closures(Duration.ofSeconds(10));

            assertEquals(3, watch.opened());
            assertEquals(3, watch.stillOpen());
            assertEquals(0, closures.closed());
            assertEquals(3, closures.notClosedInTime());
            assertNull(closures.afterLastStall());
            assertNull(closures.afterOwnStall());
        }
    }

    @Test
    void aClientThatCannotConnectIsCountedAsFailed() throws Exception {
        InetSocketAddress closed;
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = (InetSocketAddress) listener.getLocalSocketAddress();
        }
        try (WaitingWatch watch = WaitingWatch.open(closed, 2, 1)) {
            assertEquals(0, watch.opened());
            assertEquals(2, watch.failed());
        }
    }

    @Test
    void aSpreadIsTheSmallestTheMedianAndTheLargestOfTheFirstValues() {
        WaitingWatch.Spread odd = WaitingWatch.Spread.of(new double[] {3, 1, 2, 99}, 3);
        WaitingWatch.Spread even = WaitingWatch.Spread.of(new double[] {4, 1, 3, 2}, 4);

        assertArrayEquals(new double[] {1, 2, 3}, new double[] {odd.min(), odd.median(), odd.max()});
        assertArrayEquals(new double[] {1, 2.5, 4}, new double[] {even.min(), even.median(), even.max()});
        assertNull(WaitingWatch.Spread.of(new double[] {1}, 0));
    }
}
