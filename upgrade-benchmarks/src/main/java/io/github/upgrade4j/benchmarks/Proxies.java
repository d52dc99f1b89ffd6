package io.github.upgrade4j.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLSocketFactory;

/**
 * The processes of a {@link ProxyComparison}: the origin, and each proxy configured as its users
 * configure it, on 127.0.0.1 with free ports. Every process started here is a child stopped by its pid
 * ({@link #stopAll()}), never by name; configurations and logs go to the work directory.
 *
 * <p>The targets:
 * <ul>
 *   <li>{@code ours-splice}, {@code ours-copy}: {@code java -jar upgrade-examples.jar proxy} with
 *       {@code --relay splice} or {@code --relay copy} (JVM defaults; the splice path needs Java 22+,
 *       which the JAR's manifest enables without flags);
 *   <li>{@code nginx}: the classic WebSocket configuration with default buffers; {@code nginx-64k}: the
 *       same with {@code proxy_buffer_size 64k}, the buffer of each direction of an upgraded connection;
 *   <li>{@code haproxy}: {@code mode http} with {@code timeout tunnel}; {@code haproxy-splice}: the
 *       same with {@code option splice-request} and {@code option splice-response}, which make HAProxy
 *       splice every transfer it can;
 *   <li>{@code servlet}: {@code java -jar upgrade-examples.jar servlet-proxy}, the example proxy as a
 *       servlet in embedded Jetty 12, whose tunnels go through the stream relay (blocking streams, a
 *       thread per direction) instead of the NIO relay; not in the default set;
 *   <li>{@code direct}: the client connected to the origin itself;
 *   <li>the {@code -tls} targets: the same proxies listening with TLS ({@code wss}) on one certificate
 *       ({@link TlsMaterial}), TLS 1.3 with {@code TLS_AES_128_GCM_SHA256} only;
 *   <li>the {@code -h2} targets ({@code ours-h2}, {@code haproxy-h2}; {@link H2Comparison}): the same TLS
 *       listener with ALPN {@code h2} and {@code http/1.1}, so that one instance serves WebSockets over
 *       HTTP/2 (RFC 8441 extended CONNECT) and over HTTP/1.1 ({@code wss}): the example proxy with
 *       {@code --http2}, HAProxy with {@code alpn h2,http/1.1} on its {@code bind} line.
 * </ul>
 *
 * <p>A JVM target started for a memory measurement ({@code forMemory}) gets a fixed heap touched at
 * start ({@code -Xms512m -Xmx512m -XX:+AlwaysPreTouch}), so that the growth of its resident set is
 * native memory only, and its heap is measured after a full GC.
 *
 * <p>Each proxy is sized for {@code connections} client connections at once (idle tunnels or waiting
 * clients): nginx's {@code worker_connections} and {@code worker_rlimit_nofile}, HAProxy's
 * {@code maxconn}, the example proxy's tunnel limit. Every child starts under
 * {@code bash -c 'ulimit -Sn L && exec ...'} ({@link Children}) with {@code L} the descriptors that
 * needs, capped at this process's hard limit (which only a privileged user can raise). With
 * {@link #clientTimeouts} every proxy gets the same client header and keep-alive timeouts; without,
 * each keeps its own defaults.
 */
final class Proxies {
    static final InetAddress LOCALHOST = InetAddress.getLoopbackAddress();
    static final List<String> MEMORY_HEAP = List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch");
    /** What HAProxy needs besides two descriptors per connection: listeners, logs, pollers. */
    private static final int HAPROXY_SPARE_FILES = 64;

    /** One thing to connect to: a proxy (with its process) or the origin itself. */
    record Target(String id, InetSocketAddress address, Process process, boolean jvm, SSLSocketFactory tls) {
        /** A new connection to this target: TLS for the {@code -tls} targets, plain for the others. */
        ClientLink connect() throws IOException {
            return tls == null ? ClientLink.plain(address) : ClientLink.tls(tls, address);
        }
    }

    /**
     * Client-side timeouts set alike on every proxy.
     *
     * @param header how long a client may take to send a whole request head (nginx
     *     {@code client_header_timeout}, HAProxy {@code timeout http-request}, ours {@code --header-timeout})
     * @param keepAlive how long a connection may wait for its next request (nginx {@code keepalive_timeout},
     *     HAProxy {@code timeout http-keep-alive}, ours {@code --keep-alive-timeout})
     * @param oursFlags whether the example proxy is passed {@code --header-timeout} and
     *     {@code --keep-alive-timeout}: an example proxy that predates them refuses to start with them
     */
    record ClientTimeouts(Duration header, Duration keepAlive, boolean oursFlags) {}

