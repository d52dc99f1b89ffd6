package io.github.upgrade4j.examples.support;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * One WebSocket frame (RFC 6455 §5.2) and its encoding on the wire; {@link WebSocketFrameDecoder}
 * reads frames back.
 *
 * <p>The payload is held unmasked; {@code masked} says whether the frame is (or was) masked on the
 * wire, as every client-to-server frame must be (RFC 6455 §5.3). The payload array is copied on the
 * way in and on the way out, so a frame is immutable.
 *
 * <pre>{@code
 * byte[] wire = WebSocketFrame.encode(WebSocketFrame.text("hello"));                  // a server's frame
 * byte[] fromClient = WebSocketFrame.encode(WebSocketFrame.text("hello").withMasked(true)); // random key
 * }</pre>
 *
 * <p>Not supported: extensions (the reserved bits are always 0) and payloads over 2 GiB.
 *
 * @param fin whether this is the last frame of its message
 * @param opcode what the payload is
 * @param payload the application data, unmasked
 * @param masked whether the frame is masked on the wire
 */
public record WebSocketFrame(boolean fin, Opcode opcode, byte[] payload, boolean masked) {
    /** Close code 1000: the purpose of the connection was fulfilled (RFC 6455 §7.4.1). */
    public static final int NORMAL_CLOSURE = 1000;
    /** Close code 1002: the peer broke the protocol. */
    public static final int PROTOCOL_ERROR = 1002;
    /** Close code 1007: a text message or close reason that is not UTF-8. */
    public static final int INVALID_PAYLOAD = 1007;
    /** Close code 1009: a message too big to process. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** The longest payload of a control frame (RFC 6455 §5.5). */
    public static final int MAX_CONTROL_PAYLOAD = 125;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The frame types of RFC 6455 §5.2; the other opcodes are reserved and refused. */
    public enum Opcode {
        /** A further fragment of a fragmented message. */
        CONTINUATION(0x0),
        /** UTF-8 text. */
        TEXT(0x1),
        /** Binary data. */
        BINARY(0x2),
        /** The closing handshake: an optional 2-byte code and UTF-8 reason. */
        CLOSE(0x8),
        /** A ping, answered by a pong with the same payload. */
        PING(0x9),
        /** A pong. */
        PONG(0xA);

        private final int code;

        Opcode(int code) {
            this.code = code;
        }

        /** The 4-bit value on the wire. */
        public int code() {
            return code;
        }

        /** Whether frames of this type are control frames: short, never fragmented (RFC 6455 §5.5). */
        public boolean isControl() {
            return code >= 0x8;
        }

        /** The opcode for a 4-bit value, or null for a reserved one. */
        static @Nullable Opcode of(int code) {
            for (Opcode opcode : values()) {
                if (opcode.code == code) {
                    return opcode;
                }
            }
            return null;
        }
    }

    /**
     * Copies the payload and checks the control-frame rules.
     *
     * @throws IllegalArgumentException if a control frame is fragmented or longer than 125 bytes
     */
    public WebSocketFrame {
        Objects.requireNonNull(opcode, "opcode");
        payload = payload.clone();
        if (opcode.isControl() && (!fin || payload.length > MAX_CONTROL_PAYLOAD)) {
            throw new IllegalArgumentException("expected a control frame to be final and at most 125 bytes (RFC 6455"
                    + " §5.5) but it was " + (fin ? "" : "fragmented and ") + payload.length + " bytes");
        }
    }

    /** A final, unmasked text frame. */
    public static WebSocketFrame text(String text) {
        return new WebSocketFrame(true, Opcode.TEXT, text.getBytes(StandardCharsets.UTF_8), false);
    }

    /** A final, unmasked binary frame. */
    public static WebSocketFrame binary(byte[] data) {
        return new WebSocketFrame(true, Opcode.BINARY, data, false);
    }

    /** An unmasked ping. */
    public static WebSocketFrame ping(byte[] data) {
        return new WebSocketFrame(true, Opcode.PING, data, false);
    }

    /** An unmasked pong. */
    public static WebSocketFrame pong(byte[] data) {
        return new WebSocketFrame(true, Opcode.PONG, data, false);
    }

    /**
     * An unmasked close frame whose payload is {@code code} in two bytes followed by {@code reason}
     * in UTF-8 (RFC 6455 §5.5.1).
     *
     * @throws IllegalArgumentException if the code may not be sent (RFC 6455 §7.4) or the reason is
     *     longer than 123 bytes
     */
    public static WebSocketFrame close(int code, String reason) {
        if (!isValidCloseCode(code)) {
            throw new IllegalArgumentException("expected a close code of 1000-1003, 1007-1014 or 3000-4999 (RFC 6455"
                    + " §7.4) but was " + code);
        }
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        if (text.length > MAX_CONTROL_PAYLOAD - 2) {
            throw new IllegalArgumentException("expected a close reason of at most 123 bytes but it was " + text.length);
        }
        return new WebSocketFrame(true, Opcode.CLOSE,
                ByteBuffer.allocate(2 + text.length).putShort((short) code).put(text).array(), false);
    }

