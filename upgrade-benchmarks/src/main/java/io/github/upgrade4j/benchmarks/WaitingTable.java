package io.github.upgrade4j.benchmarks;

import io.github.upgrade4j.benchmarks.WaitingResults.Measurement;
import io.github.upgrade4j.benchmarks.WaitingWatch.Spread;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The table of a {@link WaitingClients} run: every figure as the median of the rounds with their
 * range, per target, beside the target of issue 18 it is held to, and then the verdicts.
 *
 * <p>A numeric verdict is MET or MISSED by the median and says so when a round crossed the line; the
 * closing verdict needs every client of every round closed between 1 s before and 5 s after the header
 * timeout (counted from its own stall), and no client that failed to connect.
 */
final class WaitingTable {
    /** Issue 18: RSS growth at 10,000 waiting clients. */
    static final double RSS_TARGET_MIB = 64;
    /** Issue 18: threads with 10,000 waiting clients. */
    static final double THREADS_TARGET = 64;
    /** Issue 18: a normal request's p99 while they wait. */
    static final double P99_TARGET_MILLIS = 100;

    private record Row(String label, String target, ToDoubleFunction<Measurement> value) {}

    private final WaitingResults results;

    WaitingTable(WaitingResults results) {
        this.results = results;
    }

    private static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("waiting clients connected", "", m -> m.opened()));
        rows.add(new Row("still waiting when RSS and threads were read", "all", m -> m.waitingAtMeasure()));
        rows.add(new Row("RSS growth, MiB", "< 64", Measurement::rssGrowthMiB));
        rows.add(new Row("JVM heap growth after GC, MiB", "", m -> m.heapGrowthMiB() == null ? Double.NaN
                : m.heapGrowthMiB()));
        rows.add(new Row("threads before", "", m -> m.threadsBefore()));
        rows.add(new Row("threads, all waiting", "< 64", m -> m.threadsWaiting()));
        rows.add(new Row("plain GET alone, p99 ms", "", m -> m.getAlone().p99Millis()));
        rows.add(new Row("plain GET meanwhile, p50 ms", "", m -> m.getMeanwhile().p50Millis()));
        rows.add(new Row("plain GET meanwhile, p99 ms", "< 100", m -> m.getMeanwhile().p99Millis()));
        rows.add(new Row("plain GET meanwhile, max ms", "", m -> m.getMeanwhile().maxMillis()));
        rows.add(new Row("upgrade alone, p99 ms", "", m -> m.upgradeAlone().p99Millis()));
        rows.add(new Row("upgrade meanwhile, p50 ms", "", m -> m.upgradeMeanwhile().p50Millis()));
        rows.add(new Row("upgrade meanwhile, p99 ms", "< 100", m -> m.upgradeMeanwhile().p99Millis()));
        rows.add(new Row("upgrade meanwhile, max ms", "", m -> m.upgradeMeanwhile().maxMillis()));
        rows.add(new Row("normal requests failed meanwhile", "0", m -> m.getMeanwhile().failed()
                + m.upgradeMeanwhile().failed()));
        rows.add(new Row("closed by the proxy while watched", "all", m -> m.closures().closed()));
        rows.add(new Row("NOT closed by header timeout + 5 s", "0", m -> m.closures().notClosedInTime()));
        rows.add(new Row("closed > 1 s before the header timeout", "0", m -> m.closures().closedEarly()));
        rows.add(new Row("answered before the close (408)", "", m -> m.closures().answered()));
        rows.add(new Row("closed after the last stall, min s", "", m -> spread(m, Spread::min)));
        rows.add(new Row("closed after the last stall, median s", "", m -> spread(m, Spread::median)));
        rows.add(new Row("closed after the last stall, max s", "", m -> spread(m, Spread::max)));
        rows.add(new Row("closed after its own stall, median s", "", m -> m.closures().afterOwnStall() == null
                ? Double.NaN : m.closures().afterOwnStall().median()));
        rows.add(new Row("opening the clients took, s", "", Measurement::openSeconds));
        rows.add(new Row("requests meanwhile ended, s after last stall", "", Measurement::meanwhileEndedSeconds));
        return rows;
    }

    private static double spread(Measurement m, Function<Spread, Double> part) {
        Spread spread = m.closures().afterLastStall();
        return spread == null ? Double.NaN : part.apply(spread);
    }

    /** Prints the table and the verdicts. */
    void print() {
        System.out.printf(Locale.ROOT, "%,d waiting clients, header timeout %s s, keep-alive timeout %s s;"
                + " median (min-max) of %d round(s)%n", results.clients(), fmt(results.headerTimeoutSeconds()),
                fmt(results.keepAliveTimeoutSeconds()), results.rounds());
        int width = 46;
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", "figure"));
        results.targets().forEach(t -> header.append(String.format(Locale.ROOT, " %24s", t)));
        header.append(String.format(Locale.ROOT, " %8s", "target"));
        System.out.println(header);
        for (Row row : rows()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", row.label()));
            for (String target : results.targets()) {
                line.append(String.format(Locale.ROOT, " %24s", cell(values(target, row.value()))));
            }
            line.append(String.format(Locale.ROOT, " %8s", row.target()));
            System.out.println(line);
        }
        if (results.targets().contains("ours") && !results.oursTimeoutFlags()) {
            System.out.println("(ours ran without --header-timeout and --keep-alive-timeout, which this example proxy"
                    + " does not have: it closes a stalled client at its built-in read timeout.)");
        }
        System.out.println();
        printVerdicts();
    }

    private void printVerdicts() {
        System.out.printf(Locale.ROOT, "Targets (issue 18), %,d waiting clients:%n", results.clients());
        for (String target : results.targets()) {
            verdict(target, "RSS growth < 64 MiB", values(target, Measurement::rssGrowthMiB), RSS_TARGET_MIB, " MiB");
            verdict(target, "threads < 64", values(target, m -> m.threadsWaiting()), THREADS_TARGET, "");
            verdict(target, "plain GET p99 < 100 ms meanwhile", values(target, m -> m.getMeanwhile().p99Millis()),
                    P99_TARGET_MILLIS, " ms");
            verdict(target, "upgrade p99 < 100 ms meanwhile", values(target, m -> m.upgradeMeanwhile().p99Millis()),
                    P99_TARGET_MILLIS, " ms");
            List<Measurement> rounds = measurements(target);
            int late = rounds.stream().mapToInt(m -> m.closures().notClosedInTime()).sum();
            int early = rounds.stream().mapToInt(m -> m.closures().closedEarly()).sum();
            int failed = rounds.stream().mapToInt(m -> m.openFailures() + m.getMeanwhile().failed()
                    + m.upgradeMeanwhile().failed()).sum();
            boolean met = !rounds.isEmpty() && late == 0 && early == 0 && failed == 0;
            System.out.printf(Locale.ROOT, "  %-10s %-40s %32s  %s%n", target, "every waiting client closed at the"
                    + " header timeout", String.format(Locale.ROOT, "%,d late, %,d early in %d round(s)", late, early,
                    rounds.size()),
                    met ? "MET" : "MISSED" + (failed > 0 ? String.format(Locale.ROOT, " (%,d connects or requests"
                    + " failed)", failed) : ""));
        }
    }

    private void verdict(String target, String what, double[] values, double limit, String unit) {
        if (values.length == 0 || Double.isNaN(median(values))) {
            System.out.printf(Locale.ROOT, "  %-10s %-40s %32s  %s%n", target, what, "-", "not measured");
            return;
        }
        double median = median(values);
        double max = Arrays.stream(values).max().orElse(median);
        String state = median < limit ? "MET" : "MISSED";
        if (median < limit && max >= limit) {
            state += " (" + fmt(max) + unit + " in a round)";
        }
        System.out.printf(Locale.ROOT, "  %-10s %-40s %32s  %s%n", target, what, fmt(median) + unit, state);
    }

    private List<Measurement> measurements(String target) {
        return results.measurements().stream().filter(m -> m.target().equals(target)).toList();
    }

    private double[] values(String target, ToDoubleFunction<Measurement> value) {
        return measurements(target).stream().mapToDouble(value).toArray();
    }

    private static String cell(double[] values) {
        if (values.length == 0 || Arrays.stream(values).allMatch(Double::isNaN)) {
            return "-";
        }
        double[] known = Arrays.stream(values).filter(v -> !Double.isNaN(v)).toArray();
        double min = Arrays.stream(known).min().orElse(Double.NaN);
        double max = Arrays.stream(known).max().orElse(Double.NaN);
        String text = fmt(median(known));
        return known.length == 1 || min == max ? text : text + " (" + fmt(min) + "-" + fmt(max) + ")";
    }

    static double median(double[] values) {
        double[] sorted = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static String fmt(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        double magnitude = Math.abs(value);
        return String.format(Locale.ROOT, magnitude >= 100 || value == Math.rint(value) ? "%,.0f"
                : magnitude >= 10 ? "%.1f" : "%.2f", value);
    }
}
