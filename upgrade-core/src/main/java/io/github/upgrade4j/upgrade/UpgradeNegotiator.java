package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.RequestHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The origin role of RFC 9110 §7.8: decides whether a request switches protocols, over pluggable
 * {@link ProtocolHandler}s. Immutable and thread-safe.
 *
 * <p>Order of checks: no {@code Upgrade} field → ignore (and say so when {@code Connection} has
 * {@code upgrade}, since a proxy then dropped the field); HTTP/1.0 or HTTP/2 → ignore; a malformed
 * {@code Upgrade} → reject 400; no {@code upgrade} among the {@code Connection} options (read over
 * every line, as tokens) → ignore; then each offered protocol in the client's order of preference
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

    /** Decides what to do with {@code request}; never throws for any well-formed head. */
    public UpgradeDecision decide(RequestHead request) {
        Headers headers = request.headers();
        boolean connectionUpgrade = headers.hasToken(HeaderName.CONNECTION, "upgrade");
        if (!headers.contains(HeaderName.UPGRADE)) {
            return connectionUpgrade
                    ? new UpgradeDecision.Ignore(UpgradeReason.UPGRADE_FIELD_MISSING,
                            "expected an Upgrade field with 'Connection: upgrade' but found none")
                    : new UpgradeDecision.Ignore(UpgradeReason.NOT_OFFERED, "no Upgrade field");
        }
        if (request.version() != HttpVersion.HTTP_1_1) {
            return request.version() == HttpVersion.HTTP_1_0
                    ? new UpgradeDecision.Ignore(UpgradeReason.HTTP_1_0_REQUEST,
                            "expected HTTP/1.1 for an upgrade but the request was HTTP/1.0")
                    : new UpgradeDecision.Ignore(UpgradeReason.HTTP_2_REQUEST,
                            "expected HTTP/1.1 for an upgrade but the request was HTTP/2");
        }
        FieldList offer = FieldList.parse(headers.values(HeaderName.UPGRADE), FieldList.Element.PROTOCOL,
                FieldList.DEFAULT_MAX_ELEMENTS);
        if (offer instanceof FieldList.Malformed malformed) {
            return Messages.reject(UpgradeReason.MALFORMED_UPGRADE, "Upgrade: " + malformed.detail());
        }
        if (!connectionUpgrade) {
            return new UpgradeDecision.Ignore(UpgradeReason.CONNECTION_LACKS_UPGRADE,
                    "expected 'upgrade' among the Connection options but found "
                            + describe(headers.values(HeaderName.CONNECTION)));
        }
        List<Protocol> offered = protocols(((FieldList.Valid) offer).elements());
        UpgradeDecision.@Nullable Ignore lastIgnore = null;
        for (Protocol protocol : offered) {
            for (ProtocolHandler handler : handlers) {
                if (handler.protocol().sameAs(protocol)) {
                    UpgradeDecision decision = Objects.requireNonNull(handler.decide(request, protocol),
                            "ProtocolHandler.decide returned null");
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
        return new UpgradeDecision.Ignore(UpgradeReason.NO_SUPPORTED_PROTOCOL, "the client offered "
                + offered.stream().map(Protocol::toString).collect(Collectors.joining(", "))
                + " but only " + handlers.stream().map(h -> h.protocol().toString()).collect(Collectors.joining(", "))
                + " is supported");
    }

    /** The protocols of well-formed {@code Upgrade} elements, in order. */
    static List<Protocol> protocols(List<String> elements) {
        List<Protocol> out = new ArrayList<>(elements.size());
        for (String element : elements) {
            out.add(Protocol.parse(element));
        }
        return out;
    }

    private static String describe(List<String> values) {
        return values.isEmpty() ? "no Connection field" : "'" + String.join(", ", values) + "'";
    }
}
