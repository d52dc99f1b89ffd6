package io.github.upgrade4j.examples.servlet;

import io.github.upgrade4j.examples.proxy.ReverseProxy;
import io.github.upgrade4j.examples.support.ErrorAnswers;
import io.github.upgrade4j.hop.ForwardedFields;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.tunnel.CloseReason;
import io.github.upgrade4j.tunnel.RelayOptions;
import io.github.upgrade4j.tunnel.StreamRelay;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeAttempt;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An application server as a WebSocket-capable reverse proxy: an embedded Jetty 12 hosting one servlet
 * that forwards every request to one upstream, with upgrade4j deciding what is forwarded.
 *
 * <ul>
 *   <li><b>Plain requests</b> go through the JDK {@link HttpClient} (HTTP/1.1) with the hop-by-hop
 *       policy applied both ways and {@code X-Forwarded-*} and {@code Via} added after stripping; see
 *       {@link ServletPlainExchange} for the fields the client sets itself.
 *   <li><b>WebSocket upgrades</b> are negotiated by {@link ProxyUpgrade} with the upstream over a
 *       socket of their own ({@link ServletUpgradeExchange}); a valid 101 is set on the servlet
 *       response, Jetty hands the client's connection over to a {@link ServletJettyConnection} once
 *       the 101 is written, and a {@link StreamRelay} relays it and the socket, each with the bytes
 *       read past its head. A refused request is answered 400 or 426, an invalid 101 502, and any
 *       other answer is relayed as it is, after which the client connection closes.
 * </ul>
 *
 * <p>Answers of its own: 400 for a request the library refuses, 502 when the upstream cannot be
 * reached or answers badly, 503 when the tunnel limit is reached (before any 101), 504 when the
 * upstream does not answer within the handshake timeout; the bodies of the 5xx answers are generic,
 * and every answer carries the request's {@code X-Request-Id}, which the upstream gets too and the log
 * line starts with (see {@link ServletErrorAnswers}). Interim responses from the upstream before
 * its final answer are dropped: Servlet 6 cannot send them. Compare {@link ReverseProxy}, the same
 * proxy on upgrade4j's own blocking I/O and NIO tunnel relay.
 */
public final class ServletProxy implements AutoCloseable {
    /**
     * The proxy's settings.
     *
     * @param listen where to accept clients
     * @param upstream where to send requests
     * @param idleTimeout the tunnel idle timeout; ZERO for none
     * @param maxTunnels the most concurrent tunnels
     * @param handshakeTimeout how long to wait for the upstream's answer head
     */
    record Config(InetSocketAddress listen, InetSocketAddress upstream, Duration idleTimeout, int maxTunnels,
            Duration handshakeTimeout) {
        Config {
            Objects.requireNonNull(listen, "listen");
            Objects.requireNonNull(upstream, "upstream");
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        }
    }

    private static final ForwardedFields HTTP_FIELDS = ForwardedFields.builder().via("upgrade4j").build();
    private static final ForwardedFields HTTPS_FIELDS = ForwardedFields.builder().proto("https").via("upgrade4j").build();

    private final Config config;
    private final PrintStream log;
    private final ExecutorService tunnelThreads;
    private final StreamRelay relay;
    private final Server server;
    private final ServerConnector connector;

