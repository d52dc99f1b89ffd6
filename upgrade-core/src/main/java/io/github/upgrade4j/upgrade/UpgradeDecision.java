package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.ResponseHead;
import java.util.Objects;

/**
 * What an origin server does with a request that may ask to switch protocols, decided by
 * {@link UpgradeNegotiator}.
 *
 * <pre>{@code
 * UpgradeDecision decision = negotiator.decide(request);
 * if (decision instanceof UpgradeDecision.Switch s) {
 *     write(s.response());                      // the complete 101 head; then speak s.protocol()
 * } else if (decision instanceof ErrorAnswer r) {
 *     write(r.response(), r.body());            // 400, 403 or 426, then close the connection
 * } else if (decision instanceof UpgradeDecision.Ignore i) {
 *     servePlainHttp(request);                  // i.reason() says why no switch happened
 * }
 * // Java 21+:
 * switch (decision) {
 *     case UpgradeDecision.Switch s -> ...;
 *     case ErrorAnswer r -> ...;
 *     case UpgradeDecision.Ignore i -> ...;
 * }
 * }</pre>
 */
public sealed interface UpgradeDecision permits UpgradeDecision.Switch, UpgradeDecision.Ignore, ErrorAnswer {
    /**
     * Switch: write {@link #response()} and hand the connection to the protocol.
     *
     * @param protocol the protocol chosen, one the client offered
     * @param response the complete 101 head: {@code Upgrade}, {@code Connection: upgrade} and the
     *     protocol's own fields (for WebSocket {@code Sec-WebSocket-Accept} and any subprotocol and
     *     extensions chosen)
     */
    record Switch(Protocol protocol, ResponseHead response) implements UpgradeDecision {
        /**
         * Checks the response is a 101.
         *
         * @param protocol the protocol chosen
         * @param response the complete 101 head
         * @throws IllegalArgumentException if the response's status is not 101
         */
        public Switch {
            Objects.requireNonNull(protocol, "protocol");
            if (response.status() != 101) {
                throw new IllegalArgumentException("expected a 101 response but was " + response.status());
            }
        }
    }

    /**
     * Serve the request as plain HTTP; no switch happens.
     *
     * @param reason why
     * @param detail the specifics, safe to log
     */
    record Ignore(UpgradeReason.Ignored reason, String detail) implements UpgradeDecision, UpgradeAttempt {
        /**
         * Checks for nulls.
         *
         * @param reason why
         * @param detail the specifics, safe to log
         */
        public Ignore {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }

        /** {@return the detail followed by the explanation and the RFC section} For logs. */
        public String message() {
            return Messages.message(reason, detail);
        }
    }
}
