package io.github.upgrade4j.tunnel;

/**
 * Told when a relay opens a tunnel, refuses one, and when a tunnel ends: the three moments its
 * {@link RelayStats} counters move, for metrics, logs or an admin view. Set it with
 * {@link RelayOptions.Builder#listener(RelayListener)}; every method does nothing by default, so a
 * listener overrides only what it needs.
 *
 * <pre>{@code
 * RelayOptions options = RelayOptions.builder()
 *         .listener(new RelayListener() {
 *             @Override
 *             public void closed(Tunnel tunnel, TunnelOutcome outcome) {
 *                 closes.labels(outcome.reason().name()).inc();
 *             }
 *         })
 *         .build();
 * }</pre>
 *
 * <p><b>When and on which thread.</b> A listener is never called per byte or per I/O operation, only
 * once per event:
 * <ul>
 *   <li>{@link #opened} and {@link #refused} on the thread that called the relay's {@code open},
 *       before {@code open} returns;</li>
 *   <li>{@link #closed} once per opened tunnel, whichever way it ends, on the thread that ends it (an
 *       event loop of a {@link TunnelRelay}; for a {@link StreamRelay} one of its tasks, its timeout
 *       thread or a thread that closed the tunnel or the relay), before the tunnel's
 *       {@link Tunnel#outcome()} completes and after the relay counted the end.</li>
 * </ul>
 * For one tunnel, {@code opened} happens before {@code closed}; calls about different tunnels may come
 * from several threads at once. A listener must therefore be thread-safe, fast, and must not block: it
 * runs on the threads that relay every tunnel. An exception it throws is logged (through
 * {@link System.Logger}) and does not change what the relay does.
 */
public interface RelayListener {
    /**
     * The relay accepted a tunnel; its endpoints are the relay's now. It may already be moving bytes.
     *
     * @param tunnel the new tunnel: its counters, path and outcome may be read, and it may be closed
     */
    default void opened(Tunnel tunnel) {}

    /**
     * The relay refused a tunnel before touching its endpoints, which stay the caller's.
     *
     * @param refusal the reason and its detail, as {@code open} returns it
     */
    default void refused(Opening.Refused refusal) {}

    /**
     * A tunnel ended: both endpoints are closed.
     *
     * @param tunnel the tunnel that ended, the same object {@link #opened} was given
     * @param outcome how it ended, the value its {@link Tunnel#outcome()} is about to complete with
     */
    default void closed(Tunnel tunnel, TunnelOutcome outcome) {}

    /** The listener that does nothing, the default of {@link RelayOptions}. */
    static RelayListener none() {
        return Events.NO_LISTENER;
    }
}
