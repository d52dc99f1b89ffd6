package io.github.upgrade4j.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RelayOptionsTest {
    @Test
    void standardFollowsTheDocumentedDefaults() {
        RelayOptions options = RelayOptions.standard();

        assertEquals(Runtime.getRuntime().availableProcessors(), options.loops());
        assertEquals(64 * 1024, options.bufferSize());
        assertEquals(64L * 1024 * 1024, options.bufferBudgetBytes());
        assertEquals(10_000, options.maxTunnels());
        assertEquals(Duration.ofSeconds(60), options.idleTimeout());
        assertEquals(Duration.ofSeconds(60), options.sendStallTimeout());
        assertEquals(Duration.ofSeconds(30), options.halfClosedTimeout());
        assertEquals(Duration.ZERO, options.maxLifetime());
        assertTrue(options.tcpNoDelay());
        assertFalse(options.keepAlive());
        assertSame(CloseHook.none(), options.closeHook());
        assertFalse(options.tlsFinWithoutCloseNotifyAsEnd(), "strict: a FIN without close_notify is a reset");
    }

    @Test
    void withCopiesChangeOneSettingAndLeaveTheOriginal() {
        RelayOptions standard = RelayOptions.standard();
        RelayOptions changed = standard.withLoops(3).withBufferSize(8192).withBufferBudgetBytes(1 << 20)
                .withMaxTunnels(5).withIdleTimeout(Duration.ofSeconds(1)).withSendStallTimeout(Duration.ofSeconds(2))
                .withHalfClosedTimeout(Duration.ofSeconds(3)).withMaxLifetime(Duration.ofHours(1)).withTcpNoDelay(false)
                .withKeepAlive(true).withCloseHook(CloseHook.webSocketGoingAway()).withTlsFinWithoutCloseNotifyAsEnd(true);

        assertEquals(new RelayOptions(3, 8192, 1 << 20, 5, Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(3), Duration.ofHours(1), false, true, CloseHook.webSocketGoingAway(), true), changed);
        assertEquals(RelayOptions.standard(), standard);
        assertNotSame(standard, changed);
    }

    @Test
    void acceptsATlsFinWithoutCloseNotifyAsAnEndOnlyWhenAskedAndChangesNothingElse() {
        RelayOptions standard = RelayOptions.standard();
        RelayOptions lenient = standard.withTlsFinWithoutCloseNotifyAsEnd(true);

        assertTrue(lenient.tlsFinWithoutCloseNotifyAsEnd());
        assertFalse(standard.tlsFinWithoutCloseNotifyAsEnd(), "the original is untouched");
        assertEquals(standard, lenient.withTlsFinWithoutCloseNotifyAsEnd(false));
        assertEquals(lenient, lenient.withTlsFinWithoutCloseNotifyAsEnd(true));
        assertEquals(standard.withIdleTimeout(Duration.ofSeconds(5)).withTlsFinWithoutCloseNotifyAsEnd(true),
                lenient.withIdleTimeout(Duration.ofSeconds(5)), "other copies keep the setting");
    }

    @Test
    void rejectsOutOfRangeSettingsSayingWhatWasExpected() {
        RelayOptions standard = RelayOptions.standard();
        assertMessage("expected loops in [1, 1024] but was 0", () -> standard.withLoops(0));
        assertMessage("expected bufferSize in [1024, 16777216] but was 100", () -> standard.withBufferSize(100));
        assertMessage("expected bufferBudgetBytes >= 2 * bufferSize (131072) but was 1000",
                () -> standard.withBufferBudgetBytes(1000));
        assertMessage("expected maxTunnels >= 1 but was 0", () -> standard.withMaxTunnels(0));
        assertMessage("expected idleTimeout >= 0 (0 = off) but was PT-1S",
                () -> standard.withIdleTimeout(Duration.ofSeconds(-1)));
        assertMessage("expected sendStallTimeout >= 0 (0 = off) but was PT-0.001S",
                () -> standard.withSendStallTimeout(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> standard.withMaxLifetime(Duration.ofSeconds(Long.MAX_VALUE)));
        assertThrows(NullPointerException.class, () -> standard.withHalfClosedTimeout(null));
    }

    private static void assertMessage(String expected, Runnable action) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, action::run).getMessage());
    }

    @Test
    void endpointCopiesTheLeftoverOnTheWayInAndLeavesTheCallersBufferAlone() throws Exception {
        ByteBuffer callers = ByteBuffer.wrap(new byte[] {'h', 'e', 'a', 'd', 'x', 'y'});
        callers.position(4);
        try (SocketChannel channel = SocketChannel.open()) {
            Endpoint endpoint = Endpoint.of(channel, callers);
            callers.put(4, (byte) 'Z');

            assertEquals(4, callers.position(), "the caller's position is untouched");
            assertEquals(ByteBuffer.wrap(new byte[] {'x', 'y'}), endpoint.leftover());
            endpoint.leftover().get(); // moving a view moves nothing inside
            assertEquals(2, endpoint.leftover().remaining());
            assertTrue(endpoint.leftover().isReadOnly());
            assertEquals(0, Endpoint.of(channel).leftover().remaining());
        }
    }

    @Test
    void webSocketGoingAwayWritesAnUnmaskedFrameToTheClientAndAFreshlyMaskedOneToTheUpstream() {
        CloseHook hook = CloseHook.webSocketGoingAway();
        assertEquals(ByteBuffer.wrap(new byte[] {(byte) 0x88, 2, 3, (byte) 0xE9}), hook.closingBytes(CloseHook.Side.CLIENT));

        ByteBuffer first = hook.closingBytes(CloseHook.Side.UPSTREAM);
        ByteBuffer second = hook.closingBytes(CloseHook.Side.UPSTREAM);
        assertEquals(8, first.remaining());
        assertEquals((byte) 0x82, first.get(1), "mask bit and a 2-byte payload");
        assertEquals(3, first.get(6) ^ first.get(2));
        assertEquals((byte) 0xE9, (byte) (first.get(7) ^ first.get(3)));
        assertFalse(first.equals(second) && second.equals(hook.closingBytes(CloseHook.Side.UPSTREAM)),
                "a new masking key each time");
        assertEquals(0, CloseHook.none().closingBytes(CloseHook.Side.UPSTREAM).remaining());
    }
}
