package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.RequestHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The origin role of RFC 9110 §7.8: decides whether a request switches protocols, over pluggable
 * {@link ProtocolHandler}s. Immutable and thread-safe.
 *
 * <p>Order of checks: no {@code Upgrade} field → ignore (and say so when {@code Connection} has
 * {@code upgrade}, since a proxy then dropped the field); HTTP/1.0 or HTTP/2 → ignore; a malformed
 * {@code Upgrade} → reject 400; no {@code upgrade} among the {@code Connection} options (read over
 * every line, as tokens) → ignore (the same checks, in the same words, as {@link ProxyUpgrade}'s);
 * then each offered protocol in the client's order of preference
 * goes to the handler registered for it, and the first switch or reject wins. An offer nobody
 * handles is ignored with the list of what was offered and what is supported.
 *
 * <pre>{@code
 * UpgradeNegotiator negotiator = UpgradeNegotiator.of(WebSocketHandshake.builder()
 *         .origins(OriginPolicy.allowing("https://app.example"))
 *         .subprotocols(offered -> offered.contains("chat") ? Optional.of("chat") : Optional.empty())
 *         .build());
 * }</pre>
 *
 * <p>h2c is off unless an {@link H2cUpgrade} handler is registered. This class writes nothing and
 * keeps no state per connection.
 */
public final class UpgradeNegotiator {
    private static final UpgradeNegotiator STANDARD = of(WebSocketHandshake.standard());

    private final List<ProtocolHandler> handlers;

    private UpgradeNegotiator(List<ProtocolHandler> handlers) {
        this.handlers = handlers;
    }

    /** A negotiator for WebSocket only, with {@link WebSocketHandshake#standard()}. */
    public static UpgradeNegotiator standard() {
        return STANDARD;
    }

    /**
     * A negotiator with {@code handlers}; the first handler for a protocol wins.
     *
     * @throws IllegalArgumentException if no handler is given
     */
    public static UpgradeNegotiator of(ProtocolHandler... handlers) {
        List<ProtocolHandler> list = List.of(handlers);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("expected at least one protocol handler but got none");
        }
        return new UpgradeNegotiator(list);
    }

    /**
     * Decides what to do with {@code request}; never throws for any well-formed head. A request that
     * offered an upgrade is recorded as a flight-recorder event ({@code io.github.upgrade4j.UpgradeDecision},
     * role {@code origin}) when a recording enables it.
     */
    public UpgradeDecision decide(RequestHead request) {
        UpgradeDecision decision = decideOnce(request);
        DecisionEvents.origin(decision);
        return decision;
    }

    private UpgradeDecision decideOnce(RequestHead request) {
        UpgradeOffer offer = UpgradeOffer.of(request);
        if (offer.ignored() != null) {
            return offer.ignored();
        }
        if (offer.rejected() != null) {
            return offer.rejected();
        }
        List<Protocol> offered = offer.protocols();
        @Nullable WebSocketOffer webSocket = null;
        UpgradeDecision.@Nullable Ignore lastIgnore = null;
        for (int i = 0; i < offered.size(); i++) {
            Protocol protocol = offered.get(i);
            for (int h = 0; h < handlers.size(); h++) {
                ProtocolHandler handler = handlers.get(h);
                if (handler.protocol().sameAs(protocol)) {
                    UpgradeDecision decision;
                    if (handler instanceof WebSocketHandshake handshake) { // its fields read once, not per handler
                        webSocket = webSocket != null ? webSocket : WebSocketOffer.of(request);
                        decision = handshake.decide(request, protocol, webSocket);
                    } else {
                        decision = Objects.requireNonNull(handler.decide(request, protocol),
                                "ProtocolHandler.decide returned null");
                    }
                    if (!(decision instanceof UpgradeDecision.Ignore ignore)) {
                        return decision;
                    }
                    lastIgnore = ignore;
                    break;
                }
            }
        }
        if (lastIgnore != null) {
            return lastIgnore;
        }
        List<Protocol> supported = new ArrayList<>(handlers.size());
        for (int h = 0; h < handlers.size(); h++) {
            supported.add(handlers.get(h).protocol());
        }
        return new UpgradeDecision.Ignore(UpgradeReason.Ignored.NO_SUPPORTED_PROTOCOL, "the client offered "
                + UpgradeOffer.join(offered) + " but only " + UpgradeOffer.join(supported) + " is supported");
    }
}
