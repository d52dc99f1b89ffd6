package io.github.upgrade4j.hop;

import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Parses raw heads written as text blocks, so tests read like the wire. */
final class Heads {
    private Heads() {}

    static RequestHead request(String raw) {
        return (RequestHead) complete(Http1Parser.forRequests().parse(bytes(raw)));
    }

    static ResponseHead response(String raw) {
        return (ResponseHead) complete(Http1Parser.forResponses().parse(bytes(raw)));
    }

    private static Object complete(ParseResult<?> result) {
        if (result instanceof ParseResult.Complete<?> complete) {
            return complete.head();
        }
        throw new AssertionError("test head did not parse: " + result);
    }

    private static ByteBuffer bytes(String raw) {
        return ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1));
    }
}
