/**
 * Upgrade offers and decisions (RFC 9110 §7.8): the origin role ({@code UpgradeNegotiator} with the
 * WebSocket handshake of RFC 6455 §4 and opt-in h2c), the proxy role ({@code ProxyUpgrade}: forward
 * an offer, judge the upstream's answer), and RFC 8441 / RFC 9220 translation of heads.
 */
@NullMarked
package io.github.upgrade4j.upgrade;

import org.jspecify.annotations.NullMarked;
