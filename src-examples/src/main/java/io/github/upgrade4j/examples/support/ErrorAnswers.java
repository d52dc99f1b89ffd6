package io.github.upgrade4j.examples.support;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.ResponseHead;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The example proxies' own error answers, and the request id that ties an answer to its log line.
 *
 * <p>The body of a 5xx answer is generic: which upstream failed, at what address and with what error
 * is for the proxy's log, not for every client (it would tell them the internal topology). A 4xx
 * answer keeps its explanation, since it is about the client's own request. Every answer carries an
 * {@code X-Request-Id}, the client's own when it sent one sensible value, otherwise a new one; the
 * proxy sends the same id to the upstream and starts its log line with it, so an operator can match a
 * client's report to the log, and the log to the upstream's.
 */
public final class ErrorAnswers {
    /** The request id field, toward the upstream and back to the client. */
    public static final HeaderName REQUEST_ID = HeaderName.of("X-Request-Id");
    /** The longest client-chosen request id that is kept; longer ones are replaced. */
    public static final int MAX_ID_LENGTH = 128;

    private ErrorAnswers() {}

    /**
     * The id of a request with {@code headers}: its {@code X-Request-Id} when there is exactly one, of 1
     * to {@value #MAX_ID_LENGTH} letters, digits or {@code - _ . : / + = @}; otherwise a new one.
     */
    public static String requestId(Headers headers) {
        List<String> values = headers.values(REQUEST_ID);
        if (values.size() == 1 && sensible(values.get(0))) {
            return values.get(0);
        }
        return newId();
    }

    /** A new request id: 16 random hexadecimal digits. */
    public static String newId() {
        return String.format(Locale.ROOT, "%016x", ThreadLocalRandom.current().nextLong());
    }

    private static boolean sensible(String id) {
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
                    || "-_.:/+=@".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * The body of the proxy's own answer with {@code status}: {@code detail} for a 4xx, a generic text
     * for a 5xx (the detail goes to the log only), and the request id.
     */
    public static byte[] body(int status, String detail, String requestId) {
        String text = status >= 500 ? generic(status) : detail;
        return (text + "\nrequest id: " + requestId + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String generic(int status) {
        return switch (status) {
            case 502 -> "502 Bad Gateway: the server behind this proxy could not be reached or did not answer"
                    + " correctly. Its operator can find out why in the proxy's log with the request id below.";
            case 503 -> "503 Service Unavailable: this proxy is at its limit for such connections; try again later.";
            case 504 -> "504 Gateway Timeout: the server behind this proxy did not answer in time. Its operator can"
                    + " find out why in the proxy's log with the request id below.";
            default -> status + " " + ResponseHead.reasonPhrase(status);
        };
    }

    /** The head of the proxy's own answer: plain text of {@code body}'s length, the request id, and close. */
    public static ResponseHead head(int status, byte[] body, String requestId) {
        return ResponseHead.of(status, Headers.of("Content-Type", "text/plain; charset=utf-8",
                "Content-Length", Integer.toString(body.length), REQUEST_ID.toString(), requestId,
                "Connection", "close"));
    }

    /**
     * The proxy's whole answer with {@code status}, head and body as {@link #head} and {@link #body} make
     * them, with {@code extra} name/value pairs in the head (a {@code Retry-After}, say).
     */
    public static byte[] answer(int status, String detail, String requestId, String... extra) {
        byte[] body = body(status, detail, requestId);
        ResponseHead head = head(status, body, requestId);
        if (extra.length > 0) {
            Headers.Builder fields = head.headers().toBuilder();
            for (int i = 0; i + 1 < extra.length; i += 2) {
                fields.set(HeaderName.of(extra[i]), extra[i + 1]);
            }
            head = head.withHeaders(fields.build());
        }
        byte[] bytes = Http1Writer.toBytes(head);
        byte[] answer = Arrays.copyOf(bytes, bytes.length + body.length);
        System.arraycopy(body, 0, answer, bytes.length, body.length);
        return answer;
    }

    /** {@code head} with {@code X-Request-Id: requestId} added, unless it has one (an upstream's own). */
    public static ResponseHead withRequestId(ResponseHead head, String requestId) {
        if (head.headers().contains(REQUEST_ID)) {
            return head;
        }
        return head.withHeaders(head.headers().toBuilder().add(REQUEST_ID, requestId).build());
    }
}
