package io.github.upgrade4j.examples.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.http2.HTTP2Session;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.api.server.ServerSessionListener;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.SettingsFrame;
import org.eclipse.jetty.http2.server.RawHTTP2ServerConnectionFactory;
import org.eclipse.jetty.http2.server.internal.HTTP2ServerSession;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The {@link ReverseProxy}'s HTTP/2: connections whose client chose {@code h2} by ALPN, served by Jetty 12's
 * HTTP/2 implementation (frames, HPACK, flow control, SETTINGS), and each stream by an {@link H2Exchange}.
 *
 * <p>The proxy's {@link ClientLoop} does the TLS handshake itself, for every client, and ALPN decides:
 * {@code http/1.1} stays on the loop, {@code h2} comes here with its channel, its engine (handshake done)
 * and the records that arrived behind the handshake, undecrypted. Jetty then runs the connection as if it
 * had accepted it: a selector of its own, a {@link SslConnection} over the engine, and an HTTP/2 session
 * above it. No port of Jetty's listens.
 *
 * <p>Settings: at most {@link #MAX_STREAMS} concurrent streams; a stream window of {@link #STREAM_WINDOW}
 * bytes and a connection window of {@link #CONNECTION_WINDOW}, which bound what Jetty holds for streams
 * that are not read (a stalled upstream); extended CONNECT
 * (RFC 8441, {@code SETTINGS_ENABLE_CONNECT_PROTOCOL}) advertised when WebSocket may be forwarded. A
 * connection without streams closes after the keep-alive timeout; one with streams is never idle here
 * (tunnels have the relay's timeouts, requests their own).
 */
final class H2Front implements AutoCloseable {
    /** Concurrent streams per connection (nginx: 128; HAProxy: 100). */
    static final int MAX_STREAMS = 128;
    /**
     * A stream's receive window: as many bytes as a client may send on a stream that is not read, which Jetty
     * holds meanwhile. Four times HTTP/2's default: one WebSocket's upload through the proxy moved 2.8
     * Gbit/s with it and 1.7 with 65,535 bytes, at two thirds of the CPU per byte (upgrade-benchmarks'
     * README).
     */
    static final int STREAM_WINDOW = 256 * 1024;
    /**
     * The connection's receive window: what Jetty holds at most for one connection's streams that are not
     * read, 8 MiB. Thirty-two streams whose upstreams stop reading use it up, and the connection's other
     * streams then wait too; a browser's connection has a few WebSockets at most.
     */
    static final int CONNECTION_WINDOW = 32 * STREAM_WINDOW;

    private final Server server;
    private final Adopting connector;

    /**
     * Starts Jetty's side.
     *
     * @param streams makes the listener of each new stream
     * @param extendedConnect whether to advertise RFC 8441's extended CONNECT
     * @param keepAlive how long a connection without streams stays open
     */
    H2Front(Streams streams, boolean extendedConnect, Duration keepAlive, String name) throws IOException {
        QueuedThreadPool threads = new QueuedThreadPool(64, 2);
        threads.setName(name);
        threads.setDaemon(true);
        this.server = new Server(threads);
        Factory h2 = new Factory(streams);
        h2.setConnectProtocolEnabled(extendedConnect);
        h2.setMaxConcurrentStreams(MAX_STREAMS);
        h2.setInitialStreamRecvWindow(STREAM_WINDOW);
        h2.setInitialSessionRecvWindow(CONNECTION_WINDOW);
        this.connector = new Adopting(server, h2);
        connector.setIdleTimeout(keepAlive.toMillis());
        server.addConnector(connector);
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw new IOException("could not start the HTTP/2 side: " + e, e);
        }
    }

    /** What the proxy does with each new stream. */
    interface Streams {
        /**
         * Called on a Jetty thread, which must not block: returns the stream's listener, and hands the
         * work to a thread of the proxy's.
         *
         * @param client the connection the stream came on
         */
        Stream.Listener onNewStream(H2Exchange.Client client, Stream stream, HeadersFrame frame);

        /**
         * Called on a Jetty thread, which must not block, for a request Jetty found malformed while decoding
         * it (a connection-specific field, {@code TE} other than {@code trailers}, a missing pseudo-header):
         * the stream is open and has no listener; it must be answered or reset.
         */
        void onMalformed(H2Exchange.Client client, Stream stream, Throwable failure);
    }

    /**
     * Takes over a client connection whose TLS handshake chose {@code h2}: the channel (non-blocking, no
     * longer on the client loop's selector), its engine, and the ciphertext read past the handshake.
     */
    void adopt(SocketChannel channel, SSLEngine engine, ByteBuffer ciphertext) {
        connector.manager.accept(channel, new Handoff(engine, ciphertext));
    }

    /**
     * Tells every HTTP/2 client to open no more streams (GOAWAY, graceful); the streams that run, tunnels
     * included, go on until they end or the relay's drain closes them.
     */
    void goAway() {
        for (EndPoint endPoint : connector.getConnectedEndPoints()) {
            if (endPoint.getConnection() instanceof SslConnection tls
                    && tls.getSslEndPoint().getConnection() instanceof HTTP2Connection http2) {
                http2.getSession().shutdown();
            }
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // stopping is best effort: the process may be exiting
        }
    }

    /**
     * The adopted channel's end point: its first fills return the records the client loop read past the
     * handshake, then the socket's. Jetty fills until a fill returns 0, so none is left waiting for the
     * socket to become readable again.
     */
    private static final class Resumed extends SocketChannelEndPoint {
        private ByteBuffer unread;

        Resumed(SocketChannel channel, ManagedSelector selector, SelectionKey key,
                org.eclipse.jetty.util.thread.Scheduler scheduler, ByteBuffer unread) {
            super(channel, selector, key, scheduler);
            this.unread = unread;
        }

        @Override
        public int fill(ByteBuffer buffer) throws IOException {
            if (unread.hasRemaining()) {
                int n = org.eclipse.jetty.util.BufferUtil.append(buffer, unread);
                if (n > 0) {
                    notIdle();
                    return n;
                }
            }
            return super.fill(buffer);
        }
    }

    private record Handoff(SSLEngine engine, ByteBuffer ciphertext) {
        Handoff {
            Objects.requireNonNull(engine, "engine");
        }
    }

    /** Jetty's HTTP/2 connections, each with a listener that knows its client. */
    private static final class Factory extends RawHTTP2ServerConnectionFactory {
        private final Streams streams;

        Factory(Streams streams) {
            super(new HttpConfiguration(), new ServerSessionListener() {});
            this.streams = streams;
        }

        @Override
        protected ServerSessionListener newSessionListener(Connector connector, EndPoint endPoint) {
            return new Sessions(streams, client(endPoint), newSettings());
        }

        private static H2Exchange.Client client(EndPoint endPoint) {
            String peer = "?";
            if (endPoint.getRemoteSocketAddress() instanceof InetSocketAddress remote) {
                peer = remote.getAddress().getHostAddress() + ":" + remote.getPort();
            }
            String security = "TLS";
            if (endPoint instanceof SslConnection.SslEndPoint tls) {
                SSLSession session = tls.getSslConnection().getSSLEngine().getSession();
                security = session.getProtocol() + " " + session.getCipherSuite();
            }
            return new H2Exchange.Client(peer, security);
        }
    }

    /**
     * One connection's listener: the settings to announce, and each new stream to {@link Streams}. Keeps a
     * connection with streams open past the idle timeout; one without any closes.
     */
    private record Sessions(Streams streams, H2Exchange.Client client, Map<Integer, Integer> settings)
            implements HTTP2ServerSession.Listener {
        /**
         * Jetty's server session calls this (its own HTTP handling answers 400 here) for a request whose
         * head it rejected; without it the stream would stay open, unanswered, until its idle timeout.
         */
        @Override
        public void onStreamFailure(Stream stream, Throwable failure, Callback callback) {
            streams.onMalformed(client, stream, failure);
            callback.succeeded();
        }

        @Override
        public Map<Integer, Integer> onPreface(Session session) {
            return settings;
        }

        /**
         * Keeps extended CONNECT on after the client's SETTINGS: Jetty 12.1 takes a client's
         * {@code SETTINGS_ENABLE_CONNECT_PROTOCOL = 0} (which speaks only of the client, and which hyper-h2 and
         * others send) as switching off the server's own, and would then reset every WebSocket stream.
         */
        @Override
        public void onSettings(Session session, SettingsFrame frame) {
            if (Integer.valueOf(1).equals(settings.get(SettingsFrame.ENABLE_CONNECT_PROTOCOL))
                    && session instanceof HTTP2Session http2) {
                http2.setConnectProtocolEnabled(true);
            }
        }

        @Override
        public Stream.Listener onNewStream(Stream stream, HeadersFrame frame) {
            return streams.onNewStream(client, stream, frame);
        }

        @Override
        public boolean onIdleTimeout(Session session) {
            return session.getStreams().isEmpty();
        }
    }

    /**
     * A Jetty connector that accepts nothing itself: connections come from {@link #adopt}, each with its
     * TLS state, and get a {@link SslConnection} over the given engine with an HTTP/2 connection above it.
     */
    private static final class Adopting extends AbstractConnector {
        private final Factory h2;
        private final Manager manager;

        Adopting(Server server, Factory h2) {
            super(server, null, null, null, 0, h2);
            this.h2 = h2;
            this.manager = new Manager(getExecutor(), getScheduler());
            installBean(manager, true);
        }

        @Override
        protected void accept(int acceptorId) {
            throw new UnsupportedOperationException("connections are adopted, never accepted");
        }

        @Override
        public Object getTransport() {
            return this;
        }

        private final class Manager extends SelectorManager {
            Manager(Executor executor, org.eclipse.jetty.util.thread.Scheduler scheduler) {
                super(executor, scheduler, 1);
            }

            @Override
            protected EndPoint newEndPoint(SelectableChannel channel, ManagedSelector selector, SelectionKey key) {
                Resumed endPoint = new Resumed((SocketChannel) channel, selector, key, getScheduler(),
                        ((Handoff) key.attachment()).ciphertext());
                endPoint.setIdleTimeout(getIdleTimeout());
                return endPoint;
            }

            @Override
            public Connection newConnection(SelectableChannel channel, EndPoint endPoint, Object attachment) {
                Handoff handoff = (Handoff) attachment;
                SslConnection tls = new SslConnection(getByteBufferPool(), getExecutor(), null, endPoint, handoff.engine());
                tls.setRenegotiationAllowed(false);
                EndPoint decrypted = tls.getSslEndPoint();
                decrypted.setConnection(h2.newConnection(Adopting.this, decrypted));
                return tls;
            }

            @Override
            public void connectionOpened(Connection connection, Object context) {
                super.connectionOpened(connection, context);
                onEndPointOpened(connection.getEndPoint());
            }

            @Override
            public void connectionClosed(Connection connection, Throwable cause) {
                onEndPointClosed(connection.getEndPoint());
                super.connectionClosed(connection, cause);
            }
        }
    }
}
