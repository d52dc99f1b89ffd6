package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.RequestHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The WebSocket parts of a handshake request, each read once (RFC 6455 §4.2.1): its keys, versions,
 * offered subprotocols and extensions. Shared by the origin role ({@link WebSocketHandshake}) and the
 * proxy role ({@link ProxyUpgrade}), so that checking, choosing and remembering what was offered never
 * parse a field twice.
 */
final class WebSocketOffer {
    final List<String> keys;
    final List<String> versions;
    /** The offered subprotocols, or why the field is malformed. */
    final FieldList subprotocols;
    /** The offered extensions' elements, or why the field is malformed. */
    final FieldList extensions;
    private @Nullable List<WebSocketExtension> parsedExtensions;

    private WebSocketOffer(Headers headers) {
        keys = headers.values(HeaderName.SEC_WEBSOCKET_KEY);
        versions = headers.values(HeaderName.SEC_WEBSOCKET_VERSION);
        subprotocols = Tokens.list(headers, HeaderName.SEC_WEBSOCKET_PROTOCOL, FieldList.Element.TOKEN);
        extensions = WebSocketExtension.parseAll(headers.values(HeaderName.SEC_WEBSOCKET_EXTENSIONS));
    }

    static WebSocketOffer of(RequestHead request) {
        return new WebSocketOffer(request.headers());
    }

    /** The key, when there is exactly one. */
    @Nullable String key() {
        return keys.size() == 1 ? keys.get(0) : null;
    }

    /** The offered subprotocols; empty when none or malformed. */
    List<String> subprotocolsOrEmpty() {
        return subprotocols instanceof FieldList.Valid valid ? valid.elements() : List.of();
    }

    /** The offered extensions, read once; empty when none or malformed. */
    List<WebSocketExtension> extensionsOrEmpty() {
        List<WebSocketExtension> parsed = parsedExtensions;
        if (parsed == null) {
            parsed = extensions instanceof FieldList.Valid valid ? WebSocketExtension.readAll(valid) : List.of();
            parsedExtensions = parsed;
        }
        return parsed;
    }

    /** The names of the offered extensions in lower case; empty when none or malformed. */
    List<String> extensionNames() {
        List<WebSocketExtension> offered = extensionsOrEmpty();
        if (offered.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>(offered.size());
        for (int i = 0; i < offered.size(); i++) {
            names.add(offered.get(i).name().toLowerCase(Locale.ROOT));
        }
        return names;
    }
}
