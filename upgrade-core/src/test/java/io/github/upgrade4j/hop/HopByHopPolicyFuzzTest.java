package io.github.upgrade4j.hop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderField;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.MessageHead;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.ParserOptions;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of {@link HopByHopPolicy}: for any head the parser accepts, every method
 * returns a Forward or a Refuse, never another exception, and a Forward keeps its promises: no
 * connection-specific field and no nominated field goes on, every protected field does, the kept lines
 * are the received ones in their order, a second pass finds nothing more to remove, and what it
 * prepares for HTTP/2 passes its own HTTP/2 check. No request field whose name imitates a protected
 * one with {@code _} for {@code -} goes upstream.
 *
 * <p>Heads come from the fuzz data through the parser: a request head first, then a response head
 * from the bytes after it (or from the whole input when it is not a request). Four policies are used:
 * the standard one and a strict one that refuses protected nominations, forwards proxy
 * authentication and allows three {@code Connection} options.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs as a regression test over the shared seed corpus
 * {@code upgrade-core/src/test/fuzz-corpus/} (every raw head of the tests, {@code head_*} written by
 * {@code scripts/FuzzSeeds.java}, and hand-written heads), which the build copies into this target's
 * inputs folder, and over any finding of its own in
 * {@code src/test/resources/io/github/upgrade4j/hop/HopByHopPolicyFuzzTestInputs/stripsAnyHeadSafely/}.
 * {@code scripts/fuzz.sh} fuzzes it for a given time.
 */
class HopByHopPolicyFuzzTest {
    private static final ParserOptions LENIENT = ParserOptions.standard()
            .with(ParserOptions.Leniency.LF_LINE_ENDINGS).with(ParserOptions.Leniency.STATUS_LINE_WITHOUT_REASON);
    private static final HopByHopPolicy STRICT = HopByHopPolicy.builder()
            .protect(HeaderName.of("X-Secret"), Protection.REFUSE)
            .protect(HeaderName.AUTHORIZATION, Protection.REFUSE)
            .protectForwardingFields(Protection.REFUSE)
            .consumesProxyAuthentication(false)
            .maxConnectionOptions(3)
            .build();
    private static final List<Case> POLICIES = List.of(new Case(HopByHopPolicy.standard(), false),
            new Case(STRICT, true), new Case(STRICT.toBuilder().build(), true),
            new Case(HopByHopPolicy.standard().toBuilder().consumesProxyAuthentication(false).build(), false));
    /** Never removed by a nomination under {@link HopByHopPolicy#standard()}. */
    private static final List<HeaderName> PROTECTED = List.of(HeaderName.HOST, HeaderName.CONTENT_LENGTH,
            HeaderName.AUTHORIZATION, HeaderName.COOKIE, HeaderName.FORWARDED, HeaderName.X_REAL_IP, HeaderName.VIA);
    /** Names whose underscored aliases every policy here drops from requests, in lower case. */
    private static final List<String> ALIASED = List.of("host", "content-length", "authorization", "cookie",
            "forwarded", "x-real-ip", "via", "transfer-encoding");
    private static final List<HeaderName> ALWAYS_REMOVED = List.of(HeaderName.CONNECTION, HeaderName.KEEP_ALIVE,
            HeaderName.PROXY_CONNECTION, HeaderName.TRANSFER_ENCODING, HeaderName.HTTP2_SETTINGS);

    /** A policy, and whether it is {@link #STRICT} (which protects {@code X-Secret}). */
    private record Case(HopByHopPolicy policy, boolean strict) {}

    @FuzzTest(maxDuration = "2m")
    void stripsAnyHeadSafely(byte[] input) {
        ByteBuffer buffer = ByteBuffer.wrap(input);
        ParseResult<RequestHead> request = Http1Parser.forRequests(LENIENT).parse(buffer);
        if (request instanceof ParseResult.Complete<RequestHead> complete) {
            for (Case policy : POLICIES) {
                checkRequest(policy, complete.head());
            }
        } else {
            buffer = ByteBuffer.wrap(input);
        }
        if (Http1Parser.forResponses(LENIENT).parse(buffer) instanceof ParseResult.Complete<ResponseHead> response) {
            for (Case policy : POLICIES) {
                checkResponse(policy, response.head());
            }
        }
    }

