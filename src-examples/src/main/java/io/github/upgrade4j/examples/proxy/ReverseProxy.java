package io.github.upgrade4j.examples.proxy;

import io.github.upgrade4j.examples.support.Conn;
import io.github.upgrade4j.examples.support.ErrorAnswers;
import io.github.upgrade4j.hop.ForwardedFields;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.hop.UnderscoreAction;
import io.github.upgrade4j.tunnel.CloseHook;
import io.github.upgrade4j.tunnel.RelayOptions;
import io.github.upgrade4j.tunnel.RelayPath;
import io.github.upgrade4j.tunnel.TunnelRelay;
import io.github.upgrade4j.upgrade.Protocol;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * A real HTTP/1.1 reverse proxy built only on {@code upgrade-core}: every request goes to one
 * upstream over HTTP/1.1 with the hop-by-hop policy applied both ways and {@code X-Forwarded-*} and
 * {@code Via} added after stripping; WebSocket upgrades (and those of any other protocol
 * {@link Config#upgrades()} allows, such as {@code TLS/1.2} for IPP printers, RFC 2817) go through
 * {@link ProxyUpgrade}, and a valid 101 hands both connections, with the bytes read past the heads, to a
 * {@link TunnelRelay}.
 *
 * <p>Threads: a client waiting for its head costs none. One selector thread ({@link ClientLoop}) accepts,
 * runs TLS handshakes and collects heads, with a header timeout and a keep-alive timeout; a complete head
 * goes to one of at most {@link HttpLimits#maxHandshakes()} workers, which forwards it with blocking I/O
 * (short code, read top to bottom) and gives a persisting connection back to the loop; tunnels cost no
 * thread. An accept that fails for want of descriptors pauses accepting instead of ending it. Answers: 400/426 for refused requests, 502 for an invalid upstream answer,
 * 503 when the tunnel limit is reached (before any 101), 504 when the upstream does not answer within
 * the handshake timeout. A connection whose upgrade was refused or answered plainly is closed after
 * the answer, so bytes the client pipelined after it are never read as a request. The bodies of its
 * own 5xx answers are generic, and every answer carries the request's {@code X-Request-Id} (sent to
 * the upstream too, and at the start of the log line, where the details are): see {@link ErrorAnswers}.
 *
 * <p>It answers in its own version, HTTP/1.1, whatever the upstream's (RFC 9110 §6.2): a body an
 * HTTP/1.0 upstream ends by closing goes to an HTTP/1.1 client chunked, and to an HTTP/1.0 client
 * until the proxy closes; an HTTP/1.0 client gets no 1xx, and its connection closes after each answer,
 * as a proxy ignores its {@code keep-alive} (RFC 9112 §9.3).
 *
 * <p>TLS, either way or both ({@link Config#tls()}, {@link Config#upstreamTls()}): the HTTP phase runs
 * over an {@link javax.net.ssl.SSLEngine} on the blocking channel ({@link TlsConn}), and the same
 * engine and channel go to the relay with what was read past the heads, decrypted or not. ALPN offers
 * {@code http/1.1} only; {@code X-Forwarded-Proto} says {@code https} for TLS clients.
 */
public final class ReverseProxy implements AutoCloseable {
    /**
     * The proxy's settings.
     *
     * @param listen where to accept clients
     * @param upstream where to send requests
     * @param idleTimeout the tunnel idle timeout (nginx's {@code proxy_read_timeout}); ZERO for none
     * @param maxTunnels the most concurrent tunnels
     * @param handshakeTimeout how long to wait for the upstream's answer head (separate from tunnel
     *     idleness), for a client's whole TLS handshake, and for each step of one toward the upstream
     * @param tls the key and certificate to listen with TLS ({@code wss}); empty for plain TCP
     * @param upstreamTls whom to trust to speak TLS to the upstream; empty for plain TCP
     * @param underscoredAliases what to do with a request field whose name reads as a protected one with
     *     {@code _} as {@code -} ({@link HopByHopPolicy.Builder#underscoredAliases})
     * @param http how long clients may take over their heads and keep idle connections, and how many
     *     requests are served at once
     * @param upgrades the protocols whose offers are forwarded ({@link ProxyUpgrade.Builder#allow}); by
     *     default {@code websocket} alone
     * @param http2 whether TLS clients may choose HTTP/2 by ALPN ({@code h2}, then {@code http/1.1}), with
     *     WebSockets over HTTP/2 (RFC 8441) when {@code websocket} is among {@code upgrades}; needs {@code tls}
     */
    public record Config(InetSocketAddress listen, InetSocketAddress upstream, Duration idleTimeout, int maxTunnels,
            Duration handshakeTimeout, Optional<SSLContext> tls, Optional<SSLContext> upstreamTls,
            UnderscoreAction underscoredAliases, HttpLimits http, List<Protocol> upgrades, boolean http2) {
        public Config {
            Objects.requireNonNull(listen, "listen");
            Objects.requireNonNull(upstream, "upstream");
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(upstreamTls, "upstreamTls");
            Objects.requireNonNull(underscoredAliases, "underscoredAliases");
            Objects.requireNonNull(http, "http");
            upgrades = List.copyOf(upgrades);
            if (http2 && tls.isEmpty()) {
                throw new IllegalArgumentException("expected TLS for clients with HTTP/2 on: browsers speak HTTP/2"
                        + " over TLS only, chosen by ALPN");
            }
        }

        /** HTTP/2 off. */
        public Config(InetSocketAddress listen, InetSocketAddress upstream, Duration idleTimeout, int maxTunnels,
                Duration handshakeTimeout, Optional<SSLContext> tls, Optional<SSLContext> upstreamTls,
                UnderscoreAction underscoredAliases, HttpLimits http, List<Protocol> upgrades) {
            this(listen, upstream, idleTimeout, maxTunnels, handshakeTimeout, tls, upstreamTls, underscoredAliases,
                    http, upgrades, false);
        }

        /**
         * Plain TCP both ways; underscored aliases dropped; {@link HttpLimits#standard()}; WebSocket the only
         * upgrade forwarded.
         */
        public Config(InetSocketAddress listen, InetSocketAddress upstream, Duration idleTimeout, int maxTunnels,
                Duration handshakeTimeout) {
            this(listen, upstream, idleTimeout, maxTunnels, handshakeTimeout, Optional.empty(), Optional.empty(),
                    UnderscoreAction.DROP, HttpLimits.standard(), List.of(Protocol.WEBSOCKET));
        }

        /** A copy that listens with TLS, presenting {@code context}'s key. */
        public Config withTls(SSLContext context) {
            return new Config(listen, upstream, idleTimeout, maxTunnels, handshakeTimeout, Optional.of(context),
                    upstreamTls, underscoredAliases, http, upgrades, http2);
        }

        /** A copy that speaks TLS to the upstream, trusting what {@code context} trusts. */
        public Config withUpstreamTls(SSLContext context) {
            return new Config(listen, upstream, idleTimeout, maxTunnels, handshakeTimeout, tls,
                    Optional.of(context), underscoredAliases, http, upgrades, http2);
        }

        /** A copy that treats underscored aliases of protected fields with {@code action}. */
        public Config withUnderscoredAliases(UnderscoreAction action) {
            return new Config(listen, upstream, idleTimeout, maxTunnels, handshakeTimeout, tls, upstreamTls, action,
                    http, upgrades, http2);
        }

        /** A copy with other HTTP-phase limits. */
        public Config withHttp(HttpLimits limits) {
            return new Config(listen, upstream, idleTimeout, maxTunnels, handshakeTimeout, tls, upstreamTls,
                    underscoredAliases, limits, upgrades, http2);
        }

        /**
         * A copy that forwards offers of {@code protocols} instead, e.g. {@code websocket} and {@code TLS/1.2}
         * (RFC 2817, for IPP printers); none forwards no upgrade at all. The list is copied.
         */
        public Config withUpgrades(List<Protocol> protocols) {
            return new Config(listen, upstream, idleTimeout, maxTunnels, handshakeTimeout, tls, upstreamTls,
                    underscoredAliases, http, protocols, http2);
        }

        /**
         * A copy that lets TLS clients choose HTTP/2 ({@code h2} by ALPN): requests over HTTP/2 go to the
         * upstream over HTTP/1.1, and WebSockets opened with an extended CONNECT (RFC 8441) are tunnelled on
         * their streams. Needs {@link #withTls}.
         */
        public Config withHttp2() {
            return new Config(listen, upstream, idleTimeout, maxTunnels, handshakeTimeout, tls, upstreamTls,
                    underscoredAliases, http, upgrades, true);
        }
    }

    private final Config config;
    private final PrintStream log;
    private final ServerSocketChannel server;
    private final TunnelRelay relay;
    private final ProxyUpgrade proxy;
    private final ThreadPoolExecutor workers;
    private final ClientLoop clients;
    private final Set<Conn> working = ConcurrentHashMap.newKeySet();
    private final ProxyMetrics metrics;
    /**
     * The relay of the WebSockets on HTTP/2 streams, a second {@link TunnelRelay} whose client sides are
     * {@link io.github.upgrade4j.tunnel.Conduit}s, and Jetty's side of HTTP/2; both null with HTTP/2 off.
     */
    private final @Nullable TunnelRelay http2Tunnels;
    private final @Nullable H2Front http2;
    private volatile boolean draining;

    private ReverseProxy(Config config, RelayOptions base, PrintStream log, ProxyMetrics metrics) throws IOException {
        this.config = config;
        this.log = log;
        this.metrics = metrics;
        HopByHopPolicy policy = HopByHopPolicy.builder().underscoredAliases(config.underscoredAliases()).build();
        this.proxy = ProxyUpgrade.builder().policy(policy)
                .allow(config.upgrades().stream().map(Protocol::toString).toArray(String[]::new)).build();
        RelayOptions options = base.toBuilder()
                .idleTimeout(config.idleTimeout())
                .maxTunnels(config.maxTunnels())
                .closeHook(CloseHook.webSocketGoingAway()).build();
        this.relay = TunnelRelay.start(options);
        this.server = ServerSocketChannel.open();
        try {
            server.bind(config.listen(), 1024);
        } catch (IOException e) {
            server.close();
            relay.close();
            throw e;
        }
        String port = Integer.toString(((InetSocketAddress) server.getLocalAddress()).getPort());
        // Made when every worker is busy, gone after a minute idle; as many complete heads again may wait for
        // one. Beyond that the client loop answers 503.
        this.workers = Workers.start(config.http().maxHandshakes(), "proxy-worker-" + port);
        if (config.http2()) {
            RelayOptions overHttp2 = options.listener() == metrics // the proxy's meters: path="h2" for these
                    ? options.toBuilder().listener(metrics.overHttp2()).build() : options;
            this.http2Tunnels = TunnelRelay.start(overHttp2);
            H2Exchange.Context context = new H2Exchange.Context(config, policy, proxy, http2Tunnels, log, metrics,
                    ForwardedFields.builder().proto("https").via("upgrade4j").build());
            this.http2 = new H2Front(new H2Front.Streams() {
                @Override
                public Stream.Listener onNewStream(H2Exchange.Client client, Stream stream, HeadersFrame frame) {
                    return ReverseProxy.this.onNewStream(context, client, stream, frame);
                }

                @Override
                public void onMalformed(H2Exchange.Client client, Stream stream, Throwable failure) {
                    H2StreamIo io = new H2StreamIo(stream);
                    ((org.eclipse.jetty.http2.HTTP2Stream) stream).setListener(io); // so that resets and failures reach it
                    Throwable cause = failure.getCause() != null ? failure.getCause() : failure; // Jetty's words
                    execute(H2Exchange.malformed(context, client, io, cause.getMessage()), client, stream);
                }
            }, config.upgrades().contains(Protocol.WEBSOCKET), config.http().keepAliveTimeout(), "proxy-h2-" + port);
        } else {
            this.http2Tunnels = null;
            this.http2 = null;
        }
        this.clients = new ClientLoop(server, config.tls().orElse(null), config.handshakeTimeout(), config.http(), log,
                metrics, this::dispatch, http2);
    }

    /** A new HTTP/2 stream, on a Jetty thread: its work goes to a worker; refused when every worker is busy. */
    private Stream.Listener onNewStream(H2Exchange.Context context, H2Exchange.Client client, Stream stream,
            HeadersFrame frame) {
        H2StreamIo io = new H2StreamIo(stream);
        if (!(frame.getMetaData() instanceof MetaData.Request request)) {
            stream.reset(new ResetFrame(stream.getId(), ErrorCode.PROTOCOL_ERROR.code), Callback.NOOP);
            return io;
        }
        execute(new H2Exchange(context, client, io, request, !frame.isEndStream()), client, stream);
        return io;
    }

    /** Runs a stream's work on a worker; refuses the stream (the client may retry it) when every worker is busy. */
    private void execute(Runnable work, H2Exchange.Client client, Stream stream) {
        try {
            workers.execute(work);
        } catch (RejectedExecutionException e) {
            log.println(client.peer() + " h2 stream " + stream.getId() + " refused: every worker is busy");
            stream.reset(new ResetFrame(stream.getId(), ErrorCode.REFUSED_STREAM_ERROR.code), Callback.NOOP);
        }
    }

    /**
     * Starts the proxy with {@link RelayOptions#standard()} as its relay's base settings; see
     * {@link #start(Config, RelayOptions, PrintStream)}.
     */
    public static ReverseProxy start(Config config, PrintStream log) throws IOException {
        return start(config, RelayOptions.standard(), log);
    }

    /**
     * Starts the proxy; it prints {@code listening on HOST:PORT} once it accepts connections.
     *
     * @param config the proxy's settings
     * @param base the relay's settings apart from three the proxy sets over them: the idle timeout and
     *     the tunnel limit, from {@code config}, and the close hook, always
     *     {@link CloseHook#webSocketGoingAway()}: the relay has one hook for all its tunnels, so a tunnel of
     *     another protocol {@link Config#upgrades()} allows (the end-to-end TLS after {@code TLS/1.2}) gets
     *     the Close frame too when a drain's grace ends, which its peers read as a broken record as they
     *     are closed. The rest (event
     *     loops, buffer size and budget, send-stall, half-closed and lifetime timeouts,
     *     {@code TCP_NODELAY}, {@code SO_KEEPALIVE}) is {@code base}'s.
     * @param log where the proxy writes its log lines
     */
    public static ReverseProxy start(Config config, RelayOptions base, PrintStream log) throws IOException {
        return start(config, Objects.requireNonNull(base, "base"), log, ProxyMetrics.none());
    }

    /**
     * Starts the proxy as {@link #start(Config, RelayOptions, PrintStream)} does, with its meters in
     * {@code meters}: the tunnels, counted by a {@link io.github.upgrade4j.tunnel.RelayListener} that
     * replaces {@code base}'s, and the answers to upgrade requests. With a {@code PrometheusMeterRegistry}
     * they read {@code upgrade4j_tunnels_active}, {@code upgrade4j_handshake_duration_seconds} and so on
     * ({@code proxy --help} lists them). One proxy per registry: a second one's counters would add to the
     * first's, and its gauges would not be registered.
     */
    public static ReverseProxy start(Config config, RelayOptions base, PrintStream log, MeterRegistry meters)
            throws IOException {
        ProxyMetrics metrics = ProxyMetrics.of(Objects.requireNonNull(meters, "meters"));
        return start(config, base.toBuilder().listener(metrics).build(), log, metrics);
    }

    private static ReverseProxy start(Config config, RelayOptions base, PrintStream log, ProxyMetrics metrics)
            throws IOException {
        ReverseProxy proxy = new ReverseProxy(config, base, log, metrics);
        proxy.clients.start();
        InetSocketAddress bound = proxy.address();
        log.println("listening on " + bound.getAddress().getHostAddress() + ":" + bound.getPort());
        log.println("relay: " + describe(proxy.relay));
        if (config.tls().isPresent() || config.upstreamTls().isPresent()) {
            log.println("TLS: " + (config.tls().isPresent() ? "clients (wss, https)" : "no TLS for clients")
                    + "; " + (config.upstreamTls().isPresent() ? "TLS to the upstream" : "plain TCP to the upstream")
                    + "; ALPN " + (config.http2() ? "h2, http/1.1" : "http/1.1"));
        }
        return proxy;
    }

    /** How the relay moves bytes, and why it copies where it could have spliced. */
    private static String describe(TunnelRelay relay) {
        if (relay.path() == RelayPath.SPLICE) {
            return "splice (splice(2) moves plain bytes socket to socket; TLS connections are copied)";
        }
        if (relay.options().relayPath() == RelayPath.COPY) {
            return "copy (as asked)";
        }
        return "copy (" + TunnelRelay.spliceUnavailable().orElse("splicing unavailable") + ")";
    }

    /** The address clients connect to. */
    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    /** The relay, for its statistics. */
    public TunnelRelay relay() {
        return relay;
    }

    /**
     * The relay of the WebSockets on HTTP/2 streams (RFC 8441), for its statistics; the tunnels of HTTP/1.1
     * clients are {@link #relay()}'s. Each has its own {@link Config#maxTunnels()}, event loops and buffers.
     *
     * @throws IllegalStateException if HTTP/2 is off
     */
    public TunnelRelay http2Relay() {
        if (http2Tunnels == null) {
            throw new IllegalStateException("expected HTTP/2 on (Config.withHttp2) but it is off");
        }
        return http2Tunnels;
    }

    /**
     * Stops accepting (and tells HTTP/2 clients to open no more streams), lets tunnels run for {@code grace},
     * then closes them with a WebSocket Close 1001; completes when every tunnel is closed.
     */
    public CompletableFuture<Void> drain(Duration grace) {
        draining = true;
        clients.stopAccepting();
        if (http2 != null) {
            http2.goAway();
        }
        return http2Tunnels == null ? relay.drain(grace)
                : CompletableFuture.allOf(relay.drain(grace), http2Tunnels.drain(grace));
    }

    @Override
    public void close() {
        draining = true;
        clients.close();
        working.forEach(Conn::closeNow);
        workers.shutdownNow();
        relay.close();
        if (http2Tunnels != null) {
            http2Tunnels.close();
        }
        if (http2 != null) {
            http2.close();
        }
    }

    /** Gives a connection whose head is complete to a worker; false when every worker is busy and the queue full. */
    private boolean dispatch(WaitingClient client) {
        try {
            workers.execute(() -> serve(client));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * Serves one request of a client connection on a worker: blocking I/O from the complete head to the
     * end of the answer (or the tunnel's opening). A connection that persists goes back to the client loop
     * with what the client sent past the request; its exchange keeps the upstream connection.
     */
    private void serve(WaitingClient waiting) {
        Conn client = null;
        ProxyExchange exchange = waiting.exchange != null ? waiting.exchange
                : new ProxyExchange(waiting.peer, config, proxy, relay, log, metrics);
        boolean parked = false;
        try {
            waiting.channel.configureBlocking(true);
            while (waiting.pendingOut.hasRemaining()) {
                waiting.channel.write(waiting.pendingOut); // handshake records the loop could not send yet
            }
            client = Conn.resume(waiting.channel, waiting.engine, waiting.takePlaintext(), waiting.ciphertext);
            working.add(client);
            client.readTimeout(config.http().headerTimeout()); // a request body that stalls this long ends it
            if (exchange.next(client, waiting.headArrived) && !draining) {
                waiting.exchange = exchange;
                waiting.received(client.unread());
                waiting.ciphertext = client.unreadCiphertext();
                waiting.channel.configureBlocking(false);
                parked = true;
                clients.park(waiting);
            }
        } catch (SocketTimeoutException e) {
            log.println(waiting.peer + " closed: the request body stalled for "
                    + config.http().headerTimeout().toSeconds() + " s");
        } catch (IOException e) {
            log.println(waiting.peer + " closed: " + e.getMessage());
        } finally {
            if (client != null) {
                working.remove(client);
            }
            if (!parked && !exchange.tunnelled()) {
                if (client != null) {
                    client.close();
                } else {
                    ClientLoop.closeQuietly(waiting.channel);
                }
                exchange.closeUpstream();
            }
        }
    }


    /** Waits for a drain to finish, at most {@code timeout}. */
    public static void await(CompletableFuture<Void> drained, Duration timeout) {
        try {
            drained.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // the process is exiting anyway; whatever is left is closed with it
        }
    }
}
