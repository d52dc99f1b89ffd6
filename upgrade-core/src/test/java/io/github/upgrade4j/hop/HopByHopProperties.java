package io.github.upgrade4j.hop;

import static io.github.upgrade4j.http.Draws.draw;
import static io.github.upgrade4j.http.Draws.recase;
import static io.github.upgrade4j.http.Draws.stripOws;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import io.github.upgrade4j.http.HeaderField;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

/**
 * Properties of {@link HopByHopPolicy#standard()} (RFC 9110 §7.6.1), checked against an oracle that
 * knows which names the generator put on the {@code Connection} lines.
 *
 * <p>Heads mix end-to-end fields (some whose names merely start like a hop-by-hop or protected name,
 * such as {@code Connection-Id} or {@code X-Forwarded}), the always hop-by-hop fields, protected
 * fields, and up to three {@code Connection} lines nominating present and absent names plus
 * {@code close}, {@code keep-alive} and {@code upgrade}, with random OWS, empty elements and empty
 * lines. Every name and every option is spelled in random ASCII case.
 */
class HopByHopProperties {
    private static final int EXAMPLES = 500;
    private static final HopByHopPolicy POLICY = HopByHopPolicy.standard();

    private static final List<String> END_TO_END = List.of("Accept", "User-Agent", "Content-Type", "Trailer",
            "Sec-WebSocket-Key", "Origin", "Set-Cookie", "Date", "X-Backend", "Connection-Id",
            "Upgrade-Insecure-Requests", "X-Forwarded", "X-ForwardedFor", "X-Real", "TE-Hint");
    private static final List<String> HOP_BY_HOP = List.of("Keep-Alive", "Proxy-Connection", "TE",
            "Transfer-Encoding", "Upgrade", "HTTP2-Settings", "Proxy-Authorization", "Proxy-Authenticate");
    private static final List<String> PROTECTED = List.of("Host", "Content-Length", "Authorization", "Cookie",
            "Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port",
            "X-Forwarded-Client-Cert", "X-Real-IP", "Via");
    private static final List<String> OPTIONS = List.of("close", "keep-alive", "upgrade");
    private static final List<String> VALUES = List.of("1", "a b", "text/html; charset=utf-8", "", "close",
            "\"q, uoted\"", "keep-alive, x", "Bearer t0k3n", "0");
    /** TE elements; only {@code trailers} itself offers trailers, not one hidden in a quoted string. */
    private static final List<String> TE_ELEMENTS = List.of("gzip", "deflate;q=0.5", "compress",
            "x;p=\"trailers, y\"", "trailersx", "x-trailers");

    /** Protected names with a {@code -}, and {@code Transfer-Encoding}: the names an underscored alias imitates. */
    private static final List<String> ALIASED = List.of("Content-Length", "X-Forwarded-For", "X-Forwarded-Proto",
            "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Client-Cert", "X-Real-IP", "Transfer-Encoding");
    /** Names with {@code _} that imitate no protected name, among them near misses. */
    private static final List<String> HARMLESS_UNDERSCORED = List.of("X_Request_Id", "Accept_Language", "X_Forwarded",
            "X-Forwarded_", "X_ForwardedFor", "Host_", "X_Real", "Content_Type", "_");
    private static final Set<String> ALWAYS_HOP_BY_HOP = lower(HOP_BY_HOP);
    private static final Set<String> PROTECTED_EXACT = lower(List.of("Host", "Content-Length", "Authorization",
            "Cookie", "Forwarded", "X-Real-IP", "Via"));
    private static final String FORWARDING_PREFIX = "x-forwarded-";

    /**
     * A generated field set with what the oracle needs to know about it.
     *
     * @param headers the field lines
     * @param tokens every option on every {@code Connection} line, as spelled
     * @param teTrailers whether some {@code TE} line offers {@code trailers}
     */
    record Head(Headers headers, List<String> tokens, boolean teTrailers) {
        @Override
        public String toString() {
            return render(headers) + "\n  Connection options: " + tokens + "\n  TE offers trailers: " + teTrailers;
        }
    }

