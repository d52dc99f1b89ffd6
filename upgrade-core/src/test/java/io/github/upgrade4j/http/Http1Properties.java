package io.github.upgrade4j.http;

import static io.github.upgrade4j.http.Draws.draw;
import static io.github.upgrade4j.http.Draws.recase;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import io.github.upgrade4j.http.ParserOptions.Leniency;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

/**
 * Properties of {@link Http1Parser} together with {@link Http1Writer}: whatever the writer writes, the
 * parser reads back as the same head, in any split and whatever follows the head; and whatever bytes
 * the parser gets, it answers NeedMore, Complete or Rejected, never with a head that carries a
 * control character.
 *
 * <p>Every parse goes through one of several kinds of buffer (heap at an offset inside a larger array,
 * heap slice, direct, read-only), so both the in-place and the copying path of the parser are used,
 * with bytes outside the buffer's window that would break the head if the parser read them.
 */
class Http1Properties {
    private static final ParserOptions STRICT = ParserOptions.standard();
    private static final ParserOptions LENIENT = STRICT.with(Leniency.LF_LINE_ENDINGS)
            .with(Leniency.STATUS_LINE_WITHOUT_REASON).with(Leniency.EMPTY_LINES_BEFORE_STATUS_LINE);
    /** Small limits, the start-line one below the head one, so that every limit is reached. */
    private static final ParserOptions LENIENT_SMALL =
            LENIENT.withMaxHeadBytes(96).withMaxStartLineBytes(24).withMaxFields(4);
    private static final List<ParserOptions> OPTIONS = List.of(STRICT, LENIENT, LENIENT_SMALL);

    private static final String TCHARS =
            "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final List<String> KNOWN_NAMES = List.of("Connection", "Upgrade", "Content-Length",
            "Transfer-Encoding", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Cookie", "TE", "Via", "Keep-Alive");
    private static final List<String> METHODS = List.of("GET", "POST", "CONNECT", "OPTIONS", "HEAD", "PRI");
    /** Bytes around every buffer's window: a parser that reads outside it sees line ends and NULs. */
    private static final byte[] PAD = {'\r', '\n', '\r', '\n', 0, ':', ' ', '\n'};

    /** How bytes are handed to the parser. */
    enum BufferKind {
        /** Heap buffer whose window starts inside a larger array (position > 0). */
        HEAP_AT_OFFSET,
        /** Heap slice: position 0 but a non-zero array offset. */
        HEAP_SLICE,
        /** Direct buffer, no backing array. */
        DIRECT,
        /** Read-only heap buffer, whose array is not accessible. */
        READ_ONLY;

        ByteBuffer window(byte[] padded, int from, int length) {
            switch (this) {
                case HEAP_AT_OFFSET:
                    return ByteBuffer.wrap(padded, from, length);
                case HEAP_SLICE:
                    return ByteBuffer.wrap(padded, from, length).slice();
                case DIRECT:
                    ByteBuffer direct = ByteBuffer.allocateDirect(length);
                    direct.put(padded, from, length).flip();
                    return direct;
                default:
                    return ByteBuffer.wrap(padded, from, length).asReadOnlyBuffer();
            }
        }
    }

    /** One result that is not NeedMore, and the offset in the fed bytes just behind what the parser consumed. */
    record Step<H extends MessageHead>(ParseResult<H> result, int end) {}

    /** Bytes to parse, the chunk sizes they are fed in (cycled), the buffer kind and the parser options. */
    record Feeding(byte[] bytes, List<Integer> chunks, BufferKind kind, ParserOptions options) {
        @Override
        public String toString() {
            return escape(bytes) + "\nchunks " + chunks + ", " + kind + ", " + options.leniencies() + " max "
                    + options.maxHeadBytes();
        }
    }

    /** A head, its wire form, and how to feed it. */
    record Exchange(MessageHead head, Feeding feeding, byte[] trailing) {
        @Override
        public String toString() {
            return "head:\n" + head + "feeding: " + feeding + "\ntrailing: " + escape(trailing);
        }
    }

