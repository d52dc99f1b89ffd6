package io.github.upgrade4j.tunnel;

import java.util.Objects;

/**
 * What {@link StreamRelay#open} did with two endpoints: a running {@link Opened tunnel}, or a
 * {@link Refused refusal} decided before any byte was read or written.
 *
 * <p>Who owns the endpoints follows the answer: after {@code Opened} the relay owns both and closes
 * both; after {@code Refused} they are untouched and remain the caller's, who answers 503 if no 101
 * was sent yet, and closes them. Both variants are immutable and thread-safe.
 *
 * <pre>{@code
 * // Java 17
 * StreamOpening opening = relay.open(client, upstream);
 * if (opening instanceof StreamOpening.Opened opened) {
 *     opened.tunnel().outcome().thenAccept(outcome -> log(outcome));
 * } else if (opening instanceof StreamOpening.Refused refused) {
 *     log(refused.detail());   // then close both endpoints: they are still yours
 * }
 *
 * // Java 21+
 * switch (relay.open(client, upstream)) {
 *     case StreamOpening.Opened(StreamTunnel tunnel) -> tunnel.outcome().thenAccept(this::log);
 *     case StreamOpening.Refused(RefusalReason reason, String detail) -> answer(reason.status(), detail);
 * }
 * }</pre>
 */
public sealed interface StreamOpening {
    /**
     * The tunnel runs; the relay now owns both endpoints and will close them.
     *
     * @param tunnel the running tunnel
     */
    record Opened(StreamTunnel tunnel) implements StreamOpening {
        /** Checks for null. */
        public Opened {
            Objects.requireNonNull(tunnel, "tunnel");
        }
    }

    /**
     * No tunnel: nothing was read, written or closed, and both endpoints are still the caller's.
     *
     * @param reason why: {@link RefusalReason#TUNNEL_LIMIT}, {@link RefusalReason#BUFFER_BUDGET}, or
     *     {@link RefusalReason#SHUT_DOWN} (the relay is closed, or its executor rejected the tasks)
     * @param detail the figures behind the reason, safe to log
     */
    record Refused(RefusalReason reason, String detail) implements StreamOpening {
        /** Checks for nulls. */
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
