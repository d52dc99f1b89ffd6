package io.github.upgrade4j.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.MessageHead;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.ParserOptions;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of the proxy role, {@link ProxyUpgrade#towardUpstream} and
 * {@link ProxyUpgrade#judge}: for any request head and any answer head the parser accepts, the proxy
 * answers with a typed result, never another exception, and opens a tunnel only for a 101 that was
 * solicited, is HTTP/1.1, names an offered protocol and says {@code Connection: upgrade}, and the 101 it relays
 * then has exactly one {@code Upgrade} line, that protocol as offered. What it sends upstream
 * offers only allowed protocols and is valid HTTP/1.1. And the two roles agree: the 101 this library's
 * own origin role ({@link UpgradeNegotiator}) would answer to the forwarded request is judged a tunnel.
 *
 * <p>Heads come from the fuzz data through the parser: a request head, then an answer head from the
 * bytes after it. When the data does not start with a request, a Chrome WebSocket upgrade is used and
 * the whole data is the answer. Every forwarded request is also judged against a few fixed answers (a
 * 200, a 426, a 100, a 101 to h2c, a 101 with the wrong accept) and the origin's own answer.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs as a regression test over the shared seed corpus
 * {@code upgrade-core/src/test/fuzz-corpus/} (every raw head of the tests, {@code head_*} written by
 * {@code scripts/FuzzSeeds.java}, and hand-written heads), which the build copies into this target's
 * inputs folder, and over its own seeds (a relayed 101) and findings in
 * {@code src/test/resources/io/github/upgrade4j/upgrade/ProxyUpgradeFuzzTestInputs/forwardsAndJudgesAnyHeadsSafely/}.
 * {@code scripts/fuzz.sh} fuzzes it for a given time.
 */
class ProxyUpgradeFuzzTest {
    private static final ParserOptions LENIENT = ParserOptions.standard()
            .with(ParserOptions.Leniency.LF_LINE_ENDINGS).with(ParserOptions.Leniency.STATUS_LINE_WITHOUT_REASON);
    private static final String CHROME = "GET /chat HTTP/1.1\r\nHost: app.example\r\nConnection: Upgrade\r\n"
            + "Upgrade: websocket\r\nOrigin: https://app.example\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
    private static final List<String> FIXED_ANSWERS = List.of(
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n",
            "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Content-Length: 16\r\n\r\n",
            "HTTP/1.1 100 Continue\r\n\r\n",
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nContent-Length: 0\r\n\r\n");

    /** A proxy and the origin that would stand behind it, speaking the same protocols. */
    private record Pair(ProxyUpgrade proxy, UpgradeNegotiator origin, boolean h2cAllowed) {}

    private static final List<Pair> PAIRS = List.of(
            new Pair(ProxyUpgrade.standard(), UpgradeNegotiator.standard(), false),
            new Pair(ProxyUpgrade.builder().validateWebSocket(false).allow("websocket", "h2c").build(),
                    UpgradeNegotiator.of(WebSocketHandshake.builder()
                            .subprotocols(offered -> Optional.of(offered.get(offered.size() - 1)))
                            .extensions(offered -> offered)
                            .build(), H2cUpgrade.handler()), true));

    @FuzzTest(maxDuration = "2m")
    void forwardsAndJudgesAnyHeadsSafely(byte[] input) {
        ByteBuffer buffer = ByteBuffer.wrap(input);
        RequestHead request;
        if (Http1Parser.forRequests(LENIENT).parse(buffer) instanceof ParseResult.Complete<RequestHead> complete) {
            request = complete.head();
        } else {
            request = ((ParseResult.Complete<RequestHead>) Http1Parser.forRequests()
                    .parse(ByteBuffer.wrap(CHROME.getBytes(StandardCharsets.ISO_8859_1)))).head();
            buffer = ByteBuffer.wrap(input);
        }
        List<ResponseHead> answers = new ArrayList<>();
        if (Http1Parser.forResponses(LENIENT).parse(buffer) instanceof ParseResult.Complete<ResponseHead> answer) {
            answers.add(answer.head());
        }
        for (String fixed : FIXED_ANSWERS) {
            answers.add(((ParseResult.Complete<ResponseHead>) Http1Parser.forResponses()
                    .parse(ByteBuffer.wrap(fixed.getBytes(StandardCharsets.ISO_8859_1)))).head());
        }
        for (Pair pair : PAIRS) {
            check(pair, request, answers);
        }
    }

    private static void check(Pair pair, RequestHead request, List<ResponseHead> answers) {
        Outbound outbound = pair.proxy().towardUpstream(request);
        assertNotNull(outbound);
        if (outbound instanceof ErrorAnswer refuse) {
            assertTrue(List.of(400, 426).contains(refuse.response().status()), refuse::toString);
            assertTrue(refuse.response().headers().hasToken(HeaderName.CONNECTION, "close"), "a refusal closes");
            assertEquals(List.of(Integer.toString(refuse.body().length)),
                    refuse.response().headers().values(HeaderName.CONTENT_LENGTH));
            assertSafeToLog(refuse.detail());
            reparses(refuse.response());
            return;
        }
        Outbound.Forward forward = assertInstanceOf(Outbound.Forward.class, outbound);
        UpgradeAttempt attempt = forward.attempt();
        Headers up = forward.head().headers();
        assertEquals(request.method(), forward.head().method());
        assertEquals(request.target(), forward.head().target());
        for (HeaderName name : List.of(HeaderName.KEEP_ALIVE, HeaderName.PROXY_CONNECTION, HeaderName.TRANSFER_ENCODING)) {
            assertFalse(up.contains(name), () -> name + " went upstream: " + up);
        }
        if ((attempt instanceof UpgradeAttempt.Forwarded)) {
            assertTrue(up.hasToken(HeaderName.CONNECTION, "upgrade"), "an upgrade forwarded without Connection: upgrade");
            List<String> offer = ((FieldList.Valid) FieldList.parse(up.values(HeaderName.UPGRADE),
                    FieldList.Element.PROTOCOL, FieldList.DEFAULT_MAX_ELEMENTS)).elements();
            assertEquals(((UpgradeAttempt.Forwarded) attempt).offered().size(), offer.size());
            for (String protocol : offer) {
                Protocol p = Protocol.parse(protocol);
                assertTrue(p.named("websocket") || pair.h2cAllowed() && p.named("h2c"), () -> "forwarded " + p);
                assertTrue(p.version() == null, () -> "an unversioned entry forwarded " + p);
            }
            if (!pair.h2cAllowed()) {
                assertFalse(up.contains(HeaderName.HTTP2_SETTINGS), "HTTP2-Settings went upstream");
            }
        } else {
            assertFalse(up.contains(HeaderName.UPGRADE), () -> "Upgrade went upstream without an upgrade: " + up);
            assertFalse(up.contains(HeaderName.HTTP2_SETTINGS), "HTTP2-Settings went upstream");
            assertEquals(1, up.values(HeaderName.CONNECTION).size());
            assertSafeToLog(((UpgradeDecision.Ignore) attempt).detail());
        }
        reparses(forward.head());

        for (ResponseHead answer : answers) {
            judge(pair, attempt, answer);
        }
        // The two roles agree: the origin's own 101 for what the proxy forwarded opens the tunnel.
        UpgradeDecision origin = pair.origin().decide(forward.head());
        if (origin instanceof UpgradeDecision.Switch s) {
            assertTrue((attempt instanceof UpgradeAttempt.Forwarded), "the origin switched a request the proxy forwarded plainly");
            Verdict verdict = judge(pair, attempt, s.response());
            Verdict.Tunnel tunnel = assertInstanceOf(Verdict.Tunnel.class, verdict,
                    () -> "the origin's own 101 " + s.response() + " for " + forward.head() + " was judged " + verdict);
            assertTrue(tunnel.protocol().sameAs(s.protocol()));
        } else if (origin instanceof ErrorAnswer reject) {
            judge(pair, attempt, reject.response());
        }
    }

    private static Verdict judge(Pair pair, UpgradeAttempt attempt, ResponseHead answer) {
        Verdict verdict = pair.proxy().judge(attempt, answer);
        assertNotNull(verdict);
        if (verdict instanceof Verdict.Tunnel tunnel) {
            assertTrue((attempt instanceof UpgradeAttempt.Forwarded), "a tunnel for a request forwarded without an upgrade");
            assertEquals(101, answer.status());
            assertEquals(HttpVersion.HTTP_1_1, answer.version(), "a tunnel for a 101 that is not HTTP/1.1");
            assertTrue(((UpgradeAttempt.Forwarded) attempt).offered().contains(tunnel.protocol()),
                    () -> "switched to " + tunnel.protocol() + ", not one of the offered " + ((UpgradeAttempt.Forwarded) attempt).offered());
            Headers toClient = tunnel.response().headers();
            assertEquals(List.of("upgrade"), toClient.values(HeaderName.CONNECTION));
            // Whatever the upstream's Upgrade lines held (an empty line, empty elements, another case),
            // the relayed 101 has exactly one, the protocol as the client offered it.
            assertEquals(List.of(tunnel.protocol().toString()), toClient.values(HeaderName.UPGRADE),
                    () -> "the relayed 101's Upgrade lines for the upstream's " + answer.headers().values(HeaderName.UPGRADE));
            assertFalse(toClient.contains(HeaderName.CONTENT_LENGTH) || toClient.contains(HeaderName.TRANSFER_ENCODING),
                    "a 101 with a body length");
            tunnel.notices().forEach(n -> assertSafeToLog(n.toString()));
            reparses(tunnel.response());
        } else if (verdict instanceof Verdict.Interim interim) {
            assertTrue(answer.isInformational() && answer.status() != 101, () -> "interim for " + answer.status());
            reparses(interim.response());
        } else if (verdict instanceof Verdict.Plain plain) {
            assertTrue(answer.status() >= 200, () -> "plain for " + answer.status());
            assertEquals((attempt instanceof UpgradeAttempt.Forwarded), plain.closeClient(), "an answer to an upgrade must close the client");
            Headers toClient = plain.response().headers();
            boolean advertised = plain.notices().stream()
                    .anyMatch(n -> n.kind() == Forwarding.NoticeKind.UPGRADE_ADVERTISED);
            assertEquals(advertised, toClient.contains(HeaderName.UPGRADE),
                    "Upgrade relayed on a plain answer only as an advertisement the proxy kept");
            plain.notices().forEach(n -> assertSafeToLog(n.toString()));
            if (plain.closeClient()) {
                assertEquals(List.of(advertised ? "upgrade, close" : "close"), toClient.values(HeaderName.CONNECTION));
            } else if (advertised) {
                assertEquals(List.of("upgrade"), toClient.values(HeaderName.CONNECTION));
            } else {
                assertFalse(toClient.contains(HeaderName.CONNECTION));
            }
            reparses(plain.response());
        } else {
            ErrorAnswer invalid = assertInstanceOf(ErrorAnswer.class, verdict);
            assertEquals(502, invalid.response().status());
            assertEquals(List.of(Integer.toString(invalid.body().length)),
                    invalid.response().headers().values(HeaderName.CONTENT_LENGTH));
            assertSafeToLog(invalid.detail());
            if (answer.status() == 101 && !(attempt instanceof UpgradeAttempt.Forwarded)) {
                assertEquals(UpgradeReason.Invalid.UNSOLICITED_SWITCH, invalid.reason());
            } else if (answer.status() == 101 && answer.version() != HttpVersion.HTTP_1_1) {
                assertEquals(UpgradeReason.Invalid.SWITCH_NOT_HTTP_1_1, invalid.reason());
            }
            reparses(invalid.response());
        }
        return verdict;
    }

    /** Written out and parsed strictly again, a head comes back equal. */
    private static void reparses(MessageHead head) {
        byte[] bytes = Http1Writer.toBytes(head);
        ParserOptions options = ParserOptions.standard().withMaxHeadBytes(Math.max(bytes.length, 16)).withMaxFields(1000);
        ParseResult<?> again = head instanceof RequestHead
                ? Http1Parser.forRequests(options).parse(ByteBuffer.wrap(bytes))
                : Http1Parser.forResponses(options).parse(ByteBuffer.wrap(bytes));
        assertEquals(head, assertInstanceOf(ParseResult.Complete.class, again, () -> "re-parse: " + again).head());
    }

    /** No CR, LF or other control character except HTAB. */
    private static void assertSafeToLog(String detail) {
        assertTrue(detail.chars().allMatch(c -> c == '\t' || c >= 0x20 && c != 0x7F), () -> "not safe to log: " + detail);
    }
}
