package io.github.upgrade4j.benchmarks;

import io.github.upgrade4j.benchmarks.ComparisonTable.Test;
import io.github.upgrade4j.benchmarks.Proxies.Target;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.eclipse.jetty.http2.frames.SettingsFrame;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * WebSockets over HTTP/2 (RFC 8441, extended CONNECT) against WebSockets over HTTP/1.1 ({@code wss}),
 * in the same run and through the same proxy instance (issue 20): each proxy listens once with TLS and
 * ALPN {@code h2,http/1.1} ({@link Proxies}' {@code -h2} targets), and the client reaches it both ways.
 * The columns are {@code PROXY/h1} (a TLS connection per WebSocket, HTTP/1.1 upgrade, as
 * {@link ProxyComparison}'s {@code -tls} targets) and {@code PROXY/h2} (a stream per WebSocket on an
 * HTTP/2 connection, Jetty's client in {@link H2Tunnels}). Both send RFC 6455 frames, masked
 * ({@link WebSocketFraming}), to the same origin ({@link UpgradeUpstream}'s {@code /ws-} paths); every
 * proxy turns the HTTP/2 stream into an HTTP/1.1 upgrade toward it.
 *
 * <p>Measures, per column and round (their order rotated each round, after one unrecorded warm-up
 * pass): bulk throughput through one WebSocket both ways (64 KiB payloads; upload counted at the
 * sender, download at the client, both in payload bytes), the 64-byte round trip (median and p99), the
 * proxy's CPU per GB and per round trip, and memory per idle WebSocket in a fresh instance with a fixed
 * heap: half of the WebSockets opened and closed, then the growth from half of them open to all of them
 * open, divided by that half. Over HTTP/2 the idle WebSockets are streams spread evenly over a few
 * connections opened first, so the figure is the cost of one more stream on an open connection; over
 * HTTP/1.1 it is one more TLS connection.
 *
 * <p>The example proxy is {@code ours}; without {@code --http2} in its command line (a build that
 * predates it) {@code --ours-http2 auto} runs it over HTTP/1.1 only, with a note.
 * {@code upgrade-benchmarks/scripts/h2.sh} is the intended entry point; {@code --help} lists every option.
 */
public final class H2Comparison {
    /** The proxies {@code --targets} may name. */
    private static final List<String> PROXIES = List.of("haproxy", "ours");
    /** The tests of the table, in its order, with the words it uses for them. */
    private static final Map<Test, String> ROWS = rows();

    private final Options options;
    private final Proxies proxies;
    private final List<Column> columns = new ArrayList<>();
    /** The running instance of each proxy, serving both of its columns. */
    private final Map<String, Target> instances = new LinkedHashMap<>();
    /** The instance id each proxy is started as: {@code haproxy-h2}, {@code ours-h2}, or {@code ours-tls} without HTTP/2. */
    private final Map<String, String> instanceIds = new LinkedHashMap<>();
    private final List<String> loads = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private ComparisonTable table;
    private H2Tunnels h2;

    /** One column of the table: a proxy reached over HTTP/1.1 or over HTTP/2. */
    record Column(String proxy, boolean h2) {
        String name() {
            return proxy + (h2 ? "/h2" : "/h1");
        }
    }

    private H2Comparison(Options options) {
        this.options = options;
        this.proxies = new Proxies(options.work(), options.examplesJar(), options.idleStreams());
    }

    /** The command-line settings, as {@link Arguments} reads them. */
    record Options(int rounds, int seconds, int roundTrips, int idleStreams, int idleConnections, List<String> targets,
            String oursHttp2, Path examplesJar, Path work, Path out) {}

    /** The command line, with picocli. */
    @Command(name = "H2Comparison", mixinStandardHelpOptions = true, versionProvider = RunnerCommandLine.JavaVersion.class,
            sortOptions = false,
            header = "WebSockets over HTTP/2 (RFC 8441) against HTTP/1.1 wss, through the same proxy, on 127.0.0.1.",
            description = {"Each proxy listens once with TLS 1.3 and ALPN h2,http/1.1; per proxy, protocol and round"
                    + " (after one unrecorded warm-up pass): bulk throughput through one WebSocket both ways, the 64 B"
                    + " round trip, the proxy's CPU, and memory per idle WebSocket in a fresh instance (streams on a few"
                    + " HTTP/2 connections, or TLS connections). Prints the table and writes every round to --out."
                    + " Reads /proc: Linux only.",
                "Run with java -cp upgrade-benchmarks/target/benchmarks.jar io.github.upgrade4j.benchmarks.H2Comparison,"
                        + " usually by upgrade-benchmarks/scripts/h2.sh."},
            footer = {"", "Exit status: 0 done, 1 a failed run, 2 a usage error or not Linux."})
    static final class Arguments implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--rounds", paramLabel = "N", defaultValue = "3", converter = RunnerCommandLine.Count.class,
                description = "Rounds of every measurement. Default: ${DEFAULT-VALUE}.")
        private int rounds;

        @Option(names = "--seconds", paramLabel = "S", defaultValue = "3", converter = RunnerCommandLine.Count.class,
                description = "Seconds of each bulk run, counted after 1 s of warm-up. Default: ${DEFAULT-VALUE}.")
        private int seconds;

        @Option(names = "--round-trips", paramLabel = "N", defaultValue = "10000",
                converter = RunnerCommandLine.Count.class, description = "64 B round trips per column and round (a"
                        + " quarter as many before them, unmeasured). Default: ${DEFAULT-VALUE}.")
        private int roundTrips;

        @Option(names = "--idle-streams", paramLabel = "N", defaultValue = "1000", converter = RunnerCommandLine.Count.class,
                description = "Idle WebSockets opened through a fresh instance, after half as many opened and closed;"
                        + " the memory per WebSocket is the growth over the second half. Default: ${DEFAULT-VALUE}.")
        private int idleStreams;

        @Option(names = "--idle-connections", paramLabel = "N", defaultValue = "20",
                converter = RunnerCommandLine.Count.class, description = "HTTP/2 connections the idle streams are spread"
                        + " over; each must hold idle-streams / N streams at once, within the proxy's"
                        + " SETTINGS_MAX_CONCURRENT_STREAMS (HAProxy: 100). Default: ${DEFAULT-VALUE}.")
        private int idleConnections;

        @Option(names = "--targets", paramLabel = "PROXY", split = ",", defaultValue = "haproxy,ours",
                converter = Targets.class, completionCandidates = Targets.class, description = "The proxies, in this"
                        + " order: haproxy (bind ... ssl crt FILE alpn h2,http/1.1) and ours (the example proxy with"
                        + " --http2). Some of: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
        private List<String> targets;

        @Option(names = "--ours-http2", paramLabel = "MODE", defaultValue = "auto", converter = Modes.class,
                description = "Whether the example proxy gets --http2: auto passes it and, if the proxy does not know it"
                        + " or its HTTP/2 WebSocket fails the first check, says so and measures ours over HTTP/1.1 only;"
                        + " yes fails instead; no leaves it off. Default: ${DEFAULT-VALUE}.")
        private String oursHttp2;

        @Option(names = "--examples-jar", paramLabel = "PATH", defaultValue = "src-examples/target/upgrade-examples.jar",
                description = "The examples jar whose proxy is measured. Default: ${DEFAULT-VALUE}.")
        private Path examplesJar;

        @Option(names = "--work", paramLabel = "DIR", defaultValue = "upgrade-benchmarks/target/h2",
                description = "Where the proxies' configurations, logs and TLS files go. Default: ${DEFAULT-VALUE}.")
        private Path work;

        @Option(names = "--out", paramLabel = "FILE", defaultValue = "upgrade-benchmarks/results/h2.json",
                description = "The JSON file every round's figures are written to. Default: ${DEFAULT-VALUE}.")
        private Path out;

        /** {@code args} read, as picocli hands them over before the run. */
        static Arguments parse(String... args) {
            Arguments arguments = new Arguments();
            new CommandLine(arguments).parseArgs(args);
            return arguments;
        }

        /**
         * The settings.
         *
         * @throws ParameterException for an odd number of idle streams, or more connections than half of them
         */
        Options options() {
            if (idleStreams < 2 || idleStreams % 2 != 0) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--idle-streams': expected an"
                        + " even number of at least 2 but was '" + idleStreams + "'");
            }
            if (idleConnections > idleStreams / 2) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--idle-connections':"
                        + " expected at most half of --idle-streams (" + idleStreams / 2 + ") but was '"
                        + idleConnections + "'");
            }
            return new Options(rounds, seconds, roundTrips, idleStreams, idleConnections,
                    List.copyOf(new LinkedHashSet<>(targets)), oursHttp2, examplesJar, work, out);
        }

        @Override
        public Integer call() throws Exception {
            return execute(options());
        }
    }

    /** The proxies {@code --targets} may name. */
    static final class Targets extends RunnerCommandLine.Choice {
        Targets() {
            super(PROXIES);
        }
    }

    /** {@code auto}, {@code yes} or {@code no}. */
    static final class Modes extends RunnerCommandLine.Choice {
        Modes() {
            super(List.of("auto", "yes", "no"));
        }
    }

    private static Map<Test, String> rows() {
        Map<Test, String> rows = new LinkedHashMap<>();
        rows.put(Test.BULK_1_UP, "bulk, 1 WebSocket, upload (Gbit/s)");
        rows.put(Test.BULK_1_DOWN, "bulk, 1 WebSocket, download (Gbit/s)");
        rows.put(Test.RTT, "64 B round trip, median (µs)");
        rows.put(Test.RTT_P99, "64 B round trip, p99 (µs)");
        rows.put(Test.IDLE_TOTAL, "memory per idle WebSocket (B)");
        rows.put(Test.IDLE_RSS, "of which RSS growth (B)");
        rows.put(Test.IDLE_HEAP, "of which JVM heap after GC (B)");
        rows.put(Test.IDLE_THREADS, "threads per idle WebSocket");
        rows.put(Test.CPU_BULK_1_UP, "proxy CPU per GB, upload (ms)");
        rows.put(Test.CPU_BULK_1_DOWN, "proxy CPU per GB, download (ms)");
        rows.put(Test.CPU_RTT, "proxy CPU per 64 B round trip (µs)");
        return Collections.unmodifiableMap(rows);
    }

    /**
     * Runs the comparison and prints the table; exits with 2 for a usage error.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(RunnerCommandLine.execute(new Arguments(), args, System.out, System.err));
    }

    private static int execute(Options options) throws Exception {
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            System.err.println("error: H2Comparison reads /proc and needs Linux");
            return RunnerCommandLine.USAGE;
        }
        H2Comparison comparison = new H2Comparison(options);
        Thread stopper = new Thread(comparison.proxies::stopAll, "stop-children");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            comparison.run();
        } finally {
            comparison.stop();
        }
        return 0;
    }

    private void stop() {
        proxies.stopAll();
        if (h2 != null) {
            try {
                h2.close();
            } catch (Exception e) {
                System.out.println("note: the HTTP/2 client did not stop cleanly: " + e);
            }
        }
    }

    private void run() throws Exception {
        Files.createDirectories(options.work());
        System.out.printf(Locale.ROOT, "%s%n", Machine.describe());
        System.out.printf(Locale.ROOT, "%d round(s), %d s per bulk run after 1 s warm-up, %d round trips, %d idle"
                + " WebSockets (over HTTP/2: on %d connections); proxies %s%n", options.rounds(), options.seconds(),
                options.roundTrips(), options.idleStreams(), options.idleConnections(), options.targets());
        proxies.startOrigin();
        System.out.printf(Locale.ROOT, "TLS %s; clients offer only %s with %s%n", proxies.createTls(),
                ClientLink.TLS_PROTOCOL, ClientLink.TLS_CIPHER_SUITE);
        h2 = H2Tunnels.start(proxies.tls().clientContext());
        System.out.println("HTTP/2 client: Jetty " + org.eclipse.jetty.util.Jetty.VERSION + ", receive windows"
                + " session/stream " + h2.windows() + " B");
        for (String proxy : options.targets()) {
            instanceIds.put(proxy, proxy.equals("ours") && options.oursHttp2().equals("no") ? "ours-tls" : proxy + "-h2");
            instances.put(proxy, startInstance(proxy, proxy, false));
        }
        for (String proxy : options.targets()) {
            columns.add(new Column(proxy, false));
            if (Proxies.isH2(instanceIds.get(proxy))) {
                columns.add(new Column(proxy, true));
            }
        }
        for (Column column : new ArrayList<>(columns)) {
            check(column);
        }
        table = new ComparisonTable(columns.stream().map(Column::name).toList());
        // 3 s each way: with 1.5 s the JIT was still compiling the HTTP/2 path during round 1 (a thread
        // sample of the example proxy put a third of its CPU in the compiler threads then).
        System.out.println("warm-up pass (not recorded)");
        for (Column column : columns) {
            bulk(column, true, 1000, 2);
            bulk(column, false, 1000, 2);
            roundTrip(column, options.roundTrips() / 4);
        }
        table.clear();
        Instant began = Instant.now();
        for (int round = 0; round < options.rounds(); round++) {
            String load = Machine.loadAverage();
            loads.add(load);
            System.out.printf(Locale.ROOT, "round %d/%d, load average %s%n", round + 1, options.rounds(), load);
            List<Column> order = new ArrayList<>(columns);
            Collections.rotate(order, -round);
            for (boolean upload : new boolean[] {true, false}) {
                for (Column column : order) {
                    double gbps = bulk(column, upload, 1000, options.seconds());
                    table.record(upload ? Test.BULK_1_UP : Test.BULK_1_DOWN, column.name(), gbps);
                    Thread.sleep(200);
                }
            }
            for (Column column : order) {
                TunnelClient.RoundTrip rtt = roundTrip(column, options.roundTrips());
                table.record(Test.RTT, column.name(), rtt.medianMicros());
                table.record(Test.RTT_P99, column.name(), rtt.p99Micros());
                table.record(Test.CPU_RTT, column.name(), rtt.cpuMicrosPerTrip());
            }
            for (Column column : order) {
                idle(column);
            }
            table.printRound();
        }
        loads.add(Machine.loadAverage());
        System.out.printf(Locale.ROOT, "load average after: %s (%d s in all)%n", loads.get(loads.size() - 1),
                Duration.between(began, Instant.now()).toSeconds());
        System.out.println();
        print();
        table.writeJson(options.out(), began, Machine.describe(), options.rounds(), options.seconds(),
                options.idleStreams(), loads);
    }

    /**
     * Starts {@code proxy} as its instance id; the example proxy that does not know {@code --http2} is
     * started again without it under {@code --ours-http2 auto}, with a note.
     */
    private Target startInstance(String proxy, String name, boolean forMemory) throws Exception {
        String id = instanceIds.get(proxy);
        try {
            return proxies.start(id, name, forMemory);
        } catch (IllegalStateException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            boolean refused = message.contains("--http2") && message.toLowerCase(Locale.ROOT).contains("unknown option");
            if (!proxy.equals("ours") || !refused) {
                throw e;
            }
            if (options.oursHttp2().equals("yes")) {
                throw new IllegalStateException("the example proxy does not know --http2 yet; run with --ours-http2"
                        + " auto or no", e);
            }
            note("the example proxy does not know --http2 (it said \"unknown option\"); ours is measured over"
                    + " HTTP/1.1 (wss) only. --ours-http2 no leaves it off from the start, yes fails here.");
            instanceIds.put(proxy, "ours-tls");
            return proxies.start("ours-tls", name + "-without-http2", forMemory);
        }
    }

    /** One WebSocket through {@code column}: a framed "hello" must come back; prints what was negotiated. */
    private void check(Column column) throws Exception {
        try (Tunnels tunnels = tunnels(column, 1)) {
            String negotiated;
            try (ClientLink link = tunnels.opener().open("/ws-echo")) {
                byte[] hello = "hello".getBytes(StandardCharsets.ISO_8859_1);
                link.writeFully(ByteBuffer.wrap(hello));
                ByteBuffer echo = ByteBuffer.allocate(hello.length);
                link.readFully(echo);
                if (!Arrays.equals(echo.array(), hello)) {
                    throw new IOException(column.name() + " did not echo the frame's payload");
                }
                negotiated = link.describe();
            }
            System.out.printf(Locale.ROOT, "%-12s WebSocket OK through %s (%s)%s%n", column.name(),
                    Proxies.hostPort(instances.get(column.proxy()).address()), negotiated, tunnels.settings());
        } catch (Exception e) {
            if (!column.proxy().equals("ours") || !column.h2() || !options.oursHttp2().equals("auto")) {
                throw e;
            }
            note("ours/h2 left out: a WebSocket over HTTP/2 through the example proxy failed its first check: " + e
                    + (e.getCause() != null ? " (cause: " + e.getCause() + ")" : "") + "; see "
                    + options.work().resolve("ours.log") + ". --ours-http2 yes fails here instead.");
            columns.remove(column);
        }
    }

    private void note(String text) {
        notes.add(text);
        System.out.println("note: " + text);
    }

    /** What opens WebSockets for a column, and what closes its HTTP/2 connections afterwards. */
    private record Tunnels(TunnelClient.Opener opener, H2Tunnels.Opener connections, String settings)
            implements AutoCloseable {
        @Override
        public void close() {
            if (connections != null) {
                connections.close();
            }
        }
    }

    /** WebSockets through {@code column} of {@code instance}: a TLS connection each, or streams on {@code connections} HTTP/2 connections. */
    private Tunnels tunnels(Column column, Target instance, int connections) throws IOException {
        if (!column.h2()) {
            return new Tunnels(path -> WebSocketFraming.over(TunnelClient.open(instance, path)), null, "");
        }
        H2Tunnels.Opener opener = h2.opener(instance.address(), connections);
        Map<Integer, Integer> settings = opener.settings();
        // RFC 9113 §6.5.2: a setting the server does not send keeps its initial value.
        return new Tunnels(opener, opener, String.format(Locale.ROOT, "; server SETTINGS: max concurrent streams %s,"
                + " initial window %s, max frame %s", setting(settings, SettingsFrame.MAX_CONCURRENT_STREAMS, "unlimited"),
                setting(settings, SettingsFrame.INITIAL_WINDOW_SIZE, "65535"),
                setting(settings, SettingsFrame.MAX_FRAME_SIZE, "16384")));
    }

    private static String setting(Map<Integer, Integer> settings, int key, String initial) {
        Integer value = settings.get(key);
        return value == null ? initial + " (not sent)" : value.toString();
    }

    private Tunnels tunnels(Column column, int connections) throws IOException {
        return tunnels(column, instances.get(column.proxy()), connections);
    }

    private double bulk(Column column, boolean upload, int warmupMillis, int seconds) throws Exception {
        Target instance = instances.get(column.proxy());
        try (Tunnels tunnels = tunnels(column, 1)) {
            TunnelClient.Bulk bulk = TunnelClient.bulk(instance, tunnels.opener(), upload ? "/ws-discard" : "/ws-stream",
                    1, upload, warmupMillis, seconds);
            if (table != null) {
                table.record(upload ? Test.CPU_BULK_1_UP : Test.CPU_BULK_1_DOWN, column.name(), bulk.cpuMsPerGb());
            }
            return bulk.gbps();
        }
    }

    private TunnelClient.RoundTrip roundTrip(Column column, int count) throws Exception {
        try (Tunnels tunnels = tunnels(column, 1)) {
            return TunnelClient.roundTrip(instances.get(column.proxy()), tunnels.opener(), "/ws-echo", count);
        }
    }

    /**
     * Memory per idle WebSocket through a fresh instance of {@code column}'s proxy, as
     * {@link ProxyComparison} measures idle tunnels: half of them opened, used and closed first (the
     * JIT, the allocators' pools), then the growth from half of them open to all of them open. Over
     * HTTP/2 the connections are opened before anything is measured and stay open throughout.
     */
    private void idle(Column column) throws Exception {
        Target fresh = startInstance(column.proxy(), column.proxy() + (column.h2() ? "-idle-h2" : "-idle-h1"), true);
        int n = options.idleStreams();
        List<ClientLink> links = new ArrayList<>(n);
        try (Tunnels tunnels = tunnels(column, fresh, column.h2() ? options.idleConnections() : 1)) {
            TunnelClient.openIdle(tunnels.opener(), "/ws-echo", n / 2, null).forEach(TunnelClient::closeQuietly);
            Thread.sleep(2000);
            TunnelClient.openIdle(tunnels.opener(), "/ws-echo", n / 2, links);
            Thread.sleep(1000);
            long[] before = ProcessMeter.memory(fresh);
            long threadsBefore = ProcessMeter.threads(fresh);
            TunnelClient.openIdle(tunnels.opener(), "/ws-echo", n - n / 2, links);
            Thread.sleep(1000);
            long[] after = ProcessMeter.memory(fresh);
            table.record(Test.IDLE_THREADS, column.name(),
                    (ProcessMeter.threads(fresh) - threadsBefore) / (double) (n - n / 2));
            double rss = (after[0] - before[0]) / (double) (n - n / 2);
            double heap = fresh.jvm() ? (after[1] - before[1]) / (double) (n - n / 2) : 0;
            table.record(Test.IDLE_RSS, column.name(), rss);
            if (fresh.jvm()) {
                table.record(Test.IDLE_HEAP, column.name(), heap);
            }
            table.record(Test.IDLE_TOTAL, column.name(), rss + heap);
        } finally {
            links.forEach(TunnelClient::closeQuietly);
            proxies.stop(fresh.process());
        }
    }

    /** The table in Markdown, each figure as median (min–max), with HTTP/2 against HTTP/1.1 per proxy. */
    private void print() {
        List<String> names = columns.stream().map(Column::name).toList();
        List<String[]> comparisons = new ArrayList<>();
        for (String proxy : options.targets()) {
            if (names.contains(proxy + "/h1") && names.contains(proxy + "/h2")) {
                comparisons.add(new String[] {proxy + "/h2", proxy + "/h1"});
            }
        }
        if (names.contains("ours/h2") && names.contains("haproxy/h2")) {
            comparisons.add(new String[] {"ours/h2", "haproxy/h2"});
        }
        if (names.contains("ours/h1") && names.contains("haproxy/h1")) {
            comparisons.add(new String[] {"ours/h1", "haproxy/h1"});
        }
        StringBuilder header = new StringBuilder("| median (min–max) of " + options.rounds() + " round(s) |");
        StringBuilder rule = new StringBuilder("|---|");
        names.forEach(name -> {
            header.append(' ').append(name).append(" |");
            rule.append("---:|");
        });
        for (String[] pair : comparisons) {
            header.append(' ').append(pair[0]).append(" vs ").append(pair[1]).append(" |");
            rule.append("---|");
        }
        System.out.println(header);
        System.out.println(rule);
        ROWS.forEach((test, label) -> {
            if (names.stream().allMatch(name -> table.cell(test, name).equals("—"))) {
                return;
            }
            StringBuilder row = new StringBuilder("| " + label + " |");
            names.forEach(name -> row.append(' ').append(table.cell(test, name)).append(" |"));
            for (String[] pair : comparisons) {
                row.append(' ').append(table.against(test, pair[0], pair[1])).append(" |");
            }
            System.out.println(row);
        });
        System.out.println();
        System.out.println("(\"level with\": the two ranges across rounds overlap; otherwise the ratio of the medians."
                + " /h1 is a WebSocket on its own TLS connection (HTTP/1.1 upgrade), /h2 a stream on an HTTP/2"
                + " connection (extended CONNECT), both to the same instance. Memory per idle WebSocket: heap after GC"
                + " plus RSS growth for a JVM with a fixed heap, RSS growth otherwise; over HTTP/2 with the connections"
                + " already open.)");
        notes.forEach(note -> System.out.println("note: " + note));
    }
}
