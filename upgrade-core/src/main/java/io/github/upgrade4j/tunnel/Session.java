package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The state machine of one tunnel of a {@link TunnelRelay}, and the {@link Tunnel} its callers hold:
 * two {@link Leg}s (channels, plain or TLS, or a {@link Conduit} on the client's side), two
 * {@link Direction}s, the deadlines, and the end that happens exactly once.
 *
 * <p>A plain tunnel pumps the direction a selected key concerns. A tunnel with a TLS leg looks at both
 * directions at every event ({@link #settle}), because an engine couples them: a read may finish the
 * handshake that a write waits for, or queue a record that only the socket's OP_WRITE sends. A tunnel
 * with a conduit does the same, at every select and at every wake-up of its conduit, which no selector
 * reports.
 *
 * <p>Confined to its event loop's thread, except the fields marked volatile and {@link #outcome},
 * which the {@link Tunnel} methods read from any thread. Every change of a channel (registration, interest,
 * read, write, shutdown, close) happens on the loop thread, so a close requested from another thread
 * can never race an I/O call or touch a file descriptor number the kernel has reused.
 */
final class Session extends BaseTunnel {
    private static final int ALL = SelectionKey.OP_READ | SelectionKey.OP_WRITE;

    final EventLoop loop;
    final Leg clientLeg;
    final Leg upstreamLeg;
    /**
     * Whether the tunnel looks at both directions at every event ({@link #settle}): a leg speaks TLS, or
     * the client's side is a {@link Conduit}, whose readiness no selector reports.
     */
    private final boolean settles;
    final Direction toUpstream;
    final Direction toClient;

    private @Nullable SelectionKey clientKey;
    private @Nullable SelectionKey upstreamKey;
    private int clientOps;
    private int upstreamOps;
    /** Position in the loop's session array while registered, else -1. */
    int index = -1;
    boolean closed;
    /** Queued on the loop to pump again: a TLS leg holds whole records the selector cannot see. */
    boolean queued;
    private @Nullable Direction firstFin;

    Session(EventLoop loop, Endpoint client, Endpoint upstream) {
        this.loop = loop;
        this.clientLeg = Leg.of(this, client, true);
        this.upstreamLeg = Leg.of(this, upstream, false);
        this.settles = client.engine().isPresent() || upstream.engine().isPresent();
        this.toUpstream = new Direction(this, clientLeg, upstreamLeg, true, client.leftover());
        this.toClient = new Direction(this, upstreamLeg, clientLeg, false, upstream.leftover());
    }

    /** A tunnel whose client's side is a {@link Conduit}; its wake-up is connected before this returns. */
    Session(EventLoop loop, Conduit client, Endpoint upstream) {
        this.loop = loop;
        ConduitLeg conduit = new ConduitLeg(this, client);
        this.clientLeg = conduit;
        this.upstreamLeg = Leg.of(this, upstream, false);
        this.settles = true;
        this.toUpstream = new Direction(this, clientLeg, upstreamLeg, true, ByteBuffer.allocate(0));
        this.toClient = new Direction(this, upstreamLeg, clientLeg, false, upstream.leftover());
        conduit.attach();
    }

    @Override
    public long bytesClientToUpstream() {
        return toUpstream.bytes;
    }

    @Override
    public long bytesUpstreamToClient() {
        return toClient.bytes;
    }

    /** {@link RelayPath#SPLICE} when the relay splices and both legs are plain; derived, to keep the tunnel small. */
    @Override
    public RelayPath path() {
        return clientLeg instanceof Leg.Plain c && c.fd >= 0 && upstreamLeg instanceof Leg.Plain u && u.fd >= 0
                ? RelayPath.SPLICE : RelayPath.COPY;
    }

    @Override
    public void close() {
        loop.execute(() -> {
            if (!loop.stopping) {
                end(CloseReason.CLOSED_BY_CALLER, null, Abort.NONE);
            }
        });
    }

    /** On the loop: makes the channels non-blocking, registers them and starts relaying the leftovers. */
    void register() {
        if (loop.stopping) {
            end(CloseReason.SHUTDOWN, null, Abort.NONE);
            return;
        }
        RelayOptions options = loop.options;
        try {
            for (SocketChannel channel : new SocketChannel[] {clientLeg.channel, upstreamLeg.channel}) {
                if (channel == null) {
                    continue; // a conduit: no socket
                }
                channel.configureBlocking(false);
                if (options.tcpNoDelay()) {
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
                if (options.keepAlive()) {
                    channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                }
            }
            clientKey = clientLeg.channel == null ? null : loop.register(clientLeg.channel, this);
            upstreamKey = loop.register(upstreamLeg.channel, this);
            clientLeg.begin();
            upstreamLeg.begin();
        } catch (IOException e) {
            end(CloseReason.IO_ERROR, e, Abort.BOTH);
            return;
        } catch (RuntimeException e) { // e.g. a channel the caller closed or registered elsewhere
            end(CloseReason.IO_ERROR, new IOException("could not register the channels or begin TLS: " + e, e),
                    Abort.BOTH);
            return;
        }
        loop.add(this);
        if (settles) {
            settle(ALL, ALL);
            return;
        }
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
        if (settles) {
            settle(key == clientKey ? ops : 0, key == clientKey ? 0 : ops);
            return;
        }
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

    /**
     * On the loop: the client's {@link Conduit} woke the relay: it may have bytes, room, or a failure to
     * report. Both directions look, as for an event on both of a channel's operations.
     */
    void conduitReady() {
        if (closed || loop.stopping || index < 0) {
            return; // not registered yet: the registration's first pass looks at both directions anyway
        }
        settle(ALL, 0);
    }

    /** On the loop: a direction that waited for a buffer may try again. */
    void retry(Direction direction) {
        if (closed) {
            return;
        }
        direction.waiting = false;
        if (settles) { // as if its source were readable: it is the one to try again
            settle(direction.fromClient ? SelectionKey.OP_READ : 0, direction.fromClient ? 0 : SelectionKey.OP_READ);
            return;
        }
        direction.pump();
        if (!closed) {
            updateInterest();
        }
    }

    /**
     * On the loop, for a tunnel with a TLS leg, at every event: lets the legs send what their engines
     * want to send, then pumps each direction that has something to do: its source is readable or
     * holds records, its sink is writable, it is blocked, or its close is pending. While a leg reports
     * progress that may let the other direction move (a finished handshake, a drained output), it
     * pumps both again; a few rounds at most. A direction left with whole records in its source that
     * it did not open is queued to run again after the next select, since its socket may have nothing
     * more to say.
     *
     * @param clientReady the ready operations of the client's channel in this event (0 if none)
     * @param upstreamReady the ready operations of the upstream's channel in this event (0 if none)
     */
    void settle(int clientReady, int upstreamReady) {
        @Nullable TlsLeg clientTls = clientLeg instanceof TlsLeg t ? t : null;
        @Nullable TlsLeg upstreamTls = upstreamLeg instanceof TlsLeg t ? t : null;
        boolean all = false;
        for (int round = 0; round < 4; round++) {
            if (clientTls != null) {
                clientTls.progressed = false;
            }
            if (upstreamTls != null) {
                upstreamTls.progressed = false;
            }
            if (!service(clientLeg) || !service(upstreamLeg)) {
                return;
            }
            if (!toClient.waiting && (all || busy(toClient, upstreamReady, clientReady))) {
                toClient.pump();
            }
            if (!closed && !toUpstream.waiting && (all || busy(toUpstream, clientReady, upstreamReady))) {
                toUpstream.pump();
            }
            if (closed) {
                return;
            }
            if (!(clientTls != null && clientTls.progressed || upstreamTls != null && upstreamTls.progressed)) {
                break;
            }
            all = true;
        }
        if (clientLeg.hasInput() && clientLeg.wantsRead(toUpstream.wantsRead())
                || upstreamLeg.hasInput() && upstreamLeg.wantsRead(toClient.wantsRead())) {
            loop.again(this);
        }
        updateInterest();
    }

    /** Whether {@code d} has something to do, given the ready operations of its source and sink. */
    private static boolean busy(Direction d, int sourceReady, int sinkReady) {
        return (sourceReady & SelectionKey.OP_READ) != 0 || (sinkReady & SelectionKey.OP_WRITE) != 0 || d.blocked
                || d.eof && !d.done || d.source.hasInput();
    }

    /** Lets a leg send what it must; false if that closed the tunnel. */
    private boolean service(Leg leg) {
        try {
            leg.service();
        } catch (IOException e) {
            fail(leg == clientLeg, e);
            return false;
        }
        if (leg.starved && leg instanceof TlsLeg t) {
            Direction waiter = t.starvedDirection();
            if (!waiter.waiting) {
                waiter.waiting = true;
                loop.await(waiter);
            }
        }
        return true;
    }

    void updateInterest() {
        int ops = (clientLeg.wantsRead(toUpstream.wantsRead()) ? SelectionKey.OP_READ : 0)
                | (clientLeg.wantsWrite(toClient.blocked) ? SelectionKey.OP_WRITE : 0);
        if (ops != clientOps && clientKey != null) {
            clientKey.interestOps(ops);
            clientOps = ops;
        }
        ops = (upstreamLeg.wantsRead(toClient.wantsRead()) ? SelectionKey.OP_READ : 0)
                | (upstreamLeg.wantsWrite(toUpstream.blocked) ? SelectionKey.OP_WRITE : 0);
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
            end(reason, null, Abort.NONE);
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
        end(reason, e, Abort.BOTH);
    }

    /** Whether {@code leg}'s TLS peer ended with a FIN without {@code close_notify} that was accepted as its end. */
    private static boolean finWithoutCloseNotify(Leg leg) {
        return leg instanceof TlsLeg t && t.finWithoutCloseNotify;
    }

    /** On the loop, at each sweep: ends the tunnel if a deadline passed. */
    void checkDeadlines(long now) {
        Deadlines.Expiry expiry = loop.deadlines.expired(now, startNanos, lastActivityNanos, toUpstream, toClient);
        if (expiry != null) {
            end(expiry.reason, null, expiry.abort);
        }
    }

    /** On the loop, when a drain's grace period is over: the closing bytes, then a close. */
    void shutdown(CloseHook hook) {
        if (closed) {
            return;
        }
        toClient.writeClosing(Hooks.closingBytes(hook, CloseHook.Side.CLIENT));
        toUpstream.writeClosing(Hooks.closingBytes(hook, CloseHook.Side.UPSTREAM));
        end(CloseReason.SHUTDOWN, null, Abort.NONE);
    }

    /**
     * Ends the tunnel once: returns its buffers, closes both channels (with SO_LINGER 0 on the sides
     * {@code abort} names, so that their peers see a reset rather than a FIN; a TLS leg that is not
     * aborted first gets a {@code close_notify}, best effort), counts the end in the relay's
     * {@link Counters} and completes the outcome. Runs on the loop thread, or on whichever thread
     * abandons a session its stopped loop never registered.
     */
    void end(CloseReason reason, @Nullable IOException cause, Abort abort) {
        if (closed) {
            return;
        }
        closed = true;
        toUpstream.release(loop);
        toClient.release(loop);
        clientLeg.close(abort.client(), loop);
        upstreamLeg.close(abort.upstream(), loop);
        loop.remove(this);
        TunnelOutcome result = new TunnelOutcome(reason, toUpstream.bytes, toClient.bytes,
                Duration.ofNanos(System.nanoTime() - startNanos), Optional.ofNullable(cause),
                finWithoutCloseNotify(clientLeg), finWithoutCloseNotify(upstreamLeg), path());
        // Counted, and counted down, before the outcome completes, so whoever sees the outcome sees the
        // counts too; a drain completes after the last outcome. The closed flag makes this run once.
        loop.relay.admission().closed(this, result);
        boolean lastOfDrain = loop.ended();
        outcome.finish(result);
        if (lastOfDrain) {
            loop.relay.admission().finishDrain();
        }
    }
}
