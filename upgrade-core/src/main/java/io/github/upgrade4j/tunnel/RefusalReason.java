package io.github.upgrade4j.tunnel;

/**
 * Why a relay's {@code open} ({@link TunnelRelay#open}, {@link StreamRelay#open}) refused a tunnel. A refusal happens before any byte is relayed, so a
 * proxy can still answer its client with {@link #status()} instead of the 101 (or the 2xx to CONNECT).
 * The channels stay the caller's, open and untouched. Immutable and thread-safe, like every enum.
 */
public enum RefusalReason {
    /** {@link RelayOptions#maxTunnels()} tunnels are running. */
    TUNNEL_LIMIT("the relay already runs its maximum number of tunnels"),
    /**
     * Fewer than two buffers could be borrowed within {@link RelayOptions#bufferBudgetBytes()}: the
     * running tunnels have that much in flight, typically because their readers are slow or stalled.
     * Only a {@link TunnelRelay} refuses for this; a {@link StreamRelay} checks its budget when it
     * starts.
     */
    BUFFER_BUDGET("the buffer budget is spent by tunnels with bytes in flight"),
    /** The relay is draining or closed. */
    SHUT_DOWN("the relay is shutting down");

    private final String description;

    RefusalReason(String description) {
        this.description = description;
    }

    /** One line saying why, for logs. */
    public String description() {
        return description;
    }

    /** The status to answer the client instead of the 101: always 503 (Service Unavailable). */
    public int status() {
        return 503;
    }
}