    private final Path work;
    private final Path examplesJar;
    private final int connections;
    private final Children children;
    private InetSocketAddress origin;
    private TlsMaterial tls;
    private ClientTimeouts timeouts;

    /**
     * Proxies to be started in {@code work}, each sized for {@code connections}.
     *
     * @param work where configurations and logs go
     * @param examplesJar {@code upgrade-examples.jar}
     * @param connections how many client connections each proxy must hold at once
     */
    Proxies(Path work, Path examplesJar, int connections) {
        this.work = work;
        this.examplesJar = examplesJar;
        this.connections = connections;
        this.children = new Children(work);
    }

    /** Sets the client timeouts of the proxies started from now on; null: each proxy's defaults. */
    void clientTimeouts(ClientTimeouts timeouts) {
        this.timeouts = timeouts;
    }

    /** The open-file limit each child starts with: what {@code connections} need, at most this process's hard limit. */
    long fileLimit() {
        long hard = ProcessMeter.openFileLimits()[1];
        long need = 2L * connections + 2048;
        return hard > 0 ? Math.min(need, hard) : need;
    }

    /** Whether target {@code id} listens with TLS ({@code wss}); its figures are compared with the other TLS targets'. */
    static boolean isTls(String id) {
        return id.endsWith("-tls") || isH2(id);
    }

    /** Whether target {@code id} listens with TLS and offers HTTP/2 as well as HTTP/1.1 by ALPN. */
    static boolean isH2(String id) {
        return id.endsWith("-h2");
    }

    /** Makes the certificate the TLS targets share; returns where its PEM is. */
    Path createTls() throws Exception {
        tls = TlsMaterial.create(work.resolve("tls").toAbsolutePath());
        return tls.certificatePem();
    }

