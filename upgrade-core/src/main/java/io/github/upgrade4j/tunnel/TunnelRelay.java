package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * Relays upgraded connections: once a proxy has switched protocols (a 101, or a 2xx to CONNECT) it
 * hands both channels here and the relay copies bytes both ways until both sides are done.
 *
 * <pre>{@code
 * TunnelRelay relay = TunnelRelay.start();   // once per process; close() at the end
 * Opening opening = relay.open(Endpoint.of(client, bytesAfterRequestHead), Endpoint.of(upstream, bytesAfter101));
 * if (opening instanceof Opening.Opened opened) {
 *     // write nothing more to either channel: the relay owns them now
 * } else if (opening instanceof Opening.Refused refused) {
 *     // answer 503 instead of the 101, then close both channels: they are still yours
 * }
 *
 * // wss: the client's leg is TLS; its engine read the request head, and may hold bytes past it
 * relay.open(Endpoint.tls(client, engine, plaintextAfterHead, ciphertextNotYetDecrypted), Endpoint.of(upstream, first));
 * }</pre>
 *
 * <p><b>What it guarantees.</b> Each endpoint's leftover bytes reach the other side first, exactly
 * once, in order. At most one buffer (of {@link RelayOptions#bufferSize()}) is in flight per
 * direction: while it is not written, the source is not read and TCP flow control throttles its
 * sender (a TLS leg adds at most one buffer of records each way, see {@link Endpoint}). Buffers are
 * direct and pooled, borrowed only while bytes are in flight, so an idle tunnel holds none, and all
 * of them together stay within {@link RelayOptions#bufferBudgetBytes()}. On the splice path
 * ({@link #path()}) a kernel pipe holding at most a buffer's size takes the buffer's place, under the
 * same rules and the same budget. A FIN from one side is
 * passed on as {@code shutdownOutput} to the other once every byte before it is written, and the
 * tunnel lives until both directions are done: no queued byte is dropped. A reset is passed on as a
 * reset (SO_LINGER 0), never disguised as a FIN. On a TLS leg the same holds with
 * {@code close_notify} as the FIN, and a FIN without one counts as a reset unless
 * {@link RelayOptions#tlsFinWithoutCloseNotifyAsEnd()} says otherwise. Timeouts (idle, send
 * stall, half-closed, lifetime) are in {@link RelayOptions}. Every tunnel ends with one
 * {@link TunnelOutcome}.
 *
 * <p><b>Threads.</b> {@link RelayOptions#loops()} daemon threads, each with its own selector; both
 * legs of a tunnel live on one loop, the least loaded when it opens. All methods are thread-safe and
 * may be called from any thread, including a loop thread (from an outcome callback).
 *
 * <p><b>Ownership.</b> Channels handed to {@link #open} stay the caller's on
 * {@link Opening.Refused}; on {@link Opening.Opened} the relay owns them and closes them, whatever
 * happens. The relay's own resources are released by {@link #close()}.
 *
 * <p><b>What it does not do.</b> It does not parse heads or decide whether to switch (see
 * {@code io.github.upgrade4j.upgrade}), does not configure TLS (the caller's engine brings its
 * protocols, certificates and ALPN), and never reads a channel on the caller's behalf before
 * {@code open}. It does not buffer beyond one buffer per direction, so it cannot smooth
 * a slow reader; it makes the writer wait.
 */
public final class TunnelRelay implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TunnelRelay.class.getName());
    /** The fallback is logged once per process, not once per relay. */
    private static final AtomicBoolean COPY_LOGGED = new AtomicBoolean();

    private final RelayOptions options;
    private final RelayPath path;
    private final BufferPool pool;
    private final EventLoop[] loops;
    private final Admission admission;
    private final Object lock = new Object();
    private int nextLoop;

    private TunnelRelay(RelayOptions options, UnaryOperator<Syscalls> syscalls) {
        this.options = options;
        this.path = choosePath(options.relayPath());
        this.admission = new Admission(options);
        this.pool = new BufferPool(options.bufferSize(), options.bufferBudgetBytes(), true);
        this.loops = new EventLoop[options.loops()];
        Deadlines deadlines = Deadlines.of(options);
        try {
            for (int i = 0; i < loops.length; i++) {
                loops[i] = new EventLoop(this, options, deadlines, pool,
                        path == RelayPath.SPLICE ? syscalls.apply(Kernel.open()) : null, i);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not open a selector", e);
        }
        for (EventLoop loop : loops) {
            loop.start();
        }
    }

    /**
     * Starts a relay with {@link RelayOptions#standard()}; see {@link #start(RelayOptions)}.
     *
     * @return the running relay
     * @throws java.io.UncheckedIOException if a selector cannot be opened
     */
    public static TunnelRelay start() {
        return start(RelayOptions.standard());
    }

    /**
     * Starts a relay: its event-loop threads run until {@link #close()}. With
     * {@link RelayPath#AUTO} it splices where it can and otherwise copies, logging once per process
     * (at INFO, through {@link System.Logger}) why it copies.
     *
     * @param options the settings, fixed for the relay's life
     * @return the running relay
     * @throws java.io.UncheckedIOException if a selector cannot be opened
     * @throws IllegalStateException if the options ask for {@link RelayPath#SPLICE} and this JVM cannot
     *     splice; the message says why (the OS, the Java version, or the flags it needs)
     */
    public static TunnelRelay start(RelayOptions options) {
        return new TunnelRelay(Objects.requireNonNull(options, "options"), UnaryOperator.identity());
    }

    /** For tests: a relay whose loops make their system calls through what {@code syscalls} wraps. */
    static TunnelRelay start(RelayOptions options, UnaryOperator<Syscalls> syscalls) {
        return new TunnelRelay(options, syscalls);
    }

    private static RelayPath choosePath(RelayPath wanted) {
        if (wanted == RelayPath.COPY) {
            return RelayPath.COPY;
        }
        String why = Kernel.unavailable();
        if (why == null) {
            return RelayPath.SPLICE;
        }
        if (wanted == RelayPath.SPLICE) {
            throw new IllegalStateException("expected to splice (RelayPath.SPLICE) but " + why);
        }
        if (COPY_LOGGED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.INFO, "upgrade4j tunnels copy their bytes through user space: " + why);
        }
        return RelayPath.COPY;
    }

    /**
     * Why this JVM cannot splice ({@link RelayPath#SPLICE}): the operating system, the Java version, or
     * the access flags it needs, in words that say what to change; empty where it can.
     *
     * @return the reason, or empty when {@link RelayPath#AUTO} splices
     */
    public static Optional<String> spliceUnavailable() {
        return Optional.ofNullable(Kernel.unavailable());
    }

    /** {@return the options this relay was started with} */
    public RelayOptions options() {
        return options;
    }

    /**
     * How this relay moves the bytes of a plain tunnel: {@link RelayPath#SPLICE} or
     * {@link RelayPath#COPY}, decided at start from {@link RelayOptions#relayPath()} and what the JVM
     * allows; never {@link RelayPath#AUTO}. A tunnel with a TLS leg copies either way
     * ({@link Tunnel#path()}).
     *
     * @return the path of this relay's plain tunnels
     */
    public RelayPath path() {
        return path;
    }

    /**
     * Starts relaying between {@code client} and {@code upstream}, or refuses before touching either.
     * Returns at once: the relay registers the channels on an event loop and begins with the
     * leftovers. On {@link Opening.Opened} the relay owns both channels (the caller must not use them
     * again); on {@link Opening.Refused} they are untouched and still the caller's.
     *
     * @param client the client's side: its channel, leftover and, for TLS, engine
     * @param upstream the upstream's side
     * @return the running tunnel, or the refusal (503) when the relay is full, out of buffers or shut down
     * @throws IllegalArgumentException if a channel is not open and connected, both are the same, both
     *     endpoints have the same engine, or {@link RelayOptions#bufferSize()} cannot hold a TLS record
     *     of an endpoint's engine
     */
    public Opening open(Endpoint client, Endpoint upstream) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(upstream, "upstream");
        checkConnected("client", client.channel());
        checkConnected("upstream", upstream.channel());
        if (client.channel() == upstream.channel()) {
            throw new IllegalArgumentException("expected two different channels but client and upstream are the same");
        }
        int tlsLegs = checkTls("client", client) + checkTls("upstream", upstream);
        if (tlsLegs == 2 && client.engine().get() == upstream.engine().get()) {
            throw new IllegalArgumentException("expected two different TLS engines but client and upstream share one");
        }
        Opening.Refused refused = admit(tlsLegs);
        if (refused != null) {
            return refused;
        }
        EventLoop loop = leastLoaded();
        loop.load.incrementAndGet();
        return opened(loop, new Session(loop, client, upstream));
    }

    /**
     * Claims a place for a tunnel with {@code tlsLegs} TLS legs: null when it may open, or the refusal (the
     * tunnel limit, the buffer budget, a shutdown) with the place given back.
     */
    private Opening.@Nullable Refused admit(int tlsLegs) {
        Opening.Refused refused = admission.claim();
        if (refused != null) {
            return refused;
        }
        long free = pool.budget() - (long) borrowed() * pool.bufferSize();
        int needed = 2 + tlsLegs; // a buffer (or pipe) each way, and one for a TLS leg's records
        if (free < (long) needed * pool.bufferSize()) {
            return admission.unclaim(RefusalReason.BUFFER_BUDGET, "expected room for " + needed + " buffers of "
                    + pool.bufferSize() + " bytes but " + free + " of the " + pool.budget()
                    + "-byte budget are free: bytes are in flight on running tunnels");
        }
        return null;
    }

    /** Counts {@code session} opened and hands it to its loop. */
    private Opening opened(EventLoop loop, Session session) {
        // Before the tunnel can end, so that no snapshot shows it ended but not opened.
        admission.opened(session);
        loop.execute(session::register);
        return new Opening.Opened(session);
    }

    /**
     * Starts relaying between a client's stream inside a multiplexed connection ({@code client}, e.g. an
     * HTTP/2 stream that an extended CONNECT opened, RFC 8441) and {@code upstream}'s socket, or refuses
     * before touching either. The tunnel is like any other: the same event loops, buffers and budget (no
     * buffer while idle, no thread at any time), timeouts, limit, statistics, listener and outcome; its
     * path is {@link RelayPath#COPY}. END_STREAM and FIN pass each other on as half-closes, and a reset on
     * either side resets the other ({@link Conduit#close}{@code (true)}, or the upstream's SO_LINGER 0).
     *
     * @param client the client's stream; the relay calls its {@link Conduit#onReady} before this returns
     *     when it opens the tunnel, and nothing of it when it refuses
     * @param upstream the upstream's side: its channel, leftover and, for TLS, engine
     * @return the running tunnel, or the refusal (503) when the relay is full, out of buffers or shut down
     * @throws IllegalArgumentException if the upstream's channel is not open and connected, or
     *     {@link RelayOptions#bufferSize()} cannot hold a TLS record of its engine
     */
    public Opening open(Conduit client, Endpoint upstream) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(upstream, "upstream");
        checkConnected("upstream", upstream.channel());
        Opening.Refused refused = admit(checkTls("upstream", upstream));
        if (refused != null) {
            return refused;
        }
        EventLoop loop = leastLoaded();
        loop.load.incrementAndGet();
        return opened(loop, new Session(loop, client, upstream));
    }

    private static void checkConnected(String side, SocketChannel channel) {
        if (!channel.isOpen() || !channel.isConnected()) {
            throw new IllegalArgumentException("expected a connected " + side + " channel but it was "
                    + (channel.isOpen() ? "not connected" : "closed"));
        }
    }

    /** 1 for a TLS endpoint whose records fit the buffers, 0 for a plain one. */
    private int checkTls(String side, Endpoint endpoint) {
        if (endpoint.engine().isEmpty()) {
            return 0;
        }
        javax.net.ssl.SSLSession session = endpoint.engine().get().getSession();
        int needed = Math.max(session.getPacketBufferSize(), session.getApplicationBufferSize());
        if (options.bufferSize() < needed) {
            throw new IllegalArgumentException("expected RelayOptions.bufferSize() of at least " + needed
                    + " bytes (a whole TLS record of the " + side + "'s engine) but was " + options.bufferSize());
        }
        return 1;
    }

    private EventLoop leastLoaded() {
        int start;
        synchronized (lock) {
            start = nextLoop;
            nextLoop = (start + 1) % loops.length;
        }
        EventLoop best = loops[start];
        for (int i = 1; i < loops.length; i++) {
            EventLoop candidate = loops[(start + i) % loops.length];
            if (candidate.load.get() < best.load.get()) {
                best = candidate;
            }
        }
        return best;
    }

    /** Buffers and pipes borrowed now: each holds at most one buffer's size of the budget. */
    private int borrowed() {
        int sum = 0;
        for (EventLoop loop : loops) {
            sum += loop.borrowed + loop.borrowedPipes;
        }
        return sum;
    }

    /** Pipes made and not yet closed, borrowed or pooled; two descriptors each. */
    int pipesOpen() {
        return pool.pipesOpen();
    }

    /** The relay's admission, for its sessions: counters and places. */
    Admission admission() {
        return admission;
    }

    /**
     * The relay's load now and its counters since it started: tunnels opened, refusals and ends by
     * reason, the bytes of the tunnels that ended. The counters cost nothing per byte: they move when
     * {@link #open} answers and when a tunnel ends. Every refusal {@code open} answers is counted, and
     * every opened tunnel is counted once as ended with its outcome's reason, whichever way it ends
     * (its peers, a timeout, {@link Tunnel#close()}, {@link #drain}, {@link #close()}, a failure). They
     * keep their values after {@link #close()}.
     *
     * @return a snapshot, read without stopping any tunnel
     */
    public RelayStats stats() {
        int inFlight = borrowed();
        long pooled = Math.max(0, pool.allocatedBytes() - (long) inFlight * pool.bufferSize());
        return admission.counters.snapshot(admission.active(), inFlight, pooled, pool.budget());
    }

    /**
     * Drains the relay: from now on {@link #open} refuses with {@link RefusalReason#SHUT_DOWN};
     * running tunnels go on for {@code grace}, and those still open then get the
     * {@link RelayOptions#closeHook()}'s bytes on each side and are closed with
     * {@link CloseReason#SHUTDOWN} (within one sweep period of the deadline). The relay keeps running
     * until {@link #close()}. A second call returns the same completion and its grace is ignored.
     *
     * @param grace how long running tunnels may go on; {@link Duration#ZERO} closes them at once
     * @return completes when every tunnel has ended; completing the returned future does nothing to
     *     the relay
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public CompletableFuture<Void> drain(Duration grace) {
        long deadline = System.nanoTime() + graceNanos(grace);
        if (admission.startDrain()) {
            for (EventLoop loop : loops) {
                loop.execute(() -> {
                    if (!loop.stopping) {
                        loop.startDrain(deadline);
                    }
                });
            }
        }
        return admission.drained();
    }

    /** {@code grace} in nanoseconds, saturated; checked for null and sign. */
    static long graceNanos(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("expected a grace period >= 0 but was " + grace);
        }
        try {
            return grace.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }

    /**
     * Shuts down at once: refuses new tunnels, closes every running one with
     * {@link CloseReason#SHUTDOWN} (a FIN on each side, no hook), stops the event loops and waits for
     * their threads. Idempotent. Called from a loop thread (an outcome callback), it cannot wait for
     * that thread, which ends as soon as the callback returns.
     */
    @Override
    public void close() {
        admission.close();
        for (EventLoop loop : loops) {
            loop.stop();
        }
        boolean interrupted = false;
        for (EventLoop loop : loops) {
            while (true) {
                try {
                    loop.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        pool.clear();
        admission.finishDrain(); // every tunnel ended with its loop
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        RelayStats stats = stats();
        return "TunnelRelay[path=" + path + ", loops=" + loops.length + ", active=" + stats.activeTunnels() + ", buffersBorrowed="
                + stats.buffersBorrowed() + ", opened=" + stats.tunnelsOpened() + ", refused="
                + stats.tunnelsRefused() + ", state=" + admission.stateName() + "]";
    }
}
