package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.Reason;
import io.github.upgrade4j.http.ResponseHead;

/**
 * A "no" that comes with the complete answer to send: {@link UpgradeDecision.Reject},
 * {@link Outbound.Refuse}, {@link Verdict.Invalid} and
 * {@link ExtendedConnect.Failed}. Write {@link #response()}, then {@link #body()}, then close the
 * connection; log {@link #message()}.
 */
public interface ErrorAnswer {
    /**
     * Why: an {@link UpgradeReason.Refused} or {@link UpgradeReason.Invalid}, or the
     * {@link io.github.upgrade4j.hop.Refusal} of the hop-by-hop policy that refused the head.
     */
    Reason reason();

    /** The specifics, e.g. what was expected and what was found; safe to log and to show the peer. */
    String detail();

    /** The head to send, with {@code Content-Length} of {@link #body()} and {@code Connection: close}. */
    ResponseHead response();

    /** The status of {@link #response()}. */
    default int status() {
        return response().status();
    }

    /** The detail, then the explanation of the reason with its RFC section. */
    default String message() {
        return Messages.message(reason(), detail());
    }

    /** A plain-text UTF-8 body holding {@link #message()}, as long as the response's Content-Length says. */
    default byte[] body() {
        return Messages.body(reason(), detail());
    }
}
