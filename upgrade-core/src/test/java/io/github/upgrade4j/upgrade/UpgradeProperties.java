package io.github.upgrade4j.upgrade;

import static io.github.upgrade4j.http.Draws.draw;
import static io.github.upgrade4j.http.Draws.recase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import io.github.upgrade4j.http.HeaderField;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.Reason;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

/**
 * Properties of the origin role ({@link UpgradeNegotiator}, {@link WebSocketHandshake},
 * {@link H2cUpgrade}) and the proxy role ({@link ProxyUpgrade}), each checked against an oracle that
 * knows what the generator put in the head.
 *
 * <p>Requests carry zero to three {@code Upgrade} lines mixing {@code websocket}, {@code h2c},
 * {@code websocket/13}, the RFC 9110 §7.8 example protocols and random {@code name[/version]}
 * tokens, all in random ASCII case, with empty elements and, rarely, a malformed element; zero to
 * two {@code Connection} lines drawn from {@code keep-alive}, {@code Upgrade}, {@code close},
 * {@code HTTP2-Settings} and a custom option; valid, invalid, missing and repeated
 * {@code Sec-WebSocket-Key}, {@code Sec-WebSocket-Version} and {@code HTTP2-Settings} fields; and
 * sometimes {@code Origin}, {@code Sec-WebSocket-Protocol} and {@code Sec-WebSocket-Extensions}.
 * Every field name is spelled in random case and put at a random position.
 *
 * <p>Each property that could hold vacuously also counts the interesting outcomes it saw (switches,
 * tunnels, rejects of each status) and fails when the generator never reached them.
 */
class UpgradeProperties {
    private static final int EXAMPLES = 400;
    /**
     * A fixed seed: these properties also assert that the generators reached the rare cases (an h2c
     * switch, a valid tunnel), which must not depend on the luck of a run.
     */
    private static final long SEED = 20261125L;
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private static final UpgradeNegotiator WEBSOCKET_ONLY = UpgradeNegotiator.standard();
    private static final UpgradeNegotiator WEBSOCKET_AND_H2C =
            UpgradeNegotiator.of(WebSocketHandshake.standard(), H2cUpgrade.handler());
    private static final UpgradeNegotiator ONE_ORIGIN = UpgradeNegotiator.of(WebSocketHandshake.builder()
            .origins(OriginPolicy.allowing(false, "https://app.example")).build());

    /** Protocol offers besides websocket and h2c, among them RFC 9110 §7.8's own example. */
    private static final List<String> OTHER_OFFERS = List.of("HTTP/2.0", "SHTTP/1.3", "IRC/6.9", "RTA/x11",
            "websocket/13", "h2", "TLS/1.0");
    /** Elements that are not {@code token ["/" token]}. */
    private static final List<String> MALFORMED_OFFERS = List.of("web socket", "a/b/c", "/13", "websocket/",
            "h2c;q=1", "\"websocket\"");
    private static final List<String> CONNECTION_OPTIONS = List.of("keep-alive", "Upgrade", "close",
            "HTTP2-Settings", "X-Trace", "");
    private static final List<String> BAD_KEYS = List.of("dGhlIHNhbXBsZSBub25jZQ", "not a key",
            "AAAAAAAAAAAAAAAAAAAAAA=", "dGhlIHNhbXBsZSBub25jZQ*=", "dGhlIHNhbXBsZSBub25jZXg=", "");
    private static final List<String> BAD_VERSIONS = List.of("12", "8", "7", "13, 8", "1337", "", "013", "13.0");
    private static final List<String> SETTINGS = List.of("AAMAAABkAARAAAAAAAIAAAAA", "",
            "AAMAAABkAARAAAAAAAIAAAAA==", "!!!!", "AAMAAABk");
    private static final List<String> ORIGINS = List.of("https://app.example", "https://evil.example", "null");
    private static final List<String> METHODS = List.of("POST", "PUT", "get", "OPTIONS");

    // ---- origin role ----

