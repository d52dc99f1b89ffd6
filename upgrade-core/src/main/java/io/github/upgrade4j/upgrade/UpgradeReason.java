package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.Reason;

/**
 * Why an upgrade did not happen, or why a request or an upstream's answer was refused: the rule,
 * where it comes from, and an explanation that names the likely cause and fix in words for someone
 * who has never read the RFC. Three kinds, each an enum: {@link Ignored} (the request is served as
 * plain HTTP), {@link Refused} (the handshake is answered with an error, {@link Refused#status()}),
 * and {@link Invalid} (an upstream's answer cannot be relayed: 502).
 *
 * <p>A refusal of the hop-by-hop policy is not repeated here: it reaches an {@link ErrorAnswer} as the
 * {@link io.github.upgrade4j.hop.Refusal} itself. Take a reason apart with {@code instanceof} on Java 17
 * or {@code switch} on 21+, or use the {@link Reason} vocabulary for any of them.
 */
public sealed interface UpgradeReason extends Reason permits UpgradeReason.Ignored, UpgradeReason.Refused,
        UpgradeReason.Invalid {
    /** Why an upgrade offer was not acted on: the request is served as plain HTTP. */
    enum Ignored implements UpgradeReason {
        /** No {@code Upgrade} field: an ordinary request. */
        NOT_OFFERED("RFC 9110 §7.8",
                "The request does not ask to switch protocols, so it is served as ordinary HTTP."),
        /** {@code Connection: upgrade} without an {@code Upgrade} field. */
        UPGRADE_FIELD_MISSING("RFC 9110 §7.8",
                "The request says 'Connection: upgrade' but has no Upgrade field, so there is nothing to switch to. A"
                        + " proxy in between probably removed it: in nginx add 'proxy_set_header Upgrade $http_upgrade;'"
                        + " and make sure no 'proxy_hide_header Upgrade' is set."),
        /** An {@code Upgrade} field whose {@code Connection} field lacks the {@code upgrade} option. */
        CONNECTION_LACKS_UPGRADE("RFC 9110 §7.8",
                "The request has an Upgrade field but its Connection field does not contain 'upgrade', and such an"
                        + " upgrade must be ignored. A proxy in between probably rewrote Connection: in nginx add"
                        + " 'proxy_set_header Connection $connection_upgrade;' with the usual"
                        + " 'map $http_upgrade $connection_upgrade' block."),
        /** An HTTP/1.0 request, which has no upgrade mechanism. */
        HTTP_1_0_REQUEST("RFC 9110 §7.8",
                "The request arrived as HTTP/1.0, which cannot switch protocols, so its Upgrade field is ignored. A"
                        + " proxy in between speaks HTTP/1.0 to this server: in nginx set 'proxy_http_version 1.1;'."),
        /** A request received over HTTP/2, which forbids the mechanism. */
        HTTP_2_REQUEST("RFC 9113 §8.6",
                "HTTP/2 has no Upgrade mechanism. WebSockets over HTTP/2 use an extended CONNECT request (RFC 8441)"
                        + " instead; translate it with ExtendedConnect."),
        /** None of the offered protocols is supported (origin) or allowed (proxy). */
        NO_SUPPORTED_PROTOCOL("RFC 9110 §7.8",
                "None of the offered protocols is supported here, so the request is served as ordinary HTTP. If the"
                        + " protocol should be supported, register a handler for it or add it to the proxy's allowlist."),
        /** An h2c offer without exactly one {@code HTTP2-Settings}. */
        H2C_SETTINGS_MISSING("RFC 7540 §3.2.1",
                "An h2c upgrade needs exactly one HTTP2-Settings field, and this request does not have one, so it is"
                        + " served as HTTP/1.1."),
        /** An {@code HTTP2-Settings} value that is not base64url. */
        H2C_SETTINGS_INVALID("RFC 7540 §3.2.1",
                "HTTP2-Settings must be an HTTP/2 SETTINGS payload in base64url; this one is not, so the request is"
                        + " served as HTTP/1.1."),
        /** {@code HTTP2-Settings} not nominated by {@code Connection}. */
        H2C_SETTINGS_NOT_NOMINATED("RFC 7540 §3.2.1",
                "An h2c upgrade must list HTTP2-Settings in its Connection field; this one does not, so the request is"
                        + " served as HTTP/1.1."),
        /** The upstream answered without switching: relayed as plain HTTP, client connection closed after. */
        NOT_SWITCHED("RFC 9110 §7.8",
                "The upstream answered with an ordinary response instead of 101 Switching Protocols, so no tunnel"
                        + " was opened. The answer is passed on and the client connection closed. Check the upstream's"
                        + " logs: it may not speak WebSocket on this path, or it refused the handshake.");

        private final String spec;
        private final String explanation;

        Ignored(String spec, String explanation) {
            this.spec = spec;
            this.explanation = explanation;
        }

        @Override
        public String spec() {
            return spec;
        }

        @Override
        public String explanation() {
            return explanation;
        }
    }

    /** Why a handshake is refused before any switch: answered with {@link #status()}, then closed. */
    enum Refused implements UpgradeReason {
        /** The {@code Upgrade} field is not a list of protocols. */
        MALFORMED_UPGRADE(400, "RFC 9110 §7.8",
                "The Upgrade field must be a comma-separated list of protocol names such as 'websocket'; this one is"
                        + " not, so the client or a hop in between wrote a broken request."),
        /** A WebSocket handshake with a method other than GET. */
        WEBSOCKET_METHOD_NOT_GET(400, "RFC 6455 §4.1",
                "A WebSocket handshake is always a GET request. Real clients never send another method with"
                        + " 'Upgrade: websocket'; this is a broken client or a smuggling probe."),
        /** A WebSocket handshake without {@code Host}. */
        WEBSOCKET_HOST_MISSING(400, "RFC 6455 §4.2.1",
                "A WebSocket handshake must name the server in a Host field; this one does not."),
        /** No {@code Sec-WebSocket-Key}. */
        WEBSOCKET_KEY_MISSING(400, "RFC 6455 §4.2.1",
                "The handshake has no Sec-WebSocket-Key. A proxy in between may strip Sec-* fields, or the client is"
                        + " not a WebSocket client."),
        /** More than one {@code Sec-WebSocket-Key}. */
        WEBSOCKET_KEY_REPEATED(400, "RFC 6455 §4.2.1",
                "The handshake carries more than one Sec-WebSocket-Key, so it is ambiguous which one to answer; a hop in"
                        + " between probably added a second one."),
        /** A {@code Sec-WebSocket-Key} that is not 16 bytes in base64. */
        WEBSOCKET_KEY_INVALID(400, "RFC 6455 §4.2.1",
                "Sec-WebSocket-Key must be 16 random bytes in base64, 24 characters ending in '=='. This one is not,"
                        + " so the client is broken or hand-written."),
        /** No {@code Sec-WebSocket-Version}, or a version other than 13. */
        WEBSOCKET_VERSION_UNSUPPORTED(426, "RFC 6455 §4.2.2",
                "Only WebSocket version 13 (RFC 6455, sent by every current browser and library) is supported. The"
                        + " client sent another or none, so it is outdated or not a WebSocket client."),
        /** More than one {@code Sec-WebSocket-Version}. */
        WEBSOCKET_VERSION_REPEATED(400, "RFC 6455 §4.2.1",
                "The handshake carries more than one Sec-WebSocket-Version, so it is ambiguous; a hop in between"
                        + " probably added one."),
        /** The {@code Origin} is not allowed. */
        ORIGIN_REFUSED(403, "RFC 6455 §10.2",
                "The web page that opened this WebSocket comes from an origin that is not allowed to connect. If it"
                        + " should be, add it to the allowed origins."),
        /** {@code Sec-WebSocket-Protocol} is not a list of tokens. */
        WEBSOCKET_PROTOCOL_MALFORMED(400, "RFC 6455 §4.1",
                "Sec-WebSocket-Protocol must be a comma-separated list of subprotocol names; this one is not."),
        /** {@code Sec-WebSocket-Extensions} does not parse. */
        WEBSOCKET_EXTENSIONS_MALFORMED(400, "RFC 6455 §9.1",
                "Sec-WebSocket-Extensions must list extensions like 'permessage-deflate; client_max_window_bits';"
                        + " this one does not parse."),
        /** A request the server serves only over TLS, sent in the clear without an offer of TLS. */
        TLS_REQUIRED(426, "RFC 2817 §4.2; RFC 9110 §15.5.22",
                "This resource is served only over TLS, and the request came in the clear without offering to"
                        + " switch. Send it again with 'Upgrade: TLS/1.2' and 'Connection: upgrade' (ipptool -E, CUPS"
                        + " with encryption required), or use https:// or ipps:// directly."),
        /** An extended CONNECT for a protocol other than WebSocket. */
        EXTENDED_CONNECT_PROTOCOL_UNSUPPORTED(501, "RFC 9220 §3",
                "The HTTP/2 or HTTP/3 client asked to tunnel a protocol that cannot be translated to an HTTP/1.1"
                        + " upgrade here; only websocket can.");

        private final int status;
        private final String spec;
        private final String explanation;

        Refused(int status, String spec, String explanation) {
            this.status = status;
            this.spec = spec;
            this.explanation = explanation;
        }

        /** {@return the status to answer: 400, 403, 426 or 501} */
        public int status() {
            return status;
        }

        @Override
        public String spec() {
            return spec;
        }

        @Override
        public String explanation() {
            return explanation;
        }
    }

    /**
     * Why an upstream's answer to an upgrade cannot be relayed: the client always gets a 502 (the
     * upstream, not the client, is at fault), so this kind carries no status of its own.
     */
    enum Invalid implements UpgradeReason {
        /** A 101 for a request whose upgrade was not forwarded. */
        UNSOLICITED_SWITCH("RFC 9110 §15.2.2",
                "The upstream answered 101 Switching Protocols to a request that did not ask for an upgrade. The"
                        + " upstream is broken or is not the server you think it is."),
        /** A 101 in a response that is not HTTP/1.1, such as {@code HTTP/1.0 101 Switching Protocols}. */
        SWITCH_NOT_HTTP_1_1("RFC 9110 §7.8; RFC 6455 §4.1",
                "Switching protocols is an HTTP/1.1 mechanism, and a WebSocket handshake must be HTTP/1.1 both ways;"
                        + " a 101 in an HTTP/1.0 response is not a valid switch, so no tunnel was opened. The upstream,"
                        + " or a hop in front of it, answers as HTTP/1.0: fix its handshake code, or make the hop speak"
                        + " HTTP/1.1 to it (in nginx 'proxy_http_version 1.1;')."),
        /** A 101 whose {@code Connection} lacks {@code upgrade}. */
        SWITCH_WITHOUT_CONNECTION_UPGRADE("RFC 9110 §7.8",
                "The upstream's 101 answer lacks 'Connection: upgrade', so it is not a valid switch; fix the"
                        + " upstream's handshake code."),
        /** A 101 without {@code Upgrade}. */
        SWITCH_WITHOUT_UPGRADE("RFC 9110 §15.2.2",
                "The upstream's 101 answer does not say which protocol it switched to; fix the upstream's"
                        + " handshake code."),
        /** A 101 naming a protocol that was not offered, or several. */
        SWITCH_TO_UNOFFERED_PROTOCOL("RFC 9110 §7.8",
                "The upstream switched to a protocol the client did not ask for. It must pick exactly one of the"
                        + " offered protocols; the upstream is misconfigured or hostile."),
        /** A WebSocket 101 without {@code Sec-WebSocket-Accept}. */
        WEBSOCKET_ACCEPT_MISSING("RFC 6455 §4.1",
                "The upstream's 101 has no Sec-WebSocket-Accept, so it did not really accept the WebSocket handshake;"
                        + " it is probably not a WebSocket server, or a hop in between stripped the field."),
        /** A WebSocket 101 with a wrong or repeated {@code Sec-WebSocket-Accept}. */
        WEBSOCKET_ACCEPT_MISMATCH("RFC 6455 §4.1",
                "The upstream's Sec-WebSocket-Accept does not match the key that was sent, so the answer belongs to"
                        + " another handshake (a cache, a replay, or a broken server)."),
        /** A WebSocket 101 choosing a subprotocol that was not offered. */
        WEBSOCKET_SUBPROTOCOL_NOT_OFFERED("RFC 6455 §4.1",
                "The upstream chose a WebSocket subprotocol the client did not offer; a browser would fail the"
                        + " connection, so the proxy refuses it first. Fix the upstream's subprotocol selection."),
        /** A WebSocket 101 with an extension that was not offered. */
        WEBSOCKET_EXTENSION_NOT_OFFERED("RFC 6455 §4.1",
                "The upstream enabled a WebSocket extension the client did not offer; fix the upstream's extension"
                        + " negotiation."),
        /**
         * An upstream answered a translated extended CONNECT ({@link ExtendedConnect#answerForHttp2}) with a 2xx
         * instead of 101.
         */
        ANSWERED_WITHOUT_SWITCHING("RFC 8441 §5",
                "The upstream answered the WebSocket handshake with an ordinary success instead of 101 Switching"
                        + " Protocols; an HTTP/2 client would take that 2xx for an open tunnel, so it gets a 502. The"
                        + " upstream does not speak WebSocket on this path: check its routes and logs.");

        private final String spec;
        private final String explanation;

        Invalid(String spec, String explanation) {
            this.spec = spec;
            this.explanation = explanation;
        }

        @Override
        public String spec() {
            return spec;
        }

        @Override
        public String explanation() {
            return explanation;
        }
    }
}