    /** Starts the origin every target relays to. */
    Target startOrigin() throws Exception {
        String classpath = Path.of(UpgradeUpstream.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        Process process = launch("upstream", List.of(java(), "-Xss256k", "-cp", classpath,
                UpgradeUpstream.class.getName(), "--listen", "127.0.0.1:0"));
        Target target = new Target("origin", children.listeningAddress(process, "upstream"), process, true, null);
        origin = target.address();
        return target;
    }

    /** Starts target {@code id} in front of the origin; {@code instance} names its log and configuration. */
    Target start(String id, String instance, boolean forMemory) throws Exception {
        String kind = id.endsWith("-tls") ? id.substring(0, id.length() - 4)
                : isH2(id) ? id.substring(0, id.length() - 3) : id;
        return switch (kind) {
            case "ours", "ours-splice", "ours-copy" -> startOurs(id, kind, instance, forMemory);
            case "servlet" -> startServlet(id, instance, forMemory);
            case "nginx" -> startNginx(id, instance, false);
            case "nginx-64k" -> startNginx(id, instance, true);
            case "haproxy" -> startHaproxy(id, instance, false);
            case "haproxy-splice" -> startHaproxy(id, instance, true);
            case "direct" -> new Target("direct", origin, null, false, null);
            default -> throw new IllegalArgumentException("unknown target " + id);
        };
    }

    private Path examplesJar() {
        if (!Files.isRegularFile(examplesJar)) {
            throw new IllegalStateException("no " + examplesJar + ": build it with ./mvnw -B -ntp -DskipTests package");
        }
        return examplesJar;
    }

    private Target startOurs(String id, String kind, String instance, boolean forMemory) throws Exception {
        List<String> command = new ArrayList<>(List.of(java()));
        if (forMemory) {
            command.addAll(MEMORY_HEAP);
        }
        command.addAll(List.of("-jar", examplesJar().toString(), "proxy",
                "--listen", "127.0.0.1:0", "--upstream", hostPort(origin), "--idle-timeout", "1h",
                "--max-tunnels", Integer.toString(Math.max(10_000, connections + 100)), "--drain-grace", "1s"));
        if (timeouts != null && timeouts.oursFlags()) {
            command.addAll(List.of("--header-timeout", seconds(timeouts.header()), "--keep-alive-timeout",
                    seconds(timeouts.keepAlive())));
        }
        if (!kind.equals("ours")) {
            command.addAll(List.of("--relay", kind.substring("ours-".length())));
        }
        if (isTls(id)) {
            command.addAll(List.of("--tls-keystore", tls().keystore().toString(), "--tls-password-file",
                    tls().passwordFile().toString()));
        }
        if (isH2(id)) {
            command.add("--http2");
        }
        Process process = launch(instance, command);
        return new Target(id, children.listeningAddress(process, instance), process, true, clientsFor(id));
    }

    /** The example's other proxy: a servlet in embedded Jetty 12, relaying with the stream relay (a thread per direction). */
    private Target startServlet(String id, String instance, boolean forMemory) throws Exception {
        List<String> command = new ArrayList<>(List.of(java()));
        if (forMemory) {
            command.addAll(MEMORY_HEAP);
        }
        command.addAll(List.of("-jar", examplesJar().toString(), "servlet-proxy", "--listen", "127.0.0.1:0",
                "--upstream", hostPort(origin), "--idle-timeout", "1h",
                "--max-tunnels", Integer.toString(Math.max(10_000, connections + 100))));
        Process process = launch(instance, command);
        return new Target(id, children.listeningAddress(process, instance), process, true, null);
    }

    private Target startNginx(String id, String instance, boolean big) throws Exception {
        Path prefix = work.resolve(instance).toAbsolutePath();
        Files.createDirectories(prefix.resolve("logs"));
        Files.createDirectories(prefix.resolve("tmp"));
        int port = freePort();
        // 64 KiB for each direction of an upgraded connection; proxy_buffers only so that nginx accepts
        // the busy-buffers size that follows from it (it is not used for upgraded connections).
        String buffers = big ? "            proxy_buffer_size 64k;\n            proxy_buffers 4 64k;\n" : "";
        String clientTimeouts = timeouts == null ? "" : "    client_header_timeout %s;\n    keepalive_timeout %s;\n"
                .formatted(seconds(timeouts.header()), seconds(timeouts.keepAlive()));
        // TLS 1.3 with AES-128-GCM only, on the certificate every TLS target presents.
        String ssl = !isTls(id) ? "" : """
                        ssl_certificate %s;
                        ssl_certificate_key %s;
                        ssl_protocols TLSv1.3;
                        ssl_conf_command Ciphersuites %s;
                """.formatted(tls().certificatePem(), tls().keyPem(), ClientLink.TLS_CIPHER_SUITE);
        String config = """
                # The classic WebSocket reverse-proxy configuration; written by ProxyComparison.
                worker_processes auto;
                worker_rlimit_nofile %d;
                daemon off;
                pid %s/nginx.pid;
                error_log %s/logs/error.log warn;
                events {
                    worker_connections %d;
                }
                http {
                %s    access_log %s/logs/access.log;
                    client_body_temp_path %s/tmp/body;
                    proxy_temp_path %s/tmp/proxy;
                    fastcgi_temp_path %s/tmp/fastcgi;
                    uwsgi_temp_path %s/tmp/uwsgi;
                    scgi_temp_path %s/tmp/scgi;
                    map $http_upgrade $connection_upgrade {
                        default upgrade;
                        ''      close;
                    }
                    upstream origin {
                        server %s;
                    }
                    server {
                        listen 127.0.0.1:%d%s;
                %s        location / {
                            proxy_pass http://origin;
                            proxy_http_version 1.1;
                            proxy_set_header Upgrade $http_upgrade;
                            proxy_set_header Connection $connection_upgrade;
                            proxy_set_header Host $host;
                            proxy_read_timeout 1h;
                            proxy_send_timeout 1h;
                %s        }
                    }
                }
                """.formatted(fileLimit(), prefix, prefix, Math.min(2L * connections + 1024, fileLimit() - 1024),
                clientTimeouts, prefix, prefix, prefix, prefix, prefix, prefix, hostPort(origin), port,
                isTls(id) ? " ssl" : "", ssl, buffers);
        Path file = prefix.resolve("nginx.conf");
        Files.writeString(file, config);
        List<String> command = List.of("nginx", "-p", prefix + "/", "-c", file.toString(), "-e",
                prefix.resolve("logs/error.log").toString());
        Children.check(instance, command, "-t");
        Process process = launch(instance, command);
        InetSocketAddress address = new InetSocketAddress(LOCALHOST, port);
        children.awaitPort(process, instance, address);
        return new Target(id, address, process, false, clientsFor(id));
    }

    private Target startHaproxy(String id, String instance, boolean splice) throws Exception {
        Path dir = work.resolve(instance).toAbsolutePath();
        Files.createDirectories(dir);
        int port = freePort();
        // maxconn counts client connections; HAProxy reserves two descriptors for each (the server side
        // too), and refuses to start if the process's hard limit cannot hold them.
        long hard = ProcessMeter.openFileLimits()[1];
        int maxconn = (int) Math.min(connections + 1024L, hard > 0 ? (hard - HAPROXY_SPARE_FILES) / 2 : Long.MAX_VALUE);
        // splice-request/-response: splice every transfer the kernel allows, not only the large ones
        // splice-auto guesses; HAProxy's own advice for forwarding bulk data between sockets.
        String options = splice ? "    option splice-request\n    option splice-response\n" : "";
        // The client timeout must not cut a client before the header or keep-alive timeout does.
        String clientTimeout = timeouts == null ? "30s" : seconds(max(Duration.ofSeconds(30),
                max(timeouts.header(), timeouts.keepAlive())));
        if (timeouts != null) {
            options += "    timeout http-request %s\n    timeout http-keep-alive %s\n"
                    .formatted(seconds(timeouts.header()), seconds(timeouts.keepAlive()));
        }
        String config = """
                # HAProxy in HTTP mode in front of the origin; written by ProxyComparison.
                global
                    maxconn %d

                defaults
                    mode http
                    maxconn %d
                    timeout connect 5s
                    timeout client %s
                    timeout server 30s
                    timeout tunnel 1h
                %s
                frontend proxy
                    bind 127.0.0.1:%d%s
                    default_backend origin

                backend origin
                    server origin %s
                """.formatted(maxconn, maxconn, clientTimeout, options, port, !isTls(id) ? "" : " ssl crt " + tls().combinedPem()
                        + " ssl-min-ver TLSv1.3 ciphersuites " + ClientLink.TLS_CIPHER_SUITE
                        + (isH2(id) ? " alpn h2,http/1.1" : " alpn http/1.1"),
                        hostPort(origin));
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, config);
        Children.check(instance, List.of("haproxy", "-f", file.toString()), "-c");
        Process process = launch(instance, List.of("haproxy", "-db", "-f", file.toString()));
        InetSocketAddress address = new InetSocketAddress(LOCALHOST, port);
        children.awaitPort(process, instance, address);
        return new Target(id, address, process, false, clientsFor(id));
    }