    @Test
    void aSwitchAlwaysNamesAProtocolTheClientOffered() {
        AtomicInteger websocket = new AtomicInteger();
        AtomicInteger h2c = new AtomicInteger();
        qt().withFixedSeed(SEED).withExamples(EXAMPLES).forAll(requests(List.of(HttpVersion.HTTP_1_1))).checkAssert(generated -> {
            for (UpgradeNegotiator negotiator : List.of(WEBSOCKET_ONLY, WEBSOCKET_AND_H2C)) {
                UpgradeDecision decision = negotiator.decide(generated.head());
                if (!(decision instanceof UpgradeDecision.Switch s)) {
                    continue;
                }
                assertTrue(generated.connectionUpgrade(), "switched without 'upgrade' among the Connection options");
                assertFalse(generated.malformedUpgrade(), "switched on a malformed Upgrade field");
                String chosen = s.protocol().toString();
                assertTrue(generated.offers().stream().anyMatch(o -> sameProtocol(o, chosen)),
                        () -> "expected a switch to one of " + generated.offers() + " but it was to " + chosen);
                ResponseHead response = s.response();
                assertEquals(101, response.status());
                List<String> upgrade = response.headers().values(HeaderName.UPGRADE);
                assertEquals(1, upgrade.size(), () -> "the 101's Upgrade lines: " + upgrade);
                assertTrue(sameProtocol(upgrade.get(0), chosen),
                        () -> "expected the 101 to say Upgrade: " + chosen + " but it said " + upgrade);
                assertTrue(response.headers().hasToken(HeaderName.CONNECTION, "upgrade"), response::toString);
                Headers request = generated.head().headers();
                if (s.protocol().named("websocket")) {
                    websocket.incrementAndGet();
                    assertEquals(List.of(independentAccept(request.values(HeaderName.SEC_WEBSOCKET_KEY).get(0))),
                            response.headers().values(HeaderName.SEC_WEBSOCKET_ACCEPT));
                } else {
                    h2c.incrementAndGet();
                    assertTrue(s.protocol().named("h2c"), chosen);
                    assertEquals(1, request.values(HeaderName.HTTP2_SETTINGS).size());
                    assertTrue(request.hasToken(HeaderName.CONNECTION, "HTTP2-Settings"));
                }
            }
        });
        assertTrue(websocket.get() > 0, "the generator never produced a WebSocket switch");
        assertTrue(h2c.get() > 0, "the generator never produced an h2c switch");
    }

    @Test
    void noSwitchHappensForHttp10OrHttp2WhateverTheFields() {
        qt().withFixedSeed(SEED).withExamples(EXAMPLES).forAll(requests(List.of(HttpVersion.HTTP_1_0, HttpVersion.HTTP_2)))
                .checkAssert(generated -> {
                    RequestHead head = generated.head();
                    for (UpgradeNegotiator negotiator : List.of(WEBSOCKET_ONLY, WEBSOCKET_AND_H2C, ONE_ORIGIN)) {
                        UpgradeDecision decision = negotiator.decide(head);
                        UpgradeDecision.Ignore ignore = assertInstanceOf(UpgradeDecision.Ignore.class, decision,
                                () -> head.version() + " request decided " + decision);
                        if (head.headers().contains(HeaderName.UPGRADE)) {
                            assertEquals(head.version() == HttpVersion.HTTP_1_0 ? UpgradeReason.Ignored.HTTP_1_0_REQUEST
                                    : UpgradeReason.Ignored.HTTP_2_REQUEST, ignore.reason(), ignore::message);
                        } else {
                            assertTrue(Set.of(UpgradeReason.Ignored.NOT_OFFERED, UpgradeReason.Ignored.UPGRADE_FIELD_MISSING)
                                    .contains(ignore.reason()), ignore::message);
                        }
                    }
                });
    }

    @Test
    void acceptEqualsAnIndependentSha1AndBase64ComputationForAnyKey() {
        Gen<byte[]> nonces = in -> {
            byte[] nonce = new byte[16];
            for (int i = 0; i < nonce.length; i++) {
                nonce[i] = (byte) draw(in, 0, 255);
            }
            return nonce;
        };
        qt().withFixedSeed(SEED).withExamples(EXAMPLES).forAll(nonces).checkAssert(nonce -> {
            String key = Base64.getEncoder().encodeToString(nonce);
            assertEquals(independentAccept(key), WebSocketHandshake.accept(key), key);
        });
    }

    @Test
    void theRfc6455SampleKeyGivesTheSampleAccept() {
        // RFC 6455 §1.3: the nonce "the sample nonce" in base64, and the accept the server sends back.
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.accept("dGhlIHNhbXBsZSBub25jZQ=="));
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", independentAccept("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    @Test
    void everyRejectIs400Or403Or426AndItsContentLengthIsItsBodyLength() {
        Set<Integer> seen = new TreeSet<>();
        qt().withFixedSeed(SEED).withExamples(EXAMPLES).forAll(requests(List.of(HttpVersion.HTTP_1_1))).checkAssert(generated -> {
            for (UpgradeNegotiator negotiator : List.of(WEBSOCKET_ONLY, WEBSOCKET_AND_H2C, ONE_ORIGIN)) {
                UpgradeDecision decision = negotiator.decide(generated.head());
                if (!(decision instanceof ErrorAnswer reject)) {
                    continue;
                }
                seen.add(reject.status());
                assertTrue(Set.of(400, 403, 426).contains(reject.status()), reject::message);
                assertEquals(((UpgradeReason.Refused) reject.reason()).status(), reject.status(), reject::message);
                assertEquals(List.of(Integer.toString(reject.body().length)),
                        reject.response().headers().values(HeaderName.CONTENT_LENGTH), reject::message);
                assertTrue(reject.response().headers().hasToken(HeaderName.CONNECTION, "close"),
                        () -> "a reject closes the connection: " + reject.response());
                if (reject.status() == 426) {
                    assertEquals(List.of("13"), reject.response().headers().values(HeaderName.SEC_WEBSOCKET_VERSION));
                }
            }
        });
        assertEquals(Set.of(400, 403, 426), seen, "the reject statuses the generator reached");
    }

