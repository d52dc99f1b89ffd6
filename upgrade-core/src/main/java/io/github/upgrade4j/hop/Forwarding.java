package io.github.upgrade4j.hop;

import io.github.upgrade4j.http.HeaderField;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@link HopByHopPolicy} decided for one head: forward these fields, or refuse the message.
 *
 * <pre>{@code
 * Forwarding decision = policy.forRequest(head);
 * if (decision instanceof Forwarding.Forward forward) {
 *     send(head.withHeaders(forward.edit().connection(UpstreamConnection.KEEP_ALIVE).build()));
 *     forward.notices().forEach(log::info);
 * } else if (decision instanceof Forwarding.Refuse refuse) {
 *     answer(refuse.status(), refuse.message()); // then close
 * }
 * // Java 21+: switch (decision) { case Forwarding.Forward f -> ...; case Forwarding.Refuse r -> ...; }
 * }</pre>
 */
public sealed interface Forwarding {
    /**
     * Forward the head with {@link #headers()}: the received lines the policy keeps, in their order,
     * plus what the policy itself writes ({@code Connection: upgrade} on a relayed 101, {@code TE:
     * trailers} toward an upstream whose client offered it). {@link #edit()} composes the head actually
     * sent, with the proxy's own fields, in the same single pass. Immutable and thread-safe.
     */
    final class Forward implements Forwarding {
        private static final byte KEEP = 0;

        private final Headers received;
        /** Per received line: {@link #KEEP}, or the ordinal of its {@link RemovalCause} plus one; null: all kept. */
        private final byte @Nullable [] causes;
        /** The received line before which the policy writes {@code Connection: upgrade}; -1 for none. */
        private final int connectionUpgradeAt;
        private final boolean teTrailers;
        private final List<Notice> notices;
        /** Every option of the received {@code Connection} field, over every line. */
        private final List<HeaderName> options;
        private @Nullable Headers headers;

        Forward(Headers received, byte @Nullable [] causes, int connectionUpgradeAt, boolean teTrailers,
                List<Notice> notices, List<HeaderName> options) {
            this.received = received;
            this.causes = causes;
            this.connectionUpgradeAt = connectionUpgradeAt;
            this.teTrailers = teTrailers;
            this.notices = List.copyOf(notices);
            this.options = options;
        }

        /**
         * {@return the fields to send, in their original order} No {@code Connection} field except on a
         * relayed 101, where it is exactly {@code Connection: upgrade}. The received instance when nothing
         * changed; built once otherwise.
         */
        public Headers headers() {
            Headers built = headers;
            if (built == null) {
                built = causes == null && connectionUpgradeAt < 0 && !teTrailers ? received : edit().build();
                headers = built;
            }
            return built;
        }

        /** {@return every field line removed, in wire order, each with its cause; empty when none was} */
        public List<Removal> removals() {
            if (causes == null) {
                return List.of();
            }
            List<Removal> out = new ArrayList<>(4);
            RemovalCause[] all = RemovalCause.values();
            for (int i = 0; i < causes.length; i++) {
                if (causes[i] != KEEP) {
                    out.add(new Removal(received.field(i), all[causes[i] - 1]));
                }
            }
            return List.copyOf(out);
        }

        /**
         * Whether the received {@code Connection} field, read as tokens over every line, has the option
         * {@code option} (ignoring ASCII case), nominated or protected: what the policy read, so that a
         * caller asking, e.g., for {@code upgrade} does not read the field again.
         *
         * @param option the option to look for, compared ignoring ASCII case
         * @return whether some line of the received {@code Connection} field names {@code option}
         */
        public boolean connectionOption(HeaderName option) {
            for (int i = 0; i < options.size(); i++) {
                if (options.get(i).equals(option)) {
                    return true;
                }
            }
            return false;
        }

        /** {@return things the operator may want to know that did not stop the message, in the order found} */
        public List<Notice> notices() {
            return notices;
        }

        /** {@return whether field lines were removed} False when {@link #removals()} is empty. */
        public boolean stripped() {
            return causes != null;
        }

        /**
         * {@return a fresh editor for the head to send: these kept lines, to which the proxy adds its own
         * {@code Connection}, {@code Upgrade}, forwarding fields and framing} The head is built once, by
         * {@link HeadEditor#build()}.
         */
        public HeadEditor edit() {
            return new HeadEditor(this);
        }

        Headers received() {
            return received;
        }

        /** Whether received line {@code index} is kept by the policy. */
        boolean keeps(int index) {
            return causes == null || causes[index] == KEEP;
        }

        int connectionUpgradeAt() {
            return connectionUpgradeAt;
        }

        boolean teTrailers() {
            return teTrailers;
        }

        /** Equal when the headers, removals and notices are. */
        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof Forward other && headers().equals(other.headers())
                    && removals().equals(other.removals()) && notices.equals(other.notices);
        }

