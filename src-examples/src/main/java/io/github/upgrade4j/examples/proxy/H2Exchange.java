package io.github.upgrade4j.examples.proxy;

import io.github.upgrade4j.examples.support.Bodies;
import io.github.upgrade4j.examples.support.Conn;
import io.github.upgrade4j.examples.support.ErrorAnswers;
import io.github.upgrade4j.hop.ForwardedFields;
import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HeadEditor;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.hop.Refusal;
import io.github.upgrade4j.http.BodyFraming;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.tunnel.Opening;
import io.github.upgrade4j.tunnel.TunnelRelay;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.ExtendedConnect;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeAttempt;
import java.io.IOException;
import java.io.PrintStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.jspecify.annotations.Nullable;

/**
 * One stream of an HTTP/2 client of the {@link ReverseProxy}, on a worker: a request forwarded to the
 * HTTP/1.1 upstream, or a WebSocket opened with an extended CONNECT (RFC 8441) and tunnelled.
 *
 * <ul>
 *   <li><b>Checks first.</b> A request with a connection-specific field, or {@code TE} other than
 *       {@code trailers}, is malformed over HTTP/2 (RFC 9113 §8.2.2) and gets a 400 with the library's
 *       reason; a {@code Host} that names another authority than {@code :authority} too (§8.3.1).
 *   <li><b>Plain requests</b> become HTTP/1.1 requests: {@code Host} from {@code :authority}, the
 *       {@code cookie} fields joined into one (§8.2.3), a body without {@code content-length} sent
 *       chunked, the hop-by-hop policy and the forwarding fields applied as for HTTP/1.1 clients. The
 *       answer loses its hop-by-hop and connection-specific fields ({@link HopByHopPolicy#forHttp2}) and its
 *       chunking, and goes back as HEADERS and DATA. One upstream connection per stream.
 *   <li><b>Extended CONNECT</b> with {@code :protocol websocket} becomes an HTTP/1.1 upgrade with a fresh
 *       {@code Sec-WebSocket-Key} ({@link ExtendedConnect#toHttp1}), sent through {@link ProxyUpgrade} like
 *       any upgrade; the upstream's 101 is judged, its accept checked, and becomes a 200 on the stream
 *       ({@link ExtendedConnect#answerForHttp2}), with the chosen subprotocol and extensions. The stream,
 *       as a {@link io.github.upgrade4j.tunnel.Conduit}, and the upstream's socket then go to a
 *       {@link TunnelRelay}: DATA ⇄ bytes, END_STREAM ⇄ FIN, RST_STREAM ⇄ reset, no thread while it runs.
 *       Any other answer keeps its status; a 2xx without switching becomes a 502.
 * </ul>
 *
 * <p>Errors before a response head are answered with the status and a plain-text body, as over HTTP/1.1;
 * after it, the stream is reset.
 */
final class H2Exchange implements Runnable {
    /** Fields an HTTP/2 response never has: the upstream's framing and connection, decided anew here. */
    private static final List<HeaderName> FRAMING = List.of(HeaderName.CONTENT_LENGTH, HeaderName.TRANSFER_ENCODING);

    /** What every stream of the proxy shares. */
    record Context(ReverseProxy.Config config, HopByHopPolicy policy, ProxyUpgrade proxy, TunnelRelay relay,
            PrintStream log, ProxyMetrics metrics, ForwardedFields forwardedFields) {}

    /** The client connection a stream came on: its address and its TLS, for the log. */
    record Client(String peer, String security) {}

    private final Context context;
    private final Client client;
    private final H2StreamIo io;
    private final MetaData.@Nullable Request request;
    private final boolean bodyFollows;
    private final long headArrived = System.nanoTime();
    private String requestId = "-";
    private String line = "-";
    private boolean upgradeOffered;

    H2Exchange(Context context, Client client, H2StreamIo io, MetaData.@Nullable Request request, boolean bodyFollows) {
        this.context = context;
        this.client = client;
        this.io = io;
        this.request = request;
        this.bodyFollows = bodyFollows;
    }