    /**
     * A head with names that have {@code _} but imitate nothing, and the same head with underscored
     * aliases of protected names inserted.
     *
     * @param harmless the head without aliases
     * @param with the head with them
     * @param aliases the inserted alias lines in wire order
     */
    record Aliased(Headers harmless, Headers with, List<HeaderField> aliases) {
        @Override
        public String toString() {
            return render(with) + "\n  aliases: " + aliases;
        }
    }

    /** A head and the same head with names and {@code Connection} options re-cased. */
    record Respelled(Head original, Head recased) {
        @Override
        public String toString() {
            return "original:" + render(original.headers()) + "\nre-cased:" + render(recased.headers());
        }
    }

    @Test
    void strippingRemovesConnectionEveryHopByHopAndEveryNominatedUnprotectedFieldAndKeepsTheRest() {
        qt().withExamples(EXAMPLES).forAll(heads(true), finalOrInterimStatuses()).checkAssert((head, status) -> {
            Forwarding.Forward request = forward(POLICY.forRequest(request(head.headers())));
            assertStripped(head, request.headers(), true, 0);
            Forwarding.Forward response = forward(POLICY.forResponse(ResponseHead.of(status, head.headers())));
            assertStripped(head, response.headers(), false, status);
        });
    }

    @Test
    void strippingTwiceIsStrippingOnce() {
        qt().withExamples(EXAMPLES).forAll(heads(true), anyStatus()).checkAssert((head, status) -> {
            RequestHead request = request(head.headers());
            Headers once = forward(POLICY.forRequest(request)).headers();
            Headers twice = forward(POLICY.forRequest(request.withHeaders(once))).headers();
            assertEquals(render(once), render(twice));
            assertEquals(once, twice);

            ResponseHead response = response(head.headers(), status);
            Headers onceBack = forward(POLICY.forResponse(response)).headers();
            Headers twiceBack = forward(POLICY.forResponse(response.withHeaders(onceBack))).headers();
            assertEquals(render(onceBack), render(twiceBack));
            assertEquals(onceBack, twiceBack);
        });
    }

    @Test
    void keptFieldsAreASubsequenceOfTheInputInWireOrderWithTheirSpelling() {
        qt().withExamples(EXAMPLES).forAll(heads(true), finalOrInterimStatuses()).checkAssert((head, status) -> {
            List<String> requestKept = spelled(forward(POLICY.forRequest(request(head.headers()))).headers());
            if (head.teTrailers()) {
                assertEquals("TE: trailers", requestKept.remove(requestKept.size() - 1), "the appended TE line");
            }
            assertSubsequence(spelled(head.headers()), requestKept);
            List<String> responseKept =
                    spelled(forward(POLICY.forResponse(ResponseHead.of(status, head.headers()))).headers());
            assertSubsequence(spelled(head.headers()), responseKept);
        });
    }

    @Test
    void recasingEveryNameAndConnectionOptionChangesNothingButSpelling() {
        Gen<Respelled> pairs = in -> {
            Head head = heads(true).generate(in);
            return new Respelled(head, recased(in, head));
        };
        qt().withExamples(EXAMPLES).forAll(pairs, anyStatus()).checkAssert((pair, status) -> {
            Head original = pair.original();
            Head recased = pair.recased();
            assertSameOutcome(forward(POLICY.forRequest(request(original.headers()))),
                    forward(POLICY.forRequest(request(recased.headers()))));
            assertSameOutcome(forward(POLICY.forResponse(response(original.headers(), status))),
                    forward(POLICY.forResponse(response(recased.headers(), status))));
        });
    }

    @Test
    void everyInputLineIsEitherForwardedOrRemovedExactlyOnce() {
        qt().withExamples(EXAMPLES).forAll(heads(false), finalOrInterimStatuses()).checkAssert((head, status) -> {
            assertConserved(head.headers(), forward(POLICY.forRequest(request(head.headers()))));
            assertConserved(head.headers(), forward(POLICY.forResponse(ResponseHead.of(status, head.headers()))));
        });
    }

