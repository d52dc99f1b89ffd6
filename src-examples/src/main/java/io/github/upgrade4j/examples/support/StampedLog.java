package io.github.upgrade4j.examples.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;

/**
 * A log stream for the long-running commands: every complete line written to it comes out on the
 * target with the time it was completed, in {@link Format#TEXT} as {@code 2026-12-06T05:40:01.123Z
 * listening on 127.0.0.1:8080}, in {@link Format#JSON} as {@code {"time":"2026-12-06T05:40:01.123Z",
 * "message":"listening on 127.0.0.1:8080"}}. The servers log with {@code println} and need not know.
 *
 * <p>Thread-safe: a line is stamped and written whole, so lines written at once from several threads
 * through one {@link PrintStream} never mix. A line still open when the stream is closed is written
 * then; {@link #flush()} does not end a line. Bytes are read as UTF-8, the encoding of the stream that
 * {@link #stream} makes; a trailing CR is dropped. JSON escapes every non-ASCII character, so a line
 * stays valid JSON whatever the target's encoding.
 */
public final class StampedLog extends OutputStream {
    /** How lines are written. */
    public enum Format {
        /** The time (UTC, ISO 8601, milliseconds), a space, the line. */
        TEXT,
        /** One JSON object per line: {@code time} and {@code message}. */
        JSON
    }

    /** ISO 8601 in UTC with exactly three fraction digits ({@code ISO_INSTANT} drops zero fractions). */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private final PrintStream target;
    private final Format format;
    private final Clock clock;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    /** Stamps lines for {@code target} in {@code format}, with the time from {@code clock}. */
    public StampedLog(PrintStream target, Format format, Clock clock) {
        this.target = Objects.requireNonNull(target, "target");
        this.format = Objects.requireNonNull(format, "format");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A UTF-8 {@link PrintStream} whose lines reach {@code target} stamped with the current time. */
    public static PrintStream stream(PrintStream target, Format format) {
        return new PrintStream(new StampedLog(target, format, Clock.systemUTC()), true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            emit();
        } else {
            line.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        int start = offset;
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] == '\n') {
                line.write(bytes, start, i - start);
                emit();
                start = i + 1;
            }
        }
        line.write(bytes, start, offset + length - start);
    }

    @Override
    public void flush() {
        target.flush();
    }

    /** Writes a line still open, then flushes the target; the target stays open. */
    @Override
    public synchronized void close() {
        if (line.size() > 0) {
            emit();
        }
        target.flush();
    }

    private void emit() {
        String message = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (message.endsWith("\r")) {
            message = message.substring(0, message.length() - 1);
        }
        String time = TIME.format(clock.instant());
        target.println(format == Format.TEXT ? (message.isEmpty() ? time : time + " " + message) : json(time, message));
    }

    private static String json(String time, String message) {
        try {
            return JSON.writeValueAsString(JSON.createObjectNode().put("time", time).put("message", message));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // two strings always serialise
        }
    }
}
