package io.github.upgrade4j.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The origin behind every proxy in {@link ProxyComparison} and {@link WaitingClients}: it answers a WebSocket upgrade request
 * with a valid {@code 101 Switching Protocols} (with the {@code Sec-WebSocket-Accept} for the
 * client's key) and then moves raw bytes as the request path says:
 *
 * <ul>
 *   <li>{@code /discard}: reads and discards everything until the client closes (upload tests);
 *   <li>{@code /stream}: writes 64 KiB chunks until the client closes (download tests);
 *   <li>{@code /echo}: writes back whatever it reads (round trip and idle tunnels);
 *   <li>{@code /ws-discard}, {@code /ws-stream}, {@code /ws-echo}: the same with RFC 6455 frames, for
 *       {@link H2Comparison}, whose client sends masked binary frames: the stream writes unmasked binary
 *       frames of 64 KiB, the echo answers each frame with an unmasked frame of the same payload.
 * </ul>
 *
 * <p>A plain {@code GET /small} (no upgrade) gets a {@code 200} with a three-byte body and
 * {@code Connection: close}: the "normal request" of {@link WaitingClients}. Anything else gets a
 * 404. The bytes after the 101 on the first three paths are not WebSocket frames: every proxy under test relays the upgraded
 * connection as an opaque byte stream, so framing would only add the harness's own cost. One thread
 * per connection, blocking channels and direct buffers, so that the upstream adds no copy of its own.
 * Prints {@code listening on HOST:PORT} once it accepts.
 *
 * <pre>{@code
 * java -cp upgrade-benchmarks/target/benchmarks.jar io.github.upgrade4j.benchmarks.UpgradeUpstream --listen 127.0.0.1:0
 * }</pre>
 */
public final class UpgradeUpstream {
    static final int CHUNK = 64 * 1024;
    /** The upgrade paths it serves: raw bytes after the 101, or WebSocket frames for the {@code /ws-} ones. */
    private static final Set<String> PATHS = Set.of("/discard", "/stream", "/echo", "/ws-discard",
            "/ws-stream", "/ws-echo");
    /** The path of the small plain answer: a request that is not an upgrade. */
    static final String SMALL = "/small";
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private UpgradeUpstream() {}

    /**
     * Runs until killed.
     *
     * @param args {@code --listen HOST:PORT}
     */
    public static void main(String[] args) {
        System.exit(RunnerCommandLine.execute(new Arguments(), args, System.out, System.err));
    }

    /** The command line: where to listen. */
    @Command(name = "UpgradeUpstream", mixinStandardHelpOptions = true,
            versionProvider = RunnerCommandLine.JavaVersion.class, description = "The comparisons' origin: answers"
                    + " WebSocket upgrades with 101 and echoes, GET /small with a 200; prints 'listening on HOST:PORT'.")
    static final class Arguments implements Callable<Integer> {
        @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", converter = Address.class,
                description = "Where to listen; port 0 takes any free port.")
        private InetSocketAddress listen;

        @Override
        public Integer call() throws IOException {
            serve(listen);
            return 0;
        }
    }

    /** {@code HOST:PORT}, as the comparisons write it. */
    static final class Address implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            try {
                return Proxies.address(value);
            } catch (RuntimeException e) {
                throw new TypeConversionException("expected HOST:PORT but was '" + value + "'");
            }
        }
    }

    private static void serve(InetSocketAddress listen) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open().bind(listen, 4096);
        InetSocketAddress bound = (InetSocketAddress) server.getLocalAddress();
        System.out.println("listening on " + bound.getAddress().getHostAddress() + ":" + bound.getPort());
        System.out.flush();
        while (true) {
            SocketChannel channel = server.accept();
            // Small stacks: the idle-tunnel test holds thousands of these threads.
            Thread thread = new Thread(null, () -> serve(channel), "upstream", 256 * 1024);
            thread.setDaemon(true);
            thread.start();
        }
    }

    private static void serve(SocketChannel channel) {
        try (channel) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer head = ByteBuffer.allocate(16 * 1024);
            int end;
            while ((end = endOfHead(head)) < 0) {
                if (!head.hasRemaining() || channel.read(head) < 0) {
                    return;
                }
            }
            String text = new String(head.array(), 0, end, StandardCharsets.ISO_8859_1);
            String path = text.substring(text.indexOf(' ') + 1, text.indexOf(' ', text.indexOf(' ') + 1));
            String key = field(text, "sec-websocket-key");
            if (key == null && path.equals(SMALL)) {
                write(channel, ByteBuffer.wrap(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
                        + "Connection: close\r\n\r\nok\n").getBytes(StandardCharsets.ISO_8859_1)));
                return;
            }
            if (key == null || !PATHS.contains(path)) {
                write(channel, ByteBuffer.wrap(("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1)));
                return;
            }
            write(channel, ByteBuffer.wrap(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept(key) + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1)));
            ByteBuffer early = ByteBuffer.wrap(head.array(), end, head.position() - end);
            switch (path) {
                case "/discard", "/ws-discard" -> discard(channel);
                case "/stream" -> stream(channel);
                case "/ws-stream" -> streamFrames(channel);
                case "/ws-echo" -> echoFrames(channel, early);
                default -> echo(channel, early);
            }
        } catch (IOException e) {
            // the client went away: the test is over
        }
    }

    private static void discard(SocketChannel channel) throws IOException {
        ByteBuffer sink = ByteBuffer.allocateDirect(CHUNK);
        while (channel.read(sink.clear()) >= 0) {
            // discard
        }
    }

    private static void stream(SocketChannel channel) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
        while (true) {
            write(channel, chunk.clear());
        }
    }

    /** Unmasked binary frames of {@link #CHUNK} bytes of payload, written until the client goes (RFC 6455 §5.2). */
    private static void streamFrames(SocketChannel channel) throws IOException {
        ByteBuffer frame = ByteBuffer.allocateDirect(CHUNK + WebSocketFraming.MAX_HEADER);
        WebSocketFraming.putHeader(frame, CHUNK, false, 0);
        frame.position(frame.position() + CHUNK).flip();
        while (true) {
            write(channel, frame.rewind());
        }
    }

    /**
     * Reads the client's masked frames and answers each with an unmasked binary frame of the same
     * payload, as a WebSocket server echoes (RFC 6455 §5.1, §5.3); a close frame ends the connection.
     */
    private static void echoFrames(SocketChannel channel, ByteBuffer early) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(CHUNK + WebSocketFraming.MAX_HEADER).put(early).flip();
        ByteBuffer out = ByteBuffer.allocate(CHUNK + WebSocketFraming.MAX_HEADER);
        while (true) {
            long[] header = WebSocketFraming.parseHeader(in);
            if (header == null || in.remaining() < header[0] + header[1]) {
                if (header != null && header[0] + header[1] > in.capacity()) {
                    throw new IOException("expected a frame of at most " + in.capacity() + " bytes but it had "
                            + (header[0] + header[1]));
                }
                in.compact();
                int n = channel.read(in);
                in.flip();
                if (n < 0) {
                    return;
                }
                continue;
            }
            in.position(in.position() + (int) header[0]);
            if (header[2] == 0x8) {
                return;
            }
            int payload = (int) header[1];
            out.clear();
            WebSocketFraming.putHeader(out, payload, false, 0);
            if (header[4] != 0) {
                WebSocketFraming.maskCopy(in, out, payload, (int) header[3], 0);
            } else {
                out.put(in.slice().limit(payload));
                in.position(in.position() + payload);
            }
            write(channel, out.flip());
        }
    }

    private static void echo(SocketChannel channel, ByteBuffer early) throws IOException {
        write(channel, early);
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        while (channel.read(buffer.clear()) >= 0) {
            write(channel, buffer.flip());
        }
    }

    static void write(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** The index just past the {@code CRLF CRLF} that ends the head in {@code buffer}'s content, or -1. */
    static int endOfHead(ByteBuffer buffer) {
        byte[] a = buffer.array();
        for (int i = 3; i < buffer.position(); i++) {
            if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    private static String field(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
