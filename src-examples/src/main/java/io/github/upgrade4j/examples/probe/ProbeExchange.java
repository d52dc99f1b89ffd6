package io.github.upgrade4j.examples.probe;

import io.github.upgrade4j.examples.probe.ProbeResult.Ending;
import io.github.upgrade4j.examples.probe.ProbeResult.Idle;
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

    private final @Nullable Socket socket;
    private final ByteBuffer buffer;
    private final ProbeResult result;
    private final long switchedAt;

    private ProbeExchange(@Nullable Socket socket, ByteBuffer buffer, ProbeResult result, long switchedAt) {
        this.socket = socket;
        this.buffer = buffer;
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
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024).flip();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        List<String> heads = new ArrayList<>();
        int headStart = 0;
        try {
            socket.getOutputStream().write(wire);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            while (true) {
                Http1Parser<ResponseHead> parser = Http1Parser.forResponses();
                headStart = received.size() - buffer.remaining();
                ParseResult<ResponseHead> parsed = parser.parse(buffer);
                while (parsed instanceof ParseResult.NeedMore) {
                    if (fill(in, buffer, received) < 0) {
                        heads.addAll(shown(received, headStart));
                        closeQuietly(socket);
                        return failed(target, sent, heads, start, ProbeVerdict.noAnswer(received.size() > headStart));
                    }
                    parsed = parser.parse(buffer);
                }
                if (parsed instanceof ParseResult.Rejected<ResponseHead> rejected) {
                    heads.addAll(shown(received, headStart));
                    closeQuietly(socket);
                    return failed(target, sent, heads, start, ProbeVerdict.notHttp(rejected));
                }
                ParseResult.Complete<ResponseHead> complete = (ParseResult.Complete<ResponseHead>) parsed;
                heads.addAll(lines(received.toByteArray(), headStart, complete.headLength() - 2));
                ResponseHead response = complete.head();
                Verdict verdict = ProxyUpgrade.standard().judge(attempt, response);
                if (verdict instanceof Verdict.Interim) {
                    continue; // 100 Continue, 103 Early Hints: the final answer follows
                }
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                if (verdict instanceof Verdict.Tunnel tunnel) {
                    ProbeResult result = new ProbeResult(target, sent, heads, response, null,
                            ProbeVerdict.worked(tunnel), took, null);
                    return new ProbeExchange(socket, buffer, result, System.nanoTime());
                }
                String body = response.status() == 101 ? null : bodyOrWhyNot(response, in, buffer);
                closeQuietly(socket);
                ProbeVerdict judged = ProbeVerdict.judge(verdict, response, body);
                return new ProbeExchange(null, buffer, new ProbeResult(target, sent, heads, response, body, judged,
                        took, null), 0);
            }
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            heads.addAll(shown(received, headStart));
            return failed(target, sent, heads, start, ProbeVerdict.timedOut(timeout));
        } catch (IOException e) {
            closeQuietly(socket);
            return failed(target, sent, heads, start, ProbeVerdict.broken(e));
        }
    }

    private static ProbeExchange failed(ProbeTarget target, List<String> sent, List<String> received, long start,
            ProbeVerdict verdict) {
        return new ProbeExchange(null, ByteBuffer.allocate(0), new ProbeResult(target, sent, received, null, null, verdict,
                Duration.ofNanos(System.nanoTime() - start), null), 0);
    }

    /**
     * Holds the upgraded connection silent for up to {@code wait} and reports when and how it ended;
     * null when the handshake did not leave an open connection.
     */
    @Nullable Idle watchIdle(Duration wait) {
        if (socket == null) {
            return null;
        }
        WebSocketFrameDecoder decoder = WebSocketFrameDecoder.forClient();
        List<String> frames = new ArrayList<>();
        long deadline = switchedAt + wait.toNanos();
        boolean garbled = false;
        try {
            InputStream in = socket.getInputStream();
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
                if (garbled) {
                    buffer.position(buffer.limit());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return new Idle(wait, Ending.SURVIVED, wait, frames, "");
                }
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                if (fill(in, buffer, null) < 0) {
                    return new Idle(wait, Ending.CLOSED, since(switchedAt), frames, "");
                }
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

    private static @Nullable String bodyOrWhyNot(ResponseHead response, InputStream in, ByteBuffer buffer) {
        try {
            return body(response, in, buffer);
        } catch (IOException e) {
            return "(the body could not be read: " + e.getMessage() + ")";
        }
    }

    /** Reads the body of a refusal when it has a known, small length; null when there is none or it is too big. */
    private static @Nullable String body(ResponseHead response, InputStream in, ByteBuffer buffer) throws IOException {
        BodyFraming framing = BodyFraming.ofResponse(response, "GET");
        if (!(framing instanceof BodyFraming.FixedLength fixed) || fixed.length() == 0) {
            return framing instanceof BodyFraming.None || framing instanceof BodyFraming.FixedLength ? null
                    : "(" + describe(framing) + ", not read)";
        }
        if (fixed.length() > MAX_BODY) {
            return "(" + fixed.length() + " bytes, not read)";
        }
        byte[] bytes = new byte[(int) fixed.length()];
        int have = Math.min(buffer.remaining(), bytes.length);
        buffer.get(bytes, 0, have);
        while (have < bytes.length) {
            int n = in.read(bytes, have, bytes.length - have);
            if (n < 0) {
                throw new EOFException("expected " + bytes.length + " body bytes but the connection closed after " + have);
            }
            have += n;
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

    /** Reads more bytes into {@code buffer} (read mode), copying them to {@code received}; -1 at end of stream. */
    private static int fill(InputStream in, ByteBuffer buffer, @Nullable ByteArrayOutputStream received)
            throws IOException {
        buffer.compact();
        if (!buffer.hasRemaining()) {
            buffer.flip();
            throw new IOException("expected an answer head of at most " + buffer.capacity() + " bytes");
        }
        try {
            int n = in.read(buffer.array(), buffer.position(), buffer.remaining());
            if (n > 0) {
                if (received != null) {
                    received.write(buffer.array(), buffer.position(), n);
                }
                buffer.position(buffer.position() + n);
            }
            return n;
        } finally {
            buffer.flip();
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

    /** What arrived from {@code from} on, when it did not make a head: at most a screenful. */
    private static List<String> shown(ByteArrayOutputStream received, int from) {
        byte[] bytes = received.toByteArray();
        if (from >= bytes.length) {
            return List.of();
        }
        List<String> lines = lines(bytes, from, Math.min(bytes.length - from, 4096));
        return lines.size() > MAX_SHOWN_LINES ? lines.subList(0, MAX_SHOWN_LINES) : lines;
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
}
