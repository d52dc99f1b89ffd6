package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.RequestHead;

/**
 * Decides the switch to one protocol for {@link UpgradeNegotiator}. Implementations must be
 * thread-safe; one instance serves every connection.
 *
 * <p>The negotiator calls {@link #decide} only after the generic preconditions hold: the request is
 * HTTP/1.1, its {@code Upgrade} field is well-formed and offers {@link #protocol()}, and its
 * {@code Connection} field has the {@code upgrade} option. {@link WebSocketHandshake} and
 * {@link H2cUpgrade} are the built-in handlers.
 */
public interface ProtocolHandler {
    /**
     * {@return the protocol this handler switches to} Offers match it by name, ignoring ASCII case, and
     * by version, exactly: a handler for {@code websocket} is not offered {@code websocket/13}.
     */
    Protocol protocol();

    /**
     * Decides for {@code request}, which offered {@code offered}: a {@link UpgradeDecision.Switch} to
     * this protocol, a {@link ErrorAnswer} when the handshake is broken, or an
     * {@link UpgradeDecision.Ignore} to let the negotiator try the client's next protocol.
     *
     * @param request the upgrade request, which passed the generic checks
     * @param offered the client's offer that matched {@link #protocol()}, as the client spelled it
     * @return the decision; never null
     */
    UpgradeDecision decide(RequestHead request, Protocol offered);
}
