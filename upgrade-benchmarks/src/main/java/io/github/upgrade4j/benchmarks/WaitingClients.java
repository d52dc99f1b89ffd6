package io.github.upgrade4j.benchmarks;

import io.github.upgrade4j.benchmarks.Proxies.ClientTimeouts;
import io.github.upgrade4j.benchmarks.Proxies.Target;
import io.github.upgrade4j.benchmarks.WaitingResults.Measurement;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Waiting clients (issue 18): what a proxy pays for thousands of clients that have begun a request and
 * stalled, and whether it gets rid of them. Each target in turn, in a fresh instance per round, on
 * 127.0.0.1: {@code N} clients (default 10,000) each connect, send {@code GET /ind} and then nothing
 * ({@link WaitingWatch}). Per target and round:
 *
 * <ul>
 *   <li>the growth of the proxy's resident set (all its processes, {@code /proc/PID/status} VmRSS) from
 *       before the clients to all of them waiting; a JVM runs with a fixed heap touched at start, so
 *       that the growth is native memory (thread stacks above all), and its heap after a full GC is
 *       reported beside it;
 *   <li>the proxy's threads ({@code Threads} of every process) before and with all of them waiting;
 *   <li>the time of normal requests ({@link RequestTimer}: plain GETs and WebSocket upgrade handshakes
 *       on new connections, one at a time) before the clients came and while they wait: p50, p99, max;
 *   <li>whether and when the proxy closed each waiting client at its client header timeout, set alike
 *       for every proxy (nginx {@code client_header_timeout}, HAProxy {@code timeout http-request}, ours
 *       {@code --header-timeout}): from the last client's stall (min, median, max), how many were not
 *       closed within the timeout + 5 s of their own stall, how many more than 1 s before it.
 * </ul>
 *
 * <p>Targets: {@code ours} ({@code java -jar upgrade-examples.jar proxy}), {@code nginx},
 * {@code haproxy} (the default set), and {@code servlet} (the example's servlet proxy, Jetty's own
 * timeouts). The example proxy gets {@code --header-timeout} and {@code --keep-alive-timeout}; one
 * that does not know them yet refuses to start, and then, with {@code --ours-timeout-flags auto} (the
 * default), the run says so and goes on without them; {@code yes} fails instead, {@code no} never
 * passes them. Every child starts with the open-file limit it needs; this process needs one descriptor
 * per waiting client and says what limit to set if it has too few. Then ({@code --help} lists every
 * option with its default; {@link Arguments} reads them with picocli):
 *
 * <pre>{@code
 * java -cp upgrade-benchmarks/target/benchmarks.jar io.github.upgrade4j.benchmarks.WaitingClients \
 *     [--clients 10000] [--rounds 3] [--header-timeout 10s] [--keep-alive-timeout 75s] [--requests 500] \
 *     [--watch 25s] [--openers 128] [--targets ours,nginx,haproxy] [--ours-timeout-flags auto|yes|no] \
 *     [--examples-jar src-examples/target/upgrade-examples.jar] [--work upgrade-benchmarks/target/waiting] \
 *     [--out upgrade-benchmarks/results/waiting.json]
 * }</pre>
 *
 * <p>{@code upgrade-benchmarks/scripts/waiting.sh} is the intended entry point. {@code --watch} (default
 * the header timeout + 15 s) is how long after the last client's stall the run waits for the proxy to
 * close them; clients still open then are counted as not closed and closed by the run. {@code --openers}
 * threads open the clients side by side ({@link WaitingWatch} says why).
 */
public final class WaitingClients {
    private static final List<String> DEFAULT_TARGETS = List.of("ours", "nginx", "haproxy");
    private static final List<String> ALL_TARGETS = List.of("ours", "nginx", "haproxy", "servlet");
    private static final double MIB = 1024.0 * 1024.0;
    private static final int SETTLE_MILLIS = 3000;

