package io.github.upgrade4j.benchmarks;

import io.github.upgrade4j.benchmarks.ComparisonTable.Test;
import io.github.upgrade4j.benchmarks.Proxies.Target;

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
 * 127.0.0.1: what a user choosing a WebSocket proxy wants to know. The processes ({@link Proxies}) are
 * children stopped by their pid at the end (or on Ctrl-C); the figures and verdicts are in
 * {@link ComparisonTable}.
 *
 * <p>Targets (see {@link Proxies}): {@code ours-splice} and {@code ours-copy} (the example proxy with
 * {@code --relay splice} and {@code --relay copy}), {@code nginx}, {@code nginx-64k}, {@code haproxy},
 * {@code haproxy-splice}, {@code direct}, and the {@code -tls} twins of the proxies. {@code ours-splice}
 * needs Java 22+ on Linux; elsewhere it is left out with a note.
 *
 * <p>Measures, per target and round (targets interleaved, their order rotated each round):
 *
 * <ul>
 *   <li>bulk throughput through 1 tunnel and through 16 at once, upload (client writes 64 KiB chunks,
 *       counted at the sender in steady state) and download (origin writes, counted at the client);
 *   <li>the 64-byte round trip (write 64 B, read the echo), median and p99 of many;
 *   <li>memory per idle tunnel: in a fresh instance of each proxy (after N/2 tunnels opened and
 *       closed), {@code N} tunnels (default 4,000) opened, one byte echoed through each, then idle; the
 *       growth of the proxy's resident set (all its processes, from {@code /proc/PID/status}) between
 *       half of them open and all of them open, divided by the second half's count. A JVM instance runs with a fixed heap touched at start, so that its RSS growth is native
 *       memory only, and adds its heap after a full GC ({@code jcmd PID GC.run}, {@code GC.heap_info});
 *   <li>the proxy's CPU time ({@code /proc/PID/task/TID/schedstat}, all its processes and threads) per
 *       GB in the 1-tunnel bulk runs and per round trip: on a shared machine this is steadier than
 *       throughput or latency, which also depend on when the scheduler runs each process.
 * </ul>
 *
 * <p>Before round 1 an unrecorded pass warms every target up (the JVM's JIT above all).
 * {@code upgrade-benchmarks/scripts/compare.sh} is the intended entry point; by hand:
 *
 * <pre>{@code
 * java -cp upgrade-benchmarks/target/benchmarks.jar io.github.upgrade4j.benchmarks.ProxyComparison \
 *     [--rounds 5] [--seconds 3] [--idle-tunnels 4000] [--quick] [--idle-only] [--targets ours-splice,...] \
 *     [--examples-jar src-examples/target/upgrade-examples.jar] [--work upgrade-benchmarks/target/compare] \
 *     [--out upgrade-benchmarks/results/comparison.json]
 * }</pre>
 */
public final class ProxyComparison {
    private static final List<String> ALL_TARGETS = List.of("ours-splice", "ours-copy", "nginx", "nginx-64k",
            "haproxy", "haproxy-splice", "direct", "ours-tls", "nginx-tls", "nginx-64k-tls", "haproxy-tls");

    private final Options options;
    private final Proxies proxies;
    private final ComparisonTable table;
    private final List<String> loads = new ArrayList<>();

    private ProxyComparison(Options options) {
        this.options = options;
        this.proxies = new Proxies(options.work(), options.examplesJar(), options.idleTunnels());
        this.table = new ComparisonTable(options.targets());
    }

    /** The command-line settings. */
    record Options(int rounds, int seconds, int warmupMillis, int idleTunnels, int roundTrips, List<String> targets,
            Path examplesJar, Path work, Path out, boolean idleOnly) {
        static Options parse(String[] args) {
            Map<String, String> values = new LinkedHashMap<>();
            boolean quick = false;
            boolean idleOnly = false;
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--quick")) {
                    quick = true;
                } else if (args[i].equals("--idle-only")) {
                    idleOnly = true;
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
            List<String> targets = new ArrayList<>(List.of(values.getOrDefault("--targets", String.join(",", ALL_TARGETS))
                    .split(",")));
            for (String target : targets) {
                if (!ALL_TARGETS.contains(target)) {
                    throw new IllegalArgumentException("unknown target '" + target + "'; expected some of " + ALL_TARGETS);
                }
            }
            if (targets.contains("ours-splice") && Runtime.version().feature() < 22) {
                if (values.containsKey("--targets")) {
                    throw new IllegalArgumentException("target ours-splice needs Java 22 or newer to run the proxy;"
                            + " this is Java " + Runtime.version().feature() + " (set JAVA_HOME)");
                }
                System.out.println("note: ours-splice left out: the splice path needs Java 22 or newer, this is Java "
                        + Runtime.version().feature());
                targets.remove("ours-splice");
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
                    Path.of(values.getOrDefault("--out", "upgrade-benchmarks/results/comparison.json")), idleOnly);
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
        Thread stopper = new Thread(comparison.proxies::stopAll, "stop-children");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            comparison.run();
        } finally {
            comparison.proxies.stopAll();
        }
    }

    private void run() throws Exception {
        Files.createDirectories(options.work());
        System.out.printf(Locale.ROOT, "%s%n", machine());
        System.out.printf(Locale.ROOT, "%d round(s), %d s per throughput run after %d ms warm-up, %d round trips,"
                + " %d idle tunnels; targets %s%n", options.rounds(), options.seconds(), options.warmupMillis(),
                options.roundTrips(), options.idleTunnels(), options.targets());
        proxies.startOrigin();
        if (options.targets().stream().anyMatch(Proxies::isTls)) {
            System.out.printf(Locale.ROOT, "TLS targets present %s; clients offer only %s with %s%n",
                    proxies.createTls(), ClientLink.TLS_PROTOCOL, ClientLink.TLS_CIPHER_SUITE);
        }
        List<Target> targets = new ArrayList<>();
        for (String id : options.targets()) {
            targets.add(proxies.start(id, id, false));
        }
        for (Target target : targets) {
            checkTunnel(target);
        }
        // One unrecorded pass, so that no target (the JVM's JIT above all) is measured cold in round 1.
        System.out.println(options.idleOnly() ? "idle memory only" : "warm-up pass (not recorded)");
        for (Target target : options.idleOnly() ? List.<Target>of() : targets) {
            bulk(target, 1, true);
            bulk(target, 1, false);
            roundTrip(target, options.roundTrips() / 4, false);
        }
        table.clear();
        Instant began = Instant.now();
        for (int round = 0; round < options.rounds(); round++) {
            String load = loadAverage();
            loads.add(load);
            System.out.printf(Locale.ROOT, "round %d/%d, load average %s%n", round + 1, options.rounds(), load);
            List<Target> order = new ArrayList<>(targets);
            java.util.Collections.rotate(order, -round);
            List<Test> timed = options.idleOnly() ? List.of()
                    : List.of(Test.BULK_1_UP, Test.BULK_1_DOWN, Test.BULK_16_UP, Test.BULK_16_DOWN);
            for (Test test : timed) {
                for (Target target : order) {
                    int tunnels = test == Test.BULK_16_UP || test == Test.BULK_16_DOWN ? 16 : 1;
                    boolean upload = test == Test.BULK_1_UP || test == Test.BULK_16_UP;
                    table.record(test, target.id(), bulk(target, tunnels, upload));
                    Thread.sleep(200);
                }
            }
            for (Target target : options.idleOnly() ? List.<Target>of() : order) {
                double[] rtt = roundTrip(target, options.roundTrips(), true);
                table.record(Test.RTT, target.id(), rtt[0]);
                table.record(Test.RTT_P99, target.id(), rtt[1]);
            }
            for (Target target : order) {
                idle(target);
            }
            table.printRound();
        }
        loads.add(loadAverage());
        System.out.printf(Locale.ROOT, "load average after: %s (%d s in all)%n", loads.get(loads.size() - 1),
                java.time.Duration.between(began, Instant.now()).toSeconds());
        System.out.println();
        table.print(options.rounds());
        table.writeJson(options.out(), began, machine(), options.rounds(), options.seconds(), options.idleTunnels(),
                loads);
    }

    // ---------------------------------------------------------------------------------------------
    // The client side

    /** Opens a tunnel to {@code path} on the origin through {@code target}; fails unless answered with a 101. */
    private static ClientLink open(Target target, String path) throws IOException {
        ClientLink link = target.connect();
        try {
            link.writeFully(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\n"
                    + "Host: " + Proxies.hostPort(target.address()) + "\r\n"
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
        System.out.printf(Locale.ROOT, "%-13s tunnel OK at %s (%s)%n", target.id(), Proxies.hostPort(target.address()),
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
            long cpuBefore = ProcessMeter.cpuNanos(target);
            long start = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(options.seconds()));
            long moved = bytes.sum() - before;
            long elapsed = System.nanoTime() - start;
            long cpu = ProcessMeter.cpuNanos(target) - cpuBefore;
            if (tunnels == 1 && target.process() != null && moved > 0) {
                table.record(upload ? Test.CPU_BULK_1_UP : Test.CPU_BULK_1_DOWN, target.id(), cpu / 1e6 / (moved / 1e9));
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
                    cpuBefore = ProcessMeter.cpuNanos(target);
                }
                long start = System.nanoTime();
                link.writeFully(message.clear());
                link.readFully(echo.clear());
                if (i >= 0) {
                    nanos[i] = System.nanoTime() - start;
                }
            }
            if (recordCpu && target.process() != null) {
                table.record(Test.CPU_RTT, target.id(), (ProcessMeter.cpuNanos(target) - cpuBefore) / 1000.0 / count);
            }
        }
        Arrays.sort(nanos);
        return new double[] {nanos[nanos.length / 2] / 1000.0, nanos[nanos.length * 99 / 100] / 1000.0};
    }

    /**
     * Opens the idle tunnels through a fresh instance of {@code target} and records the memory each
     * costs: the growth from half of them open to all of them open, per tunnel, the marginal cost of
     * one more idle tunnel.
     *
     * <p>A fresh process, so that every proxy starts from the same state. It first opens, uses and
     * closes half as many tunnels, which brings it to a steady state: the JVM's JIT compiles the
     * handshake's code during the first thousand or two opens, and its compiler arenas leave up to 15 MB
     * of RSS behind once, which spread over 4,000 tunnels looked like 3 to 4 KB each. A pool that keeps
     * what the warm-up's tunnels gave back (HAProxy's, nginx's, malloc's free lists) serves the first
     * half of the measured tunnels from it; the second half exceeds anything the process ever held, so
     * it needs new memory, which is what each idle tunnel costs.
     */
    private void idle(Target running) throws Exception {
        if (running.process() == null) {
            return; // direct: no proxy process whose memory could grow
        }
        Target fresh = proxies.start(running.id(), running.id() + "-idle", true);
        try {
            idle(running, fresh);
        } finally {
            proxies.stop(fresh.process());
        }
    }

    private void idle(Target target, Target instance) throws Exception {
        int n = options.idleTunnels();
        openIdle(instance, n / 2, null).forEach(ProxyComparison::closeQuietly);
        Thread.sleep(2000);
        List<ClientLink> links = new ArrayList<>(n);
        try {
            int first = n / 2;
            openIdle(instance, first, links);
            Thread.sleep(1000);
            long[] before = ProcessMeter.memory(instance);
            openIdle(instance, n - first, links);
            Thread.sleep(1000);
            long[] after = ProcessMeter.memory(instance);
            double rss = (after[0] - before[0]) / (double) (n - first);
            double heap = instance.jvm() ? (after[1] - before[1]) / (double) (n - first) : 0;
            table.record(Test.IDLE_RSS, target.id(), rss);
            if (instance.jvm()) {
                table.record(Test.IDLE_HEAP, target.id(), heap);
            }
            table.record(Test.IDLE_TOTAL, target.id(), rss + heap);
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

    // ---------------------------------------------------------------------------------------------
    // The machine

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
            return ProcessMeter.run(command).lines().findFirst().orElse("?").replaceAll(" - .*", "").trim();
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
}
