package io.github.upgrade4j.examples;

import io.github.upgrade4j.examples.echo.EchoServer;
import io.github.upgrade4j.examples.proxy.ReverseProxy;
import io.github.upgrade4j.examples.support.Lifecycle;
import io.github.upgrade4j.examples.support.TlsSetup;
import io.github.upgrade4j.tunnel.RelayOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The demo's servers: the echo server, and the proxy in front of it on 127.0.0.1, with TLS and a
 * throw-away certificate when asked.
 *
 * @param echo the WebSocket echo origin, plain, on a free port
 * @param proxy the proxy in front of it
 * @param url the page to open
 * @param certificate the throw-away certificate with TLS, else null
 */
public record Demo(EchoServer echo, ReverseProxy proxy, String url, TlsSetup.@Nullable SelfSigned certificate)
        implements AutoCloseable {
    /**
     * Starts the servers, the proxy on 127.0.0.1:{@code port} (0 for any free port), and prints what to
     * open (and, with TLS, how to trust the certificate).
     */
    public static Demo start(int port, boolean tls, PrintStream out) throws IOException {
        return start(port, tls, false, Optional.empty(), out);
    }

    /**
     * Starts the servers as {@link #start(int, boolean, PrintStream)} does, the proxy with HTTP/2 too when
     * {@code http2} (which needs {@code tls}): a browser then loads the page and opens its WebSocket over
     * HTTP/2 (RFC 8441).
     */
    public static Demo start(int port, boolean tls, boolean http2, PrintStream out) throws IOException {
        return start(port, tls, http2, Optional.empty(), out);
    }

    /**
     * Starts the servers as {@link #start(int, boolean, boolean, PrintStream)} does, with the proxy's meters
     * in {@code meters} when given.
     */
    public static Demo start(int port, boolean tls, boolean http2, Optional<MeterRegistry> meters, PrintStream out)
            throws IOException {
        if (http2 && !tls) {
            throw new IllegalArgumentException("expected TLS with HTTP/2: browsers speak HTTP/2 over TLS only");
        }
        TlsSetup.SelfSigned certificate = tls ? TlsSetup.selfSigned() : null;
        EchoServer echo = null;
        try {
            echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), out);
            InetSocketAddress listen = new InetSocketAddress("127.0.0.1", port);
            ReverseProxy.Config config = new ReverseProxy.Config(listen, echo.address(), Duration.ofSeconds(60), 10_000,
                    Duration.ofSeconds(10));
            if (certificate != null) {
                config = config.withTls(certificate.serverContext());
            }
            if (http2) {
                config = config.withHttp2();
            }
            ReverseProxy.Config settings = config;
            ReverseProxy proxy = Lifecycle.listen(listen, () -> meters.isPresent()
                    ? ReverseProxy.start(settings, RelayOptions.standard(), out, meters.get())
                    : ReverseProxy.start(settings, out));
            String url = (tls ? "https" : "http") + "://127.0.0.1:" + proxy.address().getPort() + "/";
            out.println("upgrade4j demo: a WebSocket echo server behind the upgrade4j proxy" + (tls ? ", over TLS" : "")
                    + (http2 ? " with HTTP/2 (WebSockets over HTTP/2, RFC 8441)" : ""));
            out.println("  open " + url + " in a browser and send a message,");
            out.println("  or from a terminal: curl -i -N -H 'Connection: Upgrade' -H 'Upgrade: websocket'"
                    + " -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='"
                    + (certificate != null ? " --cacert " + certificate.pem() : "") + " " + url + "echo");
            if (certificate != null) {
                out.print(certificate.howToTrust(url));
            }
            return new Demo(echo, proxy, url, certificate);
        } catch (IOException | RuntimeException e) {
            if (echo != null) {
                echo.close();
            }
            if (certificate != null) {
                certificate.close();
            }
            throw e;
        }
    }

    /** Stops both servers and deletes the certificate. */
    @Override
    public void close() {
        proxy.close();
        echo.close();
        if (certificate != null) {
            certificate.close();
        }
    }
}
