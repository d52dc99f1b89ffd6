package io.github.upgrade4j.examples.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.support.WebSocketFrame.Opcode;
import io.github.upgrade4j.examples.support.WebSocketFrameDecoder.Problem;
import io.github.upgrade4j.examples.support.WebSocketFrameDecoder.Result;
import io.github.upgrade4j.examples.support.WebSocketFrameDecoder.Role;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebSocketFrameTest {
    private static final byte[] KEY = bytes(0x37, 0xfa, 0x21, 0x3d);

    // The examples of RFC 6455 §5.7, byte for byte.

    @Test
    void encodesTheRfcExamplesUnmaskedAndMasked() {
        assertArrayEquals(bytes(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f),
                WebSocketFrame.encode(WebSocketFrame.text("Hello")));
        assertArrayEquals(bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58),
                WebSocketFrame.encode(WebSocketFrame.text("Hello").withMasked(true), KEY));
        assertArrayEquals(bytes(0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58),
                WebSocketFrame.encode(WebSocketFrame.pong(ascii("Hello")).withMasked(true), KEY));
    }

    @Test
    void decodesTheRfcFragmentedExampleIntoOneMessage() {
        ByteBuffer wire = ByteBuffer.wrap(bytes(0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f));

        WebSocketFrame message = complete(WebSocketFrameDecoder.forClient().nextMessage(wire));

        assertEquals(WebSocketFrame.text("Hello"), message);
        assertFalse(wire.hasRemaining());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 125, 126, 65535, 65536})
    void roundTripsEveryLengthEncoding(int length) {
        byte[] data = new byte[length];
        new Random(length).nextBytes(data);
        int lengthBytes = length <= 125 ? 0 : length <= 65535 ? 2 : 8;

        byte[] unmasked = WebSocketFrame.encode(WebSocketFrame.binary(data));
        byte[] masked = WebSocketFrame.encode(WebSocketFrame.binary(data).withMasked(true));

        assertEquals(2 + lengthBytes + length, unmasked.length);
        assertEquals(2 + lengthBytes + 4 + length, masked.length);
        assertEquals(WebSocketFrame.binary(data), complete(WebSocketFrameDecoder.forClient().nextFrame(ByteBuffer.wrap(unmasked))));
        assertEquals(WebSocketFrame.binary(data).withMasked(true),
                complete(WebSocketFrameDecoder.forServer().nextFrame(ByteBuffer.wrap(masked))));
    }

    @Test
    void masksWithAFreshRandomKeyEachTime() {
        WebSocketFrame frame = WebSocketFrame.text("the same text").withMasked(true);

        byte[] first = WebSocketFrame.encode(frame);
        byte[] second = WebSocketFrame.encode(frame);

        assertNotEquals(ByteBuffer.wrap(first, 2, 4), ByteBuffer.wrap(second, 2, 4), "masking keys");
        assertNotEquals(ByteBuffer.wrap(first, 6, 13), ByteBuffer.wrap(ascii("the same text")), "payload left unmasked");
        assertEquals(frame, complete(WebSocketFrameDecoder.forServer().nextFrame(ByteBuffer.wrap(first))));
        assertEquals(frame, complete(WebSocketFrameDecoder.forServer().nextFrame(ByteBuffer.wrap(second))));
    }

    @Test
    void refusesAFixedKeyForAnUnmaskedFrameOrOfTheWrongLength() {
        assertThrows(IllegalArgumentException.class, () -> WebSocketFrame.encode(WebSocketFrame.text("x"), KEY));
        assertThrows(IllegalArgumentException.class,
                () -> WebSocketFrame.encode(WebSocketFrame.text("x").withMasked(true), new byte[3]));
    }

    @Test
    void decodesOneByteAtATimeAndConsumesEveryByteGiven() {
        List<WebSocketFrame> sent = List.of(WebSocketFrame.text("héllo".repeat(40)).withMasked(true),
                WebSocketFrame.ping(ascii("are you there")).withMasked(true),
                WebSocketFrame.binary(new byte[70_000]).withMasked(true),
                WebSocketFrame.close(1000, "bye").withMasked(true));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        sent.forEach(frame -> wire.writeBytes(WebSocketFrame.encode(frame)));
        WebSocketFrameDecoder decoder = WebSocketFrameDecoder.forServer();

        List<WebSocketFrame> received = new ArrayList<>();
        for (byte b : wire.toByteArray()) {
            ByteBuffer one = ByteBuffer.wrap(new byte[] {b});
            Result result = decoder.nextMessage(one);
            assertFalse(one.hasRemaining());
            if (result instanceof Result.Complete complete) {
                received.add(complete.frame());
            } else {
                assertInstanceOf(Result.NeedMore.class, result);
            }
        }

        assertEquals(sent, received);
    }

    @Test
    void leavesTheBytesOfTheNextFrameInTheBuffer() {
        ByteBuffer wire = ByteBuffer.allocate(100)
                .put(WebSocketFrame.encode(WebSocketFrame.text("one"))).put(WebSocketFrame.encode(WebSocketFrame.text("two")))
                .flip();
        WebSocketFrameDecoder decoder = WebSocketFrameDecoder.forClient();

        assertEquals("one", complete(decoder.nextFrame(wire)).payloadText());
        assertEquals(5, wire.remaining());
        assertEquals("two", complete(decoder.nextFrame(wire)).payloadText());
        assertInstanceOf(Result.NeedMore.class, decoder.nextFrame(wire));
    }

    @Test
    void reassemblesAFragmentedMessageAndPassesAnInterleavedPingFirst() {
        ByteBuffer wire = wire(new WebSocketFrame(false, Opcode.TEXT, ascii("Hel"), true),
                WebSocketFrame.ping(ascii("p")).withMasked(true),
                new WebSocketFrame(false, Opcode.CONTINUATION, ascii("lo, "), true),
                new WebSocketFrame(true, Opcode.CONTINUATION, ascii("world"), true));
        WebSocketFrameDecoder decoder = WebSocketFrameDecoder.forServer();

        assertEquals(WebSocketFrame.ping(ascii("p")).withMasked(true), complete(decoder.nextMessage(wire)));
        assertEquals(WebSocketFrame.text("Hello, world").withMasked(true), complete(decoder.nextMessage(wire)));
        assertFalse(wire.hasRemaining());
    }

    @Test
    void acceptsACharacterSplitBetweenFragmentsButNotInvalidUtf8() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // E2 82 AC
        ByteBuffer split = wire(new WebSocketFrame(false, Opcode.TEXT, new byte[] {euro[0]}, true),
                new WebSocketFrame(true, Opcode.CONTINUATION, new byte[] {euro[1], euro[2]}, true));

        assertEquals("€", complete(WebSocketFrameDecoder.forServer().nextMessage(split)).payloadText());
        assertRejected(Problem.INVALID_UTF8, 1007, WebSocketFrameDecoder.forServer().nextMessage(
                wire(new WebSocketFrame(true, Opcode.TEXT, new byte[] {euro[0], euro[1]}, true))));
        assertRejected(Problem.INVALID_UTF8, 1007, WebSocketFrameDecoder.forServer().nextMessage(
                wire(new WebSocketFrame(true, Opcode.TEXT, bytes(0xed, 0xa0, 0x80), true)))); // a UTF-16 surrogate
    }

    // Text fails fast (RFC 6455 §8.1): at the fragment, and the byte, that makes it invalid UTF-8. The
    // parts are those of Autobahn's cases 6.4.1 to 6.4.4: U+110000 between two valid runs of text.

    private static final byte[] PART1 = hex("cebae1bdb9cf83cebcceb5"); // "kosme" in Greek, with U+1F79
    private static final byte[] PART2 = hex("f4908080"); // U+110000: past the last code point
    private static final byte[] PART3 = hex("656469746564"); // edited

    @Test
    void refusesTheSecondOfThreeFragmentsThatMakesTheTextInvalidBeforeTheThirdArrives() { // Autobahn 6.4.1
        WebSocketFrameDecoder decoder = WebSocketFrameDecoder.forServer();

        assertInstanceOf(Result.NeedMore.class, feed(decoder, masked(false, Opcode.TEXT, PART1)));
        assertRejected(Problem.INVALID_UTF8, 1007, feed(decoder, masked(false, Opcode.CONTINUATION, PART2)));
    }

    @Test
    void refusesTheFragmentThatContinuesACharacterSplitAcrossFragmentsWrongly() { // Autobahn 6.4.2
        WebSocketFrameDecoder decoder = WebSocketFrameDecoder.forServer();

        assertInstanceOf(Result.NeedMore.class, feed(decoder, masked(false, Opcode.TEXT, concat(PART1, hex("f4")))));
        assertRejected(Problem.INVALID_UTF8, 1007, feed(decoder, masked(false, Opcode.CONTINUATION, hex("90"))));
    }

    @Test
    void refusesOneFrameAtTheInvalidByteBeforeTheRestOfItsPayloadArrives() { // Autobahn 6.4.3 and 6.4.4
        byte[] frame = masked(true, Opcode.TEXT, concat(PART1, PART2, PART3));
        int part2 = 6 + PART1.length; // 2 header bytes and 4 of masking key before the payload
        WebSocketFrameDecoder decoder = WebSocketFrameDecoder.forServer();

        assertInstanceOf(Result.NeedMore.class, feed(decoder, Arrays.copyOfRange(frame, 0, part2)));
        assertInstanceOf(Result.NeedMore.class, feed(decoder, Arrays.copyOfRange(frame, part2, part2 + 1))); // F4
        Result.Rejected rejected = assertInstanceOf(Result.Rejected.class,
                feed(decoder, Arrays.copyOfRange(frame, part2 + 1, part2 + 2))); // 90
        assertEquals(Problem.INVALID_UTF8, rejected.problem());
        assertTrue(rejected.detail().contains("byte 12 of a 21-byte frame, 0x90"), rejected.detail());
    }

    @Test
    void refusesAnInvalidByteInTheMiddleOfTheSecondOfThreeFragmentsAtThatFragment() {
        WebSocketFrameDecoder decoder = WebSocketFrameDecoder.forServer();
        byte[] second = masked(false, Opcode.CONTINUATION, concat(ascii("ab"), hex("ff"), ascii("cd")));

        assertInstanceOf(Result.NeedMore.class, feed(decoder, masked(false, Opcode.TEXT, ascii("first "))));
        assertInstanceOf(Result.NeedMore.class, feed(decoder, Arrays.copyOfRange(second, 0, 6 + 2)));
        assertRejected(Problem.INVALID_UTF8, 1007, feed(decoder, Arrays.copyOfRange(second, 6 + 2, 6 + 3)));
    }

    @Test
    void acceptsACharacterSplitAcrossThreeFragmentsWithAPingBetween() {
        byte[] smile = "😀".getBytes(StandardCharsets.UTF_8); // F0 9F 98 80
        WebSocketFrameDecoder decoder = WebSocketFrameDecoder.forServer();

        assertInstanceOf(Result.NeedMore.class, feed(decoder,
                masked(false, Opcode.TEXT, concat(PART1, Arrays.copyOfRange(smile, 0, 1)))));
        assertInstanceOf(Result.NeedMore.class, feed(decoder,
                masked(false, Opcode.CONTINUATION, Arrays.copyOfRange(smile, 1, 3))));
        assertEquals(Opcode.PING, complete(feed(decoder, WebSocketFrame.encode(
                WebSocketFrame.ping(hex("f4")).withMasked(true), KEY))).opcode()); // not text: not checked
        WebSocketFrame message = complete(feed(decoder,
                masked(true, Opcode.CONTINUATION, concat(Arrays.copyOfRange(smile, 3, 4), PART3))));

        assertEquals(new String(PART1, StandardCharsets.UTF_8) + "😀edited", message.payloadText());
    }

    @Test
    void refusesTextThatEndsInsideACharacterOnlyAtTheFinalFragment() {
        WebSocketFrameDecoder decoder = WebSocketFrameDecoder.forServer();

        assertInstanceOf(Result.NeedMore.class, feed(decoder, masked(false, Opcode.TEXT, hex("61e282"))));
        assertInstanceOf(Result.NeedMore.class, feed(decoder, masked(false, Opcode.CONTINUATION, new byte[0])));
        Result.Rejected rejected = assertInstanceOf(Result.Rejected.class,
                feed(decoder, masked(true, Opcode.CONTINUATION, new byte[0])));
        assertEquals(Problem.INVALID_UTF8, rejected.problem());
        assertTrue(rejected.detail().contains("ends inside a character"), rejected.detail());
    }

    @ParameterizedTest
    @ValueSource(strings = {"eda080", "edbfbf", "c0af", "e080af", "f08080af", "f4908080", "f5808080", "80", "fe"})
    void refusesSurrogatesOverlongFormsAndCodePointsPastU10ffffInText(String payload) {
        assertRejected(Problem.INVALID_UTF8, 1007, WebSocketFrameDecoder.forServer()
                .nextMessage(ByteBuffer.wrap(masked(true, Opcode.TEXT, hex(payload)))));
    }

    @Test
    void leavesBinaryMessagesUnchecked() {
        WebSocketFrameDecoder decoder = WebSocketFrameDecoder.forServer();

        assertInstanceOf(Result.NeedMore.class, feed(decoder, masked(false, Opcode.BINARY, PART1)));
        assertArrayEquals(concat(PART1, PART2),
                complete(feed(decoder, masked(true, Opcode.CONTINUATION, PART2))).payload());
    }

    @Test
    void checksTheCloseReasonWithTheSameRules() {
        byte[] valid = concat(hex("03e8"), PART1);

        assertEquals(new String(PART1, StandardCharsets.UTF_8), complete(WebSocketFrameDecoder.forServer()
                .nextMessage(ByteBuffer.wrap(masked(true, Opcode.CLOSE, valid)))).closeReason());
        for (String reason : new String[] {"e282", "eda080", "f4908080", "c0af"}) {
            assertRejected(Problem.INVALID_UTF8, 1007, WebSocketFrameDecoder.forServer()
                    .nextMessage(ByteBuffer.wrap(masked(true, Opcode.CLOSE, concat(hex("03e8"), hex(reason))))));
        }
    }

    // Every protocol error, with its close code.

    @ParameterizedTest
    @ValueSource(ints = {0x40, 0x20, 0x10})
    void refusesReservedBits(int bit) {
        byte[] frame = WebSocketFrame.encode(WebSocketFrame.text("x").withMasked(true));
        frame[0] |= (byte) bit;

        assertRejected(Problem.RESERVED_BITS_SET, 1002, WebSocketFrameDecoder.forServer().nextFrame(ByteBuffer.wrap(frame)));
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
    void refusesReservedOpcodes(int opcode) {
        assertRejected(Problem.UNKNOWN_OPCODE, 1002,
                WebSocketFrameDecoder.forServer().nextFrame(ByteBuffer.wrap(bytes(0x80 | opcode, 0x80, 1, 2, 3, 4))));
    }

    @Test
    void refusesAControlFrameLongerThan125Bytes() {
        byte[] frame = WebSocketFrame.encode(WebSocketFrame.binary(new byte[126]).withMasked(true));
        frame[0] = (byte) 0x89; // now a ping

        assertRejected(Problem.CONTROL_FRAME_TOO_LONG, 1002, WebSocketFrameDecoder.forServer().nextFrame(ByteBuffer.wrap(frame)));
    }

    @Test
    void refusesAFragmentedControlFrame() {
        assertRejected(Problem.FRAGMENTED_CONTROL_FRAME, 1002,
                WebSocketFrameDecoder.forServer().nextFrame(ByteBuffer.wrap(bytes(0x09, 0x80, 1, 2, 3, 4))));
    }

    @Test
    void requiresMaskedFramesFromClientsAndUnmaskedFramesFromServers() {
        assertRejected(Problem.UNMASKED_CLIENT_FRAME, 1002,
                WebSocketFrameDecoder.forServer().nextFrame(wire(WebSocketFrame.text("x"))));
        assertRejected(Problem.MASKED_SERVER_FRAME, 1002,
                WebSocketFrameDecoder.forClient().nextFrame(wire(WebSocketFrame.text("x").withMasked(true))));
    }

    @Test
    void refusesLengthsNotInTheFewestBytesAndTheTopBitOfA64BitLength() {
        assertRejected(Problem.INVALID_LENGTH, 1002,
                WebSocketFrameDecoder.forClient().nextFrame(ByteBuffer.wrap(bytes(0x82, 126, 0, 125))));
        assertRejected(Problem.INVALID_LENGTH, 1002,
                WebSocketFrameDecoder.forClient().nextFrame(ByteBuffer.wrap(bytes(0x82, 127, 0, 0, 0, 0, 0, 0, 0xff, 0xff))));
        assertRejected(Problem.INVALID_LENGTH, 1002,
                WebSocketFrameDecoder.forClient().nextFrame(ByteBuffer.wrap(bytes(0x82, 127, 0x80, 0, 0, 0, 0, 1, 0, 0))));
    }

    @Test
    void refusesAFrameOverTheLimitBeforeReadingItsPayload() {
        WebSocketFrameDecoder decoder = WebSocketFrameDecoder.of(Role.CLIENT, 1000);

        assertInstanceOf(Result.Complete.class, decoder.nextFrame(wire(WebSocketFrame.binary(new byte[1000]))));
        assertRejected(Problem.MESSAGE_TOO_BIG, 1009, decoder.nextFrame(ByteBuffer.wrap(bytes(0x82, 126, 0x03, 0xe9))));
    }

    @Test
    void refusesAFragmentedMessageOverTheLimit() {
        ByteBuffer wire = wire(new WebSocketFrame(false, Opcode.BINARY, new byte[600], false),
                new WebSocketFrame(true, Opcode.CONTINUATION, new byte[600], false));

        assertRejected(Problem.MESSAGE_TOO_BIG, 1009, WebSocketFrameDecoder.of(Role.CLIENT, 1000).nextMessage(wire));
    }

    @Test
    void refusesAContinuationWithoutAMessageAndANewMessageInsideOne() {
        assertRejected(Problem.UNEXPECTED_CONTINUATION, 1002, WebSocketFrameDecoder.forClient().nextMessage(
                wire(new WebSocketFrame(true, Opcode.CONTINUATION, ascii("lo"), false))));
        assertRejected(Problem.EXPECTED_CONTINUATION, 1002, WebSocketFrameDecoder.forClient().nextMessage(
                wire(new WebSocketFrame(false, Opcode.TEXT, ascii("Hel"), false), WebSocketFrame.text("new"))));
    }

    @Test
    void refusesBrokenClosePayloads() {
        assertRejected(Problem.INVALID_CLOSE_PAYLOAD, 1002,
                WebSocketFrameDecoder.forClient().nextFrame(ByteBuffer.wrap(bytes(0x88, 1, 0x03))));
        assertRejected(Problem.INVALID_CLOSE_PAYLOAD, 1002, // 1005 is reported locally, never sent
                WebSocketFrameDecoder.forClient().nextFrame(ByteBuffer.wrap(bytes(0x88, 2, 0x03, 0xed))));
        assertRejected(Problem.INVALID_UTF8, 1007,
                WebSocketFrameDecoder.forClient().nextFrame(ByteBuffer.wrap(bytes(0x88, 3, 0x03, 0xe8, 0xff))));
    }

    @Test
    void keepsAnsweringTheFirstRejection() {
        WebSocketFrameDecoder decoder = WebSocketFrameDecoder.forServer();
        Result first = decoder.nextFrame(wire(WebSocketFrame.text("unmasked")));

        assertEquals(first, decoder.nextFrame(wire(WebSocketFrame.text("masked").withMasked(true))));
    }

    // The frame value and its close helpers.

    @Test
    void writesTheCloseCodeInTwoBytesBeforeTheUtf8Reason() {
        WebSocketFrame close = WebSocketFrame.close(1000, "bye ✓");

        assertArrayEquals(ByteBuffer.allocate(9).putShort((short) 1000).put("bye ✓".getBytes(StandardCharsets.UTF_8)).array(),
                close.payload());
        assertEquals(OptionalInt.of(1000), close.closeCode());
        assertEquals("bye ✓", close.closeReason());
        assertEquals(OptionalInt.empty(), new WebSocketFrame(true, Opcode.CLOSE, new byte[0], false).closeCode());
    }

    @Test
    void refusesCloseCodesThatMayNotBeSentAndOverlongReasons() {
        for (int code : new int[] {999, 1004, 1005, 1006, 1015, 2999, 5000}) {
            assertThrows(IllegalArgumentException.class, () -> WebSocketFrame.close(code, ""), "code " + code);
        }
        assertThrows(IllegalArgumentException.class, () -> WebSocketFrame.close(1000, "x".repeat(124)));
        assertThrows(IllegalStateException.class, () -> WebSocketFrame.text("x").closeCode());
    }

    @Test
    void refusesToBuildControlFramesTheDecoderWouldRefuse() {
        assertThrows(IllegalArgumentException.class, () -> WebSocketFrame.ping(new byte[126]));
        assertThrows(IllegalArgumentException.class, () -> new WebSocketFrame(false, Opcode.PONG, new byte[0], false));
    }

    @Test
    void copiesThePayloadOnTheWayInAndOut() {
        byte[] data = ascii("abc");
        WebSocketFrame frame = WebSocketFrame.binary(data);

        data[0] = 'X';
        frame.payload()[1] = 'X';

        assertEquals("abc", frame.payloadText());
        assertTrue(frame.toString().contains("3 bytes"), frame.toString());
    }

    private static WebSocketFrame complete(Result result) {
        return assertInstanceOf(Result.Complete.class, result).frame();
    }

    private static void assertRejected(Problem problem, int closeCode, Result result) {
        Result.Rejected rejected = assertInstanceOf(Result.Rejected.class, result);
        assertEquals(problem, rejected.problem(), rejected.detail());
        assertEquals(closeCode, rejected.closeCode());
    }

    private static ByteBuffer wire(WebSocketFrame... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (WebSocketFrame frame : frames) {
            out.writeBytes(WebSocketFrame.encode(frame));
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    /** Gives {@code bytes} to {@code decoder.nextMessage}, checking that it consumed them all. */
    private static Result feed(WebSocketFrameDecoder decoder, byte[] bytes) {
        ByteBuffer input = ByteBuffer.wrap(bytes);
        Result result = decoder.nextMessage(input);
        if (!(result instanceof Result.Rejected)) {
            assertFalse(input.hasRemaining(), "left " + input.remaining() + " bytes");
        }
        return result;
    }

    /** A client's frame on the wire, masked with {@link #KEY}. */
    private static byte[] masked(boolean fin, Opcode opcode, byte[] payload) {
        return WebSocketFrame.encode(new WebSocketFrame(fin, opcode, payload, true), KEY);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
