package io.github.upgrade4j.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A field name: a validated token (RFC 9110 §5.1) that compares ASCII-case-insensitively and keeps
 * the spelling it was given.
 *
 * <p>{@code HeaderName.of("connection").equals(HeaderName.CONNECTION)} is true, yet
 * {@link #toString()} returns {@code "connection"}, so a proxy re-serialises a name exactly as it
 * received it. Only ASCII letters fold: {@code "K"} and the Kelvin sign are different names, as
 * they are on the wire. The hash is computed once, at construction.
 *
 * <p>This type does not know what a field means; the policy packages do.
 */
public final class HeaderName {
    /**
     * Every constant, added by {@link #constant} as it is created, so that each is listed only once.
     * Declared before the constants because static initialisers run in textual order.
     */
    private static final List<HeaderName> CONSTANTS = new ArrayList<>();

    /** {@code Connection} (RFC 9110 §7.6.1). */
    public static final HeaderName CONNECTION = constant("Connection");
    /** {@code Upgrade} (RFC 9110 §7.8). */
    public static final HeaderName UPGRADE = constant("Upgrade");
    /** {@code Keep-Alive} (RFC 2068 §19.7.1, hop-by-hop by convention). */
    public static final HeaderName KEEP_ALIVE = constant("Keep-Alive");
    /** {@code Proxy-Connection} (non-standard, hop-by-hop by convention). */
    public static final HeaderName PROXY_CONNECTION = constant("Proxy-Connection");
    /** {@code TE} (RFC 9110 §10.1.4). */
    public static final HeaderName TE = constant("TE");
    /** {@code Trailer} (RFC 9110 §6.6.2). */
    public static final HeaderName TRAILER = constant("Trailer");
    /** {@code Transfer-Encoding} (RFC 9112 §6.1). */
    public static final HeaderName TRANSFER_ENCODING = constant("Transfer-Encoding");
    /** {@code Host} (RFC 9110 §7.2). */
    public static final HeaderName HOST = constant("Host");
    /** {@code Content-Length} (RFC 9110 §8.6). */
    public static final HeaderName CONTENT_LENGTH = constant("Content-Length");
    /** {@code Content-Type} (RFC 9110 §8.3). */
    public static final HeaderName CONTENT_TYPE = constant("Content-Type");
    /** {@code Authorization} (RFC 9110 §11.6.2). */
    public static final HeaderName AUTHORIZATION = constant("Authorization");
    /** {@code Proxy-Authorization} (RFC 9110 §11.7.2). */
    public static final HeaderName PROXY_AUTHORIZATION = constant("Proxy-Authorization");
    /** {@code Proxy-Authenticate} (RFC 9110 §11.7.1). */
    public static final HeaderName PROXY_AUTHENTICATE = constant("Proxy-Authenticate");
    /** {@code Cookie} (RFC 6265 §5.4). */
    public static final HeaderName COOKIE = constant("Cookie");
    /** {@code Set-Cookie} (RFC 6265 §4.1). */
    public static final HeaderName SET_COOKIE = constant("Set-Cookie");
    /** {@code Origin} (RFC 6454 §7). */
    public static final HeaderName ORIGIN = constant("Origin");
    /** {@code User-Agent} (RFC 9110 §10.1.5). */
    public static final HeaderName USER_AGENT = constant("User-Agent");
    /** {@code Server} (RFC 9110 §10.2.4). */
    public static final HeaderName SERVER = constant("Server");
    /** {@code Date} (RFC 9110 §6.6.1). */
    public static final HeaderName DATE = constant("Date");
    /** {@code Expect} (RFC 9110 §10.1.1). */
    public static final HeaderName EXPECT = constant("Expect");
    /** {@code Forwarded} (RFC 7239). */
    public static final HeaderName FORWARDED = constant("Forwarded");
    /** {@code Via} (RFC 9110 §7.6.3). */
    public static final HeaderName VIA = constant("Via");
    /** {@code X-Forwarded-For} (de facto). */
    public static final HeaderName X_FORWARDED_FOR = constant("X-Forwarded-For");
    /** {@code X-Forwarded-Proto} (de facto). */
    public static final HeaderName X_FORWARDED_PROTO = constant("X-Forwarded-Proto");
    /** {@code X-Forwarded-Host} (de facto). */
    public static final HeaderName X_FORWARDED_HOST = constant("X-Forwarded-Host");
    /** {@code X-Forwarded-Port} (de facto). */
    public static final HeaderName X_FORWARDED_PORT = constant("X-Forwarded-Port");
    /** {@code X-Real-IP} (de facto, nginx). */
    public static final HeaderName X_REAL_IP = constant("X-Real-IP");
    /** {@code Sec-WebSocket-Key} (RFC 6455 §11.3.1). */
    public static final HeaderName SEC_WEBSOCKET_KEY = constant("Sec-WebSocket-Key");
    /** {@code Sec-WebSocket-Accept} (RFC 6455 §11.3.3). */
    public static final HeaderName SEC_WEBSOCKET_ACCEPT = constant("Sec-WebSocket-Accept");
    /** {@code Sec-WebSocket-Version} (RFC 6455 §11.3.5). */
    public static final HeaderName SEC_WEBSOCKET_VERSION = constant("Sec-WebSocket-Version");
    /** {@code Sec-WebSocket-Protocol} (RFC 6455 §11.3.4). */
    public static final HeaderName SEC_WEBSOCKET_PROTOCOL = constant("Sec-WebSocket-Protocol");
    /** {@code Sec-WebSocket-Extensions} (RFC 6455 §11.3.2). */
    public static final HeaderName SEC_WEBSOCKET_EXTENSIONS = constant("Sec-WebSocket-Extensions");
    /** {@code HTTP2-Settings} (RFC 7540 §3.2.1). */
    public static final HeaderName HTTP2_SETTINGS = constant("HTTP2-Settings");

    /** {@code Accept} (RFC 9110 §12.5.1). */
    public static final HeaderName ACCEPT = constant("Accept");
    /** {@code Accept-Encoding} (RFC 9110 §12.5.3). */
    public static final HeaderName ACCEPT_ENCODING = constant("Accept-Encoding");
    /** {@code Accept-Language} (RFC 9110 §12.5.4). */
    public static final HeaderName ACCEPT_LANGUAGE = constant("Accept-Language");
    /** {@code Cache-Control} (RFC 9111 §5.2). */
    public static final HeaderName CACHE_CONTROL = constant("Cache-Control");
    /** {@code Pragma} (RFC 9111 §5.4). */
    public static final HeaderName PRAGMA = constant("Pragma");
    /** {@code Referer} (RFC 9110 §10.1.3). */
    public static final HeaderName REFERER = constant("Referer");
    /** {@code If-None-Match} (RFC 9110 §13.1.2). */
    public static final HeaderName IF_NONE_MATCH = constant("If-None-Match");
    /** {@code If-Modified-Since} (RFC 9110 §13.1.3). */
    public static final HeaderName IF_MODIFIED_SINCE = constant("If-Modified-Since");
    /** {@code ETag} (RFC 9110 §8.8.3). */
    public static final HeaderName ETAG = constant("ETag");
    /** {@code Last-Modified} (RFC 9110 §8.8.2). */
    public static final HeaderName LAST_MODIFIED = constant("Last-Modified");
    /** {@code Location} (RFC 9110 §10.2.2). */
    public static final HeaderName LOCATION = constant("Location");
    /** {@code Vary} (RFC 9110 §12.5.5). */
    public static final HeaderName VARY = constant("Vary");
    /** {@code Link} (RFC 8288 §3). */
    public static final HeaderName LINK = constant("Link");
    /** {@code Content-Encoding} (RFC 9110 §8.4). */
    public static final HeaderName CONTENT_ENCODING = constant("Content-Encoding");
    /** {@code Sec-Fetch-Site} (Fetch Metadata). */
    public static final HeaderName SEC_FETCH_SITE = constant("Sec-Fetch-Site");
    /** {@code Sec-Fetch-Mode} (Fetch Metadata). */
    public static final HeaderName SEC_FETCH_MODE = constant("Sec-Fetch-Mode");
    /** {@code Sec-Fetch-Dest} (Fetch Metadata). */
    public static final HeaderName SEC_FETCH_DEST = constant("Sec-Fetch-Dest");

    /** The constants above in a table keyed by their exact spelling, for allocation-free lookups. */
    private static final KnownNames KNOWN = new KnownNames(CONSTANTS);

    private final String spelling;
    private final int hash;

    private HeaderName(String spelling) {
        this(spelling, Ascii.hashIgnoreCase(spelling));
    }

    private HeaderName(String spelling, int hash) {
        this.spelling = spelling;
        this.hash = hash;
    }

    /**
     * Returns the name spelled {@code name}.
     *
     * @param name the spelling, which the name keeps for {@link #toString()}
     * @return the name; the constant itself when {@code name} is spelled exactly as one
     * @throws IllegalArgumentException if {@code name} is empty or has a character that is not a
     *     tchar (RFC 9110 §5.6.2), such as a space, a colon or a control character
     */
    public static HeaderName of(String name) {
        Objects.requireNonNull(name, "name");
        int bad = Ascii.firstNonTchar(name);
        if (name.isEmpty() || bad >= 0) {
            throw new IllegalArgumentException(name.isEmpty()
                    ? "expected a field name (a token, RFC 9110 §5.1) but was empty"
                    : "expected a field name (a token, RFC 9110 §5.1) but found "
                            + Ascii.describe(name.charAt(bad)) + " at index " + bad + " in \""
                            + Ascii.printable(name) + "\"");
        }
        HeaderName known = KNOWN.find(name);
        return known != null ? known : new HeaderName(name);
    }

    /**
     * Returns the constant spelled exactly as the {@code len} bytes at {@code off}, or null. Lets the
     * parser share the constants' strings for canonically spelled names instead of allocating, and
     * skip checking bytes that equal a constant's, which are tchars.
     */
    static @Nullable HeaderName knownExact(byte[] bytes, int off, int len) {
        return KNOWN.find(bytes, off, len);
    }

    /**
     * Creates a name from characters the caller has already checked to be tchars, with the
     * {@link Ascii#hashIgnoreCase} the caller computed while checking them.
     */
    static HeaderName trusted(String name, int hash) {
        return new HeaderName(name, hash);
    }

    /** The name as it was spelled when created. */
    @Override
    public String toString() {
        return spelling;
    }

    /**
     * {@return the name in ASCII lower case, the form HTTP/2 and HTTP/3 require (RFC 9113 §8.2.1)} The
     * spelling itself, without a copy, when it has no upper-case letter.
     */
    public String lowerCase() {
        for (int i = 0; i < spelling.length(); i++) {
            char c = spelling.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                char[] chars = spelling.toCharArray();
                for (int j = i; j < chars.length; j++) {
                    chars[j] = (char) Ascii.lower(chars[j]);
                }
                return new String(chars);
            }
        }
        return spelling;
    }

    /**
     * {@return whether this name equals {@code name} ignoring ASCII case} No allocation.
     *
     * @param name the characters to compare with, which need not be a valid name
     */
    public boolean is(CharSequence name) {
        return Ascii.equalsIgnoreCase(spelling, name);
    }

    /** Equal when the spellings match ignoring ASCII case. */
    @Override
    public boolean equals(@Nullable Object o) {
        return o == this
                || o instanceof HeaderName other && other.hash == hash && Ascii.equalsIgnoreCase(spelling, other.spelling);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    private static HeaderName constant(String spelling) {
        HeaderName name = new HeaderName(spelling);
        CONSTANTS.add(name);
        return name;
    }
}