    @Test
    void aRelayedSwitchHasExactlyConnectionUpgradeKeepsItsUpgradeAndLosesEveryNominatedField() {
        Gen<Head> switches = in -> {
            Head head = heads(true).generate(in);
            List<HeaderField> fields = new ArrayList<>(head.headers().fields());
            fields.add(draw(in, 0, fields.size()), HeaderField.of(recase(in, "Upgrade"), "websocket"));
            return new Head(Headers.of(fields), head.tokens(), head.teTrailers());
        };
        qt().withExamples(EXAMPLES).forAll(switches).checkAssert(head -> {
            Headers out = forward(POLICY.forResponse(ResponseHead.of(101, head.headers()))).headers();
            assertEquals(List.of("upgrade"), out.values(HeaderName.CONNECTION), "the Connection lines");
            assertEquals(only(spelled(head.headers()), "upgrade"), only(spelled(out), "upgrade"), "the Upgrade lines");
            Set<String> nominated = nominatedUnprotected(head);
            for (HeaderField field : out) {
                String name = lower(field.name());
                if (name.equals("connection") || name.equals("upgrade")) {
                    continue;
                }
                assertFalse(nominated.contains(name), () -> "nominated field forwarded: " + field);
                assertFalse(ALWAYS_HOP_BY_HOP.contains(name), () -> "hop-by-hop field forwarded: " + field);
            }
        });
    }

    @Test
    void underscoredAliasesOfProtectedNamesAreDroppedFromRequestsOnlyAndOtherUnderscoredNamesPass() {
        Gen<Aliased> aliased = in -> {
            Head head = heads(true).generate(in);
            List<HeaderField> harmless = new ArrayList<>(head.headers().fields());
            for (int n = draw(in, 0, 2); n > 0; n--) {
                harmless.add(draw(in, 0, harmless.size()), HeaderField.of(recase(in, pick(in, HARMLESS_UNDERSCORED)), "1"));
            }
            List<HeaderField> with = new ArrayList<>(harmless);
            List<HeaderField> aliases = new ArrayList<>();
            for (int n = draw(in, 1, 3); n > 0; n--) {
                HeaderField alias = HeaderField.of(recase(in, underscored(in, pick(in, ALIASED))), pick(in, VALUES));
                aliases.add(alias);
                with.add(draw(in, 0, with.size()), alias);
            }
            List<HeaderField> inWireOrder = with.stream().filter(aliases::contains).toList();
            return new Aliased(Headers.of(harmless), Headers.of(with), inWireOrder);
        };
        qt().withExamples(EXAMPLES).forAll(aliased, finalOrInterimStatuses()).checkAssert((head, status) -> {
            Forwarding.Forward request = forward(POLICY.forRequest(request(head.with())));
            Forwarding.Forward without = forward(POLICY.forRequest(request(head.harmless())));
            assertEquals(render(without.headers()), render(request.headers()), "the aliases are all that differs");
            assertEquals(head.aliases(), request.removals().stream()
                    .filter(r -> r.cause() == Forwarding.RemovalCause.UNDERSCORED_ALIAS).map(Forwarding.Removal::field)
                    .toList(), "the aliases reported, in wire order");
            assertFalse(without.removals().stream().anyMatch(r -> r.cause() == Forwarding.RemovalCause.UNDERSCORED_ALIAS),
                    () -> "a harmless name was dropped: " + without.removals());

            Forwarding.Forward response = forward(POLICY.forResponse(ResponseHead.of(status, head.with())));
            assertFalse(response.removals().stream().anyMatch(r -> r.cause() == Forwarding.RemovalCause.UNDERSCORED_ALIAS),
                    () -> "a response lost an alias: " + response.removals());
            assertSubsequence(spelled(response.headers()), head.aliases().stream().map(HopByHopProperties::spelled).toList());
        });
    }

