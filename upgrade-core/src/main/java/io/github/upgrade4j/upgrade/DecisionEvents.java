package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.Reason;
import java.util.List;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.jspecify.annotations.Nullable;

/**
 * Records the package's upgrade decisions as JDK Flight Recorder events, one per decision about a
 * request that offered an upgrade (ordinary requests, {@link UpgradeReason.Ignored#NOT_OFFERED}, are
 * not recorded: they are no upgrade decision) and one per upstream answer to a forwarded upgrade.
 *
 * <p>While no recording enables the event, each call costs one allocation that the JIT removes and one
 * check, so the decisions' own speed is kept; the fields, some of them strings built here, are filled
 * only for a recording.
 */
final class DecisionEvents {
    static final String ORIGIN = "origin";
    static final String PROXY_REQUEST = "proxy request";
    static final String PROXY_RESPONSE = "proxy response";

    private DecisionEvents() {}

    /** An origin's {@link UpgradeNegotiator#decide} answered {@code decision}. */
    static void origin(UpgradeDecision decision) {
        UpgradeDecisionEvent event = new UpgradeDecisionEvent();
        if (!event.shouldCommit()) {
            return;
        }
        if (decision instanceof UpgradeDecision.Switch s) {
            commit(event, ORIGIN, "switch", s.protocol().toString(), null, 101, "");
        } else if (decision instanceof UpgradeDecision.Ignore i) {
            if (i.reason() != UpgradeReason.Ignored.NOT_OFFERED) {
                commit(event, ORIGIN, "ignore", "", i.reason(), 0, i.detail());
            }
        } else if (decision instanceof ErrorAnswer a) {
            commit(event, ORIGIN, "refuse", "", a.reason(), a.status(), a.detail());
        }
    }

    /** A proxy's {@link ProxyUpgrade#towardUpstream} answered {@code outbound}. */
    static void proxyRequest(Outbound outbound) {
        UpgradeDecisionEvent event = new UpgradeDecisionEvent();
        if (!event.shouldCommit()) {
            return;
        }
        if (outbound instanceof Outbound.Forward f) {
            if (f.attempt() instanceof UpgradeAttempt.Forwarded forwarded) {
                commit(event, PROXY_REQUEST, "forward", join(forwarded.offered()), null, 0, "");
            } else if (f.attempt() instanceof UpgradeDecision.Ignore i
                    && i.reason() != UpgradeReason.Ignored.NOT_OFFERED) {
                commit(event, PROXY_REQUEST, "forward plain", "", i.reason(), 0, i.detail());
            }
        } else if (outbound instanceof ErrorAnswer a) {
            commit(event, PROXY_REQUEST, "refuse", "", a.reason(), a.status(), a.detail());
        }
    }

    /** A proxy's {@link ProxyUpgrade#judge} answered {@code verdict} for a forwarded upgrade. */
    static void proxyResponse(UpgradeAttempt attempt, Verdict verdict) {
        if (!(attempt instanceof UpgradeAttempt.Forwarded forwarded)) {
            return; // the answer to a plain request is no upgrade decision
        }
        UpgradeDecisionEvent event = new UpgradeDecisionEvent();
        if (!event.shouldCommit()) {
            return;
        }
        if (verdict instanceof Verdict.Tunnel t) {
            commit(event, PROXY_RESPONSE, "tunnel", t.protocol().toString(), null, 101, "");
        } else if (verdict instanceof Verdict.Interim i) {
            commit(event, PROXY_RESPONSE, "interim", join(forwarded.offered()), null, i.response().status(), "");
        } else if (verdict instanceof Verdict.Plain p) {
            commit(event, PROXY_RESPONSE, "plain", join(forwarded.offered()), p.reason(), p.response().status(), "");
        } else if (verdict instanceof ErrorAnswer a) {
            commit(event, PROXY_RESPONSE, "refuse", join(forwarded.offered()), a.reason(), a.status(), a.detail());
        }
    }

    private static void commit(UpgradeDecisionEvent event, String role, String decision, String protocol,
            @Nullable Reason reason, int status, String detail) {
        event.role = role;
        event.decision = decision;
        event.protocol = protocol;
        event.reason = reason == null ? "" : reason.name();
        event.status = status;
        event.detail = detail;
        event.commit();
    }

    private static String join(List<Protocol> protocols) {
        return UpgradeOffer.join(protocols);
    }

    @Name("io.github.upgrade4j.UpgradeDecision")
    @Label("Upgrade Decision")
    @Category({"upgrade4j", "Upgrades"})
    @Description("What an origin or a proxy decided about a request that offered to switch protocols, or about"
            + " the upstream's answer to a forwarded offer")
    @StackTrace(false)
    static final class UpgradeDecisionEvent extends Event {
        @Label("Role")
        @Description("origin (UpgradeNegotiator.decide), proxy request (ProxyUpgrade.towardUpstream) or proxy"
                + " response (ProxyUpgrade.judge)")
        String role;

        @Label("Decision")
        @Description("origin: switch, ignore or refuse; proxy request: forward, forward plain or refuse; proxy"
                + " response: tunnel, interim, plain or refuse")
        String decision;

        @Label("Protocol")
        @Description("The protocol switched to, or those forwarded; empty when none applies")
        String protocol;

        @Label("Reason")
        @Description("The reason's name (UpgradeReason, or the hop-by-hop Refusal); empty for a switch, a forward"
                + " or a tunnel")
        String reason;

        @Label("Status")
        @Description("The status of the answer decided on (101, 400, 426, 502, ...); 0 when the request is forwarded"
                + " or served as plain HTTP")
        int status;

        @Label("Detail")
        @Description("The specifics behind the reason")
        String detail;
    }
}
