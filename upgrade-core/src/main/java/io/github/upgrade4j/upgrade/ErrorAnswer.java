package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.Reason;
import io.github.upgrade4j.http.ResponseHead;
import java.util.Objects;

/**
 * A "no" that comes with the complete answer to send, the same in every role: an origin refusing a
 * handshake ({@link UpgradeDecision}, 400, 403 or 426), a proxy refusing a request before contacting
 * the upstream ({@link Outbound}, 400 or 426), or an upstream's answer that cannot be relayed
 * ({@link Verdict}, 502). Write {@link #response()}, then {@link #body()}, then close the connection;
 * log {@link #message()}.
 *
 * @param reason why: an {@link UpgradeReason.Refused} or {@link UpgradeReason.Invalid}, or the
 *     {@link io.github.upgrade4j.hop.Refusal} of the hop-by-hop policy that refused the head
 * @param detail the specifics, e.g. what was expected and what was found; safe to log and to show the peer
 * @param response the head to send, with {@code Content-Length} of {@link #body()} and {@code Connection: close}
 */
public record ErrorAnswer(Reason reason, String detail, ResponseHead response)
        implements UpgradeDecision, Outbound, Verdict {
    /**
     * Checks for nulls.
     *
     * @param reason why the answer is a "no"
     * @param detail the specifics; safe to log and to show the peer
     * @param response the head to send
     */
    public ErrorAnswer {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(response, "response");
    }

    /** {@return the status of {@link #response()}} */
    public int status() {
        return response.status();
    }

    /** {@return the detail, then the explanation of the reason with its RFC section} For logs. */
    public String message() {
        return Messages.message(reason, detail);
    }

    /**
     * {@return a plain-text UTF-8 body holding {@link #message()}, as long as the response's
     * {@code Content-Length} says} Each call returns a new array.
     */
    public byte[] body() {
        return Messages.body(reason, detail);
    }
}
