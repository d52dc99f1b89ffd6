package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The server side of the WebSocket opening handshake (RFC 6455 §4.2), as a {@link ProtocolHandler}.
 * Immutable and thread-safe.
 *
 * <p>A handshake switches only when it is a GET with {@code Host}, exactly one
 * {@code Sec-WebSocket-Key} that is 16 bytes in base64, and exactly one
 * {@code Sec-WebSocket-Version} equal to 13; the {@code Upgrade} and {@code Connection} tokens are
 * checked by {@link UpgradeNegotiator} first. A wrong or missing version is answered 426 with
 * {@code Sec-WebSocket-Version: 13}, a refused {@code Origin} 403, anything else 400. The 101 carries
 * {@code Sec-WebSocket-Accept}, the subprotocol chosen from those offered (none: no field), and
 * the extensions chosen from those offered.
 *
 * <pre>{@code
 * WebSocketHandshake chat = WebSocketHandshake.builder()
 *         .origins(OriginPolicy.allowing(false, "https://chat.example"))
 *         .subprotocols(offered -> offered.stream().filter("chat.v2"::equals).findFirst())
 *         .build();
 * }</pre>
 *
 * <p>This class does not implement WebSocket framing or permessage-deflate; a selector that accepts
 * an extension promises the application implements it.
 */
public final class WebSocketHandshake implements ProtocolHandler {
    /** The only version of the protocol in use (RFC 6455 §4.1). */
    static final String VERSION = "13";
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final byte[] GUID_BYTES = GUID.getBytes(StandardCharsets.ISO_8859_1);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** A digest and scratch space per thread: creating a digest costs more than hashing a key. */
    private static final ThreadLocal<AcceptScratch> SCRATCH = ThreadLocal.withInitial(AcceptScratch::new);
    /** The default selectors; known by identity, so that offers nobody will look at are not parsed twice. */
    private static final Function<List<String>, Optional<String>> NO_SUBPROTOCOL = offered -> Optional.empty();
    private static final Function<List<WebSocketExtension>, List<WebSocketExtension>> NO_EXTENSION = offered -> List.of();
    private static final OriginPolicy ANY_ORIGIN = OriginPolicy.any();
    private static final WebSocketHandshake STANDARD = builder().build();

    private final OriginPolicy origins;
    private final Function<List<String>, Optional<String>> subprotocols;
    private final Function<List<WebSocketExtension>, List<WebSocketExtension>> extensions;

    private WebSocketHandshake(Builder builder) {
        this.origins = builder.origins;
        this.subprotocols = builder.subprotocols;
        this.extensions = builder.extensions;
    }

    /** {@return the handshake of the defaults: any origin, no subprotocol, no extension} */
    public static WebSocketHandshake standard() {
        return STANDARD;
    }

    /** {@return a builder starting from {@link #standard()}} */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Protocol protocol() {
        return Protocol.WEBSOCKET;
    }

    @Override
    public UpgradeDecision decide(RequestHead request, Protocol offered) {
        return decide(request, offered, WebSocketOffer.of(request));
    }

    /** {@link #decide(RequestHead, Protocol)} with the WebSocket fields already read. */
    UpgradeDecision decide(RequestHead request, Protocol offered, WebSocketOffer offer) {
        @Nullable ErrorAnswer broken = checkRequest(request, offer);
        if (broken != null) {
            return broken;
        }
        if (origins != ANY_ORIGIN) { // the default allows every origin without reading it
            Optional<String> origin = request.headers().first(HeaderName.ORIGIN);
            if (!origins.allows(origin, request)) {
                return Messages.reject(UpgradeReason.Refused.ORIGIN_REFUSED, "the origin "
                        + origin.map(o -> "'" + o + "'").orElse("(none)") + " is not allowed");
            }
        }
        Headers.Builder response = Headers.builder()
                .add(HeaderName.UPGRADE, "websocket")
                .add(HeaderName.CONNECTION, "Upgrade")
                .add(HeaderName.SEC_WEBSOCKET_ACCEPT, accept(Objects.requireNonNull(offer.key)));
        List<String> offeredProtocols = subprotocols == NO_SUBPROTOCOL ? List.of() : offer.subprotocolsOrEmpty();
        if (!offeredProtocols.isEmpty()) {
            Optional<String> chosen = Objects.requireNonNull(subprotocols.apply(offeredProtocols),
                    "the subprotocol selector returned null");
            if (chosen.isPresent()) {
                if (!offeredProtocols.contains(chosen.get())) {
                    throw new IllegalStateException("the subprotocol selector chose '" + chosen.get()
                            + "' but the client offered only " + offeredProtocols);
                }
                response.add(HeaderName.SEC_WEBSOCKET_PROTOCOL, chosen.get());
            }
        }
        List<WebSocketExtension> offeredExtensions = extensions == NO_EXTENSION ? List.of()
                : offer.extensionsOrEmpty();
        if (!offeredExtensions.isEmpty()) {
            List<WebSocketExtension> chosen = Objects.requireNonNull(extensions.apply(offeredExtensions),
                    "the extension selector returned null");
            for (WebSocketExtension extension : chosen) {
                if (offeredExtensions.stream().noneMatch(o -> o.name().equalsIgnoreCase(extension.name()))) {
                    throw new IllegalStateException("the extension selector chose '" + extension.name()
                            + "' but the client offered only " + offeredExtensions);
                }
            }
            if (!chosen.isEmpty()) {
                response.add(HeaderName.SEC_WEBSOCKET_EXTENSIONS,
                        chosen.stream().map(WebSocketExtension::toString).collect(Collectors.joining(", ")));
            }
        }
        return new UpgradeDecision.Switch(offered, ResponseHead.of(101, response.build()));
    }

