package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The state machine of one tunnel: two channels, two {@link Direction}s, the deadlines, and the
 * close that happens exactly once.
 *
 * <p>Confined to its event loop's thread, except the fields marked volatile and {@link #outcome},
 * which {@link Tunnel} reads from any thread. Every change of a channel (registration, interest,
 * read, write, shutdown, close) happens on the loop thread, so a close requested from another thread
 * can never race an I/O call or touch a file descriptor number the kernel has reused.
 */
final class Session {
    final EventLoop loop;
    final Tunnel view;
    private final SocketChannel client;
    private final SocketChannel upstream;
    final Direction toUpstream;
    final Direction toClient;
    final Instant started;
    final long startNanos;
    /** Last time a byte moved either way, or a FIN arrived; from {@link System#nanoTime()}. */
    volatile long lastActivityNanos;
    final CompletableFuture<TunnelOutcome> outcome = new CompletableFuture<>();

    private @Nullable SelectionKey clientKey;
    private @Nullable SelectionKey upstreamKey;
    private int clientOps;
    private int upstreamOps;
    /** Position in the loop's session array while registered, else -1. */
    int index = -1;
    boolean closed;
    private @Nullable Direction firstFin;

    Session(EventLoop loop, Endpoint client, Endpoint upstream) {
        this.loop = loop;
        this.client = client.channel();
        this.upstream = upstream.channel();
        this.toUpstream = new Direction(this, this.client, this.upstream, true, client.leftover());
        this.toClient = new Direction(this, this.upstream, this.client, false, upstream.leftover());
        this.started = Instant.now();
        this.startNanos = System.nanoTime();
        this.lastActivityNanos = startNanos;
        this.view = new Tunnel(this);
    }

