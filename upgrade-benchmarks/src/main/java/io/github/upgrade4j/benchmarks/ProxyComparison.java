package io.github.upgrade4j.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocketFactory;

/**
 * The example proxy side by side with nginx and HAProxy, and with a direct connection, in one run on
 * 127.0.0.1: what a user choosing a WebSocket proxy wants to know. Everything it starts is a child
 * process stopped by its pid at the end (or on Ctrl-C).
 *
 * <p>Processes: one {@link UpgradeUpstream} (the origin: it answers the upgrade with a 101 and then
 * discards, streams or echoes raw bytes), and the proxies in front of it, all on 127.0.0.1 with free
 * ports:
 *
 * <ul>
 *   <li>{@code ours}: {@code java -jar src-examples/target/upgrade-examples.jar proxy} (the example
 *       reverse proxy on upgrade4j's relay; JVM defaults);
 *   <li>{@code nginx}: the classic WebSocket configuration ({@code proxy_http_version 1.1}, {@code
 *       Upgrade}/{@code Connection} via the usual {@code map}) with default buffers;
 *   <li>{@code nginx-64k}: the same with {@code proxy_buffer_size 64k}, the buffer nginx uses for
 *       each direction of an upgraded connection;
 *   <li>{@code haproxy}: {@code mode http} with {@code timeout tunnel};
 *   <li>{@code direct}: the client connected to the origin itself;
 *   <li>{@code ours-tls}, {@code nginx-tls}, {@code nginx-64k-tls}, {@code haproxy-tls}: the same
 *       proxies listening with TLS ({@code wss}), all on one EC P-256 certificate made at start-up
 *       ({@link TlsMaterial}) and speaking plain HTTP/1.1 to the origin; the client offers only TLS 1.3
 *       with {@code TLS_AES_128_GCM_SHA256} (and fails if a proxy chose anything else), nginx and
 *       HAProxy are also configured for that suite only. Their figures are compared with
 *       {@code ours-tls}: a TLS client costs more than a plain one, so they are not comparable with
 *       the plain rows.
 * </ul>
 *
 * <p>Measures, per target and round (targets interleaved, their order rotated each round):
 *
 * <ul>
 *   <li>bulk throughput through 1 tunnel and through 16 at once, upload (client writes 64 KiB chunks,
 *       counted at the sender in steady state) and download (origin writes, counted at the client);
 *   <li>the 64-byte round trip (write 64 B, read the echo), median of many;
 *   <li>memory per idle tunnel: in a fresh instance of each proxy (after 200 tunnels opened and
 *       closed), {@code N} tunnels (default 4,000) opened, one byte echoed through each, then idle; the
 *       growth of the proxy's resident set (all its processes, from {@code /proc/PID/status}) divided
 *       by N; for the JVM also the heap after a full GC ({@code jcmd PID GC.run}, {@code
 *       GC.heap_info}). A direct connection has no proxy process, so no figure;
 *   <li>the proxy's CPU time ({@code /proc/PID/task/TID/schedstat}, all its processes and threads) per
 *       GB in the 1-tunnel bulk runs and per round trip: on a shared machine this is steadier than
 *       throughput or latency, which also depend on when the scheduler runs each process.
 * </ul>
 *
 * <p>Before round 1 an unrecorded pass warms every target up (the JVM's JIT above all).
 *
 * <p>Prints a table of medians and ratios and writes every round's figures as JSON for {@link Plots}.
 * {@code upgrade-benchmarks/scripts/compare.sh} is the intended entry point; by hand:
 *
 * <pre>{@code
 * java -cp upgrade-benchmarks/target/benchmarks.jar io.github.upgrade4j.benchmarks.ProxyComparison \
 *     [--rounds 5] [--seconds 3] [--idle-tunnels 4000] [--quick] \
 *     [--targets ours,nginx,nginx-64k,haproxy,direct,ours-tls,nginx-tls,nginx-64k-tls,haproxy-tls] \
 *     [--examples-jar src-examples/target/upgrade-examples.jar] [--work upgrade-benchmarks/target/compare] \
 *     [--out upgrade-benchmarks/results/comparison.json]
 * }</pre>
 */
public final class ProxyComparison {
    private static final InetAddress LOCALHOST = InetAddress.getLoopbackAddress();
    private static final List<String> ALL_TARGETS = List.of("ours", "nginx", "nginx-64k", "haproxy", "direct",
            "ours-tls", "nginx-tls", "nginx-64k-tls", "haproxy-tls");
    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");
    /** Tunnels each fresh instance opens and closes before the idle-memory baseline. */
    private static final int IDLE_WARMUP = 200;