    /**
     * Why HAProxy cannot hold {@code connections} client connections under this process's hard limit of
     * open files, which its children inherit; null if it can. HAProxy reserves two descriptors per
     * connection ({@code maxconn}), whether a connection reaches a server or not, and will not start
     * with more {@code maxconn} than its limit holds.
     */
    String haproxyCannotHold() {
        long hard = ProcessMeter.openFileLimits()[1];
        long need = 2L * (connections + 16) + HAPROXY_SPARE_FILES;
        return hard > 0 && need > hard ? String.format(Locale.ROOT, "HAProxy reserves two open files per connection:"
                + " %,d connections need about %,d, and the hard limit here is %,d (raise it as root, or use fewer)",
                connections, need, hard) : null;
    }

    /** The certificate {@link #createTls} made; fails if it was not made. */
    TlsMaterial tls() {
        if (tls == null) {
            throw new IllegalStateException("no TLS material: no TLS target was asked for");
        }
        return tls;
    }

    private SSLSocketFactory clientsFor(String id) {
        return isTls(id) ? tls().clients() : null;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Process launch(String name, List<String> command) throws IOException {
        return children.launch(name, command, fileLimit());
    }

    /** Stops every process started, newest first, each by its pid. */
    void stopAll() {
        children.stopAll();
    }

    /** Stops one process started here by its pid; see {@link Children#stop}. */
    void stop(Process process) {
        children.stop(process);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, LOCALHOST)) {
            return socket.getLocalPort();
        }
    }

    static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        return new InetSocketAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }

    /** A duration as nginx, HAProxy and the example proxy all read it: whole seconds, else milliseconds. */
    static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
