package io.github.upgrade4j.benchmarks;

import io.github.upgrade4j.benchmarks.ComparisonTable.Test;
import io.github.upgrade4j.benchmarks.Proxies.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The example proxy side by side with nginx and HAProxy, and with a direct connection, in one run on
 * 127.0.0.1: what a user choosing a WebSocket proxy wants to know. The processes ({@link Proxies}) are
 * children stopped by their pid at the end (or on Ctrl-C); the client's side of each measurement is
 * {@link TunnelClient}; the figures and verdicts are in {@link ComparisonTable}.
 *
 * <p>Targets (see {@link Proxies}): {@code ours-splice} and {@code ours-copy} (the example proxy with
 * {@code --relay splice} and {@code --relay copy}), {@code nginx}, {@code nginx-64k}, {@code haproxy},
 * {@code haproxy-splice}, {@code direct}, and the {@code -tls} twins of the proxies; {@code servlet}
 * (the example's servlet proxy in embedded Jetty, with the stream relay) only when {@code --targets}
 * names it. {@code ours-splice} needs Java 22+ on Linux; elsewhere it is left out with a note.
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
 *   <li>the proxy's CPU time ({@code /proc/PID/stat}, all its processes, ended threads included) per
 *       GB in the 1-tunnel bulk runs and per round trip: on a shared machine this is steadier than
 *       throughput or latency, which also depend on when the scheduler runs each process.
 * </ul>
 *
 * <p>Before round 1 an unrecorded pass warms every target up (the JVM's JIT above all).
 * {@code upgrade-benchmarks/scripts/compare.sh} is the intended entry point; by hand ({@code --help}
 * lists every option with its default; {@link Arguments} reads them with picocli):
 *
 * <pre>{@code
 * java -cp upgrade-benchmarks/target/benchmarks.jar io.github.upgrade4j.benchmarks.ProxyComparison \
 *     [--rounds 5] [--seconds 3] [--idle-tunnels 4000] [--round-trips 20000] [--quick] [--idle-only] \
 *     [--targets ours-splice,...] [--examples-jar src-examples/target/upgrade-examples.jar] \
 *     [--work upgrade-benchmarks/target/compare] [--out upgrade-benchmarks/results/comparison.json]
 * }</pre>
 */
public final class ProxyComparison {
    /** What runs without {@code --targets}, as its help says it. */
    private static final String DEFAULT_TARGET_LIST = "ours-splice,ours-copy,nginx,nginx-64k,haproxy,haproxy-splice,"
            + "direct,ours-tls,nginx-tls,nginx-64k-tls,haproxy-tls";
    /** What runs without {@code --targets}. */
    private static final List<String> DEFAULT_TARGETS = List.of(DEFAULT_TARGET_LIST.split(","));
    /** Every target {@code --targets} may name: the default ones and the servlet proxy. */
    private static final List<String> ALL_TARGETS = concat(DEFAULT_TARGETS, List.of("servlet"));

    private final Options options;
    private final Proxies proxies;
    private final ComparisonTable table;
    private final List<String> loads = new ArrayList<>();

    private ProxyComparison(Options options) {
        this.options = options;
        this.proxies = new Proxies(options.work(), options.examplesJar(), options.idleTunnels());
        this.table = new ComparisonTable(options.targets());
    }

    /** The command-line settings, as {@link Arguments} reads them. */
    record Options(int rounds, int seconds, int warmupMillis, int idleTunnels, int roundTrips, List<String> targets,
            Path examplesJar, Path work, Path out, boolean idleOnly) {
        /**
         * The settings {@code args} give on this JVM.
         *
         * @throws ParameterException for an unknown option or a bad value, naming both
         */
        static Options parse(String... args) {
            return Arguments.parse(args).options(Runtime.version().feature());
        }
    }

    /**
     * The command line, with picocli. The four sizes of a run have no fixed default: {@code --quick}
     * chooses smaller ones, so they stay {@code null} until {@link #options} fills them in.
     */
    @Command(name = "ProxyComparison",
            mixinStandardHelpOptions = true, versionProvider = RunnerCommandLine.JavaVersion.class, sortOptions = false,
            header = "The example proxy side by side with nginx, HAProxy and a direct connection, on 127.0.0.1.",
            description = {"Per target and round (targets interleaved, their order rotated each round, after one"
                    + " unrecorded warm-up pass): bulk throughput through 1 and 16 tunnels both ways, the 64 B round"
                    + " trip, memory per idle tunnel in a fresh instance of each proxy, and each proxy's CPU time."
                    + " Prints the table of medians and writes every round to --out. Reads /proc: Linux only.",
                "Run with java -cp upgrade-benchmarks/target/benchmarks.jar"
                        + " io.github.upgrade4j.benchmarks.ProxyComparison, usually by"
                        + " upgrade-benchmarks/scripts/compare.sh."},
            footer = {"", "Exit status: 0 done, 2 a usage error or not Linux."})
    static final class Arguments implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--rounds", paramLabel = "N", converter = RunnerCommandLine.Count.class,
                description = "Rounds of every measurement. Default: 5; 1 with --quick.")
        private Integer rounds;

        @Option(names = "--seconds", paramLabel = "S", converter = RunnerCommandLine.Count.class,
                description = "Seconds of each bulk run, counted after a warm-up of 1 s (500 ms with --quick)."
                        + " Default: 3; 1 with --quick.")
        private Integer seconds;

        @Option(names = "--idle-tunnels", paramLabel = "N", converter = RunnerCommandLine.Count.class,
                description = "Idle tunnels opened through a fresh instance of each proxy, after half as many opened"
                        + " and closed; the memory per tunnel is the growth over the second half. Each holds two open"
                        + " files in the proxy. Default: 4000; 1000 with --quick.")
        private Integer idleTunnels;

        @Option(names = "--round-trips", paramLabel = "N", converter = RunnerCommandLine.Count.class,
                description = "64 B round trips per target and round (a quarter as many in the warm-up pass)."
                        + " Default: 20000; 5000 with --quick.")
        private Integer roundTrips;

        @Option(names = "--quick", description = "A short run to try things out: the smaller defaults above, and"
                + " 500 ms of warm-up before each bulk run instead of 1 s.")
        private boolean quick;

        @Option(names = "--idle-only", description = "Measure the memory per idle tunnel only: no warm-up pass, bulk"
                + " runs or round trips.")
        private boolean idleOnly;

        @Option(names = "--targets", paramLabel = "TARGET", split = ",", converter = Targets.class,
                completionCandidates = Targets.class, description = "What to compare, in this order: ours-splice and"
                        + " ours-copy (the example proxy with --relay splice and copy; splice needs Java 22+),"
                        + " nginx, nginx-64k (64 KiB proxy buffers), haproxy, haproxy-splice, direct (no proxy), the"
                        + " -tls twins of the proxies (wss), and servlet (the example's servlet proxy in Jetty)."
                        + " Some of: ${COMPLETION-CANDIDATES}. Default: " + DEFAULT_TARGET_LIST
                        + " (ours-splice left out before Java 22).")
        private List<String> targets;

        @Option(names = "--examples-jar", paramLabel = "PATH",
                defaultValue = "src-examples/target/upgrade-examples.jar", description = "The examples jar whose"
                        + " proxy and servlet proxy are measured. Default: ${DEFAULT-VALUE}.")
        private Path examplesJar;

        @Option(names = "--work", paramLabel = "DIR", defaultValue = "upgrade-benchmarks/target/compare",
                description = "Where the proxies' configurations, logs and TLS files go. Default: ${DEFAULT-VALUE}.")
        private Path work;

        @Option(names = "--out", paramLabel = "FILE", defaultValue = "upgrade-benchmarks/results/comparison.json",
                description = "The JSON file every round's figures are written to. Default: ${DEFAULT-VALUE}.")
        private Path out;

        /** {@code args} read, as picocli hands them over before the run. */
        static Arguments parse(String... args) {
            Arguments arguments = new Arguments();
            new CommandLine(arguments).parseArgs(args);
            return arguments;
        }

        /**
         * The settings, on a JVM of feature release {@code java}: without {@code --targets}, ours-splice
         * is left out with a note before Java 22; named there, it is an error.
         *
         * @throws ParameterException for ours-splice named on a JVM that cannot splice
         */
        Options options(int java) {
            List<String> chosen = new ArrayList<>(targets == null ? DEFAULT_TARGETS : targets);
            if (chosen.contains("ours-splice") && java < 22) {
                if (targets != null) {
                    throw new ParameterException(spec.commandLine(), "Invalid value for option '--targets':"
                            + " ours-splice needs Java 22 or newer to run the proxy, but this is Java " + java
                            + " (set JAVA_HOME)");
                }
                System.out.println("note: ours-splice left out: the splice path needs Java 22 or newer, this is Java "
                        + java);
                chosen.remove("ours-splice");
            }
            return new Options(orDefault(rounds, 5, 1), orDefault(seconds, 3, 1), quick ? 500 : 1000,
                    orDefault(idleTunnels, 4000, 1000), orDefault(roundTrips, 20_000, 5000), List.copyOf(chosen),
                    examplesJar, work, out, idleOnly);
        }

        private int orDefault(Integer given, int standard, int withQuick) {
            return given != null ? given : quick ? withQuick : standard;
        }

        @Override
        public Integer call() throws Exception {
            return execute(options(Runtime.version().feature()));
        }
    }

    /** The targets {@code --targets} may name. */
    static final class Targets extends RunnerCommandLine.Choice {
        Targets() {
            super(ALL_TARGETS);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    /**
     * Runs the comparison and prints the table; exits with 2 for a usage error.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(RunnerCommandLine.execute(new Arguments(), args, System.out, System.err));
    }

    /** Runs the comparison with {@code options}, stopping every child at the end or on Ctrl-C; the exit status. */
    private static int execute(Options options) throws Exception {
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            System.err.println("error: ProxyComparison reads /proc and needs Linux");
            return RunnerCommandLine.USAGE;
        }
        ProxyComparison comparison = new ProxyComparison(options);
        Thread stopper = new Thread(comparison.proxies::stopAll, "stop-children");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            comparison.run();
        } finally {
            comparison.proxies.stopAll();
        }
        return 0;
    }

    private void run() throws Exception {
        Files.createDirectories(options.work());
        System.out.printf(Locale.ROOT, "%s%n", Machine.describe());
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
            TunnelClient.checkTunnel(target);
        }
        // One unrecorded pass, so that no target (the JVM's JIT above all) is measured cold in round 1.
        System.out.println(options.idleOnly() ? "idle memory only" : "warm-up pass (not recorded)");
        for (Target target : options.idleOnly() ? List.<Target>of() : targets) {
            bulk(target, 1, true);
            bulk(target, 1, false);
            TunnelClient.roundTrip(target, options.roundTrips() / 4);
        }
        table.clear();
        Instant began = Instant.now();
        for (int round = 0; round < options.rounds(); round++) {
            String load = Machine.loadAverage();
            loads.add(load);
            System.out.printf(Locale.ROOT, "round %d/%d, load average %s%n", round + 1, options.rounds(), load);
            List<Target> order = new ArrayList<>(targets);
            Collections.rotate(order, -round);
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
                TunnelClient.RoundTrip rtt = TunnelClient.roundTrip(target, options.roundTrips());
                table.record(Test.RTT, target.id(), rtt.medianMicros());
                table.record(Test.RTT_P99, target.id(), rtt.p99Micros());
                if (!Double.isNaN(rtt.cpuMicrosPerTrip())) {
                    table.record(Test.CPU_RTT, target.id(), rtt.cpuMicrosPerTrip());
                }
            }
            for (Target target : order) {
                idle(target);
            }
            table.printRound();
        }
        loads.add(Machine.loadAverage());
        System.out.printf(Locale.ROOT, "load average after: %s (%d s in all)%n", loads.get(loads.size() - 1),
                Duration.between(began, Instant.now()).toSeconds());
        System.out.println();
        table.print(options.rounds());
        table.writeJson(options.out(), began, Machine.describe(), options.rounds(), options.seconds(), options.idleTunnels(),
                loads);
    }

    /** Gbit/s through {@code tunnels} tunnels at once; records the proxy's CPU per GB of a one-tunnel run. */
    private double bulk(Target target, int tunnels, boolean upload) throws Exception {
        TunnelClient.Bulk bulk = TunnelClient.bulk(target, tunnels, upload, options.warmupMillis(), options.seconds());
        if (tunnels == 1 && !Double.isNaN(bulk.cpuMsPerGb())) {
            table.record(upload ? Test.CPU_BULK_1_UP : Test.CPU_BULK_1_DOWN, target.id(), bulk.cpuMsPerGb());
        }
        return bulk.gbps();
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
        TunnelClient.openIdle(instance, n / 2, null).forEach(TunnelClient::closeQuietly);
        Thread.sleep(2000);
        List<ClientLink> links = new ArrayList<>(n);
        try {
            int first = n / 2;
            TunnelClient.openIdle(instance, first, links);
            Thread.sleep(1000);
            long[] before = ProcessMeter.memory(instance);
            TunnelClient.openIdle(instance, n - first, links);
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
            links.forEach(TunnelClient::closeQuietly);
        }
        Thread.sleep(1000); // let the proxy close its legs
    }
}
