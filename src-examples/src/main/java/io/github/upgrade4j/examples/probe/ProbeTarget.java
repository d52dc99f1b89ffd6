package io.github.upgrade4j.examples.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * One path of a {@code probe}: where to connect and what to ask for there. For the direct path both
 * come from the WebSocket URL; through a reverse proxy the connection goes to the proxy, but the
 * request is the same: the URL's path and {@code Host}, and over TLS the URL's host as server name,
 * since a reverse proxy presents the site's certificate.
 *
 * @param name how the report calls this path: {@code direct} or {@code via HOST:PORT}
 * @param host the host to connect to
 * @param port the port to connect to
 * @param tls whether to speak TLS on the connection
 * @param serverName the TLS server name (SNI) and the name the certificate must carry
 * @param target the request target: the URL's path and query
 * @param hostField the {@code Host} field: the URL's host, with its port unless it is the default
 */
record ProbeTarget(String name, String host, int port, boolean tls, String serverName, String target,
        String hostField) {
    ProbeTarget {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(hostField, "hostField");
    }

    /**
     * The direct path to a {@code ws://} or {@code wss://} URL ({@code http} and {@code https} are taken
     * as their WebSocket twins).
     *
     * @throws IllegalArgumentException if the text is not such a URL
     */
    static ProbeTarget direct(String url) {
        URI uri = parse(url, "a ws:// or wss:// URL");
        boolean tls = secure(uri, url);
        int port = uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80;
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String host = bare(uri.getHost());
        String hostField = (host.contains(":") ? "[" + host + "]" : host) + (uri.getPort() >= 0 && port != (tls ? 443 : 80)
                ? ":" + port : "");
        return new ProbeTarget("direct", host, port, tls, host, target, hostField);
    }

    /**
     * The same request sent to the reverse proxy at {@code proxyUrl} ({@code ws://HOST:PORT},
     * {@code wss://HOST:PORT}, or just {@code HOST:PORT} for plain TCP); the proxy URL's path is ignored.
     *
     * @throws IllegalArgumentException if the text is not such a URL
     */
    ProbeTarget via(String proxyUrl) {
        URI uri = parse(proxyUrl.contains("://") ? proxyUrl : "ws://" + proxyUrl, "a proxy URL like ws://HOST:PORT");
        boolean viaTls = secure(uri, proxyUrl);
        int viaPort = uri.getPort() >= 0 ? uri.getPort() : viaTls ? 443 : 80;
        String viaHost = bare(uri.getHost());
        String shown = (viaHost.contains(":") ? "[" + viaHost + "]" : viaHost) + ":" + viaPort;
        return new ProbeTarget("via " + shown, viaHost, viaPort, viaTls, host, target, hostField);
    }

    /** {@code HOST:PORT} of the connection, with brackets around an IPv6 address. */
    String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Connects, and over TLS completes the TLS handshake, within {@code timeout}. With {@code insecure}
     * any certificate is accepted, for self-signed test servers; otherwise the JDK's default trust
     * store decides and the certificate must name {@link #serverName()}.
     */
    Socket connect(Duration timeout, boolean insecure) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            plain.setSoTimeout((int) timeout.toMillis());
            if (!tls) {
                return plain;
            }
            // The JDK sends serverName as SNI when it is a domain name, and checks the certificate against it.
            SSLSocket socket = (SSLSocket) factory(insecure).createSocket(plain, serverName, port, true);
            SSLParameters parameters = socket.getSSLParameters();
            if (!insecure) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
            parameters.setApplicationProtocols(new String[] {"http/1.1"}); // ALPN: never h2, which has no Upgrade
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private static SSLSocketFactory factory(boolean insecure) throws IOException {
        if (!insecure) {
            return (SSLSocketFactory) SSLSocketFactory.getDefault();
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustingEveryone()}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS without certificate checks: " + e.getMessage(), e);
        }
    }

    /** The trust manager behind {@code --insecure}: accepts any certificate, so a probe can reach a test server. */
    private static final class TrustingEveryone implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // not a server
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // --insecure: the person asked for no check
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    private static URI parse(String text, String expected) {
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("expected " + expected + " but was '" + text + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("expected " + expected + " but was '" + text + "': " + e.getReason());
        }
    }

    private static boolean secure(URI uri, String text) {
        switch (uri.getScheme().toLowerCase(Locale.ROOT)) {
            case "ws":
            case "http":
                return false;
            case "wss":
            case "https":
                return true;
            default:
                throw new IllegalArgumentException("expected a ws, wss, http or https URL but was '" + text + "'");
        }
    }

    /** The host without the brackets a URL puts around an IPv6 address. */
    private static String bare(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
