/**
 * The relay of upgraded connections: after a 101 (RFC 9110 §15.2.2, §7.8) or a 2xx to CONNECT
 * (RFC 9110 §9.3.6) a proxy stops speaking HTTP and relays bytes both ways until both sides are
 * done, over NIO event loops and pooled direct buffers or kernel pipes, with half-close, resets passed
 * on as resets, timeouts, a tunnel limit, counters, outcomes and graceful drain.
 *
 * <p>{@link io.github.upgrade4j.tunnel.TunnelRelay} is the engine: {@code open} takes two
 * {@link io.github.upgrade4j.tunnel.Endpoint}s (a channel plus the bytes already read past the head)
 * and answers an {@link io.github.upgrade4j.tunnel.Opening}: a running
 * {@link io.github.upgrade4j.tunnel.Tunnel}, whose channels the relay now owns, or a refusal that
 * leaves them with the caller. Every tunnel ends with one {@link io.github.upgrade4j.tunnel.TunnelOutcome}
 * naming its {@link io.github.upgrade4j.tunnel.CloseReason}. The settings are in
 * {@link io.github.upgrade4j.tunnel.RelayOptions}, one set for both relays.
 *
 * <p>On Linux with Java 22 or newer the relay splices plain tunnels in the kernel
 * ({@code splice(2)} through pooled pipes, {@link io.github.upgrade4j.tunnel.RelayPath#SPLICE}): no
 * relayed byte enters user space. Elsewhere, and for tunnels with a TLS leg, every byte is copied once
 * into a pooled direct buffer and once out of it ({@link io.github.upgrade4j.tunnel.RelayPath#COPY}),
 * and on a TLS leg once more by the engine's encryption or decryption.
 *
 * <p>{@code stats()} of either relay answers a {@link io.github.upgrade4j.tunnel.RelayStats}: the load
 * now (running tunnels, buffers) and counters since the relay started, for a metrics exporter: tunnels
 * opened, refusals by {@link io.github.upgrade4j.tunnel.RefusalReason}, ends by
 * {@link io.github.upgrade4j.tunnel.CloseReason}, the bytes relayed each way by tunnels that have ended,
 * and TLS ends without {@code close_notify} accepted as a FIN. They move at opens, refusals and ends,
 * never per byte. The same three moments reach a {@link io.github.upgrade4j.tunnel.RelayListener}, if
 * {@link io.github.upgrade4j.tunnel.RelayOptions#listener()} sets one, and JDK Flight Recorder as the
 * events {@code io.github.upgrade4j.TunnelOpened}, {@code TunnelRefused} and {@code TunnelClosed}.
 *
 * <p>Either leg may speak TLS ({@code wss}): {@link io.github.upgrade4j.tunnel.Endpoint#tls} wraps
 * the channel with the caller's {@link javax.net.ssl.SSLEngine}, handshaken already or not, and the
 * same contract holds with {@code close_notify} as the TLS form of half-close (RFC 8446 §6.1). A FIN
 * without {@code close_notify} is a possible truncation and is passed on as a reset, unless
 * {@link io.github.upgrade4j.tunnel.RelayOptions#tlsFinWithoutCloseNotifyAsEnd()} accepts it, between
 * records, as a plain FIN.
 *
 * <p>Containers that hand over streams rather than a channel (a Servlet {@code WebConnection}, a
 * connection taken over from an embedded server) use {@link io.github.upgrade4j.tunnel.StreamRelay}:
 * {@link io.github.upgrade4j.tunnel.StreamEndpoint}s relayed on a caller's executor, with the same
 * {@code Opening}, {@code Tunnel}, counters, timeouts, drain and outcome type.
 *
 * <p>The package does not parse or judge heads, or configure TLS.
 */
@NullMarked
package io.github.upgrade4j.tunnel;

import org.jspecify.annotations.NullMarked;
