package io.github.upgrade4j.hop;

/**
 * The proxy's own {@code Connection} value toward its upstream, which replaces whatever the client
 * sent (RFC 9110 §7.6.1): nginx's {@code map $http_upgrade $connection_upgrade} idiom as a value,
 * without its trap of closing every plain connection.
 */
public enum UpstreamConnection {
    /** An upgrade is being forwarded: {@code Connection: upgrade}. */
    UPGRADE("upgrade"),
    /** A plain request on a pooled connection: {@code Connection: keep-alive}. */
    KEEP_ALIVE("keep-alive"),
    /** A plain request on a connection used once: {@code Connection: close}. */
    CLOSE("close");

    private final String value;

    UpstreamConnection(String value) {
        this.value = value;
    }

    /** {@return the {@code Connection} field value, e.g. {@code "upgrade"}} */
    public String value() {
        return value;
    }
}
