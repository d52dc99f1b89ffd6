package io.github.upgrade4j.regressions;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.hop.UpstreamConnection;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.RawHeads;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.nio.charset.StandardCharsets;

/** The proxy path of one head as bytes in, bytes out, so regressions read like the attack. */
final class Wire {
    private Wire() {}

    static RequestHead request(String raw) {
        return RawHeads.request(raw);
    }

    static ResponseHead response(String raw) {
        return RawHeads.response(raw);
    }

    /** What a proxy using {@code policy} writes upstream for {@code raw}, or the refusal. */
    static Forwarding forward(HopByHopPolicy policy, String raw) {
        return policy.forRequest(request(raw));
    }

    static String upstreamBytes(RequestHead head, Forwarding.Forward forward) {
        RequestHead out = head.withHeaders(forward.edit().connection(UpstreamConnection.KEEP_ALIVE).build());
        return new String(Http1Writer.toBytes(out), StandardCharsets.ISO_8859_1);
    }
}
