package io.github.upgrade4j.examples.echo;

import io.github.upgrade4j.examples.support.Bodies;
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
import io.github.upgrade4j.upgrade.TlsUpgrade;
import io.github.upgrade4j.upgrade.UpgradeDecision;
import io.github.upgrade4j.upgrade.UpgradeNegotiator;
import io.github.upgrade4j.upgrade.UpgradeReason;
import io.github.upgrade4j.upgrade.WebSocketHandshake;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

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
 *       {@code X-Upgrade-Ignored} field; {@code OPTIONS *} is 200 with {@code Allow}; a {@code POST}
 *       of {@code application/ipp} is read (after a {@code 100 Continue} when the client expects one),
 *       logged with its size and whether it came over TLS, and answered 501; anything else is 404. An
 *       offer of protocols this server does not speak (h2c) is served as if absent, with
 *       {@code X-Upgrade-Ignored} too.
 * </ul>
 *
 * <p>Started with a {@link TlsUpgrade} ({@link #start(InetSocketAddress, TlsUpgrade, boolean, PrintStream)}),
 * it also switches to TLS within HTTP/1.1 (RFC 2817), as IPP printers do for {@code ipptool -E}: it writes
 * the 101, layers TLS over the same socket starting with the bytes read past the request's head (the
 * client's handshake, never parsed as HTTP), answers the request that asked for the switch over TLS
 * (§3.3), then serves HTTP/1.1 on the TLS connection as above; WebSocket works there too. With
 * {@code requireTls}, a request for {@code /ipp/...} in the clear is refused with 426 and the
 * advertisement (RFC 2817 §4.2).
 *
 * <pre>{@code
 * try (EchoServer server = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), System.out)) {
 *     URI uri = URI.create("ws://127.0.0.1:" + server.address().getPort() + "/echo");
 *     ...
 * }
 * }</pre>
 *
 * <p>Not a production server: blocking I/O with one thread per connection, TLS only by the upgrade
 * (not on connect), no extensions, no request bodies but IPP ones (a request with another is answered
 * and the connection closed), no IPP either (the body is counted, not parsed).
 */
public final class EchoServer implements AutoCloseable {
    private static final int HTTP_IDLE_TIMEOUT_MILLIS = 60_000;
    private static final int LINGER_MILLIS = 2_000;
    private static final String TEXT_PLAIN = "text/plain; charset=utf-8";
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final InetSocketAddress address;
    private final UpgradeNegotiator negotiator;
    /** Decides requests on a connection already switched to TLS: the same, without the TLS handler. */
    private final UpgradeNegotiator overTls;
    private final @Nullable TlsUpgrade tls;
    private final boolean requireTls;
    private final PrintStream log;
    private final byte[] page;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private EchoServer(ServerSocket server, UpgradeNegotiator negotiator, @Nullable TlsUpgrade tls, boolean requireTls,
            PrintStream log, byte[] page) {
        this.server = server;
        this.address = new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
        this.negotiator = tls == null ? negotiator : UpgradeNegotiator.of(WebSocketHandshake.standard(), tls);
        this.overTls = UpgradeNegotiator.standard();
        this.tls = tls;
        this.requireTls = requireTls;
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
        return start(listen, Objects.requireNonNull(negotiator, "negotiator"), null, false, log);
    }

    /**
     * Starts a server on {@code listen} that switches to WebSocket ({@link WebSocketHandshake#standard()})
     * and to TLS with {@code tls} (RFC 2817): {@code ipptool -E ipp://HOST:PORT/ipp/print ...} encrypts its
     * connection here. Logs, besides what every echo server logs, {@code OPTIONS * -> 101 TLS/1.2}, then
     * {@code TLS handshake done (TLSv1.3, ...)}, then each request over TLS with {@code over TLS (TLSv1.3)}.
     *
     * @param listen where to accept connections (port 0 for any free one)
     * @param tls the handler whose context presents the server's certificate
     * @param requireTls whether requests for {@code /ipp/...} in the clear get 426 ({@link TlsUpgrade#require})
     * @param log where the server writes its lines
     */
    public static EchoServer start(InetSocketAddress listen, TlsUpgrade tls, boolean requireTls, PrintStream log)
            throws IOException {
        return start(listen, UpgradeNegotiator.standard(), Objects.requireNonNull(tls, "tls"), requireTls, log);
    }