    @Test
    void aWrittenRequestHeadParsesBackToAnEqualHead() {
        Gen<RequestHead> requests = Http1Properties::request;
        qt().forAll(requests).checkAssert(head -> {
            byte[] wire = Http1Writer.toBytes(head);
            assertEquals(Http1Writer.length(head), wire.length);
            ByteBuffer buffer = ByteBuffer.wrap(wire);
            ParseResult<RequestHead> result = Http1Parser.forRequests().parse(buffer);
            assertRoundTrip(head, result, wire.length);
            assertEquals(wire.length, buffer.position(), "position must be just past the head");
        });
    }

    @Test
    void aWrittenResponseHeadParsesBackToAnEqualHead() {
        Gen<ResponseHead> responses = Http1Properties::response;
        qt().forAll(responses).checkAssert(head -> {
            byte[] wire = Http1Writer.toBytes(head);
            assertEquals(Http1Writer.length(head), wire.length);
            ByteBuffer buffer = ByteBuffer.wrap(wire);
            ParseResult<ResponseHead> result = Http1Parser.forResponses().parse(buffer);
            assertRoundTrip(head, result, wire.length);
            assertEquals(wire.length, buffer.position(), "position must be just past the head");
        });
    }

    @Test
    void aWrittenHeadParsesBackTheSameWhenFedInRandomSplits() {
        Gen<Exchange> exchanges = in -> exchange(in, new byte[0]);
        qt().forAll(exchanges).checkAssert(x -> {
            List<? extends Step<?>> steps = feed(parserFor(x.head(), x.feeding().options()), x.feeding(), 1);
            assertEquals(1, steps.size(), "expected one Complete but the bytes ran out");
            assertRoundTrip(x.head(), steps.get(0).result(), x.feeding().bytes().length);
            assertEquals(x.feeding().bytes().length, steps.get(0).end());
        });
    }

    @Test
    void bytesBehindTheHeadStayInTheBufferUntouched() {
        Gen<Exchange> exchanges = in -> exchange(in, anyBytes(in, 1, 48));
        qt().forAll(exchanges).checkAssert(x -> {
            int headLength = x.feeding().bytes().length - x.trailing().length;

            // Whole, in one buffer of each kind: the position stops right behind the head.
            for (BufferKind kind : BufferKind.values()) {
                byte[] padded = padded(x.feeding().bytes());
                byte[] before = padded.clone();
                ByteBuffer buffer = kind.window(padded, PAD.length, x.feeding().bytes().length);
                int start = buffer.position();
                ParseResult<? extends MessageHead> result = parserFor(x.head(), x.feeding().options()).parse(buffer);
                assertRoundTrip(x.head(), result, headLength);
                assertEquals(start + headLength, buffer.position(), kind + ": position must be just past the head");
                byte[] rest = new byte[buffer.remaining()];
                buffer.get(rest);
                assertArrayEquals(x.trailing(), rest, kind + ": the bytes behind the head");
                assertArrayEquals(before, padded, kind + ": the parser must not write into the caller's array");
            }

            // Split: the chunk that ends the head is consumed only up to it; later chunks are never offered.
            List<? extends Step<?>> steps = feed(parserFor(x.head(), x.feeding().options()), x.feeding(), 1);
            assertEquals(1, steps.size());
            assertRoundTrip(x.head(), steps.get(0).result(), headLength);
            assertEquals(headLength, steps.get(0).end(), "bytes consumed over every call");
        });
    }

    @Test
    void pipelinedHeadsParseOneAfterAnotherWithTheSameParser() {
        record Pipeline(List<MessageHead> heads, Feeding feeding) {}
        Gen<Pipeline> pipelines = in -> {
            boolean requests = draw(in, 0, 1) == 0;
            List<MessageHead> heads = new ArrayList<>();
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            for (int n = draw(in, 2, 4); n > 0; n--) {
                MessageHead head = requests ? request(in) : response(in);
                heads.add(head);
                wire.writeBytes(Http1Writer.toBytes(head));
            }
            return new Pipeline(heads, feeding(in, wire.toByteArray(), STRICT));
        };
        qt().forAll(pipelines).checkAssert(p -> {
            List<? extends Step<?>> steps = feed(parserFor(p.heads().get(0), STRICT), p.feeding(), p.heads().size());
            assertEquals(p.heads().size(), steps.size(), () -> "results: " + steps);
            int end = 0;
            for (int i = 0; i < steps.size(); i++) {
                int length = Http1Writer.length(p.heads().get(i));
                end += length;
                assertRoundTrip(p.heads().get(i), steps.get(i).result(), length);
                assertEquals(end, steps.get(i).end(), "end of head " + i);
            }
        });
    }

