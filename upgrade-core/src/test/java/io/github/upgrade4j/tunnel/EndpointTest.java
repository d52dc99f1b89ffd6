package io.github.upgrade4j.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

/** Copy on the way in, read-only views on the way out, for both leftovers; plain stays plain. */
class EndpointTest {
    @Test
    void copiesBothLeftoversOnTheWayInAndLeavesTheCallersBuffersUntouched() throws IOException {
        ByteBuffer plaintext = ByteBuffer.wrap(new byte[] {1, 2, 3, 4}).position(1);
        ByteBuffer ciphertext = ByteBuffer.wrap(new byte[] {23, 3, 3, 0, 9});
        SSLEngine engine = TlsFixture.serverEngine();
        try (SocketChannel channel = SocketChannel.open()) {
            Endpoint endpoint = Endpoint.tls(channel, engine, plaintext, ciphertext);
            plaintext.put(1, (byte) 99);
            ciphertext.put(0, (byte) 99);

            assertEquals(1, plaintext.position(), "the caller's position is untouched");
            assertEquals(ByteBuffer.wrap(new byte[] {2, 3, 4}), endpoint.leftover());
            assertEquals(ByteBuffer.wrap(new byte[] {23, 3, 3, 0, 9}), endpoint.encryptedLeftover());
            assertSame(engine, endpoint.engine().orElseThrow());
            assertTrue(endpoint.leftover().isReadOnly() && endpoint.encryptedLeftover().isReadOnly());
            endpoint.encryptedLeftover().position(3);
            assertEquals(5, endpoint.encryptedLeftover().remaining(), "each view has its own position");
        }
    }

    @Test
    void keepsThePlainConstructorAndRefusesCiphertextWithoutAnEngine() throws IOException {
        try (SocketChannel channel = SocketChannel.open()) {
            Endpoint plain = new Endpoint(channel, ByteBuffer.wrap(new byte[] {7}));
            assertEquals(Optional.empty(), plain.engine());
            assertEquals(0, plain.encryptedLeftover().remaining());
            assertEquals(plain, Endpoint.of(channel, ByteBuffer.wrap(new byte[] {7})));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Endpoint(channel,
                    ByteBuffer.allocate(0), Optional.empty(), ByteBuffer.wrap(new byte[] {23})));
            assertEquals("expected no encrypted leftover on a plain endpoint but there were 1 bytes", e.getMessage());
        }
    }
}
