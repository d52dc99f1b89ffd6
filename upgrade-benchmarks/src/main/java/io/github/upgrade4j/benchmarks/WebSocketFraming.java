package io.github.upgrade4j.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * RFC 6455 §5.2 frames for {@link H2Comparison}: the client's masked binary frames around a
 * {@link ClientLink} (which then reads and writes payload bytes), and the frame header arithmetic the
 * origin ({@link UpgradeUpstream}'s {@code /ws-} paths) shares with it. Only what the comparison sends:
 * unfragmented binary frames (FIN set, opcode 2); a close frame ends the stream, and ping, pong and
 * text frames are skipped. It does not check UTF-8, extensions or reserved bits.
 */
final class WebSocketFraming implements ClientLink {
    /** RFC 6455 §5.2: FIN and the binary opcode. */
    static final int FIN_BINARY = 0x82;
    /** The longest header: 2 bytes, a 64-bit length, a 4-byte masking key. */
    static final int MAX_HEADER = 14;
    private static final int OPCODE_CLOSE = 0x8;

    private final ClientLink link;
    private final ByteBuffer in;
    private ByteBuffer out;
    /** Payload bytes of the current data frame not yet handed out. */
    private long payloadLeft;
    /** Bytes of the current control or text frame still to skip. */
    private long skipLeft;
    private boolean closed;

    private WebSocketFraming(ClientLink link) {
        this.link = link;
        this.in = link.buffer(UpgradeUpstream.CHUNK + MAX_HEADER).flip();
        this.out = link.buffer(UpgradeUpstream.CHUNK + MAX_HEADER);
    }

    /** {@code link}, after a WebSocket handshake, read and written as payload: every write one masked binary frame. */
    static ClientLink over(ClientLink link) {
        return new WebSocketFraming(link);
    }

    /** The header length of a frame with {@code payload} bytes, masked or not (RFC 6455 §5.2). */
    static int headerLength(long payload, boolean masked) {
        return (payload < 126 ? 2 : payload <= 0xFFFF ? 4 : 10) + (masked ? 4 : 0);
    }

    /**
     * Puts the header of an unfragmented binary frame of {@code payload} bytes into {@code out}, with
     * {@code maskKey} as the masking key if {@code masked}.
     */
    static void putHeader(ByteBuffer out, long payload, boolean masked, int maskKey) {
        out.put((byte) FIN_BINARY);
        int maskBit = masked ? 0x80 : 0;
        if (payload < 126) {
            out.put((byte) (maskBit | (int) payload));
        } else if (payload <= 0xFFFF) {
            out.put((byte) (maskBit | 126)).putShort((short) payload);
        } else {
            out.put((byte) (maskBit | 127)).putLong(payload);
        }
        if (masked) {
            out.putInt(maskKey);
        }
    }

    /**
     * The header at the start of {@code in}'s remaining bytes, without consuming it: {@code {header
     * length, payload length, opcode, masking key or 0, 1 if masked}}, or null if the header is not
     * complete yet.
     */
    static long[] parseHeader(ByteBuffer in) {
        int p = in.position();
        if (in.remaining() < 2) {
            return null;
        }
        int first = in.get(p) & 0xFF;
        int second = in.get(p + 1) & 0xFF;
        boolean masked = (second & 0x80) != 0;
        int length7 = second & 0x7F;
        int extra = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        int header = 2 + extra + (masked ? 4 : 0);
        if (in.remaining() < header) {
            return null;
        }
        long payload = length7 == 126 ? in.getShort(p + 2) & 0xFFFF : length7 == 127 ? in.getLong(p + 2) : length7;
        long key = masked ? in.getInt(p + 2 + extra) & 0xFFFFFFFFL : 0;
        return new long[] {header, payload, first & 0x0F, key, masked ? 1 : 0};
    }

    /**
     * Copies {@code length} bytes from {@code from} to {@code to} (both relative, both advanced), XORed
     * with {@code maskKey} starting at byte {@code offset} of the frame's payload (RFC 6455 §5.3).
     * Masking twice with the same key gives the bytes back.
     */
    static void maskCopy(ByteBuffer from, ByteBuffer to, int length, int maskKey, long offset) {
        int shift = (int) (offset & 3);
        int key = Integer.rotateLeft(maskKey, 8 * shift); // the key as it lines up with the first byte
        long wide = (key & 0xFFFFFFFFL) << 32 | (key & 0xFFFFFFFFL);
        int i = 0;
        int fromAt = from.position();
        int toAt = to.position();
        for (; i + 8 <= length; i += 8) {
            to.putLong(toAt + i, from.getLong(fromAt + i) ^ wide);
        }
        for (; i < length; i++) {
            to.put(toAt + i, (byte) (from.get(fromAt + i) ^ (key >>> (24 - 8 * (i & 3)))));
        }
        from.position(fromAt + length);
        to.position(toAt + length);
    }

    @Override
    public void writeFully(ByteBuffer from) throws IOException {
        int payload = from.remaining();
        if (out.capacity() < payload + MAX_HEADER) {
            out = link.buffer(payload + MAX_HEADER);
        }
        // RFC 6455 §5.3: a fresh, unpredictable key for every frame a client sends.
        int key = ThreadLocalRandom.current().nextInt();
        out.clear();
        putHeader(out, payload, true, key);
        maskCopy(from, out, payload, key, 0);
        link.writeFully(out.flip());
    }

    @Override
    public int read(ByteBuffer into) throws IOException {
        while (!closed) {
            if (payloadLeft > 0) {
                if (in.hasRemaining()) {
                    int n = (int) Math.min(Math.min(payloadLeft, in.remaining()), into.remaining());
                    ByteBuffer part = in.slice().limit(n);
                    into.put(part);
                    in.position(in.position() + n);
                    payloadLeft -= n;
                    return n;
                }
                if (into.remaining() > 0 && payloadLeft >= into.remaining()) {
                    int n = link.read(into); // a large payload straight into the caller's buffer: no copy
                    if (n > 0) {
                        payloadLeft -= n;
                    }
                    return n;
                }
            } else if (skipLeft > 0 && in.hasRemaining()) {
                int n = (int) Math.min(skipLeft, in.remaining());
                in.position(in.position() + n);
                skipLeft -= n;
                continue;
            } else if (skipLeft == 0) {
                long[] header = parseHeader(in);
                if (header != null) {
                    if (header[4] != 0) {
                        throw new IOException("expected an unmasked frame from the server (RFC 6455 §5.1) but it was"
                                + " masked");
                    }
                    in.position(in.position() + (int) header[0]);
                    if (header[2] == OPCODE_CLOSE) {
                        closed = true;
                        return -1;
                    }
                    if (header[2] == 0 || header[2] == 2) {
                        payloadLeft = header[1];
                    } else {
                        skipLeft = header[1];
                    }
                    continue;
                }
            }
            in.compact();
            int n = link.read(in);
            in.flip();
            if (n < 0) {
                closed = true;
            }
        }
        return -1;
    }

    @Override
    public ByteBuffer buffer(int size) {
        return link.buffer(size);
    }

    @Override
    public String describe() {
        return link.describe() + ", WebSocket frames";
    }

    @Override
    public void close() throws IOException {
        link.close();
    }
}