    private static void checkRequest(Case c, RequestHead request) {
        HopByHopPolicy policy = c.policy();
        Forwarding forwarding = policy.forRequest(request);
        assertEquals(forwarding, policy.forRequest(request), "the same head gives the same answer");
        if (forwarding instanceof Forwarding.Refuse refuse) {
            checkRefuse(refuse, 400);
            return;
        }
        Forwarding.Forward forward = assertInstanceOf(Forwarding.Forward.class, forwarding);
        Headers in = request.headers();
        Headers out = forward.headers();
        for (HeaderName name : ALWAYS_REMOVED) {
            assertFalse(out.contains(name), () -> name + " went upstream: " + out);
        }
        assertFalse(out.contains(HeaderName.UPGRADE), () -> "Upgrade went upstream: " + out);
        if (out.contains(HeaderName.TE)) {
            assertEquals(List.of("trailers"), out.values(HeaderName.TE), "only TE: trailers is re-added");
            assertTrue(in.hasToken(HeaderName.TE, "trailers"), "TE: trailers only when the client offered it");
        }
        checkCommon(c, in, forward, false, false);
        // No field whose name, with '_' read as '-', is a protected one goes upstream (RFC 3875 §4.1.18).
        for (HeaderField field : out) {
            String read = field.name().toString().replace('_', '-').toLowerCase(Locale.ROOT);
            boolean imitates = !read.equals(field.name().toString().toLowerCase(Locale.ROOT))
                    && (ALIASED.contains(read) || read.startsWith("x-forwarded-") && read.length() > 12
                            || c.strict() && read.equals("x-secret"));
            assertFalse(imitates, () -> "the underscored alias " + field.name() + " went upstream: " + out);
        }

        // A second pass finds only the TE: trailers it re-added itself.
        Forwarding.Forward again = assertInstanceOf(Forwarding.Forward.class,
                policy.forRequest(request.withHeaders(out)), "the forwarded head is refused");
        assertEquals(out, again.headers(), "a second pass changes the head");
        for (Forwarding.Removal removal : again.removals()) {
            assertEquals(HeaderField.of("TE", "trailers"), removal.field(), "a second pass removed more");
        }

        // The proxy's own Connection line is appended last and the head is still valid HTTP/1.1.
        Headers withConnection = forward.edit().connection(UpstreamConnection.KEEP_ALIVE).build();
        assertEquals(1, withConnection.values(HeaderName.CONNECTION).size());
        assertEquals(HeaderName.CONNECTION, withConnection.name(withConnection.size() - 1));
        reparses(request.withHeaders(withConnection));

        Forwarding http2 = policy.forHttp2(request);
        if (http2 instanceof Forwarding.Forward h2) {
            Optional<Forwarding.Refuse> check = HopByHopPolicy.checkReceivedOverHttp2(request.withHeaders(h2.headers()));
            assertTrue(check.isEmpty(), () -> "what forHttp2 prepared fails the HTTP/2 check: " + check);
        } else {
            checkRefuse(assertInstanceOf(Forwarding.Refuse.class, http2), 400);
        }
        HopByHopPolicy.checkReceivedOverHttp2(request).ifPresent(refuse -> checkRefuse(refuse, 400));
    }

    private static void checkResponse(Case c, ResponseHead response) {
        HopByHopPolicy policy = c.policy();
        Forwarding forwarding = policy.forResponse(response);
        if (forwarding instanceof Forwarding.Refuse refuse) {
            checkRefuse(refuse, 502);
            return;
        }
        Forwarding.Forward forward = assertInstanceOf(Forwarding.Forward.class, forwarding);
        Headers in = response.headers();
        Headers out = forward.headers();
        int status = response.status();
        if (status == 101) {
            assertEquals(List.of("upgrade"), out.values(HeaderName.CONNECTION), "a relayed 101 says Connection: upgrade");
            assertEquals(in.values(HeaderName.UPGRADE), out.values(HeaderName.UPGRADE), "a relayed 101 keeps Upgrade");
        } else {
            assertFalse(out.contains(HeaderName.CONNECTION), () -> "Connection went to the client: " + out);
            assertFalse(out.contains(HeaderName.UPGRADE), () -> "Upgrade went to the client: " + out);
        }
        for (HeaderName name : List.of(HeaderName.KEEP_ALIVE, HeaderName.PROXY_CONNECTION, HeaderName.TE,
                HeaderName.TRANSFER_ENCODING, HeaderName.HTTP2_SETTINGS)) {
            assertFalse(out.contains(name), () -> name + " went to the client: " + out);
        }
        if (status < 200 || status == 204) {
            assertFalse(out.contains(HeaderName.CONTENT_LENGTH), "a 1xx or 204 has no Content-Length");
        }
        checkCommon(c, in, forward, true, status == 101);
        reparses(response.withHeaders(out));
        if (status != 101) {
            Forwarding http2 = policy.forHttp2(response);
            if (http2 instanceof Forwarding.Forward h2) {
                assertTrue(HopByHopPolicy.checkReceivedOverHttp2(response.withHeaders(h2.headers())).isEmpty(),
                        "what forHttp2 prepared fails the HTTP/2 check");
            } else {
                checkRefuse(assertInstanceOf(Forwarding.Refuse.class, http2), 502);
            }
        }
    }

