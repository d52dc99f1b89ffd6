package io.github.upgrade4j.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
        assertEquals(256 * 1024, options.bufferSize());
        assertEquals(256L * 1024 * 1024, options.bufferBudgetBytes());
        assertEquals(10_000, options.maxTunnels());
        assertEquals(Duration.ofSeconds(60), options.idleTimeout());
        assertEquals(Duration.ofSeconds(60), options.sendStallTimeout());
        assertEquals(Duration.ofSeconds(30), options.halfClosedTimeout());
        assertEquals(Duration.ZERO, options.maxLifetime());
        assertTrue(options.tcpNoDelay());
        assertFalse(options.keepAlive());
        assertSame(CloseHook.none(), options.closeHook());
        assertFalse(options.tlsFinWithoutCloseNotifyAsEnd(), "strict: a FIN without close_notify is a reset");
        assertSame(RelayListener.none(), options.listener());
        assertEquals("RelayListener.none()", options.listener().toString());
    }

    @Test
    void keepsTheListenerItIsGivenComparesItByIdentityAndRefusesNone() {
        RelayListener listener = new RelayListener() {};
        RelayOptions withListener = RelayOptions.builder().listener(listener).build();

        assertSame(listener, withListener.listener());
        assertSame(listener, withListener.toBuilder().maxTunnels(3).build().listener(), "a builder from options keeps it");
        assertEquals(withListener, RelayOptions.builder().listener(listener).build());
        assertNotEquals(withListener, RelayOptions.builder().listener(new RelayListener() {}).build());
        assertNotEquals(RelayOptions.standard(), withListener);
        assertEquals(RelayOptions.standard(), withListener.toBuilder().listener(RelayListener.none()).build());
        assertTrue(withListener.toString().contains(", listener=" + listener + "]"), withListener::toString);
        assertEquals("listener", assertThrows(NullPointerException.class,
                () -> RelayOptions.builder().listener(null)).getMessage());
    }

    @Test
    void aBuilderFromTheOptionsChangesWhatItIsToldAndLeavesTheOriginal() {
        RelayOptions standard = RelayOptions.standard();
        RelayOptions changed = standard.toBuilder().loops(3).bufferSize(8192).bufferBudgetBytes(1 << 20)
                .maxTunnels(5).idleTimeout(Duration.ofSeconds(1)).sendStallTimeout(Duration.ofSeconds(2))
                .halfClosedTimeout(Duration.ofSeconds(3)).maxLifetime(Duration.ofHours(1)).tcpNoDelay(false)
                .keepAlive(true).closeHook(CloseHook.webSocketGoingAway()).tlsFinWithoutCloseNotifyAsEnd(true).build();

        assertEquals(3, changed.loops());
        assertEquals(8192, changed.bufferSize());
        assertEquals(1 << 20, changed.bufferBudgetBytes());
        assertEquals(5, changed.maxTunnels());
        assertEquals(Duration.ofSeconds(1), changed.idleTimeout());
        assertEquals(Duration.ofSeconds(2), changed.sendStallTimeout());
        assertEquals(Duration.ofSeconds(3), changed.halfClosedTimeout());
        assertEquals(Duration.ofHours(1), changed.maxLifetime());
        assertFalse(changed.tcpNoDelay());
        assertTrue(changed.keepAlive());
        assertSame(CloseHook.webSocketGoingAway(), changed.closeHook());
        assertTrue(changed.tlsFinWithoutCloseNotifyAsEnd());
        assertEquals(changed, changed.toBuilder().build(), "a builder from options builds equal options");
        assertEquals(changed.hashCode(), changed.toBuilder().build().hashCode());
        assertEquals(RelayOptions.standard(), standard);
        assertEquals(RelayOptions.standard(), RelayOptions.builder().build());
        assertNotEquals(standard, changed);
        assertTrue(changed.toString().startsWith("RelayOptions[loops=3, bufferSize=8192, "), changed::toString);
    }

    @Test
    void aBuilderCanBeReusedAfterBuildWithoutChangingWhatItBuilt() {
        RelayOptions.Builder builder = RelayOptions.builder().maxTunnels(7);
        RelayOptions first = builder.build();
        RelayOptions second = builder.maxTunnels(8).build();

        assertEquals(7, first.maxTunnels());
        assertEquals(8, second.maxTunnels());
        assertNotSame(first, second);
    }

    @Test
    void acceptsATlsFinWithoutCloseNotifyAsAnEndOnlyWhenAskedAndChangesNothingElse() {
        RelayOptions standard = RelayOptions.standard();
        RelayOptions lenient = standard.toBuilder().tlsFinWithoutCloseNotifyAsEnd(true).build();

        assertTrue(lenient.tlsFinWithoutCloseNotifyAsEnd());
        assertFalse(standard.tlsFinWithoutCloseNotifyAsEnd(), "the original is untouched");
        assertEquals(standard, lenient.toBuilder().tlsFinWithoutCloseNotifyAsEnd(false).build());
        assertEquals(standard.toBuilder().idleTimeout(Duration.ofSeconds(5)).tlsFinWithoutCloseNotifyAsEnd(true).build(),
                lenient.toBuilder().idleTimeout(Duration.ofSeconds(5)).build(), "other settings keep it");
    }

    @Test
    void rejectsOutOfRangeSettingsSayingWhatWasExpected() {
        RelayOptions standard = RelayOptions.standard();
        assertMessage("expected loops in [1, 1024] but was 0", () -> standard.toBuilder().loops(0).build());
        assertMessage("expected bufferSize in [1024, 16777216] but was 100",
                () -> standard.toBuilder().bufferSize(100).build());
        assertMessage("expected bufferBudgetBytes >= 2 * bufferSize (524288) but was 1000",
                () -> standard.toBuilder().bufferBudgetBytes(1000).build());
        assertMessage("expected maxTunnels >= 1 but was 0", () -> standard.toBuilder().maxTunnels(0).build());
        assertMessage("expected idleTimeout >= 0 (0 = off) but was PT-1S",
                () -> standard.toBuilder().idleTimeout(Duration.ofSeconds(-1)).build());
        assertMessage("expected sendStallTimeout >= 0 (0 = off) but was PT-0.001S",
                () -> standard.toBuilder().sendStallTimeout(Duration.ofMillis(-1)).build());
        assertThrows(IllegalArgumentException.class,
                () -> standard.toBuilder().maxLifetime(Duration.ofSeconds(Long.MAX_VALUE)).build());
        assertThrows(NullPointerException.class, () -> standard.toBuilder().halfClosedTimeout(null));
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
