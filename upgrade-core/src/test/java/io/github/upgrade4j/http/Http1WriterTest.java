package io.github.upgrade4j.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Http1WriterTest {
    private static final ResponseHead SWITCH = ResponseHead.of(101, Headers.of(
            "Upgrade", "websocket", "connection", "Upgrade", "Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    private static final String SWITCH_TEXT = """
            HTTP/1.1 101 Switching Protocols\r
            Upgrade: websocket\r
            connection: Upgrade\r
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
            \r
            """;

    @Test
    void writesAResponseExactlyWithNameSpellingKept() {
        assertEquals(SWITCH_TEXT, new String(Http1Writer.toBytes(SWITCH), StandardCharsets.ISO_8859_1));
        assertEquals(SWITCH_TEXT.length(), Http1Writer.length(SWITCH));
    }

    @Test
    void writesARequestExactly() {
        RequestHead head = new RequestHead("OPTIONS", "*", HttpVersion.HTTP_1_0, Headers.of("X", "caf\u00e9"));

        assertArrayEquals("OPTIONS * HTTP/1.0\r\nX: caf\u00e9\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
                Http1Writer.toBytes(head));
    }

    @Test
    void writesIntoHeapAndDirectBuffersAtTheirPosition() {
        for (ByteBuffer buffer : new ByteBuffer[] {ByteBuffer.allocate(200), ByteBuffer.allocateDirect(200)}) {
            buffer.put((byte) '!');
            Http1Writer.write(SWITCH, buffer);
            buffer.flip();
            byte[] out = new byte[buffer.remaining()];
            buffer.get(out);
            assertEquals("!" + SWITCH_TEXT, new String(out, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void writesNothingWhenTheBufferIsTooSmall() {
        ByteBuffer small = ByteBuffer.allocate(10);

        assertThrows(BufferOverflowException.class, () -> Http1Writer.write(SWITCH, small));
        assertEquals(0, small.position());
    }

    @Test
    void refusesHttp2Heads() {
        RequestHead h2 = new RequestHead("CONNECT", "/chat", HttpVersion.HTTP_2, Headers.of());

        assertThrows(IllegalArgumentException.class, () -> Http1Writer.toBytes(h2));
    }

    @Test
    void writesAnEmptyReasonAfterItsSpace() {
        ResponseHead head = new ResponseHead(HttpVersion.HTTP_1_1, 299, "", Headers.of());

        assertEquals("HTTP/1.1 299 \r\n\r\n", new String(Http1Writer.toBytes(head), StandardCharsets.ISO_8859_1));
    }
}