    @Test
    void moreThan32DistinctConnectionOptionsIsRefused() {
        Gen<Head> crowded = in -> {
            Head head = heads(true).generate(in);
            List<HeaderField> fields = new ArrayList<>(head.headers().fields());
            List<String> tokens = new ArrayList<>(head.tokens());
            int distinct = draw(in, 33, 64);
            int lines = draw(in, 1, 4);
            int next = 0;
            for (int l = lines; l > 0; l--) {
                int upTo = l == 1 ? distinct : draw(in, next, distinct);
                StringBuilder line = new StringBuilder();
                for (; next < upTo; next++) {
                    String token = recase(in, "X-Opt-" + next);
                    tokens.add(token);
                    line.append(ows(in)).append(token).append(ows(in)).append(draw(in, 0, 3) == 0 ? ",," : ",");
                }
                fields.add(draw(in, 0, fields.size()), HeaderField.of(recase(in, "Connection"), stripOws(line)));
            }
            return new Head(Headers.of(fields), tokens, head.teTrailers());
        };
        qt().withExamples(EXAMPLES).forAll(crowded, integers().between(100, 599)).checkAssert((head, status) -> {
            Forwarding.Refuse toClient = refuse(POLICY.forRequest(request(head.headers())));
            assertEquals(Refusal.TOO_MANY_CONNECTION_OPTIONS, toClient.reason());
            assertEquals(400, toClient.status());
            Forwarding.Refuse fromUpstream = refuse(POLICY.forResponse(ResponseHead.of(status, head.headers())));
            assertEquals(Refusal.TOO_MANY_CONNECTION_OPTIONS, fromUpstream.reason());
            assertEquals(502, fromUpstream.status());
        });
    }

    // ---- oracle ----

    /** The checks of the first property, for a request ({@code upstream}, status 0) or a response. */
    private static void assertStripped(Head head, Headers out, boolean upstream, int status) {
        List<HeaderField> kept = new ArrayList<>(out.fields());
        boolean appendsTe = upstream && head.teTrailers();
        if (appendsTe) {
            assertFalse(kept.isEmpty(), "expected TE: trailers to be appended but nothing was forwarded");
            HeaderField last = kept.remove(kept.size() - 1);
            assertEquals("TE: trailers", last.name() + ": " + last.value(), "the last line toward the upstream");
        }
        Set<String> nominated = nominatedUnprotected(head);
        for (HeaderField field : kept) {
            String name = lower(field.name());
            assertFalse(name.equals("connection"), () -> "Connection forwarded: " + field);
            assertFalse(ALWAYS_HOP_BY_HOP.contains(name), () -> "hop-by-hop field forwarded: " + field);
            assertFalse(nominated.contains(name), () -> "nominated field forwarded: " + field);
        }
        boolean dropsLength = status != 0 && (status < 200 || status == 204); // RFC 9110 §8.6
        List<String> protectedIn = new ArrayList<>();
        List<String> endToEndIn = new ArrayList<>();
        for (HeaderField field : head.headers()) {
            String name = lower(field.name());
            if (isProtected(name)) {
                if (!(dropsLength && name.equals("content-length"))) {
                    protectedIn.add(spelled(field));
                }
            } else if (!name.equals("connection") && !ALWAYS_HOP_BY_HOP.contains(name) && !nominated.contains(name)) {
                endToEndIn.add(spelled(field));
            }
        }
        List<String> protectedOut = new ArrayList<>();
        List<String> endToEndOut = new ArrayList<>();
        for (HeaderField field : kept) {
            (isProtected(lower(field.name())) ? protectedOut : endToEndOut).add(spelled(field));
        }
        assertEquals(protectedIn, protectedOut, "the protected fields");
        assertEquals(endToEndIn, endToEndOut, "the end-to-end fields nobody nominated");
    }

    private static void assertSameOutcome(Forwarding.Forward original, Forwarding.Forward recased) {
        assertEquals(original.headers(), recased.headers(),
                () -> "expected\n" + render(original.headers()) + "but was\n" + render(recased.headers()));
        assertEquals(causes(original), causes(recased), "the removal causes");
        assertEquals(original.notices().stream().map(Forwarding.Notice::kind).toList(),
                recased.notices().stream().map(Forwarding.Notice::kind).toList(), "the notice kinds");
    }

    private static void assertConserved(Headers in, Forwarding.Forward forward) {
        assertEquals(in.size(), forward.headers().size() + forward.removals().size(),
                () -> "forwarded\n" + render(forward.headers()) + "removed " + forward.removals());
        List<String> removed = forward.removals().stream().map(r -> spelled(r.field())).toList();
        assertSubsequence(spelled(in), removed);
        List<String> accounted = new ArrayList<>(spelled(forward.headers()));
        accounted.addAll(removed);
        List<String> received = new ArrayList<>(spelled(in));
        accounted.sort(null);
        received.sort(null);
        assertEquals(received, accounted, "every line, forwarded or removed");
    }

