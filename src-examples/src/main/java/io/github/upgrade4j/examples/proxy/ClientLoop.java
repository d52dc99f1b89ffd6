package io.github.upgrade4j.examples.proxy;

import io.github.upgrade4j.examples.support.ErrorAnswers;
import io.github.upgrade4j.examples.support.TlsSetup;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ReverseProxy}'s one selector thread for everything that waits on a client: it accepts
 * connections, runs their TLS handshakes, and collects each request head until it is complete, then
 * hands the connection to a worker ({@code dispatch}). A waiting client costs no thread and only the
 * bytes it has sent, so ten thousand clients that send half a request line and stall cost a few MB.
 *
 * <p>Timeouts ({@link HttpLimits}): a head must be complete within the header timeout, counted from the
 * accept (the TLS handshake included) or from the first byte of a later request; a client that sent part
 * of a head then gets a 408. A connection idle between requests is closed after the keep-alive timeout.
 * A worker gives a persisting connection back with {@link #park}.
 *
 * <p>The accept loop never dies while the proxy runs: when {@code accept} fails (EMFILE, ENFILE,
 * ENOBUFS: out of descriptors or buffers), it stops accepting for 100 ms, doubling to at most 500 ms
 * while the failures go on, logs once per pause, and resumes; queued connections wait in the listen
 * backlog meanwhile (nginx pauses for 500 ms).
 */
final class ClientLoop implements AutoCloseable {
    private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long LONGEST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final int ACCEPTS_PER_WAKEUP = 64;

    private final ServerSocketChannel server;
    private final @Nullable SSLContext tls;
    private final HttpLimits limits;
    private final Duration tlsHandshakeTimeout;
    private final PrintStream log;
    private final ProxyMetrics metrics;
    /** Takes a connection with a complete head (or a head the parser rejects); false when all workers are busy. */
    private final Predicate<WaitingClient> dispatch;
    /** Takes a TLS connection whose client chose {@code h2}, off this loop; null when HTTP/2 is off. */
    private final @Nullable H2Front http2;
    private final Selector selector;
    private final SelectionKey acceptKey;
    private final Thread thread;
    private final Queue<WaitingClient> parked = new ConcurrentLinkedQueue<>();
    // Owned by the loop's thread:
    private final Set<WaitingClient> waiting = new HashSet<>();
    private final List<WaitingClient> ready = new ArrayList<>();
    private final Http1Parser<RequestHead> parser = Http1Parser.forRequests();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(32 * 1024);
    private final WaitingTls waitingTls = new WaitingTls();
    private long pause = FIRST_PAUSE_NANOS;
    private long acceptResumesAt;
    private long nextSweep;
    private volatile boolean closed;

    ClientLoop(ServerSocketChannel server, @Nullable SSLContext tls, Duration tlsHandshakeTimeout, HttpLimits limits,
            PrintStream log, ProxyMetrics metrics, Predicate<WaitingClient> dispatch, @Nullable H2Front http2)
            throws IOException {
        this.server = server;
        this.http2 = http2;
        this.tls = tls;
        this.limits = limits;
        this.tlsHandshakeTimeout = tlsHandshakeTimeout;
        this.log = log;
        this.metrics = metrics;
        this.dispatch = dispatch;
        // Closing a socket initializes the JDK's native dispatcher classes, which open a descriptor of their
        // own; done first here, so that it can't fail later for want of descriptors and leave the class
        // unusable (NoClassDefFoundError on every close from then on).
        SocketChannel.open().close();
        this.selector = Selector.open();
        server.configureBlocking(false);
        this.acceptKey = server.register(selector, SelectionKey.OP_ACCEPT);
        this.thread = new Thread(this::run, "proxy-clients-" + ((InetSocketAddress) server.getLocalAddress()).getPort());
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Stops accepting; waiting and working connections go on. Any thread. */
    void stopAccepting() {
        try {
            server.close(); // the selector drops its key at the next select
        } catch (IOException ignored) {
            // already closed
        }
        selector.wakeup();
    }

    /**
     * Takes back a connection that persists after a worker served a request: non-blocking again, with
     * whatever the client sent past that request in its plaintext. Any thread.
     */
    void park(WaitingClient client) {
        parked.add(client);
        selector.wakeup();
    }

    /** Closes the listener and every waiting connection; working connections are the caller's. */
    @Override
    public void close() {
        closed = true;
        stopAccepting();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (!closed) {
                selector.select(waiting.isEmpty() && acceptResumesAt == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(SWEEP_NANOS));
                long now = System.nanoTime();
                for (WaitingClient client = parked.poll(); client != null; client = parked.poll()) {
                    resume(client, now);
                }
                for (Iterator<SelectionKey> keys = selector.selectedKeys().iterator(); keys.hasNext(); ) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    try {
                        if (key == acceptKey) {
                            accept(now);
                        } else if (key.isValid()) {
                            serve((WaitingClient) key.attachment(), key, now);
                        }
                    } catch (RuntimeException e) { // a bug must not take the listener down with it
                        log.println("the client loop survived: " + e);
                    }
                }
                if (now - nextSweep >= 0) {
                    sweep(now);
                    nextSweep = now + SWEEP_NANOS;
                }
                if (acceptResumesAt != 0 && now - acceptResumesAt >= 0 && acceptKey.isValid()) {
                    acceptResumesAt = 0;
                    acceptKey.interestOps(SelectionKey.OP_ACCEPT);
                }
                handOver();
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                log.println("the client loop failed: " + e);
            }
        } finally {
            waiting.forEach(client -> closeQuietly(client.channel));
            waiting.clear();
            for (WaitingClient client = parked.poll(); client != null; client = parked.poll()) {
                closeQuietly(client.channel);
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }

    private void accept(long now) {
        for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                acceptKey.cancel();
                return;
            } catch (IOException e) {
                pauseAccepting(e, now);
                return;
            }
            if (channel == null) {
                return;
            }
            pause = FIRST_PAUSE_NANOS;
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                SSLEngine engine = null;
                if (tls != null) {
                    engine = TlsSetup.serverEngine(tls, http2 != null);
                    engine.beginHandshake();
                }
                WaitingClient client = new WaitingClient(channel, engine);
                client.deadline = now + limits.headerTimeout().toNanos();
                if (engine != null) { // the handshake gets the shorter of the two; the head is due as usual
                    client.headDeadline = client.deadline;
                    client.deadline = now + Math.min(limits.headerTimeout().toNanos(), tlsHandshakeTimeout.toNanos());
                }
                register(client);
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
            }
        }
    }

    /** Out of descriptors or buffers: no accepts for a while, then try again; one log line per pause. */
    private void pauseAccepting(IOException e, long now) {
        acceptKey.interestOps(0);
        acceptResumesAt = now + pause;
        log.println("accept failed: " + e.getMessage() + "; accepting again in "
                + TimeUnit.NANOSECONDS.toMillis(pause) + " ms");
        pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
    }

    private void resume(WaitingClient client, long now) {
        client.idle = client.plaintextLength() == 0;
        client.deadline = now + (client.idle ? limits.keepAliveTimeout() : limits.headerTimeout()).toNanos();
        try {
            register(client);
        } catch (IOException e) {
            drop(client);
            return;
        }
        if (client.plaintextLength() > 0) {
            check(client, client.plaintextLength()); // a pipelined request may be complete already
        }
    }

    private void register(WaitingClient client) throws ClosedChannelException {
        client.key = client.channel.register(selector, SelectionKey.OP_READ
                | (client.pendingOut.hasRemaining() ? SelectionKey.OP_WRITE : 0), client);
        waiting.add(client);
    }

    private void serve(WaitingClient client, SelectionKey key, long now) {
        try {
            if (key.isWritable() && WaitingTls.flush(client)) {
                key.interestOps(SelectionKey.OP_READ);
                if (toHttp2(client)) {
                    return;
                }
            }
            if (!key.isReadable()) {
                return;
            }
            readBuffer.clear();
            int n = client.channel.read(readBuffer);
            if (n < 0) {
                if (WaitingTls.handshaking(client)) {
                    log.println(client.peer + " TLS handshake failed: the client closed the connection during it");
                } else if (client.plaintextLength() > 0) {
                    log.println(client.peer + " closed: the client ended the connection in the middle of a head");
                }
                drop(client);
                return;
            }
            readBuffer.flip();
            int before = client.plaintextLength();
            if (client.engine == null) {
                client.received(readBuffer);
            } else {
                boolean handshaking = WaitingTls.handshaking(client);
                waitingTls.receive(client, readBuffer);
                if (handshaking && !WaitingTls.handshaking(client)) {
                    client.deadline = client.headDeadline;
                    if (toHttp2(client)) {
                        return;
                    }
                }
            }
            if (client.idle && client.plaintextLength() > 0) {
                client.idle = false; // the first byte of a request: from now on the header timeout applies
                client.deadline = now + limits.headerTimeout().toNanos();
            }
            check(client, client.plaintextLength() - before);
        } catch (IOException | RuntimeException e) { // an engine may throw unchecked exceptions too
            if (client.engine != null && (e instanceof SSLException || WaitingTls.handshaking(client))) {
                log.println(client.peer + " TLS handshake failed: " + e.getMessage());
            } else if (e instanceof RuntimeException) {
                log.println(client.peer + " closed: " + e);
            }
            drop(client);
        }
    }

    /**
     * Hands a client whose handshake chose {@code h2} to the HTTP/2 side, once the loop has sent every
     * handshake record; returns whether it did (the connection is no longer the loop's then).
     */
    private boolean toHttp2(WaitingClient client) {
        if (http2 == null || client.engine == null || WaitingTls.handshaking(client)
                || !WaitingTls.chose(client.engine, "h2") || client.pendingOut.hasRemaining()) {
            return false;
        }
        if (client.key != null) {
            client.key.cancel();
            client.key = null;
        }
        waiting.remove(client);
        http2.adopt(client.channel, client.engine, client.ciphertext);
        return true;
    }

    /**
     * Hands the client over once its head is complete or rejected. The parser runs only when the bytes
     * that arrived could have ended a head (a line feed) or crossed another KiB, so a client that sends
     * one byte at a time costs linear work, not quadratic.
     */
    private void check(WaitingClient client, int arrived) {
        ByteBuffer plaintext = client.plaintext();
        int length = plaintext.remaining();
        boolean lineEnd = false;
        for (int i = length - arrived; i < length && !lineEnd; i++) {
            lineEnd = plaintext.get(i) == '\n';
        }
        if (!lineEnd && (length - arrived) / 1024 == length / 1024) {
            return;
        }
        ParseResult<RequestHead> result = parser.parse(plaintext);
        parser.reset();
        if (!(result instanceof ParseResult.NeedMore)) {
            // The start of the handshake's latency; whether it is one, for the answer given here when every
            // worker is busy (the worker reads the head again).
            client.headArrived = System.nanoTime();
            client.upgradeOffered = result instanceof ParseResult.Complete<RequestHead> complete
                    && complete.head().headers().contains(HeaderName.UPGRADE);
            client.key.cancel();
            waiting.remove(client);
            ready.add(client);
        }
    }

    /** Connections with a complete head go to the workers, once the selector has released their channels. */
    private void handOver() throws IOException {
        if (ready.isEmpty()) {
            return;
        }
        selector.selectNow(); // deregisters the cancelled keys, so the workers may make the channels blocking
        for (WaitingClient client : ready) {
            client.key = null;
            if (!dispatch.test(client)) {
                String id = ErrorAnswers.newId();
                log.println(id + " " + client.peer + " -> 503: every worker is busy and " + limits.maxHandshakes()
                        + " complete heads wait for one already (--max-handshakes " + limits.maxHandshakes() + ")");
                answerAndClose(client, ErrorAnswers.answer(503, "every worker is busy", id, "Retry-After", "1"));
                if (client.upgradeOffered) {
                    metrics.answered(503, client.headArrived);
                }
            }
        }
        ready.clear();
    }

    /** Closes clients whose time is up: a 408 to one that sent part of a head. */
    private void sweep(long now) {
        for (Iterator<WaitingClient> clients = waiting.iterator(); clients.hasNext(); ) {
            WaitingClient client = clients.next();
            if (now - client.deadline < 0) {
                continue;
            }
            clients.remove();
            if (WaitingTls.handshaking(client)) {
                log.println(client.peer + " TLS handshake failed: not complete within "
                        + seconds(Duration.ofNanos(Math.min(limits.headerTimeout().toNanos(),
                                tlsHandshakeTimeout.toNanos()))));
                closeQuietly(client.channel);
            } else if (client.idle) {
                log.println(client.peer + " closed: idle between requests for " + seconds(limits.keepAliveTimeout()));
                closeQuietly(client.channel);
            } else if (client.plaintextLength() > 0) {
                String id = ErrorAnswers.newId();
                log.println(id + " " + client.peer + " -> 408: no complete request head within "
                        + seconds(limits.headerTimeout()));
                answerAndClose(client, ErrorAnswers.answer(408, "the request head did not arrive in time", id));
            } else {
                log.println(client.peer + " closed: no request within " + seconds(limits.headerTimeout()));
                closeQuietly(client.channel);
            }
        }
    }

    /** Sends a short answer without waiting (a fresh connection's send buffer takes it), then closes. */
    private void answerAndClose(WaitingClient client, byte[] answer) {
        try {
            if (client.engine == null) {
                client.channel.write(ByteBuffer.wrap(answer));
            } else if (!WaitingTls.handshaking(client) && !client.engine.isInboundDone()) {
                waitingTls.sendNow(client, ByteBuffer.wrap(answer));
            }
        } catch (IOException | RuntimeException e) {
            // the client is gone or its buffer is full: it is closed either way
        }
        closeQuietly(client.channel);
    }

    private void drop(WaitingClient client) {
        waiting.remove(client);
        closeQuietly(client.channel);
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // best effort: the peer may be gone
        }
    }
}
