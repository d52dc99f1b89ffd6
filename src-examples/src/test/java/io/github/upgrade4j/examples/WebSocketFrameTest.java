package io.github.upgrade4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.WebSocketFrame.Opcode;
import io.github.upgrade4j.examples.WebSocketFrameDecoder.Problem;
import io.github.upgrade4j.examples.WebSocketFrameDecoder.Result;
import io.github.upgrade4j.examples.WebSocketFrameDecoder.Role;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
