package io.github.upgrade4j.examples.echo;

import io.github.upgrade4j.examples.support.HeadReader;
import io.github.upgrade4j.examples.support.WebSocketFrameDecoder.Result;
import io.github.upgrade4j.examples.support.WebSocketFrame;
import io.github.upgrade4j.examples.support.WebSocketFrameDecoder;
import io.github.upgrade4j.http.BodyFraming;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.UpgradeDecision;
import io.github.upgrade4j.upgrade.UpgradeNegotiator;
import io.github.upgrade4j.upgrade.UpgradeReason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A WebSocket echo server on upgrade4j: the {@link UpgradeNegotiator} decides every request, and
 * this class only carries out the decision.
 *
 * <ul>
 *   <li>Switch: writes the 101 and echoes each message back (text as text, binary as binary,
 *       fragmented ones reassembled), answers pings with pongs and a close with the same close. A
 *       broken rule is answered with a close carrying its code, as soon as the bytes that break it
 *       arrive: 1007 at the first byte that makes a text message invalid UTF-8, even when that is in
 *       the middle of a fragment and the final one has not been sent (RFC 6455 §8.1).
 *   <li>Reject: writes the 400, 403 or 426 with its explanation, and closes.
 *   <li>Ignore: serves plain HTTP/1.1 with keep-alive: {@code GET /} is a small chat page
 *       ({@code demo.html}); an upgrade that was ignored for a reason (a proxy dropped
 *       {@code Connection: upgrade}, say) is answered 200 with the explanation and an
 *       {@code X-Upgrade-Ignored} field; anything else is 404. An offer of protocols this server
 *       does not speak (h2c) is served as if absent, with {@code X-Upgrade-Ignored} too.
 * </ul>
 *
 * <pre>{@code
 * try (EchoServer server = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), System.out)) {
 *     URI uri = URI.create("ws://127.0.0.1:" + server.address().getPort() + "/echo");
 *     ...
 * }
 * }</pre>
 *
 * <p>Not a production server: blocking I/O with one thread per connection, no TLS, no extensions,
 * no request bodies (a request with one is answered and the connection closed).
 */
public final class EchoServer implements AutoCloseable {
    private static final int HTTP_IDLE_TIMEOUT_MILLIS = 60_000;
    private static final int LINGER_MILLIS = 2_000;
    private static final String TEXT_PLAIN = "text/plain; charset=utf-8";

    private final ServerSocket server;
    private final InetSocketAddress address;
    private final UpgradeNegotiator negotiator;
    private final PrintStream log;
    private final byte[] page;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private EchoServer(ServerSocket server, UpgradeNegotiator negotiator, PrintStream log, byte[] page) {
        this.server = server;
        this.address = new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
        this.negotiator = negotiator;
        this.log = log;
        this.page = page;
        this.acceptor = new Thread(this::acceptLoop, "echo-server " + hostPort(address));
        this.acceptor.setDaemon(true);
    }

    /** Starts a server on {@code listen} (port 0 for any free one) with {@link UpgradeNegotiator#standard()}. */
    public static EchoServer start(InetSocketAddress listen, PrintStream log) throws IOException {
        return start(listen, UpgradeNegotiator.standard(), log);
    }

