package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;

/**
 * The server side of the upgrade to TLS within HTTP/1.1 (RFC 2817), as a {@link ProtocolHandler}: off
 * unless registered with {@link UpgradeNegotiator#of}, and configured with the {@link SSLContext} whose
 * certificate and protocols the TLS handshake uses. IPP printing (CUPS, {@code ipptool -E}) upgrades
 * this way.
 *
 * <pre>{@code
 * TlsUpgrade tls = TlsUpgrade.of(sslContext);
 * UpgradeNegotiator negotiator = UpgradeNegotiator.of(tls, WebSocketHandshake.standard());
 * if (negotiator.decide(request) instanceof UpgradeDecision.Switch s && s.protocol().named("TLS")) {
 *     readBody(request);                                  // the request's own body comes before the switch
 *     write(socket, s.response());                        // 101, Upgrade: TLS/1.2, HTTP/1.1
 *     SSLSocket secure = tls.serverSocket(socket, bytesPastHead);
 *     secure.startHandshake();
 *     answer(request, secure);                            // the answer to the request goes over TLS (§3.3)
 * }
 * }</pre>
 *
 * <p><b>What it decides.</b> An offer of {@code TLS/1.2} (or of the version it was made for) in a
 * request that passed the negotiator's checks (HTTP/1.1, {@code Connection: upgrade}) is switched, with
 * any method: RFC 2817 §3.1 suggests {@code OPTIONS *}, and CUPS sends exactly that, but the request may
 * be any, its body included. The 101 says {@code Upgrade: TLS/1.2, HTTP/1.1} (the layers in ascending
 * order, RFC 9110 §7.8: TLS, with HTTP/1.1 on top of it) and {@code Connection: Upgrade}. An offer of
 * {@code TLS/1.0} or {@code TLS/1.1} alone is not switched: RFC 8996 retired both, so the negotiator
 * finds no handler for them and serves the request as plain HTTP, saying so.
 * {@link #require(RequestHead)} answers a request that must not be served in the clear with 426 and the
 * advertisement RFC 2817 §4.2 and RFC 9110 §15.5.22 ask for.
 *
 * <p><b>What the caller does after the 101.</b> The request's body, if any, is read before the 101 is
 * written (the 101 ends HTTP/1.1 on the connection's plaintext; with {@code Expect: 100-continue} the 100
 * comes first, RFC 9110 §7.8). Then the TLS handshake starts on the same connection, the server's engine
 * in server mode ({@link #serverEngine()} for a channel, {@link #serverSocket} for a socket), and the
 * answer to the request that asked for the upgrade is written over TLS once the handshake completed
 * (RFC 2817 §3.3). Bytes the client sent past the request's head are the start of its TLS handshake and
 * must go to the engine, never to an HTTP parser: a client that pipelined a second plaintext request
 * behind the offer fails the handshake instead of having it served in the clear.
 *
 * <p>It does not configure TLS (protocols, ciphers, client authentication are the context's) and does not
 * judge a proxy's forwarding of the offer: {@link ProxyUpgrade} does, when its allowlist names TLS.
 * Immutable and thread-safe.
 */
public final class TlsUpgrade implements ProtocolHandler {
    private final SSLContext context;
    private final Protocol protocol;
    private final String advertisement;

    private TlsUpgrade(SSLContext context, Protocol protocol) {
        this.context = context;
        this.protocol = protocol;
        this.advertisement = protocol + ", HTTP/1.1";
    }

    /**
     * A handler for offers of {@code TLS/1.2}, the token current clients offer first.
     *
     * @param context the context whose server engines run the handshakes
     * @return the handler
     */
    public static TlsUpgrade of(SSLContext context) {
        return of(context, "1.2");
    }