        @Override
        public int hashCode() {
            return Objects.hash(headers(), removals(), notices);
        }

        @Override
        public String toString() {
            return "Forward[headers=" + headers() + ", removals=" + removals() + ", notices=" + notices + "]";
        }
    }

    /**
     * Refuse the message: answer {@link #status()} and close the connection it came from.
     *
     * @param reason the rule broken
     * @param detail what was found, safe to log
     * @param status 400 toward a client whose request this was, 502 when it was an upstream's response
     */
    record Refuse(Refusal reason, String detail, int status) implements Forwarding {
        /**
         * Checks for nulls.
         *
         * @param reason the rule broken
         * @param detail what was found, safe to log
         * @param status 400 or 502
         */
        public Refuse {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }

        /**
         * {@return a sentence a person can act on: the detail, then the explanation of the reason with its
         * RFC section} It is worded as every upgrade4j message is ({@code ErrorAnswer.message()}).
         */
        public String message() {
            return detail + ". " + reason.explanation() + " (" + reason.spec() + ")";
        }
    }

    /**
     * One removed field line.
     *
     * @param field the line as it was received
     * @param cause why it was removed
     */
    record Removal(HeaderField field, RemovalCause cause) {
        /**
         * Checks for nulls.
         *
         * @param field the line as it was received
         * @param cause why it was removed
         */
        public Removal {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(cause, "cause");
        }
    }

    /** Why a field line was removed. */
    enum RemovalCause {
        /** It is the {@code Connection} field itself (RFC 9110 §7.6.1). */
        CONNECTION,
        /** {@code Connection} nominated its name (RFC 9110 §7.6.1). */
        NOMINATED,
        /**
         * Its name is always connection-specific: {@code Keep-Alive}, {@code Proxy-Connection},
         * {@code TE}, {@code Transfer-Encoding}, {@code Upgrade}, {@code HTTP2-Settings} (RFC 9110 §7.6.1).
         */
        HOP_BY_HOP,
        /** The proxy consumes proxy authentication, so the field is meant for it (RFC 9110 §11.7). */
        PROXY_AUTHENTICATION,
        /** A 1xx or 204 response must not carry {@code Content-Length} (RFC 9110 §8.6). */
        NOT_ALLOWED_FOR_STATUS,
        /** The field is connection-specific and the next hop is HTTP/2 (RFC 9113 §8.2.2). */
        HTTP2_CONNECTION_SPECIFIC,
        /**
         * Its name imitates a protected field by spelling a {@code -} as {@code _} (e.g.
         * {@code X_Forwarded_Proto}), and a server that reads {@code _} as {@code -} (CGI, RFC 3875
         * §4.1.18) would take it for the real one. A client sending it is probing for a spoof, or was
         * written against such a server; if a trusted client needs the name, see
         * {@link HopByHopPolicy.Builder#underscoredAliases}.
         */
        UNDERSCORED_ALIAS
    }

    /**
     * Something worth reporting that did not stop the message.
     *
     * @param kind what happened
     * @param detail the specifics, safe to log
     */
    record Notice(NoticeKind kind, String detail) {
        /**
         * Checks for nulls.
         *
         * @param kind what happened
         * @param detail the specifics, safe to log
         */
        public Notice {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(detail, "detail");
        }

        @Override
        public String toString() {
            return kind + ": " + detail;
        }
    }

    /** The kinds of {@link Notice}. */
    enum NoticeKind {
        /**
         * {@code Connection} nominated a protected field; the field was kept and the nomination
         * ignored. A sender must not nominate end-to-end fields (RFC 9110 §7.6.1); this is how
         * CVE-2022-1388 and CVE-2022-31813 worked.
         */
        PROTECTED_FIELD_NOMINATED,
        /** {@code TE: trailers} was kept for the upstream because the client offered it (RFC 9110 §10.1.4). */
        TE_TRAILERS_KEPT,
        /** {@code Content-Length} or {@code Transfer-Encoding} was removed from a 101: a 1xx has no body (RFC 9110 §15.2). */
        FRAMING_REMOVED_FROM_SWITCH,
        /**
         * A 101's {@code Upgrade} lines held more than the protocol switched to (empty elements, other
         * spellings), and the proxy wrote its own single line (RFC 9110 §5.6.1, §7.8).
         */
        UPGRADE_LINES_REPLACED,
        /**
         * A response other than a 101 advertised protocols in {@code Upgrade} (a 426, say) and the proxy
         * passed on those it would forward itself, nominated by its own {@code Connection: upgrade}.
         */
        UPGRADE_ADVERTISED,
        /**
         * A response other than a 101 advertised protocols in {@code Upgrade} that the proxy would not
         * forward, so the advertisement of them, connection-specific (RFC 9110 §7.6.1), was removed.
         */
        UPGRADE_ADVERTISEMENT_REMOVED
    }
}
