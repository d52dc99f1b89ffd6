package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.hop.UpstreamConnection;
import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The proxy role of an upgrade: what to send upstream for a client's request, and whether the
 * upstream's answer opens a tunnel. Immutable and thread-safe.
 *
 * <p>{@link #towardUpstream} applies the {@link HopByHopPolicy}, filters the client's offer through
 * an allowlist ({@code websocket} only by default; {@code h2c} is never forwarded unless allowed,
 * since forwarding it lets clients reach the upstream over HTTP/2 outside the proxy's rules; an
 * entry allows one protocol name with one version or none, so {@code websocket} does not allow
 * {@code websocket/13}), by
 * default validates a WebSocket handshake before any upstream is contacted (a POST "upgrade" or a
 * wrong version stops here), and re-adds {@code Upgrade} and {@code Connection: upgrade} as nginx's
 * {@code proxy_set_header} idiom does. The {@code Sec-WebSocket-*} fields travel end to end.
 *
 * <p>{@link #judge} opens a tunnel only for a 101 that was solicited, is an HTTP/1.1 response (a 101
 * in an HTTP/1.0 response is a 502: the mechanism is HTTP/1.1's, RFC 9110 §7.8), carries
 * {@code Connection: upgrade}, names exactly one offered protocol and, for WebSocket, carries exactly
 * one correct {@code Sec-WebSocket-Accept} and only an offered subprotocol and extensions. The 101 it
 * relays does not repeat the upstream's {@code Upgrade} lines: it carries exactly one, written by the
 * proxy, naming the protocol switched to as the client spelled it in its offer (the upstream may
 * use another letter case, and add empty lines or elements), so the client reads back its own token.
 * Interim 1xx answers are relayed while the final answer is awaited; any other answer to an upgrade
 * is relayed as plain HTTP and the client connection must close after it; anything else is a 502.
 *
 * <pre>{@code
 * ProxyUpgrade proxy = ProxyUpgrade.standard();
 * ProxyUpgrade.Outbound out = proxy.towardUpstream(clientHead);
 * if (out instanceof ProxyUpgrade.Outbound.Refuse refuse) {
 *     answer(refuse.response(), refuse.body());                 // 400 or 426; close
 * } else if (out instanceof ProxyUpgrade.Outbound.Forward forward) {
 *     send(upstream, forward.head());
 *     ProxyUpgrade.Verdict verdict = proxy.judge(forward.attempt(), readHead(upstream));
 *     if (verdict instanceof ProxyUpgrade.Verdict.Tunnel tunnel) {
 *         write(client, tunnel.response());                      // then relay both ways
 *     } // Interim: write and read the next head; Plain: write, relay the body, close if closeClient()
 * }
 * // Java 21+: switch (verdict) { case Tunnel t -> ...; case Interim i -> ...; case Plain p -> ...; case Invalid x -> ...; }
 * }</pre>
 */
public final class ProxyUpgrade {
    private static final ProxyUpgrade STANDARD = builder().build();

    private final HopByHopPolicy policy;
    private final List<Protocol> allowed;
    private final boolean validateWebSocket;
    private final UpstreamConnection plainConnection;

    private ProxyUpgrade(Builder builder) {
        this.policy = builder.policy;
        this.allowed = List.copyOf(builder.allowed);
        this.validateWebSocket = builder.validateWebSocket;
        this.plainConnection = builder.plainConnection;
    }

    /** WebSocket only, validated at the proxy, with {@link HopByHopPolicy#standard()}. */
    public static ProxyUpgrade standard() {
        return STANDARD;
    }

    /** A builder starting from {@link #standard()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** What to do with a client's request. */
    public sealed interface Outbound {
        /**
         * Send {@link #head()} upstream and keep {@link #attempt()} for {@link ProxyUpgrade#judge}.
         *
         * @param head the request head for the upstream, with the proxy's own {@code Connection}
         * @param attempt what was forwarded
         * @param stripping what the hop-by-hop policy removed and noticed
         */
        record Forward(RequestHead head, UpgradeAttempt attempt, Forwarding.Forward stripping) implements Outbound {
            /** Checks for nulls. */
            public Forward {
                Objects.requireNonNull(head, "head");
                Objects.requireNonNull(attempt, "attempt");
                Objects.requireNonNull(stripping, "stripping");
            }
        }

        /**
         * Answer the client with {@link #response()} and {@link #body()} without contacting the
         * upstream, then close.
         *
         * @param reason why
         * @param detail the specifics
         * @param response a 400 or 426 head
         */
        record Refuse(UpgradeReason reason, String detail, ResponseHead response) implements Outbound, ErrorAnswer {
            /** Checks for nulls. */
            public Refuse {
                Objects.requireNonNull(reason, "reason");
                Objects.requireNonNull(detail, "detail");
                Objects.requireNonNull(response, "response");
            }
        }
    }

    /** What the upstream's answer means for the client. */
    public sealed interface Verdict {
        /**
         * Write {@link #response()} to the client, then relay both connections as a tunnel.
         *
         * @param protocol the protocol switched to, spelled as the client offered it (protocol names
         *     compare ignoring case, so the upstream may have named it as {@code WebSocket})
         * @param response the 101 for the client: exactly {@code Connection: upgrade}, exactly one
         *     {@code Upgrade} line, {@code protocol}'s wire form, where the upstream's first
         *     {@code Upgrade} line was, and the upstream's other end-to-end fields in their order
         * @param notices what was changed on the way, e.g. framing fields removed from the 101, or
         *     {@code Upgrade} lines replaced that held more than the protocol
         */
        record Tunnel(Protocol protocol, ResponseHead response, List<String> notices) implements Verdict {
            /** Copies the notices. */
            public Tunnel {
                Objects.requireNonNull(protocol, "protocol");
                Objects.requireNonNull(response, "response");
                notices = List.copyOf(notices);
            }
        }

        /**
         * Write {@link #response()} (a 1xx other than 101) to the client and wait for the next head.
         *
         * @param response the stripped interim head
         */
        record Interim(ResponseHead response) implements Verdict {
            /** Checks for null. */
            public Interim {
                Objects.requireNonNull(response, "response");
            }
        }

        /**
         * Relay {@link #response()} and its body as plain HTTP.
         *
         * @param response the stripped head for the client; with {@code Connection: close} when
         *     {@code closeClient}
         * @param closeClient whether the client connection must be closed after this response: true
         *     for any answer to a forwarded upgrade, so bytes the client sent after its request can
         *     never be read as a second request
         * @param reason {@link UpgradeReason#NOT_SWITCHED} for a forwarded upgrade, otherwise the
         *     reason no upgrade was forwarded ({@link UpgradeReason#NOT_OFFERED} for ordinary requests)
         */
        record Plain(ResponseHead response, boolean closeClient, UpgradeReason reason) implements Verdict {
            /** Checks for nulls. */
            public Plain {
                Objects.requireNonNull(response, "response");
                Objects.requireNonNull(reason, "reason");
            }
        }

        /**
         * The answer cannot be relayed: send {@link #response()} (502) and {@link #body()}, close both
         * connections.
         *
         * @param reason why
         * @param detail the specifics, e.g. "the upstream switched to h2c but the client offered websocket"
         * @param response a 502 head
         */
        record Invalid(UpgradeReason reason, String detail, ResponseHead response) implements Verdict, ErrorAnswer {
            /** Checks for nulls. */
            public Invalid {
                Objects.requireNonNull(reason, "reason");
                Objects.requireNonNull(detail, "detail");
                Objects.requireNonNull(response, "response");
            }
        }
    }

    /** The request to send upstream for {@code request}, or a refusal to answer the client directly. */
    public Outbound towardUpstream(RequestHead request) {
        Forwarding stripped = policy.forRequest(request);
        if (stripped instanceof Forwarding.Refuse refused) {
            return refuse(UpgradeReason.REQUEST_HEAD_REFUSED, refused.advice());
        }
        Forwarding.Forward forward = (Forwarding.Forward) stripped;
        Headers headers = request.headers();
        boolean connectionUpgrade = headers.hasToken(HeaderName.CONNECTION, "upgrade");
        if (!headers.contains(HeaderName.UPGRADE)) {
            return plain(request, forward, connectionUpgrade
                    ? new UpgradeDecision.Ignore(UpgradeReason.UPGRADE_FIELD_MISSING,
                            "expected an Upgrade field with 'Connection: upgrade' but found none")
                    : new UpgradeDecision.Ignore(UpgradeReason.NOT_OFFERED, "no Upgrade field"));
        }
        if (request.version() != HttpVersion.HTTP_1_1) {
            return plain(request, forward, new UpgradeDecision.Ignore(request.version() == HttpVersion.HTTP_1_0
                    ? UpgradeReason.HTTP_1_0_REQUEST : UpgradeReason.HTTP_2_REQUEST,
                    "expected HTTP/1.1 for an upgrade but the request was " + request.version()));
        }
        FieldList offer = FieldList.parse(headers.values(HeaderName.UPGRADE), FieldList.Element.PROTOCOL,
                FieldList.DEFAULT_MAX_ELEMENTS);
        if (offer instanceof FieldList.Malformed malformed) {
            return refuse(UpgradeReason.MALFORMED_UPGRADE, "Upgrade: " + malformed.detail());
        }
        if (!connectionUpgrade) {
            return plain(request, forward, new UpgradeDecision.Ignore(UpgradeReason.CONNECTION_LACKS_UPGRADE,
                    "expected 'upgrade' among the Connection options but found '"
                            + String.join(", ", headers.values(HeaderName.CONNECTION)) + "'"));
        }
        List<Protocol> offered = UpgradeNegotiator.protocols(((FieldList.Valid) offer).elements());
        List<Protocol> forwarded = new ArrayList<>(offered.size());
        for (Protocol protocol : offered) {
            if (allows(protocol)) {
                forwarded.add(protocol);
            }
        }
        if (forwarded.isEmpty()) {
            return plain(request, forward, new UpgradeDecision.Ignore(UpgradeReason.NO_SUPPORTED_PROTOCOL,
                    "the client offered " + join(offered) + " but the proxy forwards only " + join(allowed)
                            + otherVersion(offered)));
        }
        boolean websocket = forwarded.stream().anyMatch(p -> p.named("websocket"));
        FieldList offeredExtensions = websocket
                ? WebSocketHandshake.offeredExtensions(request) : new FieldList.Valid(List.of());
        if (websocket && validateWebSocket) {
            UpgradeDecision.@Nullable Reject broken = WebSocketHandshake.checkRequest(request, offeredExtensions);
            if (broken != null) {
                return new Outbound.Refuse(broken.reason(), broken.detail(), broken.response());
            }
        }
        Headers.Builder out = forward.withConnection(UpstreamConnection.UPGRADE).toBuilder()
                .add(HeaderName.UPGRADE, join(forwarded));
        if (forwarded.stream().anyMatch(p -> p.named("h2c"))) {
            // HTTP2-Settings is connection-specific: re-add it and nominate it (RFC 7540 §3.2.1).
            headers.values(HeaderName.HTTP2_SETTINGS).forEach(v -> out.add(HeaderName.HTTP2_SETTINGS, v));
            out.set(HeaderName.CONNECTION, headers.contains(HeaderName.TE) && forward.headers().contains(HeaderName.TE)
                    ? "upgrade, HTTP2-Settings, te" : "upgrade, HTTP2-Settings");
        }
        @Nullable String accept = null;
        List<String> subprotocols = List.of();
        List<String> extensions = List.of();
        if (websocket) {
            accept = headers.first(HeaderName.SEC_WEBSOCKET_KEY).map(WebSocketHandshake::accept).orElse(null);
            subprotocols = Tokens.list(headers, HeaderName.SEC_WEBSOCKET_PROTOCOL,
                    FieldList.Element.TOKEN) instanceof FieldList.Valid given ? given.elements() : List.of();
            extensions = offeredExtensions instanceof FieldList.Valid valid ? WebSocketExtension.readAll(valid).stream()
                    .map(e -> e.name().toLowerCase(Locale.ROOT)).toList() : List.of();
        }
        UpgradeAttempt attempt = new UpgradeAttempt(forwarded, null, accept, subprotocols, extensions);
        return new Outbound.Forward(request.withHeaders(out.build()), attempt, forward);
    }

    /** What the upstream's answer {@code response} to the request of {@code attempt} means. */
    public Verdict judge(UpgradeAttempt attempt, ResponseHead response) {
        Objects.requireNonNull(attempt, "attempt");
        if (response.status() == 101) {
            return judgeSwitch(attempt, response);
        }
        Forwarding stripped = policy.forResponse(response);
        if (stripped instanceof Forwarding.Refuse refused) {
            return invalid(UpgradeReason.RESPONSE_HEAD_REFUSED, refused.advice());
        }
        ResponseHead toClient = response.withHeaders(((Forwarding.Forward) stripped).headers());
        if (response.isInformational()) {
            return new Verdict.Interim(toClient);
        }
        if (attempt.upgrading()) {
            return new Verdict.Plain(toClient.withHeaders(toClient.headers().toBuilder()
                    .set(HeaderName.CONNECTION, "close").build()), true, UpgradeReason.NOT_SWITCHED);
        }
        return new Verdict.Plain(toClient, false, attempt.notForwarded().orElseThrow().reason());
    }

    private Verdict judgeSwitch(UpgradeAttempt attempt, ResponseHead response) {
        Headers headers = response.headers();
        if (!attempt.upgrading()) {
            return invalid(UpgradeReason.UNSOLICITED_SWITCH, "the upstream answered 101 to a request that was"
                    + " forwarded without an upgrade (" + attempt.notForwarded().orElseThrow().reason() + ")");
        }
        if (response.version() != HttpVersion.HTTP_1_1) {
            return invalid(UpgradeReason.SWITCH_NOT_HTTP_1_1, "the upstream answered 101 in an " + response.version()
                    + " response; expected HTTP/1.1, the only version that can switch protocols");
        }
        if (!headers.hasToken(HeaderName.CONNECTION, "upgrade")) {
            return invalid(UpgradeReason.SWITCH_WITHOUT_CONNECTION_UPGRADE, "expected 'upgrade' among the 101's"
                    + " Connection options but found '" + String.join(", ", headers.values(HeaderName.CONNECTION)) + "'");
        }
        FieldList upgrade = Tokens.list(headers, HeaderName.UPGRADE, FieldList.Element.PROTOCOL);
        List<String> named = upgrade instanceof FieldList.Valid valid ? valid.elements() : List.of();
        if (named.isEmpty()) {
            return invalid(UpgradeReason.SWITCH_WITHOUT_UPGRADE, upgrade instanceof FieldList.Malformed
                    ? "expected the 101 to name a protocol but its Upgrade field was '"
                            + String.join(", ", headers.values(HeaderName.UPGRADE)) + "'"
                    : "expected the 101 to name a protocol but it had no Upgrade field");
        }
        // The protocol as the client offered it: the upstream may name it in another case (RFC 9110 §7.8).
        @Nullable Protocol chosen = named.size() > 1 ? null : offered(attempt, Protocol.parse(named.get(0)));
        if (chosen == null) {
            return invalid(UpgradeReason.SWITCH_TO_UNOFFERED_PROTOCOL, "the upstream switched to "
                    + String.join(", ", named) + " but the client offered " + join(attempt.offered()));
        }
        List<String> notices = new ArrayList<>(2);
        if (chosen.named("websocket")) {
            Verdict.@Nullable Invalid broken = checkWebSocketSwitch(attempt, headers);
            if (broken != null) {
                return broken;
            }
        }
        Forwarding stripped = policy.forResponse(response);
        if (stripped instanceof Forwarding.Refuse refused) {
            return invalid(UpgradeReason.RESPONSE_HEAD_REFUSED, refused.advice());
        }
        Forwarding.Forward forward = (Forwarding.Forward) stripped;
        List<Forwarding.Removal> removals = forward.removals();
        for (int i = 0; i < removals.size(); i++) { // by index: no iterator object per 101
            Forwarding.Removal removal = removals.get(i);
            HeaderName name = removal.field().name();
            if (name.equals(HeaderName.CONTENT_LENGTH) || name.equals(HeaderName.TRANSFER_ENCODING)) {
                notices.add("removed '" + removal.field() + "' from the 101: a 1xx response has no body"
                        + " (RFC 9110 §15.2)");
            }
        }
        forward.notices().forEach(n -> notices.add(n.toString()));
        return new Verdict.Tunnel(chosen, response.withHeaders(withOwnUpgrade(forward.headers(), chosen, notices)),
                notices);
    }

    /** The protocol the client offered that {@code named} names, as the client spelled it; null if none. */
    private static @Nullable Protocol offered(UpgradeAttempt attempt, Protocol named) {
        for (Protocol offered : attempt.offered()) {
            if (offered.sameAs(named)) {
                return offered;
            }
        }
        return null;
    }

    /**
     * {@code headers} with exactly one {@code Upgrade} line, {@code chosen}'s wire form, in place of the
     * upstream's first. The policy keeps a 101's {@code Upgrade} lines as they came, and besides the
     * protocol they may hold empty lines and elements, which a list parser ignores (RFC 9110 §5.6.1)
     * but a client comparing the field whole does not; so the proxy names what it judged itself
     * (RFC 9110 §7.8), with a notice unless the upstream's line differed only in letter case.
     */
    private static Headers withOwnUpgrade(Headers headers, Protocol chosen, List<String> notices) {
        String upgrade = chosen.toString();
        List<String> received = headers.values(HeaderName.UPGRADE);
        if (received.size() == 1 && received.get(0).equals(upgrade)) {
            return headers; // the common case: the upstream's head as it is
        }
        if (received.size() != 1 || !received.get(0).equalsIgnoreCase(upgrade)) {
            notices.add("replaced the 101's Upgrade lines '" + String.join("', '", received) + "' with 'Upgrade: "
                    + upgrade + "': empty elements are ignored (RFC 9110 §5.6.1) and the proxy names the protocol"
                    + " switched to itself (RFC 9110 §7.8)");
        }
        return headers.toBuilder().set(HeaderName.UPGRADE, upgrade).build();
    }

    private static Verdict.@Nullable Invalid checkWebSocketSwitch(
            UpgradeAttempt attempt, Headers headers) {
        List<String> accepts = headers.values(HeaderName.SEC_WEBSOCKET_ACCEPT);
        if (accepts.isEmpty()) {
            return invalid(UpgradeReason.WEBSOCKET_ACCEPT_MISSING, "expected a Sec-WebSocket-Accept in the 101"
                    + " but found none");
        }
        String expected = attempt.expectedAccept();
        if (accepts.size() > 1 || expected == null || !accepts.get(0).equals(expected)) {
            return invalid(UpgradeReason.WEBSOCKET_ACCEPT_MISMATCH, "expected Sec-WebSocket-Accept '" + expected
                    + "' but the 101 carried '" + String.join("', '", accepts) + "'");
        }
        FieldList protocols = Tokens.list(headers, HeaderName.SEC_WEBSOCKET_PROTOCOL, FieldList.Element.TOKEN);
        if (!(protocols instanceof FieldList.Valid chosen) || chosen.elements().size() > 1
                || chosen.elements().size() == 1 && !attempt.subprotocols().contains(chosen.elements().get(0))) {
            return invalid(UpgradeReason.WEBSOCKET_SUBPROTOCOL_NOT_OFFERED, "the upstream chose subprotocol '"
                    + String.join(", ", headers.values(HeaderName.SEC_WEBSOCKET_PROTOCOL)) + "' but the client offered "
                    + (attempt.subprotocols().isEmpty() ? "none" : String.join(", ", attempt.subprotocols())));
        }
        FieldList extensions = WebSocketExtension.parseAll(headers.values(HeaderName.SEC_WEBSOCKET_EXTENSIONS));
        if (!(extensions instanceof FieldList.Valid enabled)
                || !allOffered(WebSocketExtension.readAll(enabled), attempt.extensionNames())) {
            return invalid(UpgradeReason.WEBSOCKET_EXTENSION_NOT_OFFERED, "the upstream enabled extensions '"
                    + String.join(", ", headers.values(HeaderName.SEC_WEBSOCKET_EXTENSIONS)) + "' but the client offered "
                    + (attempt.extensionNames().isEmpty() ? "none" : String.join(", ", attempt.extensionNames())));
        }
        return null;
    }

    /** Whether every extension in {@code enabled} was offered; a loop, so that judging a 101 builds no stream. */
    private static boolean allOffered(List<WebSocketExtension> enabled, List<String> offeredNames) {
        for (int i = 0; i < enabled.size(); i++) {
            if (!offeredNames.contains(enabled.get(i).name().toLowerCase(Locale.ROOT))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether an allowlist entry allows {@code offer}: the same name ignoring ASCII case (RFC 9110
     * §7.8: recipients SHOULD compare protocol names case-insensitively) and the same version,
     * compared exactly, or none on both sides.
     */
    private boolean allows(Protocol offer) {
        for (int i = 0; i < allowed.size(); i++) {
            if (allowed.get(i).sameAs(offer)) {
                return true;
            }
        }
        return false;
    }

    /** A remark for an offer that an entry names with another version (or none), else "". */
    private String otherVersion(List<Protocol> offered) {
        for (Protocol offer : offered) {
            for (Protocol entry : allowed) {
                if (entry.named(offer.name())) {
                    return "; an entry allows its name with exactly its version or none, so '" + entry
                            + "' does not allow '" + offer + "'";
                }
            }
        }
        return "";
    }

    private Outbound plain(RequestHead request, Forwarding.Forward forward, UpgradeDecision.Ignore why) {
        return new Outbound.Forward(request.withHeaders(forward.withConnection(plainConnection)),
                UpgradeAttempt.plain(why), forward);
    }

    private static Outbound refuse(UpgradeReason reason, String detail) {
        return new Outbound.Refuse(reason, detail, Messages.errorHead(reason, detail));
    }

    private static Verdict.Invalid invalid(UpgradeReason reason, String detail) {
        return new Verdict.Invalid(reason, detail, Messages.errorHead(reason, detail));
    }

    private static String join(List<Protocol> protocols) {
        return protocols.stream().map(Protocol::toString).collect(Collectors.joining(", "));
    }

    /** Settings for a {@link ProxyUpgrade}. Not thread-safe; the built value is. */
    public static final class Builder {
        private HopByHopPolicy policy = HopByHopPolicy.standard();
        private final List<Protocol> allowed = new ArrayList<>(List.of(Protocol.WEBSOCKET));
        private boolean validateWebSocket = true;
        private UpstreamConnection plainConnection = UpstreamConnection.KEEP_ALIVE;

        private Builder() {}

        /** The hop-by-hop policy for both directions; default {@link HopByHopPolicy#standard()}. */
        public Builder policy(HopByHopPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The protocols whose offers are forwarded, replacing the default {@code websocket}: each entry
         * is {@code name} or {@code name/version} (RFC 9110 §7.8), e.g. {@code "websocket"},
         * {@code "h2c"} or {@code "foo/2"}. An entry allows exactly the offer of its name, compared
         * ignoring ASCII case as RFC 9110 §7.8 recommends, with its version, compared exactly, or with
         * none when it names none: {@code websocket} does not allow {@code websocket/13}, which is not
         * the token RFC 6455 §4.1 requires. An allowed offer named {@code websocket} is validated as a
         * WebSocket handshake whatever its version. Allow {@code h2c} only when the upstream's HTTP/2
         * side enforces everything the proxy does.
         *
         * @throws IllegalArgumentException if an entry is not a token with an optional {@code /} and token
         */
        public Builder allow(String... entries) {
            List<Protocol> parsed = new ArrayList<>(entries.length);
            for (String entry : entries) {
                Protocol protocol = Protocol.parse(Objects.requireNonNull(entry, "entry"));
                if (parsed.stream().noneMatch(protocol::sameAs)) {
                    parsed.add(protocol);
                }
            }
            allowed.clear();
            allowed.addAll(parsed);
            return this;
        }

        /** Whether to validate a WebSocket handshake before contacting the upstream; default true. */
        public Builder validateWebSocket(boolean validate) {
            this.validateWebSocket = validate;
            return this;
        }

        /** The {@code Connection} value for requests forwarded without an upgrade; default keep-alive. */
        public Builder plainConnection(UpstreamConnection connection) {
            if (Objects.requireNonNull(connection, "connection") == UpstreamConnection.UPGRADE) {
                throw new IllegalArgumentException("expected KEEP_ALIVE or CLOSE for plain requests but was UPGRADE");
            }
            this.plainConnection = connection;
            return this;
        }

        /** The proxy upgrade. */
        public ProxyUpgrade build() {
            return new ProxyUpgrade(this);
        }
    }
}
