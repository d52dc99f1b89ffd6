package io.github.upgrade4j.regressions;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.hop.UpstreamConnection;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The proxy path of one head as bytes in, bytes out, so regressions read like the attack. */
final class Wire {
    private Wire() {}

    static RequestHead request(String raw) {
        ParseResult<RequestHead> result = Http1Parser.forRequests().parse(bytes(raw));
        if (result instanceof ParseResult.Complete<RequestHead> complete) {
            return complete.head();
        }
        throw new AssertionError("test head did not parse: " + result);
    }

    static ResponseHead response(String raw) {
        ParseResult<ResponseHead> result = Http1Parser.forResponses().parse(bytes(raw));
        if (result instanceof ParseResult.Complete<ResponseHead> complete) {
            return complete.head();
        }
        throw new AssertionError("test head did not parse: " + result);
    }

    /** What a proxy using {@code policy} writes upstream for {@code raw}, or the refusal. */
    static Forwarding forward(HopByHopPolicy policy, String raw) {
        return policy.forRequest(request(raw));
    }

    static String upstreamBytes(RequestHead head, Forwarding.Forward forward) {
        RequestHead out = head.withHeaders(forward.withConnection(UpstreamConnection.KEEP_ALIVE));
        return new String(Http1Writer.toBytes(out), StandardCharsets.ISO_8859_1);
    }

    private static ByteBuffer bytes(String raw) {
        return ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1));
    }
}
