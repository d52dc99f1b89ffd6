package io.github.upgrade4j.http;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The second pass of {@link Http1Parser}: reads the grammar of one complete head (RFC 9112 §3–§5)
 * whose line boundaries, line endings and limits {@link HeadScanner} has already checked, and builds
 * the head. Problems are reported in the order the lines come, so a head gets the same answer however
 * its bytes were split.
 *
 * <p>What makes it fast, each an invariant of the scanner or of the constants: a field name spelled
 * like a {@link HeaderName} constant is found by {@link KnownNames} from its bytes and shares the
 * constant (no per-byte token check: the constant's bytes are tchars); when the scanner saw no control
 * character besides CR and LF and no DEL, values and the reason phrase are valid as they stand and are
 * not checked again. Reused for every head of one parser; not thread-safe.
 */
final class HeadReader {
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte[] NO_BYTES = {};
    private static final long HTTP_1_1 = Swar.load("HTTP/1.1".getBytes(StandardCharsets.ISO_8859_1), 0);

    private final boolean requests;
    private final boolean statusWithoutReason;

    /** The head being read; dropped after each head, so that a caller's array is not kept alive. */
    private byte[] a = NO_BYTES;
    private int pos;
    /** The start line, filled by {@link #requestLine} or {@link #statusLine}. */
    private String method = "";
    private String target = "";
    private HttpVersion version = HttpVersion.HTTP_1_1;
    private int status;
    private String reason = "";
    /** The first problem found; set whenever a method returns false or null. */
    private @Nullable HeadProblem problem;
    private String detail = "";

    HeadReader(boolean requests, ParserOptions options) {
        this.requests = requests;
        this.statusWithoutReason = options.allows(ParserOptions.Leniency.STATUS_LINE_WITHOUT_REASON);
    }

    /**
     * Reads the head at {@code a[base]}: a {@link RequestHead} or a {@link ResponseHead}, or null on a
     * problem ({@link #problem()} tells which).
     *
     * @param lineEnds where each of the {@code lines} non-empty lines ends, relative to {@code base}
     * @param controls whether the head has a control character other than CR and LF, or DEL
     */
    @Nullable MessageHead read(byte[] a, int base, int[] lineEnds, int lines, boolean controls) {
        this.a = a;
        try {
            return read(base, lineEnds, lines, controls);
        } finally {
            this.a = NO_BYTES;
        }
    }

    /** The problem found by the last {@link #read}, or null. */
    @Nullable HeadProblem problem() {
        return problem;
    }

    /** What was expected and found, when {@link #problem()} is not null. */
    String detail() {
        return detail;
    }

    private @Nullable MessageHead read(int base, int[] lineEnds, int lines, boolean controls) {
        problem = null;
        pos = base;
        while (a[pos] == CR || a[pos] == LF) {
            pos++; // empty lines before the start line, already accepted by the scanner
        }
        int lineEnd = base + lineEnds[0];
        if (!(requests ? requestLine(lineEnd) : statusLine(lineEnd, controls))) {
            return null;
        }
        pos = next(lineEnd);
        int count = lines - 1;
        HeaderName[] names = new HeaderName[count];
        String[] values = new String[count];
        int hosts = 0;
        for (int i = 0; i < count; i++) {
            lineEnd = base + lineEnds[i + 1];
            HeaderName name = fieldLine(lineEnd, names, values, i, controls);
            if (name == null) {
                return null;
            }
            if (name == HeaderName.HOST || name.equals(HeaderName.HOST)) {
                hosts++;
            }
            pos = next(lineEnd);
        }
        Headers headers = new Headers(names, values, count);
        if (!requests) {
            return new ResponseHead(version, status, reason, headers);
        }
        if (version == HttpVersion.HTTP_1_1 && hosts != 1) {
            fail(HeadProblem.INVALID_HOST, "expected exactly one Host field in an HTTP/1.1 request but there were "
                    + hosts);
            return null;
        }
        return new RequestHead(method, target, version, headers);
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
            return fail(HeadProblem.MALFORMED_REQUEST_LINE, "expected a method (a token) followed by one space"
                    + " but found " + found(i, lineEnd) + " at byte " + (i - pos));
        }
        method = method(pos, i - pos);
        int targetStart = ++i;
        // The first byte that is not visible ASCII ends the target if it is SP, and is an error otherwise.
        while (i <= lineEnd - 8) {
            long mask = Swar.notVisibleAscii(Swar.load(a, i));
            if (mask != 0) {
                i += Swar.first(mask);
                break;
            }
            i += 8;
        }
        while (i < lineEnd && a[i] > 0x20 && a[i] < 0x7F) {
            i++;
        }
        if (i < lineEnd && a[i] != ' ') {
            return fail(HeadProblem.INVALID_REQUEST_TARGET, "expected a request target of visible ASCII"
                    + " characters but found " + Ascii.describe(a[i] & 0xFF) + " at byte " + (i - pos));
        }
        if (i == targetStart || i == lineEnd) {
            return fail(HeadProblem.MALFORMED_REQUEST_LINE, i == targetStart
                    ? "expected a request target after the method but found " + found(i, lineEnd)
                    : "expected ' HTTP/1.1' after the request target but the line ended");
        }
        target = new String(a, targetStart, i - targetStart, StandardCharsets.ISO_8859_1);
        return version(i + 1, lineEnd, HeadProblem.MALFORMED_REQUEST_LINE);
    }

    private boolean statusLine(int lineEnd, boolean controls) {
        int versionEnd = pos + 8;
        if (versionEnd > lineEnd) {
            return fail(HeadProblem.MALFORMED_STATUS_LINE,
                    "expected 'HTTP/1.1 ' and a status code but the line was too short: " + found(pos, lineEnd));
        }
        if (!version(pos, versionEnd, HeadProblem.MALFORMED_STATUS_LINE)) {
            return false;
        }
        int i = versionEnd;
        if (i + 4 > lineEnd || a[i] != ' ' || !isDigit(a[i + 1]) || !isDigit(a[i + 2]) || !isDigit(a[i + 3])) {
            return fail(HeadProblem.MALFORMED_STATUS_LINE,
                    "expected one space and a three-digit status code after the version but found " + found(i, lineEnd));
        }
        status = (a[i + 1] - '0') * 100 + (a[i + 2] - '0') * 10 + (a[i + 3] - '0');
        if (status < 100 || status > 599) {
            return fail(HeadProblem.MALFORMED_STATUS_LINE, "expected a status code from 100 to 599 but was " + status);
        }
        i += 4;
        if (i == lineEnd) {
            reason = "";
            return statusWithoutReason || fail(HeadProblem.MALFORMED_STATUS_LINE, "expected a space after the"
                    + " status code (before an optional reason phrase) but the line ended; allow"
                    + " Leniency.STATUS_LINE_WITHOUT_REASON to accept this");
        }
        if (a[i] != ' ') {
            return fail(HeadProblem.MALFORMED_STATUS_LINE,
                    "expected a space after the status code but found " + found(i, lineEnd));
        }
        i++;
        for (int j = i; controls && j < lineEnd; j++) {
            int c = a[j] & 0xFF;
            if (!Ascii.isFieldVchar(c) && !Ascii.isOws(c)) {
                return fail(HeadProblem.MALFORMED_STATUS_LINE,
                        "expected a reason phrase without control characters but found " + Ascii.describe(c));
            }
        }
        reason = reason(i, lineEnd);
        return true;
    }

    /** The reason phrase in {@code a[from, to)}, sharing the standard phrase of the status when it is that. */
    private String reason(int from, int to) {
        String standard = ResponseHead.reasonPhrase(status);
        int n = to - from;
        if (n != standard.length()) {
            return n == 0 ? "" : new String(a, from, n, StandardCharsets.ISO_8859_1);
        }
        for (int j = 0; j < n; j++) {
            if (a[from + j] != standard.charAt(j)) {
                return new String(a, from, n, StandardCharsets.ISO_8859_1);
            }
        }
        return standard;
    }

    private boolean version(int from, int to, HeadProblem malformed) {
        if (to - from == 8 && Swar.load(a, from) == HTTP_1_1) {
            version = HttpVersion.HTTP_1_1;
            return true;
        }
        if (to - from == 8 && a[from] == 'H' && a[from + 1] == 'T' && a[from + 2] == 'T' && a[from + 3] == 'P'
                && a[from + 4] == '/' && isDigit(a[from + 5]) && a[from + 6] == '.' && isDigit(a[from + 7])) {
            if (a[from + 5] == '1' && a[from + 7] == '0') {
                version = HttpVersion.HTTP_1_0;
                return true;
            }
            return fail(HeadProblem.UNSUPPORTED_VERSION, "expected HTTP/1.1 or HTTP/1.0 but was " + found(from, to));
        }
        return fail(malformed, "expected a version like HTTP/1.1 but found " + found(from, to));
    }

    /** Reads the field line at {@link #pos} into {@code names[index]} and {@code values[index]}. */
    private @Nullable HeaderName fieldLine(int lineEnd, HeaderName[] names, String[] values, int index,
            boolean controls) {
        if (Ascii.isOws(a[pos] & 0xFF)) {
            fail(index == 0 ? HeadProblem.WHITESPACE_AFTER_START_LINE : HeadProblem.OBSOLETE_LINE_FOLDING,
                    index == 0 ? "expected a field name but the first field line starts with whitespace"
                            : "expected a field name but the line after " + names[index - 1]
                                    + " starts with whitespace (obsolete line folding)");
            return null;
        }
        int colon = colon(pos, lineEnd);
        HeaderName name = colon > pos ? HeaderName.knownExact(a, pos, colon - pos) : null;
        if (name == null) { // not spelled like a constant: check each byte, and hash it on the way
            int hash = 0;
            colon = pos;
            while (colon < lineEnd && Ascii.tchar(a[colon])) {
                hash = 31 * hash + Ascii.lower(a[colon]);
                colon++;
            }
            if (colon == lineEnd || a[colon] != ':' || colon == pos) {
                invalidName(colon, lineEnd);
                return null;
            }
            name = HeaderName.trusted(new String(a, pos, colon - pos, StandardCharsets.ISO_8859_1), hash);
        }
        int valueStart = colon + 1;
        while (valueStart < lineEnd && Ascii.isOws(a[valueStart] & 0xFF)) {
            valueStart++;
        }
        int valueEnd = lineEnd;
        while (valueEnd > valueStart && Ascii.isOws(a[valueEnd - 1] & 0xFF)) {
            valueEnd--;
        }
        if (controls && !validValue(valueStart, valueEnd, name)) {
            return null;
        }
        names[index] = name;
        values[index] = valueEnd == valueStart ? "" : new String(a, valueStart, valueEnd - valueStart,
                StandardCharsets.ISO_8859_1);
        return name;
    }

    /** The index of the first colon in {@code a[from, to)}, or -1. */
    private int colon(int from, int to) {
        int i = from;
        for (; i <= to - 8; i += 8) {
            long mask = Swar.colons(Swar.load(a, i));
            if (mask != 0) {
                return i + Swar.first(mask);
            }
        }
        for (; i < to; i++) {
            if (a[i] == ':') {
                return i;
            }
        }
        return -1;
    }

    /** Reports the field name at {@link #pos} that ends at {@code i}, the first byte that is not a tchar. */
    private void invalidName(int i, int lineEnd) {
        if (i > pos && i < lineEnd && Ascii.isOws(a[i] & 0xFF)) {
            fail(HeadProblem.WHITESPACE_BEFORE_COLON, "expected ':' right after the field name \""
                    + ascii(pos, i) + "\" but found whitespace");
        } else {
            fail(HeadProblem.INVALID_FIELD_NAME, i == lineEnd
                    ? "expected ':' after the field name but the line ended: \"" + ascii(pos, lineEnd) + "\""
                    : "expected a field name (a token) followed by ':' but found " + Ascii.describe(a[i] & 0xFF)
                            + " at byte " + (i - pos) + " of the line");
        }
    }

    /** Whether {@code a[from, to)} has only SP, HTAB, VCHAR and obs-text (RFC 9110 §5.5). */
    private boolean validValue(int from, int to, HeaderName name) {
        int j = from;
        while (j <= to - 8 && !Swar.hasControl(Swar.load(a, j))) {
            j += 8; // eight bytes of SP, VCHAR and obs-text
        }
        for (; j < to; j++) {
            byte c = a[j];
            if (!Ascii.fieldVchar(c) && c != ' ' && c != '\t') {
                return fail(HeadProblem.INVALID_FIELD_VALUE, "expected a field value of visible characters, SP"
                        + " and HTAB but found " + Ascii.describe(c & 0xFF) + " in the value of " + name);
            }
        }
        return true;
    }

    private String method(int from, int length) {
        // The most common method shares a constant instead of allocating.
        if (length == 3 && a[from] == 'G' && a[from + 1] == 'E' && a[from + 2] == 'T') {
            return "GET";
        }
        return new String(a, from, length, StandardCharsets.ISO_8859_1);
    }

    private boolean fail(HeadProblem problem, String detail) {
        this.problem = problem;
        this.detail = detail;
        return false;
    }

    private String found(int from, int to) {
        return from >= to ? "the end of the line" : "\"" + ascii(from, Math.min(to, from + 32)) + "\"";
    }

    private String ascii(int from, int to) {
        return Ascii.printable(new String(a, from, to - from, StandardCharsets.ISO_8859_1));
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}