    /** On the loop: makes the channels non-blocking, registers them and starts relaying the leftovers. */
    void register() {
        if (loop.stopping) {
            close(CloseReason.SHUTDOWN, null, false, false);
            return;
        }
        RelayOptions options = loop.options;
        try {
            for (SocketChannel channel : new SocketChannel[] {client, upstream}) {
                channel.configureBlocking(false);
                if (options.tcpNoDelay()) {
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
                if (options.keepAlive()) {
                    channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                }
            }
            clientKey = loop.register(client, this);
            upstreamKey = loop.register(upstream, this);
        } catch (IOException e) {
            close(CloseReason.IO_ERROR, e, true, true);
            return;
        } catch (RuntimeException e) { // e.g. a channel the caller closed or registered elsewhere
            close(CloseReason.IO_ERROR, new IOException("could not register the channels: " + e, e), true, true);
            return;
        }
        loop.add(this);
        toUpstream.pump();
        if (!closed) {
            toClient.pump();
        }
        if (!closed) {
            updateInterest();
        }
    }

    /** On the loop: one channel is ready. */
    void ready(SelectionKey key, int ops) {
        boolean isClient = key == clientKey;
        Direction reading = isClient ? toUpstream : toClient;
        Direction writing = isClient ? toClient : toUpstream;
        if ((ops & SelectionKey.OP_WRITE) != 0) {
            writing.pump(); // first: it frees a buffer and may unblock reading the other side
        }
        if (!closed && (ops & SelectionKey.OP_READ) != 0) {
            reading.pump();
        }
        if (!closed) {
            updateInterest();
        }
    }

    /** On the loop: a direction that waited for a buffer may try again. */
    void retry(Direction direction) {
        if (closed) {
            return;
        }
        direction.waiting = false;
        direction.pump();
        if (!closed) {
            updateInterest();
        }
    }

    void updateInterest() {
        int ops = (toUpstream.wantsRead() ? SelectionKey.OP_READ : 0) | (toClient.blocked ? SelectionKey.OP_WRITE : 0);
        if (ops != clientOps && clientKey != null) {
            clientKey.interestOps(ops);
            clientOps = ops;
        }
        ops = (toClient.wantsRead() ? SelectionKey.OP_READ : 0) | (toUpstream.blocked ? SelectionKey.OP_WRITE : 0);
        if (ops != upstreamOps && upstreamKey != null) {
            upstreamKey.interestOps(ops);
            upstreamOps = ops;
        }
    }

    /** A source sent its FIN. */
    void sawFin(Direction direction) {
        if (firstFin == null) {
            firstFin = direction;
        }
    }

    /** A direction passed its FIN on; when both have, the tunnel is complete. */
    void directionDone() {
        if (toUpstream.done && toClient.done) {
            CloseReason reason = firstFin == toUpstream ? CloseReason.CLIENT_FIN_FIRST : CloseReason.UPSTREAM_FIN_FIRST;
            close(reason, null, false, false);
        }
    }

    /** A read or write on the client ({@code clientSide}) or upstream channel failed: reset both. */
    void fail(boolean clientSide, IOException e) {
        CloseReason reason;
        if (isReset(e)) {
            reason = clientSide ? CloseReason.CLIENT_RESET : CloseReason.UPSTREAM_RESET;
        } else {
            reason = CloseReason.IO_ERROR;
        }
        close(reason, e, true, true);
    }

    /**
     * Whether an exception from a socket read or write reports that the peer reset or closed the
     * connection (ECONNRESET, EPIPE, ECONNABORTED). The JDK exposes no errno, only the message.
     */
    private static boolean isReset(IOException e) {
        String message = e.getMessage();
        return message != null && (message.contains("reset") || message.contains("Broken pipe")
                || message.contains("aborted"));
    }

    /** On the loop, at each sweep: closes the tunnel if a deadline passed. */
    void checkDeadlines(long now, long idle, long stall, long halfClosed, long lifetime) {
        if (lifetime > 0 && now - startNanos >= lifetime) {
            close(CloseReason.LIFETIME_EXCEEDED, null, false, false);
            return;
        }
        if (stall > 0 && (stalled(toUpstream, now, stall) || stalled(toClient, now, stall))) {
            return;
        }
        if (toUpstream.blocked || toClient.blocked || toUpstream.waiting || toClient.waiting) {
            return; // parked by backpressure or the budget: not idle
        }
        long quiet = now - lastActivityNanos;
        if (halfClosed > 0 && (toUpstream.done || toClient.done) && quiet >= halfClosed) {
            close(CloseReason.HALF_CLOSED_TIMEOUT, null, false, false);
        } else if (idle > 0 && quiet >= idle) {
            close(CloseReason.IDLE_TIMEOUT, null, false, false);
        }
    }

    /** Closes the tunnel if {@code d}'s blocked write made no progress for {@code stall} ns. */
    private boolean stalled(Direction d, long now, long stall) {
        if (d.blocked && now - d.blockedSince >= stall) {
            // The sink's peer stopped reading: reset that leg, so its kernel drops the queue instead of
            // retrying it for minutes; the other leg gets a FIN.
            close(CloseReason.STALL_TIMEOUT, null, !d.fromClient, d.fromClient);
            return true;
        }
        return false;
    }

    /** On the loop, when a drain's grace period is over: the closing bytes, then a close. */
    void shutdown(CloseHook hook) {
        if (closed) {
            return;
        }
        toClient.writeClosing(closingBytes(hook, CloseHook.Side.CLIENT));
        toUpstream.writeClosing(closingBytes(hook, CloseHook.Side.UPSTREAM));
        close(CloseReason.SHUTDOWN, null, false, false);
    }

    private static ByteBuffer closingBytes(CloseHook hook, CloseHook.Side side) {
        try {
            ByteBuffer bytes = hook.closingBytes(side);
            return bytes == null ? ByteBuffer.allocate(0) : bytes.duplicate();
        } catch (RuntimeException e) {
            EventLoop.LOG.log(System.Logger.Level.WARNING, "the close hook failed; closing without its bytes", e);
            return ByteBuffer.allocate(0);
        }
    }

    /**
     * Ends the tunnel once: returns its buffers, closes both channels (with SO_LINGER 0 where
     * {@code abort*}, so that the peer sees a reset rather than a FIN) and completes the outcome.
     * Runs on the loop thread, or on whichever thread abandons a session its stopped loop never
     * registered.
     */
    void close(CloseReason reason, @Nullable IOException cause, boolean abortClient, boolean abortUpstream) {
        if (closed) {
            return;
        }
        closed = true;
        toUpstream.release(loop);
        toClient.release(loop);
        closeChannel(client, abortClient);
        closeChannel(upstream, abortUpstream);
        loop.remove(this);
        // Counted down before the outcome completes, so whoever sees the outcome sees the count too;
        // a drain completes after the last outcome.
        boolean lastOfDrain = loop.ended();
        outcome.complete(new TunnelOutcome(reason, toUpstream.bytes, toClient.bytes,
                Duration.ofNanos(System.nanoTime() - startNanos), Optional.ofNullable(cause)));
        if (lastOfDrain) {
            loop.relay.drained();
        }
    }

    private static void closeChannel(SocketChannel channel, boolean abort) {
        if (abort && channel.isOpen()) {
            try {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException e) {
                // Already reset or closed: nothing left to abort.
            }
        }
        try {
            channel.close(); // a registered channel's descriptor is released at the loop's next select
        } catch (IOException e) {
            // Nothing more can be done with it.
        }
    }
}
