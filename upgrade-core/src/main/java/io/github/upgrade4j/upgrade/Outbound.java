package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HeadEditor;
import io.github.upgrade4j.hop.UpstreamConnection;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.RequestHead;
import org.jspecify.annotations.Nullable;

/**
 * What {@link ProxyUpgrade#towardUpstream} says to do with a client's request: forward it, or refuse it
 * without contacting the upstream.
 */
public sealed interface Outbound permits Outbound.Forward, ErrorAnswer {
    /**
     * Send {@link #head()} upstream and keep {@link #attempt()} for {@link ProxyUpgrade#judge}. To add
     * the proxy's own fields ({@link io.github.upgrade4j.hop.ForwardedFields}, a request id, body framing), take
     * {@link #edit()} instead and build the head once from it.
     */
    final class Forward implements Outbound {
        private final RequestHead received;
        private final Forwarding.Forward stripping;
        private final UpgradeAttempt attempt;
        private final UpstreamConnection connection;
        private final @Nullable String upgrade;
        private final boolean h2c;

        Forward(RequestHead received, Forwarding.Forward stripping, UpgradeAttempt attempt,
                UpstreamConnection connection, @Nullable String upgrade, boolean h2c) {
            this.received = received;
            this.stripping = stripping;
            this.attempt = attempt;
            this.connection = connection;
            this.upgrade = upgrade;
            this.h2c = h2c;
        }

        /**
         * {@return what was forwarded: an upgrade, or a plain request with the reason its offer, if any,
         * was not} Keep it for {@link ProxyUpgrade#judge}.
         */
        public UpgradeAttempt attempt() {
            return attempt;
        }

        /** {@return what the hop-by-hop policy removed and noticed} */
        public Forwarding.Forward stripping() {
            return stripping;
        }

        /**
         * {@return a fresh editor holding the request's kept lines and the proxy's own {@code Connection}
         * and {@code Upgrade}} {@code Connection} is {@code upgrade}, or the plain value, with {@code te}
         * when {@code TE: trailers} goes too. Add forwarding fields, a request id or framing, then build
         * once.
         */
        public HeadEditor edit() {
            HeadEditor edit = stripping.edit().connection(connection);
            if (upgrade != null) {
                edit.add(HeaderName.UPGRADE, upgrade);
            }
            if (h2c) {
                // HTTP2-Settings is connection-specific: re-add it and nominate it (RFC 7540 §3.2.1).
                Headers headers = received.headers();
                for (int i = 0; i < headers.size(); i++) {
                    if (headers.name(i).equals(HeaderName.HTTP2_SETTINGS)) {
                        edit.add(HeaderName.HTTP2_SETTINGS, headers.value(i));
                    }
                }
                edit.set(HeaderName.CONNECTION, headers.hasToken(HeaderName.TE, "trailers")
                        ? "upgrade, HTTP2-Settings, te" : "upgrade, HTTP2-Settings");
            }
            return edit;
        }

        /**
         * {@return the request for the upstream with nothing but the proxy's own {@code Connection} and
         * {@code Upgrade}} Built from a fresh {@link #edit()} on every call.
         */
        public RequestHead head() {
            return received.withHeaders(edit().build());
        }

        @Override
        public String toString() {
            return "Forward[" + attempt + "]";
        }
    }
}