    private final Options options;
    private final Proxies proxies;
    private final List<String> targets;
    private boolean oursFlags;

    private WaitingClients(Options options) {
        this.options = options;
        this.proxies = new Proxies(options.work(), options.examplesJar(), options.clients());
        this.oursFlags = !options.oursFlags().equals("no");
        proxies.clientTimeouts(new ClientTimeouts(options.headerTimeout(), options.keepAliveTimeout(), oursFlags));
        this.targets = new ArrayList<>(options.targets());
        String haproxy = proxies.haproxyCannotHold();
        if (targets.contains("haproxy") && haproxy != null) {
            System.out.println("note: haproxy left out: " + haproxy);
            targets.remove("haproxy");
        }
    }

    /** The command-line settings, as {@link Arguments} reads them. */
    record Options(int clients, int rounds, Duration headerTimeout, Duration keepAliveTimeout, int requests,
            Duration watch, int openers, List<String> targets, String oursFlags, Path examplesJar, Path work, Path out) {
        /**
         * The settings {@code args} give.
         *
         * @throws ParameterException for an unknown option or a bad value, naming both
         */
        static Options parse(String... args) {
            return Arguments.parse(args).options();
        }
    }

    /** The command line, with picocli. */
    @Command(name = "WaitingClients", mixinStandardHelpOptions = true,
            versionProvider = RunnerCommandLine.JavaVersion.class, sortOptions = false,
            header = "Waiting clients (issue 18): thousands of clients that begin a request and stall, against each"
                    + " proxy in turn.",
            description = {"Per target and round, in a fresh instance: the proxy's RSS growth and threads with every"
                    + " client waiting, the time of normal GETs and upgrade handshakes before the clients came and"
                    + " while they wait, and when the proxy closed each waiting client at its header timeout. Prints"
                    + " the table and writes every round to --out. Needs an open file per client and reads /proc:"
                    + " Linux only.",
                "Run with java -cp upgrade-benchmarks/target/benchmarks.jar"
                        + " io.github.upgrade4j.benchmarks.WaitingClients, usually by"
                        + " upgrade-benchmarks/scripts/waiting.sh.",
                "Durations: 500ms, 10s, 2m."},
            footer = {"", "Exit status: 0 done, 2 a usage error, not Linux or too few open files."})
    static final class Arguments implements Callable<Integer> {
        @Option(names = "--clients", paramLabel = "N", defaultValue = "10000",
                converter = RunnerCommandLine.Count.class, description = "Waiting clients against each target in each"
                        + " round; this process holds an open file for each, and says what limit to set when it may"
                        + " have too few. Default: ${DEFAULT-VALUE}.")
        private int clients;

        @Option(names = "--rounds", paramLabel = "N", defaultValue = "3", converter = RunnerCommandLine.Count.class,
                description = "Rounds; the order of the targets rotates each round. Default: ${DEFAULT-VALUE}.")
        private int rounds;

        @Option(names = "--header-timeout", paramLabel = "DURATION", defaultValue = "10s",
                converter = RunnerCommandLine.TimeSpan.class, description = "The client header timeout every proxy"
                        + " gets (nginx client_header_timeout, HAProxy timeout http-request, ours --header-timeout)."
                        + " Default: ${DEFAULT-VALUE}.")
        private Duration headerTimeout;

        @Option(names = "--keep-alive-timeout", paramLabel = "DURATION", defaultValue = "75s",
                converter = RunnerCommandLine.TimeSpan.class, description = "The keep-alive timeout every proxy gets"
                        + " (nginx keepalive_timeout, HAProxy timeout http-keep-alive, ours --keep-alive-timeout)."
                        + " Default: ${DEFAULT-VALUE}.")
        private Duration keepAliveTimeout;

        @Option(names = "--requests", paramLabel = "N", defaultValue = "500", converter = RunnerCommandLine.Count.class,
                description = "Plain GETs and as many upgrade handshakes in each pass of normal requests, one at a time"
                        + " on new connections. Default: ${DEFAULT-VALUE}.")
        private int requests;

