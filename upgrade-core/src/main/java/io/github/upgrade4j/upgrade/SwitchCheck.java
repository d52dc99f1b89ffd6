package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.ResponseHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Judges an upstream's 101 for {@link ProxyUpgrade#judge}: solicited, HTTP/1.1, {@code Connection:
 * upgrade}, exactly one offered protocol and, for WebSocket, the accept, subprotocol and extensions
 * (RFC 9110 §7.8, §15.2.2; RFC 6455 §4.1). Stateless.
 */
final class SwitchCheck {
    private SwitchCheck() {}

    static Verdict judge(HopByHopPolicy policy, UpgradeAttempt attempt, ResponseHead response) {
        Headers headers = response.headers();
        if (!(attempt instanceof UpgradeAttempt.Forwarded forwarded)) {
            return invalid(UpgradeReason.Invalid.UNSOLICITED_SWITCH, "the upstream answered 101 to a request that"
                    + " was forwarded without an upgrade (" + ((UpgradeDecision.Ignore) attempt).reason()
                    + ")");
        }
        if (response.version() != HttpVersion.HTTP_1_1) {
            return invalid(UpgradeReason.Invalid.SWITCH_NOT_HTTP_1_1, "the upstream answered 101 in an "
                    + response.version() + " response; expected HTTP/1.1, the only version that can switch protocols");
        }
        if (!headers.hasToken(HeaderName.CONNECTION, "upgrade")) {
            return invalid(UpgradeReason.Invalid.SWITCH_WITHOUT_CONNECTION_UPGRADE, "expected 'upgrade' among the"
                    + " 101's Connection options but found '" + joined(headers, HeaderName.CONNECTION) + "'");
        }
        @Nullable Protocol asSent = sameAsOffered(forwarded, headers);
        if (asSent != null) { // the common 101: one Upgrade line naming an offered protocol as it was sent
            return switched(policy, forwarded, response, asSent, asSent.toString());
        }
        FieldList named = FieldList.parse(headers.values(HeaderName.UPGRADE), FieldList.Element.PROTOCOL,
                FieldList.DEFAULT_MAX_ELEMENTS);
        List<String> protocols = named instanceof FieldList.Valid valid ? valid.elements() : List.of();
        if (protocols.isEmpty()) {
            return invalid(UpgradeReason.Invalid.SWITCH_WITHOUT_UPGRADE, named instanceof FieldList.Malformed
                    ? "expected the 101 to name a protocol but its Upgrade field was '"
                            + joined(headers, HeaderName.UPGRADE) + "'"
                    : "expected the 101 to name a protocol but it had no Upgrade field");
        }
        // The protocol as the client offered it: the upstream may name it in another case (RFC 9110 §7.8).
        @Nullable Protocol chosen = offered(forwarded, Protocol.parse(protocols.get(0)));
        if (chosen == null || protocols.size() > 1 && !tlsUnderHttp(chosen, protocols)) {
            return invalid(UpgradeReason.Invalid.SWITCH_TO_UNOFFERED_PROTOCOL, "the upstream switched to "
                    + String.join(", ", protocols) + " but the client offered " + UpgradeOffer.join(forwarded.offered())
                    + (protocols.size() > 1 ? " (a 101 names one protocol, or TLS with HTTP/1.1 on top of it)" : ""));
        }
        return switched(policy, forwarded, response, chosen,
                protocols.size() == 1 ? chosen.toString() : chosen + ", " + protocols.get(1));
    }

    /**
     * Whether a 101's two-element {@code Upgrade} list is a switch to TLS with HTTP/1.1 going on above it,
     * the layers in ascending order (RFC 9110 §7.8; RFC 2817 §3.3: {@code TLS/1.2, HTTP/1.1}). No other
     * list is a switch a client asked for: naming a protocol twice, or two protocols where one was
     * offered, is ambiguous.
     */
    private static boolean tlsUnderHttp(Protocol chosen, List<String> protocols) {
        return protocols.size() == 2 && chosen.named("TLS") && Protocol.HTTP_1_1.sameAs(Protocol.parse(protocols.get(1)));
    }

    /** The checks after the protocol, and the tunnel. */
    private static Verdict switched(HopByHopPolicy policy, UpgradeAttempt.Forwarded forwarded, ResponseHead response,
            Protocol chosen, String upgrade) {
        Headers headers = response.headers();
        if (chosen.named("websocket")) {
            @Nullable ErrorAnswer broken = checkWebSocket(forwarded, headers);
            if (broken != null) {
                return broken;
            }
        }
        Forwarding stripped = policy.forResponse(response);
        if (stripped instanceof Forwarding.Refuse refused) {
            return Messages.refused(refused);
        }
        Forwarding.Forward forward = (Forwarding.Forward) stripped;
        List<Forwarding.Notice> notices = forward.notices(); // usually none: a list is made only to add one
        List<Forwarding.Removal> removals = headers.contains(HeaderName.CONTENT_LENGTH)
                || headers.contains(HeaderName.TRANSFER_ENCODING) ? forward.removals() : List.of();
        for (int i = 0; i < removals.size(); i++) {
            HeaderName name = removals.get(i).field().name();
            if (name.equals(HeaderName.CONTENT_LENGTH) || name.equals(HeaderName.TRANSFER_ENCODING)) {
                notices = plus(notices, new Forwarding.Notice(Forwarding.NoticeKind.FRAMING_REMOVED_FROM_SWITCH, "removed '"
                        + removals.get(i).field() + "' from the 101: a 1xx response has no body (RFC 9110 §15.2)"));
            }
        }
        List<String> received = headers.values(HeaderName.UPGRADE);
        if (received.size() != 1 || !received.get(0).equalsIgnoreCase(upgrade)) {
            notices = plus(notices, new Forwarding.Notice(Forwarding.NoticeKind.UPGRADE_LINES_REPLACED, "replaced the 101's"
                    + " Upgrade lines '" + String.join("', '", received) + "' with 'Upgrade: " + upgrade + "'"));
        }
        return new Verdict.Tunnel(chosen, upgrade, response, forward, notices);
    }

