package io.github.upgrade4j.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The figures of a {@link ProxyComparison}: every round's value per test and target, the table of
 * medians with each one's spread across rounds, the ratios against the anchors, the verdicts on the
 * targets of issues 10 and 15, and the JSON file {@link Plots} reads.
 *
 * <p>A verdict compares medians and says so when the two spreads overlap: then the honest word is
 * "level with", whatever the ratio of the medians.
 */
final class ComparisonTable {
    /** What is measured, in the order of the table. */
    enum Test {
        BULK_1_UP("bulk-1-up", "bulk, 1 tunnel, upload", "Gbit/s", true),
        BULK_1_DOWN("bulk-1-down", "bulk, 1 tunnel, download", "Gbit/s", true),
        BULK_16_UP("bulk-16-up", "bulk, 16 tunnels, upload", "Gbit/s", true),
        BULK_16_DOWN("bulk-16-down", "bulk, 16 tunnels, download", "Gbit/s", true),
        RTT("rtt-64", "64 B round trip, median", "us", false),
        RTT_P99("rtt-64-p99", "64 B round trip, p99", "us", false),
        IDLE_TOTAL("idle-total", "memory per idle tunnel", "B", false),
        IDLE_RSS("idle-rss", "RSS growth per idle tunnel", "B", false),
        IDLE_HEAP("idle-heap", "JVM heap after GC per idle tunnel", "B", false),
        IDLE_THREADS("idle-threads", "threads per idle tunnel", "threads", false),
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

    private final List<String> targets;
    private final Map<Test, Map<String, List<Double>>> results = new LinkedHashMap<>();

    ComparisonTable(List<String> targets) {
        this.targets = List.copyOf(targets);
        for (Test test : Test.values()) {
            results.put(test, new LinkedHashMap<>());
        }
    }

    void record(Test test, String target, double value) {
        results.get(test).computeIfAbsent(target, k -> new ArrayList<>()).add(value);
    }

