package io.github.upgrade4j.examples.servlet;

import io.github.upgrade4j.examples.proxy.ReverseProxy;
import io.github.upgrade4j.examples.support.ErrorAnswers;
import io.github.upgrade4j.hop.ForwardedFields;
import io.github.upgrade4j.http.BodyFraming;
import io.github.upgrade4j.http.HeaderField;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.tunnel.CloseReason;
import io.github.upgrade4j.tunnel.RelayOptions;
import io.github.upgrade4j.tunnel.StreamEndpoint;
import io.github.upgrade4j.tunnel.StreamRelay;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeAttempt;
import io.github.upgrade4j.upgrade.UpgradeDecision;
import io.github.upgrade4j.upgrade.UpgradeReason;
import io.github.upgrade4j.upgrade.Verdict;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.SequenceInputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An application server as a WebSocket-capable reverse proxy: an embedded Jetty 12 hosting one servlet
 * that forwards every request to one upstream, with upgrade4j deciding what is forwarded.
 *
 * <ul>
 *   <li><b>Plain requests</b> go through the JDK {@link HttpClient} (HTTP/1.1) with the hop-by-hop
 *       policy applied both ways and {@code X-Forwarded-*} and {@code Via} added after stripping. The
 *       client refuses to set {@code Host}, {@code Connection}, {@code Content-Length}, {@code Expect}
 *       and {@code Upgrade} itself: {@code Host} becomes the upstream's address (the original travels
 *       in {@code X-Forwarded-Host}), the client manages its own connections, frames the body from the
 *       length it is given, and the container has already answered {@code Expect: 100-continue};
 *       {@code TE} is not sent either, since the client cannot nominate it in {@code Connection}.
 *   <li><b>WebSocket upgrades</b> are negotiated by {@link ProxyUpgrade} with the upstream over a
 *       socket of their own; a valid 101 is set on the servlet response, Jetty hands the client's
 *       connection over to a {@link ServletJettyConnection} once the 101 is written, and a
 *       {@link StreamRelay} relays it and the socket, each with the bytes read past its head. A
 *       refused request is answered 400 or 426, an invalid 101 502, and any other answer is relayed
 *       as it is, after which the client connection closes.
 * </ul>
 *
 * <p>Answers of its own: 400 for a request the library refuses, 502 when the upstream cannot be
 * reached or answers badly, 503 when the tunnel limit is reached (before any 101), 504 when the
 * upstream does not answer within the handshake timeout; the bodies of the 5xx answers are generic,
 * and every answer carries the request's {@code X-Request-Id}, which the upstream gets too and the log
 * line starts with (see {@link ErrorAnswers}). Interim responses from the upstream before
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

    /** Tells the client why its upgrade offer was not passed on, as {@link ReverseProxy} does. */
    private static final String NOT_FORWARDED = "X-Upgrade-Not-Forwarded";
    /** Fields the JDK HttpClient sets itself and refuses from callers (JDK 12+), plus TE; see the class doc. */
    private static final ForwardedFields HTTP_FIELDS = ForwardedFields.builder().via("upgrade4j").build();
    private static final ForwardedFields HTTPS_FIELDS = ForwardedFields.builder().proto("https").via("upgrade4j").build();
    private static final Set<HeaderName> CLIENT_OWNED = Set.of(HeaderName.HOST, HeaderName.CONNECTION,
            HeaderName.CONTENT_LENGTH, HeaderName.EXPECT, HeaderName.UPGRADE, HeaderName.TE);

    private final Config config;
    private final PrintStream log;
    private final ExecutorService tunnelThreads;
    private final StreamRelay relay;
    private final HttpClient client;
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
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(config.handshakeTimeout()).build();
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
                fail(response, 400, e.getMessage(), id + " " + peer);
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
                upgrade(request, response, forward, toUpstream, line);
            } else {
                forwardPlain(request, response, head, forward, toUpstream, line);
            }
        }

        /** A plain request through the JDK HttpClient. */
        private void forwardPlain(HttpServletRequest request, HttpServletResponse response, RequestHead head,
                Outbound.Forward forward, RequestHead toUpstream, String line) throws IOException {
            BodyFraming framing = BodyFraming.ofRequest(head);
            if (framing instanceof BodyFraming.Invalid invalid) {
                fail(response, 400, invalid.problem() + ": " + invalid.detail(), line);
                return;
            }
            HttpRequest.Builder builder;
            try {
                builder = HttpRequest.newBuilder(URI.create("http://" + authority(config.upstream()) + head.target()))
                        .timeout(config.handshakeTimeout());
                for (HeaderField field : toUpstream.headers()) {
                    if (!CLIENT_OWNED.contains(field.name())) {
                        builder.header(field.name().toString(), field.value());
                    }
                }
                InputStream body = request.getInputStream();
                HttpRequest.BodyPublisher publisher;
                if (framing instanceof BodyFraming.FixedLength fixed && fixed.length() > 0) {
                    publisher = HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(() -> body), fixed.length());
                } else if (framing instanceof BodyFraming.Chunked) {
                    publisher = HttpRequest.BodyPublishers.ofInputStream(() -> body); // sent chunked
                } else {
                    publisher = HttpRequest.BodyPublishers.noBody();
                }
                builder.method(head.method(), publisher);
            } catch (IllegalArgumentException e) { // a target, field or method the HttpClient cannot send
                fail(response, 400, "the request cannot be forwarded with the JDK HttpClient: " + e.getMessage(), line);
                return;
            }
            HttpResponse<InputStream> answer;
            try {
                answer = client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (HttpTimeoutException e) {
                fail(response, 504, "the upstream did not answer within " + config.handshakeTimeout().toMillis()
                        + " ms", line);
                return;
            } catch (IOException e) {
                fail(response, 502, "the upstream " + config.upstream() + " could not be reached or failed: " + e, line);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(response, 502, "interrupted while waiting for the upstream", line);
                return;
            }
            try (InputStream body = answer.body()) {
                Verdict verdict;
                try {
                    Headers.Builder fields = Headers.builder(); // the client gives them sorted by name
                    answer.headers().map().forEach((name, values) -> values.forEach(value -> fields.add(HeaderName.of(name), value)));
                    verdict = proxy.judge(forward.attempt(), ResponseHead.of(answer.statusCode(), fields.build()));
                } catch (IllegalArgumentException e) {
                    fail(response, 502, "the upstream's answer cannot be relayed: " + e.getMessage(), line);
                    return;
                }
                if (verdict instanceof ErrorAnswer invalid) {
                    fail(response, 502, invalid.reason() + ": " + invalid.detail(), line);
                    return;
                }
                Verdict.Plain plain = (Verdict.Plain) verdict; // 1xx never reach us
                ServletHeads.write(plain.response(), response);
                if (plain.reason() != UpgradeReason.Ignored.NOT_OFFERED) {
                    response.addHeader(NOT_FORWARDED, plain.reason().name());
                }
                long bytes = body.transferTo(response.getOutputStream());
                log.println(line + " -> " + answer.statusCode() + " (" + bytes + " B)"
                        + (plain.reason() != UpgradeReason.Ignored.NOT_OFFERED
                                ? ", upgrade not forwarded: " + ((UpgradeDecision.Ignore) forward.attempt()).message()
                                : ""));
            }
        }

        /** A WebSocket upgrade: negotiated over a socket of its own, then relayed by the stream relay. */
        private void upgrade(HttpServletRequest request, HttpServletResponse response,
                Outbound.Forward forward, RequestHead toUpstream, String line)
                throws IOException {
            // Checked again by open(), after the 101 (see ServletJettyConnection).
            int limit = relay.options().maxTunnels();
            if (relay.stats().activeTunnels() >= limit) {
                fail(response, 503, "expected fewer than " + limit + " running tunnels but " + relay.stats().activeTunnels()
                        + " are running", line);
                return;
            }
            int timeout = (int) Math.min(Integer.MAX_VALUE, config.handshakeTimeout().toMillis());
            Socket upstream = new Socket();
            boolean handedOver = false;
            try {
                upstream.connect(config.upstream(), timeout);
                upstream.setTcpNoDelay(true);
                upstream.setSoTimeout(timeout); // for the handshake only
                upstream.getOutputStream().write(Http1Writer.toBytes(toUpstream));
                Http1Parser<ResponseHead> parser = Http1Parser.forResponses();
                ByteBuffer received = ByteBuffer.allocate(16 * 1024).flip();
                while (true) {
                    ParseResult<ResponseHead> parsed = readHead(upstream.getInputStream(), parser, received);
                    if (parsed instanceof ParseResult.Rejected<ResponseHead> rejected) {
                        fail(response, 502, "the upstream's answer is not valid HTTP/1.1: " + rejected.detail(), line);
                        return;
                    }
                    ResponseHead answer = ((ParseResult.Complete<ResponseHead>) parsed).head();
                    Verdict verdict = proxy.judge(forward.attempt(), answer);
                    if (verdict instanceof Verdict.Interim) {
                        continue; // Servlet 6 cannot send an interim response; wait for the final one
                    }
                    if (verdict instanceof ErrorAnswer invalid) {
                        fail(response, 502, invalid.reason() + ": " + invalid.detail(), line);
                        return;
                    }
                    if (verdict instanceof Verdict.Plain plain) {
                        relayAnswer(response, answer, plain, upstream, received, toUpstream.method(), line);
                        return;
                    }
                    Verdict.Tunnel tunnel = (Verdict.Tunnel) verdict;
                    ServletContextRequest jetty = ServletContextRequest.getServletContextRequest(request);
                    upstream.setSoTimeout(0); // from now on the relay's timeouts apply
                    // Jetty switches the connection to this one once the 101 is written; see ServletJettyConnection.
                    jetty.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, new ServletJettyConnection(
                            jetty.getConnectionMetaData().getConnection().getEndPoint(), connector.getExecutor(), relay,
                            StreamEndpoint.of(upstream, received), line, log));
                    ServletHeads.write(tunnel.response(), response); // 101, Connection: upgrade, Upgrade, Sec-WebSocket-Accept
                    handedOver = true;
                    log.println(line + " -> 101 tunnel " + tunnel.protocol());
                    return;
                }
            } catch (SocketTimeoutException e) {
                fail(response, 504, "the upstream did not answer within " + timeout + " ms", line);
            } catch (IOException e) {
                fail(response, 502, "the upstream " + config.upstream() + " could not be reached or failed: " + e, line);
            } finally {
                if (!handedOver) {
                    upstream.close();
                }
            }
        }

        /** Relays a final answer other than 101 with its body; the client connection closes after it. */
        private void relayAnswer(HttpServletResponse response, ResponseHead answer, Verdict.Plain plain,
                Socket upstream, ByteBuffer received, String method, String line) throws IOException {
            BodyFraming framing = BodyFraming.ofResponse(answer, method);
            if (framing instanceof BodyFraming.Invalid invalid) {
                fail(response, 502, invalid.problem() + ": " + invalid.detail(), line);
                return;
            }
            ServletHeads.write(plain.response(), response); // with Connection: close
            byte[] behind = new byte[received.remaining()];
            received.get(behind);
            InputStream in = new SequenceInputStream(new ByteArrayInputStream(behind), upstream.getInputStream());
            OutputStream out = response.getOutputStream();
            long bytes = 0;
            if (framing instanceof BodyFraming.FixedLength fixed) {
                bytes = copy(in, out, fixed.length());
            } else if (framing instanceof BodyFraming.Chunked) {
                bytes = dechunk(in, out);
            } else if (framing instanceof BodyFraming.UntilClose) {
                upstream.setSoTimeout(0);
                bytes = in.transferTo(out);
            }
            log.println(line + " -> " + answer.status() + " (" + bytes + " B), upgrade not done: " + plain.reason());
        }

        /**
         * Answers with a short plain-text error (generic for a 5xx: see {@link ErrorAnswers}) and the
         * request id set on {@code response}, and logs it with its detail.
         */
        private void fail(HttpServletResponse response, int status, String detail, String line) throws IOException {
            log.println(line + " -> " + status + " " + detail);
            if (response.isCommitted()) {
                throw new IOException(detail); // the container aborts the connection
            }
            String id = Objects.requireNonNullElseGet(response.getHeader(ErrorAnswers.REQUEST_ID.toString()),
                    ErrorAnswers::newId);
            byte[] body = ErrorAnswers.body(status, detail, id);
            response.reset();
            ServletHeads.write(ErrorAnswers.head(status, body, id), response);
            response.getOutputStream().write(body);
        }
    }

    /** {@code host:port}, with brackets around an IPv6 address. */
    private static String authority(InetSocketAddress address) {
        String host = address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * Reads one response head from {@code in} through {@code buffer} (read mode: its remaining bytes
     * are received and not yet parsed); afterwards the buffer holds the bytes behind the head.
     *
     * @throws EOFException if the upstream closed before a whole head
     */
    private static ParseResult<ResponseHead> readHead(InputStream in, Http1Parser<ResponseHead> parser, ByteBuffer buffer)
            throws IOException {
        while (true) {
            ParseResult<ResponseHead> parsed = parser.parse(buffer);
            if (!(parsed instanceof ParseResult.NeedMore)) {
                return parsed;
            }
            buffer.clear(); // NeedMore consumed every byte
            int n = in.read(buffer.array(), 0, buffer.capacity());
            if (n < 0) {
                throw new EOFException("the upstream closed the connection before a whole answer head");
            }
            buffer.limit(n);
        }
    }

    private static long copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] chunk = new byte[16 * 1024];
        for (long left = length; left > 0; ) {
            int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
            if (n < 0) {
                throw new EOFException("expected " + length + " body bytes but the upstream closed after "
                        + (length - left));
            }
            out.write(chunk, 0, n);
            left -= n;
        }
        return length;
    }

    /** Writes the data of a chunked body (RFC 9112 §7.1) and skips its trailers; the container re-frames it. */
    private static long dechunk(InputStream in, OutputStream out) throws IOException {
        long total = 0;
        while (true) {
            String sizeLine = line(in);
            int end = 0;
            while (end < sizeLine.length() && Character.digit(sizeLine.charAt(end), 16) >= 0) {
                end++;
            }
            if (end == 0 || end > 15 || end < sizeLine.length() && ";\t ".indexOf(sizeLine.charAt(end)) < 0) {
                throw new ProtocolException("expected a hexadecimal chunk size but the line was '" + sizeLine + "'");
            }
            long size = Long.parseLong(sizeLine.substring(0, end), 16);
            if (size == 0) {
                break;
            }
            total += copy(in, out, size);
            if (!line(in).isEmpty()) {
                throw new ProtocolException("expected CRLF after " + size + " bytes of chunk data");
            }
        }
        while (!line(in).isEmpty()) {
            // trailer fields are dropped: the servlet response has no way to send them here
        }
        return total;
    }

    /** One CRLF-terminated line of at most 4096 bytes, without its CRLF. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0 || line.length() == 4096) {
                throw new ProtocolException("expected a CRLF-terminated line of at most 4096 bytes in a chunked body");
            }
            line.append((char) b);
        }
        if (line.length() == 0 || line.charAt(line.length() - 1) != '\r') {
            throw new ProtocolException("expected CRLF line endings in a chunked body");
        }
        return line.substring(0, line.length() - 1);
    }
}