    // ---- proxy role ----

    @Test
    void theProxyNeverForwardsH2cOrAProtocolOutsideItsAllowlistAndForwardsTheAllowedOffersInTheClientsOrder() {
        List<Proxy> proxies = List.of(
                new Proxy(ProxyUpgrade.standard(), List.of("websocket"), true),
                new Proxy(ProxyUpgrade.builder().validateWebSocket(false).build(), List.of("websocket"), false),
                new Proxy(ProxyUpgrade.builder().allow("websocket", "IRC/6.9", "http", "TLS/1.0").validateWebSocket(false)
                        .build(), List.of("websocket", "irc/6.9", "http", "tls/1.0"), false));
        AtomicInteger upgrades = new AtomicInteger();
        qt().withFixedSeed(SEED).withExamples(EXAMPLES).forAll(requests(List.of(HttpVersion.HTTP_1_1, HttpVersion.HTTP_1_1,
                HttpVersion.HTTP_1_0))).checkAssert(generated -> {
                    for (Proxy proxy : proxies) {
                        if (checkTowardUpstream(proxy, generated)) {
                            upgrades.incrementAndGet();
                        }
                    }
                });
        assertTrue(upgrades.get() > 0, "the generator never produced a forwarded upgrade");
    }

    /** Checks one request; true when an upgrade was forwarded. */
    private static boolean checkTowardUpstream(Proxy proxy, Generated generated) {
        RequestHead request = generated.head();
        Headers in = request.headers();
        List<String> expected = new ArrayList<>();
        boolean preconditions = request.version() == HttpVersion.HTTP_1_1 && in.contains(HeaderName.UPGRADE)
                && !generated.malformedUpgrade() && generated.connectionUpgrade();
        if (preconditions) {
            for (String offer : generated.offers()) {
                if (proxy.allows(offer)) {
                    expected.add(offer);
                }
            }
        }
        boolean websocket = expected.stream().anyMatch(o -> name(o).equalsIgnoreCase("websocket"));
        Outbound outbound = proxy.proxy().towardUpstream(request);
        if (outbound instanceof ErrorAnswer refuse) {
            boolean malformed = request.version() == HttpVersion.HTTP_1_1 && in.contains(HeaderName.UPGRADE)
                    && generated.malformedUpgrade();
            assertTrue(malformed || websocket && proxy.validates(), () -> "unexpected refusal: " + refuse.message()
                    + "\n" + generated);
            assertTrue(Set.of(400, 426).contains(refuse.response().status()), refuse::message);
            assertEquals(List.of(Integer.toString(refuse.body().length)),
                    refuse.response().headers().values(HeaderName.CONTENT_LENGTH));
            return false;
        }
        Outbound.Forward forward = (Outbound.Forward) outbound;
        Headers out = forward.head().headers();
        List<String> connection = out.values(HeaderName.CONNECTION);
        assertEquals(1, connection.size(), () -> "expected exactly one Connection line upstream but was "
                + connection + "\n" + generated);
        assertFalse(out.contains(HeaderName.HTTP2_SETTINGS), () -> "HTTP2-Settings forwarded\n" + generated);
        for (String upgrade : out.values(HeaderName.UPGRADE)) {
            for (String element : upgrade.split(",")) {
                String forwardedName = name(element.trim()).toLowerCase(Locale.ROOT);
                assertNotEquals("h2c", forwardedName, () -> "h2c forwarded\n" + generated);
                assertTrue(proxy.allows(element.trim()), () -> "forwarded " + element + " outside the"
                        + " allowlist " + proxy.allowed() + "\n" + generated);
            }
        }
        if (!(forward.attempt() instanceof UpgradeAttempt.Forwarded)) {
            assertEquals(List.of(), expected, () -> "expected these offers to be forwarded\n" + generated);
            assertFalse(out.contains(HeaderName.UPGRADE), () -> "Upgrade forwarded without an upgrade\n" + generated);
            assertFalse(out.hasToken(HeaderName.CONNECTION, "upgrade"), connection::toString);
            return false;
        }
        assertFalse(expected.isEmpty(), () -> "forwarded an upgrade the oracle did not expect\n" + generated);
        assertTrue(out.hasToken(HeaderName.CONNECTION, "upgrade"), connection::toString);
        assertEquals(List.of(String.join(", ", expected)), out.values(HeaderName.UPGRADE), generated::toString);
        assertEquals(expected, ((UpgradeAttempt.Forwarded) forward.attempt()).offered().stream().map(Protocol::toString).toList());
        if (websocket) {
            assertEquals(in.values(HeaderName.SEC_WEBSOCKET_KEY), out.values(HeaderName.SEC_WEBSOCKET_KEY));
            assertEquals(in.values(HeaderName.SEC_WEBSOCKET_VERSION), out.values(HeaderName.SEC_WEBSOCKET_VERSION));
            if (proxy.validates()) {
                // The websocket-smuggle checks, made independently of WebSocketHandshake.
                assertEquals("GET", request.method(), generated::toString);
                assertEquals(List.of("13"), in.values(HeaderName.SEC_WEBSOCKET_VERSION), generated::toString);
                assertTrue(isSixteenBytesOfBase64(in.values(HeaderName.SEC_WEBSOCKET_KEY)), generated::toString);
            }
        }
        return true;
    }

