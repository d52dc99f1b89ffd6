/**
 * Upgrade offers and decisions (RFC 9110 §7.8): the origin role ({@code UpgradeNegotiator} with the
 * WebSocket handshake of RFC 6455 §4 and opt-in h2c), the proxy role ({@code ProxyUpgrade}: forward
 * an offer, judge the upstream's answer), and RFC 8441 / RFC 9220 translation of heads.
 *
 * <p>Both roles read an offer the same way, once, with the same wording for every "no". Results are
 * sealed: {@code UpgradeDecision} (switch, ignore, or an {@code ErrorAnswer}), {@code Outbound}
 * (forward, or an {@code ErrorAnswer}) and {@code Verdict} (tunnel, interim, plain, or an
 * {@code ErrorAnswer}). Reasons are typed ({@code UpgradeReason.Ignored}, {@code .Refused},
 * {@code .Invalid}, or the hop-by-hop policy's {@code Refusal}) and speak the one vocabulary of
 * {@link io.github.upgrade4j.http.Reason}.
 *
 * <p>Each decision about a request that offered an upgrade, and each judgement of the answer to a
 * forwarded one, is a JDK Flight Recorder event, {@code io.github.upgrade4j.UpgradeDecision}, with the
 * role, the decision, the protocol, the reason, the status and the detail; it costs nothing measurable
 * while no recording enables it.
 */
@NullMarked
package io.github.upgrade4j.upgrade;

import org.jspecify.annotations.NullMarked;
