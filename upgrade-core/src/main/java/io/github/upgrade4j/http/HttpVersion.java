package io.github.upgrade4j.http;

/**
 * An HTTP version as named in a start line (RFC 9110 §2.5).
 *
 * <p>The HTTP/1.x parser accepts {@link #HTTP_1_0} and {@link #HTTP_1_1}. {@link #HTTP_2} exists so
 * that heads of HTTP/2 streams (for example an RFC 8441 extended CONNECT) can be modelled; such a
 * head cannot be written as HTTP/1.x.
 */
public enum HttpVersion {
    /** HTTP/1.0 (RFC 1945): no {@code Upgrade} mechanism, connections close by default. */
    HTTP_1_0("HTTP/1.0"),
    /** HTTP/1.1 (RFC 9112). */
    HTTP_1_1("HTTP/1.1"),
    /** HTTP/2 (RFC 9113), which forbids the {@code Upgrade} mechanism on its streams. */
    HTTP_2("HTTP/2");

    private final String text;

    HttpVersion(String text) {
        this.text = text;
    }

    /** {@return the version as written in an HTTP/1.x start line, e.g. {@code "HTTP/1.1"}} */
    public String text() {
        return text;
    }

    /** {@return whether heads of this version have an HTTP/1.x wire form} Only {@link #HTTP_2} has none. */
    public boolean isHttp1() {
        return this != HTTP_2;
    }

    @Override
    public String toString() {
        return text;
    }
}
