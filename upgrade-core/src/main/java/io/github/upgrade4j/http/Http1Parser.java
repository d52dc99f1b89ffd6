package io.github.upgrade4j.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final int RESPONSE_REJECTION_STATUS = 502;
    private static final ParseResult<?> NEED_MORE = new ParseResult.NeedMore<>();

    private final boolean requests;
    private final ParserOptions options;
    private final boolean lfLineEndings;
    /** Whether empty lines may precede the start line: always for requests, by leniency for responses. */
    private final boolean emptyLinesBeforeStartLine;

    /** Bytes of an unfinished head that arrived in earlier calls; null until needed. */
    private byte @Nullable [] pending;
    private int pendingLength;
    /** Scanner state over all bytes of the head so far, indexed from its first byte. */
    private int scanned;
    private int lineStart;
    private int lines;
    /** Empty lines skipped before the start line so far. */
    private int emptyLines;
    /**
     * Head-relative index where each non-empty line's content ends (its CR, or its LF when bare),
     * recorded by the scanner so that the reader never looks for line ends again.
     */
    private int @Nullable [] lineEnds;
    /** Whether the last byte scanned was a CR. */
    private boolean afterCr;
    private ParseResult.@Nullable Rejected<H> rejected;

    private Http1Parser(boolean requests, ParserOptions options) {
        this.requests = requests;
        this.options = Objects.requireNonNull(options, "options");
        this.lfLineEndings = options.allows(ParserOptions.Leniency.LF_LINE_ENDINGS);
        this.emptyLinesBeforeStartLine =
                requests || options.allows(ParserOptions.Leniency.EMPTY_LINES_BEFORE_STATUS_LINE);
    }

    /** A parser of request heads with {@link ParserOptions#standard()}. */
    public static Http1Parser<RequestHead> forRequests() {
        return forRequests(ParserOptions.standard());
    }

    /** A parser of request heads with {@code options}. */
    public static Http1Parser<RequestHead> forRequests(ParserOptions options) {
        return new Http1Parser<>(true, options);
    }

    /** A parser of response heads with {@link ParserOptions#standard()}. */
    public static Http1Parser<ResponseHead> forResponses() {
        return forResponses(ParserOptions.standard());
    }

    /** A parser of response heads with {@code options}. */
    public static Http1Parser<ResponseHead> forResponses(ParserOptions options) {
        return new Http1Parser<>(false, options);
    }

    /** The options this parser applies. */
    public ParserOptions options() {
        return options;
    }

    /**
     * Consumes bytes from {@code input}, from its position to its limit, up to the end of a head.
     *
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
        int budget = Math.min(input.remaining(), options.maxHeadBytes() - scanned + 1);
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
        int end = scan(bytes, from, from + budget);
        if (rejected != null) {
            return rejected;
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
        scanned = 0;
        lineStart = 0;
        lines = 0;
        emptyLines = 0;
        afterCr = false;
        rejected = null;
    }

    /**
     * Scans {@code bytes[from, to)} for line boundaries, continuing the state of earlier calls. Only
     * line endings, NUL and the limits are checked here; the grammar of each line is read once the
     * head is complete. Returns the index just past the head's final LF, or -1 when the head goes on.
     * Sets {@link #rejected} on a problem.
     */
    private int scan(byte[] bytes, int from, int to) {
        int base = scanned - from; // the head-relative index of bytes[p] is base + p
        int lineBegin = lineStart;
        int lineCount = lines;
        boolean cr = afterCr;
        // Bytes at head index maxHeadBytes and beyond are never scanned: they make the head too large.
        int end = Math.min(to, options.maxHeadBytes() - base);
        // While in the start line, an ordinary byte at this array index makes the line too long.
        int startLineLimit = lineCount == 0 ? lineBegin + options.maxStartLineBytes() - base : Integer.MAX_VALUE;
        int[] ends = lineEnds;
        if (ends == null) {
            ends = lineEnds = new int[options.maxFields() + 1];
        }
        for (int p = from; p < end; p++) {
            if (!cr) { // skip eight ordinary bytes at a time, never past the start line's limit
                for (int stop = Math.min(end, startLineLimit) - 7; p < stop && !Swar.hasLineByte(Swar.load(bytes, p)); ) {
                    p += 8;
                }
                if (p == end) {
                    break;
                }
            }
            byte b = bytes[p];
            if (b > CR || b != LF && b != CR && b != 0) {
                if (cr) {
                    return fail(HeadProblem.BARE_CR, "expected LF after CR but found " + Ascii.describe(b & 0xFF)
                            + " at byte " + (base + p));
                }
                if (p >= startLineLimit) {
                    return startLineTooLong();
                }
                continue;
            }
            int index = base + p;
            if (cr && b != LF) {
                return fail(HeadProblem.BARE_CR, "expected LF after CR but found " + Ascii.describe(b & 0xFF)
                        + " at byte " + index);
            }
            if (b == CR) {
                cr = true;
                continue;
            }
            if (b == 0) {
                return fail(HeadProblem.NUL_BYTE, "expected no NUL byte but found one at byte " + index);
            }
            if (!cr && !lfLineEndings) {
                return fail(HeadProblem.BARE_LF, "expected CRLF but found a bare LF at byte " + index);
            }
            boolean cr0 = cr;
            int contentLength = index - lineBegin - (cr ? 1 : 0);
            cr = false;
            if (contentLength == 0 && lineCount == 0) { // only ever at the start of a message
                if (!emptyLinesBeforeStartLine) {
                    return fail(HeadProblem.MALFORMED_STATUS_LINE, "expected a status line but the head starts"
                            + " with an empty line; allow Leniency.EMPTY_LINES_BEFORE_STATUS_LINE to skip it");
                }
                if (++emptyLines > ParserOptions.MAX_EMPTY_LINES_BEFORE_START_LINE) {
                    return fail(HeadProblem.TOO_MANY_EMPTY_LINES, "expected at most "
                            + ParserOptions.MAX_EMPTY_LINES_BEFORE_START_LINE + " empty lines before the "
                            + (requests ? "request" : "status") + " line but there were more");
                }
                lineBegin = index + 1; // RFC 9112 §2.2: skip empty lines before a request line
                startLineLimit = lineBegin + options.maxStartLineBytes() - base;
                continue;
            }
            if (contentLength == 0) {
                scanned = index + 1;
                lines = lineCount;
                return p + 1;
            }
            if (lineCount <= options.maxFields()) {
                ends[lineCount] = index - (cr0 ? 1 : 0);
            }
            if (++lineCount - 1 > options.maxFields()) {
                return fail(HeadProblem.TOO_MANY_FIELDS, "expected at most " + options.maxFields()
                        + " field lines but there were more");
            }
            lineBegin = index + 1;
            startLineLimit = Integer.MAX_VALUE;
        }
        if (end < to) {
            return headTooLarge(lineCount);
        }
        scanned = base + to;
        lineStart = lineBegin;
        lines = lineCount;
        afterCr = cr;
        return -1;
    }

    private int startLineTooLong() {
        return requests
                ? fail(HeadProblem.REQUEST_LINE_TOO_LONG, "expected a request line of at most "
                        + options.maxStartLineBytes() + " bytes but it was longer")
                : fail(HeadProblem.MALFORMED_STATUS_LINE, "expected a status line of at most "
                        + options.maxStartLineBytes() + " bytes but it was longer");
    }

    private int headTooLarge(int lineCount) {
        return lineCount == 0 && requests
                ? startLineTooLong()
                : fail(HeadProblem.HEAD_TOO_LARGE, "expected a head of at most " + options.maxHeadBytes()
                        + " bytes but it was longer");
    }

    private int fail(HeadProblem problem, String detail) {
        rejected = reject(problem, detail);
        return -1;
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
        ParseResult<H> result = new HeadReader(Objects.requireNonNull(head), offset).read(scanned);
        if (result instanceof ParseResult.Rejected<H> r) {
            rejected = r;
        } else {
            reset();
        }
        return result;
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

    /** Reads the grammar of one complete head whose line endings the scanner has already checked. */
    private final class HeadReader {
        private final byte[] a;
        /** The array index of the head's first byte; line ends are recorded relative to it. */
        private final int base;
        private int pos;
        /** The start line, filled by {@link #requestLine} or {@link #statusLine}. */
        private String method = "";
        private String target = "";
        private HttpVersion version = HttpVersion.HTTP_1_1;
        private int status;
        private String reason = "";
        /** The first problem found; set whenever a method returns false. */
        private ParseResult.@Nullable Rejected<H> problem;

        HeadReader(byte[] a, int start) {
            this.a = a;
            this.base = start;
            this.pos = start;
        }

        ParseResult<H> read(int headLength) {
            while (a[pos] == CR || a[pos] == LF) {
                pos++; // empty lines before the start line, already accepted by the scanner
            }
            int[] ends = Objects.requireNonNull(lineEnds);
            int lineEnd = base + ends[0];
            if (!(requests ? requestLine(lineEnd) : statusLine(lineEnd))) {
                return Objects.requireNonNull(problem);
            }
            pos = next(lineEnd);
            HeaderName[] names = new HeaderName[Math.min(lines, options.maxFields())];
            String[] values = new String[names.length];
            int count = 0;
            int hosts = 0;
            for (int line = 1; line < lines; line++) {
                lineEnd = base + ends[line];
                ParseResult.@Nullable Rejected<H> problem = fieldLine(lineEnd, count == 0, names, values, count);
                if (problem != null) {
                    return problem;
                }
                if (names[count] == HeaderName.HOST || names[count].equals(HeaderName.HOST)) {
                    hosts++;
                }
                count++;
                pos = next(lineEnd);
            }
            Headers headers = new Headers(names, values, count);
            H head;
            if (requests) {
                if (version == HttpVersion.HTTP_1_1 && hosts != 1) {
                    return reject(HeadProblem.INVALID_HOST, "expected exactly one Host field in an HTTP/1.1 request "
                            + "but there were " + hosts);
                }
                @SuppressWarnings("unchecked")
                H request = (H) new RequestHead(method, target, version, headers);
                head = request;
            } else {
                @SuppressWarnings("unchecked")
                H response = (H) new ResponseHead(version, status, reason, headers);
                head = response;
            }
            return new ParseResult.Complete<>(head, headLength);
        }

        /** The start of the line after the one ending at {@code lineEnd}. */
        private int next(int lineEnd) {
            return a[lineEnd] == CR ? lineEnd + 2 : lineEnd + 1;
        }

        private boolean requestLine(int lineEnd) {
            int i = pos;
            while (i < lineEnd && Ascii.tchar(a[i])) {
                i++;
            }
            if (i == pos || i == lineEnd || a[i] != ' ') {
                return fail(reject(HeadProblem.MALFORMED_REQUEST_LINE, "expected a method (a token) "
                        + "followed by one space but found " + found(i, lineEnd) + " at byte " + (i - pos)));
            }
            method = method(pos, i - pos);
            int targetStart = ++i;
            while (i < lineEnd && a[i] != ' ') {
                int c = a[i] & 0xFF;
                if (c < 0x21 || c > 0x7E) {
                    return fail(reject(HeadProblem.INVALID_REQUEST_TARGET, "expected a request target of"
                            + " visible ASCII characters but found " + Ascii.describe(c) + " at byte " + (i - pos)));
                }
                i++;
            }
            if (i == targetStart || i == lineEnd) {
                return fail(reject(HeadProblem.MALFORMED_REQUEST_LINE, i == targetStart
                        ? "expected a request target after the method but found " + found(i, lineEnd)
                        : "expected ' HTTP/1.1' after the request target but the line ended"));
            }
            target = new String(a, targetStart, i - targetStart, StandardCharsets.ISO_8859_1);
            return version(i + 1, lineEnd, HeadProblem.MALFORMED_REQUEST_LINE);
        }

        private boolean statusLine(int lineEnd) {
            int versionEnd = pos + 8;
            if (versionEnd > lineEnd) {
                return fail(reject(HeadProblem.MALFORMED_STATUS_LINE,
                        "expected 'HTTP/1.1 ' and a status code but the line was too short: " + found(pos, lineEnd)));
            }
            if (!version(pos, versionEnd, HeadProblem.MALFORMED_STATUS_LINE)) {
                return false;
            }
            int i = versionEnd;
            if (i + 4 > lineEnd || a[i] != ' ' || !isDigit(a[i + 1]) || !isDigit(a[i + 2]) || !isDigit(a[i + 3])) {
                return fail(reject(HeadProblem.MALFORMED_STATUS_LINE,
                        "expected one space and a three-digit status code after the version but found "
                                + found(i, lineEnd)));
            }
            status = (a[i + 1] - '0') * 100 + (a[i + 2] - '0') * 10 + (a[i + 3] - '0');
            if (status < 100 || status > 599) {
                return fail(reject(HeadProblem.MALFORMED_STATUS_LINE,
                        "expected a status code from 100 to 599 but was " + status));
            }
            i += 4;
            if (i == lineEnd) {
                if (options.allows(ParserOptions.Leniency.STATUS_LINE_WITHOUT_REASON)) {
                    return true;
                }
                return fail(reject(HeadProblem.MALFORMED_STATUS_LINE, "expected a space after the status "
                        + "code (before an optional reason phrase) but the line ended; allow "
                        + "Leniency.STATUS_LINE_WITHOUT_REASON to accept this"));
            }
            if (a[i] != ' ') {
                return fail(reject(HeadProblem.MALFORMED_STATUS_LINE,
                        "expected a space after the status code but found " + found(i, lineEnd)));
            }
            i++;
            for (int j = i; j < lineEnd; j++) {
                int c = a[j] & 0xFF;
                if (!Ascii.isFieldVchar(c) && !Ascii.isOws(c)) {
                    return fail(reject(HeadProblem.MALFORMED_STATUS_LINE,
                            "expected a reason phrase without control characters but found " + Ascii.describe(c)));
                }
            }
            reason = i == lineEnd ? "" : new String(a, i, lineEnd - i, StandardCharsets.ISO_8859_1);
            return true;
        }

        private boolean version(int from, int to, HeadProblem malformed) {
            if (to - from == 8 && a[from] == 'H' && a[from + 1] == 'T' && a[from + 2] == 'T' && a[from + 3] == 'P'
                    && a[from + 4] == '/' && isDigit(a[from + 5]) && a[from + 6] == '.' && isDigit(a[from + 7])) {
                if (a[from + 5] == '1' && (a[from + 7] == '1' || a[from + 7] == '0')) {
                    version = a[from + 7] == '1' ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
                    return true;
                }
                return fail(reject(HeadProblem.UNSUPPORTED_VERSION,
                        "expected HTTP/1.1 or HTTP/1.0 but was " + found(from, to)));
            }
            return fail(reject(malformed, "expected a version like HTTP/1.1 but found " + found(from, to)));
        }

        private boolean fail(ParseResult.Rejected<H> rejection) {
            problem = rejection;
            return false;
        }

        private ParseResult.@Nullable Rejected<H> fieldLine(
                int lineEnd, boolean first, HeaderName[] names, String[] values, int index) {
            int c0 = a[pos] & 0xFF;
            if (Ascii.isOws(c0)) {
                return first
                        ? reject(HeadProblem.WHITESPACE_AFTER_START_LINE,
                                "expected a field name but the first field line starts with whitespace")
                        : reject(HeadProblem.OBSOLETE_LINE_FOLDING, "expected a field name but the line after "
                                + names[index - 1] + " starts with whitespace (obsolete line folding)");
            }
            int i = pos;
            while (i < lineEnd && Ascii.tchar(a[i])) {
                i++;
            }
            if (i == lineEnd || a[i] != ':' || i == pos) {
                if (i > pos && i < lineEnd && Ascii.isOws(a[i] & 0xFF)) {
                    return reject(HeadProblem.WHITESPACE_BEFORE_COLON, "expected ':' right after the field name \""
                            + ascii(pos, i) + "\" but found whitespace");
                }
                return reject(HeadProblem.INVALID_FIELD_NAME, i == lineEnd
                        ? "expected ':' after the field name but the line ended: \"" + ascii(pos, lineEnd) + "\""
                        : "expected a field name (a token) followed by ':' but found " + Ascii.describe(a[i] & 0xFF)
                                + " at byte " + (i - pos) + " of the line");
            }
            HeaderName name = HeaderName.knownExact(a, pos, i - pos);
            if (name == null) {
                name = HeaderName.trusted(new String(a, pos, i - pos, StandardCharsets.ISO_8859_1));
            }
            int valueStart = i + 1;
            while (valueStart < lineEnd && Ascii.isOws(a[valueStart] & 0xFF)) {
                valueStart++;
            }
            int valueEnd = lineEnd;
            while (valueEnd > valueStart && Ascii.isOws(a[valueEnd - 1] & 0xFF)) {
                valueEnd--;
            }
            int j = valueStart;
            while (j <= valueEnd - 8 && !Swar.hasControl(Swar.load(a, j))) {
                j += 8; // eight bytes of SP, VCHAR and obs-text
            }
            for (; j < valueEnd; j++) {
                byte c = a[j];
                if (!Ascii.fieldVchar(c) && c != ' ' && c != '\t') {
                    return reject(HeadProblem.INVALID_FIELD_VALUE, "expected a field value of visible characters, SP"
                            + " and HTAB but found " + Ascii.describe(c & 0xFF) + " in the value of " + name);
                }
            }
            names[index] = name;
            values[index] = valueEnd == valueStart ? "" : new String(a, valueStart, valueEnd - valueStart,
                    StandardCharsets.ISO_8859_1);
            return null;
        }

        private String method(int from, int length) {
            // The most common method shares a constant instead of allocating.
            if (length == 3 && a[from] == 'G' && a[from + 1] == 'E' && a[from + 2] == 'T') {
                return "GET";
            }
            return new String(a, from, length, StandardCharsets.ISO_8859_1);
        }

        private String found(int from, int to) {
            return from >= to ? "the end of the line" : "\"" + ascii(from, Math.min(to, from + 32)) + "\"";
        }

        private String ascii(int from, int to) {
            return Ascii.printable(new String(a, from, to - from, StandardCharsets.ISO_8859_1));
        }
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}