    /**
     * A handler for offers of {@code TLS/}{@code version}. The token names the least version the client
     * asks for; the handshake then agrees on whatever the context and the client both allow, such as TLS
     * 1.3 after an offer of {@code TLS/1.2}. Register one handler per token to switch on either.
     *
     * @param context the context whose server engines run the handshakes
     * @param version {@code 1.2} or {@code 1.3}
     * @return the handler
     * @throws IllegalArgumentException for another version: TLS 1.0 and 1.1 are retired (RFC 8996)
     */
    public static TlsUpgrade of(SSLContext context, String version) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(version, "version");
        if (!version.equals("1.2") && !version.equals("1.3")) {
            throw new IllegalArgumentException("expected TLS version 1.2 or 1.3 but was '" + version
                    + "': TLS 1.0 and 1.1 are retired (RFC 8996)");
        }
        return new TlsUpgrade(context, new Protocol("TLS", version));
    }

    @Override
    public Protocol protocol() {
        return protocol;
    }

    /**
     * Switches: the offer passed the negotiator's checks, and TLS needs no field of its own.
     *
     * @param request the request that offered TLS
     * @param offered the offer, as the client spelled it
     * @return a switch with a 101 naming {@code offered} and {@code HTTP/1.1} above it
     */
    @Override
    public UpgradeDecision decide(RequestHead request, Protocol offered) {
        return new UpgradeDecision.Switch(offered, ResponseHead.of(101,
                Headers.of("Upgrade", offered + ", HTTP/1.1", "Connection", "Upgrade")));
    }

    /**
     * The answer for a request that may only be served over TLS and did not offer it: 426 (Upgrade
     * Required) with {@code Upgrade: TLS/1.2, HTTP/1.1} and {@code Connection: Upgrade, close}, and a body
     * that says why. The client may connect again and offer TLS, as CUPS does.
     *
     * @param request the request refused
     * @return the error answer; its reason is {@link UpgradeReason.Refused#TLS_REQUIRED}
     */
    public ErrorAnswer require(RequestHead request) {
        UpgradeReason.Refused reason = UpgradeReason.Refused.TLS_REQUIRED;
        String detail = "expected '" + request.method() + " " + request.target() + "' to be sent over TLS but it"
                + " came in the clear; offer 'Upgrade: " + protocol + "' with 'Connection: upgrade'";
        byte[] body = Messages.body(reason, detail);
        ResponseHead head = ResponseHead.of(reason.status(), Headers.builder()
                .add(HeaderName.UPGRADE, advertisement)
                .add(HeaderName.CONNECTION, "Upgrade, close")
                .add(HeaderName.CONTENT_TYPE, "text/plain; charset=utf-8")
                .add(HeaderName.CONTENT_LENGTH, Integer.toString(body.length))
                .build());
        return new ErrorAnswer(reason, detail, head);
    }

    /**
     * {@return the {@code Upgrade} value that advertises this switch: {@code TLS/1.2, HTTP/1.1}} A server
     * may announce in any response that TLS is available (RFC 2817 §4.1) with this value and
     * {@code Connection: Upgrade} ({@code HeadEditor.advertise} writes both); {@link #require} uses it.
     */
    public String advertisement() {
        return advertisement;
    }

    /** {@return a new engine of the context in server mode, for the handshake after the 101 on a channel} */
    public SSLEngine serverEngine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        return engine;
    }

    /**
     * Layers TLS, in server mode, over {@code socket} after the 101 was written on it, starting with the
     * bytes already read past the request's head: the start of the client's handshake.
     *
     * @param socket the connected socket that carried the request and the 101; closing the result closes it
     * @param bytesPastHead what was read past the request's head (and its body), consumed here
     * @return the TLS socket; its handshake starts with the first read or write, or {@code startHandshake()}
     * @throws IOException if the socket cannot be layered
     */
    public SSLSocket serverSocket(Socket socket, ByteBuffer bytesPastHead) throws IOException {
        Objects.requireNonNull(socket, "socket");
        byte[] consumed = new byte[bytesPastHead.remaining()];
        bytesPastHead.get(consumed);
        return (SSLSocket) context.getSocketFactory().createSocket(socket,
                new ByteArrayInputStream(consumed), true);
    }

    @Override
    public String toString() {
        return "TlsUpgrade[" + protocol + ", " + context.getProtocol() + "]";
    }
}