    /**
     * {@code Sec-WebSocket-Accept} for {@code key}: base64 of the SHA-1 of the key followed by the
     * RFC 6455 GUID (RFC 6455 §4.2.2). For the key {@code dGhlIHNhbXBsZSBub25jZQ==} it is
     * {@code s3pPLMBiTxaQ9kYGzzhZRbK+xOo=}.
     *
     * @param key the {@code Sec-WebSocket-Key} value, as received; not checked
     * @return the {@code Sec-WebSocket-Accept} value, 28 characters
     */
    public static String accept(String key) {
        return SCRATCH.get().accept(key);
    }

    /**
     * {@return a fresh {@code Sec-WebSocket-Key}: 16 bytes from a {@link SecureRandom}, in base64} A client,
     * or a proxy translating toward HTTP/1.1, sends a new one with each handshake (RFC 6455 §4.1).
     */
    public static String newKey() {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /**
     * The request-side rules of RFC 6455 §4.2.1 that do not depend on the server's choices; null when
     * the request passes. Shared by the origin role and by a proxy validating before forwarding.
     */
    static @Nullable ErrorAnswer checkRequest(RequestHead request, WebSocketOffer offer) {
        if (!request.method().equals("GET")) {
            return Messages.reject(UpgradeReason.Refused.WEBSOCKET_METHOD_NOT_GET,
                    "expected GET for a WebSocket handshake but the method was " + request.method());
        }
        Headers headers = request.headers();
        if (offer.hosts == 0) {
            return Messages.reject(UpgradeReason.Refused.WEBSOCKET_HOST_MISSING, "expected a Host field but found none");
        }
        String key = offer.key;
        if (key == null) {
            return Messages.reject(UpgradeReason.Refused.WEBSOCKET_KEY_MISSING, "expected a Sec-WebSocket-Key but found none");
        }
        if (offer.keys > 1) {
            return Messages.reject(UpgradeReason.Refused.WEBSOCKET_KEY_REPEATED,
                    "expected one Sec-WebSocket-Key but found " + offer.keys);
        }
        if (!isValidKey(key)) {
            return Messages.reject(UpgradeReason.Refused.WEBSOCKET_KEY_INVALID,
                    "expected Sec-WebSocket-Key to be 16 bytes in base64 but it was '" + key + "'");
        }
        if (offer.versions > 1) {
            return Messages.reject(UpgradeReason.Refused.WEBSOCKET_VERSION_REPEATED,
                    "expected one Sec-WebSocket-Version but found " + offer.versions);
        }
        String version = offer.version;
        if (version == null || !version.equals(VERSION)) {
            return Messages.reject(UpgradeReason.Refused.WEBSOCKET_VERSION_UNSUPPORTED, "expected Sec-WebSocket-Version 13"
                    + " but " + (version == null ? "there was none" : "it was '" + version + "'"));
        }
        if (offer.subprotocols instanceof FieldList.Malformed) {
            return Messages.reject(UpgradeReason.Refused.WEBSOCKET_PROTOCOL_MALFORMED, "expected Sec-WebSocket-Protocol to be"
                    + " a list of tokens but it was '" + String.join(", ", headers.values(HeaderName.SEC_WEBSOCKET_PROTOCOL))
                    + "'");
        }
        if (offer.extensions instanceof FieldList.Malformed malformed) {
            return Messages.reject(UpgradeReason.Refused.WEBSOCKET_EXTENSIONS_MALFORMED, "expected Sec-WebSocket-Extensions"
                    + " to parse but it was '" + String.join(", ", headers.values(HeaderName.SEC_WEBSOCKET_EXTENSIONS))
                    + "': " + malformed.detail());
        }
        return null;
    }

    /**
     * Whether {@code key} is 24 characters of the base64 alphabet ending in {@code ==}: exactly the
     * strings that decode to 16 bytes (RFC 6455 §4.1 item 7, §4.2.1 item 5).
     *
     * <p>The 4 bits the 22nd character carries past the 16th byte are not looked at. RFC 4648 §3.5
     * lets a decoder refuse them when not zero, but they do not change the length, the server never
     * decodes the key, and the accept is computed over the key as received (RFC 6455 §4.2.2 item 5).
     * RFC 6455's own example key {@code AQIDBAUGBwgJCgsMDQ4PEC==} has them set; refusing it answered
     * a well-formed handshake with a 400 (issue 17).
     */
    static boolean isValidKey(String key) {
        if (key.length() != 24 || key.charAt(22) != '=' || key.charAt(23) != '=') {
            return false;
        }
        for (int i = 0; i < 22; i++) {
            if (!isBase64(key.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code c} is in the base64 alphabet of RFC 4648 §4 (not the URL-safe one, not {@code =}). */
    private static boolean isBase64(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/';
    }

    /** Settings for a {@link WebSocketHandshake}. Not thread-safe; the built handshake is. */
    public static final class Builder {
        private OriginPolicy origins = ANY_ORIGIN;
        private Function<List<String>, Optional<String>> subprotocols = NO_SUBPROTOCOL;
        private Function<List<WebSocketExtension>, List<WebSocketExtension>> extensions = NO_EXTENSION;

        private Builder() {}

        /**
         * Sets which origins may connect; default {@link OriginPolicy#any()}. A refused origin is
         * answered 403.
         *
         * @param policy the origins allowed
         * @return this builder
         */
        public Builder origins(OriginPolicy policy) {
            this.origins = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Chooses the subprotocol from those the client offered, in its order; empty for none (no
         * {@code Sec-WebSocket-Protocol} in the 101). Called only when the client offered some. The
         * choice must be one of the offered; anything else is a programming error
         * ({@link IllegalStateException}). Default: none.
         *
         * @param selector takes the offered subprotocols and returns the one chosen, or empty
         * @return this builder
         */
        public Builder subprotocols(Function<List<String>, Optional<String>> selector) {
            this.subprotocols = Objects.requireNonNull(selector, "selector");
            return this;
        }

        /**
         * Chooses the extensions, with their response parameters, from those offered; empty for
         * none. Called only when the client offered some. Each extension chosen must be one the client
         * offered, by name; anything else is a programming error ({@link IllegalStateException}).
         * Default: none.
         *
         * @param selector takes the offered extensions and returns those accepted, in the order to answer
         * @return this builder
         */
        public Builder extensions(Function<List<WebSocketExtension>, List<WebSocketExtension>> selector) {
            this.extensions = Objects.requireNonNull(selector, "selector");
            return this;
        }

        /** {@return a handshake with these settings} The builder stays usable. */
        public WebSocketHandshake build() {
            return new WebSocketHandshake(this);
        }
    }

    /**
     * What computing one accept needs, kept per thread so that it allocates only the result: a SHA-1
     * digest, the key and GUID as bytes, the digest and its base64.
     */
    private static final class AcceptScratch {
        private static final byte[] ALPHABET =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(StandardCharsets.ISO_8859_1);

        private final MessageDigest sha1;
        private byte[] input = new byte[24 + GUID_BYTES.length];
        private final byte[] digest = new byte[20];
        private final byte[] base64 = new byte[28];

        AcceptScratch() {
            try {
                sha1 = MessageDigest.getInstance("SHA-1");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime must provide SHA-1", e);
            }
        }

        String accept(String key) {
            int length = key.length() + GUID_BYTES.length;
            if (input.length < length) {
                input = new byte[length];
            }
            for (int i = 0; i < key.length(); i++) {
                char c = key.charAt(i); // ISO-8859-1, as the key travelled (a valid key is base64)
                input[i] = c <= 0xFF ? (byte) c : (byte) '?';
            }
            System.arraycopy(GUID_BYTES, 0, input, key.length(), GUID_BYTES.length);
            sha1.update(input, 0, length);
            try {
                sha1.digest(digest, 0, digest.length);
            } catch (java.security.DigestException e) {
                throw new IllegalStateException("a SHA-1 digest is 20 bytes", e);
            }
            // Base64 of 20 bytes: six whole 3-byte groups, then 2 bytes and one '=' (RFC 4648 §4).
            int o = 0;
            for (int i = 0; i < 18; i += 3) {
                int bits = (digest[i] & 0xFF) << 16 | (digest[i + 1] & 0xFF) << 8 | digest[i + 2] & 0xFF;
                base64[o++] = ALPHABET[bits >>> 18];
                base64[o++] = ALPHABET[bits >>> 12 & 0x3F];
                base64[o++] = ALPHABET[bits >>> 6 & 0x3F];
                base64[o++] = ALPHABET[bits & 0x3F];
            }
            int bits = (digest[18] & 0xFF) << 16 | (digest[19] & 0xFF) << 8;
            base64[o++] = ALPHABET[bits >>> 18];
            base64[o++] = ALPHABET[bits >>> 12 & 0x3F];
            base64[o++] = ALPHABET[bits >>> 6 & 0x3F];
            base64[o] = '=';
            return new String(base64, StandardCharsets.ISO_8859_1);
        }
    }
}