    /** What is measured, in the order of the table. */
    enum Test {
        BULK_1_UP("bulk-1-up", "bulk, 1 tunnel, upload", "Gbit/s", true),
        BULK_1_DOWN("bulk-1-down", "bulk, 1 tunnel, download", "Gbit/s", true),
        BULK_16_UP("bulk-16-up", "bulk, 16 tunnels, upload", "Gbit/s", true),
        BULK_16_DOWN("bulk-16-down", "bulk, 16 tunnels, download", "Gbit/s", true),
        RTT("rtt-64", "64 B round trip, median", "us", false),
        RTT_P99("rtt-64-p99", "64 B round trip, p99", "us", false),
        IDLE_RSS("idle-rss", "RSS per idle tunnel", "B", false),
        IDLE_HEAP("idle-heap", "JVM heap after GC per idle tunnel", "B", false),
        CPU_BULK_1_UP("cpu-bulk-1-up", "proxy CPU per GB, 1 tunnel, upload", "ms", false),
        CPU_BULK_1_DOWN("cpu-bulk-1-down", "proxy CPU per GB, 1 tunnel, download", "ms", false),
        CPU_RTT("cpu-rtt-64", "proxy CPU per 64 B round trip", "us", false);

        final String id;
        final String title;
        final String unit;
        final boolean higherIsBetter;

        Test(String id, String title, String unit, boolean higherIsBetter) {
            this.id = id;
            this.title = title;
            this.unit = unit;
            this.higherIsBetter = higherIsBetter;
        }
    }

    private final Options options;
    private final List<Process> started = new ArrayList<>();
    private final Map<Test, Map<String, List<Double>>> results = new LinkedHashMap<>();
    private final List<String> loads = new ArrayList<>();
    private final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    private InetSocketAddress origin;
    private TlsMaterial tls;

    private ProxyComparison(Options options) {
        this.options = options;
        for (Test test : Test.values()) {
            results.put(test, new LinkedHashMap<>());
        }
    }

