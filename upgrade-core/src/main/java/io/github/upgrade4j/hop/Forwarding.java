package io.github.upgrade4j.hop;

import io.github.upgrade4j.http.HeaderField;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import java.util.List;
import java.util.Objects;

/**
 * What {@link HopByHopPolicy} decided for one head: forward these fields, or refuse the message.
 *
 * <pre>{@code
 * Forwarding decision = policy.forRequest(head);
 * if (decision instanceof Forwarding.Forward forward) {
 *     send(head.withHeaders(forward.withConnection(UpstreamConnection.KEEP_ALIVE)));
 *     forward.notices().forEach(log::info);
 * } else if (decision instanceof Forwarding.Refuse refuse) {
 *     answer(refuse.status(), refuse.advice()); // then close
 * }
 * // Java 21+: switch (decision) { case Forwarding.Forward f -> ...; case Forwarding.Refuse r -> ...; }
 * }</pre>
 */
public sealed interface Forwarding {
    /**
     * Forward the head with {@code headers}.
     *
     * @param headers the fields to send, in their original order; no {@code Connection} field except
     *     on a relayed 101, where it is exactly {@code Connection: upgrade}
     * @param removals every field line removed, in wire order, each with its cause
     * @param notices things the operator may want to know that did not stop the message
     */
    record Forward(Headers headers, List<Removal> removals, List<Notice> notices) implements Forwarding {
        /** Copies the lists. */
        public Forward {
            Objects.requireNonNull(headers, "headers");
            removals = List.copyOf(removals);
            notices = List.copyOf(notices);
        }

        /** Whether field lines were removed. */
        public boolean stripped() {
            return !removals.isEmpty();
        }

        /**
         * The headers with the proxy's own {@code Connection} line appended: {@code connection}'s
         * value, plus {@code te} when a {@code TE} line is being forwarded (RFC 9110 §10.1.4 requires
         * the sender of {@code TE} to nominate it). Use this toward an HTTP/1.1 upstream.
         */
        public Headers withConnection(UpstreamConnection connection) {
            Objects.requireNonNull(connection, "connection");
            String value = headers.contains(HeaderName.TE) ? connection.value() + ", te" : connection.value();
            return headers.toBuilder().add(HeaderName.CONNECTION, value).build();
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
        /** Checks for nulls. */
        public Refuse {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }

        /** A sentence a person can act on: the detail, the rule with its RFC section, and the likely fix. */
        public String advice() {
            return detail + " (" + reason.spec() + "). " + reason.fix();
        }
    }

    /**
     * One removed field line.
     *
     * @param field the line as it was received
     * @param cause why it was removed
     */
    record Removal(HeaderField field, RemovalCause cause) {
        /** Checks for nulls. */
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
        /** Checks for nulls. */
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
        TE_TRAILERS_KEPT
    }
}