    @Test
    void theProxyForwardsNoUpgradeForHttp10OrHttp2AndSaysWhichVersionItWas() {
        qt().withExamples(EXAMPLES / 4).forAll(requests(List.of(HttpVersion.HTTP_1_0, HttpVersion.HTTP_2)))
                .checkAssert(generated -> {
                    RequestHead head = generated.head();
                    if (!head.headers().contains(HeaderName.UPGRADE)) {
                        return;
                    }
                    Outbound outbound = ProxyUpgrade.standard().towardUpstream(head);
                    Outbound.Forward forward =
                            assertInstanceOf(Outbound.Forward.class, outbound, outbound::toString);
                    assertFalse((forward.attempt() instanceof UpgradeAttempt.Forwarded));
                    assertEquals(head.version() == HttpVersion.HTTP_1_0 ? UpgradeReason.Ignored.HTTP_1_0_REQUEST
                            : UpgradeReason.Ignored.HTTP_2_REQUEST, ((UpgradeDecision.Ignore) forward.attempt()).reason(),
                            () -> "the reason given for an " + head.version() + " request: "
                                    + ((UpgradeDecision.Ignore) forward.attempt()).message());
                });
    }

    @Test
    void theProxyOpensATunnelOnlyForA101NamingAForwardedProtocolWithTheRightAccept() {
        AtomicInteger tunnels = new AtomicInteger();
        Set<Reason> invalid = new HashSet<>();
        qt().withFixedSeed(SEED).withExamples(EXAMPLES).forAll(switches()).checkAssert(answer -> {
            UpgradeAttempt attempt = answer.attempt();
            Verdict verdict = answer.proxy().judge(attempt, answer.response());
            UpgradeReason expected = expectedProblem(answer);
            if (expected == null) {
                tunnels.incrementAndGet();
                Verdict.Tunnel tunnel =
                        assertInstanceOf(Verdict.Tunnel.class, verdict, verdict::toString);
                String chosen = answer.upgradeElements().get(0);
                assertTrue(sameProtocol(chosen, tunnel.protocol().toString()), tunnel::toString);
                Headers toClient = tunnel.response().headers();
                assertEquals(101, tunnel.response().status());
                assertEquals(List.of("upgrade"), toClient.values(HeaderName.CONNECTION));
                assertEquals(List.of(asOffered(answer, chosen)), toClient.values(HeaderName.UPGRADE));
                if (name(chosen).equalsIgnoreCase("websocket")) {
                    assertEquals(List.of(answer.rightAccept()), toClient.values(HeaderName.SEC_WEBSOCKET_ACCEPT));
                }
                assertFalse(toClient.contains(HeaderName.CONTENT_LENGTH), toClient::toString);
                if (answer.response().headers().contains(HeaderName.CONTENT_LENGTH)) {
                    assertTrue(tunnel.notices().stream().anyMatch(n -> n.detail().toLowerCase(Locale.ROOT).contains("content-length")),
                            () -> "expected a notice about the removed Content-Length: " + tunnel.notices());
                }
                return;
            }
            ErrorAnswer bad =
                    assertInstanceOf(ErrorAnswer.class, verdict, verdict::toString);
            invalid.add(bad.reason());
            assertEquals(expected, bad.reason(), bad::message);
            assertEquals(502, bad.response().status(), bad::message);
            assertEquals(List.of(Integer.toString(bad.body().length)),
                    bad.response().headers().values(HeaderName.CONTENT_LENGTH));
        });
        assertTrue(tunnels.get() > 0, "the generator never produced a valid switch");
        assertEquals(Set.of(UpgradeReason.Invalid.UNSOLICITED_SWITCH, UpgradeReason.Invalid.SWITCH_NOT_HTTP_1_1,
                UpgradeReason.Invalid.SWITCH_WITHOUT_CONNECTION_UPGRADE,
                UpgradeReason.Invalid.SWITCH_WITHOUT_UPGRADE, UpgradeReason.Invalid.SWITCH_TO_UNOFFERED_PROTOCOL,
                UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISSING, UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISMATCH), invalid,
                "the reasons the generator reached");
    }

