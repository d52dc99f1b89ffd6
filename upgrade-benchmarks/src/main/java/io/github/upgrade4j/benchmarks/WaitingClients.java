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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
 * per waiting client and says what limit to set if it has too few. Then:
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

    /** The command-line settings. */
    record Options(int clients, int rounds, Duration headerTimeout, Duration keepAliveTimeout, int requests,
            Duration watch, int openers, List<String> targets, String oursFlags, Path examplesJar, Path work, Path out) {
        static Options parse(String[] args) {
            Map<String, String> values = new LinkedHashMap<>();
            List<String> known = List.of("--clients", "--rounds", "--header-timeout", "--keep-alive-timeout",
                    "--requests", "--watch", "--openers", "--targets", "--ours-timeout-flags", "--examples-jar", "--work", "--out");
            for (int i = 0; i < args.length; i++) {
                if (!known.contains(args[i])) {
                    throw new IllegalArgumentException("unknown option '" + args[i] + "'; expected some of " + known);
                }
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException("option " + args[i] + " needs a value");
                }
                values.put(args[i], args[++i]);
            }
            List<String> targets = List.of(values.getOrDefault("--targets", String.join(",", DEFAULT_TARGETS)).split(","));
            for (String target : targets) {
                if (!ALL_TARGETS.contains(target)) {
                    throw new IllegalArgumentException("unknown target '" + target + "'; expected some of " + ALL_TARGETS);
                }
            }
            String oursFlags = values.getOrDefault("--ours-timeout-flags", "auto");
            if (!List.of("auto", "yes", "no").contains(oursFlags)) {
                throw new IllegalArgumentException("expected --ours-timeout-flags auto, yes or no but was " + oursFlags);
            }
            Duration header = duration(values.getOrDefault("--header-timeout", "10s"));
            Duration watch = values.containsKey("--watch") ? duration(values.get("--watch")) : header.plusSeconds(15);
            int clients = Integer.parseInt(values.getOrDefault("--clients", "10000"));
            int rounds = Integer.parseInt(values.getOrDefault("--rounds", "3"));
            if (clients < 1 || rounds < 1) {
                throw new IllegalArgumentException("expected at least one client and one round");
            }
            return new Options(clients, rounds, header, duration(values.getOrDefault("--keep-alive-timeout", "75s")),
                    Integer.parseInt(values.getOrDefault("--requests", "500")), watch,
                    Integer.parseInt(values.getOrDefault("--openers", "128")), targets, oursFlags,
                    Path.of(values.getOrDefault("--examples-jar", "src-examples/target/upgrade-examples.jar")),
                    Path.of(values.getOrDefault("--work", "upgrade-benchmarks/target/waiting")),
                    Path.of(values.getOrDefault("--out", "upgrade-benchmarks/results/waiting.json")));
        }

        /** {@code 500ms}, {@code 10s}, {@code 2m}. */
        static Duration duration(String text) {
            try {
                if (text.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
                }
                long n = Long.parseLong(text.substring(0, text.length() - 1));
                switch (text.charAt(text.length() - 1)) {
                    case 's':
                        return Duration.ofSeconds(n);
                    case 'm':
                        return Duration.ofMinutes(n);
                    default:
                        break;
                }
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                // the error below
            }
            throw new IllegalArgumentException("expected a duration like 500ms, 10s or 2m but was '" + text + "'");
        }
    }

    /**
     * Runs every round and prints the table.
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
            System.err.println("error: WaitingClients reads /proc and needs Linux");
            System.exit(2);
        }
        // One descriptor per waiting client here, and some for the normal requests, the JVM and jcmd.
        long need = options.clients() + 1024L;
        long[] limits = ProcessMeter.openFileLimits();
        if (limits[0] >= 0 && limits[0] < need) {
            System.err.printf(Locale.ROOT, "error: %,d waiting clients need at least %d open files in this process, which"
                    + " may have %d (hard limit %d): run `ulimit -n %d` first (as root where the hard limit is lower),"
                    + " or use --clients %d%n", options.clients(), need, limits[0], limits[1], need,
                    Math.max(1, limits[0] - 1024));
            System.exit(2);
        }
        WaitingClients run = new WaitingClients(options);
        if (run.proxies.fileLimit() < options.clients() + 1024L) {
            System.err.printf(Locale.ROOT, "error: the proxies get at most %d open files (this process's hard limit),"
                    + " too few for %,d waiting clients: raise the hard limit as root or use fewer --clients%n",
                    run.proxies.fileLimit(), options.clients());
            System.exit(2);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(run.proxies::stopAll, "stop-children"));
        try {
            run.run();
        } finally {
            run.proxies.stopAll();
        }
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
