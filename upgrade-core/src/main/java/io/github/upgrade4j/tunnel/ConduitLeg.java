package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A leg over a {@link Conduit}: no channel and no selection key. Its readiness comes from the conduit's
 * wake-up, which queues one pass of the session on the loop ({@link Session#conduitReady}); until a read
 * returns 0, the leg counts as having input, so that a direction that read less than a buffer comes back
 * for the rest without a wake-up.
 *
 * <p>Confined to the session's event loop, except {@link #wake}, which any thread calls.
 */
final class ConduitLeg extends Leg {
    private final Conduit conduit;
    /** A wake-up is queued on the loop and has not run yet: further ones add nothing. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Session session;
    /** Whether a read may find bytes: set by a wake-up, cleared by a read that found none. */
    private boolean readable = true;

    ConduitLeg(Session session, Conduit conduit) {
        super(null);
        this.session = session;
        this.conduit = conduit;
    }

    /** Connects the wake-up, on the opening thread, once the session is built and before it is registered. */
    void attach() {
        conduit.onReady(this::wake);
    }

    /** The conduit's wake-up: one pass of the session on its loop, however often it is called meanwhile. */
    private void wake() {
        if (scheduled.compareAndSet(false, true)) {
            session.loop.execute(() -> {
                scheduled.set(false);
                readable = true;
                session.conduitReady();
            });
        }
    }

    @Override
    int read(ByteBuffer dst) throws IOException {
        int n = conduit.read(dst);
        if (n == 0) {
            readable = false;
        }
        return n;
    }

    @Override
    int write(ByteBuffer src) throws IOException {
        return conduit.write(src);
    }

    @Override
    boolean hasInput() {
        return readable;
    }

    @Override
    boolean shutdownOutput() throws IOException {
        conduit.shutdownOutput();
        return true;
    }

    @Override
    void close(boolean abort, EventLoop loop) {
        try {
            conduit.close(abort);
        } catch (RuntimeException e) {
            EventLoop.LOG.log(System.Logger.Level.DEBUG, "a conduit failed to close: " + e);
        }
    }
}
