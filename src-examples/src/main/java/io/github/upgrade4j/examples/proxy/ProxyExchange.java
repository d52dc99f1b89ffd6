package io.github.upgrade4j.examples.proxy;

import io.github.upgrade4j.examples.support.Bodies;
import io.github.upgrade4j.examples.support.Conn;
import io.github.upgrade4j.examples.support.ErrorAnswers;
import io.github.upgrade4j.hop.ForwardedFields;
import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HeadEditor;
import io.github.upgrade4j.hop.Persistence;
import io.github.upgrade4j.http.BodyFraming;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.tunnel.Opening;
import io.github.upgrade4j.tunnel.TunnelRelay;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeAttempt;
import io.github.upgrade4j.upgrade.UpgradeDecision;
import io.github.upgrade4j.upgrade.UpgradeReason;
import io.github.upgrade4j.upgrade.Verdict;
import java.io.IOException;
import java.io.PrintStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One client connection of a {@link ReverseProxy} in its HTTP phase: answers each request or forwards
 * it to the upstream (over a connection it keeps while both persist), relays the answer, and hands both
 * connections to the {@link TunnelRelay} when the upstream switches protocols. A worker calls
 * {@link #next} once a whole head has arrived; between requests the client connection waits on the
 * {@link ClientLoop} and this object keeps only the upstream connection. Used by one thread at a time.
 */
final class ProxyExchange {
    /** Tells the client why its upgrade offer was not passed on. */
    private static final HeaderName NOT_FORWARDED = HeaderName.of("X-Upgrade-Not-Forwarded");
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private final String peer;
    private final ReverseProxy.Config config;
    private final ProxyUpgrade proxy;
    private final TunnelRelay relay;
    private final PrintStream log;
    private final ProxyMetrics metrics;
    private final Http1Parser<RequestHead> requests = Http1Parser.forRequests();
    private final ForwardedFields forwardedFields;
    /** The client connection during {@link #next}; null between requests. */
    private Conn client;
    private Conn upstream;
    private boolean tunnelled;
    /** The request id of the current request: in its answer, toward the upstream and in the log. */
    private String requestId = "-";
    /** When the current request's head was complete, in {@link System#nanoTime()} terms. */
    private long headArrived;
    /** Whether the current request offered an upgrade: its answer is then counted as a handshake's. */
    private boolean upgradeOffered;

    ProxyExchange(String peer, ReverseProxy.Config config, ProxyUpgrade proxy, TunnelRelay relay, PrintStream log,
            ProxyMetrics metrics) {
        this.peer = peer;
        this.config = config;
        this.proxy = proxy;
        this.relay = relay;
        this.log = log;
        this.metrics = metrics;
        this.forwardedFields = ForwardedFields.builder().proto(config.tls().isPresent() ? "https" : "http")
                .via("upgrade4j").build();
    }

    /** Whether the connection became a tunnel: the relay owns both connections then. */
    boolean tunnelled() {
        return tunnelled;
    }

    /**
     * Handles one request from {@code client}, whose head was complete at {@code headArrived}
     * ({@link System#nanoTime()}); returns whether the connection stays open for another.
     */
    boolean next(Conn client, long headArrived) throws IOException {
        this.client = client;
        this.headArrived = headArrived;
        this.upgradeOffered = false;
        try {
            return handle();
        } finally {
            this.client = null;
        }
    }

    private boolean handle() throws IOException {
        ParseResult<RequestHead> parsed = client.readHead(requests);
        if (parsed == null) {
            return false;
        }
        if (parsed instanceof ParseResult.Rejected<RequestHead> rejected) {
            requestId = ErrorAnswers.newId();
            fail(rejected.status(), rejected.problem() + ": " + rejected.detail(), requestId + " " + peer);
            return false;
        }
        RequestHead request = ((ParseResult.Complete<RequestHead>) parsed).head();
        upgradeOffered = request.headers().contains(HeaderName.UPGRADE);
        requestId = ErrorAnswers.requestId(request.headers());
        String line = requestId + " " + peer + " " + request.method() + " " + request.target();
        BodyFraming framing = BodyFraming.ofRequest(request);
        if (framing instanceof BodyFraming.Invalid invalid) {
            fail(400, invalid.problem() + ": " + invalid.detail(), line);
            return false;
        }
        Outbound outbound = proxy.towardUpstream(request);
        if (outbound instanceof ErrorAnswer refuse) {
            client.write(Http1Writer.toBytes(ErrorAnswers.withRequestId(refuse.response(), requestId)));
            client.write(refuse.body());
            answered(refuse.response().status());
            log.println(line + " -> " + refuse.response().status() + " " + refuse.reason() + ": " + refuse.detail());
            return false;
        }
        Outbound.Forward forward = (Outbound.Forward) outbound;
        logAliases(forward.stripping(), line);
        // The head for the upstream, composed in one pass: the policy's stripping, the proxy's own Connection
        // and Upgrade, the forwarding fields, the request id and the body's framing.
        HeadEditor edit = forward.edit()
                .forwarded(forwardedFields, request, peer.substring(0, peer.lastIndexOf(':')))
                .set(ErrorAnswers.REQUEST_ID, requestId)
                .requestBody(framing);
        boolean hasBody = framing instanceof BodyFraming.Chunked
                || framing instanceof BodyFraming.FixedLength fixed && fixed.length() > 0;
        if (hasBody && request.headers().hasToken(HeaderName.EXPECT, "100-continue")) {
            client.write(CONTINUE); // answer the expectation here so the body flows at once
            edit.remove(HeaderName.EXPECT);
        }
        RequestHead toUpstream = request.withHeaders(edit.build());
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
    private boolean relay(RequestHead request, Outbound.Forward forward, String line) throws IOException {
        Http1Parser<ResponseHead> responses = Http1Parser.forResponses();
        // The handshake timeout bounds the wait for a 101; an ordinary answer may be held back on purpose
        // (a long-poll waits for news), so it gets the idle timeout, as nginx's proxy_read_timeout does.
        Duration wait = forward.attempt() instanceof UpgradeAttempt.Forwarded ? config.handshakeTimeout()
                : config.idleTimeout();
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
            Verdict verdict = proxy.judge(forward.attempt(), response);
            if (verdict instanceof Verdict.Interim interim) {
                if (request.version() != HttpVersion.HTTP_1_0) { // no 1xx for HTTP/1.0 (RFC 9110 §15.2)
                    client.write(Http1Writer.toBytes(sentAsOurs(interim.response())));
                }
                continue;
            }
            if (verdict instanceof ErrorAnswer invalid) {
                fail(502, invalid.reason() + ": " + invalid.detail(), line);
                return false;
            }
            if (verdict instanceof Verdict.Tunnel tunnel) {
                return openTunnel(tunnel, response, line);
            }
            return relayPlain(request, forward, response, (Verdict.Plain) verdict, line);
        }
    }

    private boolean openTunnel(Verdict.Tunnel tunnel, ResponseHead switched, String line) throws IOException {
        // The 101 travels as the first bytes of the upstream side, so it is written by the relay,
        // before any byte the upstream sent behind it, and only once the tunnel is sure to open.
        HeadEditor edit = tunnel.edit(); // the 101 with the proxy's Upgrade line, and the request id, in one pass
        if (!switched.headers().contains(ErrorAnswers.REQUEST_ID)) {
            edit.add(ErrorAnswers.REQUEST_ID, requestId);
        }
        byte[] head = Http1Writer.toBytes(new ResponseHead(HttpVersion.HTTP_1_1, 101, switched.reason(), edit.build()));
        Opening opening = relay.open(client.endpoint(new byte[0]), upstream.endpoint(head));
        if (opening instanceof Opening.Refused refused) {
            fail(503, refused.reason() + ": " + refused.detail(), line);
            return false;
        }
        tunnelled = true;
        answered(101); // the relay writes the 101 before anything else
        log.println(line + " -> 101 tunnel " + tunnel.protocol() + (config.tls().isPresent()
                || config.upstreamTls().isPresent() ? " (client " + client.security() + "; upstream "
                + upstream.security() + ")" : ""));
        // Capture only what the log line needs: the callback lives as long as the tunnel, and holding this
        // ProxyExchange would keep both connections' read buffers alive with it.
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

    private boolean relayPlain(RequestHead request, Outbound.Forward forward, ResponseHead response,
            Verdict.Plain plain, String line) throws IOException {
        BodyFraming framing = BodyFraming.ofResponse(response, request.method());
        if (framing instanceof BodyFraming.Invalid invalid) {
            fail(502, invalid.problem() + ": " + invalid.detail(), line);
            return false;
        }
        // The client gets an HTTP/1.1 answer whatever the upstream's version (RFC 9110 §6.2); the editor frames
        // it (a body that ends with the upstream's close goes to an HTTP/1.1 client chunked, so its connection
        // may persist) and writes the proxy's own Connection from its persistence decision.
        boolean http10Client = request.version() == HttpVersion.HTTP_1_0;
        boolean untilClose = framing instanceof BodyFraming.UntilClose;
        boolean chunked = framing instanceof BodyFraming.Chunked;
        HeadEditor edit = plain.edit().responseBody(request, framing, plain.closeClient());
        boolean chunkedToClient = edit.chunked();
        boolean clientPersists = edit.persists();
        boolean offerDropped = !plain.closeClient() && plain.reason() != UpgradeReason.Ignored.NOT_OFFERED;
        if (offerDropped) {
            edit.add(NOT_FORWARDED, plain.reason().name()); // visible in a browser's developer tools
        }
        if (!response.headers().contains(ErrorAnswers.REQUEST_ID)) {
            edit.add(ErrorAnswers.REQUEST_ID, requestId);
        }
        client.write(Http1Writer.toBytes(new ResponseHead(HttpVersion.HTTP_1_1, response.status(), response.reason(),
                edit.build())));
        answered(response.status());
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
                : offerDropped ? ", upgrade not forwarded: "
                        + ((UpgradeDecision.Ignore) forward.attempt()).message() : ""));
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
        answered(status);
    }

    /** Counts and times the final answer to an upgrade request, once written; plain requests are not counted. */
    private void answered(int status) {
        if (upgradeOffered) {
            metrics.answered(status, headArrived);
        }
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
