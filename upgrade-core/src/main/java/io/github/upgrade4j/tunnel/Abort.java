package io.github.upgrade4j.tunnel;

/**
 * Which sides of a tunnel are reset (SO_LINGER 0) when it ends; the others get a FIN. A reset passes a
 * failure on as a failure, and makes a side's kernel drop bytes queued toward a peer that stopped
 * reading instead of retrying them for minutes.
 */
enum Abort {
    /** Both sides get a FIN: a clean end, a timeout, a close by the caller or the relay. */
    NONE(false, false),
    /** The client is reset: its peer stopped reading. */
    CLIENT(true, false),
    /** The upstream is reset: its peer stopped reading. */
    UPSTREAM(false, true),
    /** Both are reset: a reset or an I/O error on either side, passed on. */
    BOTH(true, true);

    private final boolean client;
    private final boolean upstream;

    Abort(boolean client, boolean upstream) {
        this.client = client;
        this.upstream = upstream;
    }

    /** Whether the client side is reset. */
    boolean client() {
        return client;
    }

    /** Whether the upstream side is reset. */
    boolean upstream() {
        return upstream;
    }
}