    private static EchoServer start(InetSocketAddress listen, UpgradeNegotiator negotiator, @Nullable TlsUpgrade tls,
            boolean requireTls, PrintStream log) throws IOException {
        byte[] page = readPage();
        ServerSocket server = new ServerSocket();
        try {
            server.bind(listen);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        EchoServer echo = new EchoServer(server, negotiator, tls, requireTls, log, page);
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
            if (new Connection(socket, peer).serve()) {
                lingeringClose(socket);
            }
        } catch (IOException e) {
            if (!closed) {
                log.println("echo " + peer + " -> connection ended: " + e.getMessage());
            }
        } finally {
            connections.remove(socket);
        }
    }

    /**
     * One client connection, or its TLS layer after a switch to TLS: HTTP/1.1 requests until one switches
     * to WebSocket or the connection ends.
     */
    private final class Connection {
        private final Socket socket;
        /** The client's bytes: heads, then after a 101 the frames, including any sent with the request. */
        private final HeadReader in;
        private final OutputStream out;
        private final String peer;
        /** The TLS protocol of the connection, {@code TLSv1.3} say, or null in the clear. */
        private final @Nullable String secure;

        Connection(Socket socket, String peer) throws IOException {
            this.socket = socket;
            this.in = HeadReader.of(socket.getInputStream());
            this.out = socket.getOutputStream();
            this.peer = peer;
            this.secure = socket instanceof SSLSocket ssl ? ssl.getSession().getProtocol() : null;
        }

        /**
         * Serves requests until the connection ends; returns whether it ended in the clear (so the caller
         * closes it lingering) rather than over TLS, which was closed with its close_notify.
         */
        boolean serve() throws IOException {
            Http1Parser<RequestHead> parser = Http1Parser.forRequests();
            while (true) {
                ParseResult<RequestHead> result = in.readHead(parser);
                if (result == null) {
                    return true; // the client closed the connection between requests
                }
                if (result instanceof ParseResult.Rejected<RequestHead> rejected) {
                    respond(rejected.status(), TEXT_PLAIN, text(rejected.detail()), false, true);
                    log((secure == null ? "" : "over TLS (" + secure + ") ") + "-> " + rejected.status() + " "
                            + rejected.problem());
                    return true;
                }
                RequestHead request = ((ParseResult.Complete<RequestHead>) result).head();
                UpgradeDecision decision = (secure == null ? negotiator : overTls).decide(request);
                if (tls != null && decision instanceof UpgradeDecision.Switch change
                        && change.protocol().named("TLS")) {
                    return switchToTls(tls, request, change);
                }
                if (!answer(request, decision)) {
                    return true;
                }
            }
        }

        /**
         * Switches to TLS (RFC 2817 §3): the 101 in the clear, the handshake over the same socket, the answer
         * to {@code request} over TLS (§3.3), then HTTP/1.1 over TLS until the client leaves. Returns whether
         * the connection is left in the clear: only when the request's body could not be read.
         */
        private boolean switchToTls(TlsUpgrade tls, RequestHead request, UpgradeDecision.Switch change)
                throws IOException {
            String line = request.method() + " " + request.target() + " -> ";
            // The request's own body, if any, comes before the switch (RFC 9110 §7.8), after a 100 if expected.
            long bodyBytes = readBody(request, line);
            if (bodyBytes < 0) {
                return true;
            }
            out.write(Http1Writer.toBytes(change.response()));
            out.flush();
            log(line + "101 " + change.protocol());
            // What the client sent past the head is the start of its handshake: it goes to TLS, never to HTTP.
            SSLSocket layered = tls.serverSocket(socket, in.unread());
            try (layered) {
                try {
                    layered.startHandshake();
                } catch (IOException e) {
                    log("TLS handshake failed: " + e.getMessage());
                    return false;
                }
                SSLSession session = layered.getSession();
                log("TLS handshake done (" + session.getProtocol() + ", " + session.getCipherSuite() + ")");
                Connection secured = new Connection(layered, peer);
                // The request that asked for the switch is answered over TLS, as if it had come that way;
                // its offer of TLS is now answered, so it is decided as a request without one.
                if (secured.answer(request, new UpgradeDecision.Ignore(UpgradeReason.Ignored.NOT_OFFERED,
                        "switched to " + change.protocol() + " already"), bodyBytes)) {
                    secured.serve();
                }
            }
            return false;
        }

        /** Answers {@code request}; returns whether the connection stays open for another request. */
        private boolean answer(RequestHead request, UpgradeDecision decision) throws IOException {
            return answer(request, decision, -1);
        }

