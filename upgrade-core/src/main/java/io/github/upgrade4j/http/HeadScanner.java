package io.github.upgrade4j.http;

import org.jspecify.annotations.Nullable;

/**
 * The first pass of {@link Http1Parser}: finds the line boundaries of a head as its bytes arrive, in
 * any split, and checks what can be checked before the head is whole: line endings (RFC 9112 §2.2),
 * NUL, the empty lines before the start line, and the limits of {@link ParserOptions}. The grammar of
 * each line is left to {@link HeadReader}, once the head is complete.
 *
 * <p>State is carried across calls in head-relative indexes (0 is the head's first byte), because the
 * bytes of one head may sit in several arrays over its calls. Not thread-safe; {@link #reset()} before
 * a new head.
 */
final class HeadScanner {
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final boolean requests;
    private final ParserOptions options;
    private final boolean lfLineEndings;
    /** Whether empty lines may precede the start line: always for requests, by leniency for responses. */
    private final boolean emptyLinesBeforeStartLine;
    /**
     * Head-relative index where each non-empty line's content ends (its CR, or its LF when bare), so
     * that the reader never looks for line ends again. Entry 0 is the start line.
     */
    private final int[] lineEnds;

    /** Head-relative index of the next byte to scan. */
    private int scanned;
    private int lineStart;
    /** Non-empty lines ended so far, the start line included. */
    private int lines;
    /** Empty lines skipped before the start line so far. */
    private int emptyLines;
    /** Whether the last byte scanned was a CR. */
    private boolean afterCr;
    /** Whether a control character other than CR and LF, or DEL, was seen: only then must the reader look. */
    private boolean controls;
    private @Nullable HeadProblem problem;
    private String detail = "";

    HeadScanner(boolean requests, ParserOptions options) {
        this.requests = requests;
        this.options = options;
        this.lfLineEndings = options.allows(ParserOptions.Leniency.LF_LINE_ENDINGS);
        this.emptyLinesBeforeStartLine =
                requests || options.allows(ParserOptions.Leniency.EMPTY_LINES_BEFORE_STATUS_LINE);
        this.lineEnds = new int[options.maxFields() + 1];
    }

    /**
     * Scans {@code bytes[from, to)}, continuing the state of earlier calls. Returns the index just past
     * the head's final LF, or -1 when the head goes on or on a problem ({@link #problem()} tells which).
     */
    int scan(byte[] bytes, int from, int to) {
        int base = scanned - from; // the head-relative index of bytes[p] is base + p
        int lineBegin = lineStart;
        int lineCount = lines;
        boolean cr = afterCr;
        // Bytes at head index maxHeadBytes and beyond are never scanned: they make the head too large.
        int end = Math.min(to, options.maxHeadBytes() - base);
        // While in the start line, an ordinary byte at this array index makes the line too long.
        int startLineLimit = lineCount == 0 ? lineBegin + options.maxStartLineBytes() - base : Integer.MAX_VALUE;
        int p = from;
        while (p < end) {
            if (!cr) {
                // Go straight to the next control byte (CR, LF, NUL, HTAB...), eight bytes at a time.
                int limit = Math.min(end, startLineLimit);
                while (p <= limit - 8) {
                    long mask = Swar.controls(Swar.load(bytes, p));
                    if (mask != 0) {
                        p += Swar.first(mask);
                        break;
                    }
                    p += 8;
                }
                while (p < limit && !isControl(bytes[p])) {
                    p++;
                }
                if (p == end) {
                    break;
                }
            }
            byte b = bytes[p];
            int index = base + p;
            if (cr && b != LF) {
                return fail(HeadProblem.BARE_CR, "expected LF after CR but found " + Ascii.describe(b & 0xFF)
                        + " at byte " + index);
            }
            if (b != CR && b != LF && b != 0) {
                if (p >= startLineLimit) {
                    return startLineTooLong();
                }
                controls = true; // HTAB, another control character or DEL, for the reader to judge
                p++;
                continue;
            }
            if (b == CR) {
                cr = true;
                p++;
                continue;
            }
            if (b == 0) {
                return fail(HeadProblem.NUL_BYTE, "expected no NUL byte but found one at byte " + index);
            }
            if (!cr && !lfLineEndings) {
                return fail(HeadProblem.BARE_LF, "expected CRLF but found a bare LF at byte " + index);
            }
            int contentEnd = cr ? index - 1 : index;
            cr = false;
            p++;
            if (contentEnd == lineBegin && lineCount == 0) { // only ever at the start of a message
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
            if (contentEnd == lineBegin) {
                scanned = index + 1;
                lines = lineCount;
                return p;
            }
            if (lineCount > options.maxFields()) {
                return fail(HeadProblem.TOO_MANY_FIELDS, "expected at most " + options.maxFields()
                        + " field lines but there were more");
            }
            lineEnds[lineCount++] = contentEnd;
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

    /** Forgets the partial head and any problem. */
    void reset() {
        scanned = 0;
        lineStart = 0;
        lines = 0;
        emptyLines = 0;
        afterCr = false;
        controls = false;
        problem = null;
        detail = "";
    }

    /** Head-relative bytes scanned so far; after a complete head, the head's length. */
    int scanned() {
        return scanned;
    }

    /** How many non-empty lines the complete head has, the start line included. */
    int lines() {
        return lines;
    }

    /** Where each line's content ends, head-relative; see {@link #lines()}. */
    int[] lineEnds() {
        return lineEnds;
    }

    /** Whether the head has a control character other than CR and LF, or DEL, anywhere. */
    boolean sawControls() {
        return controls;
    }

    /** The problem found by the last {@link #scan}, or null. */
    @Nullable HeadProblem problem() {
        return problem;
    }

    /** What was expected and found, when {@link #problem()} is not null. */
    String detail() {
        return detail;
    }

    /** Whether {@code b} is a byte {@link Swar#controls} marks. */
    private static boolean isControl(byte b) {
        return (b & 0xFF) < 0x20 || b == 0x7F;
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
        this.problem = problem;
        this.detail = detail;
        return -1;
    }
}
