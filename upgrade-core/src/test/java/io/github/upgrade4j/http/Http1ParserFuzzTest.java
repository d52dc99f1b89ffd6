package io.github.upgrade4j.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.upgrade4j.http.ParserOptions.Leniency;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Coverage-guided fuzzing of {@link Http1Parser}: any bytes, parsed as a request head and as a response
 * head, strictly and leniently, whole, split in two and one byte at a time, must give NeedMore,
 * Complete or Rejected, the same whichever way they were fed. Any other exception is a finding. A
 * Complete head must have no control character, must survive {@link Http1Writer} and a strict re-parse
 * unchanged, and must have a {@link BodyFraming}.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs as a regression test over the shared seed corpus
 * {@code upgrade-core/src/test/fuzz-corpus/} (raw HTTP heads, one per file: every head of the tests,
 * {@code head_*} written by {@code scripts/FuzzSeeds.java}, and hand-written ones), which the build
 * copies into this target's inputs folder, and over its own seeds in
 * {@code src/test/resources/io/github/upgrade4j/http/Http1ParserFuzzTestInputs/parsesAnyBytesSafely/}:
 * the split-dependent verdicts and every crash input fuzzing has found. With {@code JAZZER_FUZZ=1} it
 * fuzzes for {@code maxDuration}.
 */
class Http1ParserFuzzTest {
    private static final ParserOptions STRICT = ParserOptions.standard();
    private static final ParserOptions LENIENT =
            STRICT.with(Leniency.LF_LINE_ENDINGS).with(Leniency.STATUS_LINE_WITHOUT_REASON)
                    .with(Leniency.EMPTY_LINES_BEFORE_STATUS_LINE);
    /** Small enough that the fuzzer reaches every limit: head size, start-line size, field count. */
    private static final ParserOptions LENIENT_SMALL =
            LENIENT.withMaxHeadBytes(64).withMaxStartLineBytes(24).withMaxFields(3);
    private static final List<ParserOptions> OPTIONS = List.of(STRICT, LENIENT, LENIENT_SMALL);
    private static final List<String> REQUEST_METHODS = List.of("GET", "HEAD", "CONNECT", "POST");

    @FuzzTest(maxDuration = "2m")
    void parsesAnyBytesSafely(byte[] input) {
        // A split point that follows from the data, so a finding replays exactly from its file.
        int cut = Math.floorMod(Arrays.hashCode(input), input.length + 1);
        for (ParserOptions options : OPTIONS) {
            for (boolean requests : new boolean[] {true, false}) {
                Fed whole = feed(parser(requests, options), input, new int[] {input.length});
                Fed split = feed(parser(requests, options), input, new int[] {cut, input.length});
                Fed byteByByte = feed(parser(requests, options), input, IntStream.rangeClosed(1, input.length).toArray());
                assertEquals(whole, split, "whole vs split at " + cut);
                assertEquals(whole, byteByByte, "whole vs one byte at a time");
                check(requests, options, whole, input);
            }
        }
    }

    /** The first result other than NeedMore (or NeedMore), and how many bytes were consumed before it. */
    private record Fed(ParseResult<?> result, int consumed) {}

    /** Feeds {@code input} in chunks ending at {@code ends} (ascending), empty chunks included. */
    private static Fed feed(Http1Parser<?> parser, byte[] input, int[] ends) {
        byte[] copy = input.clone();
        int at = 0;
        ParseResult<?> result = parser.parse(ByteBuffer.wrap(copy, 0, 0));
        assertInstanceOf(ParseResult.NeedMore.class, result, "an empty buffer must give NeedMore");
        for (int end : ends) {
            ByteBuffer buffer = ByteBuffer.wrap(copy, at, end - at);
            result = parser.parse(buffer);
            if (result instanceof ParseResult.NeedMore) {
                assertEquals(end, buffer.position(), "NeedMore must consume every byte");
                at = end;
            } else if (result instanceof ParseResult.Complete) {
                at = buffer.position();
                break;
            } else if (result instanceof ParseResult.Rejected) {
                // A rejected parser keeps rejecting until reset().
                assertSame(result, parser.parse(ByteBuffer.wrap(copy, at, copy.length - at)));
                at = -1; // where a rejected parser stops is unspecified
                break;
            } else {
                fail("expected NeedMore, Complete or Rejected but was " + result);
            }
        }
        assertArrayEquals(input, copy, "the parser must not write into the input");
        return new Fed(result, at);
    }

    private static void check(boolean requests, ParserOptions options, Fed fed, byte[] input) {
        if (fed.result() instanceof ParseResult.Rejected<?> rejected) {
            assertEquals(requests ? rejected.problem().status() : 502, rejected.status());
            assertTrue(rejected.detail().chars().allMatch(c -> c >= 0x20 && c != 0x7F),
                    () -> "detail must be safe to log: " + rejected.detail());
            return;
        }
        if (!(fed.result() instanceof ParseResult.Complete<?> complete)) {
            return;
        }
        assertEquals(complete.headLength(), fed.consumed(), "headLength vs bytes consumed");
        assertTrue(complete.headLength() <= Math.min(input.length, options.maxHeadBytes()));
        MessageHead head = complete.head();
        assertEquals(requests, head instanceof RequestHead);
        Headers headers = head.headers();
        assertTrue(headers.size() <= options.maxFields());
        for (int i = 0; i < headers.size(); i++) {
            assertFieldText(headers.value(i));
        }
        if (head instanceof ResponseHead response) {
            assertFieldText(response.reason());
        }

        // Written canonically and re-parsed strictly, an accepted head comes back unchanged.
        byte[] rewritten = Http1Writer.toBytes(head);
        ParserOptions canonical = STRICT.withMaxHeadBytes(Math.max(STRICT.maxHeadBytes(), rewritten.length));
        ParseResult<?> again = parser(requests, canonical).parse(ByteBuffer.wrap(rewritten));
        ParseResult.Complete<?> reparsed = assertInstanceOf(ParseResult.Complete.class, again,
                () -> "re-parse of " + escape(rewritten));
        assertEquals(head, reparsed.head());
        assertEquals(rewritten.length, reparsed.headLength());
        for (int i = 0; i < headers.size(); i++) {
            assertEquals(headers.name(i).toString(), reparsed.head().headers().name(i).toString());
        }

        if (head instanceof RequestHead request) {
            assertFraming(BodyFraming.ofRequest(request), 400);
        } else {
            for (String method : REQUEST_METHODS) {
                assertFraming(BodyFraming.ofResponse((ResponseHead) head, method), 502);
            }
        }
    }

    private static void assertFraming(BodyFraming framing, int invalidStatus) {
        assertNotNull(framing);
        if (framing instanceof BodyFraming.Invalid invalid) {
            assertEquals(invalidStatus, invalid.status());
        }
    }

    /** No CR, LF, NUL, DEL or other control character except HTAB. */
    private static void assertFieldText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c == '\t' || c >= 0x20 && c != 0x7F && c <= 0xFF)) {
                fail(String.format("control character 0x%02X in %s", (int) c, escape(text)));
            }
        }
    }

    private static Http1Parser<?> parser(boolean requests, ParserOptions options) {
        return requests ? Http1Parser.forRequests(options) : Http1Parser.forResponses(options);
    }

    private static String escape(byte[] bytes) {
        return escape(new String(bytes, StandardCharsets.ISO_8859_1));
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7F && c != '\\' ? String.valueOf(c) : String.format("\\x%02X", (int) c));
        }
        return out.append('"').toString();
    }
}