    @Test
    void aRelayed101HasExactlyOneUpgradeLineTheChosenProtocolAsOfferedWhateverEmptyLinesAndElementsTheUpstreamAdds() {
        AtomicInteger tunnels = new AtomicInteger();
        AtomicInteger padded = new AtomicInteger();
        qt().withFixedSeed(SEED).withExamples(EXAMPLES).forAll(paddedSwitches()).checkAssert(pair -> {
            Answer clean = pair.clean();
            Verdict plain = clean.proxy().judge(clean.attempt(), clean.response());
            Verdict verdict = clean.proxy().judge(clean.attempt(), pair.padded());
            // Empty lines and elements are no part of the list (RFC 9110 §5.6.1): the verdict is the same.
            assertEquals(plain.getClass(), verdict.getClass(), () -> plain + "\nbut padded: " + verdict);
            if (verdict instanceof ErrorAnswer bad) {
                assertEquals(((ErrorAnswer) plain).reason(), bad.reason(), bad::message);
                return;
            }
            Verdict.Tunnel tunnel = assertInstanceOf(Verdict.Tunnel.class, verdict);
            tunnels.incrementAndGet();
            if (pair.padded().headers().values(HeaderName.UPGRADE).size() > 1) {
                padded.incrementAndGet();
            }
            Headers toClient = tunnel.response().headers();
            assertEquals(List.of(asOffered(clean, clean.upgradeElements().get(0))), toClient.values(HeaderName.UPGRADE),
                    () -> "for the upstream's" + render(pair.padded().headers()));
            assertEquals(List.of("upgrade"), toClient.values(HeaderName.CONNECTION));
            assertEquals(tunnel.protocol().toString(), toClient.first(HeaderName.UPGRADE).orElseThrow());
            assertEquals(withoutUpgrade(((Verdict.Tunnel) plain).response().headers()),
                    withoutUpgrade(toClient), "the padding changed a field other than Upgrade");
        });
        assertTrue(tunnels.get() > 0, "the generator never produced a valid switch");
        assertTrue(padded.get() > 0, "the generator never produced a valid switch with several Upgrade lines");
    }

    /** {@code chosen} as the client spelled it among the forwarded protocols. */
    private static String asOffered(Answer answer, String chosen) {
        return answer.forwarded().stream().filter(o -> sameProtocol(o, chosen)).findFirst().orElseThrow();
    }

    private static Headers withoutUpgrade(Headers headers) {
        return headers.toBuilder().removeAll(HeaderName.UPGRADE).build();
    }

    /** The oracle of {@code theProxyOpensATunnelOnly...}: null for a tunnel, else the first rule the 101 breaks. */
    private static @Nullable UpgradeReason expectedProblem(Answer answer) {
        if (answer.forwarded().isEmpty()) {
            return UpgradeReason.Invalid.UNSOLICITED_SWITCH;
        }
        if (answer.response().version() != HttpVersion.HTTP_1_1) {
            return UpgradeReason.Invalid.SWITCH_NOT_HTTP_1_1;
        }
        if (!answer.connectionUpgrade()) {
            return UpgradeReason.Invalid.SWITCH_WITHOUT_CONNECTION_UPGRADE;
        }
        if (answer.malformedUpgrade() || answer.upgradeElements().isEmpty()) {
            return UpgradeReason.Invalid.SWITCH_WITHOUT_UPGRADE;
        }
        String chosen = answer.upgradeElements().get(0);
        if (answer.upgradeElements().size() > 1 || answer.forwarded().stream().noneMatch(o -> sameProtocol(o, chosen))) {
            return UpgradeReason.Invalid.SWITCH_TO_UNOFFERED_PROTOCOL;
        }
        if (!name(chosen).equalsIgnoreCase("websocket")) {
            return null;
        }
        List<String> accepts = answer.response().headers().values(HeaderName.SEC_WEBSOCKET_ACCEPT);
        if (accepts.isEmpty()) {
            return UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISSING;
        }
        return accepts.equals(List.of(answer.rightAccept())) ? null : UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISMATCH;
    }

    // ---- generated values ----

    /**
     * A generated request and what the oracle knows about it.
     *
     * @param head the request
     * @param offers every non-empty {@code Upgrade} element as spelled, in order
     * @param malformedUpgrade whether some {@code Upgrade} element is not {@code token ["/" token]}
     * @param connectionUpgrade whether some {@code Connection} line has the {@code upgrade} option
     */
    record Generated(RequestHead head, List<String> offers, boolean malformedUpgrade, boolean connectionUpgrade) {
        @Override
        public String toString() {
            return head.method() + " " + head.target() + " " + head.version() + render(head.headers())
                    + "\n  offers " + offers + (malformedUpgrade ? " (malformed)" : "")
                    + ", Connection has upgrade: " + connectionUpgrade;
        }
    }

