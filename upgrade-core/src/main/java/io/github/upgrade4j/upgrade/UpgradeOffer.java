package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.RequestHead;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A request's upgrade offer, read once and shared by every role ({@link UpgradeNegotiator},
 * {@link ProxyUpgrade}, {@link ExtendedConnect}): the generic preconditions of RFC 9110 §7.8, in one
 * order and with one wording, and the offered protocols when they hold.
 *
 * <p>Order: no {@code Upgrade} field → ignore (saying so when {@code Connection} has {@code upgrade},
 * since a hop then dropped the field); HTTP/1.0 or HTTP/2 → ignore; a malformed {@code Upgrade} →
 * reject 400; no {@code upgrade} among the {@code Connection} options (every line, as tokens) → ignore.
 */
final class UpgradeOffer {
    private static final List<Protocol> WEBSOCKET = List.of(Protocol.WEBSOCKET);

    private final UpgradeDecision.@Nullable Ignore ignored;
    private final @Nullable ErrorAnswer rejected;
    private final List<Protocol> protocols;

    private UpgradeOffer(UpgradeDecision.@Nullable Ignore ignored, @Nullable ErrorAnswer rejected,
            List<Protocol> protocols) {
        this.ignored = ignored;
        this.rejected = rejected;
        this.protocols = protocols;
    }

    /** The offer of {@code request}, whose {@code Connection} field has the {@code upgrade} option, or not. */
    static UpgradeOffer of(RequestHead request) {
        return of(request, request.headers().hasToken(HeaderName.CONNECTION, "upgrade"));
    }

    /**
     * The offer of {@code request}, with {@code connectionUpgrade} already read: a proxy takes it from
     * what its hop-by-hop policy read ({@code Forwarding.Forward.connectionOption}).
     */
    static UpgradeOffer of(RequestHead request, boolean connectionUpgrade) {
        Headers headers = request.headers();
        int upgradeLines = 0;
        @Nullable String firstUpgrade = null;
        for (int i = 0; i < headers.size(); i++) {
            if (headers.name(i).equals(HeaderName.UPGRADE)) {
                firstUpgrade = upgradeLines++ == 0 ? headers.value(i) : firstUpgrade;
            }
        }
        if (upgradeLines == 0) {
            return ignore(connectionUpgrade
                    ? new UpgradeDecision.Ignore(UpgradeReason.Ignored.UPGRADE_FIELD_MISSING,
                            "expected an Upgrade field with 'Connection: upgrade' but found none")
                    : new UpgradeDecision.Ignore(UpgradeReason.Ignored.NOT_OFFERED, "no Upgrade field"));
        }
        if (request.version() != HttpVersion.HTTP_1_1) {
            return ignore(new UpgradeDecision.Ignore(request.version() == HttpVersion.HTTP_1_0
                    ? UpgradeReason.Ignored.HTTP_1_0_REQUEST : UpgradeReason.Ignored.HTTP_2_REQUEST,
                    "expected HTTP/1.1 for an upgrade but the request was " + request.version()));
        }
        if (upgradeLines == 1 && "websocket".equals(firstUpgrade)) { // what every browser sends, without a list
            return connectionUpgrade ? new UpgradeOffer(null, null, WEBSOCKET)
                    : lacksConnectionUpgrade(headers);
        }
        FieldList offer = FieldList.parse(headers.values(HeaderName.UPGRADE), FieldList.Element.PROTOCOL,
                FieldList.DEFAULT_MAX_ELEMENTS);
        if (offer instanceof FieldList.Malformed malformed) {
            return new UpgradeOffer(null, Messages.reject(UpgradeReason.Refused.MALFORMED_UPGRADE,
                    "Upgrade: " + malformed.detail()), List.of());
        }
        if (!connectionUpgrade) {
            return lacksConnectionUpgrade(headers);
        }
        List<String> elements = ((FieldList.Valid) offer).elements();
        List<Protocol> protocols = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            protocols.add(Protocol.parse(elements.get(i)));
        }
        return new UpgradeOffer(null, null, protocols);
    }

    private static UpgradeOffer lacksConnectionUpgrade(Headers headers) {
        List<String> connection = headers.values(HeaderName.CONNECTION);
        return ignore(new UpgradeDecision.Ignore(UpgradeReason.Ignored.CONNECTION_LACKS_UPGRADE,
                "expected 'upgrade' among the Connection options but found " + (connection.isEmpty()
                        ? "no Connection field" : "'" + String.join(", ", connection) + "'")));
    }

    private static UpgradeOffer ignore(UpgradeDecision.Ignore why) {
        return new UpgradeOffer(why, null, List.of());
    }

    /** Why the offer is ignored; null when it is not. */
    UpgradeDecision.@Nullable Ignore ignored() {
        return ignored;
    }

    /** Why the request is refused (a malformed {@code Upgrade}); null when it is not. */
    @Nullable ErrorAnswer rejected() {
        return rejected;
    }

    /** The offered protocols, in the client's order of preference; empty when ignored or rejected. */
    List<Protocol> protocols() {
        return protocols;
    }

    /** Whether a protocol named {@code name} is offered. */
    boolean offers(String name) {
        for (int i = 0; i < protocols.size(); i++) {
            if (protocols.get(i).named(name)) {
                return true;
            }
        }
        return false;
    }

    static String join(List<Protocol> protocols) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < protocols.size(); i++) {
            out.append(i == 0 ? "" : ", ").append(protocols.get(i));
        }
        return out.toString();
    }
}