    /**
     * The offered protocol that the 101's only {@code Upgrade} line names exactly as the client spelled
     * it; null when the 101 says anything else, which the general path then reads as a list.
     */
    private static @Nullable Protocol sameAsOffered(UpgradeAttempt.Forwarded attempt, Headers headers) {
        @Nullable String only = null;
        for (int i = 0; i < headers.size(); i++) {
            if (headers.name(i).equals(HeaderName.UPGRADE)) {
                if (only != null) {
                    return null;
                }
                only = headers.value(i);
            }
        }
        List<Protocol> offered = attempt.offered();
        for (int i = 0; only != null && i < offered.size(); i++) {
            if (offered.get(i).toString().equals(only)) {
                return offered.get(i);
            }
        }
        return null;
    }

    private static List<Forwarding.Notice> plus(List<Forwarding.Notice> notices, Forwarding.Notice notice) {
        List<Forwarding.Notice> more = new ArrayList<>(notices.size() + 1);
        more.addAll(notices);
        more.add(notice);
        return more;
    }

    /** The protocol the client offered that {@code named} names, as the client spelled it; null if none. */
    private static @Nullable Protocol offered(UpgradeAttempt.Forwarded attempt, Protocol named) {
        List<Protocol> offered = attempt.offered();
        for (int i = 0; i < offered.size(); i++) {
            if (offered.get(i).sameAs(named)) {
                return offered.get(i);
            }
        }
        return null;
    }

    private static @Nullable ErrorAnswer checkWebSocket(
            UpgradeAttempt.Forwarded attempt, Headers headers) {
        List<String> accepts = headers.values(HeaderName.SEC_WEBSOCKET_ACCEPT);
        if (accepts.isEmpty()) {
            return invalid(UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISSING, "expected a Sec-WebSocket-Accept in the"
                    + " 101 but found none");
        }
        String expected = attempt.expectedAccept();
        if (accepts.size() > 1 || expected == null || !accepts.get(0).equals(expected)) {
            return invalid(UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISMATCH, "expected Sec-WebSocket-Accept '"
                    + expected + "' but the 101 carried '" + String.join("', '", accepts) + "'");
        }
        if (headers.contains(HeaderName.SEC_WEBSOCKET_PROTOCOL)) {
            FieldList chosen = Tokens.list(headers, HeaderName.SEC_WEBSOCKET_PROTOCOL, FieldList.Element.TOKEN);
            List<String> protocols = chosen instanceof FieldList.Valid valid ? valid.elements() : List.of();
            if (chosen instanceof FieldList.Malformed || protocols.size() > 1
                    || protocols.size() == 1 && !attempt.subprotocols().contains(protocols.get(0))) {
                return invalid(UpgradeReason.Invalid.WEBSOCKET_SUBPROTOCOL_NOT_OFFERED, "the upstream chose"
                        + " subprotocol '" + joined(headers, HeaderName.SEC_WEBSOCKET_PROTOCOL) + "' but the client"
                        + " offered " + orNone(attempt.subprotocols()));
            }
        }
        if (headers.contains(HeaderName.SEC_WEBSOCKET_EXTENSIONS)) {
            FieldList extensions = WebSocketExtension.parseAll(headers.values(HeaderName.SEC_WEBSOCKET_EXTENSIONS));
            if (!(extensions instanceof FieldList.Valid valid)
                    || !allOffered(WebSocketExtension.readAll(valid), attempt.extensionNames())) {
                return invalid(UpgradeReason.Invalid.WEBSOCKET_EXTENSION_NOT_OFFERED, "the upstream enabled"
                        + " extensions '" + joined(headers, HeaderName.SEC_WEBSOCKET_EXTENSIONS) + "' but the client"
                        + " offered " + orNone(attempt.extensionNames()));
            }
        }
        return null;
    }

    /** Whether every extension in {@code enabled} was offered; a loop, so that judging a 101 builds no stream. */
    private static boolean allOffered(List<WebSocketExtension> enabled, List<String> offeredNames) {
        for (int i = 0; i < enabled.size(); i++) {
            if (!offeredNames.contains(enabled.get(i).name().toLowerCase(Locale.ROOT))) {
                return false;
            }
        }
        return true;
    }

    private static String joined(Headers headers, HeaderName name) {
        return String.join(", ", headers.values(name));
    }

    private static String orNone(List<String> values) {
        return values.isEmpty() ? "none" : String.join(", ", values);
    }

    static ErrorAnswer invalid(UpgradeReason.Invalid reason, String detail) {
        return new ErrorAnswer(reason, detail, Messages.errorHead(reason, detail, 502));
    }
}
