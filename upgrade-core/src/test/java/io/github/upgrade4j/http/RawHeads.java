package io.github.upgrade4j.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Parses raw heads written as text blocks, so that tests in every package read like the wire. */
public final class RawHeads {
    private RawHeads() {}

    /** The request head in {@code raw}; fails the test when it does not parse. */
    public static RequestHead request(String raw) {
        return complete(Http1Parser.forRequests().parse(bytes(raw)));
    }

    /** The response head in {@code raw}; fails the test when it does not parse. */
    public static ResponseHead response(String raw) {
        return complete(Http1Parser.forResponses().parse(bytes(raw)));
    }

    private static <H extends MessageHead> H complete(ParseResult<H> result) {
        if (result instanceof ParseResult.Complete<H> complete) {
            return complete.head();
        }
        throw new AssertionError("test head did not parse: " + result);
    }

    private static ByteBuffer bytes(String raw) {
        return ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1));
    }
}
