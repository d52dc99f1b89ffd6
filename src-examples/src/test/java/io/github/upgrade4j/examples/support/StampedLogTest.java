package io.github.upgrade4j.examples.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every complete line gets the time in front, whole, in text or as one JSON object. */
class StampedLogTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-06T05:40:01.123456Z"), ZoneOffset.UTC);
    private static final Pattern ISO_MILLIS = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");

    private final ByteArrayOutputStream target = new ByteArrayOutputStream();

    private PrintStream log(StampedLog.Format format, Clock clock) {
        return new PrintStream(new StampedLog(new PrintStream(target, true, StandardCharsets.UTF_8), format, clock), true,
                StandardCharsets.UTF_8);
    }

    private String written() {
        return target.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aTextLineStartsWithTheUtcTimeToTheMillisecond() {
        log(StampedLog.Format.TEXT, CLOCK).println("listening on 127.0.0.1:8080");

        assertEquals("2026-12-06T05:40:01.123Z listening on 127.0.0.1:8080\n", written());
    }

    @Test
    void aWholeSecondStillHasThreeFractionDigits() {
        log(StampedLog.Format.TEXT, Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC)).println("x");

        assertEquals("2026-01-02T03:04:05.000Z x\n", written());
    }

    @Test
    void aLineIsStampedWhenItEndsHoweverItIsWritten() throws IOException {
        PrintStream log = log(StampedLog.Format.TEXT, CLOCK);
        log.print("one ");
        log.flush();
        assertEquals("", written(), "flush does not end a line");
        log.print("line\ntwo\r\n\nthree\nfour");
        log.write('\n');
        log.write("five\nsi".getBytes(StandardCharsets.UTF_8));
        log.close();

        assertEquals("""
                2026-12-06T05:40:01.123Z one line
                2026-12-06T05:40:01.123Z two
                2026-12-06T05:40:01.123Z
                2026-12-06T05:40:01.123Z three
                2026-12-06T05:40:01.123Z four
                2026-12-06T05:40:01.123Z five
                2026-12-06T05:40:01.123Z si
                """, written());
    }

    @Test
    void aJsonLineIsOneObjectWithTimeAndMessageThatJacksonReadsBack() throws IOException {
        String message = "GET /caf\u00e9 \"quoted\" \\ tab\tbell\u0007 -> 101 tunnel \u2028 \ud83d\ude00";
        log(StampedLog.Format.JSON, CLOCK).println(message);

        String line = written();
        assertTrue(line.endsWith("}\n") && line.indexOf('\n') == line.length() - 1, line);
        assertTrue(line.chars().allMatch(c -> c >= 0x20 && c < 0x7f || c == '\n'), "ASCII only: " + line);
        JsonNode json = new JsonMapper().readTree(line);
        assertEquals(Set.of("time", "message"), fieldNames(json));
        assertEquals("2026-12-06T05:40:01.123Z", json.get("time").asText());
        assertEquals(message, json.get("message").asText());
    }

    @Test
    void linesFromManyThreadsAtOnceComeOutWholeEachStamped() throws Exception {
        PrintStream log = log(StampedLog.Format.TEXT, Clock.systemUTC());
        int threads = 8;
        int lines = 500;
        String payload = "x".repeat(9000); // longer than PrintStream's internal buffers, so written in pieces
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread writer = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < lines; i++) {
                    log.println("writer " + id + " line " + i + " " + payload);
                }
            });
            writer.start();
            writers.add(writer);
        }
        start.countDown();
        for (Thread writer : writers) {
            writer.join();
        }

        String[] written = written().split("\n", -1);
        assertEquals(threads * lines + 1, written.length);
        assertEquals("", written[threads * lines]);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < threads * lines; i++) {
            String line = written[i];
            assertTrue(ISO_MILLIS.matcher(line.substring(0, 24)).matches(), line.substring(0, 40));
            assertTrue(line.endsWith(" " + payload), "whole line " + i);
            seen.add(line.substring(25, line.length() - payload.length() - 1));
        }
        assertEquals(threads * lines, seen.size(), "every line once");
    }

    private static Set<String> fieldNames(JsonNode json) {
        Set<String> names = new HashSet<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
