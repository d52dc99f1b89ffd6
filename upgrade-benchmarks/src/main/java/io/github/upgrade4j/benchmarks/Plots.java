package io.github.upgrade4j.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Renders the benchmark results to PNG with XChart: JMH's JSON ({@code -rf json}) and
 * {@link ProxyComparison}'s JSON, whichever of the two exists.
 *
 * <pre>{@code
 * java -cp upgrade-benchmarks/target/benchmarks.jar io.github.upgrade4j.benchmarks.Plots \
 *     [--jmh upgrade-benchmarks/results/jmh.json] [--comparison upgrade-benchmarks/results/comparison.json] \
 *     [--out upgrade-benchmarks/results]
 * }</pre>
 *
 * <p>Writes {@code jmh-parsers.png}, {@code jmh-upgrade.png} and {@code jmh-relay.png} from the JMH
 * results and {@code comparison-throughput.png} and {@code comparison-latency-memory.png} from the
 * comparison.
 */
public final class Plots {
    private static final String PACKAGE = "io.github.upgrade4j.benchmarks.";
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x7f7f7f),
        new Color(0x9467bd)};
    private static final Map<String, Color> TARGET_COLORS = Map.of("ours", COLORS[0], "ours-splice", COLORS[0],
            "ours-copy", new Color(0x17becf), "nginx", COLORS[1], "nginx-64k", COLORS[2], "haproxy", COLORS[3],
            "haproxy-splice", new Color(0x8c564b), "direct", COLORS[4], "splice", COLORS[0], "servlet", new Color(0xe377c2));

    /** The {@code path} parameter of the relay benchmarks. */
    private static final List<String> RELAY_PATHS = List.of("splice", "copy", "direct");

    private Plots() {}

    /** A target's colour: its own for a plain target, a paler shade of its plain twin's for a {@code -tls} one. */
    private static Color color(String target) {
        if (target.equals("copy")) {
            return TARGET_COLORS.get("ours-copy");
        }
        if (!target.endsWith("-tls")) {
            return TARGET_COLORS.getOrDefault(target, COLORS[5]);
        }
        Color base = TARGET_COLORS.getOrDefault(target.substring(0, target.length() - 4), COLORS[5]);
        return new Color((base.getRed() + 255) / 2, (base.getGreen() + 255) / 2, (base.getBlue() + 255) / 2);
    }

    /**
     * Renders whatever results exist.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) {
        System.exit(RunnerCommandLine.execute(new Arguments(), args, System.out, System.err));
    }

    /** The command line: where the results are and where the pictures go. */
    @Command(name = "Plots", mixinStandardHelpOptions = true, versionProvider = RunnerCommandLine.JavaVersion.class,
            sortOptions = false, description = "Renders the PNG charts of whatever results exist: the JMH results"
                    + " and the proxy comparison's.",
            footer = {"", "Exit status: 0 done, 1 no results found, 2 a usage error."})
    static final class Arguments implements Callable<Integer> {
        @Option(names = "--jmh", paramLabel = "FILE", defaultValue = "upgrade-benchmarks/results/jmh.json",
                description = "JMH's JSON results. Default: ${DEFAULT-VALUE}.")
        private Path jmh;

        @Option(names = "--comparison", paramLabel = "FILE", defaultValue = "upgrade-benchmarks/results/comparison.json",
                description = "The proxy comparison's results. Default: ${DEFAULT-VALUE}.")
        private Path comparison;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "upgrade-benchmarks/results",
                description = "Where the pictures go. Default: ${DEFAULT-VALUE}.")
        private Path out;

        @Override
        public Integer call() throws IOException {
            System.setProperty("java.awt.headless", "true");
            Files.createDirectories(out);
            boolean any = false;
            if (Files.isRegularFile(jmh)) {
                jmh(jmh, out);
                any = true;
            }
            if (Files.isRegularFile(comparison)) {
                comparison(comparison, out);
                any = true;
            }
            if (!any) {
                System.err.println("no results: neither " + jmh + " nor " + comparison + " exists");
                return 1;
            }
            return 0;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // JMH

    /** One JMH result: benchmark method, parameters, score, error, unit and B/op. */
    record Score(String benchmark, Map<String, String> params, double score, double error, String unit, double bytesPerOp) {
        String param(String name) {
            return params.getOrDefault(name, "");
        }
    }

    /** The scores in JMH's {@code -rf json} file {@code file}. */
    static List<Score> readJmh(Path file) throws IOException {
        return jmhScores(ResultFiles.readTree(file));
    }

    /** The scores in JMH's JSON document {@code runs}: one per benchmark and parameter set. */
    static List<Score> jmhScores(JsonNode runs) {
        List<Score> scores = new ArrayList<>();
        for (JsonNode run : runs) {
            String benchmark = run.path("benchmark").asText().replace(PACKAGE, "");
            Map<String, String> params = new LinkedHashMap<>();
            run.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
            JsonNode primary = run.path("primaryMetric");
            double bytes = number(run.path("secondaryMetrics").path("gc.alloc.rate.norm").path("score"));
            scores.add(new Score(benchmark, params, number(primary.path("score")), number(primary.path("scoreError")),
                    primary.path("scoreUnit").asText(), bytes));
        }
        return scores;
    }

    /** A number, or NaN where there is none or JMH wrote {@code "NaN"}. */
    private static double number(JsonNode value) {
        return value.isNumber() || value.isTextual() ? value.asDouble(Double.NaN) : Double.NaN;
    }

    private static void jmh(Path file, Path out) throws IOException {
        List<Score> scores = readJmh(file);
        parsers(scores, out);
        upgrade(scores, out);
        relay(scores, out);
    }

    private static void parsers(List<Score> scores, Path out) throws IOException {
        List<Score> parser = select(scores, s -> s.benchmark().startsWith("Http1ParserBenchmark."));
        if (parser.isEmpty()) {
            return;
        }
        List<String> heads = List.of("chrome-upgrade", "get-15-fields", "response-101");
        List<CategoryChart> charts = new ArrayList<>();
        for (boolean allocation : new boolean[] {false, true}) {
            for (String buffer : List.of("heap", "direct")) {
                CategoryChart chart = chart(760, 480, (allocation ? "B/op" : "ns/op") + ", " + buffer + " buffer"
                        + " (lower is better)", "", allocation ? "B/op" : "ns/op");
                int color = 0;
                for (String parserName : List.of("upgrade4j", "netty", "jetty")) {
                    List<Double> values = new ArrayList<>();
                    for (String head : heads) {
                        Score s = find(parser, "Http1ParserBenchmark." + parserName, Map.of("head", head, "buffer", buffer));
                        double value = s == null ? 0 : allocation ? s.bytesPerOp() : s.score();
                        values.add(Double.isNaN(value) ? 0 : value);
                    }
                    chart.addSeries(parserName, heads, values).setFillColor(COLORS[color++]);
                }
                chart.getStyler().setLabelsVisible(true);
                chart.getStyler().setYAxisDecimalPattern("#,##0");
                chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
                chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
                charts.add(chart);
            }
        }
        save(charts, 2, 2, out.resolve("jmh-parsers"));
    }

    private static void upgrade(List<Score> scores, Path out) throws IOException {
        Map<String, Score> rows = new LinkedHashMap<>();
        for (String head : List.of("get-15-fields", "chrome-upgrade", "three-nominations")) {
            rows.put("policy: " + head, find(scores, "HopByHopPolicyBenchmark.forRequest", Map.of("head", head)));
        }
        rows.put("negotiate (origin)", find(scores, "UpgradeBenchmark.negotiate", Map.of()));
        rows.put("towardUpstream (proxy)", find(scores, "UpgradeBenchmark.towardUpstream", Map.of()));
        rows.put("judge101 (proxy)", find(scores, "UpgradeBenchmark.judge101", Map.of()));
        rows.put("parse+policy+negotiate", find(scores, "UpgradeBenchmark.parsePolicyNegotiate", Map.of()));
        rows.values().removeIf(s -> s == null);
        if (rows.isEmpty()) {
            return;
        }
        List<String> names = new ArrayList<>(rows.keySet());
        CategoryChart time = chart(1200, 560, "Hop-by-hop policy and upgrade negotiation on Chrome's upgrade: ns/op",
                "", "ns/op");
        time.addSeries("ns/op", names, rows.values().stream().map(Score::score).toList()).setFillColor(COLORS[0]);
        time.getStyler().setLegendVisible(false);
        time.getStyler().setLabelsVisible(true);
        time.getStyler().setYAxisDecimalPattern("#,##0");
        time.getStyler().setXAxisLabelRotation(15);
        CategoryChart bytes = chart(1200, 560, "Bytes allocated per operation: B/op", "", "B/op");
        bytes.addSeries("B/op", names, rows.values().stream().map(s -> Double.isNaN(s.bytesPerOp()) ? 0 : s.bytesPerOp())
                .toList()).setFillColor(COLORS[2]);
        bytes.getStyler().setLegendVisible(false);
        bytes.getStyler().setLabelsVisible(true);
        bytes.getStyler().setYAxisDecimalPattern("#,##0");
        bytes.getStyler().setXAxisLabelRotation(15);
        save(List.of(time, bytes), 2, 1, out.resolve("jmh-upgrade"));
    }

    private static void relay(List<Score> scores, Path out) throws IOException {
        List<Score> throughput = select(scores, s -> s.benchmark().equals("RelayThroughputBenchmark.write"));
        List<Score> roundTrip = select(scores, s -> s.benchmark().startsWith("RelayRoundTripBenchmark."));
        if (throughput.isEmpty() && roundTrip.isEmpty()) {
            return;
        }
        List<CategoryChart> charts = new ArrayList<>();
        if (!throughput.isEmpty()) {
            List<String> sizes = List.of("64", "4096", "65536", "1048576");
            List<String> labels = List.of("64 B", "4 KiB", "64 KiB", "1 MiB");
            CategoryChart chart = chart(1000, 520, "In-process relay, one tunnel: MB/s per write size (higher is better)",
                    "bytes per write", "MB/s");
            chart.getStyler().setLabelsVisible(true);
            chart.getStyler().setYAxisDecimalPattern("#,##0");
            for (String path : RELAY_PATHS) {
                List<Double> mbps = new ArrayList<>();
                for (String size : sizes) {
                    Score s = find(throughput, "RelayThroughputBenchmark.write", Map.of("size", size, "path", path));
                    mbps.add(s == null ? 0 : s.score() * Double.parseDouble(size) / 1e6);
                }
                chart.addSeries(path, labels, mbps).setFillColor(color(path));
            }
            charts.add(chart);
        }
        if (!roundTrip.isEmpty()) {
            Map<String, Double> values = new LinkedHashMap<>();
            for (String path : RELAY_PATHS) {
                Score s = find(roundTrip, roundTrip.get(0).benchmark(), Map.of("path", path));
                if (s != null) {
                    values.put(path, s.score());
                }
            }
            CategoryChart chart = perTarget(RELAY_PATHS, values,
                    "In-process relay: 64 B round trip, us (lower is better)", "us", "0.0", 1);
            chart.getStyler().setLegendVisible(true);
            charts.add(chart);
        }
        save(charts, charts.size(), 1, out.resolve("jmh-relay"));
    }

    private static List<Score> select(List<Score> scores, Predicate<Score> filter) {
        return scores.stream().filter(filter).toList();
    }

    private static Score find(List<Score> scores, String benchmark, Map<String, String> params) {
        for (Score s : scores) {
            if (s.benchmark().equals(benchmark) && params.entrySet().stream()
                    .allMatch(e -> e.getValue().equals(s.param(e.getKey())))) {
                return s;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------
    // Comparison

    private static void comparison(Path file, Path out) throws IOException {
        ComparisonResults results = ComparisonResults.read(file);
        List<String> targets = results.targets();
        Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
        for (ComparisonResults.TestValues test : results.tests()) {
            Map<String, Double> byTarget = new LinkedHashMap<>();
            test.values().forEach((target, values) -> byTarget.put(target, ComparisonTable.median(values)));
            medians.put(test.id(), byTarget);
        }
        double rounds = results.rounds();
        String subtitle = String.format(Locale.ROOT, "median of %.0f round(s), 127.0.0.1", rounds);

        List<String> bulkTests = List.of("bulk-1-up", "bulk-1-down", "bulk-16-up", "bulk-16-down");
        List<String> bulkLabels = List.of("1 tunnel, upload", "1 tunnel, download", "16 tunnels, upload",
                "16 tunnels, download");
        CategoryChart bulk = chart(1200, 600, "Bulk throughput through each proxy, Gbit/s (" + subtitle + ")", "",
                "Gbit/s");
        for (String target : targets) {
            List<Double> values = new ArrayList<>();
            for (String test : bulkTests) {
                values.add(medians.getOrDefault(test, Map.of()).getOrDefault(target, 0.0));
            }
            bulk.addSeries(target, bulkLabels, values).setFillColor(color(target));
        }
        bulk.getStyler().setLabelsVisible(true);
        bulk.getStyler().setYAxisDecimalPattern("0.0");
        save(List.of(bulk), 1, 1, out.resolve("comparison-throughput"));

        List<CategoryChart> charts = new ArrayList<>();
        charts.add(perTarget(targets, medians.get("rtt-64"), "64 B round trip, median us (lower is better)", "us",
                "0.0", 1));
        charts.add(perTarget(targets, medians.containsKey("idle-total") ? medians.get("idle-total") : medians.get("idle-rss"),
                "Memory per idle tunnel, KiB (" + fmt(results.idleTunnels()) + " tunnels; lower is better)",
                "KiB", "0.0", 1024));
        charts.add(perTarget(targets, medians.get("cpu-bulk-1-up"),
                "Proxy CPU per GB relayed, 1 tunnel upload, ms (lower is better)", "ms", "0", 1));
        charts.add(perTarget(targets, medians.get("cpu-rtt-64"), "Proxy CPU per 64 B round trip, us (lower is better)",
                "us", "0.0", 1));
        charts.removeIf(c -> c == null);
        int columns = charts.size() == 1 ? 1 : 2;
        save(charts, (charts.size() + 1) / 2, columns, out.resolve("comparison-latency-memory"));
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    private static CategoryChart perTarget(List<String> targets, Map<String, Double> values, String title, String unit,
            String pattern, double divisor) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        CategoryChart chart = chart(1000, 520, title, "", unit);
        // One series per target, so that each target keeps its colour from the throughput chart.
        List<String> shown = targets.stream().filter(values::containsKey).toList();
        for (String target : shown) {
            List<Double> y = new ArrayList<>();
            for (String other : shown) {
                y.add(other.equals(target) ? values.get(target) / divisor : null); // null: no bar, no label
            }
            chart.addSeries(target, shown, y).setFillColor(color(target));
        }
        CategoryStyler styler = chart.getStyler();
        styler.setOverlapped(true);
        styler.setLegendVisible(false);
        styler.setLabelsVisible(true);
        styler.setYAxisDecimalPattern(pattern);
        return chart;
    }

    // ---------------------------------------------------------------------------------------------
    // Style

    private static CategoryChart chart(int width, int height, String title, String xTitle, String yTitle) {
        CategoryChart chart = new CategoryChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        CategoryStyler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesColor(new Color(0xdddddd));
        styler.setPlotBorderVisible(false);
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        styler.setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setXAxisTitleVisible(!xTitle.isEmpty());
        styler.setAvailableSpaceFill(0.85);
        styler.setYAxisDecimalPattern("#,##0.#");
        styler.setLabelsFontColorAutomaticEnabled(false);
        styler.setLabelsFontColor(Color.BLACK);
        styler.setLabelsPosition(1.0);
        styler.setChartPadding(12);
        return chart;
    }

    private static void save(List<CategoryChart> charts, int rows, int columns, Path fileWithoutExtension)
            throws IOException {
        if (charts.size() == 1) {
            BitmapEncoder.saveBitmap(charts.get(0), fileWithoutExtension.toString(), BitmapEncoder.BitmapFormat.PNG);
        } else {
            BitmapEncoder.saveBitmap(charts, rows, columns, fileWithoutExtension.toString(),
                    BitmapEncoder.BitmapFormat.PNG);
        }
        System.out.println("wrote " + fileWithoutExtension + ".png");
    }
}