    /**
     * Starts a server on {@code listen} that decides upgrades with {@code negotiator}, for example one
     * that agrees to the client's first subprotocol:
     * {@code UpgradeNegotiator.of(WebSocketHandshake.builder().subprotocols(offered -> Optional.of(offered.get(0))).build())}.
     * Prints {@code listening on HOST:PORT} to {@code log} once connections are accepted, then a line
     * per answered request.
     */
    public static EchoServer start(InetSocketAddress listen, UpgradeNegotiator negotiator, PrintStream log)
            throws IOException {
        byte[] page = readPage();
        ServerSocket server = new ServerSocket();
        try {
            server.bind(listen);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        EchoServer echo = new EchoServer(server, negotiator, log, page);
        echo.acceptor.start();
        log.println("listening on " + hostPort(echo.address));
        return echo;
    }

    /** The address the server listens on, with the actual port. */
    public InetSocketAddress address() {
        return address;
    }

    /** Stops accepting, closes every open connection and waits for the accepting thread to end. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        connections.forEach(EchoServer::closeQuietly);
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.println("echo-server stopped accepting: " + e);
                }
                return;
            }
            connections.add(socket);
            if (closed) { // close() may have run between accept() and add()
                closeQuietly(socket);
                return;
            }
            Thread thread = new Thread(() -> serve(socket), "echo " + socket.getRemoteSocketAddress());
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void serve(Socket socket) {
        String peer = hostPort((InetSocketAddress) socket.getRemoteSocketAddress());
        try (socket) {
            socket.setSoTimeout(HTTP_IDLE_TIMEOUT_MILLIS);
            new Connection(socket, peer).serve();
            lingeringClose(socket);
        } catch (IOException e) {
            if (!closed) {
                log.println("echo " + peer + " -> connection ended: " + e.getMessage());
            }
        } finally {
            connections.remove(socket);
        }
    }

    /** One client connection: HTTP/1.1 requests until one switches to WebSocket or the connection ends. */
    private final class Connection {
        private final Socket socket;
        /** The client's bytes: heads, then after a 101 the frames, including any sent with the request. */
        private final HeadReader in;
        private final OutputStream out;
        private final String peer;

        Connection(Socket socket, String peer) throws IOException {
            this.socket = socket;
            this.in = HeadReader.of(socket.getInputStream());
            this.out = socket.getOutputStream();
            this.peer = peer;
        }

        void serve() throws IOException {
            Http1Parser<RequestHead> parser = Http1Parser.forRequests();
            while (true) {
                ParseResult<RequestHead> result = in.readHead(parser);
                if (result == null) {
                    return; // the client closed the connection between requests
                }
                if (result instanceof ParseResult.Rejected<RequestHead> rejected) {
                    respond(rejected.status(), TEXT_PLAIN, text(rejected.detail()), false, true);
                    log("-> " + rejected.status() + " " + rejected.problem());
                    return;
                } else if (!answer(((ParseResult.Complete<RequestHead>) result).head())) {
                    return;
                }
            }
        }

        /** Answers {@code request}; returns whether the connection stays open for another request. */
        private boolean answer(RequestHead request) throws IOException {
            String line = request.method() + " " + request.target() + " -> ";
            UpgradeDecision decision = negotiator.decide(request);
            if (decision instanceof UpgradeDecision.Switch change) {
                socket.setSoTimeout(0); // a WebSocket may be quiet for as long as it likes
                out.write(Http1Writer.toBytes(change.response()));
                log(line + "101 " + change.protocol() + ", " + echo());
                return false;
            }
            if (decision instanceof ErrorAnswer reject) {
                out.write(Http1Writer.toBytes(reject.response()));
                out.write(reject.body());
                log(line + reject.status() + " " + reject.reason());
                return false;
            }
            UpgradeDecision.Ignore ignore = (UpgradeDecision.Ignore) decision;
            BodyFraming framing = BodyFraming.ofRequest(request);
            if (framing instanceof BodyFraming.Invalid invalid) {
                respond(invalid.status(), TEXT_PLAIN, text(invalid.detail()), false, true);
                log(line + invalid.status() + " " + invalid.problem());
                return false;
            }
            // This server reads no bodies, so after a request with one the next request cannot be found.
            boolean keepAlive = request.version() == HttpVersion.HTTP_1_1
                    && !request.headers().hasToken(HeaderName.CONNECTION, "close")
                    && (framing instanceof BodyFraming.None || framing.equals(new BodyFraming.FixedLength(0)));
            boolean withBody = !request.method().equals("HEAD");
            String path = request.target().split("\\?", 2)[0];
            // An upgrade that failed for a reason (a proxy dropped a field, an HTTP/1.0 hop) is answered with
            // the explanation instead of the page, so that a person sees why. An offer of protocols this
            // server does not speak is optional, so that request is served (RFC 9110 §7.8): the JDK's
            // HttpClient offers h2c on every plain request. X-Upgrade-Ignored names the reason either way.
            String[] note = ignore.reason() == UpgradeReason.Ignored.NOT_OFFERED
                    ? new String[0] : new String[] {"X-Upgrade-Ignored", ignore.reason().name()};
            String why = note.length == 0 ? "" : " (upgrade ignored: " + ignore.reason() + ")";
            if (note.length > 0 && ignore.reason() != UpgradeReason.Ignored.NO_SUPPORTED_PROTOCOL) {
                respond(200, TEXT_PLAIN, text(ignore.message()), keepAlive, withBody, note);
                log(line + "200 explanation" + why);
            } else if (path.equals("/") && (request.method().equals("GET") || !withBody)) {
                respond(200, "text/html; charset=utf-8", page, keepAlive, withBody, note);
                log(line + "200 demo page" + why);
            } else {
                respond(404, TEXT_PLAIN, text("Nothing here. Open / for the demo page, or connect a WebSocket to"
                        + " any path."), keepAlive, withBody, note);
                log(line + "404" + why);
            }
            return keepAlive;
        }

        /** Echoes WebSocket messages until a close frame, a broken rule or the end of the connection. */
        private String echo() {
            WebSocketFrameDecoder decoder = WebSocketFrameDecoder.forServer();
            // Read mode; the decoder consumes every byte it is given when it answers NeedMore.
            ByteBuffer frames = ByteBuffer.allocate(16 * 1024).flip();
            int messages = 0;
            try {
                while (true) {
                    Result result = decoder.nextMessage(frames);
                    if (result instanceof Result.NeedMore) {
                        int n = in.read(frames.array(), 0, frames.capacity());
                        if (n < 0) {
                            return count(messages) + ", client left without a close frame";
                        }
                        frames.clear().limit(n);
                    } else if (result instanceof Result.Rejected rejected) {
                        send(WebSocketFrame.close(rejected.closeCode(), rejected.problem().name()));
                        return count(messages) + ", closed " + rejected.closeCode() + " (" + rejected.detail() + ")";
                    } else {
                        WebSocketFrame frame = ((Result.Complete) result).frame();
                        switch (frame.opcode()) {
                            case TEXT, BINARY -> {
                                send(frame.withMasked(false));
                                messages++;
                            }
                            case PING -> send(WebSocketFrame.pong(frame.payload()));
                            case CLOSE -> { // RFC 6455 §5.5.1: answer with a close, typically echoing the code
                                send(frame.withMasked(false));
                                return count(messages) + ", closed " + (frame.closeCode().isPresent()
                                        ? frame.closeCode().getAsInt() : "without a code");
                            }
                            case PONG -> { } // an unsolicited pong needs no answer (RFC 6455 §5.5.3)
                            case CONTINUATION -> throw new IllegalStateException("nextMessage joins continuations");
                        }
                    }
                }
            } catch (IOException e) {
                return count(messages) + ", connection lost: " + e.getMessage();
            }
        }

        private void send(WebSocketFrame frame) throws IOException {
            out.write(WebSocketFrame.encode(frame));
        }

        private void respond(int status, String type, byte[] body, boolean keepAlive, boolean withBody,
                String... extraFields) throws IOException {
            Headers.Builder fields = Headers.builder()
                    .add(HeaderName.CONTENT_TYPE, type)
                    .add(HeaderName.CONTENT_LENGTH, Integer.toString(body.length));
            for (int i = 0; i < extraFields.length; i += 2) {
                fields.add(HeaderName.of(extraFields[i]), extraFields[i + 1]);
            }
            if (!keepAlive) {
                fields.add(HeaderName.CONNECTION, "close");
            }
            out.write(Http1Writer.toBytes(ResponseHead.of(status, fields.build())));
            if (withBody) {
                out.write(body);
            }
        }

        private void log(String outcome) {
            log.println("echo " + peer + " " + outcome);
        }
    }

    /**
     * Half-closes, then reads and drops what the client still sends for a moment: closing a socket
     * with unread input makes TCP send a reset, which can destroy the answer before the client has
     * read it (RFC 9112 §9.6).
     */
    private static void lingeringClose(Socket socket) {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(LINGER_MILLIS);
            long deadline = System.nanoTime() + LINGER_MILLIS * 1_000_000L;
            byte[] skipped = new byte[8192];
            while (System.nanoTime() < deadline && socket.getInputStream().read(skipped) >= 0) {
                // drop it
            }
        } catch (IOException e) {
            // a timeout or a reset: the connection is closed next either way
        }
    }

    private static byte[] readPage() throws IOException {
        try (InputStream in = EchoServer.class.getResourceAsStream("demo.html")) {
            if (in == null) {
                throw new IllegalStateException("expected demo.html on the class path next to EchoServer but it is missing");
            }
            return in.readAllBytes();
        }
    }

    private static byte[] text(String message) {
        return (message + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String count(int messages) {
        return messages + (messages == 1 ? " message" : " messages");
    }

    /** {@code 127.0.0.1:8080} or {@code [::1]:8080}. */
    static String hostPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing to do: the resource is gone either way
        }
    }
}
