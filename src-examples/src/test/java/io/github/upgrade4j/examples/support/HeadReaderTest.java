package io.github.upgrade4j.examples.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.upgrade4j.http.HeadProblem;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.MessageHead;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class HeadReaderTest {
    private static final String GET = """
            GET /chat?room=1 HTTP/1.1\r
            Host: app.example\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            \r
            """;
    private static final String FRAME = "\u0081\u0085\u0001\u0002\u0003\u0004ifmmp"; // sent right behind the head

    @Test
    void readsAHeadSplitAtEveryByteBoundaryAndKeepsTheBytesBehindIt() throws IOException {
        String wire = GET + FRAME;
        for (int at = 0; at <= wire.length(); at++) {
            HeadReader reader = HeadReader.of(Pieces.splitAt(wire, at));
            RequestHead head = complete(reader.readHead(Http1Parser.forRequests()));
            assertEquals("/chat?room=1", head.target(), "split at " + at);
            assertEquals(FRAME, text(reader.readAllBytes()), "split at " + at);
        }
    }

    @Test
    void readsAHeadOneByteAtATimeThroughABufferOfOneByte() throws IOException {
        HeadReader reader = HeadReader.of(Pieces.oneByteAtATime(GET + FRAME), 1, ByteBuffer.allocate(0));
        assertEquals("/chat?room=1", complete(reader.readHead(Http1Parser.forRequests())).target());
        assertEquals(FRAME, text(reader.readAllBytes()));
    }

    @Test
    void readsAHeadLongerThanItsBuffer() throws IOException {
        String head = "GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + "x".repeat(20_000) + "\r\n\r\n";
        HeadReader reader = HeadReader.of(Pieces.of(head + "after"), 64, ByteBuffer.allocate(0));
        assertEquals("x".repeat(20_000), complete(reader.readHead(Http1Parser.forRequests())).headers()
                .first(HeaderName.of("X-Long")).orElseThrow());
        assertEquals("after", text(reader.readAllBytes()));
    }

    @Test
    void readsPipelinedHeadsAndTheBodyBetweenThem() throws IOException {
        String wire = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello" + GET;
        for (int at = 0; at <= wire.length(); at++) {
            HeadReader reader = HeadReader.of(Pieces.splitAt(wire, at));
            Http1Parser<RequestHead> parser = Http1Parser.forRequests();
            assertEquals("/a", complete(reader.readHead(parser)).target(), "split at " + at);
            assertEquals("hello", text(reader.readNBytes(5)), "split at " + at);
            assertEquals("/chat?room=1", complete(reader.readHead(parser)).target(), "split at " + at);
            assertNull(reader.readHead(parser), "split at " + at);
        }
    }

    @Test
    void readsInitialBytesBeforeTheStreamWhereverTheyEnd() throws IOException {
        String wire = GET + FRAME;
        for (int at = 0; at <= wire.length(); at++) {
            ByteBuffer received = bytes(wire.substring(0, at));
            HeadReader reader = HeadReader.of(Pieces.of(wire.substring(at)), received);
            assertEquals("/chat?room=1", complete(reader.readHead(Http1Parser.forRequests())).target(), "split at " + at);
            assertEquals(FRAME, text(reader.readAllBytes()), "split at " + at);
            assertEquals(0, received.position(), "the caller's buffer is not moved");
        }
    }

    @Test
    void copiesTheInitialBytesOnTheWayIn() throws IOException {
        ByteBuffer received = bytes("HTTP/1.1 101 Switching Protocols\r\n\r\n");
        HeadReader reader = HeadReader.of(Pieces.of(), 4, received); // more than the buffer size: all kept
        received.put(0, (byte) 'X');
        assertEquals(101, complete(reader.readHead(Http1Parser.forResponses())).status());
    }

    @Test
    void answersReadsFromTheBufferWithoutTouchingTheStream() throws IOException {
        Pieces stream = Pieces.of(GET + "abc", "more");
        HeadReader reader = HeadReader.of(stream);
        complete(reader.readHead(Http1Parser.forRequests()));
        int reads = stream.reads();
        assertEquals(3, reader.available());
        byte[] dst = new byte[100];
        assertEquals(3, reader.read(dst, 10, 100 - 10), "only the buffered bytes");
        assertEquals("abc", new String(dst, 10, 3, StandardCharsets.ISO_8859_1));
        assertEquals(reads, stream.reads(), "no read of the stream while bytes were buffered");
        assertEquals(0, reader.read(dst, 0, 0));
        assertEquals(4, reader.read(dst, 0, 100), "then straight from the stream");
        assertEquals(-1, reader.read());
        assertEquals(-1, reader.read(dst, 0, 1));
    }

    @Test
    void readsPastTheBufferSizeStraightFromTheStream() throws IOException {
        String body = "b".repeat(1000);
        HeadReader reader = HeadReader.of(Pieces.of(body), 16, ByteBuffer.allocate(0));
        byte[] dst = new byte[2000];
        assertEquals(1000, reader.read(dst, 0, dst.length), "one read, not limited by the 16-byte buffer");
    }

    @Test
    void unreadIsACopyOfTheBufferedBytesThatStayBuffered() throws IOException {
        HeadReader reader = HeadReader.of(Pieces.of(GET + FRAME));
        complete(reader.readHead(Http1Parser.forRequests()));
        ByteBuffer unread = reader.unread();
        assertEquals(FRAME, text(unread.duplicate()));
        unread.put(0, (byte) 0);
        assertEquals(FRAME, text(reader.unread()), "writing to the copy changes nothing");
        assertEquals(FRAME, text(reader.readAllBytes()));
        assertEquals(0, reader.unread().remaining());
    }

    @Test
    void fillReadsOnceAndReportsAFullBufferAndTheEnd() throws IOException {
        HeadReader full = HeadReader.of(Pieces.of("never read"), 4, bytes("abcd"));
        assertEquals(0, full.fill(), "no room");
        assertEquals("abcd", text(full.readNBytes(4)));

        HeadReader reader = HeadReader.of(Pieces.of("ab", "cd"));
        assertEquals(2, reader.fill());
        assertEquals(2, reader.fill());
        assertEquals(4, reader.available());
        assertEquals(-1, reader.fill());
        assertEquals("abcd", text(reader.readAllBytes()));
    }

    @Test
    void endOfStreamBeforeAnyByteOfAHeadIsNull() throws IOException {
        assertNull(HeadReader.of(Pieces.of()).readHead(Http1Parser.forRequests()));
        HeadReader afterOne = HeadReader.of(Pieces.of(GET));
        complete(afterOne.readHead(Http1Parser.forRequests()));
        assertNull(afterOne.readHead(Http1Parser.forRequests()));
    }

    @Test
    void endOfStreamInsideAHeadIsEofWhereverItComes() {
        for (int end = 1; end < GET.length(); end++) {
            String cut = GET.substring(0, end);
            assertThrows(EOFException.class, () -> HeadReader.of(Pieces.oneByteAtATime(cut))
                    .readHead(Http1Parser.forRequests()), "closed after " + end + " bytes");
            assertThrows(EOFException.class, () -> HeadReader.of(Pieces.of(), bytes(cut))
                    .readHead(Http1Parser.forRequests()), "only " + end + " initial bytes");
        }
    }

    @Test
    void returnsARejectedHeadAsTheParserGaveIt() throws IOException {
        String smuggle = "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n";
        for (int at = 0; at <= smuggle.length(); at++) {
            ParseResult<RequestHead> result = HeadReader.of(Pieces.splitAt(smuggle, at)).readHead(Http1Parser.forRequests());
            ParseResult.Rejected<?> rejected = assertInstanceOf(ParseResult.Rejected.class, result);
            assertEquals(HeadProblem.WHITESPACE_BEFORE_COLON, rejected.problem(), "split at " + at);
            assertEquals(400, rejected.status());
        }
        ParseResult<ResponseHead> response = HeadReader.of(Pieces.of("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n"))
                .readHead(Http1Parser.forResponses());
        assertEquals(HeadProblem.NUL_BYTE, assertInstanceOf(ParseResult.Rejected.class, response).problem());
    }

    @Test
    void refusesABufferSizeBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> HeadReader.of(Pieces.of(), 0, ByteBuffer.allocate(0)));
    }

    private static <H extends MessageHead> H complete(@Nullable ParseResult<H> result) {
        assertInstanceOf(ParseResult.Complete.class, result, () -> String.valueOf(result));
        return ((ParseResult.Complete<H>) result).head();
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String text(ByteBuffer bytes) {
        return StandardCharsets.ISO_8859_1.decode(bytes).toString();
    }
}
