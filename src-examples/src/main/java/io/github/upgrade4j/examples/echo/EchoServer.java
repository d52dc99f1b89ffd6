package io.github.upgrade4j.examples.echo;

import io.github.upgrade4j.upgrade.TlsUpgrade;
import io.github.upgrade4j.upgrade.UpgradeNegotiator;
import io.github.upgrade4j.upgrade.WebSocketHandshake;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A WebSocket echo server on upgrade4j: the {@link UpgradeNegotiator} decides every request, and
 * this class only carries out the decision.
 *
 * <ul>
 *   <li>Switch: writes the 101 and echoes each message back (text as text, binary as binary,
 *       fragmented ones reassembled), answers pings with pongs and a close with the same close. A
 *       broken rule is answered with a close carrying its code, as soon as the bytes that break it
 *       arrive: 1007 at the first byte that makes a text message invalid UTF-8, even when that is in
 *       the middle of a fragment and the final one has not been sent (RFC 6455 §8.1).
 *   <li>Reject: writes the 400, 403 or 426 with its explanation, and closes.
 *   <li>Ignore: serves plain HTTP/1.1 with keep-alive: {@code GET /} is a small chat page
 *       ({@code demo.html}); an upgrade that was ignored for a reason (a proxy dropped
 *       {@code Connection: upgrade}, say) is answered 200 with the explanation and an
 *       {@code X-Upgrade-Ignored} field; {@code OPTIONS *} is 200 with {@code Allow}; a {@code POST}
 *       of {@code application/ipp} is read (after a {@code 100 Continue} when the client expects one),
 *       logged with its size and whether it came over TLS, and answered 501; anything else is 404. An
 *       offer of protocols this server does not speak (h2c) is served as if absent, with
 *       {@code X-Upgrade-Ignored} too.
 * </ul>
 *
 * <p>Started with a {@link TlsUpgrade} ({@link #start(InetSocketAddress, TlsUpgrade, boolean, PrintStream)}),
 * it also switches to TLS within HTTP/1.1 (RFC 2817), as IPP printers do for {@code ipptool -E}: it writes
 * the 101, layers TLS over the same socket starting with the bytes read past the request's head (the
 * client's handshake, never parsed as HTTP), answers the request that asked for the switch over TLS
 * (§3.3), then serves HTTP/1.1 on the TLS connection as above; WebSocket works there too. With
 * {@code requireTls}, a request for {@code /ipp/...} in the clear is refused with 426 and the
 * advertisement (RFC 2817 §4.2).
 *
 * <pre>{@code
 * try (EchoServer server = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), System.out)) {
 *     URI uri = URI.create("ws://127.0.0.1:" + server.address().getPort() + "/echo");
 *     ...
 * }
 * }</pre>
 *
 * <p>Not a production server: blocking I/O with one thread per connection, TLS only by the upgrade
 * (not on connect), no extensions, no request bodies but IPP ones (a request with another is answered
 * and the connection closed), no IPP either (the body is counted, not parsed).
 */
public final class EchoServer implements AutoCloseable {
    private static final int HTTP_IDLE_TIMEOUT_MILLIS = 60_000;
    private static final int LINGER_MILLIS = 2_000;
    static final String TEXT_PLAIN = "text/plain; charset=utf-8";
    static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final InetSocketAddress address;
    // Read by each EchoConnection.
    final UpgradeNegotiator negotiator;
    /** Decides requests on a connection already switched to TLS: the same, without the TLS handler. */
    final UpgradeNegotiator overTls;
    final @Nullable TlsUpgrade tls;
    final boolean requireTls;
    final PrintStream log;
    final byte[] page;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private EchoServer(ServerSocket server, UpgradeNegotiator negotiator, @Nullable TlsUpgrade tls, boolean requireTls,
            PrintStream log, byte[] page) {
        this.server = server;
        this.address = new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
        this.negotiator = tls == null ? negotiator : UpgradeNegotiator.of(WebSocketHandshake.standard(), tls);
        this.overTls = UpgradeNegotiator.standard();
        this.tls = tls;
        this.requireTls = requireTls;
        this.log = log;
        this.page = page;
        this.acceptor = new Thread(this::acceptLoop, "echo-server " + hostPort(address));
        this.acceptor.setDaemon(true);
    }

    /** Starts a server on {@code listen} (port 0 for any free one) with {@link UpgradeNegotiator#standard()}. */
    public static EchoServer start(InetSocketAddress listen, PrintStream log) throws IOException {
        return start(listen, UpgradeNegotiator.standard(), log);
    }