    private static void assertSubsequence(List<String> whole, List<String> part) {
        int i = 0;
        for (String line : part) {
            while (i < whole.size() && !whole.get(i).equals(line)) {
                i++;
            }
            if (i == whole.size()) {
                fail("expected " + part + " to be a subsequence of " + whole + " but [" + line + "] is out of order"
                        + " or was never received");
            }
            i++;
        }
    }

    private static Set<String> nominatedUnprotected(Head head) {
        Set<String> nominated = new HashSet<>();
        for (String token : head.tokens()) {
            String name = token.toLowerCase(Locale.ROOT);
            if (!isProtected(name)) {
                nominated.add(name);
            }
        }
        return nominated;
    }

    private static boolean isProtected(String lowerName) {
        return PROTECTED_EXACT.contains(lowerName)
                || lowerName.startsWith(FORWARDING_PREFIX) && lowerName.length() > FORWARDING_PREFIX.length();
    }

    private static List<Forwarding.RemovalCause> causes(Forwarding.Forward forward) {
        return forward.removals().stream().map(Forwarding.Removal::cause).toList();
    }

    // ---- generators ----

    /** Heads as described in the class documentation; {@code TE} offers trailers only if {@code trailers}. */
    private static Gen<Head> heads(boolean trailers) {
        return in -> {
            List<HeaderField> fields = new ArrayList<>();
            List<String> present = new ArrayList<>();
            boolean offersTrailers = false;
            for (int n = draw(in, 0, 12); n > 0; n--) {
                String name;
                switch (draw(in, 0, 3)) {
                    case 0:
                        name = pick(in, HOP_BY_HOP);
                        break;
                    case 1:
                        name = pick(in, PROTECTED);
                        break;
                    case 2:
                        name = "X-" + letters(in);
                        break;
                    default:
                        name = pick(in, END_TO_END);
                }
                String value;
                if (name.equals("TE")) {
                    List<String> elements = new ArrayList<>();
                    for (int e = draw(in, 0, 3); e > 0; e--) {
                        boolean offer = trailers && draw(in, 0, 2) == 0;
                        offersTrailers |= offer;
                        elements.add(recase(in, offer ? "trailers" : pick(in, TE_ELEMENTS)));
                    }
                    value = list(in, elements);
                } else {
                    value = pick(in, VALUES);
                }
                fields.add(HeaderField.of(recase(in, name), value));
                present.add(name);
            }
            List<String> tokens = new ArrayList<>();
            for (int l = draw(in, 0, 3); l > 0; l--) {
                List<String> elements = new ArrayList<>();
                for (int e = draw(in, 0, 7); e > 0; e--) {
                    String token;
                    switch (draw(in, 0, 5)) {
                        case 0:
                            token = ""; // an empty element
                            break;
                        case 1:
                            token = pick(in, OPTIONS);
                            break;
                        case 2:
                            token = draw(in, 0, 1) == 0 ? pick(in, HOP_BY_HOP) : pick(in, PROTECTED);
                            break;
                        case 3:
                            token = draw(in, 0, 1) == 0 ? pick(in, END_TO_END) : "X-" + letters(in);
                            break;
                        default:
                            token = present.isEmpty() ? pick(in, OPTIONS) : pick(in, present);
                    }
                    token = recase(in, token);
                    elements.add(token);
                    if (!token.isEmpty()) {
                        tokens.add(token);
                    }
                }
                fields.add(draw(in, 0, fields.size()), HeaderField.of(recase(in, "Connection"), list(in, elements)));
            }
            return new Head(Headers.of(fields), tokens, offersTrailers);
        };
    }

    /** Every status but 101, whose relay rules differ. */
    private static Gen<Integer> finalOrInterimStatuses() {
        return integers().between(100, 598).map(s -> s >= 101 ? s + 1 : s);
    }