    /** A proxy configuration and what the oracle knows about it. */
    record Proxy(ProxyUpgrade proxy, List<String> allowed, boolean validates) {
        /** Whether an entry allows {@code offer}: its name in any case, its version exactly or none on both sides. */
        boolean allows(String offer) {
            return allowed.stream().anyMatch(entry -> sameProtocol(entry, offer));
        }
    }

    /**
     * A generated 101 for a forwarded request.
     *
     * @param proxy the proxy that forwarded the request
     * @param attempt what it forwarded
     * @param forwarded the protocols it forwarded, as the client spelled them; empty for a plain request
     * @param rightAccept the accept for the key sent
     * @param response the upstream's 101
     * @param upgradeElements the non-empty elements of the 101's {@code Upgrade} lines
     * @param malformedUpgrade whether one of them is malformed
     * @param connectionUpgrade whether a {@code Connection} line of the 101 has {@code upgrade}
     */
    record Answer(ProxyUpgrade proxy, UpgradeAttempt attempt, List<String> forwarded, String rightAccept,
            ResponseHead response, List<String> upgradeElements, boolean malformedUpgrade, boolean connectionUpgrade) {
        @Override
        public String toString() {
            return attempt + " answered " + response.status() + render(response.headers());
        }
    }

    /**
     * A generated 101 and the same 101 padded with empty {@code Upgrade} lines and elements.
     *
     * @param clean the 101 as {@link #switches()} made it, and what the oracle knows about it
     * @param padded the padded 101
     */
    record Padded(Answer clean, ResponseHead padded) {
        @Override
        public String toString() {
            return clean + "\n  padded:" + render(padded.headers());
        }
    }

    /** Requests as described in the class documentation, of one of {@code versions}. */
    private static Gen<Generated> requests(List<HttpVersion> versions) {
        return in -> {
            List<HeaderField> fields = new ArrayList<>();
            List<String> offers = new ArrayList<>();
            boolean malformed = false;
            boolean connectionUpgrade = false;
            if (draw(in, 0, 9) > 0) {
                add(in, fields, "Host", "chat.example");
            }
            int upgradeLines = draw(in, 0, 7) == 0 ? 0 : draw(in, 1, 3);
            for (int l = 0; l < upgradeLines; l++) {
                List<String> elements = new ArrayList<>();
                for (int e = draw(in, 0, 3); e > 0; e--) {
                    String element;
                    int kind = draw(in, 0, 39);
                    if (kind == 0) {
                        element = pick(in, MALFORMED_OFFERS);
                        malformed = true;
                    } else if (kind < 4) {
                        element = "";
                    } else if (kind < 20) {
                        element = recase(in, "websocket");
                    } else if (kind < 27) {
                        element = recase(in, "h2c");
                    } else if (kind < 33) {
                        element = recase(in, pick(in, OTHER_OFFERS));
                    } else {
                        element = letters(in) + (draw(in, 0, 1) == 0 ? "" : "/" + draw(in, 0, 20));
                    }
                    elements.add(element);
                }
                add(in, fields, "Upgrade", list(in, elements));
            }
            for (int l = draw(in, 0, 5) == 0 ? 0 : draw(in, 1, 2); l > 0; l--) {
                List<String> elements = new ArrayList<>();
                for (int e = draw(in, 1, 3); e > 0; e--) {
                    String option = recase(in, pick(in, CONNECTION_OPTIONS));
                    connectionUpgrade |= option.equalsIgnoreCase("upgrade");
                    elements.add(option);
                }
                add(in, fields, "Connection", list(in, elements));
            }
            for (int n = repeats(in); n > 0; n--) {
                add(in, fields, "Sec-WebSocket-Key", draw(in, 0, 3) > 0 ? randomKey(in) : pick(in, BAD_KEYS));
            }
            for (int n = repeats(in); n > 0; n--) {
                add(in, fields, "Sec-WebSocket-Version", draw(in, 0, 3) > 0 ? "13" : pick(in, BAD_VERSIONS));
            }
            for (int n = draw(in, 0, 2) == 0 ? repeats(in) : 0; n > 0; n--) {
                add(in, fields, "HTTP2-Settings", pick(in, SETTINGS));
            }
            if (draw(in, 0, 2) == 0) {
                add(in, fields, "Origin", pick(in, ORIGINS));
            }
            if (draw(in, 0, 3) == 0) {
                add(in, fields, "Sec-WebSocket-Protocol", draw(in, 0, 5) > 0 ? "chat, superchat" : "chat, \"v2\"");
            }
            if (draw(in, 0, 3) == 0) {
                add(in, fields, "Sec-WebSocket-Extensions", draw(in, 0, 5) > 0
                        ? "permessage-deflate; client_max_window_bits" : "permessage-deflate; x=\"open");
            }
            if (draw(in, 0, 1) == 0) {
                add(in, fields, "User-Agent", "properties/1.0");
            }
            // The offers in wire order; no generated element holds a comma, so splitting is exact.
            for (HeaderField field : fields) {
                if (field.name().equals(HeaderName.UPGRADE)) {
                    for (String element : field.value().split(",")) {
                        if (!element.strip().isEmpty()) {
                            offers.add(element.strip());
                        }
                    }
                }
            }
            String method = draw(in, 0, 6) > 0 ? "GET" : pick(in, METHODS);
            RequestHead head = new RequestHead(method, "/chat", pick(in, versions), Headers.of(fields));
            return new Generated(head, offers, malformed, connectionUpgrade);
        };
    }