    /** The command-line settings. */
    record Options(int rounds, int seconds, int warmupMillis, int idleTunnels, int roundTrips, List<String> targets,
            Path examplesJar, Path work, Path out) {
        static Options parse(String[] args) {
            Map<String, String> values = new LinkedHashMap<>();
            boolean quick = false;
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--quick")) {
                    quick = true;
                } else if (args[i].startsWith("--") && i + 1 < args.length) {
                    values.put(args[i], args[++i]);
                } else {
                    throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
                }
            }
            List<String> known = List.of("--rounds", "--seconds", "--idle-tunnels", "--round-trips", "--targets",
                    "--examples-jar", "--work", "--out");
            for (String name : values.keySet()) {
                if (!known.contains(name)) {
                    throw new IllegalArgumentException("unknown option '" + name + "'");
                }
            }
            List<String> targets = List.of(values.getOrDefault("--targets", String.join(",", ALL_TARGETS)).split(","));
            for (String target : targets) {
                if (!ALL_TARGETS.contains(target)) {
                    throw new IllegalArgumentException("unknown target '" + target + "'; expected some of " + ALL_TARGETS);
                }
            }
            return new Options(
                    Integer.parseInt(values.getOrDefault("--rounds", quick ? "1" : "5")),
                    Integer.parseInt(values.getOrDefault("--seconds", quick ? "1" : "3")),
                    quick ? 500 : 1000,
                    Integer.parseInt(values.getOrDefault("--idle-tunnels", quick ? "1000" : "4000")),
                    Integer.parseInt(values.getOrDefault("--round-trips", quick ? "5000" : "20000")),
                    targets,
                    Path.of(values.getOrDefault("--examples-jar", "src-examples/target/upgrade-examples.jar")),
                    Path.of(values.getOrDefault("--work", "upgrade-benchmarks/target/compare")),
                    Path.of(values.getOrDefault("--out", "upgrade-benchmarks/results/comparison.json")));
        }
    }

    /** One thing to connect to: a proxy (with its process) or the origin itself. */
    record Target(String id, InetSocketAddress address, Process process, boolean jvm,
            SSLSocketFactory tls) {
        Target(String id, InetSocketAddress address, Process process, boolean jvm) {
            this(id, address, process, jvm, null);
        }

        /** A new connection to this target: TLS for the {@code -tls} targets, plain for the others. */
        ClientLink connect() throws IOException {
            return tls == null ? ClientLink.plain(address) : ClientLink.tls(tls, address);
        }
    }

    /**
     * Runs the comparison and prints the table.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            System.err.println("error: ProxyComparison reads /proc and needs Linux");
            System.exit(2);
        }
        ProxyComparison comparison = new ProxyComparison(options);
        Thread stopper = new Thread(comparison::stopAll, "stop-children");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            comparison.run();
        } finally {
            comparison.stopAll();
        }
    }

    private void run() throws Exception {
        Files.createDirectories(options.work());
        System.out.printf(Locale.ROOT, "%s%n", machine());
        System.out.printf(Locale.ROOT, "%d round(s), %d s per throughput run after %d ms warm-up, %d round trips,"
                + " %d idle tunnels; targets %s%n", options.rounds(), options.seconds(), options.warmupMillis(),
                options.roundTrips(), options.idleTunnels(), options.targets());
        Target origin = startUpstream();
        this.origin = origin.address();
        if (options.targets().stream().anyMatch(ProxyComparison::isTls)) {
            tls = TlsMaterial.create(options.work().resolve("tls").toAbsolutePath());
            System.out.printf(Locale.ROOT, "TLS targets present %s; clients offer only %s with %s%n",
                    tls.certificatePem(), ClientLink.TLS_PROTOCOL, ClientLink.TLS_CIPHER_SUITE);
        }
        List<Target> targets = new ArrayList<>();
        for (String id : options.targets()) {
            targets.add(start(id, id));
        }
        for (Target target : targets) {
            checkTunnel(target);
        }
        // One unrecorded pass, so that no target (the JVM's JIT above all) is measured cold in round 1.
        System.out.println("warm-up pass (not recorded)");
        for (Target target : targets) {
            bulk(target, 1, true);
            bulk(target, 1, false);
            roundTrip(target, options.roundTrips() / 4, false);
        }
        results.values().forEach(Map::clear);
        Instant began = Instant.now();
        for (int round = 0; round < options.rounds(); round++) {
            String load = loadAverage();
            loads.add(load);
            System.out.printf(Locale.ROOT, "round %d/%d, load average %s%n", round + 1, options.rounds(), load);
            List<Target> order = new ArrayList<>(targets);
            java.util.Collections.rotate(order, -round);
            for (Test test : List.of(Test.BULK_1_UP, Test.BULK_1_DOWN, Test.BULK_16_UP, Test.BULK_16_DOWN)) {
                for (Target target : order) {
                    int tunnels = test == Test.BULK_16_UP || test == Test.BULK_16_DOWN ? 16 : 1;
                    boolean upload = test == Test.BULK_1_UP || test == Test.BULK_16_UP;
                    record(test, target, bulk(target, tunnels, upload));
                    Thread.sleep(200);
                }
            }
            for (Target target : order) {
                double[] rtt = roundTrip(target, options.roundTrips(), true);
                record(Test.RTT, target, rtt[0]);
                record(Test.RTT_P99, target, rtt[1]);
            }
            for (Target target : order) {
                idle(target);
            }
            printRound();
        }
        loads.add(loadAverage());
        System.out.printf(Locale.ROOT, "load average after: %s (%d s in all)%n", loads.get(loads.size() - 1),
                java.time.Duration.between(began, Instant.now()).toSeconds());
        System.out.println();
        printTable();
        writeJson(began);
    }

    // ---------------------------------------------------------------------------------------------
    // Processes

    private Process launch(String name, List<String> command) throws IOException {
        Path log = options.work().resolve(name + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        synchronized (started) {
            started.add(process);
        }
        System.out.printf(Locale.ROOT, "started %s: pid %d, log %s%n", name, process.pid(), log);
        return process;
    }

    /** Stops every process started, newest first, each by its pid. */
    private void stopAll() {
        List<Process> processes;
        synchronized (started) {
            processes = new ArrayList<>(started);
        }
        java.util.Collections.reverse(processes);
        processes.forEach(this::stop);
    }

    /** Stops one process started here by its pid: SIGTERM, then SIGKILL after 10 s; nginx's workers too. */
    private void stop(Process process) {
        synchronized (started) {
            if (!started.remove(process)) {
                return;
            }
        }
        List<ProcessHandle> children = process.descendants().collect(Collectors.toList());
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) { // nginx's workers, should the master have died first
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
        System.out.printf(Locale.ROOT, "stopped pid %d%n", process.pid());
    }

    /** Starts target {@code id} in front of the origin; {@code instance} names its log and configuration. */
    private Target start(String id, String instance) throws Exception {
        return switch (id) {
            case "ours", "ours-tls" -> startOurs(id, instance);
            case "nginx", "nginx-tls" -> startNginx(id, instance, false);
            case "nginx-64k", "nginx-64k-tls" -> startNginx(id, instance, true);
            case "haproxy", "haproxy-tls" -> startHaproxy(id, instance);
            default -> new Target("direct", origin, null, false);
        };
    }

    /** Whether target {@code id} listens with TLS ({@code wss}); its figures are compared with the other TLS targets'. */
    static boolean isTls(String id) {
        return id.endsWith("-tls");
    }

    private TlsMaterial tls() {
        if (tls == null) {
            throw new IllegalStateException("no TLS material: no TLS target was asked for");
        }
        return tls;
    }

    private SSLSocketFactory clientsFor(String id) {
        return isTls(id) ? tls().clients() : null;
    }

    private String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Target startUpstream() throws Exception {
        String classpath = Path.of(UpgradeUpstream.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        Process process = launch("upstream", List.of(java(), "-Xss256k", "-cp", classpath,
                UpgradeUpstream.class.getName(), "--listen", "127.0.0.1:0"));
        return new Target("origin", listeningAddress(process, "upstream"), process, true);
    }

    private Target startOurs(String id, String instance) throws Exception {
        if (!Files.isRegularFile(options.examplesJar())) {
            throw new IllegalStateException("no " + options.examplesJar() + ": build it with ./mvnw -B -ntp -DskipTests package");
        }
        List<String> command = new ArrayList<>(List.of(java(), "-jar", options.examplesJar().toString(), "proxy",
                "--listen", "127.0.0.1:0", "--upstream", hostPort(origin), "--idle-timeout", "1h",
                "--max-tunnels", Integer.toString(Math.max(10_000, options.idleTunnels() + 100)), "--drain-grace", "1s"));
        if (isTls(id)) {
            command.addAll(List.of("--tls-keystore", tls().keystore().toString(), "--tls-password-file",
                    tls().passwordFile().toString()));
        }
        Process process = launch(instance, command);
        return new Target(id, listeningAddress(process, instance), process, true, clientsFor(id));
    }

    private Target startNginx(String id, String instance, boolean big) throws Exception {
        Path prefix = options.work().resolve(instance).toAbsolutePath();
        Files.createDirectories(prefix.resolve("logs"));
        Files.createDirectories(prefix.resolve("tmp"));
        int port = freePort();
        // 64 KiB for each direction of an upgraded connection; proxy_buffers only so that nginx accepts
        // the busy-buffers size that follows from it (it is not used for upgraded connections).
        String buffers = big ? "            proxy_buffer_size 64k;\n            proxy_buffers 4 64k;\n" : "";
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
                    access_log %s/logs/access.log;
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
                """.formatted(fileLimit(), prefix, prefix, 2 * options.idleTunnels() + 1024, prefix, prefix, prefix, prefix,
                prefix, prefix, hostPort(origin), port, isTls(id) ? " ssl" : "", ssl, buffers);
        Path file = prefix.resolve("nginx.conf");
        Files.writeString(file, config);
        List<String> command = List.of("nginx", "-p", prefix + "/", "-c", file.toString(), "-e",
                prefix.resolve("logs/error.log").toString());
        check(instance, command, "-t");
        Process process = launch(instance, command);
        InetSocketAddress address = new InetSocketAddress(LOCALHOST, port);
        awaitPort(process, instance, address);
        return new Target(id, address, process, false, clientsFor(id));
    }

    private Target startHaproxy(String id, String instance) throws Exception {
        Path dir = options.work().resolve(instance).toAbsolutePath();
        Files.createDirectories(dir);
        int port = freePort();
        int maxconn = 2 * options.idleTunnels() + 1024;
        String config = """
                # HAProxy in HTTP mode in front of the origin; written by ProxyComparison.
                global
                    maxconn %d

                defaults
                    mode http
                    maxconn %d
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                    timeout tunnel 1h

                frontend proxy
                    bind 127.0.0.1:%d%s
                    default_backend origin

                backend origin
                    server origin %s
                """.formatted(maxconn, maxconn, port, !isTls(id) ? "" : " ssl crt " + tls().combinedPem()
                        + " ssl-min-ver TLSv1.3 ciphersuites " + ClientLink.TLS_CIPHER_SUITE + " alpn http/1.1",
                        hostPort(origin));
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, config);
        check(instance, List.of("haproxy", "-f", file.toString()), "-c");
        Process process = launch(instance, List.of("haproxy", "-db", "-f", file.toString()));
        InetSocketAddress address = new InetSocketAddress(LOCALHOST, port);
        awaitPort(process, instance, address);
        return new Target(id, address, process, false, clientsFor(id));
    }

    /** Runs {@code command} with {@code flag} added (a configuration check) and fails with its output if it fails. */
    private static void check(String name, List<String> command, String flag) throws Exception {
        List<String> checking = new ArrayList<>(command);
        checking.add(flag);
        Process process = new ProcessBuilder(checking).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(name + " rejected its configuration:\n" + output);
        }
    }

    private int fileLimit() {
        return 2 * options.idleTunnels() + 2048;
    }

    private InetSocketAddress listeningAddress(Process process, String name) throws Exception {
        Path log = options.work().resolve(name + ".log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                Matcher matcher = LISTENING.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
                if (matcher.find()) {
                    return new InetSocketAddress(matcher.group(1), Integer.parseInt(matcher.group(2)));
                }
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(name + " did not print 'listening on HOST:PORT'; see " + log + ":\n"
                + (Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : ""));
    }

    private void awaitPort(Process process, String name, InetSocketAddress address) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                new Socket(address.getAddress(), address.getPort()).close();
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        Path log = options.work().resolve(name + ".log");
        throw new IllegalStateException(name + " is not accepting on " + address + "; see " + log + ":\n"
                + (Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : ""));
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

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    // ---------------------------------------------------------------------------------------------
    // The client side

    /** Opens a tunnel to {@code path} on the origin through {@code target}; fails unless answered with a 101. */
    private static ClientLink open(Target target, String path) throws IOException {
        ClientLink link = target.connect();
        try {
            link.writeFully(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\n"
                    + "Host: " + hostPort(target.address()) + "\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "\r\n").getBytes(StandardCharsets.ISO_8859_1)));
            ByteBuffer head = ByteBuffer.allocate(16 * 1024);
            int end;
            while ((end = UpgradeUpstream.endOfHead(head)) < 0) {
                if (!head.hasRemaining() || link.read(head) < 0) {
                    throw new IOException(target.id() + " closed the connection before a whole answer head");
                }
            }
            String answer = new String(head.array(), 0, end, StandardCharsets.ISO_8859_1);
            if (!answer.startsWith("HTTP/1.1 101 ")) {
                throw new IOException(target.id() + " answered the upgrade with " + answer.lines().findFirst().orElse(""));
            }
            return link;
        } catch (IOException | RuntimeException e) {
            link.close();
            throw e;
        }
    }

    private static void checkTunnel(Target target) throws IOException {
        String negotiated;
        try (ClientLink link = open(target, "/echo")) {
            ByteBuffer hello = ByteBuffer.wrap("hello".getBytes(StandardCharsets.ISO_8859_1));
            link.writeFully(hello);
            ByteBuffer echo = ByteBuffer.allocate(5);
            link.readFully(echo);
            if (!Arrays.equals(echo.array(), hello.array())) {
                throw new IllegalStateException(target.id() + " did not echo through the tunnel");
            }
            negotiated = link.describe();
        }
        System.out.printf(Locale.ROOT, "%-13s tunnel OK at %s (%s)%n", target.id(), hostPort(target.address()),
                negotiated);
    }

    /** Gbit/s through {@code tunnels} tunnels at once, uploading (counted at the sender) or downloading. */
    private double bulk(Target target, int tunnels, boolean upload) throws Exception {
        List<ClientLink> links = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        LongAdder bytes = new LongAdder();
        AtomicBoolean running = new AtomicBoolean(true);
        try {
            for (int i = 0; i < tunnels; i++) {
                ClientLink link = open(target, upload ? "/discard" : "/stream");
                links.add(link);
                Thread thread = new Thread(() -> {
                    ByteBuffer chunk = link.buffer(UpgradeUpstream.CHUNK);
                    try {
                        while (running.get()) {
                            chunk.clear();
                            int n;
                            if (upload) {
                                link.writeFully(chunk);
                                n = UpgradeUpstream.CHUNK;
                            } else {
                                n = link.read(chunk);
                            }
                            if (n < 0) {
                                return;
                            }
                            bytes.add(n);
                        }
                    } catch (IOException e) {
                        // closed at the end of the run
                    }
                }, "bulk");
                thread.setDaemon(true);
                threads.add(thread);
            }
            threads.forEach(Thread::start);
            Thread.sleep(options.warmupMillis());
            long before = bytes.sum();
            long cpuBefore = cpuNanos(target);
            long start = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(options.seconds()));
            long moved = bytes.sum() - before;
            long elapsed = System.nanoTime() - start;
            long cpu = cpuNanos(target) - cpuBefore;
            if (tunnels == 1 && target.process() != null && moved > 0) {
                record(upload ? Test.CPU_BULK_1_UP : Test.CPU_BULK_1_DOWN, target, cpu / 1e6 / (moved / 1e9));
            }
            return moved * 8.0 / elapsed; // bits per nanosecond = Gbit/s
        } finally {
            // The threads stop at their next chunk; a TLS socket is closed only once no thread is inside
            // it, since closing sends close_notify under the lock a blocked writer holds.
            running.set(false);
            for (Thread thread : threads) {
                thread.join(5000);
            }
            for (ClientLink link : links) {
                link.close();
            }
            for (Thread thread : threads) {
                thread.join(5000);
            }
        }
    }

    /** Median and 99th percentile microseconds of a 64-byte echo through {@code target}. */
    private double[] roundTrip(Target target, int count, boolean recordCpu) throws IOException {
        int warmup = count / 4;
        long[] nanos = new long[count];
        long cpuBefore = 0;
        try (ClientLink link = open(target, "/echo")) {
            ByteBuffer message = link.buffer(64);
            ByteBuffer echo = link.buffer(64);
            for (int i = -warmup; i < nanos.length; i++) {
                if (i == 0) {
                    cpuBefore = cpuNanos(target);
                }
                long start = System.nanoTime();
                link.writeFully(message.clear());
                link.readFully(echo.clear());
                if (i >= 0) {
                    nanos[i] = System.nanoTime() - start;
                }
            }
            if (recordCpu && target.process() != null) {
                record(Test.CPU_RTT, target, (cpuNanos(target) - cpuBefore) / 1000.0 / count);
            }
        }
        Arrays.sort(nanos);
        return new double[] {nanos[nanos.length / 2] / 1000.0, nanos[nanos.length * 99 / 100] / 1000.0};
    }

    /**
     * Opens the idle tunnels through a fresh instance of {@code target} and records the memory each
     * costs. A fresh process, because a process that already held thousands of tunnels keeps the memory
     * (HAProxy's pools, malloc's arenas, the JVM's committed heap) and would show almost no growth the
     * second time. The instance first opens, uses and closes {@link #IDLE_WARMUP} tunnels, so that the
     * baseline includes what any running proxy has (code paths loaded, the JVM's first compilations).
     */
    private void idle(Target running) throws Exception {
        if (running.process() == null) {
            return; // direct: no proxy process whose memory could grow
        }
        Target fresh = start(running.id(), running.id() + "-idle");
        try {
            idle(running, fresh);
        } finally {
            stop(fresh.process());
        }
    }

    private void idle(Target target, Target instance) throws Exception {
        int n = options.idleTunnels();
        openIdle(instance, Math.min(IDLE_WARMUP, n), null).forEach(ProxyComparison::closeQuietly);
        Thread.sleep(1000);
        long[] before = memory(instance);
        List<ClientLink> links = new ArrayList<>(n);
        try {
            openIdle(instance, n, links);
            Thread.sleep(1000);
            long[] after = memory(instance);
            record(Test.IDLE_RSS, target, (after[0] - before[0]) / (double) n);
            if (instance.jvm()) {
                record(Test.IDLE_HEAP, target, (after[1] - before[1]) / (double) n);
            }
        } finally {
            links.forEach(ProxyComparison::closeQuietly);
        }
        Thread.sleep(1000); // let the proxy close its legs
    }

    /** Opens {@code n} tunnels through {@code target} and echoes one byte through each; adds them to {@code into}. */
    private static List<ClientLink> openIdle(Target target, int n, List<ClientLink> into) throws IOException {
        List<ClientLink> links = into == null ? new ArrayList<>(n) : into;
        for (int i = 0; i < n; i++) {
            ClientLink link = open(target, "/echo");
            links.add(link);
            ByteBuffer one = link.buffer(1);
            link.writeFully(one); // one byte each way: used, now idle
            link.readFully(one.clear());
        }
        return links;
    }

    private static void closeQuietly(ClientLink link) {
        try {
            link.close();
        } catch (IOException e) {
            // best effort
        }
    }

    /** Resident set of the target's processes and heap after a full GC (JVM), in bytes. */
    private long[] memory(Target target) throws Exception {
        long heap = 0;
        if (target.jvm()) {
            heap = heapAfterGc(target.process().pid());
        }
        long rss = 0;
        if (target.process() != null) {
            rss = Stream.concat(Stream.of(target.process().toHandle()), target.process().descendants())
                    .mapToLong(handle -> residentSetSize(handle.pid())).sum();
        }
        return new long[] {rss, heap};
    }

    private long heapAfterGc(long pid) throws Exception {
        if (!Files.isExecutable(jcmd)) {
            return 0;
        }
        run(jcmd.toString(), Long.toString(pid), "GC.run");
        Thread.sleep(200);
        String info = run(jcmd.toString(), Long.toString(pid), "GC.heap_info");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(info);
        return used.find() ? Long.parseLong(used.group(1)) * 1024 : 0;
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output;
    }

    /**
     * CPU time the target's processes have used so far, in nanoseconds: the sum over their threads of
     * {@code /proc/PID/task/TID/schedstat}'s first field (time on a CPU). Threads that ended are not
     * counted, which only matters for the proxies' short-lived handshake threads.
     */
    private static long cpuNanos(Target target) {
        if (target.process() == null) {
            return 0;
        }
        return Stream.concat(Stream.of(target.process().toHandle()), target.process().descendants())
                .mapToLong(handle -> {
                    long sum = 0;
                    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + handle.pid() + "/task"))) {
                        for (Path task : (Iterable<Path>) tasks::iterator) {
                            try {
                                sum += Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split(" ")[0]);
                            } catch (IOException | RuntimeException e) {
                                // the thread ended meanwhile
                            }
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                    return sum;
                }).sum();
    }

    static long residentSetSize(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux
        }
        return 0;
    }

    // ---------------------------------------------------------------------------------------------
    // Results

    private void record(Test test, Target target, double value) {
        results.get(test).computeIfAbsent(target.id(), k -> new ArrayList<>()).add(value);
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private double median(Test test, String target) {
        List<Double> values = results.get(test).get(target);
        return values == null ? Double.NaN : median(values);
    }

    private void printRound() {
        StringBuilder line = new StringBuilder("  this round:");
        for (Test test : List.of(Test.BULK_1_UP, Test.BULK_1_DOWN, Test.RTT, Test.IDLE_RSS)) {
            line.append(' ').append(test.id).append(" {");
            results.get(test).forEach((target, values) -> line.append(String.format(Locale.ROOT, " %s %.4g",
                    target, values.get(values.size() - 1))));
            line.append(" }");
        }
        System.out.println(line);
    }

    private static String format(double value, Test test) {
        if (Double.isNaN(value)) {
            return "-";
        }
        if (test.unit.equals("B") || value >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return String.format(Locale.ROOT, value >= 100 ? "%.0f" : "%.2f", value);
    }

    private void printTable() {
        List<String> targets = options.targets();
        // Each anchor is compared with ours of its own kind: plain with "ours", TLS with "ours-tls".
        List<String> anchors = targets.stream().filter(t -> !t.startsWith("ours") && targets.contains(ours(t)))
                .collect(Collectors.toList());
        Map<Test, String> labels = new LinkedHashMap<>();
        for (Test test : Test.values()) {
            if (!results.get(test).isEmpty()) {
                labels.put(test, test.title + " (" + test.unit + ", " + (test.higherIsBetter ? "higher" : "lower")
                        + " is better)");
            }
        }
        int width = labels.values().stream().mapToInt(String::length).max().orElse(10) + 1;
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s",
                "median of " + options.rounds() + " round(s)"));
        targets.forEach(t -> header.append(String.format(Locale.ROOT, " %" + Math.max(9, t.length()) + "s", t)));
        anchors.forEach(a -> header.append(String.format(Locale.ROOT, " %" + ratioWidth(a) + "s", ours(a) + "/" + a)));
        System.out.println(header);
        labels.forEach((test, label) -> {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", label));
            targets.forEach(t -> row.append(String.format(Locale.ROOT, " %" + Math.max(9, t.length()) + "s",
                    format(median(test, t), test))));
            for (String anchor : anchors) {
                double ratio = median(test, ours(anchor)) / median(test, anchor);
                row.append(String.format(Locale.ROOT, " %" + ratioWidth(anchor) + "s",
                        Double.isNaN(ratio) || Double.isInfinite(ratio) ? "-" : String.format(Locale.ROOT, "%.2f", ratio)));
            }
            System.out.println(row);
        });
        System.out.println("(direct has no proxy process: no memory or CPU figure. The -tls targets are reached over"
                + " TLS 1.3 (wss) and compared with ours-tls. A ratio above 1 favours ours where higher is better,"
                + " below 1 where lower is better.)");
        System.out.println();
        if (targets.contains("ours-tls")) {
            System.out.println("Targets for wss (issue 10: no slower than nginx with ssl, same certificate, TLS 1.3,"
                    + " AES-128-GCM):");
            for (Test test : List.of(Test.BULK_1_UP, Test.BULK_1_DOWN)) {
                double ours = median(test, "ours-tls");
                verdict("wss " + test.title + " >= nginx-tls", ours / median(test, "nginx-tls"), 1.0, true);
                verdict("wss " + test.title + " >= nginx-64k-tls", ours / median(test, "nginx-64k-tls"), 1.0, true);
            }
            verdict("wss 64 B round trip no slower than nginx-tls (ours-tls/nginx-tls <= 1)",
                    median(Test.RTT, "ours-tls") / median(Test.RTT, "nginx-tls"), 1.0, false);
        }
        if (!targets.contains("ours")) {
            return;
        }
        System.out.println("Targets (issue 7):");
        for (Test test : List.of(Test.BULK_1_UP, Test.BULK_1_DOWN)) {
            double ours = median(test, "ours");
            verdict(test.title + " >= 2x nginx (default buffers)", ours / median(test, "nginx"), 2.0, true);
            double better = Math.max(orZero(median(test, "nginx-64k")), orZero(median(test, "haproxy")));
            verdict(test.title + " >= 1.2x the better of nginx-64k and haproxy", ours / better, 1.2, true);
        }
        verdict("64 B round trip no slower than nginx (ours/nginx <= 1)", median(Test.RTT, "ours")
                / median(Test.RTT, "nginx"), 1.0, false);
        double rss = median(Test.IDLE_RSS, "ours");
        verdict(String.format(Locale.ROOT, "idle tunnel <= 2 KiB (RSS %,.0f B, heap %,.0f B per tunnel)", rss,
                median(Test.IDLE_HEAP, "ours")), rss / 2048, 1.0, false);
    }

    /** The ours target an anchor is compared with: {@code ours-tls} for a TLS anchor, {@code ours} otherwise. */
    private static String ours(String anchor) {
        return isTls(anchor) ? "ours-tls" : "ours";
    }

    private static int ratioWidth(String anchor) {
        return Math.max(14, ours(anchor).length() + anchor.length() + 2);
    }

    private static double orZero(double value) {
        return Double.isNaN(value) ? 0 : value;
    }

    private static void verdict(String what, double value, double bound, boolean atLeast) {
        String state = Double.isNaN(value) || Double.isInfinite(value) ? "not measured"
                : (atLeast ? value >= bound : value <= bound) ? "MET" : "MISSED";
        System.out.printf(Locale.ROOT, "  %-80s %6.2f  %s%n", what, value, state);
    }

    private String machine() {
        String cpu = "unknown CPU";
        long memory = 0;
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
            memory = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0) / 1024 / 1024;
        } catch (IOException e) {
            // not Linux
        }
        return String.format(Locale.ROOT, "%d x %s, %d GiB, Linux %s, Java %s, %s, %s, load average %s",
                Runtime.getRuntime().availableProcessors(), cpu, memory, System.getProperty("os.version"),
                System.getProperty("java.version"), version("nginx", "-v"), version("haproxy", "-v"), loadAverage());
    }

    private static String version(String... command) {
        try {
            return run(command).lines().findFirst().orElse("?").replaceAll(" - .*", "").trim();
        } catch (Exception e) {
            return command[0] + " not found";
        }
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private void writeJson(Instant began) throws IOException {
        StringBuilder json = new StringBuilder("{\n");
        json.append("  \"started\": ").append(Json.quote(began.toString())).append(",\n");
        json.append("  \"machine\": ").append(Json.quote(machine())).append(",\n");
        json.append("  \"rounds\": ").append(options.rounds()).append(",\n");
        json.append("  \"seconds\": ").append(options.seconds()).append(",\n");
        json.append("  \"idleTunnels\": ").append(options.idleTunnels()).append(",\n");
        json.append("  \"targets\": [").append(options.targets().stream().map(Json::quote)
                .collect(Collectors.joining(", "))).append("],\n");
        json.append("  \"loadAverages\": [").append(loads.stream().map(Json::quote).collect(Collectors.joining(", ")))
                .append("],\n");
        json.append("  \"tests\": [\n");
        List<String> tests = new ArrayList<>();
        for (Test test : Test.values()) {
            StringBuilder t = new StringBuilder();
            t.append("    {\"id\": ").append(Json.quote(test.id)).append(", \"title\": ").append(Json.quote(test.title))
                    .append(", \"unit\": ").append(Json.quote(test.unit)).append(", \"higherIsBetter\": ")
                    .append(test.higherIsBetter).append(",\n      \"values\": {");
            t.append(results.get(test).entrySet().stream().map(e -> Json.quote(e.getKey()) + ": ["
                    + e.getValue().stream().map(v -> String.format(Locale.ROOT, "%.4f", v))
                            .collect(Collectors.joining(", ")) + "]").collect(Collectors.joining(", ")));
            t.append("}}");
            tests.add(t.toString());
        }
        json.append(String.join(",\n", tests)).append("\n  ]\n}\n");
        Path out = options.out();
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, json);
        System.out.println("wrote " + out);
    }
}