        /**
         * Answers {@code request} as {@code decision} says; {@code bodyRead} is the length of its body when
         * that was read already, else -1. Returns whether the connection stays open for another request.
         */
        private boolean answer(RequestHead request, UpgradeDecision decision, long bodyRead) throws IOException {
            String line = request.method() + " " + request.target() + over() + " -> ";
            String path = request.target().split("\\?", 2)[0];
            if (requireTls && tls != null && secure == null && path.startsWith("/ipp/")) {
                ErrorAnswer refuse = tls.require(request);
                out.write(Http1Writer.toBytes(refuse.response()));
                out.write(refuse.body());
                log(line + refuse.status() + " " + refuse.reason());
                return false;
            }
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
            boolean ipp = request.method().equals("POST") && request.headers().first(HeaderName.CONTENT_TYPE)
                    .map(type -> type.split(";", 2)[0].strip().equalsIgnoreCase("application/ipp")).orElse(false);
            long ippBytes = bodyRead;
            if (ipp && bodyRead < 0) {
                ippBytes = readBody(request, line);
                if (ippBytes < 0) {
                    return false;
                }
            }
            // This server reads only IPP bodies (and that of a request that switched to TLS), so after a
            // request with another the next request cannot be found.
            boolean keepAlive = request.version() == HttpVersion.HTTP_1_1
                    && !request.headers().hasToken(HeaderName.CONNECTION, "close")
                    && (ipp || bodyRead >= 0 || framing instanceof BodyFraming.None
                            || framing.equals(new BodyFraming.FixedLength(0)));
            boolean withBody = !request.method().equals("HEAD");
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
            } else if (request.method().equals("OPTIONS") && request.target().equals("*")) {
                // RFC 9110 §9.3.7: the server's capabilities; CUPS sends this to ask for TLS (RFC 2817 §3.1).
                respond(200, null, new byte[0], keepAlive, false, concat(note, "Allow", "GET, HEAD, OPTIONS, POST"));
                log(line + "200 Allow" + why);
            } else if (ipp) {
                // Proof that a print job arrived, and how; printing is not this server's business.
                respond(501, TEXT_PLAIN, text("This echo server reads IPP requests but does not print."),
                        keepAlive, withBody, note);
                log(request.method() + " " + request.target() + over() + ", " + ippBytes + " bytes of IPP -> 501"
                        + why);
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

        /**
         * Reads and counts {@code request}'s body, after a {@code 100 Continue} when the client waits for
         * one (RFC 9110 §10.1.1); returns its length, or -1 after answering a malformed or invalid one.
         */
        private long readBody(RequestHead request, String line) throws IOException {
            BodyFraming framing = BodyFraming.ofRequest(request);
            if (framing instanceof BodyFraming.Invalid invalid) {
                respond(invalid.status(), TEXT_PLAIN, text(invalid.detail()), false, true);
                log(line + invalid.status() + " " + invalid.problem());
                return -1;
            }
            boolean hasBody = framing instanceof BodyFraming.Chunked
                    || framing instanceof BodyFraming.FixedLength fixed && fixed.length() > 0;
            if (!hasBody) {
                return 0;
            }
            if (request.headers().hasToken(HeaderName.EXPECT, "100-continue")) {
                out.write(CONTINUE);
                out.flush();
            }
            try {
                return framing instanceof BodyFraming.FixedLength fixed
                        ? Bodies.copyFixed(in, OutputStream.nullOutputStream(), fixed.length())
                        : Bodies.copyChunked(in, OutputStream.nullOutputStream(), true);
            } catch (ProtocolException e) {
                respond(400, TEXT_PLAIN, text("the request body is malformed: " + e.getMessage()), false, true);
                log(line + "400 malformed body: " + e.getMessage());
                return -1;
            }
        }

        /** {@code " over TLS (TLSv1.3)"} on a connection switched to TLS, else nothing. */
        private String over() {
            return secure == null ? "" : " over TLS (" + secure + ")";
        }

        private void respond(int status, @Nullable String type, byte[] body, boolean keepAlive, boolean withBody,
                String... extraFields) throws IOException {
            Headers.Builder fields = Headers.builder();
            if (type != null) {
                fields.add(HeaderName.CONTENT_TYPE, type);
            }
            fields.add(HeaderName.CONTENT_LENGTH, Integer.toString(body.length));
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

    private static String[] concat(String[] fields, String... more) {
        String[] all = Arrays.copyOf(fields, fields.length + more.length);
        System.arraycopy(more, 0, all, fields.length, more.length);
        return all;
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
