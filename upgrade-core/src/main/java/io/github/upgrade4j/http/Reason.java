package io.github.upgrade4j.http;

/**
 * The one vocabulary of every reason upgrade4j gives for a "no" or an ending: a parser rejection, a
 * hop-by-hop refusal, an upgrade ignored, refused or found invalid, a tunnel refused or closed.
 * Every reason type is an enum implementing this interface, so a caller can log, count or show any
 * of them the same way; those that decide an answer also carry {@code status()}.
 *
 * <p>Implementations are immutable. This interface is not sealed, because its implementations live in
 * several packages, which a sealed type would only allow on the module path.
 */
public interface Reason {
    /** {@return the constant's name, e.g. {@code WEBSOCKET_KEY_MISSING}} Stable, for logs and metrics labels. */
    String name();

    /**
     * {@return the specification section behind the rule, e.g. {@code "RFC 6455 §4.2.1"}} Empty when no RFC
     * states it.
     */
    String spec();

    /**
     * {@return what happened, the likely cause and what to do, in plain words for someone who never read
     * the RFC}
     */
    String explanation();
}
