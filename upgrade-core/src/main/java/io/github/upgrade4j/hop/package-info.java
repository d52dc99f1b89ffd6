/**
 * The hop-by-hop policy: which fields of a head belong to one connection and must not be forwarded
 * as they are (RFC 9110 §7.6.1), for requests toward an upstream and responses toward a client,
 * including 1xx and 101 heads.
 *
 * <ul>
 *   <li>{@link io.github.upgrade4j.hop.HopByHopPolicy}: strips {@code Connection}, every field it
 *       nominates on any of its lines, and the fields that are always connection-specific; protects
 *       fields a nomination must never remove (the CVE-2022-1388 and CVE-2022-31813 class), and drops
 *       request fields that imitate them with {@code _} for {@code -} (RFC 3875 §4.1.18); decides
 *       what an HTTP/2 hop may carry (RFC 9113 §8.2.2).
 *   <li>{@link io.github.upgrade4j.hop.Forwarding}: its sealed result, forward or refuse, each with
 *       reasons; the policy only marks what it removes.
 *   <li>{@link io.github.upgrade4j.hop.HeadEditor}: composes the head a proxy sends in one pass over the
 *       received lines: the policy's stripping, the proxy's own {@code Connection} (with the
 *       persistence decision toward a client), {@code Upgrade}, forwarding fields and framing.
 *   <li>{@link io.github.upgrade4j.hop.ForwardedFields}: the fields a proxy adds after stripping
 *       ({@code X-Forwarded-*}, {@code Forwarded} of RFC 7239, {@code Via} of RFC 9110 §7.6.3),
 *       configured once and written per request by the editor.
 *   <li>{@link io.github.upgrade4j.hop.UpstreamConnection} and
 *       {@link io.github.upgrade4j.hop.Persistence}: the proxy's own {@code Connection} value and
 *       whether a connection persists (RFC 9112 §9.3).
 * </ul>
 *
 * <p>This package does not decide upgrades; {@code io.github.upgrade4j.upgrade} does, and re-adds
 * {@code Upgrade} deliberately when one is forwarded.
 */
@NullMarked
package io.github.upgrade4j.hop;

import org.jspecify.annotations.NullMarked;
