package io.github.upgrade4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WebSocketFramingTest {
    @Test
    void headersUseTheShortestOfTheThreeLengthForms() {
        assertEquals(2, WebSocketFraming.headerLength(125, false));
        assertEquals(4, WebSocketFraming.headerLength(126, false));
        assertEquals(4, WebSocketFraming.headerLength(65_535, false));
        assertEquals(10, WebSocketFraming.headerLength(65_536, false));
        assertEquals(14, WebSocketFraming.headerLength(65_536, true));
        for (long length : new long[] {0, 125, 126, 65_535, 65_536}) {
            ByteBuffer header = ByteBuffer.allocate(14);
            WebSocketFraming.putHeader(header, length, true, 0x01020304);
            header.flip();
            long[] parsed = WebSocketFraming.parseHeader(header);
            assertEquals(WebSocketFraming.headerLength(length, true), header.remaining());
            assertArrayEquals(new long[] {header.remaining(), length, 2, 0x01020304, 1}, parsed);
        }
    }

    @Test
    void anIncompleteHeaderIsNotParsedYet() {
        ByteBuffer header = ByteBuffer.allocate(14);
        WebSocketFraming.putHeader(header, 70_000, true, 7);
        header.flip();
        for (int n = 0; n < 14; n++) {
            assertNull(WebSocketFraming.parseHeader(header.duplicate().limit(n)), "after " + n + " bytes");
        }
    }

    @Test
    void maskingTwiceGivesTheBytesBackFromAnyOffset() {
        byte[] payload = new byte[1000];
        new Random(1).nextBytes(payload);
        for (int offset = 0; offset < 4; offset++) {
            ByteBuffer masked = ByteBuffer.allocate(payload.length);
            WebSocketFraming.maskCopy(ByteBuffer.wrap(payload), masked, payload.length, 0xA1B2C3D4, offset);
            ByteBuffer back = ByteBuffer.allocate(payload.length);
            WebSocketFraming.maskCopy(masked.flip(), back, payload.length, 0xA1B2C3D4, offset);
            assertArrayEquals(payload, back.array());
            // RFC 6455 §5.3: byte i is XORed with key byte (i mod 4), counted from the payload's start.
            int key = 0xA1B2C3D4;
            for (int i = 0; i < 9; i++) {
                int keyByte = (key >>> (24 - 8 * ((offset + i) & 3))) & 0xFF;
                assertEquals((byte) (payload[i] ^ keyByte), masked.get(i));
            }
        }
    }

    @Test
    void writesOneMaskedBinaryFramePerWrite() throws IOException {
        FakeLink link = new FakeLink(new byte[0], 1);
        ClientLink framed = WebSocketFraming.over(link);
        byte[] payload = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        framed.writeFully(ByteBuffer.wrap(payload));
        ByteBuffer written = ByteBuffer.wrap(link.written.toByteArray());
        long[] header = WebSocketFraming.parseHeader(written);
        assertEquals(6, header[0]);
        assertEquals(5, header[1]);
        assertEquals(1, header[4]);
        written.position(6);
        ByteBuffer unmasked = ByteBuffer.allocate(5);
        WebSocketFraming.maskCopy(written, unmasked, 5, (int) header[3], 0);
        assertArrayEquals(payload, unmasked.array());
    }

    @Test
    void readsThePayloadsOfServerFramesWhateverTheReadSizes() throws IOException {
        Random random = new Random(2);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ByteArrayOutputStream payloads = new ByteArrayOutputStream();
        for (int length : new int[] {65_536, 1, 0, 125, 126, 65_535, 65_536, 64, 65_536, 3}) {
            byte[] payload = new byte[length];
            random.nextBytes(payload);
            ByteBuffer header = ByteBuffer.allocate(14);
            WebSocketFraming.putHeader(header, length, false, 0);
            wire.write(header.array(), 0, header.position());
            wire.write(payload, 0, length);
            payloads.write(payload, 0, length);
        }
        for (int maxRead : new int[] {1, 7, 1000, 70_000}) {
            for (int into : new int[] {1, 64, 65_536}) {
                ClientLink framed = WebSocketFraming.over(new FakeLink(wire.toByteArray(), maxRead));
                ByteArrayOutputStream read = new ByteArrayOutputStream();
                ByteBuffer buffer = ByteBuffer.allocate(into);
                for (int n; (n = framed.read(buffer.clear())) >= 0; ) {
                    read.write(buffer.array(), 0, n);
                }
                assertArrayEquals(payloads.toByteArray(), read.toByteArray(), "reads of " + maxRead + " into " + into);
            }
        }
    }

    @Test
    void aCloseFrameEndsTheStreamAndAMaskedServerFrameIsAnError() throws IOException {
        ClientLink closed = WebSocketFraming.over(new FakeLink(new byte[] {(byte) 0x88, 0}, 100));
        assertEquals(-1, closed.read(ByteBuffer.allocate(10)));
        ClientLink masked = WebSocketFraming.over(new FakeLink(new byte[] {(byte) 0x82, (byte) 0x81, 1, 2, 3, 4, 5},
                100));
        assertThrows(IOException.class, () -> masked.read(ByteBuffer.allocate(10)));
    }

    /** Bytes handed out at most {@code maxRead} at a time; what is written is kept. */
    private static final class FakeLink implements ClientLink {
        private final ByteBuffer wire;
        private final int maxRead;
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        FakeLink(byte[] wire, int maxRead) {
            this.wire = ByteBuffer.wrap(wire);
            this.maxRead = maxRead;
        }

        @Override
        public int read(ByteBuffer into) {
            if (!wire.hasRemaining()) {
                return -1;
            }
            int n = Math.min(Math.min(maxRead, wire.remaining()), into.remaining());
            into.put(wire.slice().limit(n));
            wire.position(wire.position() + n);
            return n;
        }

        @Override
        public void writeFully(ByteBuffer from) {
            byte[] bytes = new byte[from.remaining()];
            from.get(bytes);
            written.write(bytes, 0, bytes.length);
        }

        @Override
        public ByteBuffer buffer(int size) {
            return ByteBuffer.allocate(size);
        }

        @Override
        public String describe() {
            return "fake";
        }

        @Override
        public void close() {}
    }
}
