package io.github.upgrade4j.examples.probe;

import io.github.upgrade4j.examples.probe.ProbeResult.Ending;
import io.github.upgrade4j.examples.probe.ProbeResult.Idle;
import io.github.upgrade4j.examples.support.HeadReader;
import io.github.upgrade4j.examples.support.WebSocketFrameDecoder.Result;
import io.github.upgrade4j.examples.support.WebSocketFrame;
import io.github.upgrade4j.examples.support.WebSocketFrameDecoder;
import io.github.upgrade4j.http.BodyFraming;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeAttempt;
import io.github.upgrade4j.upgrade.Verdict;
import io.github.upgrade4j.upgrade.WebSocketHandshake;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One path of a {@code probe} on the wire: connects, sends a WebSocket handshake with a fresh key,
 * reads the answer head (and a short body), and after a 101 keeps the connection for an idle watch.
 *
 * <p>The probe never sends a WebSocket frame before {@link #close()}: a hop that cuts idle
 * connections must see the connection silent from the probe's side. Frames the server sends
 * meanwhile are decoded and reported, not answered.
 */
final class ProbeExchange implements AutoCloseable {
    /** The longest body read from a refusal; longer ones are described, not shown. */
    private static final int MAX_BODY = 64 * 1024;
    /** The longest body printed, in characters: an explanation, a short error page. */
    private static final int SHOWN_BODY = 2000;
    private static final int MAX_SHOWN_LINES = 40;
    private static final int MAX_FRAMES_SHOWN = 20;

    /** The upgraded connection and its reader, holding any frames sent right behind the 101; else null. */
    private final @Nullable Socket socket;
    private final @Nullable HeadReader reader;
    private final ProbeResult result;
    private final long switchedAt;

    private ProbeExchange(@Nullable Socket socket, @Nullable HeadReader reader, ProbeResult result, long switchedAt) {
        this.socket = socket;
        this.reader = reader;
        this.result = result;
        this.switchedAt = switchedAt;
    }

    /** What the handshake found. */
    ProbeResult result() {
        return result;
    }

    /** The request head for {@code target}: a browser-like WebSocket handshake with a fresh key. */
    static RequestHead request(ProbeTarget target, @Nullable String origin, List<String> subprotocols) {
        Headers.Builder headers = Headers.builder()
                .add(HeaderName.HOST, target.hostField())
                .add(HeaderName.CONNECTION, "Upgrade")
                .add(HeaderName.UPGRADE, "websocket")
                .add(HeaderName.SEC_WEBSOCKET_VERSION, "13")
                .add(HeaderName.SEC_WEBSOCKET_KEY, WebSocketHandshake.newKey());
        if (origin != null) {
            headers.add(HeaderName.ORIGIN, origin);
        }
        if (!subprotocols.isEmpty()) {
            headers.add(HeaderName.SEC_WEBSOCKET_PROTOCOL, String.join(", ", subprotocols));
        }
        headers.add(HeaderName.USER_AGENT, "upgrade4j-probe");
        return RequestHead.get(target.target(), headers.build());
    }

    /**
     * Sends {@code request} on a new connection to {@code target} and reads the answer. Never throws
     * for what the network or the server does: a refused connection, a TLS failure, a timeout or a
     * broken answer is a failed {@link ProbeVerdict} with the reason.
     *
     * @throws IllegalArgumentException if the request itself breaks a rule (a subprotocol that is not a token)
     */
    static ProbeExchange perform(ProbeTarget target, RequestHead request, Duration timeout, boolean insecure) {
        // The library's proxy role remembers the expected Sec-WebSocket-Accept and what was offered,
        // and judges the answer by the same rules the example proxy applies to its upstream.
        Outbound outbound = ProxyUpgrade.standard().towardUpstream(request);
        if (outbound instanceof ErrorAnswer refuse) {
            throw new IllegalArgumentException("the probe's request would be refused: " + refuse.detail());
        }
        UpgradeAttempt attempt = ((Outbound.Forward) outbound).attempt();
        byte[] wire = Http1Writer.toBytes(request);
        List<String> sent = lines(wire, wire.length - 2);
        long start = System.nanoTime();
        Socket socket;
        try {
            socket = target.connect(timeout, insecure);
        } catch (IOException e) {
            return failed(target, sent, List.of(), start, ProbeVerdict.unreachable(target, e));
        }
        Recorder received = new Recorder(socket); // every byte, to show the heads as they came
        HeadReader reader = HeadReader.of(received);
        List<String> heads = new ArrayList<>();
        int headStart = 0;
        try {
            socket.getOutputStream().write(wire);
            socket.getOutputStream().flush();
            while (true) {
                headStart = received.size() - reader.available();
                ParseResult<ResponseHead> parsed;
                try {
                    parsed = reader.readHead(Http1Parser.forResponses());
                } catch (EOFException e) {
                    parsed = null;
                }
                if (parsed == null) {
                    heads.addAll(received.shown(headStart));
                    closeQuietly(socket);
                    return failed(target, sent, heads, start, ProbeVerdict.noAnswer(received.size() > headStart));
                }
                if (parsed instanceof ParseResult.Rejected<ResponseHead> rejected) {
                    heads.addAll(received.shown(headStart));
                    closeQuietly(socket);
                    return failed(target, sent, heads, start, ProbeVerdict.notHttp(rejected));
                }
                ParseResult.Complete<ResponseHead> complete = (ParseResult.Complete<ResponseHead>) parsed;
                heads.addAll(received.lines(headStart, complete.headLength() - 2));
                ResponseHead response = complete.head();
                Verdict verdict = ProxyUpgrade.standard().judge(attempt, response);
                if (verdict instanceof Verdict.Interim) {
                    continue; // 100 Continue, 103 Early Hints: the final answer follows
                }
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                received.stop();
                if (verdict instanceof Verdict.Tunnel tunnel) {
                    ProbeResult result = new ProbeResult(target, sent, heads, response, null,
                            ProbeVerdict.worked(tunnel), took, null);
                    return new ProbeExchange(socket, reader, result, System.nanoTime());
                }
                String body = response.status() == 101 ? null : bodyOrWhyNot(response, reader);
                closeQuietly(socket);
                ProbeVerdict judged = ProbeVerdict.judge(verdict, response, body);
                return new ProbeExchange(null, null, new ProbeResult(target, sent, heads, response, body, judged,
                        took, null), 0);
            }
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            heads.addAll(received.shown(headStart));
            return failed(target, sent, heads, start, ProbeVerdict.timedOut(timeout));
        } catch (IOException e) {
            closeQuietly(socket);
            return failed(target, sent, heads, start, ProbeVerdict.broken(e));
        }
    }

    private static ProbeExchange failed(ProbeTarget target, List<String> sent, List<String> received, long start,
            ProbeVerdict verdict) {
        return new ProbeExchange(null, null, new ProbeResult(target, sent, received, null, null, verdict,
                Duration.ofNanos(System.nanoTime() - start), null), 0);
    }

    /**
     * Holds the upgraded connection silent for up to {@code wait} and reports when and how it ended;
     * null when the handshake did not leave an open connection.
     */
    @Nullable Idle watchIdle(Duration wait) {
        if (socket == null || reader == null) {
            return null;
        }
        WebSocketFrameDecoder decoder = WebSocketFrameDecoder.forClient();
        // Read mode; the decoder consumes every byte it is given when it answers NeedMore.
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024).flip();
        List<String> frames = new ArrayList<>();
        long deadline = switchedAt + wait.toNanos();
        boolean garbled = false;
        try {
            while (true) {
                Result next = garbled ? null : decoder.nextFrame(buffer);
                if (next instanceof Result.Complete complete) {
                    if (frames.size() < MAX_FRAMES_SHOWN) {
                        frames.add(describe(complete.frame(), switchedAt));
                    }
                    continue;
                }
                if (next instanceof Result.Rejected rejected) {
                    frames.add("bytes that are not a WebSocket frame (" + rejected.detail() + ")");
                    garbled = true; // from here on only watch for the end of the connection
                }
                buffer.clear().limit(0); // NeedMore consumed every byte; garbled bytes are dropped
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return new Idle(wait, Ending.SURVIVED, wait, frames, "");
                }
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                int n = reader.read(buffer.array(), 0, buffer.capacity());
                if (n < 0) {
                    return new Idle(wait, Ending.CLOSED, since(switchedAt), frames, "");
                }
                buffer.limit(n);
            }
        } catch (SocketTimeoutException e) {
            return new Idle(wait, Ending.SURVIVED, wait, frames, "");
        } catch (IOException e) {
            return new Idle(wait, Ending.RESET, since(switchedAt), frames, String.valueOf(e.getMessage()));
        }
    }

    private static String describe(WebSocketFrame frame, long since) {
        String at = " at " + ProbeResult.seconds(since(since)) + " s";
        return switch (frame.opcode()) {
            case CLOSE -> "close frame " + (frame.closeCode().isPresent() ? frame.closeCode().getAsInt() : "without a code")
                    + (frame.closeReason().isEmpty() ? "" : " '" + frame.closeReason() + "'") + at;
            case PING -> "ping" + at + " (not answered: the probe stays silent)";
            default -> frame.opcode().name().toLowerCase(Locale.ROOT) + " frame of " + frame.payloadLength() + " bytes" + at;
        };
    }

    /** Ends the connection politely: a close frame 1000, then the socket. */
    @Override
    public void close() {
        if (socket == null) {
            return;
        }
        try {
            socket.getOutputStream().write(WebSocketFrame.encode(WebSocketFrame.close(WebSocketFrame.NORMAL_CLOSURE,
                    "probe done").withMasked(true)));
            socket.shutdownOutput();
        } catch (IOException e) {
            // the connection is gone already
        }
        closeQuietly(socket);
    }

    private static @Nullable String bodyOrWhyNot(ResponseHead response, HeadReader reader) {
        try {
            return body(response, reader);
        } catch (IOException e) {
            return "(the body could not be read: " + e.getMessage() + ")";
        }
    }

    /** Reads the body of a refusal when it has a known, small length; null when there is none or it is too big. */
    private static @Nullable String body(ResponseHead response, HeadReader reader) throws IOException {
        BodyFraming framing = BodyFraming.ofResponse(response, "GET");
        if (!(framing instanceof BodyFraming.FixedLength fixed) || fixed.length() == 0) {
            return framing instanceof BodyFraming.None || framing instanceof BodyFraming.FixedLength ? null
                    : "(" + describe(framing) + ", not read)";
        }
        if (fixed.length() > MAX_BODY) {
            return "(" + fixed.length() + " bytes, not read)";
        }
        byte[] bytes = reader.readNBytes((int) fixed.length());
        if (bytes.length < fixed.length()) {
            throw new EOFException("expected " + fixed.length() + " body bytes but the connection closed after "
                    + bytes.length);
        }
        String type = response.headers().first(HeaderName.CONTENT_TYPE).orElse("").toLowerCase(Locale.ROOT);
        boolean text = type.isEmpty() || type.startsWith("text/") || type.contains("json");
        Optional<String> decoded = utf8(bytes);
        if (!text || decoded.isEmpty()) {
            return "(" + bytes.length + " bytes of " + (type.isEmpty() ? "binary data" : type) + ", not shown)";
        }
        String shown = decoded.get().strip();
        return shown.length() <= SHOWN_BODY ? shown : "(" + bytes.length + " bytes of " + type + ", too long to show)";
    }

    private static String describe(BodyFraming framing) {
        if (framing instanceof BodyFraming.Chunked) {
            return "a chunked body";
        }
        return framing instanceof BodyFraming.UntilClose ? "a body that ends when the connection closes"
                : "a body the parser refused";
    }

    private static Optional<String> utf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** The lines of {@code bytes[0, end)} split at CRLF, control characters escaped. */
    private static List<String> lines(byte[] bytes, int end) {
        return lines(bytes, 0, end);
    }

    private static List<String> lines(byte[] bytes, int from, int length) {
        String text = new String(bytes, from, Math.max(0, length), StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\r\n", -1)) {
            lines.add(printable(line));
        }
        if (lines.size() > 1 && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    private static String printable(String line) {
        StringBuilder out = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7F || c > 0x7E && c < 0xA0) {
                out.append(String.format(Locale.ROOT, "\\x%02X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }

    /** The socket's input as it arrives, with a copy of every byte until {@link #stop()}: heads are shown as sent. */
    private static final class Recorder extends InputStream {
        private final Socket socket;
        private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
        private boolean recording = true;

        Recorder(Socket socket) {
            this.socket = socket;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == 1 ? one[0] & 0xFF : -1;
        }

        @Override
        public int read(byte[] dst, int off, int len) throws IOException {
            int n = socket.getInputStream().read(dst, off, len);
            if (n > 0 && recording) {
                copy.write(dst, off, n);
            }
            return n;
        }

        /** How many bytes arrived so far. */
        int size() {
            return copy.size();
        }

        /** Stops copying: the watch for frames after the head needs none. */
        void stop() {
            recording = false;
        }

        /** The lines of the {@code length} bytes from {@code from}, split at CRLF. */
        List<String> lines(int from, int length) {
            return ProbeExchange.lines(copy.toByteArray(), from, length);
        }

        /** What arrived from {@code from} on, when it did not make a head: at most a screenful. */
        List<String> shown(int from) {
            if (from >= copy.size()) {
                return List.of();
            }
            List<String> lines = lines(from, Math.min(copy.size() - from, 4096));
            return lines.size() > MAX_SHOWN_LINES ? lines.subList(0, MAX_SHOWN_LINES) : lines;
        }
    }
}