    /** Promises that hold in both directions. */
    private static void checkCommon(Case policy, Headers in, Forwarding.Forward forward, boolean response, boolean switching) {
        Headers out = forward.headers();
        // Protected fields survive any nomination, line for line.
        for (HeaderName name : PROTECTED) {
            if (!(name.equals(HeaderName.CONTENT_LENGTH) && !out.contains(name) && removedFor(forward, name,
                    Forwarding.RemovalCause.NOT_ALLOWED_FOR_STATUS))) {
                assertEquals(in.values(name), out.values(name), () -> "protected " + name + " changed: " + out);
            }
        }
        for (HeaderField field : in) {
            // An X-Forwarded-* name with '_' is an underscored alias of one without (x-forwarded-X_Tenant reads
            // as X-Forwarded-X-Tenant to a server that maps '_' to '-'): checked above, not here.
            if (field.name().toString().regionMatches(true, 0, "X-Forwarded-", 0, 12) && field.name().toString().length() > 12
                    && field.name().toString().indexOf('_') < 0) {
                assertEquals(in.values(field.name()), out.values(field.name()), () -> field.name() + " changed");
            }
        }
        // Nominated names that are not protected are gone.
        if (in.contains(HeaderName.CONNECTION)
                && FieldList.parse(in.values(HeaderName.CONNECTION), FieldList.Element.TOKEN, Integer.MAX_VALUE)
                        instanceof FieldList.Valid nominations) {
            for (String token : nominations.elements()) {
                HeaderName name = HeaderName.of(token);
                boolean kept = PROTECTED.contains(name) || token.length() > 12
                        && token.regionMatches(true, 0, "X-Forwarded-", 0, 12)
                        || name.is("X-Secret") && policy.strict()
                        || !response && name.equals(HeaderName.TE) // TE: trailers is the proxy's own, re-added
                        || switching && (name.equals(HeaderName.UPGRADE) || name.equals(HeaderName.CONNECTION));
                if (!kept) {
                    assertFalse(out.contains(name), () -> "nominated " + token + " went on: " + out);
                }
            }
        }
        // The lines kept are the received ones, in order, with removals accounting for the rest; the
        // only lines added are TE: trailers toward the upstream and Connection: upgrade on a 101, whose
        // received namesakes are always removed.
        List<HeaderField> kept = new ArrayList<>();
        for (HeaderField field : out) {
            if (!(switching && field.name().equals(HeaderName.CONNECTION) || !response && field.name().equals(HeaderName.TE))) {
                kept.add(field);
            }
        }
        int k = 0;
        int r = 0;
        List<Forwarding.Removal> removals = forward.removals();
        for (HeaderField field : in) {
            if (r < removals.size() && removals.get(r).field().equals(field)) {
                r++;
            } else if (k < kept.size() && kept.get(k).equals(field)) {
                k++;
            } else {
                fail("line " + field + " was neither kept in order nor reported removed; out " + out
                        + ", removals " + removals);
            }
        }
        assertEquals(removals.size(), r, "every removal is a received line");
        int matched = k;
        assertEquals(kept.size(), matched, () -> "lines added: " + kept.subList(matched, kept.size()));
        forward.notices().forEach(n -> assertSafeToLog(n.detail()));
    }

    private static boolean removedFor(Forwarding.Forward forward, HeaderName name, Forwarding.RemovalCause cause) {
        return forward.removals().stream().anyMatch(r -> r.field().name().equals(name) && r.cause() == cause);
    }

    private static void checkRefuse(Forwarding.Refuse refuse, int status) {
        assertEquals(status, refuse.status());
        assertNotNull(refuse.reason());
        assertSafeToLog(refuse.detail());
        assertTrue(refuse.message().startsWith(refuse.detail()));
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

    /** No CR, LF or other control character except HTAB: a detail can go into a log line as it is. */
    private static void assertSafeToLog(String detail) {
        assertTrue(detail.chars().allMatch(c -> c == '\t' || c >= 0x20 && c != 0x7F),
                () -> "not safe to log: " + detail);
    }
}
