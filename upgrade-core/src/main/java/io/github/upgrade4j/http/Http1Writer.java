package io.github.upgrade4j.http;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Serialises message heads to HTTP/1.x exactly: start line, each field line in order with its
 * name spelled as stored, and the final empty line, all with CRLF line endings (RFC 9112 §2.1).
 *
 * <p>Every char of a head is one byte (Latin-1); the model types have already rejected anything
 * that could not be written safely. A head whose version is {@link HttpVersion#HTTP_2} has no
 * HTTP/1.x form and is refused with {@link IllegalArgumentException}.
 */
public final class Http1Writer {
    private Http1Writer() {}

    /**
     * {@return the number of bytes {@link #write} puts for {@code head}}
     *
     * @param head the head to measure
     * @throws IllegalArgumentException if the head is an HTTP/2 head
     */
    public static int length(MessageHead head) {
        int n = startLineLength(head) + 2;
        Headers headers = head.headers();
        for (int i = 0; i < headers.size(); i++) {
            n += headers.name(i).toString().length() + 2 + headers.value(i).length() + 2;
        }
        return n + 2;
    }

    /**
     * Writes {@code head} into {@code dst} from its position, which advances by {@link #length}.
     *
     * @param head the head to write
     * @param dst the buffer to write into
     * @throws BufferOverflowException if {@code dst} has fewer bytes remaining than {@link #length};
     *     nothing is written then
     * @throws IllegalArgumentException if the head is an HTTP/2 head
     */
    public static void write(MessageHead head, ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        if (dst.remaining() < length(head)) {
            throw new BufferOverflowException();
        }
        if (dst.hasArray()) {
            int start = dst.arrayOffset() + dst.position();
            int end = encode(head, dst.array(), start);
            dst.position(dst.position() + end - start);
        } else {
            dst.put(toBytes(head));
        }
    }

    /**
     * Returns {@code head} as bytes, as {@link #write} would put them.
     *
     * @param head the head to write
     * @return a new array of {@link #length} bytes
     * @throws IllegalArgumentException if the head is an HTTP/2 head
     */
    public static byte[] toBytes(MessageHead head) {
        byte[] out = new byte[length(head)];
        encode(head, out, 0);
        return out;
    }

    private static int startLineLength(MessageHead head) {
        requireHttp1(head);
        if (head instanceof RequestHead request) {
            return request.method().length() + 1 + request.target().length() + 1 + 8;
        }
        ResponseHead response = (ResponseHead) head;
        return 8 + 1 + 3 + 1 + response.reason().length();
    }

    private static int encode(MessageHead head, byte[] out, int at) {
        int p = at;
        if (head instanceof RequestHead request) {
            p = put(out, p, request.method());
            out[p++] = ' ';
            p = put(out, p, request.target());
            out[p++] = ' ';
            p = put(out, p, request.version().text());
        } else {
            ResponseHead response = (ResponseHead) head;
            p = put(out, p, response.version().text());
            out[p++] = ' ';
            int status = response.status();
            out[p++] = (byte) ('0' + status / 100);
            out[p++] = (byte) ('0' + status / 10 % 10);
            out[p++] = (byte) ('0' + status % 10);
            out[p++] = ' ';
            p = put(out, p, response.reason());
        }
        out[p++] = '\r';
        out[p++] = '\n';
        Headers headers = head.headers();
        for (int i = 0; i < headers.size(); i++) {
            p = put(out, p, headers.name(i).toString());
            out[p++] = ':';
            out[p++] = ' ';
            p = put(out, p, headers.value(i));
            out[p++] = '\r';
            out[p++] = '\n';
        }
        out[p++] = '\r';
        out[p++] = '\n';
        return p;
    }

    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int) copies Latin-1 chars, which is exact here
    private static int put(byte[] out, int at, String s) {
        s.getBytes(0, s.length(), out, at);
        return at + s.length();
    }

    private static void requireHttp1(MessageHead head) {
        if (!head.version().isHttp1()) {
            throw new IllegalArgumentException("expected an HTTP/1.x head but the version was " + head.version());
        }
    }
}
