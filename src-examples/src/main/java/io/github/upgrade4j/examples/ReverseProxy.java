package io.github.upgrade4j.examples;

import io.github.upgrade4j.hop.ForwardedFields;
import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.hop.Persistence;
import io.github.upgrade4j.hop.UnderscoreAction;
import io.github.upgrade4j.http.BodyFraming;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.tunnel.CloseHook;
import io.github.upgrade4j.tunnel.Opening;
import io.github.upgrade4j.tunnel.RelayOptions;
import io.github.upgrade4j.tunnel.RelayPath;
import io.github.upgrade4j.tunnel.TunnelRelay;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeReason;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A real HTTP/1.1 reverse proxy built only on {@code upgrade-core}: every request goes to one
 * upstream over HTTP/1.1 with the hop-by-hop policy applied both ways and {@code X-Forwarded-*} and
 * {@code Via} added after stripping; WebSocket upgrades go through {@link ProxyUpgrade}, and a valid
 * 101 hands both connections, with the bytes read past the heads, to a {@link TunnelRelay}.
 *
 * <p>The HTTP phase uses one blocking thread per client connection, which keeps this example short;
 * tunnels cost no thread. Answers: 400/426 for refused requests, 502 for an invalid upstream answer,
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
final class ReverseProxy implements AutoCloseable {
    /**
     * The proxy's settings.
     *
     * @param listen where to accept clients
     * @param upstream where to send requests
     * @param idleTimeout the tunnel idle timeout (nginx's {@code proxy_read_timeout}); ZERO for none
     * @param maxTunnels the most concurrent tunnels
     * @param handshakeTimeout how long to wait for the upstream's answer head (separate from tunnel
     *     idleness), and for each step of a TLS handshake
     * @param tls the key and certificate to listen with TLS ({@code wss}); empty for plain TCP
     * @param upstreamTls whom to trust to speak TLS to the upstream; empty for plain TCP
     * @param underscoredAliases what to do with a request field whose name reads as a protected one with
     *     {@code _} as {@code -} ({@link HopByHopPolicy.Builder#underscoredAliases})
     */
    record Config(InetSocketAddress listen, InetSocketAddress upstream, Duration idleTimeout, int maxTunnels,
            Duration handshakeTimeout, Optional<SSLContext> tls, Optional<SSLContext> upstreamTls,
            UnderscoreAction underscoredAliases) {
        Config {
            Objects.requireNonNull(listen, "listen");
            Objects.requireNonNull(upstream, "upstream");
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(upstreamTls, "upstreamTls");
            Objects.requireNonNull(underscoredAliases, "underscoredAliases");
        }

        /** Plain TCP both ways; underscored aliases dropped. */
        Config(InetSocketAddress listen, InetSocketAddress upstream, Duration idleTimeout, int maxTunnels,
                Duration handshakeTimeout) {
            this(listen, upstream, idleTimeout, maxTunnels, handshakeTimeout, Optional.empty(), Optional.empty(),
                    UnderscoreAction.DROP);
        }

        /** A copy that listens with TLS, presenting {@code context}'s key. */
        Config withTls(SSLContext context) {
            return new Config(listen, upstream, idleTimeout, maxTunnels, handshakeTimeout, Optional.of(context),
                    upstreamTls, underscoredAliases);
        }

        /** A copy that speaks TLS to the upstream, trusting what {@code context} trusts. */
        Config withUpstreamTls(SSLContext context) {
            return new Config(listen, upstream, idleTimeout, maxTunnels, handshakeTimeout, tls,
                    Optional.of(context), underscoredAliases);
        }

        /** A copy that treats underscored aliases of protected fields with {@code action}. */
        Config withUnderscoredAliases(UnderscoreAction action) {
            return new Config(listen, upstream, idleTimeout, maxTunnels, handshakeTimeout, tls, upstreamTls, action);
        }
    }

    private static final Duration CLIENT_KEEP_ALIVE = Duration.ofSeconds(75);
    /** Tells the client why its upgrade offer was not passed on. */
    private static final HeaderName NOT_FORWARDED = HeaderName.of("X-Upgrade-Not-Forwarded");
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private final Config config;
    private final PrintStream log;
    private final ServerSocketChannel server;
    private final TunnelRelay relay;
    private final ProxyUpgrade proxy;
    private final Set<Conn> live = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean draining;