    private ServletProxy(Config config, PrintStream log) {
        this.config = config;
        this.log = log;
        this.tunnelThreads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "servlet-proxy-tunnel");
            thread.setDaemon(true);
            return thread;
        });
        // Each running tunnel holds two small read arrays for its life (StreamRelay's javadoc): the budget
        // grows with the tunnel limit, so that the limit is the only one, and keeps the standard budget for bursts.
        RelayOptions standard = RelayOptions.standard();
        this.relay = StreamRelay.start(tunnelThreads, standard.toBuilder()
                .idleTimeout(config.idleTimeout())
                .maxTunnels(config.maxTunnels())
                .bufferBudgetBytes(standard.bufferBudgetBytes() + 4096L * config.maxTunnels()).build());
        this.server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false); // the upstream's Server and Date fields pass through instead
        http.setSendDateHeader(false);
        this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(config.listen().getHostString());
        connector.setPort(config.listen().getPort());
        // Jetty's idle timeout also covers the upgraded connection: leave idleness to the relay.
        connector.setIdleTimeout(config.idleTimeout().isZero() ? -1 : config.idleTimeout().toMillis() + 10_000);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new ProxyServlet()), "/*");
        server.setHandler(context);
    }

    /** Starts the proxy; it prints {@code listening on HOST:PORT} once it accepts connections. */
    public static ServletProxy start(Config config, PrintStream log) throws IOException {
        ServletProxy proxy = new ServletProxy(config, log);
        try {
            proxy.server.start();
        } catch (Exception e) {
            proxy.close();
            throw new IOException("could not start Jetty on " + config.listen() + ": " + e.getMessage(), e);
        }
        InetSocketAddress bound = proxy.address();
        log.println("listening on " + bound.getAddress().getHostAddress() + ":" + bound.getPort());
        return proxy;
    }

    /** The address clients connect to. */
    public InetSocketAddress address() {
        return new InetSocketAddress(config.listen().getAddress(), connector.getLocalPort());
    }

    /** The stream relay, for its tunnel count. */
    StreamRelay relay() {
        return relay;
    }

    /** Closes every tunnel ({@link CloseReason#SHUTDOWN}), then stops Jetty. */
    @Override
    public void close() {
        relay.close();
        try {
            server.stop();
        } catch (Exception e) {
            log.println("stopping Jetty failed: " + e.getMessage());
        }
        tunnelThreads.shutdown();
    }

    /** The reverse-proxy servlet: one instance, called concurrently by the container's threads. */
    private final class ProxyServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient ProxyUpgrade proxy = ProxyUpgrade.standard();
        private final transient ServletPlainExchange plain = new ServletPlainExchange(config, proxy, log);
        private final transient ServletUpgradeExchange upgrade =
                new ServletUpgradeExchange(config, proxy, relay, connector, log);

        /** Reads the request as a head, lets {@link ProxyUpgrade} decide, and passes it to the matching exchange. */
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String peer = request.getRemoteAddr() + ":" + request.getRemotePort() + " " + request.getMethod() + " "
                    + request.getRequestURI();
            RequestHead head;
            try {
                head = ServletHeads.request(request);
            } catch (IllegalArgumentException e) {
                String id = ErrorAnswers.newId();
                response.setHeader(ErrorAnswers.REQUEST_ID.toString(), id);
                ServletErrorAnswers.fail(response, 400, e.getMessage(), id + " " + peer, log);
                return;
            }
            String id = ErrorAnswers.requestId(head.headers());
            response.setHeader(ErrorAnswers.REQUEST_ID.toString(), id); // an upstream's own id replaces it
            String line = id + " " + peer;
            Outbound outbound = proxy.towardUpstream(head);
            if (outbound instanceof ErrorAnswer refuse) {
                log.println(line + " -> " + refuse.response().status() + " " + refuse.reason() + ": " + refuse.detail());
                ServletHeads.write(refuse.response(), response);
                response.getOutputStream().write(refuse.body());
                return;
            }
            Outbound.Forward forward = (Outbound.Forward) outbound;
            ForwardedFields fields = "https".equals(request.getScheme()) ? HTTPS_FIELDS : HTTP_FIELDS;
            RequestHead toUpstream = head.withHeaders(forward.edit() // one pass: stripping, Connection, Upgrade, ours
                    .forwarded(fields, head, request.getRemoteAddr()).set(ErrorAnswers.REQUEST_ID, id).build());
            if ((forward.attempt() instanceof UpgradeAttempt.Forwarded)) {
                upgrade.forward(request, response, forward, toUpstream, line);
            } else {
                plain.forward(request, response, head, forward, toUpstream, line);
            }
        }
    }
}
