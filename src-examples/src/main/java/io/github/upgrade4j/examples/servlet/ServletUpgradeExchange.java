package io.github.upgrade4j.examples.servlet;

import static io.github.upgrade4j.examples.servlet.ServletErrorAnswers.fail;

import io.github.upgrade4j.examples.support.Bodies;
import io.github.upgrade4j.examples.support.HeadReader;
import io.github.upgrade4j.http.BodyFraming;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.tunnel.StreamEndpoint;
import io.github.upgrade4j.tunnel.StreamRelay;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.Verdict;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The upgrade path of the {@link ServletProxy}: a WebSocket handshake sent to the upstream over a
 * socket of its own (the JDK {@code HttpClient} cannot hand over its connection), the answer judged
 * by {@link ProxyUpgrade}, and then one of three endings.
 *
 * <ul>
 *   <li>A valid 101 is set on the servlet response, and the client's connection is handed to a
 *       {@link ServletJettyConnection}, which opens the tunnel in the {@link StreamRelay} once Jetty
 *       has written the 101; the upstream's bytes read past its 101 go along.
 *   <li>Any other final answer is relayed with its body (decoded from its framing; the container
 *       frames it again) and {@code Connection: close}; the upstream socket closes after it.
 *   <li>A 101 that breaks a rule, a broken head or body framing is a 502, a silent upstream a 504, a
 *       full relay a 503 (checked before connecting, and again when the tunnel opens).
 * </ul>
 *
 * <p>Interim answers (1xx other than 101) are read and dropped: Servlet 6 cannot send them. It does
 * not pool or reuse upstream sockets: each handshake gets a new one.
 */
final class ServletUpgradeExchange {
    private final ServletProxy.Config config;
    private final ProxyUpgrade proxy;
    private final StreamRelay relay;
    private final ServerConnector connector;
    private final PrintStream log;

    ServletUpgradeExchange(ServletProxy.Config config, ProxyUpgrade proxy, StreamRelay relay, ServerConnector connector,
            PrintStream log) {
        this.config = config;
        this.proxy = proxy;
        this.relay = relay;
        this.connector = connector;
        this.log = log;
    }

    /** Forwards {@code toUpstream}, the edited handshake, and answers {@code response} as the class doc says. */
    void forward(HttpServletRequest request, HttpServletResponse response, Outbound.Forward forward,
            RequestHead toUpstream, String line) throws IOException {
        // Checked again by open(), after the 101 (see ServletJettyConnection).
        int limit = relay.options().maxTunnels();
        if (relay.stats().activeTunnels() >= limit) {
            fail(response, 503, "expected fewer than " + limit + " running tunnels but " + relay.stats().activeTunnels()
                    + " are running", line, log);
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
            HeadReader reader = HeadReader.of(upstream.getInputStream());
            Http1Parser<ResponseHead> parser = Http1Parser.forResponses();
            while (true) {
                ParseResult<ResponseHead> parsed = reader.readHead(parser);
                if (parsed == null) {
                    throw new EOFException("the upstream closed the connection before a whole answer head");
                }
                if (parsed instanceof ParseResult.Rejected<ResponseHead> rejected) {
                    fail(response, 502, "the upstream's answer is not valid HTTP/1.1: " + rejected.detail(), line, log);
                    return;
                }
                ResponseHead answer = ((ParseResult.Complete<ResponseHead>) parsed).head();
                Verdict verdict = proxy.judge(forward.attempt(), answer);
                if (verdict instanceof Verdict.Interim) {
                    continue; // Servlet 6 cannot send an interim response; wait for the final one
                }
                if (verdict instanceof ErrorAnswer invalid) {
                    fail(response, 502, invalid.reason() + ": " + invalid.detail(), line, log);
                    return;
                }
                if (verdict instanceof Verdict.Plain plain) {
                    relayAnswer(response, answer, plain, upstream, reader, toUpstream.method(), line);
                    return;
                }
                Verdict.Tunnel tunnel = (Verdict.Tunnel) verdict;
                ServletContextRequest jetty = ServletContextRequest.getServletContextRequest(request);
                upstream.setSoTimeout(0); // from now on the relay's timeouts apply
                // Jetty switches the connection to this one once the 101 is written; see ServletJettyConnection.
                jetty.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, new ServletJettyConnection(
                        jetty.getConnectionMetaData().getConnection().getEndPoint(), connector.getExecutor(), relay,
                        StreamEndpoint.of(upstream, reader.unread()), line, log));
                ServletHeads.write(tunnel.response(), response); // 101, Connection: upgrade, Upgrade, Sec-WebSocket-Accept
                handedOver = true;
                log.println(line + " -> 101 tunnel " + tunnel.protocol());
                return;
            }
        } catch (SocketTimeoutException e) {
            fail(response, 504, "the upstream did not answer within " + timeout + " ms", line, log);
        } catch (IOException e) {
            fail(response, 502, "the upstream " + config.upstream() + " could not be reached or failed: " + e, line, log);
        } finally {
            if (!handedOver) {
                upstream.close();
            }
        }
    }

    /** Relays a final answer other than 101 with its body; the client connection closes after it. */
    private void relayAnswer(HttpServletResponse response, ResponseHead answer, Verdict.Plain plain, Socket upstream,
            HeadReader reader, String method, String line) throws IOException {
        BodyFraming framing = BodyFraming.ofResponse(answer, method);
        if (framing instanceof BodyFraming.Invalid invalid) {
            fail(response, 502, invalid.problem() + ": " + invalid.detail(), line, log);
            return;
        }
        ServletHeads.write(plain.response(), response); // with Connection: close
        OutputStream out = response.getOutputStream();
        long bytes = 0;
        if (framing instanceof BodyFraming.FixedLength fixed) {
            bytes = Bodies.copyFixed(reader, out, fixed.length());
        } else if (framing instanceof BodyFraming.Chunked) {
            bytes = Bodies.copyChunked(reader, out, true); // trailers dropped: the container frames the body
        } else if (framing instanceof BodyFraming.UntilClose) {
            upstream.setSoTimeout(0);
            bytes = Bodies.copyUntilClose(reader, out);
        }
        log.println(line + " -> " + answer.status() + " (" + bytes + " B), upgrade not done: " + plain.reason());
    }
}