    /** 101 answers, now and then in an HTTP/1.0 response, to a forwarded WebSocket, WebSocket-and-IRC, IRC, plain or h2c request. */
    private static Gen<Answer> switches() {
        ProxyUpgrade ircToo = ProxyUpgrade.builder().allow("websocket", "irc/6.9").build();
        List<String> upgradeValues = List.of("websocket", "WebSocket", "h2c", "IRC/6.9", "irc/6.9", "IRC/7",
                "websocket/13", "websocket, h2c", "", "web socket");
        List<String> connectionValues = List.of("upgrade", "Upgrade", "UPGRADE", "keep-alive, Upgrade", "keep-alive",
                "close");
        return in -> {
            String key = randomKey(in);
            String rightAccept = independentAccept(key);
            Headers.Builder request = Headers.builder().add(HeaderName.of("Host"), "chat.example");
            ProxyUpgrade proxy = ProxyUpgrade.standard();
            List<String> forwarded;
            switch (draw(in, 0, 4)) {
                case 0:
                    forwarded = List.of("websocket");
                    break;
                case 1:
                    proxy = ircToo;
                    forwarded = List.of("websocket", "IRC/6.9");
                    break;
                case 2:
                    proxy = ircToo;
                    forwarded = List.of("IRC/6.9");
                    break;
                case 3:
                    forwarded = List.of();
                    break;
                default:
                    forwarded = List.of();
                    request.add(HeaderName.of("Upgrade"), "h2c").add(HeaderName.of("HTTP2-Settings"), "AAMAAABkAARAAAAAAAIAAAAA")
                            .add(HeaderName.of("Connection"), "Upgrade, HTTP2-Settings");
            }
            if (!forwarded.isEmpty()) {
                request.add(HeaderName.of("Upgrade"), String.join(", ", forwarded)).add(HeaderName.of("Connection"), "Upgrade")
                        .add(HeaderName.of("Sec-WebSocket-Key"), key).add(HeaderName.of("Sec-WebSocket-Version"), "13");
            }
            Outbound outbound = proxy.towardUpstream(RequestHead.get("/chat", request.build()));
            UpgradeAttempt attempt = ((Outbound.Forward) outbound).attempt();

            List<HeaderField> fields = new ArrayList<>();
            List<String> elements = new ArrayList<>();
            boolean malformed = false;
            for (int l = draw(in, 0, 5) == 0 ? draw(in, 0, 1) * 2 : 1; l > 0; l--) { // mostly one line, else 0 or 2
                String value = pick(in, upgradeValues);
                if (value.equals("web socket")) {
                    malformed = true;
                } else {
                    for (String element : value.split(",")) {
                        if (!element.isBlank()) {
                            elements.add(element.trim());
                        }
                    }
                }
                add(in, fields, "Upgrade", value);
            }
            boolean connectionUpgrade = false;
            for (int l = draw(in, 0, 5) == 0 ? draw(in, 0, 2) : 1; l > 0; l--) {
                String value = pick(in, connectionValues);
                connectionUpgrade |= value.toLowerCase(Locale.ROOT).contains("upgrade");
                add(in, fields, "Connection", value);
            }
            String wrong = independentAccept(randomKey(in));
            switch (draw(in, 0, 7)) {
                case 0:
                    add(in, fields, "Sec-WebSocket-Accept", wrong);
                    break;
                case 1:
                    break;
                case 2:
                    add(in, fields, "Sec-WebSocket-Accept", rightAccept);
                    add(in, fields, "Sec-WebSocket-Accept", rightAccept);
                    break;
                case 3:
                    add(in, fields, "Sec-WebSocket-Accept", rightAccept);
                    add(in, fields, "Sec-WebSocket-Accept", wrong);
                    break;
                case 4:
                    add(in, fields, "Sec-WebSocket-Accept", swapCase(rightAccept));
                    break;
                default:
                    add(in, fields, "Sec-WebSocket-Accept", rightAccept);
            }
            if (draw(in, 0, 3) == 0) {
                add(in, fields, "Content-Length", "0");
            }
            if (draw(in, 0, 1) == 0) {
                add(in, fields, "Server", "upstream/1.0");
            }
            // Now and then the 101 comes in an HTTP/1.0 response, which cannot switch (RFC 9110 §7.8).
            HttpVersion version = draw(in, 0, 7) == 0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
            ResponseHead response = new ResponseHead(version, 101, "Switching Protocols", Headers.of(fields));
            return new Answer(proxy, attempt, forwarded, rightAccept, response, elements, malformed,
                    connectionUpgrade);
        };
    }