    /** A copy of this frame, masked or not on the wire. */
    public WebSocketFrame withMasked(boolean masked) {
        return new WebSocketFrame(fin, opcode, payload, masked);
    }

    /** A copy of the payload. */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The number of payload bytes. */
    public int payloadLength() {
        return payload.length;
    }

    /** The payload decoded as UTF-8, malformed bytes replaced; for text frames and messages. */
    public String payloadText() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /**
     * The status code of a close frame; empty when it carries none, which the receiver reports as
     * 1005 (RFC 6455 §7.1.5).
     *
     * @throws IllegalStateException if this is not a close frame
     */
    public OptionalInt closeCode() {
        requireClose();
        return payload.length < 2 ? OptionalInt.empty() : OptionalInt.of((payload[0] & 0xFF) << 8 | payload[1] & 0xFF);
    }

    /**
     * The reason of a close frame, empty when it has none.
     *
     * @throws IllegalStateException if this is not a close frame
     */
    public String closeReason() {
        requireClose();
        return payload.length <= 2 ? "" : new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }

    /** {@code frame} as bytes on the wire; a masked frame gets a fresh key from a {@link SecureRandom} (RFC 6455 §5.3). */
    public static byte[] encode(WebSocketFrame frame) {
        if (!frame.masked) {
            return write(frame, null);
        }
        byte[] key = new byte[4];
        RANDOM.nextBytes(key);
        return write(frame, key);
    }

    /**
     * {@code frame} as bytes on the wire, masked with {@code maskingKey}; for tests that need fixed bytes.
     *
     * @throws IllegalArgumentException if the frame is not masked or the key is not 4 bytes
     */
    public static byte[] encode(WebSocketFrame frame, byte[] maskingKey) {
        if (!frame.masked || maskingKey.length != 4) {
            throw new IllegalArgumentException("expected a masked frame and a 4-byte key but the frame was "
                    + (frame.masked ? "masked" : "unmasked") + " and the key " + maskingKey.length + " bytes");
        }
        return write(frame, maskingKey.clone());
    }

    /** Codes an endpoint may send (RFC 6455 §7.4.1 and the IANA registry); 1004-1006 and 1015 are never sent. */
    static boolean isValidCloseCode(int code) {
        return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999;
    }

    // RFC 6455 §5.2: FIN, RSV1-3, opcode | MASK, 7-bit length [, 16- or 64-bit length] [, masking key] payload.
    // The length uses the fewest bytes possible: up to 125 in the 7 bits, up to 65535 after the marker 126,
    // anything longer after the marker 127.
    private static byte[] write(WebSocketFrame frame, byte @Nullable [] key) {
        int length = frame.payload.length;
        int extended = length <= 125 ? 0 : length <= 0xFFFF ? 2 : 8;
        int headerLength = 2 + extended + (key == null ? 0 : 4);
        ByteBuffer out = ByteBuffer.allocate(headerLength + length);
        out.put((byte) ((frame.fin ? 0x80 : 0) | frame.opcode.code));
        out.put((byte) ((key == null ? 0 : 0x80) | (extended == 0 ? length : extended == 2 ? 126 : 127)));
        if (extended == 2) {
            out.putShort((short) length);
        } else if (extended == 8) {
            out.putLong(length);
        }
        if (key != null) {
            out.put(key);
        }
        out.put(frame.payload);
        byte[] bytes = out.array();
        if (key != null) {
            for (int i = 0; i < length; i++) {
                bytes[headerLength + i] ^= key[i & 3]; // RFC 6455 §5.3: octet i XOR key octet i mod 4
            }
        }
        return bytes;
    }

    private void requireClose() {
        if (opcode != Opcode.CLOSE) {
            throw new IllegalStateException("expected a CLOSE frame but was " + opcode);
        }
    }

    /** Equal when every component is, the payload compared by content. */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof WebSocketFrame other && fin == other.fin && opcode == other.opcode
                && masked == other.masked && Arrays.equals(payload, other.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fin, opcode, masked, Arrays.hashCode(payload));
    }

    /** For example {@code WebSocketFrame[TEXT, fin, masked, 5 bytes]}; the payload itself is left out. */
    @Override
    public String toString() {
        return "WebSocketFrame[" + opcode + (fin ? ", fin" : "") + (masked ? ", masked" : "") + ", " + payload.length
                + " bytes]";
    }
}
