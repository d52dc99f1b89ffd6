package io.github.upgrade4j.hop;

/**
 * What {@link HopByHopPolicy} does with a request field whose name imitates a protected or
 * forwarding field by spelling a {@code -} as {@code _}, such as {@code X_Forwarded_Proto} or
 * {@code Content_Length}. HTTP allows {@code _} in field names (RFC 9110 §5.6.2), but servers that
 * read {@code _} as {@code -} take such a field for the real one: CGI names both
 * {@code HTTP_X_FORWARDED_PROTO} (RFC 3875 §4.1.18), and so do the stacks that follow it (PHP, WSGI,
 * Rack). A client could then set what the proxy claims to set itself.
 *
 * <p>The same choice exists elsewhere: nginx ignores every name with {@code _} by default
 * ({@code underscores_in_headers off}); Envoy offers {@code headers_with_underscores_action}
 * ({@code ALLOW}, {@code REJECT_REQUEST}, {@code DROP_HEADER}). This policy looks only at names that
 * collide; {@code X_Request_Id} and other names with {@code _} pass whatever the action.
 */
public enum UnderscoreAction {
    /**
     * Drop the field and report it as a {@link Forwarding.RemovalCause#UNDERSCORED_ALIAS} removal; the
     * default.
     */
    DROP,
    /** Refuse the request with {@link Refusal#UNDERSCORED_ALIAS} (400). */
    REFUSE,
    /** Forward the field as it came; only for back ends known to keep {@code _} and {@code -} apart. */
    PASS
}