    /** Forgets every figure: the warm-up pass is not recorded. */
    void clear() {
        results.values().forEach(Map::clear);
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private List<Double> values(Test test, String target) {
        return results.get(test).getOrDefault(target, List.of());
    }

    double median(Test test, String target) {
        return median(values(test, target));
    }

    private double min(Test test, String target) {
        return values(test, target).stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private double max(Test test, String target) {
        return values(test, target).stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** Whether the two targets' ranges across rounds overlap: then neither is ahead of the other. */
    private boolean overlap(Test test, String a, String b) {
        return min(test, a) <= max(test, b) && min(test, b) <= max(test, a);
    }

    /**
     * A target's figure as the READMEs give it: {@code median (min–max)} across the rounds, in the
     * table's number format; an em dash if it was not measured.
     */
    String cell(Test test, String target) {
        if (values(test, target).isEmpty()) {
            return "—";
        }
        return format(median(test, target), test) + " (" + format(min(test, target), test) + "–"
                + format(max(test, target), test) + ")";
    }

    /**
     * Target {@code a} against {@code b}: "level with" where their spreads across rounds overlap,
     * whatever the medians; otherwise the ratio of the medians, {@code a} over {@code b}, with "ranges
     * apart" (or both medians, when {@code b}'s is 0 or either is negative). An em dash if either was not
     * measured.
     */
    String against(Test test, String a, String b) {
        if (values(test, a).isEmpty() || values(test, b).isEmpty() || Double.isNaN(median(test, a))
                || Double.isNaN(median(test, b))) {
            return "—";
        }
        if (overlap(test, a, b)) {
            return "level with";
        }
        double ratio = median(test, a) / median(test, b);
        // A median of 0 gives no ratio, and a negative one (an RSS that shrank) no meaningful one.
        if (median(test, a) < 0 || median(test, b) <= 0) {
            return "ranges apart: " + format(median(test, a), test) + " against " + format(median(test, b), test);
        }
        return String.format(Locale.ROOT, "%.2f×, ranges apart", ratio);
    }

    void printRound() {
        StringBuilder line = new StringBuilder("  this round:");
        for (Test test : List.of(Test.BULK_1_UP, Test.BULK_1_DOWN, Test.RTT, Test.IDLE_TOTAL, Test.CPU_BULK_1_UP)) {
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

    /** The ours target an anchor is compared with: {@code ours-tls} for a TLS anchor, else the splice path if present. */
    private String ours(String anchor) {
        if (Proxies.isTls(anchor)) {
            return "ours-tls";
        }
        return targets.contains("ours-splice") ? "ours-splice" : targets.contains("ours-copy") ? "ours-copy" : "ours";
    }

    void print(int rounds) {
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
        boolean bothPaths = targets.contains("ours-splice") && targets.contains("ours-copy");
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s",
                "median of " + rounds + " round(s)"));
        targets.forEach(t -> header.append(String.format(Locale.ROOT, " %" + Math.max(9, t.length()) + "s", t)));
        if (bothPaths) {
            header.append(String.format(Locale.ROOT, " %12s", "splice/copy"));
        }
        anchors.forEach(a -> header.append(String.format(Locale.ROOT, " %" + ratioWidth(a) + "s", ours(a) + "/" + a)));
        System.out.println(header);
        labels.forEach((test, label) -> {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", label));
            targets.forEach(t -> row.append(String.format(Locale.ROOT, " %" + Math.max(9, t.length()) + "s",
                    format(median(test, t), test))));
            if (bothPaths) {
                row.append(String.format(Locale.ROOT, " %12s", ratio(test, "ours-splice", "ours-copy")));
            }
            anchors.forEach(a -> row.append(String.format(Locale.ROOT, " %" + ratioWidth(a) + "s", ratio(test, ours(a), a))));
            System.out.println(row);
        });
        System.out.println();
        System.out.println("spread across rounds (min-max):");
        labels.forEach((test, label) -> {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", label));
            targets.forEach(t -> row.append(String.format(Locale.ROOT, " %" + Math.max(17, t.length()) + "s",
                    values(test, t).isEmpty() ? "-" : format(min(test, t), test) + "-" + format(max(test, t), test))));
            System.out.println(row);
        });
        System.out.println("(direct has no proxy process: no memory or CPU figure. Memory per idle tunnel is the heap"
                + " after GC plus the RSS growth for the JVM, started with a fixed heap touched at start, and the RSS"
                + " growth for the others. The -tls targets are reached over TLS 1.3 (wss) and compared with ours-tls."
                + " A ratio above 1 favours ours where higher is better, below 1 where lower is better.)");
        System.out.println();
        printVerdicts();
    }

    private String ratio(Test test, String ours, String anchor) {
        double ratio = median(test, ours) / median(test, anchor);
        return Double.isNaN(ratio) || Double.isInfinite(ratio) ? "-" : String.format(Locale.ROOT, "%.2f", ratio);
    }

    private int ratioWidth(String anchor) {
        return Math.max(14, ours(anchor).length() + anchor.length() + 2);
    }

    private void printVerdicts() {
        if (targets.contains("ours-tls") && targets.contains("nginx-tls")) {
            System.out.println("Targets for wss (issue 10: no slower than nginx with ssl; issue 15: an idle wss tunnel"
                    + " costs at most HAProxy's):");
            for (Test test : List.of(Test.BULK_1_UP, Test.BULK_1_DOWN)) {
                verdict("wss " + test.title + " >= nginx-tls", test, "ours-tls", List.of("nginx-tls"), 1.0);
            }
            verdict("wss 64 B round trip no slower than nginx-tls", Test.RTT, "ours-tls", List.of("nginx-tls"), 1.0);
            verdict("idle wss tunnel at most haproxy-tls's memory", Test.IDLE_TOTAL, "ours-tls", List.of("haproxy-tls"),
                    1.0);
        }
        if (!targets.contains("ours-splice") && !targets.contains("ours-copy")) {
            return;
        }
        System.out.println("Targets (issue 15):");
        String best = targets.contains("ours-splice") ? "ours-splice" : "ours-copy";
        List<String> tuned = targets.stream().filter(List.of("nginx-64k", "haproxy", "haproxy-splice")::contains)
                .collect(Collectors.toList());
        for (Test test : List.of(Test.BULK_1_UP, Test.BULK_1_DOWN, Test.BULK_16_UP)) {
            verdict(test.title + " >= 1.2x the best of " + tuned, test, best, tuned, 1.2);
        }
        for (Test test : List.of(Test.CPU_BULK_1_UP, Test.CPU_BULK_1_DOWN)) {
            verdict(test.title + ": splice <= 0.6x copy", test, "ours-splice", List.of("ours-copy"), 0.6);
            verdict(test.title + ": splice <= haproxy-splice", test, "ours-splice", List.of("haproxy-splice"), 1.0);
            verdict(test.title + ": copy <= nginx-64k", test, "ours-copy", List.of("nginx-64k"), 1.0);
        }
        verdict("64 B round trip: splice no slower than copy", Test.RTT, "ours-splice", List.of("ours-copy"), 1.0);
        verdict("64 B round trip: splice no slower than nginx", Test.RTT, "ours-splice", List.of("nginx"), 1.0);
        for (String ours : List.of("ours-splice", "ours-copy")) {
            double total = median(Test.IDLE_TOTAL, ours);
            if (!Double.isNaN(total)) {
                // A resident set that shrank while tunnels were added measured the JVM's own churn, not them.
                String state = min(Test.IDLE_RSS, ours) < 0 ? "NOT MEASURED (the RSS shrank in a round: noise)"
                        : total <= 2048 ? "MET" : "MISSED";
                if (max(Test.IDLE_TOTAL, ours) > 2048 && total <= 2048) {
                    state += String.format(Locale.ROOT, " (up to %,.0f B in a round)", max(Test.IDLE_TOTAL, ours));
                }
                System.out.printf(Locale.ROOT, "  %-88s %8s  %s%n", "memory per idle tunnel <= 2,048 B, " + ours
                        + String.format(Locale.ROOT, " (heap %,.0f B + RSS %,.0f B)", median(Test.IDLE_HEAP, ours),
                        median(Test.IDLE_RSS, ours)), String.format(Locale.ROOT, "%,.0f B", total), state);
            }
        }
    }

    /**
     * One target: {@code ours} against the best of {@code anchors} (the highest where higher is better,
     * else the lowest), times {@code factor}. MET or MISSED by the medians, and "level with" when the
     * spreads overlap and the factor is 1.
     */
    private void verdict(String what, Test test, String ours, List<String> anchors, double factor) {
        String best = null;
        for (String anchor : anchors) {
            double value = median(test, anchor);
            if (!Double.isNaN(value) && (best == null
                    || (test.higherIsBetter ? value > median(test, best) : value < median(test, best)))) {
                best = anchor;
            }
        }
        double mine = median(test, ours);
        if (best == null || Double.isNaN(mine)) {
            System.out.printf(Locale.ROOT, "  %-88s %8s  %s%n", what, "-", "not measured");
            return;
        }
        double ratio = mine / median(test, best);
        boolean met = test.higherIsBetter ? ratio >= factor : ratio <= factor;
        String state = met ? "MET" : "MISSED";
        if (overlap(test, ours, best)) {
            state += factor == 1.0 ? " (level with " + best + ": the spreads overlap)" : " (the spreads overlap)";
        }
        System.out.printf(Locale.ROOT, "  %-88s %8.2f  %s%n", what + " [vs " + best + "]", ratio, state);
    }

    /** Writes every round's figures to {@code out} as {@link ComparisonResults}. */
    void writeJson(Path out, Instant began, String machine, int rounds, int seconds, int idleTunnels, List<String> loads)
            throws IOException {
        List<ComparisonResults.TestValues> tests = new ArrayList<>();
        for (Test test : Test.values()) {
            Map<String, List<Double>> values = new LinkedHashMap<>();
            results.get(test).forEach((target, list) -> values.put(target,
                    list.stream().map(ResultFiles::round4).collect(Collectors.toList())));
            tests.add(new ComparisonResults.TestValues(test.id, test.title, test.unit, test.higherIsBetter, values));
        }
        new ComparisonResults(began.toString(), machine, rounds, seconds, idleTunnels, targets, loads, tests).write(out);
    }
}