    /**
     * Starts a server on {@code listen} that decides upgrades with {@code negotiator}, for example one
     * that agrees to the client's first subprotocol:
     * {@code UpgradeNegotiator.of(WebSocketHandshake.builder().subprotocols(offered -> Optional.of(offered.get(0))).build())}.
     * Prints {@code listening on HOST:PORT} to {@code log} once connections are accepted, then a line
     * per answered request.
     */
    public static EchoServer start(InetSocketAddress listen, UpgradeNegotiator negotiator, PrintStream log)
            throws IOException {
        return start(listen, Objects.requireNonNull(negotiator, "negotiator"), null, false, log);
    }

    /**
     * Starts a server on {@code listen} that switches to WebSocket ({@link WebSocketHandshake#standard()})
     * and to TLS with {@code tls} (RFC 2817): {@code ipptool -E ipp://HOST:PORT/ipp/print ...} encrypts its
     * connection here. Logs, besides what every echo server logs, {@code OPTIONS * -> 101 TLS/1.2}, then
     * {@code TLS handshake done (TLSv1.3, ...)}, then each request over TLS with {@code over TLS (TLSv1.3)}.
     *
     * @param listen where to accept connections (port 0 for any free one)
     * @param tls the handler whose context presents the server's certificate
     * @param requireTls whether requests for {@code /ipp/...} in the clear get 426 ({@link TlsUpgrade#require})
     * @param log where the server writes its lines
     */
    public static EchoServer start(InetSocketAddress listen, TlsUpgrade tls, boolean requireTls, PrintStream log)
            throws IOException {
        return start(listen, UpgradeNegotiator.standard(), Objects.requireNonNull(tls, "tls"), requireTls, log);
    }

    private static EchoServer start(InetSocketAddress listen, UpgradeNegotiator negotiator, @Nullable TlsUpgrade tls,
            boolean requireTls, PrintStream log) throws IOException {
        byte[] page = readPage();
        ServerSocket server = new ServerSocket();
        try {
            server.bind(listen);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        EchoServer echo = new EchoServer(server, negotiator, tls, requireTls, log, page);
        echo.acceptor.start();
        log.println("listening on " + hostPort(echo.address));
        return echo;
    }

    /** The address the server listens on, with the actual port. */
    public InetSocketAddress address() {
        return address;
    }

    /** Stops accepting, closes every open connection and waits for the accepting thread to end. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        connections.forEach(EchoServer::closeQuietly);
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.println("echo-server stopped accepting: " + e);
                }
                return;
            }
            connections.add(socket);
            if (closed) { // close() may have run between accept() and add()
                closeQuietly(socket);
                return;
            }
            Thread thread = new Thread(() -> serve(socket), "echo " + socket.getRemoteSocketAddress());
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void serve(Socket socket) {
        String peer = hostPort((InetSocketAddress) socket.getRemoteSocketAddress());
        try (socket) {
            socket.setSoTimeout(HTTP_IDLE_TIMEOUT_MILLIS);
            if (new EchoConnection(this, socket, peer).serve()) {
                lingeringClose(socket);
            }
        } catch (IOException e) {
            if (!closed) {
                log.println("echo " + peer + " -> connection ended: " + e.getMessage());
            }
        } finally {
            connections.remove(socket);
        }
    }


    /**
     * Half-closes, then reads and drops what the client still sends for a moment: closing a socket
     * with unread input makes TCP send a reset, which can destroy the answer before the client has
     * read it (RFC 9112 §9.6).
     */
    private static void lingeringClose(Socket socket) {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(LINGER_MILLIS);
            long deadline = System.nanoTime() + LINGER_MILLIS * 1_000_000L;
            byte[] skipped = new byte[8192];
            while (System.nanoTime() < deadline && socket.getInputStream().read(skipped) >= 0) {
                // drop it
            }
        } catch (IOException e) {
            // a timeout or a reset: the connection is closed next either way
        }
    }

    private static byte[] readPage() throws IOException {
        try (InputStream in = EchoServer.class.getResourceAsStream("demo.html")) {
            if (in == null) {
                throw new IllegalStateException("expected demo.html on the class path next to EchoServer but it is missing");
            }
            return in.readAllBytes();
        }
    }

    static byte[] text(String message) {
        return (message + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static String[] concat(String[] fields, String... more) {
        String[] all = Arrays.copyOf(fields, fields.length + more.length);
        System.arraycopy(more, 0, all, fields.length, more.length);
        return all;
    }

    static String count(int messages) {
        return messages + (messages == 1 ? " message" : " messages");
    }

    /** {@code 127.0.0.1:8080} or {@code [::1]:8080}. */
    static String hostPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing to do: the resource is gone either way
        }
    }
}