    /**
     * A 101 from {@link #switches()} and the same 101 padded with what a list may hold besides its
     * elements: empty {@code Upgrade} lines at random positions, and empty elements with OWS before,
     * between or after the elements of the upstream's own lines.
     */
    private static Gen<Padded> paddedSwitches() {
        Gen<Answer> switches = switches();
        List<String> emptyValues = List.of("", ",", ", ,", ",\t,");
        return in -> {
            Answer clean = switches.generate(in);
            List<HeaderField> fields = new ArrayList<>();
            for (HeaderField field : clean.response().headers()) {
                String value = field.value();
                if (field.name().equals(HeaderName.UPGRADE) && !value.isEmpty()) {
                    switch (draw(in, 0, 3)) {
                        case 0:
                            value = ", " + value;
                            break;
                        case 1:
                            value = value + ", ";
                            break;
                        case 2:
                            value = value.replace(",", ", ,");
                            break;
                        default:
                            break;
                    }
                }
                fields.add(new HeaderField(field.name(), value.strip()));
            }
            for (int n = draw(in, 1, 2); n > 0; n--) {
                fields.add(draw(in, 0, fields.size()), HeaderField.of(recase(in, "Upgrade"), pick(in, emptyValues)));
            }
            return new Padded(clean, clean.response().withHeaders(Headers.of(fields)));
        };
    }

    // ---- independent oracles ----

    /** RFC 6455 §4.2.2 item 5, computed here without the library. */
    private static String independentAccept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean isSixteenBytesOfBase64(List<String> keys) {
        if (keys.size() != 1) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(keys.get(0)).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether two {@code name[/version]} spellings are the same protocol: name in any case, version exactly. */
    private static boolean sameProtocol(String a, String b) {
        return name(a).equalsIgnoreCase(name(b)) && Objects.equals(version(a), version(b));
    }

    private static String name(String protocol) {
        int slash = protocol.indexOf('/');
        return slash < 0 ? protocol : protocol.substring(0, slash);
    }

    private static @Nullable String version(String protocol) {
        int slash = protocol.indexOf('/');
        return slash < 0 ? null : protocol.substring(slash + 1);
    }

    // ---- small helpers ----

    /** Inserts {@code name: value} at a random position, the name in random case. */
    private static void add(RandomnessSource in, List<HeaderField> fields, String name, String value) {
        fields.add(draw(in, 0, fields.size()), HeaderField.of(recase(in, name), value));
    }

    /** Mostly 1, sometimes 0 or 2. */
    private static int repeats(RandomnessSource in) {
        int n = draw(in, 0, 9);
        return n == 0 ? 0 : n == 1 ? 2 : 1;
    }

    private static String randomKey(RandomnessSource in) {
        byte[] nonce = new byte[16];
        for (int i = 0; i < nonce.length; i++) {
            nonce[i] = (byte) draw(in, 0, 255);
        }
        String key = Base64.getEncoder().encodeToString(nonce);
        if (draw(in, 0, 3) > 0) {
            return key;
        }
        // A quarter of the keys set the 4 unused bits of the 22nd character, as RFC 6455's example
        // key AQIDBAUGBwgJCgsMDQ4PEC== does: still 16 bytes, still valid (issue 17).
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        char last = alphabet.charAt(alphabet.indexOf(key.charAt(21)) | draw(in, 1, 15));
        return key.substring(0, 21) + last + "==";
    }

    /** Elements joined by commas with random OWS; a value never starts or ends with OWS. */
    private static String list(RandomnessSource in, List<String> elements) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < elements.size(); i++) {
            if (i > 0) {
                line.append(ows(in)).append(',').append(ows(in));
            }
            line.append(elements.get(i));
        }
        return line.toString().strip();
    }

    private static String render(Headers headers) {
        StringBuilder out = new StringBuilder();
        for (HeaderField field : headers) {
            out.append("\n  [").append(field.name()).append(": ").append(field.value()).append(']');
        }
        return out.toString();
    }

    private static String letters(RandomnessSource in) {
        StringBuilder out = new StringBuilder();
        for (int n = draw(in, 1, 6); n > 0; n--) {
            out.append((char) ('a' + draw(in, 0, 25)));
        }
        return out.toString();
    }

    private static String ows(RandomnessSource in) {
        return draw(in, 0, 3) == 0 ? "\t" : draw(in, 0, 1) == 0 ? " " : "";
    }

    private static String swapCase(String s) {
        StringBuilder out = new StringBuilder(s);
        for (int i = 0; i < out.length(); i++) {
            char c = out.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
                out.setCharAt(i, (char) (c ^ 0x20));
            }
        }
        return out.toString();
    }

    private static <T> T pick(RandomnessSource in, List<T> from) {
        return from.get(draw(in, 0, from.size() - 1));
    }
}