        @Option(names = "--watch", paramLabel = "DURATION", converter = RunnerCommandLine.TimeSpan.class,
                description = "How long after the last client's stall to wait for the proxy to close them; those still"
                        + " open then count as not closed. Default: the header timeout + 15s.")
        private Duration watch; // null: the header timeout + 15 s

        @Option(names = "--openers", paramLabel = "N", defaultValue = "128", converter = RunnerCommandLine.Count.class,
                description = "Threads that open the clients side by side. Default: ${DEFAULT-VALUE}.")
        private int openers;

        @Option(names = "--targets", paramLabel = "TARGET", split = ",", defaultValue = "ours,nginx,haproxy",
                converter = Targets.class, completionCandidates = Targets.class, description = "What to measure, in"
                        + " this order: ours (the example proxy), nginx, haproxy, servlet (the example's servlet proxy"
                        + " in Jetty). Some of: ${COMPLETION-CANDIDATES}; default: ${DEFAULT-VALUE}.")
        private List<String> targets;

        @Option(names = "--ours-timeout-flags", paramLabel = "MODE", defaultValue = "auto",
                converter = OursTimeoutFlags.class, completionCandidates = OursTimeoutFlags.class,
                description = "Whether the example proxy gets --header-timeout and --keep-alive-timeout: auto passes"
                        + " them and, if the proxy does not know them, goes on without them with a note; yes fails"
                        + " then; no never passes them. One of: ${COMPLETION-CANDIDATES}; default: ${DEFAULT-VALUE}.")
        private String oursFlags;

        @Option(names = "--examples-jar", paramLabel = "PATH",
                defaultValue = "src-examples/target/upgrade-examples.jar", description = "The examples jar whose"
                        + " proxy and servlet proxy are measured. Default: ${DEFAULT-VALUE}.")
        private Path examplesJar;

        @Option(names = "--work", paramLabel = "DIR", defaultValue = "upgrade-benchmarks/target/waiting",
                description = "Where the proxies' configurations and logs go. Default: ${DEFAULT-VALUE}.")
        private Path work;

        @Option(names = "--out", paramLabel = "FILE", defaultValue = "upgrade-benchmarks/results/waiting.json",
                description = "The JSON file every round's figures are written to. Default: ${DEFAULT-VALUE}.")
        private Path out;

        /** {@code args} read, as picocli hands them over before the run. */
        static Arguments parse(String... args) {
            Arguments arguments = new Arguments();
            new CommandLine(arguments).parseArgs(args);
            return arguments;
        }

        /** The settings, with {@code --watch} filled in from the header timeout when it was not given. */
        Options options() {
            return new Options(clients, rounds, headerTimeout, keepAliveTimeout, requests,
                    watch != null ? watch : headerTimeout.plusSeconds(15), openers, List.copyOf(targets), oursFlags,
                    examplesJar, work, out);
        }

        @Override
        public Integer call() throws Exception {
            return execute(options());
        }
    }

    /** The targets {@code --targets} may name. */
    static final class Targets extends RunnerCommandLine.Choice {
        Targets() {
            super(ALL_TARGETS);
        }
    }

    /** The modes of {@code --ours-timeout-flags}. */
    static final class OursTimeoutFlags extends RunnerCommandLine.Choice {
        OursTimeoutFlags() {
            super(List.of("auto", "yes", "no"));
        }
    }

