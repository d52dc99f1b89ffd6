package io.github.upgrade4j.examples.support;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;

/**
 * Copies message bodies by their framing (RFC 9112 §6 and §7.1), from a {@link HeadReader} (or any
 * buffered {@link InputStream}) to an {@link OutputStream}, or between two {@link Conn}s. Every
 * program in the examples that relays a body uses these, so there is one chunked-body decoder.
 *
 * <p>A chunked body is checked chunk by chunk as it passes: a malformed or over-long size line, a
 * size that does not fit a {@code long}, a missing CRLF, a bare CR or LF or a NUL stops the copy with
 * a {@link ProtocolException}, so a smuggled second message can never slip through as part of a
 * body; the stream then sits somewhere inside the body and the connection must be closed. An early
 * end of the stream is an {@link EOFException}. Neither leaves bytes read past the body's end:
 * the source is read exactly up to it, so a pipelined next message stays for its reader.
 *
 * <p>It does not flush the sink, close either side, or enforce a size limit on a whole body.
 */
public final class Bodies {
    /** The longest chunk size line or trailer line (without its CRLF). */
    static final int MAX_LINE = 4096;
    private static final int COPY_SIZE = 16 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private Bodies() {}

    /** Copies exactly {@code length} bytes; returns {@code length}. */
    public static long copyFixed(InputStream from, OutputStream to, long length) throws IOException {
        byte[] chunk = new byte[(int) Math.min(COPY_SIZE, Math.max(length, 1))];
        long left = length;
        while (left > 0) {
            int n = from.read(chunk, 0, (int) Math.min(chunk.length, left));
            if (n < 0) {
                throw new EOFException("expected " + length + " body bytes but the peer closed after " + (length - left));
            }
            to.write(chunk, 0, n);
            left -= n;
        }
        return length;
    }

    /** Copies until the end of the stream; returns the byte count. */
    public static long copyUntilClose(InputStream from, OutputStream to) throws IOException {
        byte[] chunk = new byte[COPY_SIZE];
        long total = 0;
        for (int n; (n = from.read(chunk, 0, chunk.length)) >= 0; ) {
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
    public static long copyUntilCloseAsChunks(InputStream from, OutputStream to) throws IOException {
        int prefix = Integer.toHexString(COPY_SIZE).length() + 2; // the widest size line and its CRLF
        byte[] chunk = new byte[prefix + COPY_SIZE + 2];
        long total = 0;
        for (int n; (n = from.read(chunk, prefix, COPY_SIZE)) >= 0; ) {
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
     * Copies a chunked body up to and including its final CRLF. With {@code dechunk} only the data is
     * written and the trailer fields are dropped (for an HTTP/1.0 client, whose response then ends by
     * closing, or a container that frames the body itself); without, the framing goes along as
     * received: size lines with their extensions, data, CRLFs and trailer fields. Returns the data
     * byte count.
     *
     * <p>{@code from} is read one byte at a time through the size and trailer lines: give it a
     * {@link HeadReader}, not a bare socket stream.
     */
    public static long copyChunked(InputStream from, OutputStream to, boolean dechunk) throws IOException {
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
                to.write(CRLF);
            }
            total += size;
        }
        for (String trailer; !(trailer = line(from)).isEmpty(); ) {
            if (!dechunk) {
                to.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        if (!dechunk) {
            to.write(CRLF);
        }
        return total;
    }

    /** {@link #copyFixed(InputStream, OutputStream, long)} between two connections. */
    public static long copyFixed(Conn from, Conn to, long length) throws IOException {
        return copyFixed(source(from), sink(to), length);
    }

    /** {@link #copyUntilClose(InputStream, OutputStream)} between two connections. */
    public static long copyUntilClose(Conn from, Conn to) throws IOException {
        return copyUntilClose(source(from), sink(to));
    }

    /** {@link #copyUntilCloseAsChunks(InputStream, OutputStream)} between two connections. */
    public static long copyUntilCloseAsChunks(Conn from, Conn to) throws IOException {
        return copyUntilCloseAsChunks(source(from), sink(to));
    }

    /** {@link #copyChunked(InputStream, OutputStream, boolean)} between two connections. */
    public static long copyChunked(Conn from, Conn to, boolean dechunk) throws IOException {
        return copyChunked(source(from), sink(to), dechunk);
    }

    /**
     * {@code chunk-size [ chunk-ext ]} (RFC 9112 §7.1, §7.1.1): one or more hex digits, leading zeros
     * allowed, the value below 2^63; then nothing, or optional whitespace and a {@code ;} that starts
     * the extensions, which are passed through but must be visible text, spaces and tabs.
     */
    static long chunkSize(String line) throws ProtocolException {
        int i = 0;
        long size = 0;
        for (int digit; i < line.length() && (digit = hexDigit(line.charAt(i))) >= 0; i++) {
            if (size > Long.MAX_VALUE >>> 4) {
                throw new ProtocolException("expected a chunk size below 2^63 but the line was '" + line + "'");
            }
            size = size << 4 | digit;
        }
        int ext = i;
        while (ext < line.length() && (line.charAt(ext) == ' ' || line.charAt(ext) == '\t')) {
            ext++; // BWS, allowed only before a ';'
        }
        if (i == 0 || i < line.length() && (ext == line.length() || line.charAt(ext) != ';')) {
            throw new ProtocolException("expected a hexadecimal chunk size but the line was '" + line + "'");
        }
        for (int j = ext; j < line.length(); j++) {
            char c = line.charAt(j);
            if (c < 0x20 && c != '\t' || c == 0x7F) {
                throw new ProtocolException("expected visible characters in a chunk extension but found 0x"
                        + Integer.toHexString(c));
            }
        }
        return size;
    }

    /** {@code HEXDIG} (RFC 5234 §B.1, case-insensitive as every ABNF literal); -1 for anything else. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        char lower = (char) (c | 0x20);
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

    /** One CRLF-terminated line without its CRLF, of at most {@link #MAX_LINE} bytes. */
    private static String line(InputStream from) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = from.read();
            if (b < 0) {
                throw new EOFException("the peer closed in the middle of a chunked body");
            }
            if (b == '\r') {
                int next = from.read();
                if (next != '\n') {
                    throw next < 0 ? new EOFException("the peer closed in the middle of a chunked body")
                            : new ProtocolException("expected LF after CR in a chunked body");
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

    /** {@code conn}'s buffered reads as a stream; the connection is not closed with it. */
    static InputStream source(Conn conn) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                return conn.read();
            }

            @Override
            public int read(byte[] dst, int off, int len) throws IOException {
                return len == 0 ? 0 : conn.read(dst, off, len);
            }
        };
    }

    /** Writes to {@code conn}; the connection is not closed with it. */
    static OutputStream sink(Conn conn) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                conn.write(new byte[] {(byte) b});
            }

            @Override
            public void write(byte[] bytes, int off, int len) throws IOException {
                conn.write(bytes, off, len);
            }
        };
    }
}
