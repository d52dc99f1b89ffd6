package io.github.upgrade4j.examples.proxy;

import io.github.upgrade4j.tunnel.Conduit;
import io.github.upgrade4j.tunnel.ConduitResetException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/2 stream of a client, two ways: as blocking streams for a worker that forwards a request and its
 * answer ({@link #input()}, {@link #output()}), or, for a WebSocket opened by an extended CONNECT, as the
 * {@link Conduit} that the {@link io.github.upgrade4j.tunnel.TunnelRelay} relays on its event loops without a
 * thread: the stream's DATA in, DATA frames out, END_STREAM as the end of input and as the half-close, and
 * RST_STREAM both ways.
 *
 * <p>Flow control is Jetty's, driven by what is read here: a DATA frame is released, which lets Jetty
 * send the client a WINDOW_UPDATE for it, only once every byte of it was read. A stream whose upstream
 * does not read therefore stops its client at the stream's window, and the connection's other streams go
 * on. The other way, at most one DATA frame of a tunnel is in flight: the next is taken once Jetty sent it,
 * which waits for the client's window, so a client that stops reading one stream holds up only that
 * stream's bytes (and at most {@link #MAX_FRAME_COPY} of them here).
 *
 * <p>The response head is sent before the first DATA frame or the half-close, or at {@link #commit()},
 * whichever comes first, so that a tunnel the relay refuses can still be answered 503 instead of 200.
 * Events come from Jetty's threads.
 */
final class H2StreamIo implements Stream.Listener, Conduit {
    /** The most bytes of a tunnel's one DATA frame in flight: copied, since the relay reuses its buffer. */
    static final int MAX_FRAME_COPY = 64 * 1024;

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** Guards the fields below; its condition wakes a worker that waits for a request body's data. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /**
     * Held while a frame is chained after {@link #lastWrite}, so that frames go in the order they were
     * given (the response head first); never taken by Jetty's callbacks, which take {@link #lock} only.
     */
    private final Object sending = new Object();
    /**
     * The last frame given to Jetty, or to be: Jetty's stream takes one write (HEADERS or DATA) at a time and
     * fails another with a {@code WritePendingException}, so each waits for the one before. Guarded by
     * {@link #sending}.
     */
    private CompletableFuture<?> lastWrite = CompletableFuture.completedFuture(null);
    private final Stream stream;
    /** The DATA frame being read; released once read whole. Used by the reading thread only. */
    private Stream.@Nullable Data current;
    /** Whether Jetty said data may be there since the reader last found none. */
    private boolean available;
    /** Why reads and writes fail from now on: the client reset the stream, or it was closed here. */
    private @Nullable IOException failure;
    private boolean inputEnded;
    /** The head to send before the first DATA frame; null once sent or when none is pending. */
    private MetaData.@Nullable Response pendingHead;
    private boolean headSent;
    private @Nullable CompletableFuture<Stream> writing;
    /** As a tunnel's conduit: the relay's wake-up, and whether a DATA frame is in flight. */
    private volatile @Nullable Runnable wakeUp;
    private boolean frameInFlight;
    /** Whether END_STREAM was queued; guarded by {@link #sending}. */
    private boolean outputEndSent;

    /** The reader and writer of {@code stream}, which is also its listener. */
    H2StreamIo(Stream stream) {
        this.stream = stream;
    }

    @Override
    public void onDataAvailable(Stream stream) {
        lock.lock();
        try {
            available = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        wake();
    }

    @Override
    public void onReset(Stream stream, ResetFrame frame, Callback callback) {
        ErrorCode code = ErrorCode.from(frame.getError());
        fail(new ConduitResetException("the client reset the stream (RST_STREAM " + (code == null ? frame.getError()
                : code) + ")"));
        callback.succeeded();
    }

    @Override
    public void onFailure(Stream stream, int error, String reason, Throwable failure, Callback callback) {
        ConduitResetException lost = new ConduitResetException("the client's connection failed: " + reason + " ("
                + failure + "), which resets its streams");
        lost.initCause(failure);
        fail(lost);
        callback.succeeded();
    }

    @Override
    public void onIdleTimeout(Stream stream, java.util.concurrent.TimeoutException timeout, Promise<Boolean> promise) {
        // Only streams of plain requests have an idle timeout (a tunnel's is the relay's): Jetty resets them.
        fail(new IOException("the stream was idle for " + stream.getIdleTimeout() + " ms; stream reset"));
        promise.succeeded(true);
    }

    private void fail(IOException cause) {
        CompletableFuture<Stream> pending;
        lock.lock();
        try {
            if (failure == null) {
                failure = cause;
            }
            pending = writing;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (pending != null) {
            pending.completeExceptionally(cause);
        }
        wake();
    }

    Stream stream() {
        return stream;
    }

    /** Whether the client ended or reset its side, or the stream was closed here. */
    boolean closed() {
        Stream s = stream();
        return s.isReset() || s.isClosed();
    }

    /** Sends {@code head} at once, ending the stream with it when {@code endStream}; waits until it is sent. */
    void respond(MetaData.Response head, boolean endStream) throws IOException {
        CompletableFuture<Stream> sent;
        synchronized (sending) {
            lock.lock();
            try {
                headSent = true;
                pendingHead = null;
            } finally {
                lock.unlock();
            }
            sent = send(() -> stream().headers(new HeadersFrame(stream().getId(), head, null, endStream)));
        }
        await(sent);
    }

    /** Sends {@code head} before the first DATA frame or the half-close, or at {@link #commit()}. */
    void respondLater(MetaData.Response head) {
        lock.lock();
        try {
            pendingHead = head;
        } finally {
            lock.unlock();
        }
    }

    /** Sends the head given to {@link #respondLater} now, if nothing sent it yet. */
    void commit() throws IOException {
        CompletableFuture<Stream> sent;
        synchronized (sending) {
            sent = sendPendingHead();
        }
        if (sent != null) {
            await(sent);
        }
    }

    /** Queues the pending head, if any; the caller holds {@link #sending}, so frames queue in order. */
    private @Nullable CompletableFuture<Stream> sendPendingHead() {
        MetaData.Response head;
        lock.lock();
        try {
            head = pendingHead;
            pendingHead = null;
            if (head == null) {
                return null;
            }
            headSent = true;
        } finally {
            lock.unlock();
        }
        return send(() -> stream().headers(new HeadersFrame(stream().getId(), head, null, false)));
    }

    /**
     * Gives {@code frame} to Jetty once every frame given before it is written (or failed); the caller holds
     * {@link #sending}. The result completes when this frame is written.
     */
    private CompletableFuture<Stream> send(Supplier<CompletableFuture<Stream>> frame) {
        CompletableFuture<Stream> sent = lastWrite.handle((done, failed) -> null).thenCompose(ignored -> frame.get());
        lastWrite = sent;
        return sent;
    }

    /** Whether a response head went out: after that an error can only reset the stream. */
    boolean responded() {
        lock.lock();
        try {
            return headSent;
        } finally {
            lock.unlock();
        }
    }

    /** Sends {@code bytes} in DATA frames, waiting until Jetty has written them (flow control included). */
    void write(ByteBuffer bytes, boolean endStream) throws IOException {
        CompletableFuture<Stream> head;
        CompletableFuture<Stream> data;
        synchronized (sending) {
            head = sendPendingHead();
            data = send(() -> stream().data(new DataFrame(stream().getId(), bytes, endStream)));
        }
        if (head != null) {
            await(head);
        }
        await(data);
    }

    /** Resets the stream with {@code code} unless it is closed already; never waits. */
    void reset(ErrorCode code) {
        Stream s = stream();
        fail(new IOException("the stream was closed here (RST_STREAM " + code + ")"));
        if (!s.isReset() && !s.isClosed()) {
            s.reset(new ResetFrame(s.getId(), code.code), Callback.NOOP);
        }
        releaseCurrent();
    }

    private void await(CompletableFuture<Stream> sent) throws IOException {
        lock.lock();
        try {
            if (failure != null) {
                sent.completeExceptionally(failure);
            }
            writing = sent;
        } finally {
            lock.unlock();
        }
        try {
            sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing to the stream");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException("the stream could not be written: " + cause,
                    cause);
        } finally {
            lock.lock();
            try {
                writing = null;
            } finally {
                lock.unlock();
            }
        }
    }

    /** The stream's DATA, in order, until END_STREAM (-1); a reset fails the read. */
    InputStream input() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] into, int offset, int length) throws IOException {
                return length == 0 ? 0 : H2StreamIo.this.read(into, offset, length);
            }

            @Override
            public int available() {
                Stream.Data data = current;
                return data == null ? 0 : data.frame().getByteBuffer().remaining();
            }
        };
    }

    /** The blocking read of {@link #input()}: what {@link #read(ByteBuffer)} finds, or a wait for Jetty's next data. */
    private int read(byte[] into, int offset, int length) throws IOException {
        ByteBuffer dst = ByteBuffer.wrap(into, offset, length);
        while (true) {
            lock.lock();
            try {
                available = false; // before the read asks Jetty for more, so that its answer is not missed
            } finally {
                lock.unlock();
            }
            int n = read(dst);
            if (n != 0) {
                return n;
            }
            awaitData();
        }
    }

    private void awaitData() throws IOException {
        lock.lock();
        try {
            while (!available && failure == null) {
                try {
                    changed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the stream's data");
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void releaseCurrent() {
        Stream.Data data = current;
        current = null;
        if (data != null) {
            data.release(); // lets Jetty give the client its window back
        }
    }

    /** Writes DATA frames; {@code close} does nothing (the half-close is separate). */
    OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                H2StreamIo.this.write(ByteBuffer.wrap(new byte[] {(byte) b}), false);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                // The frame is written before this returns, so the caller's array may be used again after.
                H2StreamIo.this.write(ByteBuffer.wrap(bytes, offset, length), false);
            }
        };
    }

    // The Conduit: called by the relay on its event loop, never blocking.

    @Override
    public void onReady(Runnable wakeUp) {
        this.wakeUp = wakeUp;
    }

    private void wake() {
        Runnable wake = wakeUp;
        if (wake != null) {
            wake.run();
        }
    }

    /** What the client sent on the stream, as far as Jetty has it; asks for more (demand) when it has none. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        lock.lock();
        try {
            if (failure != null) {
                throw failure;
            }
            if (inputEnded) {
                return -1;
            }
        } finally {
            lock.unlock();
        }
        int n = 0;
        boolean ended = false;
        while (dst.hasRemaining() && !ended) {
            Stream.Data data = current;
            if (data == null) {
                data = stream().readData();
                if (data == null) {
                    stream().demand(); // Jetty calls onDataAvailable, which wakes the relay
                    break;
                }
                current = data;
            }
            ByteBuffer bytes = data.frame().getByteBuffer();
            int k = Math.min(dst.remaining(), bytes.remaining());
            dst.put(bytes.slice(bytes.position(), k));
            bytes.position(bytes.position() + k);
            n += k;
            if (!bytes.hasRemaining()) {
                ended = data.frame().isEndStream();
                releaseCurrent();
            }
        }
        if (ended) {
            lock.lock();
            try {
                inputEnded = true;
            } finally {
                lock.unlock();
            }
        }
        return n == 0 && ended ? -1 : n;
    }

    /** One DATA frame at a time: a copy of up to {@link #MAX_FRAME_COPY} bytes; none while one is in flight. */
    @Override
    public int write(ByteBuffer src) throws IOException {
        lock.lock();
        try {
            if (failure != null) {
                throw failure;
            }
            if (frameInFlight) {
                return 0; // its completion wakes the relay
            }
            frameInFlight = true;
        } finally {
            lock.unlock();
        }
        int n = Math.min(src.remaining(), MAX_FRAME_COPY);
        ByteBuffer copy = ByteBuffer.allocate(n);
        copy.put(src.slice(src.position(), n)).flip();
        src.position(src.position() + n);
        CompletableFuture<Stream> sent;
        synchronized (sending) {
            sendPendingHead();
            sent = send(() -> stream().data(new DataFrame(stream().getId(), copy, false)));
        }
        sent.whenComplete((stream, error) -> {
            lock.lock();
            try {
                frameInFlight = false;
                if (error != null && failure == null) {
                    failure = error instanceof IOException io ? io : new IOException("the stream failed: " + error, error);
                }
            } finally {
                lock.unlock();
            }
            wake();
        });
        return n;
    }

    /** END_STREAM, after every DATA frame queued before it. */
    @Override
    public void shutdownOutput() {
        synchronized (sending) {
            sendPendingHead();
            outputEndSent = true;
            send(() -> stream().data(new DataFrame(stream().getId(), EMPTY, true)));
        }
    }

    /**
     * Ends the stream: with {@code abort}, RST_STREAM CONNECT_ERROR (RFC 9113 §8.5: the tunnel's other side was
     * reset or failed); otherwise END_STREAM if not sent yet, and RST_STREAM NO_ERROR if the client's side is
     * still open (RFC 9113 §8.1: done, stop sending); a stream both sides ended is left alone.
     */
    @Override
    public void close(boolean abort) {
        Stream s = stream();
        if (abort) {
            reset(ErrorCode.HTTP_CONNECT_ERROR);
            return;
        }
        if (!s.isClosed() && !s.isReset()) {
            synchronized (sending) {
                sendPendingHead();
                if (!outputEndSent) {
                    outputEndSent = true;
                    send(() -> s.data(new DataFrame(s.getId(), EMPTY, true)));
                }
                // after the frames queued before it, which a reset would discard
                send(() -> {
                    if (!s.isRemotelyClosed() && !s.isReset()) {
                        s.reset(new ResetFrame(s.getId(), ErrorCode.NO_ERROR.code), Callback.NOOP);
                    }
                    return CompletableFuture.completedFuture(s);
                });
            }
        }
        releaseCurrent();
    }
}
