package io.github.upgrade4j.examples.support;

import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Parses the examples' built-in request heads, which are known to be valid. */
public final class RawHead {
    private RawHead() {}

    public static RequestHead request(String raw) {
        ParseResult<RequestHead> result = Http1Parser.forRequests()
                .parse(ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1)));
        if (result instanceof ParseResult.Complete<RequestHead> complete) {
            return complete.head();
        }
        throw new IllegalStateException("built-in example head did not parse: " + result);
    }
}
