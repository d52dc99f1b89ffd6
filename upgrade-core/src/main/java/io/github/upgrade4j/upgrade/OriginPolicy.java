package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.RequestHead;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which web origins may open a WebSocket (RFC 6455 §10.2). Browsers send {@code Origin} and do not
 * enforce anything themselves, so a server whose WebSockets rely on cookies should restrict origins
 * to stop cross-site WebSocket hijacking. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface OriginPolicy {
    /**
     * Whether a handshake with {@code origin} (empty when the client sent none, as non-browser
     * clients do) may proceed.
     *
     * @param origin the value of the request's {@code Origin} field, or empty
     * @param request the handshake request, e.g. for its {@code Host}
     * @return true to go on with the handshake, false to refuse it with 403
     */
    boolean allows(Optional<String> origin, RequestHead request);

    /** {@return a policy allowing every origin, and none} The default; fine for APIs that do not rely on cookies. */
    static OriginPolicy any() {
        return (origin, request) -> true;
    }

    /**
     * Exactly these serialized origins, compared ignoring ASCII case (e.g.
     * {@code "https://app.example"}); clients without {@code Origin} are allowed when
     * {@code allowMissing} is true.
     *
     * @param allowMissing whether a client without {@code Origin} may proceed
     * @param origins the origins allowed, each a scheme, host and optional port; copied
     * @return a policy allowing only those origins
     */
    static OriginPolicy allowing(boolean allowMissing, String... origins) {
        Set<String> allowed = List.of(origins).stream().map(o -> o.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        return (origin, request) -> origin.map(o -> allowed.contains(o.toLowerCase(Locale.ROOT))).orElse(allowMissing);
    }

    /**
     * Origins whose host and port equal the request's {@code Host} (the page was served by this
     * server); clients without {@code Origin} are allowed.
     *
     * @return a policy comparing each {@code Origin}, scheme left aside, with the first {@code Host}
     */
    static OriginPolicy sameHost() {
        return (origin, request) -> origin.map(o -> {
            int scheme = o.indexOf("://");
            String hostPort = scheme < 0 ? o : o.substring(scheme + 3);
            return request.headers().first(HeaderName.HOST).map(hostPort::equalsIgnoreCase).orElse(false);
        }).orElse(true);
    }
}
