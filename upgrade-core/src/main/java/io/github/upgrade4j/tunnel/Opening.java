package io.github.upgrade4j.tunnel;

import java.util.Objects;

/**
 * What a relay's {@code open} ({@link TunnelRelay#open}, {@link StreamRelay#open}) did with two
 * endpoints: a running {@link Opened tunnel}, or a {@link Refused refusal} decided before any byte was
 * read or written.
 *
 * <p>Who owns the endpoints follows the answer: after {@code Opened} the relay owns both and closes
 * both; after {@code Refused} they are untouched and remain the caller's, who answers
 * {@link RefusalReason#status()} (503) instead of the 101 and closes them. Both variants are
 * immutable and thread-safe.
 *
 * <pre>{@code
 * // Java 17
 * Opening opening = relay.open(Endpoint.of(client, clientLeftover), Endpoint.of(upstream, upstreamLeftover));
 * if (opening instanceof Opening.Opened opened) {
 *     opened.tunnel().outcome().thenAccept(outcome -> log(outcome));
 * } else if (opening instanceof Opening.Refused refused) {
 *     answer503(client, refused.detail());  // then close both channels
 * }
 *
 * // Java 21+
 * switch (relay.open(clientEndpoint, upstreamEndpoint)) {
 *     case Opening.Opened(Tunnel tunnel) -> tunnel.outcome().thenAccept(this::log);
 *     case Opening.Refused(RefusalReason reason, String detail) -> answer(reason.status(), detail);
 * }
 * }</pre>
 */
public sealed interface Opening {
    /**
     * The tunnel runs; the relay now owns both endpoints and will close them.
     *
     * @param tunnel the running tunnel
     */
    record Opened(Tunnel tunnel) implements Opening {
        /**
         * Checks for null.
         *
         * @param tunnel the running tunnel
         */
        public Opened {
            Objects.requireNonNull(tunnel, "tunnel");
        }
    }

    /**
     * No tunnel: nothing was read, written or closed, and both endpoints are still the caller's.
     *
     * @param reason why
     * @param detail the figures behind the reason, safe to log (e.g. "expected fewer than 100 tunnels
     *     but 100 are running")
     */
    record Refused(RefusalReason reason, String detail) implements Opening {
        /**
         * Checks for nulls.
         *
         * @param reason why
         * @param detail the figures behind the reason, safe to log
         */
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
