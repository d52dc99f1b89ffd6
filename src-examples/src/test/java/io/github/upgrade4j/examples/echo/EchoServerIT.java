package io.github.upgrade4j.examples.echo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.upgrade4j.examples.support.WebSocketFrame.Opcode;
import io.github.upgrade4j.examples.support.WebSocketFrameDecoder.Result;
import io.github.upgrade4j.examples.proxy.attacks.LogLines;
import io.github.upgrade4j.examples.support.WebSocketFrame;
import io.github.upgrade4j.examples.support.WebSocketFrameDecoder;
import io.github.upgrade4j.examples.support.WebSocketRecorder;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.upgrade.UpgradeNegotiator;
import io.github.upgrade4j.upgrade.WebSocketHandshake;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The echo server on 127.0.0.1 against the JDK's WebSocket client and hand-written bytes. */
@Timeout(30)
class EchoServerIT {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final int WAIT_SECONDS = 10;

    private final LogLines log = new LogLines();
    private EchoServer server;

    @BeforeEach
    void start() throws IOException {
        server = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), new PrintStream(log, true, UTF_8));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void printsWhereItListensOnceReady() throws Exception {
        assertEquals("listening on 127.0.0.1:" + server.address().getPort(), log.next());
    }

    @Test
    void echoesTextMessagesInOrder() throws Exception {
        WebSocketRecorder recorder = new WebSocketRecorder();
        WebSocket socket = connect("/chat", recorder);

        socket.sendText("hello", true).get(WAIT_SECONDS, TimeUnit.SECONDS);
        socket.sendText("wörld ✓", true).get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertEquals("hello", recorder.next(String.class));
        assertEquals("wörld ✓", recorder.next(String.class));
    }

    @Test
    void echoesAOneMebibyteBinaryMessage() throws Exception {
        byte[] data = new byte[1024 * 1024];
        new Random(42).nextBytes(data);
        WebSocketRecorder recorder = new WebSocketRecorder();
        WebSocket socket = connect("/chat", recorder);

        socket.sendBinary(ByteBuffer.wrap(data), true).get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertArrayEquals(data, recorder.next(byte[].class));
    }

    @Test
    void answersAPingWithAPongCarryingTheSamePayload() throws Exception {
        WebSocketRecorder recorder = new WebSocketRecorder();
        WebSocket socket = connect("/chat", recorder);

        socket.sendPing(ByteBuffer.wrap("are you there?".getBytes(UTF_8))).get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertEquals("are you there?", new String(recorder.next(WebSocketRecorder.Pong.class).payload(), UTF_8));
    }

    @Test
    void echoesTheCloseCodeAndLogsTheOutcome() throws Exception {
        WebSocketRecorder recorder = new WebSocketRecorder();
        WebSocket socket = connect("/chat", recorder);
        socket.sendText("one", true).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals("one", recorder.next(String.class));

        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertEquals(new WebSocketRecorder.Closed(1000, "done"), recorder.next(WebSocketRecorder.Closed.class));
        assertTrue(log.await("GET /chat -> 101 websocket, 1 message, closed 1000").startsWith("echo 127.0.0.1:"));
    }

    @Test
    void choosesASubprotocolWhenGivenANegotiatorThatDoes() throws Exception {
        server.close();
        server = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), UpgradeNegotiator.of(WebSocketHandshake.builder()
                .subprotocols(offered -> Optional.of(offered.get(0))).build()), new PrintStream(log, true, UTF_8));

        WebSocket socket = CLIENT.newWebSocketBuilder().subprotocols("chat.v2", "chat.v1")
                .buildAsync(uri("ws", "/chat"), new WebSocketRecorder()).get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertEquals("chat.v2", socket.getSubprotocol());
    }

    @Test
    void readsFramesSentInTheSameWriteAsTheHandshake() throws Exception {
        try (Raw raw = new Raw(server.address())) {
            raw.write(concat("""
                    GET /early HTTP/1.1\r
                    Host: localhost\r
                    Upgrade: websocket\r
                    Connection: Upgrade\r
                    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
                    Sec-WebSocket-Version: 13\r
                    \r
                    """.getBytes(UTF_8),
                    WebSocketFrame.encode(WebSocketFrame.text("early").withMasked(true)),
                    WebSocketFrame.encode(WebSocketFrame.close(1000, "").withMasked(true))));

            ResponseHead head = raw.readHead();
            assertEquals(101, head.status());
            assertEquals(Optional.of("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), head.headers().first(HeaderName.SEC_WEBSOCKET_ACCEPT));
            WebSocketFrameDecoder decoder = WebSocketFrameDecoder.forClient();
            assertEquals(WebSocketFrame.text("early"), raw.readFrame(decoder));
            assertEquals(WebSocketFrame.close(1000, ""), raw.readFrame(decoder));
            assertTrue(raw.atEndOfStream());
        }
    }

    @Test
    void closesWithProtocolErrorOnAnUnmaskedClientFrame() throws Exception {
        try (Raw raw = new Raw(server.address())) {
            raw.write(concat(upgrade("13", "dGhlIHNhbXBsZSBub25jZQ==").getBytes(UTF_8),
                    WebSocketFrame.encode(WebSocketFrame.text("not masked"))));

            assertEquals(101, raw.readHead().status());
            WebSocketFrame close = raw.readFrame(WebSocketFrameDecoder.forClient());
            assertEquals(1002, close.closeCode().orElseThrow());
            assertEquals("UNMASKED_CLIENT_FRAME", close.closeReason());
        }
    }

    @Test
    void closesWith1007AtTheFragmentThatBreaksUtf8BeforeTheFinalOneIsSent() throws Exception { // Autobahn 6.4.1
        byte[] part1 = HexFormat.of().parseHex("cebae1bdb9cf83cebcceb5"); // valid
        byte[] part2 = HexFormat.of().parseHex("f4908080"); // U+110000: past the last code point
        try (Raw raw = new Raw(server.address())) {
            raw.write(upgrade("13", "dGhlIHNhbXBsZSBub25jZQ==").getBytes(UTF_8));
            assertEquals(101, raw.readHead().status());
            WebSocketFrameDecoder decoder = WebSocketFrameDecoder.forClient();

            // The first fragment is taken: the ping behind it is answered, and nothing closes.
            raw.write(concat(WebSocketFrame.encode(new WebSocketFrame(false, Opcode.TEXT, part1, true)),
                    WebSocketFrame.encode(WebSocketFrame.ping("after 1".getBytes(UTF_8)).withMasked(true))));
            assertEquals(WebSocketFrame.pong("after 1".getBytes(UTF_8)), raw.readFrame(decoder));

            // The second makes the text invalid; the third, final one is never sent.
            raw.write(WebSocketFrame.encode(new WebSocketFrame(false, Opcode.CONTINUATION, part2, true)));
            WebSocketFrame close = raw.readFrame(decoder);

            assertEquals(WebSocketFrame.close(1007, "INVALID_UTF8"), close);
            assertTrue(raw.atEndOfStream());
        }
        log.await("GET /chat -> 101 websocket, 0 messages, closed 1007 (expected a text message in UTF-8");
    }

    @Test
    void closesWith1007AtTheInvalidBytesOfAFrameWhoseRestIsNeverSent() throws Exception { // Autobahn 6.4.3
        byte[] payload = HexFormat.of().parseHex("cebae1bdb9cf83cebcceb5" + "f4908080" + "656469746564");
        byte[] frame = WebSocketFrame.encode(new WebSocketFrame(true, Opcode.TEXT, payload, true));
        int upToTheInvalidByte = 2 + 4 + 11 + 2; // header, masking key, valid text, F4 90
        try (Raw raw = new Raw(server.address())) {
            raw.write(upgrade("13", "dGhlIHNhbXBsZSBub25jZQ==").getBytes(UTF_8));
            assertEquals(101, raw.readHead().status());

            raw.write(Arrays.copyOfRange(frame, 0, upToTheInvalidByte));
            WebSocketFrame close = raw.readFrame(WebSocketFrameDecoder.forClient());

            assertEquals(WebSocketFrame.close(1007, "INVALID_UTF8"), close);
        }
        log.await("closed 1007 (expected a text message in UTF-8 but byte 12 of a 21-byte frame, 0x90");
    }

    @Test
    void answers426WithTheSupportedVersionToVersion8() throws Exception {
        try (Raw raw = new Raw(server.address())) {
            raw.write(upgrade("8", "dGhlIHNhbXBsZSBub25jZQ==").getBytes(UTF_8));

            ResponseHead head = raw.readHead();
            assertEquals(426, head.status());
            assertEquals(Optional.of("13"), head.headers().first(HeaderName.SEC_WEBSOCKET_VERSION));
            assertTrue(raw.readBody(head).contains("expected Sec-WebSocket-Version 13 but it was '8'"));
            assertTrue(raw.atEndOfStream());
        }
        log.await("GET /chat -> 426 WEBSOCKET_VERSION_UNSUPPORTED");
    }

    @Test
    void answers400ToAKeyThatIsNotSixteenBytes() throws Exception {
        try (Raw raw = new Raw(server.address())) {
            raw.write(upgrade("13", "c2hvcnQ=").getBytes(UTF_8));

            ResponseHead head = raw.readHead();
            assertEquals(400, head.status());
            assertTrue(raw.readBody(head).contains("expected Sec-WebSocket-Key to be 16 bytes in base64 but it was 'c2hvcnQ='"));
            assertTrue(raw.atEndOfStream());
        }
    }

    @Test
    void servesTheDemoPageAtTheRoot() throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(uri("http", "/?auto=hi"))
                .version(HttpClient.Version.HTTP_1_1).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        assertEquals(Optional.of("text/html; charset=utf-8"), response.headers().firstValue("Content-Type"));
        assertEquals(Optional.empty(), response.headers().firstValue("X-Upgrade-Ignored"));
        assertTrue(response.body().contains("location.host + \"/echo\""), response.body());
        for (String id : new String[] {"status", "input", "send", "log"}) {
            assertTrue(response.body().contains("id=\"" + id + "\""), id);
        }
    }

    @Test
    void servesThePageToAClientThatOffersH2cAndSaysTheOfferWasIgnored() throws Exception {
        // HTTP/2 is the JDK client's default: on http:// it sends Upgrade: h2c with every request.
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(uri("http", "/")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(HttpClient.Version.HTTP_1_1, response.version());
        assertEquals(Optional.of("NO_SUPPORTED_PROTOCOL"), response.headers().firstValue("X-Upgrade-Ignored"));
        assertTrue(response.body().startsWith("<!DOCTYPE html>"), response.body());
        log.await("GET / -> 200 demo page (upgrade ignored: NO_SUPPORTED_PROTOCOL)");
    }

    @Test
    void explainsAnUpgradeWhoseConnectionLacksUpgrade() throws Exception {
        try (Raw raw = new Raw(server.address())) {
            raw.write(upgrade("13", "dGhlIHNhbXBsZSBub25jZQ==").replace("Connection: Upgrade", "Connection: keep-alive")
                    .getBytes(UTF_8));

            ResponseHead head = raw.readHead();
            assertEquals(200, head.status());
            assertEquals(Optional.of("CONNECTION_LACKS_UPGRADE"), head.headers().first(HeaderName.of("X-Upgrade-Ignored")));
            assertTrue(raw.readBody(head).contains("expected 'upgrade' among the Connection options but found 'keep-alive'."
                    + " The request has an Upgrade field but its Connection field does not contain 'upgrade'"));
        }
    }

    @Test
    void keepsPlainConnectionsAliveAndAnswers404ForOtherPaths() throws Exception {
        try (Raw raw = new Raw(server.address())) {
            raw.write("""
                    GET / HTTP/1.1\r
                    Host: localhost\r
                    \r
                    GET /missing HTTP/1.1\r
                    Host: localhost\r
                    Connection: close\r
                    \r
                    """.getBytes(UTF_8));

            ResponseHead page = raw.readHead();
            assertEquals(200, page.status());
            assertTrue(raw.readBody(page).startsWith("<!DOCTYPE html>"));
            ResponseHead missing = raw.readHead();
            assertEquals(404, missing.status());
            assertEquals(Optional.of("close"), missing.headers().first(HeaderName.CONNECTION));
            raw.readBody(missing);
            assertTrue(raw.atEndOfStream());
        }
    }

    @Test
    void closeEndsLiveConnectionsAndStopsAccepting() throws Exception {
        try (Raw raw = new Raw(server.address())) {
            raw.write(upgrade("13", "dGhlIHNhbXBsZSBub25jZQ==").getBytes(UTF_8));
            assertEquals(101, raw.readHead().status());

            server.close();

            assertTrue(raw.atEndOfStream());
        }
        assertThrows(ConnectException.class, () -> {
            try (Socket late = new Socket()) {
                late.connect(server.address(), WAIT_SECONDS * 1000);
            }
        });
    }

    private WebSocket connect(String path, WebSocketRecorder recorder) throws Exception {
        return CLIENT.newWebSocketBuilder().buildAsync(uri("ws", path), recorder).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private URI uri(String scheme, String pathAndQuery) {
        return URI.create(scheme + "://127.0.0.1:" + server.address().getPort() + pathAndQuery);
    }

    private static String upgrade(String version, String key) {
        return """
                GET /chat HTTP/1.1\r
                Host: localhost\r
                Upgrade: websocket\r
                Connection: Upgrade\r
                Sec-WebSocket-Key: %s\r
                Sec-WebSocket-Version: %s\r
                \r
                """.formatted(key, version);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A client connection driven byte by byte: heads parsed by upgrade4j, frames by the examples' decoder. */
    private static final class Raw implements AutoCloseable {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;
        private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024).flip();

        Raw(InetSocketAddress address) throws IOException {
            socket.connect(address, WAIT_SECONDS * 1000);
            socket.setSoTimeout(WAIT_SECONDS * 1000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void write(byte[] bytes) throws IOException {
            out.write(bytes); // one write, so the server may well read it all at once
        }

        ResponseHead readHead() throws IOException {
            Http1Parser<ResponseHead> parser = Http1Parser.forResponses();
            while (true) {
                ParseResult<ResponseHead> result = parser.parse(buffer);
                if (result instanceof ParseResult.Complete<ResponseHead> complete) {
                    return complete.head();
                }
                if (result instanceof ParseResult.Rejected<ResponseHead> rejected) {
                    return fail("the server's head was rejected: " + rejected.detail());
                }
                fillOrFail();
            }
        }

        String readBody(ResponseHead head) throws IOException {
            byte[] body = new byte[Integer.parseInt(head.headers().first(HeaderName.CONTENT_LENGTH).orElseThrow())];
            for (int read = 0; read < body.length; ) {
                if (!buffer.hasRemaining()) {
                    fillOrFail();
                }
                int n = Math.min(buffer.remaining(), body.length - read);
                buffer.get(body, read, n);
                read += n;
            }
            return new String(body, UTF_8);
        }

        WebSocketFrame readFrame(WebSocketFrameDecoder decoder) throws IOException {
            while (true) {
                Result result = decoder.nextFrame(buffer);
                if (result instanceof Result.Complete complete) {
                    return complete.frame();
                }
                if (result instanceof Result.Rejected rejected) {
                    return fail("the server's frame was rejected: " + rejected.detail());
                }
                fillOrFail();
            }
        }

        /** Whether the server closed its side with nothing more to read; a reset counts as closed too. */
        boolean atEndOfStream() {
            try {
                return !buffer.hasRemaining() && in.read() < 0;
            } catch (IOException e) {
                return e.getMessage() != null && e.getMessage().contains("reset");
            }
        }

        private void fillOrFail() throws IOException {
            buffer.compact();
            int n = in.read(buffer.array(), buffer.position(), buffer.remaining());
            buffer.position(buffer.position() + Math.max(n, 0)).flip();
            if (n < 0) {
                fail("the server closed the connection early");
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** The server's log as a queue of lines, so that a test waits for a line instead of sleeping. */
    private static final class LogLines extends OutputStream {
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                lines.add(line.toString(UTF_8));
                line.reset();
            } else if (b != '\r') {
                line.write(b);
            }
        }

        String next() throws InterruptedException {
            String next = lines.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(next, "no log line within " + WAIT_SECONDS + " s");
            return next;
        }

        /** Skips lines until one contains {@code fragment}, and returns it. */
        String await(String fragment) throws InterruptedException {
            while (true) {
                String line = next();
                if (line.contains(fragment)) {
                    return line;
                }
            }
        }
    }
}
