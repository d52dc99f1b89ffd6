package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.RequestHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
    /** The offered subprotocols; null when the field is malformed. */
    final @Nullable List<String> subprotocols;
    /** The offered extensions; empty when the field is malformed. */
    final Optional<List<WebSocketExtension>> extensions;

    private WebSocketOffer(Headers headers) {
        keys = headers.values(HeaderName.SEC_WEBSOCKET_KEY);
        versions = headers.values(HeaderName.SEC_WEBSOCKET_VERSION);
        subprotocols = Tokens.elementsOrNull(headers, HeaderName.SEC_WEBSOCKET_PROTOCOL, FieldList.Element.TOKEN);
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
        return subprotocols == null ? List.of() : subprotocols;
    }

    /** The names of the offered extensions in lower case; empty when none or malformed. */
    List<String> extensionNames() {
        List<WebSocketExtension> offered = extensions.orElse(List.of());
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
