package io.github.upgrade4j.examples.support;

import io.github.upgrade4j.examples.support.WebSocketFrame.Opcode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An incremental, strict reader of WebSocket frames (RFC 6455 §5) and of the messages they carry.
 *
 * <p>Feed it bytes as they arrive, in any split, down to one byte a call; like
 * {@link io.github.upgrade4j.http.Http1Parser} it consumes every byte it is given when it answers
 * {@link Result.NeedMore}, and stops right behind a frame when it answers {@link Result.Complete}.
 * Every broken rule is a {@link Result.Rejected} with the {@link Problem} and the close code to send;
 * after one, the decoder keeps answering it, and the connection should be closed.
 *
 * <p>{@link #nextMessage} fails fast (RFC 6455 §8.1): it checks a text message's UTF-8 as the
 * payload bytes arrive, across fragments and within one, and the order of fragments and the
 * message size as each frame's header arrives, so a broken message is refused at the bytes that
 * break it, not when its final fragment has come.
 *
 * <pre>{@code
 * Result result = decoder.nextMessage(buffer);
 * if (result instanceof Result.Complete complete) {
 *     handle(complete.frame());                      // a control frame or a whole message
 * } else if (result instanceof Result.Rejected rejected) {
 *     send(WebSocketFrame.close(rejected.closeCode(), rejected.problem().name()));
 * }                                                  // NeedMore: read more bytes and call again
 * }</pre>
 *
 * <p>Use either {@link #nextFrame} or {@link #nextMessage} on one decoder, not both. Not
 * thread-safe: one decoder per connection. Extensions are not supported.
 */
public final class WebSocketFrameDecoder {
    /** The default limit on a frame's payload and on a reassembled message: 16 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
    private static final Result NEED_MORE = new Result.NeedMore();

    /** Which end of the connection reads: that decides the masking rule (RFC 6455 §5.1). */
    public enum Role {
        /** Reads a client's frames, which must all be masked. */
        SERVER,
        /** Reads a server's frames, which must never be masked. */
        CLIENT
    }

    /** The rule a peer broke, with the close code to answer and where the rule is written. */
    public enum Problem {
        /** RSV1-3 set although no extension was negotiated. */
        RESERVED_BITS_SET(WebSocketFrame.PROTOCOL_ERROR, "RFC 6455 §5.2"),
        /** An opcode reserved for future use. */
        UNKNOWN_OPCODE(WebSocketFrame.PROTOCOL_ERROR, "RFC 6455 §5.2"),
        /** A control frame without FIN. */
        FRAGMENTED_CONTROL_FRAME(WebSocketFrame.PROTOCOL_ERROR, "RFC 6455 §5.5"),
        /** A control frame longer than 125 bytes. */
        CONTROL_FRAME_TOO_LONG(WebSocketFrame.PROTOCOL_ERROR, "RFC 6455 §5.5"),
        /** A client frame without a mask. */
        UNMASKED_CLIENT_FRAME(WebSocketFrame.PROTOCOL_ERROR, "RFC 6455 §5.1"),
        /** A server frame with a mask. */
        MASKED_SERVER_FRAME(WebSocketFrame.PROTOCOL_ERROR, "RFC 6455 §5.1"),
        /** A length not in the fewest bytes, or a 64-bit length with its top bit set. */
        INVALID_LENGTH(WebSocketFrame.PROTOCOL_ERROR, "RFC 6455 §5.2"),
        /** A frame or message over the decoder's limit. */
        MESSAGE_TOO_BIG(WebSocketFrame.MESSAGE_TOO_BIG, "RFC 6455 §7.4.1"),
        /** A continuation frame outside a fragmented message. */
        UNEXPECTED_CONTINUATION(WebSocketFrame.PROTOCOL_ERROR, "RFC 6455 §5.4"),
        /** A new text or binary frame before the fragmented message ended. */
        EXPECTED_CONTINUATION(WebSocketFrame.PROTOCOL_ERROR, "RFC 6455 §5.4"),
        /** A close payload of one byte or with a code that may not be sent. */
        INVALID_CLOSE_PAYLOAD(WebSocketFrame.PROTOCOL_ERROR, "RFC 6455 §5.5.1"),
        /** A text message or close reason that is not UTF-8. */
        INVALID_UTF8(WebSocketFrame.INVALID_PAYLOAD, "RFC 6455 §8.1");

        private final int closeCode;
        private final String spec;

        Problem(int closeCode, String spec) {
            this.closeCode = closeCode;
            this.spec = spec;
        }

        /** The close code to send before closing the connection. */
        public int closeCode() {
            return closeCode;
        }

        /** The RFC section that states the rule. */
        public String spec() {
            return spec;
        }
    }

    /** What the decoder made of the bytes it was given so far. */
    public sealed interface Result {
        /** Not a whole frame (or message) yet; every byte given was consumed and kept. */
        record NeedMore() implements Result {}

        /**
         * A frame, or from {@link #nextMessage} a control frame or a whole message as one final frame.
         * The input's position is right behind it.
         *
         * @param frame the frame, unmasked
         */
        record Complete(WebSocketFrame frame) implements Result {
            /** Checks for null. */
            public Complete {
                Objects.requireNonNull(frame, "frame");
            }
        }

        /**
         * The bytes break a rule; send a close frame with {@link #closeCode()} and close.
         *
         * @param problem the rule broken
         * @param detail what was expected and what was found, in ASCII
         */
        record Rejected(Problem problem, String detail) implements Result {
            /** Checks for nulls. */
            public Rejected {
                Objects.requireNonNull(problem, "problem");
                Objects.requireNonNull(detail, "detail");
            }

            /** The close code for the problem: 1002, 1007 or 1009. */
            public int closeCode() {
                return problem.closeCode();
            }
        }
    }

    private final Role role;
    private final int maxMessageSize;

    // The frame being read: first its header (2 to 14 bytes), then, once payload is set, its payload.
    private final byte[] header = new byte[14];
    private int headerLength;
    private byte @Nullable [] payload;
    private int filled;

    // The message being read by nextMessage: the type of its first frame from that frame's header to
    // the end of its final frame (null between messages), the payloads of its earlier fragments, and
    // for text the UTF-8 state, which runs across fragments since one may end inside a character.
    private @Nullable Opcode messageType;
    private final ByteArrayOutputStream message = new ByteArrayOutputStream();
    private final Utf8Validator utf8 = new Utf8Validator();
    /** Whether the payload being read is part of a text message, its bytes checked as they arrive. */
    private boolean text;

    private Result.@Nullable Rejected rejected;

    private WebSocketFrameDecoder(Role role, int maxMessageSize) {
        this.role = Objects.requireNonNull(role, "role");
        if (maxMessageSize < WebSocketFrame.MAX_CONTROL_PAYLOAD) {
            throw new IllegalArgumentException("expected a maximum message size of at least 125 but was "
                    + maxMessageSize);
        }
        this.maxMessageSize = maxMessageSize;
    }

    /** A decoder of a client's frames, for a server, with {@link #DEFAULT_MAX_MESSAGE_SIZE}. */
    public static WebSocketFrameDecoder forServer() {
        return of(Role.SERVER, DEFAULT_MAX_MESSAGE_SIZE);
    }

    /** A decoder of a server's frames, for a client, with {@link #DEFAULT_MAX_MESSAGE_SIZE}. */
    public static WebSocketFrameDecoder forClient() {
        return of(Role.CLIENT, DEFAULT_MAX_MESSAGE_SIZE);
    }

    /**
     * A decoder for {@code role} that refuses frames and messages over {@code maxMessageSize} bytes.
     *
     * @throws IllegalArgumentException if the limit is below 125
     */
    public static WebSocketFrameDecoder of(Role role, int maxMessageSize) {
        return new WebSocketFrameDecoder(role, maxMessageSize);
    }

    /** Consumes bytes of {@code input} up to the end of the next frame, checking every rule of RFC 6455 §5. */
    public Result nextFrame(ByteBuffer input) {
        return readFrame(input, false);
    }

    /**
     * Consumes bytes of {@code input} up to the next control frame or the end of the next message.
     * A fragmented message comes back as one final frame with the first fragment's opcode and all
     * payloads joined; control frames between its fragments come back first, as they arrive (RFC
     * 6455 §5.4). A text message is checked to be UTF-8 as its bytes arrive: a fragment may end
     * inside a character, but the message may not, and a byte that no UTF-8 could continue with is
     * refused at once, whether or not its frame or message is complete.
     */
    public Result nextMessage(ByteBuffer input) {
        while (true) {
            Result result = readFrame(input, true);
            if (!(result instanceof Result.Complete complete) || complete.frame().opcode().isControl()) {
                return result;
            }
            WebSocketFrame frame = complete.frame();
            boolean continuation = frame.opcode() == Opcode.CONTINUATION;
            if (frame.fin() && !continuation) {
                messageType = null;
                return result; // the common case: a message in one frame
            }
            message.writeBytes(frame.payload());
            if (frame.fin()) {
                WebSocketFrame whole = new WebSocketFrame(true, Objects.requireNonNull(messageType),
                        message.toByteArray(), frame.masked());
                messageType = null;
                message.reset();
                return new Result.Complete(whole);
            }
        }
    }

    /** One frame; with {@code inMessage} also the rules of a message's sequence of frames and its UTF-8. */
    private Result readFrame(ByteBuffer input, boolean inMessage) {
        if (rejected != null) {
            return rejected;
        }
        while (payload == null) {
            if (!input.hasRemaining()) {
                return NEED_MORE;
            }
            header[headerLength++] = input.get();
            Result.@Nullable Rejected problem = headerLength == 2 ? checkFirstTwoBytes() : null;
            if (problem == null && headerLength >= 2 && headerLength == headerSize()) {
                problem = startPayload(inMessage);
            }
            if (problem != null) {
                return problem;
            }
        }
        boolean masked = (header[1] & 0x80) != 0;
        int n = Math.min(input.remaining(), payload.length - filled);
        input.get(payload, filled, n);
        if (masked) {
            int key = headerLength - 4;
            for (int i = filled; i < filled + n; i++) {
                payload[i] ^= header[key + (i & 3)]; // RFC 6455 §5.3: octet i XOR key octet i mod 4
            }
        }
        if (text) {
            int invalid = utf8.feed(payload, filled, filled + n);
            if (invalid >= 0) {
                return reject(Problem.INVALID_UTF8, "expected a text message in UTF-8 but byte " + invalid
                        + " of a " + payload.length + "-byte frame, 0x" + Integer.toHexString(payload[invalid] & 0xFF)
                        + ", cannot continue it");
            }
        }
        filled += n;
        if (filled < payload.length) {
            return NEED_MORE;
        }
        boolean fin = (header[0] & 0x80) != 0;
        if (text && fin && !utf8.atCharacterBoundary()) {
            return reject(Problem.INVALID_UTF8, "expected a text message in UTF-8 but it ends inside a character");
        }
        WebSocketFrame frame = new WebSocketFrame(fin, Objects.requireNonNull(Opcode.of(header[0] & 0x0F)), payload,
                masked);
        headerLength = 0;
        payload = null;
        return frame.opcode() == Opcode.CLOSE ? checkClose(frame) : new Result.Complete(frame);
    }

    /** The header's size, known once its second byte is: 2, plus 2 or 8 length bytes, plus a 4-byte key. */
    private int headerSize() {
        int length7 = header[1] & 0x7F;
        return 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
    }

    private Result.@Nullable Rejected checkFirstTwoBytes() {
        int first = header[0] & 0xFF;
        if ((first & 0x70) != 0) {
            return reject(Problem.RESERVED_BITS_SET, "expected RSV1-3 to be 0 as no extension was negotiated but"
                    + " the first byte was 0x" + Integer.toHexString(first));
        }
        Opcode opcode = Opcode.of(first & 0x0F);
        if (opcode == null) {
            return reject(Problem.UNKNOWN_OPCODE, "expected opcode 0, 1, 2, 8, 9 or 10 but was " + (first & 0x0F));
        }
        if (opcode.isControl() && (first & 0x80) == 0) {
            return reject(Problem.FRAGMENTED_CONTROL_FRAME, "expected FIN on a " + opcode + " frame but it was 0");
        }
        if (opcode.isControl() && (header[1] & 0x7F) > WebSocketFrame.MAX_CONTROL_PAYLOAD) {
            return reject(Problem.CONTROL_FRAME_TOO_LONG, "expected a " + opcode + " frame of at most 125 bytes but"
                    + " its length needs the extended form");
        }
        boolean masked = (header[1] & 0x80) != 0;
        if (role == Role.SERVER && !masked) {
            return reject(Problem.UNMASKED_CLIENT_FRAME, "expected a client's frame to be masked but it was not");
        }
        if (role == Role.CLIENT && masked) {
            return reject(Problem.MASKED_SERVER_FRAME, "expected a server's frame to be unmasked but it was masked");
        }
        return null;
    }

    private Result.@Nullable Rejected startPayload(boolean inMessage) {
        long length = header[1] & 0x7F;
        if (length == 126) {
            length = ByteBuffer.wrap(header, 2, 2).getShort() & 0xFFFF;
            if (length <= 125) {
                return reject(Problem.INVALID_LENGTH, "expected " + length + " in the 7-bit length but it was sent"
                        + " in 16 bits");
            }
        } else if (length == 127) {
            length = ByteBuffer.wrap(header, 2, 8).getLong();
            if (length < 0) {
                return reject(Problem.INVALID_LENGTH, "expected the top bit of a 64-bit length to be 0 but it was 1");
            }
            if (length <= 0xFFFF) {
                return reject(Problem.INVALID_LENGTH, "expected " + length + " in a shorter length but it was sent in"
                        + " 64 bits");
            }
        }
        if (length > maxMessageSize) {
            return reject(Problem.MESSAGE_TOO_BIG, "expected a frame of at most " + maxMessageSize + " bytes but it"
                    + " was " + length);
        }
        Opcode opcode = Objects.requireNonNull(Opcode.of(header[0] & 0x0F));
        text = false;
        if (inMessage && !opcode.isControl()) {
            Result.@Nullable Rejected problem = startMessagePart(opcode, length);
            if (problem != null) {
                return problem;
            }
        }
        payload = new byte[(int) length];
        filled = 0;
        return null;
    }

    /**
     * The rules for a data frame of {@code length} bytes as part of a message (RFC 6455 §5.4), checked
     * from its header so that a broken sequence is refused before its payload is read.
     */
    private Result.@Nullable Rejected startMessagePart(Opcode opcode, long length) {
        boolean continuation = opcode == Opcode.CONTINUATION;
        if (messageType == null && continuation) {
            return reject(Problem.UNEXPECTED_CONTINUATION,
                    "expected a TEXT or BINARY frame to start a message but got a continuation frame");
        }
        if (messageType != null && !continuation) {
            return reject(Problem.EXPECTED_CONTINUATION, "expected a continuation of the fragmented "
                    + messageType + " message but got a new " + opcode + " frame");
        }
        if (message.size() + length > maxMessageSize) {
            return reject(Problem.MESSAGE_TOO_BIG, "expected a message of at most " + maxMessageSize
                    + " bytes but the fragments add up to more");
        }
        if (!continuation) {
            messageType = opcode;
            utf8.reset();
        }
        text = messageType == Opcode.TEXT;
        return null;
    }

    private Result checkClose(WebSocketFrame close) {
        if (close.payloadLength() == 1) {
            return reject(Problem.INVALID_CLOSE_PAYLOAD, "expected a close payload of 0 or at least 2 bytes but it"
                    + " was 1");
        }
        int code = close.closeCode().orElse(WebSocketFrame.NORMAL_CLOSURE);
        if (!WebSocketFrame.isValidCloseCode(code)) {
            return reject(Problem.INVALID_CLOSE_PAYLOAD, "expected a close code that may be sent but it was " + code);
        }
        byte[] payload = close.payload();
        if (payload.length > 2 && !Utf8Validator.isUtf8(payload, 2, payload.length)) {
            return reject(Problem.INVALID_UTF8, "expected the close reason to be UTF-8 but it was not");
        }
        return new Result.Complete(close);
    }

    private Result.Rejected reject(Problem problem, String detail) {
        rejected = new Result.Rejected(problem, detail);
        return rejected;
    }
}
