package io.github.upgrade4j.hop;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.RequestHead;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The fields a reverse proxy adds to a request it forwards: {@code X-Forwarded-For},
 * {@code X-Forwarded-Proto}, {@code X-Forwarded-Host}, optionally {@code Forwarded} (RFC 7239) and
 * {@code Via} (RFC 9110 §7.6.3). Configured once and shared by every request (immutable, thread-safe);
 * written per request by {@link HeadEditor#forwarded} after the {@link HopByHopPolicy} ran, so that no
 * client nomination can remove what the proxy wrote (CVE-2022-31813, CVE-2024-45410).
 *
 * <p>With {@code trustIncoming(false)} (the default, right for a proxy at the edge) every incoming
 * {@code X-Forwarded-*}, {@code Forwarded} and {@code X-Real-IP} line is dropped, since a client can
 * write anything there, and fresh values are set. With {@code trustIncoming(true)} (a proxy behind
 * another trusted proxy) the client address is appended to the incoming chains and incoming
 * {@code X-Forwarded-Proto}/{@code -Host} are kept. {@code Via} is always appended, never replaced.
 *
 * <pre>{@code
 * ForwardedFields added = ForwardedFields.builder().proto("https").via("edge-1").build(); // once
 * Headers upstream = forward.edit().forwarded(added, request, "203.0.113.7").build();    // per request
 * }</pre>
 */
public final class ForwardedFields {
    private static final List<HeaderName> FORWARDING = List.of(HeaderName.X_FORWARDED_FOR,
            HeaderName.X_FORWARDED_PROTO, HeaderName.X_FORWARDED_HOST, HeaderName.X_FORWARDED_PORT,
            HeaderName.FORWARDED, HeaderName.X_REAL_IP);

    private final String proto;
    private final @Nullable String host;
    private final boolean trustIncoming;
    private final boolean forwarded;
    private final @Nullable String via;

    private ForwardedFields(Builder b) {
        this.proto = b.proto;
        this.host = b.host;
        this.trustIncoming = b.trustIncoming;
        this.forwarded = b.forwarded;
        this.via = b.via;
    }

    /**
     * {@return a builder with the defaults: proto {@code http}, the request's host, incoming fields
     * dropped, no {@code Forwarded}, no {@code Via}} The client address is given per request, to
     * {@link HeadEditor#forwarded}.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Writes the proxy's fields for {@code request}, from {@code clientAddress}, into {@code edit}.
     * {@code X-Forwarded-Host} and the {@code Forwarded} host come from {@link Builder#host}, else from
     * the request's {@code Host}.
     */
    void writeTo(HeadEditor edit, RequestHead request, String clientAddress) {
        String client = Builder.requireValue(clientAddress, "clientAddress");
        Headers in = request.headers();
        String hostValue = host != null ? host : in.first(HeaderName.HOST).orElse(null);
        if (!trustIncoming) {
            for (int i = 0; i < FORWARDING.size(); i++) {
                edit.remove(FORWARDING.get(i));
            }
        }
        List<String> chain = trustIncoming ? in.values(HeaderName.X_FORWARDED_FOR) : List.of();
        edit.set(HeaderName.X_FORWARDED_FOR, chain.isEmpty() ? client : String.join(", ", chain) + ", " + client);
        if (!trustIncoming || !in.contains(HeaderName.X_FORWARDED_PROTO)) {
            edit.set(HeaderName.X_FORWARDED_PROTO, proto);
        }
        if (hostValue != null && (!trustIncoming || !in.contains(HeaderName.X_FORWARDED_HOST))) {
            edit.set(HeaderName.X_FORWARDED_HOST, hostValue);
        }
        if (forwarded) {
            StringBuilder element = new StringBuilder("for=").append(quoted(forNode(client)));
            if (hostValue != null) {
                element.append(";host=").append(quoted(hostValue));
            }
            element.append(";proto=").append(proto);
            List<String> earlier = trustIncoming ? in.values(HeaderName.FORWARDED) : List.of();
            edit.set(HeaderName.FORWARDED, earlier.isEmpty() ? element.toString()
                    : String.join(", ", earlier) + ", " + element);
        }
        if (via != null) {
            String received = request.version() == HttpVersion.HTTP_1_0 ? "1.0 " : "1.1 ";
            edit.add(HeaderName.VIA, received + via);
        }
    }

    /** RFC 7239 §6: an IPv6 node is written in brackets. */
    private static String forNode(String address) {
        return address.indexOf(':') >= 0 && !address.startsWith("[") ? "[" + address + "]" : address;
    }

    /** RFC 7239 §4 with RFC 9110 §5.6.4: always a quoted string, which is valid for any value. */
    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Settings for {@link ForwardedFields}. */
    public static final class Builder {
        private String proto = "http";
        private @Nullable String host;
        private boolean trustIncoming;
        private boolean forwarded;
        private @Nullable String via;

        private Builder() {}

        /**
         * Sets the scheme the client used, {@code "http"} (default) or {@code "https"}.
         *
         * @param proto the scheme, as written in {@code X-Forwarded-Proto}
         * @return this builder
         * @throws IllegalArgumentException if {@code proto} is empty or not visible ASCII without spaces,
         *     commas or quotes
         */
        public Builder proto(String proto) {
            this.proto = requireValue(proto, "proto");
            return this;
        }

        /**
         * Sets the host the client asked for; by default the request's {@code Host}.
         *
         * @param host the host, and port if any, as written in {@code X-Forwarded-Host}
         * @return this builder
         * @throws IllegalArgumentException if {@code host} is empty or not visible ASCII without spaces,
         *     commas or quotes
         */
        public Builder host(String host) {
            this.host = requireValue(host, "host");
            return this;
        }

        /**
         * Sets whether the incoming forwarding fields come from a trusted proxy; default false, which
         * drops them. See the class doc.
         *
         * @param trust true to extend the incoming chains, false to replace them
         * @return this builder
         */
        public Builder trustIncoming(boolean trust) {
            this.trustIncoming = trust;
            return this;
        }

        /**
         * Sets whether to write an RFC 7239 {@code Forwarded} field too; default false.
         *
         * @param write true to write {@code Forwarded} beside the {@code X-Forwarded-*} fields
         * @return this builder
         */
        public Builder forwarded(boolean write) {
            this.forwarded = write;
            return this;
        }

        /**
         * Appends {@code Via: 1.1 <pseudonym>} (RFC 9110 §7.6.3); by default no {@code Via} is added.
         * Use a name that does not reveal internal hosts, e.g. {@code "edge"}. The protocol version is
         * the request's, so {@code 1.0} for an HTTP/1.0 request.
         *
         * @param pseudonym the name the proxy goes by
         * @return this builder
         * @throws IllegalArgumentException if {@code pseudonym} is empty or not visible ASCII without
         *     spaces, commas or quotes
         */
        public Builder via(String pseudonym) {
            this.via = requireValue(pseudonym, "pseudonym");
            return this;
        }

        /** {@return the fields with these settings} The builder stays usable. */
        public ForwardedFields build() {
            return new ForwardedFields(this);
        }

        private static String requireValue(String value, String what) {
            Objects.requireNonNull(value, what);
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c <= ' ' || c >= 0x7F || c == ',' || c == '"') {
                    throw new IllegalArgumentException("expected " + what + " of visible ASCII without spaces, commas"
                            + " or quotes but found " + (c < 0x20 ? String.format("0x%02X", (int) c) : "'" + c + "'")
                            + " at index " + i);
                }
            }
            if (value.isEmpty()) {
                throw new IllegalArgumentException("expected " + what + " but was empty");
            }
            return value;
        }
    }
}
