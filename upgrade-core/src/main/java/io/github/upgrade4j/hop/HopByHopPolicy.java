package io.github.upgrade4j.hop;

import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.MessageHead;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Decides which fields of a head a proxy may forward (RFC 9110 §7.6.1): an immutable, thread-safe
 * policy value, shared by all connections.
 *
 * <p>For every head it removes {@code Connection}, every field named by a {@code Connection} option
 * on any of its lines (an empty first line hides nothing), and the fields that are always
 * connection-specific: {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE},
 * {@code Transfer-Encoding} (the caller re-frames the body), {@code Upgrade} (the upgrade path
 * re-adds it deliberately), {@code HTTP2-Settings}, and {@code Proxy-Authorization} /
 * {@code Proxy-Authenticate} when the proxy consumes proxy authentication (the default).
 * {@code Trailer} is end-to-end (RFC 9110 §6.6.2) and is kept unless nominated. Toward the
 * upstream, {@code TE: trailers} is re-added when the client offered {@code trailers}.
 *
 * <p>A nomination can never remove a protected field: {@code Host}, {@code Content-Length},
 * {@code Authorization}, {@code Cookie}, {@code Forwarded}, {@code X-Forwarded-*},
 * {@code X-Real-IP}, {@code Via}, and any name added with {@link Builder#protect}. Such a nomination
 * is ignored and reported ({@link Protection#KEEP_AND_REPORT}), or refuses the message
 * ({@link Protection#REFUSE}), per name. Because {@code Content-Length} is protected and
 * {@code Transfer-Encoding} is always removed, no nomination changes how a body is framed: compute
 * {@link io.github.upgrade4j.http.BodyFraming} from the received head and re-frame accordingly.
 *
 * <p>Responses: final and 1xx heads are stripped the same way; a 1xx or 204 head also loses
 * {@code Content-Length} (RFC 9110 §8.6). A relayed 101 keeps its {@code Upgrade} lines and exactly
 * {@code Connection: upgrade}; every other nominated field is removed. A 101 without {@code Upgrade},
 * or in a response that is not HTTP/1.1, is refused.
 *
 * <p>Requests only: a field whose name imitates a protected one by spelling a {@code -} as
 * {@code _} ({@code X_Forwarded_Proto}, {@code X_Real_IP}, {@code Content_Length},
 * {@code Transfer_Encoding}, or an alias of a name added with {@link Builder#protect}) is dropped and
 * reported as {@link Forwarding.RemovalCause#UNDERSCORED_ALIAS}, because a server that reads
 * {@code _} as {@code -} (CGI, RFC 3875 §4.1.18) would take it for the real field, beside or instead
 * of the one the proxy writes. {@link Builder#underscoredAliases} may refuse such a request (400) or
 * pass it instead. Only colliding names are affected: {@code X_Request_Id} passes. Responses are not
 * checked: their recipient is the client, and a response field cannot spoof what the proxy tells the
 * upstream.
 *
 * <p>{@code Connection} itself is malformed when an option is not a token or there are more than
 * {@link Builder#maxConnectionOptions} of them; the message is then refused (400 for a request,
 * 502 for a response), as Apache httpd does. Proxy-added fields ({@link ForwardedFields}) and the
 * proxy's own {@code Connection} ({@link HeadEditor#connection}) are written after this
 * policy ran, so no client nomination can remove them.
 *
 * <p>The policy only marks what it removes; {@link Forwarding.Forward#edit()} builds the head sent, once.
 * When nothing needs removing, {@link Forwarding.Forward#headers()} is the received instance.
 *
 * <p>This policy does not decide whether to upgrade, does not validate field values other than
 * {@code Connection}, and does not add fields.
 */
public final class HopByHopPolicy {
    private static final NameSet ALWAYS_HOP_BY_HOP = new NameSet(List.of(HeaderName.KEEP_ALIVE,
            HeaderName.PROXY_CONNECTION, HeaderName.TE, HeaderName.TRANSFER_ENCODING, HeaderName.UPGRADE,
            HeaderName.HTTP2_SETTINGS));
    private static final NameSet PROXY_AUTHENTICATION = new NameSet(List.of(HeaderName.PROXY_AUTHORIZATION,
            HeaderName.PROXY_AUTHENTICATE));
    private static final String FORWARDING_PREFIX = "X-Forwarded-";
    /**
     * Names whose underscored aliases are dropped besides the protected ones: the forwarding fields by
     * name (for the detail; the prefix covers the rest), and {@code Transfer-Encoding}, which is never
     * forwarded but whose alias would reach a back end as a framing field the proxy did not frame by.
     */
    private static final List<HeaderName> ALIASED_TOO = List.of(HeaderName.X_FORWARDED_FOR,
            HeaderName.X_FORWARDED_PROTO, HeaderName.X_FORWARDED_HOST, HeaderName.X_FORWARDED_PORT,
            HeaderName.TRANSFER_ENCODING);
    private static final int DEFAULT_MAX_CONNECTION_OPTIONS = 32;
    private static final long SPECIAL_HASH_BITS = ALWAYS_HOP_BY_HOP.hashBits() | PROXY_AUTHENTICATION.hashBits()
            | NameSet.hashBits(HeaderName.CONNECTION, HeaderName.CONTENT_LENGTH);
    private static final HopByHopPolicy STANDARD = builder().build();

    private final Map<HeaderName, Protection> protections;
    private final Protection forwardingPrefixProtection;
    private final boolean consumesProxyAuthentication;
    private final int maxConnectionOptions;
    private final UnderscoreAction underscoredAliases;
    private final UnderscoreAliases aliases;

    private HopByHopPolicy(Builder builder) {
        this.protections = Map.copyOf(builder.protections);
        this.forwardingPrefixProtection = builder.forwardingPrefixProtection;
        this.consumesProxyAuthentication = builder.consumesProxyAuthentication;
        this.maxConnectionOptions = builder.maxConnectionOptions;
        this.underscoredAliases = builder.underscoredAliases;
        List<HeaderName> aliased = new ArrayList<>(builder.protections.keySet());
        aliased.addAll(ALIASED_TOO);
        this.aliases = new UnderscoreAliases(aliased, FORWARDING_PREFIX);
    }

    /** {@return the default policy, as described in the class documentation} */
    public static HopByHopPolicy standard() {
        return STANDARD;
    }

    /** {@return a builder that starts from the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder that starts from this policy's settings} This policy does not change. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.protections.clear();
        builder.protections.putAll(protections);
        builder.forwardingPrefixProtection = forwardingPrefixProtection;
        builder.consumesProxyAuthentication = consumesProxyAuthentication;
        builder.maxConnectionOptions = maxConnectionOptions;
        builder.underscoredAliases = underscoredAliases;
        return builder;
    }

    /**
     * What a proxy may send upstream for a client's request head; refusals answer 400. Underscored
     * aliases of protected names are dropped, refused or passed as {@link Builder#underscoredAliases}
     * says.
     *
     * @param request the head received from the client
     * @return the lines to forward, or the refusal
     */
    public Forwarding forRequest(RequestHead request) {
        return strip(request.headers(), Target.UPSTREAM, 0, false);
    }

    /**
     * What a proxy may send to its client for an upstream's response head; refusals answer 502. A 101
     * that is not an HTTP/1.1 response is refused: the mechanism is HTTP/1.1's (RFC 9110 §7.8).
     *
     * @param response the head received from the upstream
     * @return the lines to forward, or the refusal
     */
    public Forwarding forResponse(ResponseHead response) {
        if (response.status() == 101 && response.version() != HttpVersion.HTTP_1_1) {
            return new Forwarding.Refuse(Refusal.SWITCH_NOT_HTTP_1_1, "expected a 101 in an HTTP/1.1 response but it"
                    + " was " + response.version(), 502);
        }
        return strip(response.headers(), Target.CLIENT, response.status(), false);
    }

    /**
     * What may be sent on an HTTP/2 stream for an HTTP/1.x head (RFC 9113 §8.2.2): every
     * connection-specific field removed, {@code TE} kept only as {@code TE: trailers} toward an
     * upstream. A 101 has no HTTP/2 form; map it to RFC 8441 before calling this.
     *
     * @param head the HTTP/1.x head: a request goes to the upstream, a response to the client
     * @return the lines to send, or the refusal
     */
    public Forwarding forHttp2(MessageHead head) {
        if (head instanceof RequestHead request) {
            return strip(request.headers(), Target.UPSTREAM, 0, true);
        }
        return strip(head.headers(), Target.CLIENT, ((ResponseHead) head).status(), true);
    }

    /**
     * Checks a head received over HTTP/2 for fields HTTP/2 forbids (RFC 9113 §8.2.2):
     * {@code Connection}, {@code Keep-Alive}, {@code Proxy-Connection}, {@code Transfer-Encoding},
     * {@code Upgrade}, and {@code TE} with anything but {@code trailers}.
     *
     * @param head the head as received on an HTTP/2 stream
     * @return the refusal (400 for a request, 502 for a response), or empty when the head is clean
     */
    public static Optional<Forwarding.Refuse> checkReceivedOverHttp2(MessageHead head) {
        return Http2Fields.check(head);
    }

    /** Where the stripped head goes. */
    private enum Target {
        UPSTREAM,
        CLIENT
    }

    private Forwarding strip(Headers headers, Target target, int status, boolean http2) {
        int refusalStatus = target == Target.UPSTREAM ? 400 : 502;
        boolean switching = status == 101 && !http2;
        boolean dropLength = status != 0 && (status < 200 || status == 204);
        ConnectionOptions connection = ConnectionOptions.read(headers, this, maxConnectionOptions, refusalStatus);
        if (connection.refusal != null) {
            return connection.refusal;
        }
        List<HeaderName> nominated = connection.nominated;
        List<Forwarding.Notice> notices = connection.notices;
        boolean dropAliases = target == Target.UPSTREAM && underscoredAliases == UnderscoreAction.DROP;
        if (target == Target.UPSTREAM && underscoredAliases == UnderscoreAction.REFUSE) {
            for (int i = 0; i < headers.size(); i++) {
                @Nullable String imitated = aliases.imitated(headers.name(i));
                if (imitated != null) {
                    return new Forwarding.Refuse(Refusal.UNDERSCORED_ALIAS, "expected no field name that reads as a"
                            + " protected one with '_' as '-' but found " + headers.name(i) + ", read as " + imitated,
                            refusalStatus);
                }
            }
        }
        if (switching && !connection.hasUpgrade) {
            return new Forwarding.Refuse(Refusal.SWITCH_WITHOUT_UPGRADE,
                    "expected an Upgrade field in the 101 response but found none", 502);
        }
        // One pass that only marks: the head is built once, by whoever sends it (Forwarding.Forward.edit()).
        byte @Nullable [] causes = null;
        int connectionUpgradeAt = -1;
        for (int i = 0; i < headers.size(); i++) {
            HeaderName name = headers.name(i);
            Forwarding.RemovalCause cause = causeOf(name, nominated, switching, dropLength, dropAliases, http2);
            if (cause != null) {
                if (causes == null) {
                    causes = new byte[headers.size()];
                }
                causes[i] = (byte) (cause.ordinal() + 1);
                if (switching && connectionUpgradeAt < 0 && name.equals(HeaderName.CONNECTION)) {
                    connectionUpgradeAt = i; // RFC 9110 §7.8: the 101 names upgrade, where its Connection was
                }
            }
        }
        if (switching && connectionUpgradeAt < 0) {
            connectionUpgradeAt = headers.size();
        }
        boolean teTrailers = target == Target.UPSTREAM && connection.hasTe && headers.hasToken(HeaderName.TE, "trailers");
        if (teTrailers) { // RFC 9110 §10.1.4; the proxy relays trailers
            notices = new ArrayList<>(notices);
            notices.add(new Forwarding.Notice(Forwarding.NoticeKind.TE_TRAILERS_KEPT,
                    "the client accepts trailers, so TE: trailers was forwarded"));
        }
        return new Forwarding.Forward(headers, causes, connectionUpgradeAt, teTrailers, notices, connection.options);
    }

    /** Why a line named {@code name} is removed, or null when it is kept. */
    private Forwarding.@Nullable RemovalCause causeOf(HeaderName name, List<HeaderName> nominated, boolean switching,
            boolean dropLength, boolean dropAliases, boolean http2) {
        if ((SPECIAL_HASH_BITS >>> (name.hashCode() & 63) & 1) == 0) { // most lines: no fixed rule names them
            return dropAliases && aliases.imitated(name) != null ? Forwarding.RemovalCause.UNDERSCORED_ALIAS
                    : nominated(name, nominated);
        }
        if (name.equals(HeaderName.CONNECTION)) {
            return http2 ? Forwarding.RemovalCause.HTTP2_CONNECTION_SPECIFIC : Forwarding.RemovalCause.CONNECTION;
        }
        if (switching && name.equals(HeaderName.UPGRADE)) {
            return null;
        }
        if (ALWAYS_HOP_BY_HOP.contains(name)) {
            return http2 ? Forwarding.RemovalCause.HTTP2_CONNECTION_SPECIFIC : Forwarding.RemovalCause.HOP_BY_HOP;
        }
        if (consumesProxyAuthentication && PROXY_AUTHENTICATION.contains(name)) {
            return Forwarding.RemovalCause.PROXY_AUTHENTICATION;
        }
        if (dropLength && name.equals(HeaderName.CONTENT_LENGTH)) {
            return Forwarding.RemovalCause.NOT_ALLOWED_FOR_STATUS;
        }
        if (dropAliases && aliases.imitated(name) != null) {
            return Forwarding.RemovalCause.UNDERSCORED_ALIAS; // before NOMINATED: the graver reason
        }
        return nominated(name, nominated);
    }

    private static Forwarding.@Nullable RemovalCause nominated(HeaderName name, List<HeaderName> nominated) {
        for (int i = 0; i < nominated.size(); i++) {
            if (nominated.get(i).equals(name)) {
                return Forwarding.RemovalCause.NOMINATED;
            }
        }
        return null;
    }

    /** How a nomination of {@code option} is treated; null when the name is not protected. */
    @Nullable Protection protectionOf(HeaderName option) {
        Protection protection = protections.get(option);
        if (protection != null) {
            return protection;
        }
        String token = option.toString();
        if (token.length() > FORWARDING_PREFIX.length()
                && token.regionMatches(true, 0, FORWARDING_PREFIX, 0, FORWARDING_PREFIX.length())) {
            return forwardingPrefixProtection;
        }
        return null;
    }

    /**
     * Options for a {@link HopByHopPolicy}. Starts from the defaults of {@link #standard()}. Not
     * thread-safe; the built policy is.
     */
    public static final class Builder {
        private final Map<HeaderName, Protection> protections = new LinkedHashMap<>();
        private Protection forwardingPrefixProtection = Protection.KEEP_AND_REPORT;
        private boolean consumesProxyAuthentication = true;
        private int maxConnectionOptions = DEFAULT_MAX_CONNECTION_OPTIONS;
        private UnderscoreAction underscoredAliases = UnderscoreAction.DROP;

        private Builder() {
            for (HeaderName name : List.of(HeaderName.HOST, HeaderName.CONTENT_LENGTH, HeaderName.AUTHORIZATION,
                    HeaderName.COOKIE, HeaderName.FORWARDED, HeaderName.X_REAL_IP, HeaderName.VIA)) {
                protections.put(name, Protection.KEEP_AND_REPORT);
            }
        }

        /**
         * Protects {@code name} from nomination with {@code action}, or changes the action of an
         * already protected name; e.g. {@code protect("X-F5-Auth-Token", Protection.REFUSE)}.
         *
         * @param name the field name, compared ignoring ASCII case
         * @param action what a nomination of {@code name} does
         * @return this builder
         */
        public Builder protect(HeaderName name, Protection action) {
            protections.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(action, "action"));
            return this;
        }

        /**
         * Sets what a nomination of any {@code X-Forwarded-*} field does; default
         * {@link Protection#KEEP_AND_REPORT}. A name given to {@link #protect} keeps its own action.
         *
         * @param action what such a nomination does
         * @return this builder
         */
        public Builder protectForwardingFields(Protection action) {
            forwardingPrefixProtection = Objects.requireNonNull(action, "action");
            return this;
        }

        /**
         * Whether the proxy consumes proxy authentication, so {@code Proxy-Authorization} and
         * {@code Proxy-Authenticate} are never forwarded; default true. Set false only for a chain
         * of proxies that authenticate cooperatively (RFC 9110 §11.7.2).
         *
         * @param consumes true to remove both fields, false to forward them
         * @return this builder
         */
        public Builder consumesProxyAuthentication(boolean consumes) {
            consumesProxyAuthentication = consumes;
            return this;
        }

        /**
         * Sets the most {@code Connection} options accepted, over all its lines; more refuses the message.
         * Default 32.
         *
         * @param max the limit, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code max} is below 1
         */
        public Builder maxConnectionOptions(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("expected maxConnectionOptions >= 1 but was " + max);
            }
            maxConnectionOptions = max;
            return this;
        }

        /**
         * What to do with a request field whose name, read with {@code _} as {@code -} and ignoring
         * ASCII case, is that of a protected field (the defaults, {@code X-Forwarded-*},
         * {@code Transfer-Encoding} and every name given to {@link #protect(HeaderName, Protection)});
         * default {@link UnderscoreAction#DROP}. Names with {@code _} that imitate nothing always pass,
         * a protected name that itself has {@code _} is the real field, and responses are never checked.
         *
         * @param action drop the field, refuse the request or pass the field
         * @return this builder
         */
        public Builder underscoredAliases(UnderscoreAction action) {
            underscoredAliases = Objects.requireNonNull(action, "action");
            return this;
        }

        /** {@return a policy with these settings} The builder stays usable. */
        public HopByHopPolicy build() {
            return new HopByHopPolicy(this);
        }
    }
}