    /**
     * The work for a request Jetty rejected while decoding its head: a 400 that says why, then a reset if the
     * client's side is still open. A connection-specific field or a {@code TE} other than {@code trailers}
     * gets the library's reason for it ({@link Refusal#HTTP2_CONNECTION_SPECIFIC_FIELD}).
     */
    static Runnable malformed(Context context, Client client, H2StreamIo io, @Nullable String problem) {
        String why = problem == null ? "the request's head is malformed" : problem;
        String reason;
        if (why.startsWith("Connection specific field") || why.startsWith("Unsupported TE value")) {
            reason = Refusal.HTTP2_CONNECTION_SPECIFIC_FIELD + ": " + why + " (RFC 9113 §8.2.2)";
        } else if (why.equals("No Path")) {
            reason = "MISSING_PATH: expected a :path, which an extended CONNECT has too (RFC 9113 §8.3.1, RFC 8441 §4)";
        } else {
            reason = "MALFORMED_HTTP2_REQUEST: " + why + " (RFC 9113 §8.1.1)";
        }
        H2Exchange exchange = new H2Exchange(context, client, io, null, false);
        return () -> {
            exchange.requestId = ErrorAnswers.newId();
            exchange.line = exchange.requestId + " " + client.peer() + " h2 stream " + io.stream().getId();
            try {
                exchange.fail(400, reason);
                if (!io.closed()) {
                    io.reset(ErrorCode.PROTOCOL_ERROR);
                }
            } catch (IOException e) {
                io.reset(ErrorCode.PROTOCOL_ERROR);
            }
        };
    }

