package io.github.upgrade4j.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.HostPortHttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpScheme;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.http2.frames.SettingsFrame;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * WebSockets over HTTP/2 (RFC 8441) for {@link H2Comparison}, with Jetty 12's HTTP/2 client: TLS 1.3
 * with {@link ClientLink#TLS_CIPHER_SUITE} only and ALPN {@code h2}, as the HTTP/1.1 {@code wss} client
 * ({@link ClientLink#tls}) offers them; a WebSocket is an extended CONNECT stream ({@code :method
 * CONNECT}, {@code :protocol websocket}) on a shared connection, sent only after the server's
 * {@code SETTINGS_ENABLE_CONNECT_PROTOCOL} = 1 (RFC 8441 §3). Jetty does the framing, HPACK and flow
 * control; a stream's DATA is read with {@code readData()} and {@code demand()} and released once the
 * reader has taken it, which is when Jetty gives the window back.
 *
 * <p>A stream is handed out as a blocking {@link ClientLink} ({@link Link}), so that the same bulk,
 * round-trip and idle code ({@link TunnelClient}) drives a WebSocket over HTTP/1.1 and over HTTP/2;
 * {@link WebSocketFraming} puts the RFC 6455 frames around it. It does not send pings, handle
 * GOAWAY beyond failing the streams, or reconnect.
 */
final class H2Tunnels implements AutoCloseable {
    /** How long a write or a read may wait before the run gives up on a stream. */
    private static final long WAIT_SECONDS = 60;

    private final HTTP2Client client;

    private H2Tunnels(HTTP2Client client) {
        this.client = client;
    }

    /** A started client whose TLS trusts {@code context}'s certificates and offers TLS 1.3 with one suite only. */
    static H2Tunnels start(SSLContext context) throws Exception {
        SslContextFactory.Client tls = new SslContextFactory.Client();
        tls.setSslContext(context);
        tls.setIncludeProtocols(ClientLink.TLS_PROTOCOL);
        tls.setIncludeCipherSuites(ClientLink.TLS_CIPHER_SUITE);
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("h2-client");
        threads.setDaemon(true);
        HTTP2Client client = new HTTP2Client();
        client.setExecutor(threads);
        client.getClientConnector().setSslContextFactory(tls);
        client.setIdleTimeout(TimeUnit.HOURS.toMillis(1));
        client.setStreamIdleTimeout(TimeUnit.HOURS.toMillis(1));
        client.start();
        return new H2Tunnels(client);
    }

    /** Jetty's receive windows, for the log: {@code session/stream} in bytes. */
    String windows() {
        return client.getInitialSessionRecvWindow() + "/" + client.getInitialStreamRecvWindow();
    }

    /**
     * A new HTTP/2 connection to {@code address}, once the server's first SETTINGS arrived and allowed
     * extended CONNECT; fails with what the server sent otherwise.
     */
    Connection connect(InetSocketAddress address) throws IOException {
        CompletableFuture<Map<Integer, Integer>> settings = new CompletableFuture<>();
        Session.Listener listener = new Session.Listener() {
            @Override
            public void onSettings(Session session, SettingsFrame frame) {
                if (!frame.isReply()) {
                    settings.complete(frame.getSettings());
                }
            }

            @Override
            public void onFailure(Session session, Throwable failure, Callback callback) {
                settings.completeExceptionally(failure);
                callback.succeeded();
            }
        };
        Session session = await(client.connect(client.getClientConnector().getSslContextFactory(), address, listener),
                "an HTTP/2 connection to " + Proxies.hostPort(address));
        Map<Integer, Integer> received = await(settings, "the server's SETTINGS");
        Integer enabled = received.get(SettingsFrame.ENABLE_CONNECT_PROTOCOL);
        if (enabled == null || enabled != 1) {
            session.close(ErrorCode.NO_ERROR.code, "no extended CONNECT", Callback.NOOP);
            throw new IOException("expected SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 8441 §3) from "
                    + Proxies.hostPort(address) + " but its SETTINGS were " + received);
        }
        Integer streams = received.get(SettingsFrame.MAX_CONCURRENT_STREAMS);
        return new Connection(session, address, streams == null ? Integer.MAX_VALUE : streams, received);
    }

    /** Stops the client: its connections, selector and threads. */
    @Override
    public void close() throws IOException {
        try {
            client.stop();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("the HTTP/2 client did not stop: " + e, e);
        }
    }

    /**
     * One HTTP/2 connection and the WebSockets opened on it.
     *
     * @param maxStreams the server's {@code SETTINGS_MAX_CONCURRENT_STREAMS}, or {@code Integer.MAX_VALUE}
     * @param settings every setting the server sent first
     */
    record Connection(Session session, InetSocketAddress address, int maxStreams, Map<Integer, Integer> settings)
            implements AutoCloseable {
        /**
         * Opens a WebSocket to {@code path} as an extended CONNECT stream and waits for the {@code 200}
         * (RFC 8441 §5); fails with the status or the reset otherwise.
         */
        ClientLink open(String path) throws IOException {
            Link link = new Link();
            // RFC 8441 §5: :method CONNECT, :protocol websocket, :scheme, :path, :authority, and the
            // Sec-WebSocket-Version the origin checks; no Sec-WebSocket-Key (a proxy toward HTTP/1.1 makes one).
            MetaData.ConnectRequest request = new MetaData.ConnectRequest(HttpScheme.HTTPS,
                    new HostPortHttpField(Proxies.hostPort(address)), path,
                    HttpFields.build().put("sec-websocket-version", "13"), "websocket");
            link.stream = await(session.newStream(new HeadersFrame(request, null, false), link), "a new stream");
            try {
                await(link.opened, "the answer to the extended CONNECT for " + path);
            } catch (IOException e) {
                link.close();
                throw e;
            }
            return link;
        }

        @Override
        public void close() {
            session.close(ErrorCode.NO_ERROR.code, "done", Callback.NOOP);
        }
    }

    /**
     * Opens WebSockets through {@code connections} HTTP/2 connections to {@code address}, the streams
     * spread over them in turn: a {@link TunnelClient.Opener}.
     */
    Opener opener(InetSocketAddress address, int connections) throws IOException {
        List<Connection> opened = new ArrayList<>(connections);
        try {
            for (int i = 0; i < connections; i++) {
                opened.add(connect(address));
            }
        } catch (IOException | RuntimeException e) {
            opened.forEach(Connection::close);
            throw e;
        }
        return new Opener(opened);
    }

    /** Streams opened in turn on a fixed set of connections; closing it closes the connections. */
    static final class Opener implements TunnelClient.Opener, AutoCloseable {
        private final List<Connection> connections;
        private int next;

        private Opener(List<Connection> connections) {
            this.connections = List.copyOf(connections);
        }

        /** The first connection's settings, for the log. */
        Map<Integer, Integer> settings() {
            return connections.get(0).settings();
        }

        @Override
        public ClientLink open(String path) throws IOException {
            Connection connection = connections.get(next++ % connections.size());
            return WebSocketFraming.over(connection.open(path));
        }

        @Override
        public void close() {
            connections.forEach(Connection::close);
        }
    }

    /**
     * One stream as a blocking link. Jetty's threads queue the stream's DATA as it comes (at most the
     * stream's receive window, since nothing is released before the reader takes it); the reader copies
     * from the queue and releases each DATA frame once it has taken all of it. A write waits until
     * Jetty has written the frame, which may wait for the peer's WINDOW_UPDATE.
     */
    static final class Link implements ClientLink, Stream.Listener {
        /** Queued after the last DATA: the stream ended or failed. */
        private static final Object END = new Object();

        private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        private final CompletableFuture<Void> opened = new CompletableFuture<>();
        private volatile Stream stream;
        private volatile Throwable failure;
        private Stream.Data current;
        private boolean ended;

        @Override
        public void onHeaders(Stream stream, HeadersFrame frame) {
            MetaData metaData = frame.getMetaData();
            if (metaData instanceof MetaData.Response response) {
                if (response.getStatus() == 200) {
                    opened.complete(null);
                    stream.demand();
                } else {
                    opened.completeExceptionally(new IOException("expected 200 to the extended CONNECT (RFC 8441 §5)"
                            + " but was " + response.getStatus() + " " + response.getHttpFields()));
                }
            }
        }

        @Override
        public void onDataAvailable(Stream stream) {
            while (true) {
                Stream.Data data = stream.readData();
                if (data == null) {
                    stream.demand();
                    return;
                }
                received.add(data);
                if (data.frame().isEndStream()) {
                    received.add(END);
                    return;
                }
            }
        }

        @Override
        public void onReset(Stream stream, ResetFrame frame, Callback callback) {
            fail(new IOException("the stream was reset: " + ErrorCode.toString(frame.getError(), "error "
                    + frame.getError())));
            callback.succeeded();
        }

        @Override
        public void onFailure(Stream stream, int error, String reason, Throwable cause, Callback callback) {
            fail(cause != null ? cause : new IOException("the stream failed: " + reason));
            callback.succeeded();
        }

        @Override
        public void onClosed(Stream stream) {
            received.add(END);
        }

        private void fail(Throwable cause) {
            failure = cause;
            opened.completeExceptionally(cause);
            received.add(END);
        }

        @Override
        public int read(ByteBuffer into) throws IOException {
            while (true) {
                if (ended) {
                    return -1;
                }
                if (current == null) {
                    Object next;
                    try {
                        next = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                    if (next == null) {
                        throw new IOException("no DATA on stream " + stream.getId() + " for " + WAIT_SECONDS + " s");
                    }
                    if (next == END) {
                        ended = true;
                        if (failure != null && !stream.isReset()) {
                            throw new IOException(failure);
                        }
                        return -1;
                    }
                    current = (Stream.Data) next;
                }
                ByteBuffer data = current.frame().getByteBuffer();
                int n = Math.min(data.remaining(), into.remaining());
                into.put(data.slice().limit(n));
                data.position(data.position() + n);
                if (!data.hasRemaining()) {
                    boolean last = current.frame().isEndStream();
                    current.release(); // gives the flow-control window back to the sender
                    current = null;
                    if (last) {
                        ended = true;
                    }
                }
                if (n > 0) {
                    return n;
                }
            }
        }

        @Override
        public void writeFully(ByteBuffer from) throws IOException {
            if (failure != null) {
                throw new IOException(failure);
            }
            await(stream.data(new DataFrame(stream.getId(), from.slice(), false)), "DATA to be written");
            from.position(from.limit());
        }

        @Override
        public ByteBuffer buffer(int size) {
            return ByteBuffer.allocate(size);
        }

        @Override
        public String describe() {
            return "h2 stream " + stream.getId() + ", " + ClientLink.TLS_PROTOCOL + " " + ClientLink.TLS_CIPHER_SUITE;
        }

        /** Resets the stream (CANCEL) and releases what it had received. */
        @Override
        public void close() {
            Stream s = stream;
            if (s != null && !s.isClosed()) {
                s.reset(new ResetFrame(s.getId(), ErrorCode.CANCEL_STREAM_ERROR.code), Callback.NOOP);
            }
            if (current != null) {
                current.release();
                current = null;
            }
            for (Object next; (next = received.poll()) != null; ) {
                if (next instanceof Stream.Data data) {
                    data.release();
                }
            }
        }
    }

    private static <T> T await(CompletableFuture<T> future, String what) throws IOException {
        try {
            return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? new IOException(io.getMessage() + " (waiting for " + what + ")", io)
                    : new IOException("failed waiting for " + what + ": " + cause, cause);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new IOException("no " + what + " within " + WAIT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for " + what, e);
        }
    }
}
