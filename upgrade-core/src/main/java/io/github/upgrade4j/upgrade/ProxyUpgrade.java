package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.hop.UpstreamConnection;
import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * Outbound out = proxy.towardUpstream(clientHead);
 * if (out instanceof ErrorAnswer refuse) {
 *     answer(refuse.response(), refuse.body());                 // 400 or 426; close
 * } else if (out instanceof Outbound.Forward forward) {
 *     send(upstream, request.withHeaders(forward.edit()        // one pass over the head
 *             .forwarded(forwardedFields, request, clientAddress).build()));
 *     Verdict verdict = proxy.judge(forward.attempt(), readHead(upstream));
 *     if (verdict instanceof Verdict.Tunnel tunnel) {
 *         write(client, tunnel.response());                      // then relay both ways
 *     } // Interim: write and read the next head; Plain: frame with edit().responseBody(..), relay, close if
 *       // closeClient() or !persists()
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

    /**
     * {@return the proxy upgrade of the defaults: WebSocket only, validated at the proxy, with
     * {@link HopByHopPolicy#standard()}}
     */
    public static ProxyUpgrade standard() {
        return STANDARD;
    }

    /** {@return a builder starting from {@link #standard()}} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Decides what to send upstream for a client's request.
     *
     * <p>A request that offered an upgrade is recorded as a flight-recorder event
     * ({@code io.github.upgrade4j.UpgradeDecision}, role {@code proxy request}) when a recording enables it.
     *
     * @param request the head received from the client
     * @return the request to send upstream, upgrade or plain, or a refusal (400 or 426) to answer the
     *     client directly, without contacting the upstream
     */
    public Outbound towardUpstream(RequestHead request) {
        Outbound outbound = forward(request);
        DecisionEvents.proxyRequest(outbound);
        return outbound;
    }

    private Outbound forward(RequestHead request) {
        Forwarding stripped = policy.forRequest(request);
        if (stripped instanceof Forwarding.Refuse refused) {
            return Messages.refused(refused);
        }
        Forwarding.Forward forward = (Forwarding.Forward) stripped;
        UpgradeOffer offer = UpgradeOffer.of(request, forward.connectionOption(HeaderName.UPGRADE)); // read once
        @Nullable ErrorAnswer rejected = offer.rejected();
        if (rejected != null) {
            return rejected;
        }
        if (offer.ignored() != null) {
            return plain(request, forward, offer.ignored());
        }
        List<Protocol> offered = offer.protocols();
        List<Protocol> forwarded = new ArrayList<>(offered.size());
        for (int i = 0; i < offered.size(); i++) {
            if (allows(offered.get(i))) {
                forwarded.add(offered.get(i));
            }
        }
        if (forwarded.isEmpty()) {
            return plain(request, forward, new UpgradeDecision.Ignore(UpgradeReason.Ignored.NO_SUPPORTED_PROTOCOL,
                    "the client offered " + UpgradeOffer.join(offered) + " but the proxy forwards only "
                            + UpgradeOffer.join(allowed) + otherVersion(offered)));
        }
        UpgradeAttempt attempt;
        if (named(forwarded, "websocket")) {
            WebSocketOffer webSocket = WebSocketOffer.of(request);
            if (validateWebSocket) {
                @Nullable ErrorAnswer broken = WebSocketHandshake.checkRequest(request, webSocket);
                if (broken != null) {
                    return broken;
                }
            }
            String key = webSocket.key();
            attempt = new UpgradeAttempt.Forwarded(forwarded, key == null ? null : WebSocketHandshake.accept(key),
                    webSocket.subprotocolsOrEmpty(), webSocket.extensionNames());
        } else {
            attempt = new UpgradeAttempt.Forwarded(forwarded, null, List.of(), List.of());
        }
        return new Outbound.Forward(request, forward, attempt, UpstreamConnection.UPGRADE,
                UpgradeOffer.join(forwarded), named(forwarded, "h2c"));
    }

    /**
     * Judges the upstream's answer to a request forwarded by {@link #towardUpstream}.
     *
     * <p>An answer other than a 101 that advertises protocols in {@code Upgrade} (a 426, or a 200
     * announcing TLS) keeps, with the proxy's own {@code Connection: upgrade}, only the protocols this
     * proxy would forward, since the client may offer them through it; the rest of the advertisement is
     * removed as connection-specific. {@link Verdict.Plain#notices()} says which.
     *
     * <p>The answer to a forwarded upgrade is recorded as a flight-recorder event
     * ({@code io.github.upgrade4j.UpgradeDecision}, role {@code proxy response}) when a recording enables it.
     *
     * @param attempt what {@link Outbound.Forward#attempt()} returned for the request answered
     * @param response the head the upstream answered with
     * @return a tunnel to open, an interim answer to relay, a plain answer to relay, or a 502
     */
    public Verdict judge(UpgradeAttempt attempt, ResponseHead response) {
        Objects.requireNonNull(attempt, "attempt");
        Verdict verdict = judgeOnce(attempt, response);
        DecisionEvents.proxyResponse(attempt, verdict);
        return verdict;
    }

    private Verdict judgeOnce(UpgradeAttempt attempt, ResponseHead response) {
        if (response.status() == 101) {
            return SwitchCheck.judge(policy, attempt, response);
        }
        Forwarding stripped = policy.forResponse(response);
        if (stripped instanceof Forwarding.Refuse refused) {
            return Messages.refused(refused);
        }
        Forwarding.Forward forward = (Forwarding.Forward) stripped;
        if (response.isInformational()) {
            return new Verdict.Interim(response.withHeaders(forward.headers()));
        }
        if (attempt instanceof UpgradeDecision.Ignore plain) {
            return plain(response, forward, false, plain.reason());
        }
        return plain(response, forward, true, UpgradeReason.Ignored.NOT_SWITCHED);
    }

    /**
     * A plain answer, and what becomes of its {@code Upgrade} advertisement: the hop-by-hop policy removed
     * it with the rest of the connection's fields; the protocols this proxy forwards are advertised again
     * with its own {@code Connection: upgrade}, since the client may offer them through it, and the rest
     * stay removed (an advertisement of h2c, say, would invite an offer the proxy does not pass on).
     * {@code HTTP/1.1} after a kept protocol stays with it: it is the layer above, as in
     * {@code TLS/1.2, HTTP/1.1}.
     */
    private Verdict.Plain plain(ResponseHead response, Forwarding.Forward forward, boolean closeClient,
            UpgradeReason.Ignored reason) {
        List<String> lines = response.headers().values(HeaderName.UPGRADE);
        if (lines.isEmpty()) {
            return new Verdict.Plain(response, forward, closeClient, reason, null, List.of());
        }
        FieldList named = FieldList.parse(lines, FieldList.Element.PROTOCOL, FieldList.DEFAULT_MAX_ELEMENTS);
        List<String> kept = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        if (named instanceof FieldList.Valid valid) {
            for (String element : valid.elements()) {
                Protocol protocol = Protocol.parse(element);
                boolean layerAbove = !kept.isEmpty() && protocol.sameAs(Protocol.HTTP_1_1);
                (layerAbove || allows(protocol) ? kept : removed).add(element);
            }
        } else {
            removed.add(String.join(", ", lines));
        }
        List<Forwarding.Notice> notices = new ArrayList<>(2);
        if (!kept.isEmpty()) {
            notices.add(new Forwarding.Notice(Forwarding.NoticeKind.UPGRADE_ADVERTISED, "advertised '"
                    + String.join(", ", kept) + "' of the upstream's " + response.status()
                    + " to the client, with 'Connection: upgrade': the proxy forwards an offer of it"));
        }
        if (!removed.isEmpty()) {
            notices.add(new Forwarding.Notice(Forwarding.NoticeKind.UPGRADE_ADVERTISEMENT_REMOVED, "removed '"
                    + String.join(", ", removed) + "' from the upstream's " + response.status() + " advertisement:"
                    + " the proxy would not forward an offer of it"
                    + (kept.isEmpty() && response.status() == 426 ? "; the 426 reaches the client without the"
                            + " Upgrade field RFC 9110 §15.5.22 asks for" : "")));
        }
        return new Verdict.Plain(response, forward, closeClient, reason,
                kept.isEmpty() ? null : String.join(", ", kept), notices);
    }

    private static boolean named(List<Protocol> protocols, String name) {
        for (int i = 0; i < protocols.size(); i++) {
            if (protocols.get(i).named(name)) {
                return true;
            }
        }
        return false;
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
        return new Outbound.Forward(request, forward, why, plainConnection, null,
                false);
    }

    /** Settings for a {@link ProxyUpgrade}. Not thread-safe; the built value is. */
    public static final class Builder {
        private HopByHopPolicy policy = HopByHopPolicy.standard();
        private final List<Protocol> allowed = new ArrayList<>(List.of(Protocol.WEBSOCKET));
        private boolean validateWebSocket = true;
        private UpstreamConnection plainConnection = UpstreamConnection.KEEP_ALIVE;

        private Builder() {}

        /**
         * Sets the hop-by-hop policy for both directions; default {@link HopByHopPolicy#standard()}.
         *
         * @param policy the policy applied to requests and answers
         * @return this builder
         */
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
         * @param entries the protocols allowed; none forwards no upgrade at all
         * @return this builder
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

        /**
         * Sets whether to validate a WebSocket handshake before contacting the upstream; default true.
         * Turned off, a broken handshake is the upstream's to refuse.
         *
         * @param validate true to refuse a broken handshake at the proxy
         * @return this builder
         */
        public Builder validateWebSocket(boolean validate) {
            this.validateWebSocket = validate;
            return this;
        }

        /**
         * Sets the {@code Connection} value for requests forwarded without an upgrade; default keep-alive.
         *
         * @param connection {@link UpstreamConnection#KEEP_ALIVE} or {@link UpstreamConnection#CLOSE}
         * @return this builder
         * @throws IllegalArgumentException if {@code connection} is {@link UpstreamConnection#UPGRADE}
         */
        public Builder plainConnection(UpstreamConnection connection) {
            if (Objects.requireNonNull(connection, "connection") == UpstreamConnection.UPGRADE) {
                throw new IllegalArgumentException("expected KEEP_ALIVE or CLOSE for plain requests but was UPGRADE");
            }
            this.plainConnection = connection;
            return this;
        }

        /** {@return a proxy upgrade with these settings} The builder stays usable. */
        public ProxyUpgrade build() {
            return new ProxyUpgrade(this);
        }
    }
}
