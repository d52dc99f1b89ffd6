package io.github.upgrade4j.hop;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.MessageHead;

/**
 * Whether a connection persists after a message, by RFC 9112 §9.3: {@code close} always wins;
 * HTTP/1.1 persists by default; HTTP/1.0 persists only with {@code keep-alive}, and a proxy does not
 * keep an HTTP/1.0 client's connection open on that basis. Options are matched as tokens over every
 * {@code Connection} line, never as substrings, so {@code Connection: x-closed} is not {@code close}.
 *
 * <p>This does not look at body framing: a response delimited by closing the connection
 * ({@link io.github.upgrade4j.http.BodyFraming.UntilClose}) ends the connection whatever its fields say.
 */
public final class Persistence {
    private Persistence() {}

    /**
     * Whether the connection on which {@code head} was received stays open after the exchange.
     *
     * @param head a received request or response head
     * @param recipientIsProxy whether the recipient is a proxy; a proxy ignores an HTTP/1.0 request's
     *     {@code keep-alive} (RFC 9112 §9.3)
     * @return true when it stays open, false when it closes once this exchange is over
     */
    public static boolean persists(MessageHead head, boolean recipientIsProxy) {
        if (head.headers().hasToken(HeaderName.CONNECTION, "close")) {
            return false;
        }
        if (head.version() != HttpVersion.HTTP_1_0) {
            return true;
        }
        boolean requestToProxy = recipientIsProxy && head instanceof io.github.upgrade4j.http.RequestHead;
        return !requestToProxy && head.headers().hasToken(HeaderName.CONNECTION, "keep-alive");
    }
}
