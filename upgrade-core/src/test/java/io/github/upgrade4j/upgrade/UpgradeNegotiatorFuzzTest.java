package io.github.upgrade4j.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.ParserOptions;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of the origin role, {@link UpgradeNegotiator} with {@link WebSocketHandshake}
 * and {@link H2cUpgrade}: for any request head the parser accepts, {@code decide} returns Switch, Reject
 * or Ignore, never another exception, and a Switch is one RFC 9110 §7.8 and RFC 6455 §4.2.2 allow: an
 * HTTP/1.1 request whose {@code Connection} has {@code upgrade}, a protocol the client offered, and
 * for WebSocket a GET with exactly one valid key answered by its accept. Every answer written out
 * parses again.
 *
 * <p>Two negotiators are used: {@link UpgradeNegotiator#standard()} and one that also speaks h2c,
 * agrees to the first offered subprotocol, accepts every offered extension and allows only one origin.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs as a regression test over the shared seed corpus
 * {@code upgrade-core/src/test/fuzz-corpus/} (every raw head of the tests, {@code head_*} written by
 * {@code scripts/FuzzSeeds.java}, and hand-written heads), which the build copies into this target's
 * inputs folder, and over any finding of its own in
 * {@code src/test/resources/io/github/upgrade4j/upgrade/UpgradeNegotiatorFuzzTestInputs/decidesAnyRequestSafely/}.
 * {@code scripts/fuzz.sh} fuzzes it for a given time.
 */
class UpgradeNegotiatorFuzzTest {
    private static final ParserOptions LENIENT = ParserOptions.standard().with(ParserOptions.Leniency.LF_LINE_ENDINGS);
    private static final UpgradeNegotiator EVERYTHING = UpgradeNegotiator.of(WebSocketHandshake.builder()
            .origins(OriginPolicy.allowing(true, "https://app.example"))
            .subprotocols(offered -> Optional.of(offered.get(0)))
            .extensions(offered -> offered)
            .build(), H2cUpgrade.handler());
    private static final List<UpgradeNegotiator> NEGOTIATORS = List.of(UpgradeNegotiator.standard(), EVERYTHING);

    @FuzzTest(maxDuration = "2m")
    void decidesAnyRequestSafely(byte[] input) {
        ParseResult<RequestHead> parsed = Http1Parser.forRequests(LENIENT).parse(ByteBuffer.wrap(input));
        if (!(parsed instanceof ParseResult.Complete<RequestHead> complete)) {
            return;
        }
        RequestHead request = complete.head();
        for (UpgradeNegotiator negotiator : NEGOTIATORS) {
            UpgradeDecision decision = negotiator.decide(request);
            assertNotNull(decision);
            assertEquals(decision, negotiator.decide(request), "the same head gives the same decision");
            if (decision instanceof UpgradeDecision.Switch s) {
                checkSwitch(request, s);
            } else if (decision instanceof ErrorAnswer reject) {
                checkReject(reject);
            } else {
                UpgradeDecision.Ignore ignore = assertInstanceOf(UpgradeDecision.Ignore.class, decision);
                assertSafeToLog(ignore.detail());
                if (!request.headers().contains(HeaderName.UPGRADE)) {
                    assertTrue(ignore.reason() == UpgradeReason.Ignored.NOT_OFFERED
                            || ignore.reason() == UpgradeReason.Ignored.UPGRADE_FIELD_MISSING, ignore::toString);
                }
            }
        }
    }

    private static void checkSwitch(RequestHead request, UpgradeDecision.Switch s) {
        Headers in = request.headers();
        assertEquals(HttpVersion.HTTP_1_1, request.version(), "switched a request that is not HTTP/1.1");
        assertTrue(in.hasToken(HeaderName.CONNECTION, "upgrade"), "switched without Connection: upgrade");
        List<String> offered = ((FieldList.Valid) FieldList.parse(in.values(HeaderName.UPGRADE),
                FieldList.Element.PROTOCOL, FieldList.DEFAULT_MAX_ELEMENTS)).elements();
        assertTrue(offered.stream().map(Protocol::parse).anyMatch(s.protocol()::sameAs),
                () -> "switched to " + s.protocol() + " but the client offered " + offered);
        ResponseHead response = s.response();
        assertEquals(101, response.status());
        Headers out = response.headers();
        assertTrue(out.hasToken(HeaderName.CONNECTION, "upgrade"), "a 101 without Connection: upgrade");
        assertEquals(1, out.values(HeaderName.UPGRADE).size());
        assertTrue(Protocol.parse(out.values(HeaderName.UPGRADE).get(0)).sameAs(s.protocol()));
        if (s.protocol().named("websocket")) {
            assertEquals("GET", request.method());
            List<String> keys = in.values(HeaderName.SEC_WEBSOCKET_KEY);
            assertEquals(1, keys.size(), "switched with " + keys.size() + " keys");
            assertEquals(List.of(WebSocketHandshake.accept(keys.get(0))), out.values(HeaderName.SEC_WEBSOCKET_ACCEPT));
            assertEquals(List.of("13"), in.values(HeaderName.SEC_WEBSOCKET_VERSION));
            for (String chosen : out.values(HeaderName.SEC_WEBSOCKET_PROTOCOL)) {
                assertTrue(in.hasToken(HeaderName.SEC_WEBSOCKET_PROTOCOL, chosen), "a subprotocol nobody offered");
            }
        } else {
            assertEquals(1, in.values(HeaderName.HTTP2_SETTINGS).size(), "h2c needs exactly one HTTP2-Settings");
            assertTrue(in.hasToken(HeaderName.CONNECTION, "HTTP2-Settings"));
        }
        reparses(response);
    }

    private static void checkReject(ErrorAnswer reject) {
        assertTrue(List.of(400, 403, 426).contains(reject.status()), () -> "status " + reject.status());
        Headers headers = reject.response().headers();
        assertEquals(List.of(Integer.toString(reject.body().length)), headers.values(HeaderName.CONTENT_LENGTH));
        if (reject.status() == 426) {
            assertEquals(List.of("13"), headers.values(HeaderName.SEC_WEBSOCKET_VERSION));
        }
        assertSafeToLog(reject.detail());
        assertTrue(new String(reject.body(), StandardCharsets.UTF_8).contains(reject.detail()));
        reparses(reject.response());
    }

    /** Written out and parsed strictly again, an answer comes back equal. */
    private static void reparses(ResponseHead head) {
        byte[] bytes = Http1Writer.toBytes(head);
        ParseResult<ResponseHead> again = Http1Parser.forResponses(ParserOptions.standard()
                .withMaxHeadBytes(Math.max(bytes.length, 16))).parse(ByteBuffer.wrap(bytes));
        assertEquals(head, assertInstanceOf(ParseResult.Complete.class, again, () -> "re-parse: " + again).head());
    }

    /** No CR, LF or other control character except HTAB. */
    private static void assertSafeToLog(String detail) {
        assertTrue(detail.chars().allMatch(c -> c == '\t' || c >= 0x20 && c != 0x7F), () -> "not safe to log: " + detail);
    }
}
