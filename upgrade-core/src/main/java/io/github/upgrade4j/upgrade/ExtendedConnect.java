package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Translation of WebSocket handshakes between HTTP/1.1 {@code Upgrade} and the extended CONNECT of
 * RFC 8441 (HTTP/2) and RFC 9220 (HTTP/3), for a proxy whose two sides speak different versions. Heads
 * only: the HTTP/2 or HTTP/3 framing is the caller's.
 *
 * <p>Toward HTTP/2 ({@link #toHttp2}): {@code :method CONNECT}, {@code :protocol websocket},
 * {@code :scheme}, {@code :path}, {@code :authority} from {@code Host}; {@code Upgrade},
 * {@code Connection}, {@code Sec-WebSocket-Key} and every connection-specific field dropped; names in
 * lower case (RFC 9113 §8.2.1). The HTTP/2 answer is mapped back with {@link #switchFromHttp2}: a 2xx
 * becomes the client's 101 with the {@code Sec-WebSocket-Accept} its key calls for.
 *
 * <p>Toward HTTP/1.1 ({@link #toHttp1}): a {@code GET} with {@code Upgrade: websocket}, a fresh
 * {@code Sec-WebSocket-Key} per attempt, and {@code Sec-WebSocket-Version: 13}. The upstream's
 * answer is judged with {@link #answerForHttp2}: only a valid 101 whose accept matches the fresh key
 * becomes a 200; an upstream that ignored the upgrade with a 2xx becomes a 502, so the HTTP/2 client
 * never mistakes an ordinary page for an open tunnel.
 *
 * <pre>{@code
 * ExtendedConnect.Translation<ExtendedConnect.Request> t = ExtendedConnect.toHttp2(h1Request, "https");
 * if (t instanceof ExtendedConnect.Translated<ExtendedConnect.Request> ok) { sendHttp2(ok.value()); }
 * else if (t instanceof ExtendedConnect.Failed<ExtendedConnect.Request> failed) { answer(failed.answer()); }
 * }</pre>
 */
public final class ExtendedConnect {
    private ExtendedConnect() {}

    /**
     * An extended CONNECT request: its pseudo-header fields and its regular fields.
     *
     * @param protocol the {@code :protocol} value, e.g. {@code websocket}
     * @param scheme the {@code :scheme}, {@code http} or {@code https}
     * @param authority the {@code :authority}, e.g. {@code app.example:8443}
     * @param path the {@code :path}, e.g. {@code /chat?room=7}
     * @param fields the regular fields, names in lower case, no connection-specific field
     */
    public record Request(String protocol, String scheme, String authority, String path, Headers fields) {
        /**
         * Checks for nulls and empties.
         *
         * @param protocol the {@code :protocol} value
         * @param scheme the {@code :scheme}
         * @param authority the {@code :authority}
         * @param path the {@code :path}
         * @param fields the regular fields
         * @throws IllegalArgumentException if a pseudo-header is empty (RFC 8441 §4)
         */
        public Request {
            for (String part : new String[] {protocol, scheme, authority, path}) {
                if (Objects.requireNonNull(part, "pseudo-header").isEmpty()) {
                    throw new IllegalArgumentException("expected every pseudo-header to be non-empty (RFC 8441 §4)");
                }
            }
            Objects.requireNonNull(fields, "fields");
        }
    }

    /**
     * The HTTP/1.1 request for an upstream, with the key it carries and the accept it calls for.
     *
     * @param head the upgrade request
     * @param attempt what {@link #answerForHttp2} checks the upstream's answer against
     */
    public record Downgrade(RequestHead head, UpgradeAttempt attempt) {
        /**
         * Checks for nulls.
         *
         * @param head the upgrade request
         * @param attempt what {@link #answerForHttp2} checks the upstream's answer against
         */
        public Downgrade {
            Objects.requireNonNull(head, "head");
            Objects.requireNonNull(attempt, "attempt");
        }
    }

    /**
     * The result of a translation.
     *
     * @param <T> what was translated to
     */
    public sealed interface Translation<T> {}

    /**
     * A successful translation.
     *
     * @param value the translated head
     * @param <T> its type
     */
    public record Translated<T>(T value) implements Translation<T> {
        /**
         * Checks for null.
         *
         * @param value the translated head
         */
        public Translated {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * A translation refused: send {@link #answer()} on the side the head came from.
     *
     * @param answer why, and the answer (400, 426, 501 or 502)
     * @param <T> what the translation would have produced
     */
    public record Failed<T>(ErrorAnswer answer) implements Translation<T> {
        /**
         * Checks for null.
         *
         * @param answer why, and the answer
         */
        public Failed {
            Objects.requireNonNull(answer, "answer");
        }
    }

    /**
     * Translates an HTTP/1.1 WebSocket upgrade request into an extended CONNECT for an HTTP/2 or HTTP/3
     * upstream.
     *
     * @param h1 the client's upgrade request
     * @param scheme the {@code :scheme} to send, {@code http} or {@code https}
     * @return the request, or {@link Failed} with the client's 400 or 426 when {@code h1} is not a valid
     *     WebSocket upgrade request
     */
    public static Translation<Request> toHttp2(RequestHead h1, String scheme) {
        @Nullable Failed<Request> broken = checkUpgrade(h1);
        if (broken != null) {
            return broken;
        }
        Forwarding stripped = HopByHopPolicy.standard().forHttp2(h1);
        if (stripped instanceof Forwarding.Refuse refused) {
            return new Failed<>(Messages.refused(refused));
        }
        Headers.Builder fields = Headers.builder();
        Headers kept = ((Forwarding.Forward) stripped).headers();
        for (int i = 0; i < kept.size(); i++) {
            HeaderName name = kept.name(i);
            if (!name.equals(HeaderName.HOST) && !name.equals(HeaderName.SEC_WEBSOCKET_KEY)) {
                fields.add(HeaderName.of(name.lowerCase()), kept.value(i));
            }
        }
        String authority = h1.headers().first(HeaderName.HOST).orElseThrow();
        return new Translated<>(new Request("websocket", scheme, authority, h1.target(), fields.build()));
    }

    /**
     * The HTTP/1.1 answer for the client of {@code h1}, from the HTTP/2 upstream's answer
     * ({@code status} and regular {@code fields}) to the extended CONNECT made by {@link #toHttp2}:
     * a 2xx becomes a 101 with the accept for the client's key; anything else keeps its status and
     * closes the client connection.
     *
     * @param h1 the client's upgrade request, as given to {@link #toHttp2}
     * @param status the status of the upstream's answer
     * @param fields the regular fields of the upstream's answer
     * @return the head to send to the client
     * @throws IllegalArgumentException if {@code status} is 2xx and {@code h1} has no {@code Sec-WebSocket-Key}
     */
    public static ResponseHead switchFromHttp2(RequestHead h1, int status, Headers fields) {
        boolean switched = status / 100 == 2;
        Headers.Builder out = Headers.builder();
        if (switched) {
            String key = h1.headers().first(HeaderName.SEC_WEBSOCKET_KEY).orElseThrow(() ->
                    new IllegalArgumentException("expected the client's upgrade request with its Sec-WebSocket-Key"));
            out.add(HeaderName.UPGRADE, "websocket")
                    .add(HeaderName.CONNECTION, "Upgrade")
                    .add(HeaderName.SEC_WEBSOCKET_ACCEPT, WebSocketHandshake.accept(key));
        }
        for (int i = 0; i < fields.size(); i++) {
            HeaderName name = fields.name(i);
            boolean connectionSpecific = name.equals(HeaderName.CONNECTION) || name.equals(HeaderName.UPGRADE)
                    || name.equals(HeaderName.TRANSFER_ENCODING) || name.equals(HeaderName.KEEP_ALIVE);
            if (!connectionSpecific && (!switched || !name.equals(HeaderName.CONTENT_LENGTH))) {
                out.addFrom(fields, i);
            }
        }
        return switched ? ResponseHead.of(101, out.build())
                : ResponseHead.of(status, out.set(HeaderName.CONNECTION, "close").build());
    }

    /**
     * An extended CONNECT from an HTTP/2 or HTTP/3 client as an HTTP/1.1 upgrade for an upstream,
     * with a fresh {@code Sec-WebSocket-Key}. Only {@code :protocol websocket} translates; others
     * fail with 501 (RFC 9220 §3).
     *
     * @param h2 the client's extended CONNECT
     * @return the upgrade request and the attempt to judge its answer by, or {@link Failed} with 501
     */
    public static Translation<Downgrade> toHttp1(Request h2) {
        if (!h2.protocol().equalsIgnoreCase("websocket")) {
            return failed(UpgradeReason.Refused.EXTENDED_CONNECT_PROTOCOL_UNSUPPORTED, 501,
                    "expected :protocol websocket but it was '" + h2.protocol() + "'");
        }
        String key = WebSocketHandshake.newKey();
        Headers.Builder fields = Headers.builder()
                .add(HeaderName.HOST, h2.authority())
                .add(HeaderName.UPGRADE, "websocket")
                .add(HeaderName.CONNECTION, "Upgrade")
                .add(HeaderName.SEC_WEBSOCKET_KEY, key);
        Headers given = h2.fields();
        for (int i = 0; i < given.size(); i++) {
            HeaderName name = given.name(i);
            boolean replaced = name.equals(HeaderName.HOST) || name.equals(HeaderName.SEC_WEBSOCKET_KEY)
                    || name.equals(HeaderName.UPGRADE) || name.equals(HeaderName.CONNECTION);
            if (!replaced) {
                fields.add(name, given.value(i));
            }
        }
        if (!given.contains(HeaderName.SEC_WEBSOCKET_VERSION)) {
            fields.add(HeaderName.SEC_WEBSOCKET_VERSION, WebSocketHandshake.VERSION);
        }
        RequestHead head = new RequestHead("GET", h2.path(), HttpVersion.HTTP_1_1, fields.build());
        WebSocketOffer offer = WebSocketOffer.of(head);
        UpgradeAttempt attempt = new UpgradeAttempt.Forwarded(List.of(Protocol.WEBSOCKET),
                WebSocketHandshake.accept(key), offer.subprotocolsOrEmpty(), offer.extensionNames());
        return new Translated<>(new Downgrade(head, attempt));
    }

    /**
     * The answer for the HTTP/2 client, from the HTTP/1.1 upstream's answer to {@link #toHttp1}'s
     * request: a valid 101 becomes a 200 whose fields keep the chosen subprotocol and extensions; a
     * non-2xx, non-101 answer keeps its status; an upstream that answered 2xx without switching, or
     * a 101 that fails the checks of {@link ProxyUpgrade#judge} (wrong accept and the like), becomes a
     * 502. The result's version is {@link HttpVersion#HTTP_2} and its names are lower case. A 1xx
     * other than 101 is returned as is, for the caller to relay and read on.
     *
     * @param downgrade what {@link #toHttp1} returned for the request answered
     * @param upstream the HTTP/1.1 upstream's answer
     * @return the HTTP/2 answer to send, or {@link Failed} with 502
     */
    public static Translation<ResponseHead> answerForHttp2(Downgrade downgrade, ResponseHead upstream) {
        Verdict verdict = ProxyUpgrade.standard().judge(downgrade.attempt(), upstream);
        if (verdict instanceof ErrorAnswer invalid) {
            return new Failed<>(invalid);
        }
        if (verdict instanceof Verdict.Tunnel tunnel) {
            Headers.Builder fields = Headers.builder();
            Headers kept = tunnel.response().headers();
            for (int i = 0; i < kept.size(); i++) {
                HeaderName name = kept.name(i);
                if (!name.equals(HeaderName.UPGRADE) && !name.equals(HeaderName.CONNECTION)
                        && !name.equals(HeaderName.SEC_WEBSOCKET_ACCEPT)) {
                    fields.add(HeaderName.of(name.lowerCase()), kept.value(i));
                }
            }
            return new Translated<>(new ResponseHead(HttpVersion.HTTP_2, 200, "", fields.build()));
        }
        ResponseHead plain = verdict instanceof Verdict.Interim interim
                ? interim.response() : ((Verdict.Plain) verdict).response();
        if (plain.status() / 100 == 2) {
            return failed(UpgradeReason.Invalid.ANSWERED_WITHOUT_SWITCHING, 502, "the upstream answered "
                    + plain.status()
                    + " without switching, which an HTTP/2 client would take for an open tunnel");
        }
        Headers.Builder fields = Headers.builder();
        for (int i = 0; i < plain.headers().size(); i++) {
            HeaderName name = plain.headers().name(i);
            if (!name.equals(HeaderName.CONNECTION)) {
                fields.add(HeaderName.of(name.lowerCase()), plain.headers().value(i));
            }
        }
        return new Translated<>(new ResponseHead(HttpVersion.HTTP_2, plain.status(), "", fields.build()));
    }

    /**
     * The checks of an HTTP/1.1 WebSocket upgrade request, without the server's choices: the generic
     * ones of every role ({@link UpgradeOffer}), in their words, then WebSocket's.
     */
    private static @Nullable Failed<Request> checkUpgrade(RequestHead h1) {
        UpgradeOffer offer = UpgradeOffer.of(h1);
        if (offer.rejected() != null) {
            ErrorAnswer rejected = offer.rejected();
            return new Failed<>(rejected);
        }
        if (offer.ignored() != null) { // nothing to translate: an error toward the HTTP/2 side
            UpgradeDecision.Ignore ignored = offer.ignored();
            return failed(ignored.reason(), 400, ignored.detail());
        }
        if (!offer.offers("websocket")) {
            return failed(UpgradeReason.Ignored.NO_SUPPORTED_PROTOCOL, 400, "the client offered "
                    + UpgradeOffer.join(offer.protocols()) + " but only websocket translates to an extended CONNECT");
        }
        @Nullable ErrorAnswer broken = WebSocketHandshake.checkRequest(h1, WebSocketOffer.of(h1));
        return broken == null ? null : new Failed<>(broken);
    }

    private static <T> Failed<T> failed(UpgradeReason reason, int status, String detail) {
        return new Failed<>(new ErrorAnswer(reason, detail, Messages.errorHead(reason, detail, status)));
    }
}
