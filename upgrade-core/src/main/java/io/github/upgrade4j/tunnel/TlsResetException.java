package io.github.upgrade4j.tunnel;

import javax.net.ssl.SSLException;

/**
 * A TLS leg ended in a way the relay passes on as a reset rather than as a clean end: the peer closed
 * TCP without a {@code close_notify} (a truncation, RFC 8446 §6.1), or closed a TLS 1.2 connection
 * both ways while bytes toward it were still to be sent. The outcome names the leg's reset reason and
 * keeps this exception as its cause.
 */
final class TlsResetException extends SSLException {
    private static final long serialVersionUID = 1L;

    TlsResetException(String message) {
        super(message);
    }
}