    /**
     * Runs every round and prints the table; exits with 2 for a usage error.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(RunnerCommandLine.execute(new Arguments(), args, System.out, System.err));
    }

    /**
     * Runs every round with {@code options}, stopping every child at the end or on Ctrl-C; the exit
     * status, 2 where this process or the proxies may have too few open files.
     */
    private static int execute(Options options) throws Exception {
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            System.err.println("error: WaitingClients reads /proc and needs Linux");
            return RunnerCommandLine.USAGE;
        }
        // One descriptor per waiting client here, and some for the normal requests, the JVM and jcmd.
        long need = options.clients() + 1024L;
        long[] limits = ProcessMeter.openFileLimits();
        if (limits[0] >= 0 && limits[0] < need) {
            System.err.printf(Locale.ROOT, "error: %,d waiting clients need at least %d open files in this process, which"
                    + " may have %d (hard limit %d): run `ulimit -n %d` first (as root where the hard limit is lower),"
                    + " or use --clients %d%n", options.clients(), need, limits[0], limits[1], need,
                    Math.max(1, limits[0] - 1024));
            return RunnerCommandLine.USAGE;
        }
        WaitingClients run = new WaitingClients(options);
        if (run.proxies.fileLimit() < options.clients() + 1024L) {
            System.err.printf(Locale.ROOT, "error: the proxies get at most %d open files (this process's hard limit),"
                    + " too few for %,d waiting clients: raise the hard limit as root or use fewer --clients%n",
                    run.proxies.fileLimit(), options.clients());
            return RunnerCommandLine.USAGE;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(run.proxies::stopAll, "stop-children"));
        try {
            run.run();
        } finally {
            run.proxies.stopAll();
        }
        return 0;
    }

    private void run() throws Exception {
        Files.createDirectories(options.work());
        System.out.println(Machine.describe());
        System.out.printf(Locale.ROOT, "%d round(s) of %,d waiting clients, header timeout %s, keep-alive timeout %s,"
                + " %d GETs and %d upgrades per pass of normal requests, watched for %s after the last stall, %d"
                + " opening threads; open files: %d here, %d for each proxy; targets %s%n", options.rounds(),
                options.clients(), Proxies.seconds(options.headerTimeout()), Proxies.seconds(options.keepAliveTimeout()),
                options.requests(), options.requests(), Proxies.seconds(options.watch()), options.openers(),
                ProcessMeter.openFileLimits()[0], proxies.fileLimit(), targets);
        proxies.startOrigin();
        List<Measurement> measurements = new ArrayList<>();
        List<String> loads = new ArrayList<>();
        Instant began = Instant.now();
        for (int round = 0; round < options.rounds(); round++) {
            String load = Machine.loadAverage();
            loads.add(load);
            System.out.printf(Locale.ROOT, "round %d/%d, load average %s%n", round + 1, options.rounds(), load);
            List<String> order = new ArrayList<>(targets);
            Collections.rotate(order, -round);
            for (String id : order) {
                Measurement measurement = measure(id, round + 1);
                measurements.add(measurement);
                System.out.printf(Locale.ROOT, "  %-8s RSS +%s MiB, %d threads, GET meanwhile %s, upgrade %s, closed"
                        + " %,d of %,d (%,d late)%n", id, WaitingTable.fmt(measurement.rssGrowthMiB()),
                        measurement.threadsWaiting(), measurement.getMeanwhile().describe(),
                        measurement.upgradeMeanwhile().describe(), measurement.closures().closed(), measurement.opened(),
                        measurement.closures().notClosedInTime());
            }
        }
        loads.add(Machine.loadAverage());
        System.out.printf(Locale.ROOT, "load average after: %s (%d s in all)%n%n", loads.get(loads.size() - 1),
                Duration.between(began, Instant.now()).toSeconds());
        WaitingResults results = new WaitingResults(began.toString(), Machine.describe(), options.clients(),
                options.rounds(), options.headerTimeout().toMillis() / 1000.0,
                options.keepAliveTimeout().toMillis() / 1000.0, options.watch().toMillis() / 1000.0, options.requests(),
                options.openers(), targets, oursFlags, proxies.fileLimit(), loads, measurements);
        new WaitingTable(results).print();
        results.write(options.out());
    }

    /** One target in one round, in a fresh instance. */
    private Measurement measure(String id, int round) throws Exception {
        Target target = start(id, id + "-" + round);
        try {
            RequestTimer.run(target.address(), options.requests()); // warm-up (the JIT), not recorded
            RequestTimer.Pass alone = RequestTimer.run(target.address(), options.requests());
            Thread.sleep(1000);
            long[] before = ProcessMeter.memory(target);
            long threadsBefore = ProcessMeter.threads(target);
            try (WaitingWatch watch = WaitingWatch.open(target.address(), options.clients(), options.openers())) {
                // A connection the proxy had no room to accept yet completes when the kernel retransmits
                // its SYN-ACK, after 1 s and again after 3 s: then it is a waiting client of the proxy too.
                Thread.sleep(SETTLE_MILLIS);
                long rssWaiting = ProcessMeter.residentSetSize(target);
                long threadsWaiting = ProcessMeter.threads(target);
                int waiting = watch.stillOpen();
                if (waiting < watch.opened()) {
                    System.out.printf(Locale.ROOT, "  note: %,d of the %,d clients were still waiting when the proxy was"
                            + " measured (opening them took %.1f s)%n", waiting, watch.opened(), watch.openSeconds());
                }
                RequestTimer.Pass meanwhile = RequestTimer.run(target.address(), options.requests());
                double ended = (System.nanoTime() - watch.lastStall()) / 1e9;
                if (ended > options.headerTimeout().toMillis() / 1000.0) {
                    System.out.printf(Locale.ROOT, "  note: the normal requests meanwhile ended %.1f s after the last"
                            + " stall, past the header timeout: some ran with fewer clients waiting%n", ended);
                }
                Double heapGrowth = target.jvm() ? (ProcessMeter.memory(target)[1] - before[1]) / MIB : null;
                watch.awaitAllClosed(watch.lastStall() + options.watch().toNanos());
                return new Measurement(round, id, watch.opened(), watch.failed(), watch.openSeconds(), waiting,
                        threadsBefore, threadsWaiting, before[0] / MIB, (rssWaiting - before[0]) / MIB, heapGrowth, alone.get(),
                        alone.upgrade(), meanwhile.get(), meanwhile.upgrade(), ended,
                        watch.closures(options.headerTimeout()));
            }
        } finally {
            proxies.stop(target.process());
            Thread.sleep(1000); // let the sockets the run closed go
        }
    }

    /**
     * Starts a fresh instance of {@code id} with a fixed heap if it is a JVM. An example proxy that
     * refuses the timeout flags is started again without them, once, with a note, unless
     * {@code --ours-timeout-flags yes}.
     */
    private Target start(String id, String instance) throws Exception {
        try {
            return proxies.start(id, instance, true);
        } catch (IllegalStateException e) {
            boolean refusedFlag = e.getMessage() != null && (e.getMessage().contains("unknown option '--header-timeout'")
                    || e.getMessage().contains("unknown option '--keep-alive-timeout'"));
            if (refusedFlag && options.oursFlags().equals("yes")) {
                throw new IllegalStateException("the example proxy does not know --header-timeout or"
                        + " --keep-alive-timeout yet; run with --ours-timeout-flags auto or no", e);
            }
            if (!id.equals("ours") || !refusedFlag || !oursFlags || !options.oursFlags().equals("auto")) {
                throw e;
            }
            System.out.println("  note: this example proxy has no --header-timeout or --keep-alive-timeout (it said"
                    + " \"unknown option\"); ours runs without them from here on, so it closes a stalled client at its"
                    + " built-in read timeout. --ours-timeout-flags no leaves them off from the start, yes fails here.");
            oursFlags = false;
            proxies.clientTimeouts(new ClientTimeouts(options.headerTimeout(), options.keepAliveTimeout(), false));
            return proxies.start(id, instance + "-without-flags", true);
        }
    }
}
