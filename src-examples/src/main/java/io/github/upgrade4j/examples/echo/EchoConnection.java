package io.github.upgrade4j.examples.echo;

import static io.github.upgrade4j.examples.echo.EchoServer.CONTINUE;
import static io.github.upgrade4j.examples.echo.EchoServer.TEXT_PLAIN;
import static io.github.upgrade4j.examples.echo.EchoServer.concat;
import static io.github.upgrade4j.examples.echo.EchoServer.count;
import static io.github.upgrade4j.examples.echo.EchoServer.text;

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
import io.github.upgrade4j.upgrade.UpgradeReason;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/**
 * One client connection of an {@link EchoServer}, or its TLS layer after a switch to TLS: HTTP/1.1
 * requests until one switches to WebSocket or the connection ends. It reads the server's settings (its
 * negotiators, its {@code TlsUpgrade}, the page, the log) and keeps nothing else of it.
 */
final class EchoConnection {
    private final EchoServer server;
    private final Socket socket;
    /** The client's bytes: heads, then after a 101 the frames, including any sent with the request. */
    private final HeadReader in;
    private final OutputStream out;
    private final String peer;
    /** The TLS protocol of the connection, {@code TLSv1.3} say, or null in the clear. */
    private final @Nullable String secure;

    EchoConnection(EchoServer server, Socket socket, String peer) throws IOException {
        this.server = server;
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
            UpgradeDecision decision = (secure == null ? server.negotiator : server.overTls).decide(request);
            TlsUpgrade tls = server.tls;
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
            EchoConnection secured = new EchoConnection(server, layered, peer);
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
        TlsUpgrade tls = server.tls;
        if (server.requireTls && tls != null && secure == null && path.startsWith("/ipp/")) {
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
            respond(200, "text/html; charset=utf-8", server.page, keepAlive, withBody, note);
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
        server.log.println("echo " + peer + " " + outcome);
    }
}
