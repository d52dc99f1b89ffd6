package io.github.upgrade4j.tunnel;

import io.github.upgrade4j.http.Reason;

/**
 * Why a relay's {@code open} ({@link TunnelRelay#open}, {@link StreamRelay#open}) refused a tunnel. A refusal happens before any byte is relayed, so a
 * proxy can still answer its client with {@link #status()} instead of the 101 (or the 2xx to CONNECT).
 * The channels stay the caller's, open and untouched. Immutable and thread-safe, like every enum.
 */
public enum RefusalReason implements Reason {
    /** {@link RelayOptions#maxTunnels()} tunnels are running. */
    TUNNEL_LIMIT("RFC 9110 §15.6.4",
            "The relay already runs as many tunnels as RelayOptions.maxTunnels allows, so this one was refused"
                    + " before any byte moved. If the load is expected, raise maxTunnels, and the process's"
                    + " file-descriptor limit with it (two sockets per tunnel); if not, look for clients that"
                    + " open tunnels and never close them, or lower RelayOptions.idleTimeout."),
    /**
     * Fewer than two buffers could be borrowed within {@link RelayOptions#bufferBudgetBytes()}: the
     * running tunnels have that much in flight, typically because their readers are slow or stalled.
     * Only a {@link TunnelRelay} refuses for this; a {@link StreamRelay} checks its budget when it
     * starts.
     */
    BUFFER_BUDGET("RFC 9110 §15.6.4",
            "The running tunnels hold all the buffer memory RelayOptions.bufferBudgetBytes allows, usually"
                    + " because some of their readers are slow or stalled, so this one was refused before any"
                    + " byte moved. Raise bufferBudgetBytes (and -XX:MaxDirectMemorySize with it), lower"
                    + " bufferSize so that each tunnel in flight takes less, or lower sendStallTimeout so that stalled"
                    + " tunnels give their buffers back sooner."),
    /** The relay is draining or closed. */
    SHUT_DOWN("RFC 9110 §15.6.4",
            "The relay is draining or closed, so it takes no new tunnels. This is expected while the process"
                    + " stops; a client should retry against another instance.");

    private final String spec;
    private final String explanation;

    RefusalReason(String spec, String explanation) {
        this.spec = spec;
        this.explanation = explanation;
    }

    /** The section that defines the answer, 503 (Service Unavailable): the refusal is a passing overload or a stop. */
    @Override
    public String spec() {
        return spec;
    }

    /** What happened, the likely cause and what to do, in plain words. */
    @Override
    public String explanation() {
        return explanation;
    }

    /** {@return the status to answer the client instead of the 101: always 503 (Service Unavailable)} */
    public int status() {
        return 503;
    }
}