    @Override
    public void run() {
        try {
            handle();
        } catch (IOException e) {
            context.log().println(line + " stream ended: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            io.reset(ErrorCode.CANCEL_STREAM_ERROR);
        } catch (RuntimeException e) {
            context.log().println(line + " stream ended: " + e);
            io.reset(ErrorCode.INTERNAL_ERROR);
        }
    }

    private void handle() throws IOException {
        MetaData.Request request = java.util.Objects.requireNonNull(this.request, "request");
        Headers fields = fields(request.getHttpFields());
        requestId = ErrorAnswers.requestId(fields);
        HttpURI uri = request.getHttpURI();
        String method = request.getMethod();
        String protocol = request.getProtocol();
        String target = uri.getPathQuery();
        line = requestId + " " + client.peer() + " h2 stream " + io.stream().getId() + " " + method
                + (protocol != null ? " " + protocol : "") + " " + (target == null || target.isEmpty() ? "(no :path)"
                        : target);
        RequestHead received = new RequestHead(method, "/", HttpVersion.HTTP_2, fields);
        Optional<Forwarding.Refuse> malformed = HopByHopPolicy.checkReceivedOverHttp2(received);
        if (malformed.isPresent()) {
            fail(malformed.get().status(), malformed.get().reason() + ": " + malformed.get().detail());
            return;
        }
        String authority = uri.getAuthority();
        Optional<String> host = fields.first(HeaderName.HOST);
        if (host.isPresent() && authority != null && !authority.isEmpty() && !host.get().equalsIgnoreCase(authority)) {
            fail(400, "HOST_DIFFERS_FROM_AUTHORITY: expected host to name :authority '" + authority
                    + "' (RFC 9113 §8.3.1) but it was '" + host.get() + "'");
            return;
        }
        if (protocol != null) {
            upgradeOffered = true;
            extendedConnect(protocol, uri, fields);
        } else if (method.equals("CONNECT")) {
            fail(501, "CONNECT_NOT_SUPPORTED: a reverse proxy opens no tunnel to an arbitrary host; only an"
                    + " extended CONNECT with :protocol websocket (RFC 8441) is served");
        } else {
            plain(method, target, authority, fields);
        }
    }

    private void plain(String method, @Nullable String target, @Nullable String authority, Headers fields)
            throws IOException {
        if (target == null || target.isEmpty()) {
            fail(400, "MISSING_PATH: expected a :path in a request other than CONNECT (RFC 9113 §8.3.1)");
            return;
        }
        Headers.Builder h1 = Headers.builder();
        if (authority != null && !authority.isEmpty()) {
            h1.add(HeaderName.HOST, authority);
        }
        for (int i = 0; i < fields.size(); i++) {
            if (!fields.name(i).equals(HeaderName.HOST) || authority == null || authority.isEmpty()) {
                h1.addFrom(fields, i);
            }
        }
        if (bodyFollows && !fields.contains(HeaderName.CONTENT_LENGTH)) {
            h1.add(HeaderName.TRANSFER_ENCODING, "chunked"); // HTTP/2 ends a body with END_STREAM
        }
        RequestHead head;
        try {
            head = new RequestHead(method, target, HttpVersion.HTTP_1_1, h1.build());
        } catch (IllegalArgumentException e) {
            fail(400, "MALFORMED_REQUEST: " + e.getMessage());
            return;
        }
        BodyFraming framing = BodyFraming.ofRequest(head);
        if (framing instanceof BodyFraming.Invalid invalid) {
            fail(400, invalid.problem() + ": " + invalid.detail());
            return;
        }
        Outbound outbound = context.proxy().towardUpstream(head);
        if (outbound instanceof ErrorAnswer refuse) {
            fail(refuse);
            return;
        }
        Outbound.Forward forward = (Outbound.Forward) outbound;
        HeadEditor edit = forward.edit()
                .forwarded(context.forwardedFields(), head, address())
                .set(ErrorAnswers.REQUEST_ID, requestId)
                .requestBody(framing);
        edit.remove(HeaderName.EXPECT); // the body is on its way already: HTTP/2 needs no 100 to send it
        Conn upstream = connect();
        if (upstream == null) {
            return;
        }
        try {
            try {
                upstream.write(Http1Writer.toBytes(head.withHeaders(edit.build())));
                if (framing instanceof BodyFraming.FixedLength fixed) {
                    Bodies.copyFixed(io.input(), upstream.output(), fixed.length());
                } else if (framing instanceof BodyFraming.Chunked) {
                    Bodies.copyUntilCloseAsChunks(io.input(), upstream.output());
                }
            } catch (IOException e) {
                if (io.closed()) {
                    throw e;
                }
                fail(502, "the upstream " + context.config().upstream() + " could not be reached or stopped reading: "
                        + e.getMessage());
                return;
            }
            ResponseHead response = readAnswer(upstream, context.config().idleTimeout());
            if (response != null) {
                if (response.status() == 101) {
                    fail(502, "SWITCH_NOT_OFFERED: the upstream switched protocols although none was offered");
                } else {
                    relayAnswer(upstream, response, method, "");
                }
            }
        } finally {
            upstream.close();
        }
    }

    private void extendedConnect(String protocol, HttpURI uri, Headers fields) throws IOException {
        ExtendedConnect.Request connect;
        try {
            connect = new ExtendedConnect.Request(protocol, orEmpty(uri.getScheme()), orEmpty(uri.getAuthority()),
                    orEmpty(uri.getPathQuery()), fields);
        } catch (IllegalArgumentException e) {
            fail(400, "MALFORMED_EXTENDED_CONNECT: expected :scheme, :path and :authority with :protocol"
                    + " (RFC 8441 §4) but " + (uri.getPathQuery() == null || uri.getPathQuery().isEmpty()
                            ? ":path" : uri.getScheme() == null ? ":scheme" : ":authority") + " is missing");
            return;
        }
        ExtendedConnect.Translation<ExtendedConnect.Downgrade> translation = ExtendedConnect.toHttp1(connect);
        if (translation instanceof ExtendedConnect.Failed<ExtendedConnect.Downgrade> failed) {
            fail(failed.answer());
            return;
        }
        ExtendedConnect.Downgrade downgrade = ((ExtendedConnect.Translated<ExtendedConnect.Downgrade>) translation).value();
        Outbound outbound = context.proxy().towardUpstream(downgrade.head());
        if (outbound instanceof ErrorAnswer refuse) {
            fail(refuse);
            return;
        }
        Outbound.Forward forward = (Outbound.Forward) outbound;
        if (!(forward.attempt() instanceof UpgradeAttempt.Forwarded)) {
            fail(501, "EXTENDED_CONNECT_PROTOCOL_UNSUPPORTED: this proxy forwards no " + protocol + " upgrade");
            return;
        }
        RequestHead head = downgrade.head().withHeaders(forward.edit()
                .forwarded(context.forwardedFields(), downgrade.head(), address())
                .set(ErrorAnswers.REQUEST_ID, requestId).build());
        Conn upstream = connect();
        if (upstream == null) {
            return;
        }
        boolean tunnelled = false;
        try {
            try {
                upstream.write(Http1Writer.toBytes(head));
            } catch (IOException e) {
                fail(502, "the upstream " + context.config().upstream() + " stopped reading: " + e.getMessage());
                return;
            }
            ResponseHead response = readAnswer(upstream, context.config().handshakeTimeout());
            if (response == null) {
                return;
            }
            ExtendedConnect.Translation<ResponseHead> answer = ExtendedConnect.answerForHttp2(downgrade, response);
            if (answer instanceof ExtendedConnect.Failed<ResponseHead> failed) {
                fail(failed.answer());
            } else if (((ExtendedConnect.Translated<ResponseHead>) answer).value().status() == 200) {
                tunnelled = tunnel(((ExtendedConnect.Translated<ResponseHead>) answer).value(), upstream, protocol);
            } else {
                relayAnswer(upstream, response, "GET", ", upgrade not done");
            }
        } finally {
            if (!tunnelled) {
                upstream.close();
            }
        }
    }

    /** Opens the tunnel; the 200 goes out once the relay has taken both sides, else the answer is a 503. */
    private boolean tunnel(ResponseHead answer, Conn upstream, String protocol) throws IOException {
        HttpFields.Mutable fields = jetty(answer.headers());
        if (!answer.headers().contains(ErrorAnswers.REQUEST_ID)) {
            fields.add(ErrorAnswers.REQUEST_ID.lowerCase(), requestId);
        }
        io.respondLater(new MetaData.Response(200, null, org.eclipse.jetty.http.HttpVersion.HTTP_2, fields));
        io.stream().setIdleTimeout(0); // the relay's idle and lifetime timeouts govern a tunnel
        Opening opening = context.relay().open(io, upstream.endpoint(new byte[0]));
        if (opening instanceof Opening.Refused refused) {
            fail(503, refused.reason() + ": " + refused.detail());
            return false;
        }
        io.commit();
        answered(200);
        context.log().println(line + " -> 200 tunnel " + protocol + " over h2 (client " + client.security()
                + ", ALPN h2; upstream " + upstream.security() + ")");
        String where = line;
        PrintStream out = context.log();
        ((Opening.Opened) opening).tunnel().outcome().thenAccept(outcome -> out.println(where + " tunnel closed: "
                + outcome.reason() + ", " + outcome.bytesClientToUpstream() + " B up, "
                + outcome.bytesUpstreamToClient() + " B down, " + outcome.duration().toMillis() + " ms"
                + outcome.cause().map(cause -> " (" + cause.getMessage() + ")").orElse("")));
        return true;
    }

    /** The upstream's final answer head, 1xx skipped; null when it failed, after answering the client. */
    private @Nullable ResponseHead readAnswer(Conn upstream, Duration wait) throws IOException {
        upstream.readTimeout(wait);
        Http1Parser<ResponseHead> responses = Http1Parser.forResponses();
        while (true) {
            ParseResult<ResponseHead> parsed;
            try {
                parsed = upstream.readHead(responses);
            } catch (SocketTimeoutException e) {
                fail(504, "the upstream did not answer within " + wait.toMillis() + " ms");
                return null;
            } catch (IOException e) {
                fail(502, "the upstream failed while answering: " + e.getMessage());
                return null;
            }
            if (parsed == null || parsed instanceof ParseResult.Rejected) {
                fail(502, parsed == null ? "the upstream closed the connection without answering"
                        : "the upstream's answer is not valid HTTP/1.1: "
                                + ((ParseResult.Rejected<ResponseHead>) parsed).detail());
                return null;
            }
            ResponseHead response = ((ParseResult.Complete<ResponseHead>) parsed).head();
            if (response.status() >= 200 || response.status() == 101) {
                return response;
            }
            // 100 and 103: an HTTP/2 client may get interim answers too, but none is needed here
        }
    }

    /** Relays an ordinary answer and its body as HEADERS and DATA, without its HTTP/1.1 framing. */
    private void relayAnswer(Conn upstream, ResponseHead response, String method, String note) throws IOException {
        Forwarding stripped = context.policy().forHttp2(response);
        if (stripped instanceof Forwarding.Refuse refuse) {
            fail(502, refuse.reason() + ": " + refuse.detail());
            return;
        }
        BodyFraming framing = BodyFraming.ofResponse(response, method);
        if (framing instanceof BodyFraming.Invalid invalid) {
            fail(502, invalid.problem() + ": " + invalid.detail());
            return;
        }
        Headers kept = ((Forwarding.Forward) stripped).headers();
        HttpFields.Mutable fields = HttpFields.build();
        for (int i = 0; i < kept.size(); i++) {
            HeaderName name = kept.name(i);
            if (!FRAMING.contains(name)) {
                fields.add(name.lowerCase(), kept.value(i));
            }
        }
        if (framing instanceof BodyFraming.FixedLength fixed) {
            fields.add("content-length", Long.toString(fixed.length()));
        }
        if (!kept.contains(ErrorAnswers.REQUEST_ID)) {
            fields.add(ErrorAnswers.REQUEST_ID.lowerCase(), requestId);
        }
        boolean empty = framing instanceof BodyFraming.None
                || framing instanceof BodyFraming.FixedLength fixed && fixed.length() == 0;
        io.respond(new MetaData.Response(response.status(), null, org.eclipse.jetty.http.HttpVersion.HTTP_2, fields),
                empty);
        answered(response.status());
        long bytes = 0;
        if (!empty) {
            upstream.readTimeout(Duration.ZERO);
            if (framing instanceof BodyFraming.FixedLength fixed) {
                bytes = Bodies.copyFixed(upstream.input(), io.output(), fixed.length());
            } else if (framing instanceof BodyFraming.Chunked) {
                bytes = Bodies.copyChunked(upstream.input(), io.output(), true);
            } else {
                bytes = Bodies.copyUntilClose(upstream.input(), io.output());
            }
            io.write(ByteBuffer.allocate(0), true);
        }
        context.log().println(line + " -> " + response.status() + " (" + bytes + " B)" + note);
    }

    private @Nullable Conn connect() throws IOException {
        try {
            return Conn.connect(context.config().upstream(), context.config().handshakeTimeout(),
                    context.config().upstreamTls().orElse(null));
        } catch (IOException e) {
            fail(502, "the upstream " + context.config().upstream() + " could not be reached: " + e.getMessage());
            return null;
        }
    }

    private void fail(ErrorAnswer answer) throws IOException {
        fail(answer.response().status(), answer.reason() + ": " + answer.detail());
    }

    /**
     * Answers with {@code status} and a short plain-text body (generic for a 5xx: see {@link ErrorAnswers}),
     * or resets the stream when a head went out already; logs the detail.
     */
    private void fail(int status, String detail) throws IOException {
        context.log().println(line + " -> " + status + " " + detail);
        if (io.responded()) {
            io.reset(ErrorCode.INTERNAL_ERROR);
            return;
        }
        byte[] body = ErrorAnswers.body(status, detail, requestId);
        HttpFields.Mutable fields = HttpFields.build()
                .add("content-type", "text/plain; charset=utf-8")
                .add("content-length", Integer.toString(body.length))
                .add(ErrorAnswers.REQUEST_ID.lowerCase(), requestId);
        io.respond(new MetaData.Response(status, null, org.eclipse.jetty.http.HttpVersion.HTTP_2, fields), false);
        answered(status);
        io.write(ByteBuffer.wrap(body), true);
    }

    /** Counts and times the answer to an extended CONNECT; plain requests are not counted. */
    private void answered(int status) {
        if (upgradeOffered) {
            context.metrics().answered(status, headArrived);
        }
    }

    private String address() {
        return client.peer().substring(0, client.peer().lastIndexOf(':'));
    }

    /** The request's regular fields, the {@code cookie} crumbs joined into one field (RFC 9113 §8.2.3). */
    static Headers fields(HttpFields received) {
        Headers.Builder fields = Headers.builder();
        List<String> cookies = new ArrayList<>();
        for (HttpField field : received) {
            HeaderName name = HeaderName.of(field.getName());
            if (name.equals(HeaderName.COOKIE)) {
                cookies.add(field.getValue());
            } else {
                fields.add(name, field.getValue());
            }
        }
        if (!cookies.isEmpty()) {
            fields.add(HeaderName.COOKIE, String.join("; ", cookies));
        }
        return fields.build();
    }

    private static HttpFields.Mutable jetty(Headers headers) {
        HttpFields.Mutable fields = HttpFields.build();
        for (int i = 0; i < headers.size(); i++) {
            fields.add(headers.name(i).lowerCase(), headers.value(i));
        }
        return fields;
    }

    private static String orEmpty(@Nullable String value) {
        return value == null ? "" : value;
    }
}