    /** Any status; {@link #response} gives a 101 the {@code Upgrade} field it needs. */
    private static Gen<Integer> anyStatus() {
        return integers().between(100, 599);
    }

    /** The head with every name and every {@code Connection} option re-cased at random. */
    private static Head recased(RandomnessSource in, Head head) {
        Headers.Builder out = Headers.builder();
        for (HeaderField field : head.headers()) {
            boolean connection = field.name().equals(HeaderName.CONNECTION);
            out.add(HeaderName.of(recase(in, field.name().toString())), connection ? recase(in, field.value()) : field.value());
        }
        return new Head(out.build(), head.tokens(), head.teTrailers());
    }

    /** {@code name} with a random non-empty subset of its {@code -} spelled {@code _}. */
    private static String underscored(RandomnessSource in, String name) {
        StringBuilder out = new StringBuilder(name);
        List<Integer> dashes = new ArrayList<>();
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '-' && draw(in, 0, 1) == 1) {
                out.setCharAt(i, '_');
            } else if (name.charAt(i) == '-') {
                dashes.add(i);
            }
        }
        if (out.indexOf("_") < 0) {
            out.setCharAt(pick(in, dashes), '_');
        }
        return out.toString();
    }

    /** Elements joined by commas with random OWS; sometimes an extra empty element. */
    private static String list(RandomnessSource in, List<String> elements) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < elements.size(); i++) {
            line.append(ows(in)).append(elements.get(i)).append(ows(in));
            if (i < elements.size() - 1 || draw(in, 0, 4) == 0) {
                line.append(',');
            }
        }
        return stripOws(line);
    }

    private static RequestHead request(Headers headers) {
        return new RequestHead("GET", "/", HttpVersion.HTTP_1_1, headers);
    }

    private static ResponseHead response(Headers headers, int status) {
        if (status == 101 && !headers.contains(HeaderName.UPGRADE)) {
            headers = headers.toBuilder().add(HeaderName.of("Upgrade"), "websocket").build();
        }
        return ResponseHead.of(status, headers);
    }

    // ---- small helpers ----

    private static Forwarding.Forward forward(Forwarding decision) {
        return assertInstanceOf(Forwarding.Forward.class, decision, decision::toString);
    }

    private static Forwarding.Refuse refuse(Forwarding decision) {
        return assertInstanceOf(Forwarding.Refuse.class, decision, decision::toString);
    }

    /** Lines as {@code Name: value}, name spelled as received, values shown (unlike {@link Headers#toString}). */
    private static List<String> spelled(Headers headers) {
        List<String> out = new ArrayList<>();
        for (HeaderField field : headers) {
            out.add(spelled(field));
        }
        return out;
    }

    private static String spelled(HeaderField field) {
        return field.name() + ": " + field.value();
    }

    private static List<String> only(List<String> lines, String lowerName) {
        return lines.stream().filter(l -> l.toLowerCase(Locale.ROOT).startsWith(lowerName + ":")).toList();
    }

    private static String render(Headers headers) {
        StringBuilder out = new StringBuilder();
        for (String line : spelled(headers)) {
            out.append("\n  [").append(line.replace("\t", "\\t")).append(']');
        }
        return out.toString();
    }

    private static String lower(HeaderName name) {
        return name.toString().toLowerCase(Locale.ROOT);
    }

    private static Set<String> lower(List<String> names) {
        Set<String> out = new HashSet<>();
        names.forEach(n -> out.add(n.toLowerCase(Locale.ROOT)));
        return Set.copyOf(out);
    }

    private static String letters(RandomnessSource in) {
        StringBuilder out = new StringBuilder();
        for (int n = draw(in, 1, 3); n > 0; n--) {
            out.append((char) ('a' + draw(in, 0, 25)));
        }
        return out.toString();
    }

    private static String ows(RandomnessSource in) {
        StringBuilder out = new StringBuilder();
        for (int n = draw(in, 0, 2); n > 0; n--) {
            out.append(draw(in, 0, 1) == 0 ? ' ' : '\t');
        }
        return out.toString();
    }

    private static <T> T pick(RandomnessSource in, List<T> from) {
        return from.get(draw(in, 0, from.size() - 1));
    }
}
