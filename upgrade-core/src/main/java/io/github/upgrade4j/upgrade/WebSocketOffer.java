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
    /** How many {@code Host}, {@code Sec-WebSocket-Key} and {@code Sec-WebSocket-Version} lines there are. */
    final int hosts;
    final int keys;
    final int versions;
    /** The first key and version; null when there is none. */
    final @Nullable String key;
    final @Nullable String version;
    /** The offered subprotocols, or why the field is malformed. */
    final FieldList subprotocols;
    /** The offered extensions' elements, or why the field is malformed. */
    final FieldList extensions;
    private @Nullable List<WebSocketExtension> parsedExtensions;

    /** Reads every field it needs in one pass over the lines. */
    private WebSocketOffer(Headers headers) {
        int hostLines = 0;
        int keyLines = 0;
        int versionLines = 0;
        @Nullable String firstKey = null;
        @Nullable String firstVersion = null;
        List<String> protocolLines = List.of();
        List<String> extensionLines = List.of();
        for (int i = 0; i < headers.size(); i++) {
            HeaderName name = headers.name(i);
            if (name.equals(HeaderName.HOST)) {
                hostLines++;
            } else if (name.equals(HeaderName.SEC_WEBSOCKET_KEY)) {
                firstKey = keyLines++ == 0 ? headers.value(i) : firstKey;
            } else if (name.equals(HeaderName.SEC_WEBSOCKET_VERSION)) {
                firstVersion = versionLines++ == 0 ? headers.value(i) : firstVersion;
            } else if (name.equals(HeaderName.SEC_WEBSOCKET_PROTOCOL)) {
                protocolLines = plus(protocolLines, headers.value(i));
            } else if (name.equals(HeaderName.SEC_WEBSOCKET_EXTENSIONS)) {
                extensionLines = plus(extensionLines, headers.value(i));
            }
        }
        hosts = hostLines;
        keys = keyLines;
        versions = versionLines;
        key = firstKey;
        version = firstVersion;
        subprotocols = FieldList.parse(protocolLines, FieldList.Element.TOKEN, FieldList.DEFAULT_MAX_ELEMENTS);
        extensions = WebSocketExtension.parseAll(extensionLines);
    }

    /** {@code lines} with {@code line} after them; a field of one line, the usual case, costs one small list. */
    private static List<String> plus(List<String> lines, String line) {
        if (lines.isEmpty()) {
            return List.of(line);
        }
        List<String> more = new ArrayList<>(lines);
        more.add(line);
        return more;
    }

    static WebSocketOffer of(RequestHead request) {
        return new WebSocketOffer(request.headers());
    }

    /** The key, when there is exactly one. */
    @Nullable String key() {
        return keys == 1 ? key : null;
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

    /**
     * The names of the offered extensions in lower case; empty when none or malformed. Read from the
     * checked elements directly: a name is the token before the first {@code ;} or OWS.
     */
    List<String> extensionNames() {
        if (!(extensions instanceof FieldList.Valid valid) || valid.elements().isEmpty()) {
            return List.of();
        }
        List<String> elements = valid.elements();
        List<String> names = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            String element = elements.get(i);
            int end = 0;
            while (end < element.length() && ";\t ".indexOf(element.charAt(end)) < 0) {
                end++;
            }
            names.add(element.substring(0, end).toLowerCase(Locale.ROOT));
        }
        return names;
    }
}