    @Test
    void upToTheBoundEmptyLinesBeforeAStartLineAreSkippedButCounted() {
        int max = ParserOptions.MAX_EMPTY_LINES_BEFORE_START_LINE;
        List<ParserOptions> options = List.of(STRICT, LENIENT, STRICT.with(Leniency.LF_LINE_ENDINGS),
                STRICT.with(Leniency.EMPTY_LINES_BEFORE_STATUS_LINE));
        record Prefixed(MessageHead head, int emptyLines, boolean bareLf, Feeding feeding) {}
        Gen<Prefixed> cases = in -> {
            MessageHead head = draw(in, 0, 1) == 0 ? request(in) : response(in);
            ParserOptions chosen = options.get(draw(in, 0, options.size() - 1));
            boolean lf = chosen.allows(Leniency.LF_LINE_ENDINGS);
            StringBuilder prefix = new StringBuilder();
            boolean bareLf = false;
            int n = draw(in, 1, max + 2);
            for (int i = 0; i < n; i++) {
                boolean bare = lf && draw(in, 0, 1) == 1;
                bareLf |= bare;
                prefix.append(bare ? "\n" : "\r\n");
            }
            byte[] wire = concat(bytes(prefix.toString()), Http1Writer.toBytes(head));
            return new Prefixed(head, n, bareLf, feeding(in, wire, chosen));
        };
        qt().forAll(cases).checkAssert(c -> {
            ParserOptions chosen = c.feeding().options();
            List<? extends Step<?>> steps = feed(parserFor(c.head(), chosen), c.feeding(), 1);
            assertEquals(1, steps.size());
            boolean skipped = c.head() instanceof RequestHead || chosen.allows(Leniency.EMPTY_LINES_BEFORE_STATUS_LINE);
            if (!skipped) {
                // RFC 9112 §2.2 speaks of request lines only; a response needs the leniency.
                assertEquals(HeadProblem.MALFORMED_STATUS_LINE,
                        assertInstanceOf(ParseResult.Rejected.class, steps.get(0).result()).problem());
            } else if (c.emptyLines() > max) {
                assertEquals(HeadProblem.TOO_MANY_EMPTY_LINES,
                        assertInstanceOf(ParseResult.Rejected.class, steps.get(0).result()).problem());
            } else {
                assertRoundTrip(c.head(), steps.get(0).result(), c.feeding().bytes().length);
            }
        });
    }