    private ReverseProxy(Config config, RelayOptions base, PrintStream log) throws IOException {
        this.config = config;
        this.log = log;
        this.proxy = ProxyUpgrade.builder().policy(HopByHopPolicy.builder()
                .underscoredAliases(config.underscoredAliases()).build()).build();
        this.relay = TunnelRelay.start(base.toBuilder()
                .idleTimeout(config.idleTimeout())
                .maxTunnels(config.maxTunnels())
                .closeHook(CloseHook.webSocketGoingAway()).build());
        this.server = ServerSocketChannel.open().bind(config.listen());
        this.acceptor = new Thread(this::acceptLoop, "proxy-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Starts the proxy with {@link RelayOptions#standard()} as its relay's base settings; see
     * {@link #start(Config, RelayOptions, PrintStream)}.
     */
    static ReverseProxy start(Config config, PrintStream log) throws IOException {
        return start(config, RelayOptions.standard(), log);
    }

    /**
     * Starts the proxy; it prints {@code listening on HOST:PORT} once it accepts connections.
     *
     * @param config the proxy's settings
     * @param base the relay's settings apart from three the proxy sets over them: the idle timeout and
     *     the tunnel limit, from {@code config}, and the close hook, always
     *     {@link CloseHook#webSocketGoingAway()} since every tunnel here is a WebSocket. The rest (event
     *     loops, buffer size and budget, send-stall, half-closed and lifetime timeouts,
     *     {@code TCP_NODELAY}, {@code SO_KEEPALIVE}) is {@code base}'s.
     * @param log where the proxy writes its log lines
     */
    static ReverseProxy start(Config config, RelayOptions base, PrintStream log) throws IOException {
        ReverseProxy proxy = new ReverseProxy(config, Objects.requireNonNull(base, "base"), log);
        proxy.acceptor.start();
        InetSocketAddress bound = proxy.address();
        log.println("listening on " + bound.getAddress().getHostAddress() + ":" + bound.getPort());
        log.println("relay: " + describe(proxy.relay));
        if (config.tls().isPresent() || config.upstreamTls().isPresent()) {
            log.println("TLS: " + (config.tls().isPresent() ? "clients (wss, https)" : "no TLS for clients")
                    + "; " + (config.upstreamTls().isPresent() ? "TLS to the upstream" : "plain TCP to the upstream")
                    + "; ALPN http/1.1");
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
    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    /** The relay, for its statistics. */
    TunnelRelay relay() {
        return relay;
    }

    /**
     * Stops accepting, lets tunnels run for {@code grace}, then closes them with a WebSocket Close 1001;
     * completes when every tunnel is closed.
     */
    CompletableFuture<Void> drain(Duration grace) {
        draining = true;
        closeQuietly();
        return relay.drain(grace);
    }

    @Override
    public void close() {
        draining = true;
        closeQuietly();
        live.forEach(Conn::closeNow);
        relay.close();
    }

    private void closeQuietly() {
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private void acceptLoop() {
        while (!draining) {
            try {
                SocketChannel channel = server.accept();
                Thread handler = new Thread(() -> serve(channel), "proxy-conn");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                if (!draining) {
                    log.println("accept failed: " + e.getMessage());
                }
                return;
            }
        }
    }

    /** Serves one client connection until it closes or becomes a tunnel. */
    private void serve(SocketChannel channel) {
        Conn client;
        try {
            client = config.tls().isPresent()
                    ? Conn.acceptTls(channel, config.tls().get(), config.handshakeTimeout())
                    : new Conn(channel);
        } catch (IOException e) {
            if (config.tls().isPresent()) {
                log.println(remote(channel) + " TLS handshake failed: " + e.getMessage());
            }
            closeChannel(channel);
            return;
        }
        live.add(client);
        Exchange exchange = new Exchange(client);
        try {
            client.readTimeout(CLIENT_KEEP_ALIVE);
            while (exchange.next()) {
                // one request and its answer per iteration, while the connection persists
            }
        } catch (SocketTimeoutException e) {
            log.println(client.peer() + " closed: idle between requests for " + CLIENT_KEEP_ALIVE.toSeconds() + " s");
        } catch (IOException e) {
            log.println(client.peer() + " closed: " + e.getMessage());
        } finally {
            live.remove(client);
            if (!exchange.tunnelled) {
                client.close();
                exchange.closeUpstream();
            }
        }
    }

    private static String remote(SocketChannel channel) {
        try {
            InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
            return remote.getAddress().getHostAddress() + ":" + remote.getPort();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static void closeChannel(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** The state of one client connection: its upstream connection, reused while both persist. */
    private final class Exchange {
        private final Conn client;
        private final Http1Parser<RequestHead> requests = Http1Parser.forRequests();
        private Conn upstream;
        private boolean tunnelled;
        /** The request id of the current request: in its answer, toward the upstream and in the log. */
        private String requestId = "-";

        Exchange(Conn client) {
            this.client = client;
        }

        /** Handles one request; returns whether the client connection stays open for another. */
        boolean next() throws IOException {
            ParseResult<RequestHead> parsed = client.readHead(requests);
            if (parsed == null) {
                return false;
            }
            if (parsed instanceof ParseResult.Rejected<RequestHead> rejected) {
                requestId = ErrorAnswers.newId();
                fail(rejected.status(), rejected.problem() + ": " + rejected.detail(), requestId + " " + client.peer());
                return false;
            }
            RequestHead request = ((ParseResult.Complete<RequestHead>) parsed).head();
            requestId = ErrorAnswers.requestId(request.headers());
            String line = requestId + " " + client.peer() + " " + request.method() + " " + request.target();
            BodyFraming framing = BodyFraming.ofRequest(request);
            if (framing instanceof BodyFraming.Invalid invalid) {
                fail(400, invalid.problem() + ": " + invalid.detail(), line);
                return false;
            }
            ProxyUpgrade.Outbound outbound = proxy.towardUpstream(request);
            if (outbound instanceof ProxyUpgrade.Outbound.Refuse refuse) {
                client.write(Http1Writer.toBytes(ErrorAnswers.withRequestId(refuse.response(), requestId)));
                client.write(refuse.body());
                log.println(line + " -> " + refuse.response().status() + " " + refuse.reason() + ": " + refuse.detail());
                return false;
            }
            ProxyUpgrade.Outbound.Forward forward = (ProxyUpgrade.Outbound.Forward) outbound;
            logAliases(forward.stripping(), line);
            RequestHead toUpstream = ForwardedFields.builder(client.peer().substring(0, client.peer().lastIndexOf(':')))
                    .proto(config.tls().isPresent() ? "https" : "http").via("upgrade4j").build()
                    .applyTo(forward.head());
            Headers.Builder upstreamFields = toUpstream.headers().toBuilder().set(ErrorAnswers.REQUEST_ID, requestId);
            if (framing instanceof BodyFraming.Chunked) {
                upstreamFields.add(HeaderName.TRANSFER_ENCODING, "chunked");
            }
            toUpstream = toUpstream.withHeaders(upstreamFields.build());
            boolean hasBody = framing instanceof BodyFraming.Chunked
                    || framing instanceof BodyFraming.FixedLength fixed && fixed.length() > 0;
            if (hasBody && request.headers().hasToken(HeaderName.EXPECT, "100-continue")) {
                client.write(CONTINUE); // answer the expectation here so the body flows at once
                toUpstream = toUpstream.withHeaders(toUpstream.headers().toBuilder().removeAll(HeaderName.EXPECT).build());
            }
            try {
                if (upstream != null && !upstream.reusable()) {
                    closeUpstream(); // the upstream closed it while idle (Node's keepAliveTimeout is 5 s)
                }
                if (upstream == null) {
                    upstream = Conn.connect(config.upstream(), config.handshakeTimeout(),
                            config.upstreamTls().orElse(null));
                }
                upstream.write(Http1Writer.toBytes(toUpstream));
                if (framing instanceof BodyFraming.FixedLength fixed) {
                    Bodies.copyFixed(client, upstream, fixed.length());
                } else if (framing instanceof BodyFraming.Chunked) {
                    Bodies.copyChunked(client, upstream, false);
                }
            } catch (java.net.ProtocolException e) {
                fail(400, "the request body is malformed: " + e.getMessage(), line); // the client's fault
                return false;
            } catch (IOException e) {
                fail(502, "the upstream " + config.upstream() + " could not be reached or stopped reading: "
                        + e.getMessage(), line); // the log names the upstream; the client's answer does not
                return false;
            }
            return relay(request, forward, line);
        }

        /** Reads the upstream's answer(s) and relays them, or opens the tunnel. */
        private boolean relay(RequestHead request, ProxyUpgrade.Outbound.Forward forward, String line) throws IOException {
            Http1Parser<ResponseHead> responses = Http1Parser.forResponses();
            // The handshake timeout bounds the wait for a 101; an ordinary answer may be held back on purpose
            // (a long-poll waits for news), so it gets the idle timeout, as nginx's proxy_read_timeout does.
            Duration wait = forward.attempt().upgrading() ? config.handshakeTimeout() : config.idleTimeout();
            upstream.readTimeout(wait);
            while (true) {
                ParseResult<ResponseHead> parsed;
                try {
                    parsed = upstream.readHead(responses);
                } catch (SocketTimeoutException e) {
                    fail(504, "the upstream did not answer within " + wait.toMillis() + " ms", line);
                    return false;
                } catch (IOException e) {
                    fail(502, "the upstream failed while answering: " + e.getMessage(), line);
                    return false;
                }
                if (parsed == null || parsed instanceof ParseResult.Rejected) {
                    fail(502, parsed == null ? "the upstream closed the connection without answering"
                            : "the upstream's answer is not valid HTTP/1.1: " + ((ParseResult.Rejected<ResponseHead>) parsed).detail(),
                            line);
                    return false;
                }
                ResponseHead response = ((ParseResult.Complete<ResponseHead>) parsed).head();
                ProxyUpgrade.Verdict verdict = proxy.judge(forward.attempt(), response);
                if (verdict instanceof ProxyUpgrade.Verdict.Interim interim) {
                    if (request.version() != HttpVersion.HTTP_1_0) { // no 1xx for HTTP/1.0 (RFC 9110 §15.2)
                        client.write(Http1Writer.toBytes(sentAsOurs(interim.response())));
                    }
                    continue;
                }
                if (verdict instanceof ProxyUpgrade.Verdict.Invalid invalid) {
                    fail(502, invalid.reason() + ": " + invalid.detail(), line);
                    return false;
                }
                if (verdict instanceof ProxyUpgrade.Verdict.Tunnel tunnel) {
                    return openTunnel(tunnel, line);
                }
                return relayPlain(request, forward, response, (ProxyUpgrade.Verdict.Plain) verdict, line);
            }
        }

        private boolean openTunnel(ProxyUpgrade.Verdict.Tunnel tunnel, String line) throws IOException {
            // The 101 travels as the first bytes of the upstream side, so it is written by the relay,
            // before any byte the upstream sent behind it, and only once the tunnel is sure to open.
            byte[] head = Http1Writer.toBytes(ErrorAnswers.withRequestId(tunnel.response(), requestId));
            Opening opening = relay.open(client.endpoint(new byte[0]), upstream.endpoint(head));
            if (opening instanceof Opening.Refused refused) {
                fail(503, refused.reason() + ": " + refused.detail(), line);
                return false;
            }
            tunnelled = true;
            log.println(line + " -> 101 tunnel " + tunnel.protocol() + (config.tls().isPresent()
                    || config.upstreamTls().isPresent() ? " (client " + client.security() + "; upstream "
                    + upstream.security() + ")" : ""));
            // Capture only what the log line needs: the callback lives as long as the tunnel, and holding this
            // Exchange would keep both connections' read buffers alive with it.
            PrintStream out = log;
            ((Opening.Opened) opening).tunnel().outcome().thenAccept(outcome -> out.println(line + " tunnel closed: "
                    + outcome.reason() + ", " + outcome.bytesClientToUpstream() + " B up, "
                    + outcome.bytesUpstreamToClient() + " B down, " + outcome.duration().toMillis() + " ms"
                    + outcome.cause().map(cause -> " (" + cause.getMessage() + ")").orElse("")
                    + (outcome.clientTlsFinWithoutCloseNotify() ? " (the client ended TLS without close_notify)" : "")
                    + (outcome.upstreamTlsFinWithoutCloseNotify() ? " (the upstream ended TLS without close_notify)"
                            : "")));
            return false;
        }

        private boolean relayPlain(RequestHead request, ProxyUpgrade.Outbound.Forward forward, ResponseHead response,
                ProxyUpgrade.Verdict.Plain plain, String line) throws IOException {
            BodyFraming framing = BodyFraming.ofResponse(response, request.method());
            if (framing instanceof BodyFraming.Invalid invalid) {
                fail(502, invalid.problem() + ": " + invalid.detail(), line);
                return false;
            }
            // The client gets an HTTP/1.1 answer whatever the upstream's version (RFC 9110 §6.2): a body that
            // ends with the upstream's close goes to an HTTP/1.1 client chunked, so its connection may persist.
            boolean http10Client = request.version() == HttpVersion.HTTP_1_0;
            boolean untilClose = framing instanceof BodyFraming.UntilClose;
            boolean chunked = framing instanceof BodyFraming.Chunked;
            boolean chunkedToClient = (chunked || untilClose) && !http10Client;
            boolean clientPersists = !plain.closeClient() && Persistence.persists(request, true)
                    && (chunkedToClient || !chunked && !untilClose);
            Headers.Builder headers = plain.response().headers().toBuilder().removeAll(HeaderName.CONNECTION);
            boolean offerDropped = !plain.closeClient() && plain.reason() != UpgradeReason.NOT_OFFERED;
            if (offerDropped) {
                headers.add(NOT_FORWARDED, plain.reason().name()); // visible in a browser's developer tools
            }
            if (chunkedToClient) {
                headers.add(HeaderName.TRANSFER_ENCODING, "chunked");
            }
            if (!clientPersists) { // always for HTTP/1.0 clients: a proxy ignores their keep-alive (RFC 9112 §9.3)
                headers.add(HeaderName.CONNECTION, "close");
            }
            client.write(Http1Writer.toBytes(sentAsOurs(plain.response().withHeaders(headers.build()))));
            long bytes = 0;
            if (framing instanceof BodyFraming.FixedLength fixed) {
                bytes = Bodies.copyFixed(upstream, client, fixed.length());
            } else if (chunked) {
                bytes = Bodies.copyChunked(upstream, client, http10Client);
            } else if (untilClose) {
                upstream.readTimeout(Duration.ZERO);
                bytes = chunkedToClient ? Bodies.copyUntilCloseAsChunks(upstream, client)
                        : Bodies.copyUntilClose(upstream, client);
            }
            log.println(line + " -> " + response.status() + " (" + bytes + " B)" + (plain.closeClient()
                    ? ", upgrade not done: " + plain.reason()
                    : offerDropped ? ", upgrade not forwarded: " + forward.attempt().notForwarded().orElseThrow().message() : ""));
            if (untilClose || !Persistence.persists(response, false)) {
                closeUpstream();
            }
            return clientPersists;
        }

        /**
         * Answers the client with a short plain-text error (generic for a 5xx: see {@link ErrorAnswers})
         * and logs it with its detail; the connection closes after.
         */
        private void fail(int status, String detail, String line) throws IOException {
            log.println(line + " -> " + status + " " + detail); // first: a client that reads the answer finds it logged
            byte[] body = ErrorAnswers.body(status, detail, requestId);
            client.write(Http1Writer.toBytes(ErrorAnswers.head(status, body, requestId)));
            client.write(body);
        }

        /** Notes dropped underscored aliases: a client that sends them may be probing for a spoof. */
        private void logAliases(Forwarding.Forward stripping, String line) {
            for (Forwarding.Removal removal : stripping.removals()) {
                if (removal.cause() == Forwarding.RemovalCause.UNDERSCORED_ALIAS) {
                    log.println(line + " dropped " + removal.field().name() + ": it reads as a protected field with"
                            + " '_' as '-'");
                }
            }
        }

        /** An upstream's answer as this proxy sends it: in its own version, HTTP/1.1, with the request id. */
        private ResponseHead sentAsOurs(ResponseHead response) {
            ResponseHead head = ErrorAnswers.withRequestId(response, requestId);
            return new ResponseHead(HttpVersion.HTTP_1_1, head.status(), head.reason(), head.headers());
        }

        void closeUpstream() {
            if (upstream != null) {
                upstream.close();
                upstream = null;
            }
        }
    }

    /** Waits for a drain to finish, at most {@code timeout}. */
    static void await(CompletableFuture<Void> drained, Duration timeout) {
        try {
            drained.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // the process is exiting anyway; whatever is left is closed with it
        }
    }
}
