package io.github.upgrade4j.examples.support;

import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;

/**
 * Copies message bodies between two connections by their framing (RFC 9112 §6 and §7.1). A chunked
 * body is checked chunk by chunk as it passes: a malformed size line, a missing CRLF or an over-long
 * line stops the copy with a {@link ProtocolException}, so a smuggled second message can never slip
 * through as part of a body.
 */
public final class Bodies {
    private static final int MAX_LINE = 4096;
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private Bodies() {}

    /** Copies exactly {@code length} bytes. */
    public static long copyFixed(Conn from, Conn to, long length) throws IOException {
        byte[] chunk = new byte[16 * 1024];
        long left = length;
        while (left > 0) {
            int n = from.read(chunk, (int) Math.min(chunk.length, left));
            if (n < 0) {
                throw new EOFException("expected " + length + " body bytes but the peer closed after " + (length - left));
            }
            to.write(chunk, 0, n);
            left -= n;
        }
        return length;
    }

    /** Copies until the peer closes; returns the byte count. */
    public static long copyUntilClose(Conn from, Conn to) throws IOException {
        byte[] chunk = new byte[16 * 1024];
        long total = 0;
        for (int n; (n = from.read(chunk, chunk.length)) >= 0; ) {
            to.write(chunk, 0, n);
            total += n;
        }
        return total;
    }

    /**
     * Copies a body that ends when the peer closes (an HTTP/1.0 answer without {@code Content-Length})
     * as a chunked body, so that an HTTP/1.1 client sees where it ends and may keep its connection.
     * Each read becomes one chunk, written with one call; the last-chunk follows the peer's close.
     * Returns the data byte count.
     */
    public static long copyUntilCloseAsChunks(Conn from, Conn to) throws IOException {
        int room = 16 * 1024;
        int prefix = Integer.toHexString(room).length() + 2; // the widest size line and its CRLF
        byte[] chunk = new byte[prefix + room + 2];
        long total = 0;
        for (int n; (n = from.read(chunk, prefix, room)) >= 0; ) {
            if (n == 0) {
                continue;
            }
            byte[] size = (Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            int start = prefix - size.length;
            System.arraycopy(size, 0, chunk, start, size.length);
            chunk[prefix + n] = '\r';
            chunk[prefix + n + 1] = '\n';
            to.write(chunk, start, size.length + n + 2);
            total += n;
        }
        to.write(LAST_CHUNK);
        return total;
    }

    /**
     * Copies a chunked body with its framing and trailers; with {@code dechunk} only the data is written
     * (for an HTTP/1.0 client, whose response then ends by closing). Returns the data byte count.
     */
    public static long copyChunked(Conn from, Conn to, boolean dechunk) throws IOException {
        long total = 0;
        while (true) {
            String sizeLine = line(from);
            long size = chunkSize(sizeLine);
            if (!dechunk) {
                to.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            if (size == 0) {
                break;
            }
            copyFixed(from, to, size);
            if (!line(from).isEmpty()) {
                throw new ProtocolException("expected CRLF after " + size + " bytes of chunk data");
            }
            if (!dechunk) {
                to.write(new byte[] {'\r', '\n'});
            }
            total += size;
        }
        for (String trailer; !(trailer = line(from)).isEmpty(); ) {
            if (!dechunk) {
                to.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        if (!dechunk) {
            to.write(new byte[] {'\r', '\n'});
        }
        return total;
    }

    /** {@code 1*HEXDIG [ chunk-ext ]} (RFC 9112 §7.1); the extension is passed through but must be visible text. */
    private static long chunkSize(String line) throws ProtocolException {
        int i = 0;
        long size = 0;
        while (i < line.length() && Character.digit(line.charAt(i), 16) >= 0) {
            if (i == 15) {
                throw new ProtocolException("expected a chunk size of at most 15 hex digits in '" + line + "'");
            }
            size = size * 16 + Character.digit(line.charAt(i), 16);
            i++;
        }
        if (i == 0 || i < line.length() && line.charAt(i) != ';' && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
            throw new ProtocolException("expected a hexadecimal chunk size but the line was '" + line + "'");
        }
        for (int j = i; j < line.length(); j++) {
            char c = line.charAt(j);
            if (c < 0x20 && c != '\t' || c == 0x7F) {
                throw new ProtocolException("expected visible characters in a chunk extension");
            }
        }
        return size;
    }

    /** One CRLF-terminated line without its CRLF. */
    private static String line(Conn from) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = from.read();
            if (b < 0) {
                throw new EOFException("the peer closed in the middle of a chunked body");
            }
            if (b == '\r') {
                if (from.read() != '\n') {
                    throw new ProtocolException("expected LF after CR in a chunked body");
                }
                return line.toString();
            }
            if (b == '\n' || b == 0) {
                throw new ProtocolException("expected CRLF line endings in a chunked body");
            }
            if (line.length() == MAX_LINE) {
                throw new ProtocolException("expected chunked body lines of at most " + MAX_LINE + " bytes");
            }
            line.append((char) b);
        }
    }
}