    @Test
    void noAcceptedHeadCarriesAControlCharacterAndParseNeverThrows() {
        record Soup(boolean requests, Feeding feeding) {}
        Gen<Soup> soups = in -> {
            boolean requests = draw(in, 0, 1) == 0;
            ParserOptions options = OPTIONS.get(draw(in, 0, OPTIONS.size() - 1));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] prefix = Http1Writer.toBytes(requests ? request(in) : response(in));
            bytes.write(prefix, 0, draw(in, 0, prefix.length));
            for (int n = draw(in, 0, 40); n > 0; n--) {
                bytes.writeBytes(soupPiece(in));
            }
            return new Soup(requests, feeding(in, bytes.toByteArray(), options));
        };
        qt().forAll(soups).checkAssert(s -> {
            ParserOptions options = s.feeding().options();
            Feeding whole = new Feeding(s.feeding().bytes(), List.of(), BufferKind.HEAP_AT_OFFSET, options);
            List<? extends Step<?>> wholeSteps = feed(parser(s.requests(), options), whole, 1);
            List<? extends Step<?>> splitSteps = feed(parser(s.requests(), options), s.feeding(), 1);
            assertEquals(wholeSteps, splitSteps, "whole and split feeding must agree");
            Feeding oneByOne = new Feeding(s.feeding().bytes(), List.of(1), BufferKind.HEAP_SLICE, options);
            assertEquals(wholeSteps, feed(parser(s.requests(), options), oneByOne, 1),
                    "whole and one-byte-at-a-time feeding must agree");
            if (wholeSteps.isEmpty()) {
                return; // NeedMore: every byte was consumed, which feed() checked
            }
            ParseResult<?> result = wholeSteps.get(0).result();
            if (result instanceof ParseResult.Rejected<?> rejected) {
                assertEquals(s.requests() ? rejected.problem().status() : 502, rejected.status());
                assertTrue(rejected.detail().chars().allMatch(c -> c >= 0x20 && c != 0x7F),
                        () -> "detail must be safe to log: " + rejected.detail());
                return;
            }
            ParseResult.Complete<?> complete = assertInstanceOf(ParseResult.Complete.class, result);
            assertEquals(complete.headLength(), wholeSteps.get(0).end());
            MessageHead head = complete.head();
            assertNoControlCharacters(head);
            // What was accepted, however leniently, is written in canonical form and read back unchanged.
            byte[] rewritten = Http1Writer.toBytes(head);
            ParserOptions canonical = STRICT.withMaxHeadBytes(Math.max(STRICT.maxHeadBytes(), rewritten.length));
            ParseResult<?> again = parser(s.requests(), canonical).parse(ByteBuffer.wrap(rewritten));
            assertRoundTrip(head, again, rewritten.length);
            if (head instanceof RequestHead request) {
                assertNotNull(BodyFraming.ofRequest(request));
            } else {
                for (String method : METHODS) {
                    assertNotNull(BodyFraming.ofResponse((ResponseHead) head, method));
                }
            }
        });
    }

    // ---------------------------------------------------------------- checks

    private static void assertRoundTrip(MessageHead expected, ParseResult<?> result, int headLength) {
        ParseResult.Complete<?> complete = assertInstanceOf(ParseResult.Complete.class, result,
                () -> "expected Complete for\n" + expected + "but was " + result);
        assertEquals(expected, complete.head());
        assertEquals(headLength, complete.headLength(), "headLength");
        Headers want = expected.headers();
        Headers got = complete.head().headers();
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.name(i).toString(), got.name(i).toString(), "spelling of field name " + i);
        }
    }

    private static void assertNoControlCharacters(MessageHead head) {
        Headers headers = head.headers();
        for (int i = 0; i < headers.size(); i++) {
            assertFieldText("value of " + headers.name(i), headers.value(i));
            String value = headers.value(i);
            assertFalse(!value.isEmpty() && (isOws(value.charAt(0)) || isOws(value.charAt(value.length() - 1))),
                    () -> "untrimmed value " + escape(value));
            assertTrue(headers.name(i).toString().chars().allMatch(c -> TCHARS.indexOf(c) >= 0));
        }
        if (head instanceof RequestHead request) {
            assertTrue(request.method().chars().allMatch(c -> TCHARS.indexOf(c) >= 0), request.method());
            assertTrue(request.target().chars().allMatch(c -> c > 0x20 && c < 0x7F), request.target());
        } else {
            ResponseHead response = (ResponseHead) head;
            assertFieldText("reason", response.reason());
            assertTrue(response.status() >= 100 && response.status() <= 599);
        }
    }

    /** No CR, LF, NUL, DEL or other control character except HTAB; Latin-1 only. */
    private static void assertFieldText(String what, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = c == '\t' || c >= 0x20 && c != 0x7F && c <= 0xFF;
            int at = i;
            assertTrue(ok, () -> what + " has " + String.format("0x%02X", (int) c) + " at " + at + ": "
                    + escape(text));
        }
    }

    // ---------------------------------------------------------------- feeding

    /**
     * Feeds {@code feeding} to {@code parser} chunk by chunk, going on with the rest of a chunk after a
     * Complete, until {@code maxHeads} heads, a rejection, or the end of the bytes. Checks on the way
     * that NeedMore consumed every byte it was given and that the caller's array was not written.
     */
    private static <H extends MessageHead> List<Step<H>> feed(Http1Parser<H> parser, Feeding feeding, int maxHeads) {
        byte[] bytes = feeding.bytes();
        byte[] padded = padded(bytes);
        byte[] before = padded.clone();
        List<Step<H>> steps = new ArrayList<>();
        int at = 0;
        int chunk = 0;
        boolean done = false;
        while (at < bytes.length && !done) {
            int size = feeding.chunks().isEmpty() ? bytes.length : feeding.chunks().get(chunk++ % feeding.chunks().size());
            int n = Math.min(size, bytes.length - at);
            ByteBuffer buffer = feeding.kind().window(padded, PAD.length + at, n);
            int start = buffer.position();
            int limit = buffer.limit();
            while (true) {
                ParseResult<H> result = parser.parse(buffer);
                assertNotNull(result);
                assertEquals(limit, buffer.limit(), "the parser must not change the limit");
                if (result instanceof ParseResult.NeedMore) {
                    assertEquals(limit, buffer.position(), "NeedMore must consume every byte it was given");
                    break;
                }
                if (result instanceof ParseResult.Rejected) {
                    steps.add(new Step<>(result, -1)); // where a rejected parser stops is unspecified
                    done = true;
                    break;
                }
                assertInstanceOf(ParseResult.Complete.class, result);
                steps.add(new Step<>(result, at + buffer.position() - start));
                if (steps.size() == maxHeads) {
                    done = true;
                    break;
                }
                if (!buffer.hasRemaining()) {
                    break;
                }
            }
            at += buffer.position() - start;
        }
        assertArrayEquals(before, padded, "the parser must not write into the caller's array");
        return steps;
    }

    @SuppressWarnings("unchecked")
    private static <H extends MessageHead> Http1Parser<H> parserFor(H head, ParserOptions options) {
        return (Http1Parser<H>) parser(head instanceof RequestHead, options);
    }

    private static Http1Parser<? extends MessageHead> parser(boolean requests, ParserOptions options) {
        return requests ? Http1Parser.forRequests(options) : Http1Parser.forResponses(options);
    }

    private static byte[] padded(byte[] bytes) {
        byte[] padded = new byte[bytes.length + 2 * PAD.length];
        System.arraycopy(PAD, 0, padded, 0, PAD.length);
        System.arraycopy(bytes, 0, padded, PAD.length, bytes.length);
        System.arraycopy(PAD, 0, padded, PAD.length + bytes.length, PAD.length);
        return padded;
    }

    // ---------------------------------------------------------------- generators

    private static Exchange exchange(RandomnessSource in, byte[] trailing) {
        MessageHead head = draw(in, 0, 1) == 0 ? request(in) : response(in);
        ParserOptions options = draw(in, 0, 2) == 0 ? LENIENT : STRICT;
        return new Exchange(head, feeding(in, concat(Http1Writer.toBytes(head), trailing), options), trailing);
    }

    private static Feeding feeding(RandomnessSource in, byte[] bytes, ParserOptions options) {
        List<Integer> chunks = new ArrayList<>();
        for (int n = draw(in, 1, 6); n > 0; n--) {
            chunks.add(draw(in, 0, 2) == 0 ? 1 : draw(in, 1, 40));
        }
        BufferKind kind = BufferKind.values()[draw(in, 0, BufferKind.values().length - 1)];
        return new Feeding(bytes, chunks, kind, options);
    }

    private static RequestHead request(RandomnessSource in) {
        String method = draw(in, 0, 2) == 0 ? METHODS.get(draw(in, 0, METHODS.size() - 1)) : token(in, 1, 10);
        StringBuilder target = new StringBuilder(draw(in, 0, 1) == 0 ? "/" : "");
        for (int n = draw(in, target.length() == 0 ? 1 : 0, 30); n > 0; n--) {
            target.append((char) draw(in, 0x21, 0x7E));
        }
        HttpVersion version = draw(in, 0, 1) == 0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        int fields = draw(in, 0, 12);
        int hostAt = version == HttpVersion.HTTP_1_1 ? draw(in, 0, fields) : -1;
        Headers.Builder headers = Headers.builder();
        for (int i = 0; i <= fields; i++) {
            if (i == hostAt) {
                headers.add(HeaderName.of(recase(in, "Host")), value(in));
            }
            if (i < fields) {
                String name = name(in);
                // HTTP/1.1 needs exactly one Host; HTTP/1.0 may have any number.
                headers.add(HeaderName.of(version == HttpVersion.HTTP_1_1 && name.equalsIgnoreCase("Host") ? name + "s" : name),
                        value(in));
            }
        }
        return new RequestHead(method, target.toString(), version, headers.build());
    }

    private static ResponseHead response(RandomnessSource in) {
        HttpVersion version = draw(in, 0, 1) == 0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        int status = draw(in, 100, 599);
        StringBuilder reason = new StringBuilder();
        for (int n = draw(in, 0, 16); n > 0; n--) {
            reason.append(draw(in, 0, 4) == 0 ? (draw(in, 0, 1) == 0 ? ' ' : '\t') : fieldVchar(in));
        }
        Headers.Builder headers = Headers.builder();
        for (int n = draw(in, 0, 12); n > 0; n--) {
            headers.add(HeaderName.of(name(in)), value(in));
        }
        return new ResponseHead(version, status, reason.toString(), headers.build());
    }

    /** A token in random case: a well-known name or random tchars. */
    private static String name(RandomnessSource in) {
        if (draw(in, 0, 2) == 0) {
            return recase(in, KNOWN_NAMES.get(draw(in, 0, KNOWN_NAMES.size() - 1)));
        }
        return token(in, 1, 20);
    }

    /** Field-vchars (obs-text included) with SP and HTAB inside, never at either end; maybe empty. */
    private static String value(RandomnessSource in) {
        int n = draw(in, 0, 20);
        StringBuilder value = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            boolean inner = i > 0 && i < n - 1;
            value.append(inner && draw(in, 0, 3) == 0 ? (draw(in, 0, 1) == 0 ? ' ' : '\t') : fieldVchar(in));
        }
        return value.toString();
    }

    private static char fieldVchar(RandomnessSource in) {
        return (char) (draw(in, 0, 3) == 0 ? draw(in, 0x80, 0xFF) : draw(in, 0x21, 0x7E));
    }

    private static String token(RandomnessSource in, int min, int max) {
        StringBuilder out = new StringBuilder();
        for (int n = draw(in, min, max); n > 0; n--) {
            out.append(TCHARS.charAt(draw(in, 0, TCHARS.length() - 1)));
        }
        return out.toString();
    }

    /** A piece of byte soup, weighted towards what breaks heads: line ends, NUL, controls, separators. */
    private static byte[] soupPiece(RandomnessSource in) {
        switch (draw(in, 0, 15)) {
            case 0: return bytes("\r\n");
            case 1: return bytes("\n");
            case 2: return bytes("\r");
            case 3: return bytes("\r\n\r\n");
            case 4: return bytes("\n\n");
            case 5: return bytes(":");
            case 6: return bytes(": ");
            case 7: return bytes(" ");
            case 8: return bytes("\t");
            case 9: return new byte[] {0};
            case 10: return new byte[] {(byte) draw(in, 0, 0x1F)};
            case 11: return new byte[] {0x7F, (byte) draw(in, 0x80, 0xFF)};
            case 12: return bytes("Host: a\r\n");
            case 13: return bytes(token(in, 1, 6));
            case 14: return bytes(" HTTP/1." + draw(in, 0, 2));
            default: return new byte[] {(byte) draw(in, 0, 255)};
        }
    }

    private static byte[] anyBytes(RandomnessSource in, int min, int max) {
        byte[] bytes = new byte[draw(in, min, max)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) draw(in, 0, 255);
        }
        return bytes;
    }

    // ---------------------------------------------------------------- bytes

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    static String escape(byte[] bytes) {
        return escape(new String(bytes, StandardCharsets.ISO_8859_1));
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\r': out.append("\\r"); break;
                case '\n': out.append("\\n"); break;
                case '\t': out.append("\\t"); break;
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                default: out.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02X", (int) c));
            }
        }
        return out.append('"').toString();
    }
}
