package io.github.upgrade4j.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

/** {@link StreamEndpoint}: copy on the way in, share read-only on the way out, and the socket form. */
class StreamEndpointTest {
    private static final AutoCloseable NOTHING = () -> { };

    @Test
    void copiesTheLeftoversRemainingBytesAndLeavesTheCallersBufferAlone() {
        byte[] array = {1, 2, 3, 4, 5};
        ByteBuffer caller = ByteBuffer.wrap(array);
        caller.position(2);

        StreamEndpoint endpoint = new StreamEndpoint(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                caller, NOTHING, NOTHING);
        array[2] = 99;

        assertEquals(2, caller.position());
        assertEquals(ByteBuffer.wrap(new byte[] {3, 4, 5}), endpoint.leftover());
    }

    @Test
    void sharesTheLeftoverAsAReadOnlyViewWhosePositionIsItsOwn() {
        StreamEndpoint endpoint = new StreamEndpoint(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                ByteBuffer.wrap(new byte[] {7, 8}), NOTHING, NOTHING);

        ByteBuffer view = endpoint.leftover();
        assertThrows(ReadOnlyBufferException.class, () -> view.put(0, (byte) 0));
        view.get();
        assertEquals(2, endpoint.leftover().remaining());
    }

    @Test
    void takesTheSocketsStreamsItsShutdownOutputAsHalfCloseAndTheSocketItselfAsClose() throws IOException {
        try (StreamRelayTest.Pair pair = StreamRelayTest.Pair.open()) {
            StreamEndpoint endpoint = StreamEndpoint.of(pair.proxyClient, ByteBuffer.wrap(new byte[] {1}));

            assertSame(pair.proxyClient.getInputStream(), endpoint.input());
            assertSame(pair.proxyClient, endpoint.close());
            assertEquals(1, endpoint.leftover().remaining());
            endpoint.halfClose().close();
            assertTrue(pair.proxyClient.isOutputShutdown());
            assertEquals(-1, pair.client.getInputStream().read()); // a FIN toward the peer
            assertTrue(!pair.proxyClient.isClosed() && !pair.proxyClient.isInputShutdown());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void refusesASocketThatIsNotConnectedClosedOrHalfClosed() throws IOException {
        IllegalArgumentException unconnected = assertThrows(IllegalArgumentException.class,
                () -> StreamEndpoint.of(new Socket()));
        assertEquals("expected a connected socket open both ways but it was not connected", unconnected.getMessage());
        try (StreamRelayTest.Pair pair = StreamRelayTest.Pair.open()) {
            pair.proxyUpstream.shutdownOutput();
            pair.proxyClient.close();

            assertEquals("expected a connected socket open both ways but it was half-closed", assertThrows(
                    IllegalArgumentException.class, () -> StreamEndpoint.of(pair.proxyUpstream)).getMessage());
            assertEquals("expected a connected socket open both ways but it was closed", assertThrows(
                    IllegalArgumentException.class, () -> StreamEndpoint.of(pair.proxyClient)).getMessage());
        }
    }

    @Test
    void rejectsNullsByName() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> new StreamEndpoint(
                new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), ByteBuffer.allocate(0), null, NOTHING));
        assertEquals("halfClose", e.getMessage());
    }
}
