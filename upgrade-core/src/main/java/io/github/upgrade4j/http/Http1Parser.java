package io.github.upgrade4j.http;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An incremental, strict HTTP/1.x head parser (RFC 9112 §2–§5) for request heads or for response
 * heads.
 *
 * <p>Feed it bytes as they arrive, in any split, down to one byte a call. {@link #parse} consumes
 * bytes from the buffer only up to the end of the head: after a {@link ParseResult.Complete} the
 * buffer's position is the first byte behind the head, so body bytes, a pipelined request or the
 * first bytes of an upgraded protocol stay with the caller and are never lost. Until then bytes are
 * copied into an internal array that never grows past {@link ParserOptions#maxHeadBytes()}. When a
 * whole head arrives in one heap buffer, it is parsed in place without that copy.
 *
 * <p>Strict by default: obsolete line folding, whitespace before a colon, invalid name characters,
 * control characters in values, bare CR, bare LF, NUL, malformed start lines, versions other than
 * HTTP/1.0 and HTTP/1.1, over-long heads, too many fields, and an HTTP/1.1 request without exactly
 * one {@code Host} are rejected with a {@link HeadProblem}, never repaired. Up to
 * {@link ParserOptions#MAX_EMPTY_LINES_BEFORE_START_LINE} empty lines before a request line are
 * skipped (RFC 9112 §2.2), before a status line only with
 * {@link ParserOptions.Leniency#EMPTY_LINES_BEFORE_STATUS_LINE}; their bytes count toward the head.
 * Field values lose their surrounding whitespace.
 *
 * <p>After a {@code Complete} the parser is ready for the next head. After a {@code Rejected} it
 * keeps answering the same rejection until {@link #reset()}; the connection should be closed.
 * Not thread-safe: use one parser per connection.
 *
 * <p>This parser does not read bodies or decide their length; {@link BodyFraming} does.
 *
 * @param <H> {@link RequestHead} or {@link ResponseHead}
 */
public final class Http1Parser<H extends MessageHead> {
    private static final int RESPONSE_REJECTION_STATUS = 502;
    private static final ParseResult<?> NEED_MORE = new ParseResult.NeedMore<>();

    private final boolean requests;
    private final ParserOptions options;
    private final HeadScanner scanner;
    private final HeadReader reader;

    /** Bytes of an unfinished head that arrived in earlier calls; null until needed. */
    private byte @Nullable [] pending;
    private int pendingLength;
    private ParseResult.@Nullable Rejected<H> rejected;

    private Http1Parser(boolean requests, ParserOptions options) {
        this.requests = requests;
        this.options = Objects.requireNonNull(options, "options");
        this.scanner = new HeadScanner(requests, options);
        this.reader = new HeadReader(requests, options);
    }

    /** {@return a new parser of request heads with {@link ParserOptions#standard()}} */
    public static Http1Parser<RequestHead> forRequests() {
        return forRequests(ParserOptions.standard());
    }

    /**
     * {@return a new parser of request heads with {@code options}}
     *
     * @param options the limits and leniencies to apply
     */
    public static Http1Parser<RequestHead> forRequests(ParserOptions options) {
        return new Http1Parser<>(true, options);
    }

    /** {@return a new parser of response heads with {@link ParserOptions#standard()}} */
    public static Http1Parser<ResponseHead> forResponses() {
        return forResponses(ParserOptions.standard());
    }

    /**
     * {@return a new parser of response heads with {@code options}}
     *
     * @param options the limits and leniencies to apply
     */
    public static Http1Parser<ResponseHead> forResponses(ParserOptions options) {
        return new Http1Parser<>(false, options);
    }

    /** {@return the options this parser applies} */
    public ParserOptions options() {
        return options;
    }

    /**
     * Consumes bytes from {@code input}, from its position to its limit, up to the end of a head.
     *
     * @param input the bytes received and not parsed yet; its position advances past what was consumed
     * @return {@code NeedMore} when all bytes were consumed and the head is not complete,
     *     {@code Complete} with the position left just past the head, or {@code Rejected}
     */
    public ParseResult<H> parse(ByteBuffer input) {
        Objects.requireNonNull(input, "input");
        if (rejected != null) {
            return rejected;
        }
        int start = input.position();
        // A head cannot end further than one byte past the limit, so never look (or copy) beyond that.
        int budget = Math.min(input.remaining(), options.maxHeadBytes() - scanner.scanned() + 1);
        byte[] bytes;
        int from;
        if (input.hasArray()) {
            bytes = input.array();
            from = input.arrayOffset() + start;
        } else {
            bytes = reserve(budget);
            from = pendingLength;
            input.get(start, bytes, from, budget);
        }
        int end = scanner.scan(bytes, from, from + budget);
        HeadProblem problem = scanner.problem();
        if (problem != null) {
            return rejected = reject(problem, scanner.detail());
        }
        if (end >= 0) {
            return complete(input, start, bytes, from, end);
        }
        if (bytes != pending) {
            System.arraycopy(bytes, from, reserve(budget), pendingLength, budget);
        }
        pendingLength += budget;
        input.position(start + budget);
        @SuppressWarnings("unchecked")
        ParseResult<H> needMore = (ParseResult<H>) NEED_MORE;
        return needMore;
    }

    /** Forgets any partial head and any rejection, ready for a new head. */
    public void reset() {
        if (pending != null && pending.length > 4096) {
            pending = null; // do not keep a large head's array for the life of an idle connection
        }
        pendingLength = 0;
        scanner.reset();
        rejected = null;
    }

    private ParseResult<H> complete(ByteBuffer input, int start, byte[] bytes, int from, int end) {
        int consumed = end - from;
        byte[] head = bytes;
        int offset = from;
        if (bytes == pending) {
            pendingLength += consumed; // a direct buffer's bytes were copied before scanning
            offset = 0;
        } else if (pendingLength > 0) {
            System.arraycopy(bytes, from, reserve(consumed), pendingLength, consumed);
            pendingLength += consumed;
            head = pending;
            offset = 0;
        }
        input.position(start + consumed);
        MessageHead read = reader.read(head, offset, scanner.lineEnds(), scanner.lines(), scanner.sawControls());
        HeadProblem problem = reader.problem();
        if (read == null || problem != null) {
            return rejected = reject(Objects.requireNonNull(problem), reader.detail());
        }
        int length = scanner.scanned();
        reset();
        @SuppressWarnings("unchecked") // a request reader reads RequestHeads, a response reader ResponseHeads
        H typed = (H) read;
        return new ParseResult.Complete<>(typed, length);
    }

    /** The pending array with room for {@code n} more bytes; never larger than the head limit plus one. */
    private byte[] reserve(int n) {
        byte[] array = pending;
        int needed = pendingLength + n;
        if (array == null || array.length < needed) {
            int capacity = Math.min(Math.max(needed, array == null ? 256 : array.length * 2), options.maxHeadBytes() + 1);
            array = pending = array == null ? new byte[capacity] : Arrays.copyOf(array, capacity);
        }
        return array;
    }

    private ParseResult.Rejected<H> reject(HeadProblem problem, String detail) {
        return new ParseResult.Rejected<>(problem, detail, requests ? problem.status() : RESPONSE_REJECTION_STATUS);
    }
}
