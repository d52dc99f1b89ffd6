package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HeadEditor;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.ResponseHead;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@link ProxyUpgrade#judge} says an upstream's answer means for the client: a tunnel, an interim
 * answer, a plain answer, or one that cannot be relayed.
 */
public sealed interface Verdict permits Verdict.Tunnel, Verdict.Interim, Verdict.Plain, ErrorAnswer {
    /**
     * Write {@link #response()} to the client, then relay both connections as a tunnel.
     */
    final class Tunnel implements Verdict {
        private final Protocol protocol;
        private final String upgrade;
        private final ResponseHead received;
        private final Forwarding.Forward stripping;
        private final List<Forwarding.Notice> notices;

        Tunnel(Protocol protocol, String upgrade, ResponseHead received, Forwarding.Forward stripping,
                List<Forwarding.Notice> notices) {
            this.protocol = protocol;
            this.upgrade = upgrade;
            this.received = received;
            this.stripping = stripping;
            this.notices = List.copyOf(notices);
        }

        /**
         * {@return the protocol switched to, spelled as the client offered it} Protocol names compare
         * ignoring case, so the upstream may have named it as {@code WebSocket}.
         */
        public Protocol protocol() {
            return protocol;
        }

        /**
         * {@return what was changed on the way: framing fields removed, {@code Upgrade} lines replaced,
         * nominations} Empty when the 101 passed as it was.
         */
        public List<Forwarding.Notice> notices() {
            return notices;
        }

        /**
         * {@return a fresh editor for the 101} It holds exactly {@code Connection: upgrade}, exactly one
         * {@code Upgrade} line, where the upstream's first {@code Upgrade} line was, and the upstream's
         * other end-to-end fields in their order. The {@code Upgrade} line is {@link #protocol()}'s wire
         * form, followed by the layers the upstream named above it, if any ({@code TLS/1.2, HTTP/1.1}).
         */
        public HeadEditor edit() {
            return stripping.edit().set(HeaderName.UPGRADE, upgrade);
        }

        /** {@return the 101 for the client, built from a fresh {@link #edit()}} */
        public ResponseHead response() {
            return received.withHeaders(edit().build());
        }

        @Override
        public String toString() {
            return "Tunnel[" + protocol + ", notices=" + notices + "]";
        }
    }

    /**
     * Write {@link #response()} (a 1xx other than 101) to the client and wait for the next head.
     *
     * @param response the stripped interim head
     */
    record Interim(ResponseHead response) implements Verdict {
        /**
         * Checks for null.
         *
         * @param response the stripped interim head
         */
        public Interim {
            Objects.requireNonNull(response, "response");
        }
    }

    /** Relay the response and its body as plain HTTP. */
    final class Plain implements Verdict {
        private final ResponseHead received;
        private final Forwarding.Forward stripping;
        private final boolean closeClient;
        private final UpgradeReason.Ignored reason;
        private final @Nullable String advertised;
        private final List<Forwarding.Notice> notices;

        Plain(ResponseHead received, Forwarding.Forward stripping, boolean closeClient,
                UpgradeReason.Ignored reason, @Nullable String advertised, List<Forwarding.Notice> notices) {
            this.received = received;
            this.stripping = stripping;
            this.closeClient = closeClient;
            this.reason = reason;
            this.advertised = advertised;
            this.notices = List.copyOf(notices);
        }

        /**
         * {@return what happened to the response's {@code Upgrade} advertisement, if it had one} A
         * protocol the proxy would forward is advertised to the client
         * ({@link Forwarding.NoticeKind#UPGRADE_ADVERTISED}); any other is removed
         * ({@link Forwarding.NoticeKind#UPGRADE_ADVERTISEMENT_REMOVED}), as is all of it when none is left.
         * Empty for a response without {@code Upgrade}.
         */
        public List<Forwarding.Notice> notices() {
            return notices;
        }

        /**
         * {@return whether the client connection must be closed after this response} True for any answer
         * to a forwarded upgrade, so bytes the client sent after its request can never be read as a
         * second request.
         */
        public boolean closeClient() {
            return closeClient;
        }

        /**
         * {@return why no tunnel opens} {@link UpgradeReason.Ignored#NOT_SWITCHED} for a forwarded
         * upgrade, otherwise the reason no upgrade was forwarded ({@link UpgradeReason.Ignored#NOT_OFFERED}
         * for ordinary requests).
         */
        public UpgradeReason.Ignored reason() {
            return reason;
        }

        /**
         * {@return a fresh editor for the client's head: the stripped lines, with {@code Connection: close}
         * when {@link #closeClient()}, and the advertisement the proxy passes on ({@link #notices()}) with
         * {@code Connection: upgrade}} Use {@link HeadEditor#responseBody} to frame the body and decide
         * whether the client connection persists.
         */
        public HeadEditor edit() {
            HeadEditor edit = stripping.edit();
            if (advertised != null) {
                edit.advertise(advertised);
                return closeClient ? edit.set(HeaderName.CONNECTION, "upgrade, close") : edit;
            }
            return closeClient ? edit.set(HeaderName.CONNECTION, "close") : edit;
        }

        /** {@return the head for the client, built from a fresh {@link #edit()}} */
        public ResponseHead response() {
            return received.withHeaders(edit().build());
        }

        @Override
        public String toString() {
            return "Plain[" + received.status() + ", closeClient=" + closeClient + ", " + reason + "]";
        }
    }
}
