package io.github.upgrade4j.http;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Limits and leniencies of an {@link Http1Parser}. Strict by default; each leniency is explicit,
 * named and narrow.
 *
 * <p>The defaults follow common servers: a head of at most 32 KiB (nginx accepts 4 × 8 KiB), a
 * start line of at most 8 KiB, at most 100 field lines (Apache httpd's {@code LimitRequestFields}).
 *
 * @param maxHeadBytes the most bytes a head may take, start line and final empty line included
 * @param maxStartLineBytes the most bytes of the request or status line, line ending excluded
 * @param maxFields the most field lines
 * @param leniencies the deviations from RFC 9112 that are accepted
 */
public record ParserOptions(int maxHeadBytes, int maxStartLineBytes, int maxFields, Set<Leniency> leniencies) {
    /**
     * The most empty lines a parser skips before a start line: before a request line always, as RFC
     * 9112 §2.2 asks of a server (a client may send a stray CRLF after a body), before a status line
     * only with {@link Leniency#EMPTY_LINES_BEFORE_STATUS_LINE}. One more is rejected as
     * {@link HeadProblem#TOO_MANY_EMPTY_LINES}, so a peer cannot keep a parser waiting on empty lines.
     * Their bytes count toward {@link #maxHeadBytes()} and {@link ParseResult.Complete#headLength()}.
     */
    public static final int MAX_EMPTY_LINES_BEFORE_START_LINE = 4;

    private static final ParserOptions STANDARD = new ParserOptions(32 * 1024, 8 * 1024, 100, Set.of());

    /** A deviation from RFC 9112 that a parser may be told to accept. */
    public enum Leniency {
        /**
         * Accept a line ending of LF alone, which RFC 9112 §2.2 permits a recipient to accept.
         *
         * <p><b>Warning: this is a request-smuggling shape.</b> With it on,
         * {@code Dummy: x\nContent-Length: 23\r\n} is two field lines, and the second frames a body of
         * 23 bytes. A peer that ends lines only at CRLF reads the same bytes as one field {@code Dummy}
         * whose value holds the LF, or rejects them; either way it sees no {@code Content-Length}. The
         * two then disagree on where the message ends, and the bytes one takes for a body the other
         * takes for the next request. So a proxy with this on must forward only heads written again by
         * {@link Http1Writer}, which ends every line with CRLF, never the bytes it received; and a server
         * should leave it off behind a proxy that is not known to reject bare LF.
         */
        LF_LINE_ENDINGS,
        /** Accept a status line without the space before an empty reason ({@code HTTP/1.1 200}). */
        STATUS_LINE_WITHOUT_REASON,
        /**
         * Skip up to {@link ParserOptions#MAX_EMPTY_LINES_BEFORE_START_LINE} empty lines before a status
         * line, as a parser always does before a request line. Some servers send a stray CRLF after a
         * body (an aiohttp bug, for one), which a strict parser takes for the start of the next response
         * and rejects as {@link HeadProblem#MALFORMED_STATUS_LINE}. An empty line is CRLF, or LF alone
         * when {@link #LF_LINE_ENDINGS} is on too.
         */
        EMPTY_LINES_BEFORE_STATUS_LINE
    }

    /**
     * Checks the limits and copies the leniencies.
     *
     * @param maxHeadBytes the most bytes a head may take, at least 16
     * @param maxStartLineBytes the most bytes of the start line, at least 14 and at most {@code maxHeadBytes}
     * @param maxFields the most field lines, at least 1
     * @param leniencies the deviations from RFC 9112 that are accepted, possibly none
     * @throws IllegalArgumentException if a limit is below its minimum or the start-line limit exceeds the
     *     head limit
     */
    public ParserOptions {
        Objects.requireNonNull(leniencies, "leniencies");
        leniencies = leniencies.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(leniencies));
        if (maxHeadBytes < 16 || maxStartLineBytes < 14 || maxFields < 1) {
            throw new IllegalArgumentException("expected maxHeadBytes >= 16, maxStartLineBytes >= 14 and maxFields >= 1"
                    + " but were " + maxHeadBytes + ", " + maxStartLineBytes + " and " + maxFields);
        }
        if (maxStartLineBytes > maxHeadBytes) {
            throw new IllegalArgumentException("expected maxStartLineBytes <= maxHeadBytes but were "
                    + maxStartLineBytes + " and " + maxHeadBytes);
        }
    }

    /** {@return the strict defaults: 32 KiB heads, 8 KiB start lines, 100 fields, no leniency} */
    public static ParserOptions standard() {
        return STANDARD;
    }

    /**
     * {@return a copy with another head limit} The start-line limit is lowered to the head limit if it
     * is above it.
     *
     * @param maxHeadBytes the most bytes a head may take, at least 16
     * @throws IllegalArgumentException if {@code maxHeadBytes} is below 16, or the start-line limit would
     *     then be below 14
     */
    public ParserOptions withMaxHeadBytes(int maxHeadBytes) {
        return new ParserOptions(maxHeadBytes, Math.min(maxStartLineBytes, maxHeadBytes), maxFields, leniencies);
    }

    /**
     * {@return a copy with another start-line limit}
     *
     * @param maxStartLineBytes the most bytes of the start line, at least 14 and at most {@link #maxHeadBytes()}
     * @throws IllegalArgumentException if {@code maxStartLineBytes} is out of that range
     */
    public ParserOptions withMaxStartLineBytes(int maxStartLineBytes) {
        return new ParserOptions(maxHeadBytes, maxStartLineBytes, maxFields, leniencies);
    }

    /**
     * {@return a copy with another field-count limit}
     *
     * @param maxFields the most field lines, at least 1
     * @throws IllegalArgumentException if {@code maxFields} is below 1
     */
    public ParserOptions withMaxFields(int maxFields) {
        return new ParserOptions(maxHeadBytes, maxStartLineBytes, maxFields, leniencies);
    }

    /**
     * {@return a copy that also accepts {@code leniency}} The leniencies accepted already stay.
     *
     * @param leniency the deviation to accept
     */
    public ParserOptions with(Leniency leniency) {
        EnumSet<Leniency> set = EnumSet.of(leniency);
        set.addAll(leniencies);
        return new ParserOptions(maxHeadBytes, maxStartLineBytes, maxFields, set);
    }

    /**
     * {@return whether {@code leniency} is accepted}
     *
     * @param leniency the deviation to ask about
     */
    public boolean allows(Leniency leniency) {
        return leniencies.contains(leniency);
    }
}
