package io.github.upgrade4j.examples.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * How the {@link ReverseProxy} bounds the HTTP phase of its client connections. A connection costs no
 * thread while it waits for a head; a complete head is handed to one of at most {@code maxHandshakes}
 * workers, which forward it and relay the answer (or open the tunnel).
 *
 * @param headerTimeout how long a client may take to send a whole request head, counted from the
 *     connection's start (the TLS handshake included) or from the first byte of a later request; then
 *     it gets a 408 and is closed (nginx's {@code client_header_timeout}, 60 s)
 * @param keepAliveTimeout how long a connection may stay idle between requests before it is closed
 *     (nginx's {@code keepalive_timeout}, 75 s)
 * @param maxHandshakes the most requests served at once: forwarded and waiting for the upstream's
 *     answer, or relaying a body. As many complete heads again may queue for a worker; beyond that a
 *     request is answered 503 at once
 */
public record HttpLimits(Duration headerTimeout, Duration keepAliveTimeout, int maxHandshakes) {
    /** nginx's defaults for the two timeouts, and 256 requests at once. */
    public static HttpLimits standard() {
        return new HttpLimits(Duration.ofSeconds(60), Duration.ofSeconds(75), 256);
    }

    public HttpLimits {
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
        if (headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw new IllegalArgumentException("expected a positive header timeout but was " + headerTimeout);
        }
        if (keepAliveTimeout.isNegative() || keepAliveTimeout.isZero()) {
            throw new IllegalArgumentException("expected a positive keep-alive timeout but was " + keepAliveTimeout);
        }
        if (maxHandshakes < 1) {
            throw new IllegalArgumentException("expected at least 1 concurrent handshake but was " + maxHandshakes);
        }
    }
}
