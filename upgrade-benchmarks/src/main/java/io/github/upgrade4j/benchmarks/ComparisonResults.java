package io.github.upgrade4j.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The JSON file of one {@link ProxyComparison} run ({@code results/comparison.json}): every round's
 * value of every test and target, with what is needed to read them. {@link ComparisonTable} writes
 * it; {@link Plots} reads it. Written and read with Jackson ({@link ResultFiles}), which writes a
 * record's components in their order here; the names and the structure are those of the files earlier
 * runs wrote by hand, which read the same way.
 *
 * @param started when the first round began (ISO-8601)
 * @param machine {@link Machine#describe()} at the end of the run
 * @param rounds how many rounds
 * @param seconds the measured seconds of each throughput run
 * @param idleTunnels how many idle tunnels each memory measurement opened
 * @param targets the targets, in the order of the table
 * @param loadAverages the load average at the start of each round, and after the last
 * @param tests every test in the order of the table, with its values
 */
record ComparisonResults(String started, String machine, int rounds, int seconds, int idleTunnels,
        List<String> targets, List<String> loadAverages, List<TestValues> tests) {
    /**
     * One test's values.
     *
     * @param id the test's short name ({@code bulk-1-up}, {@code idle-total}, ...)
     * @param title what the table calls it
     * @param unit its unit
     * @param higherIsBetter whether more is better (throughput) or less (time, memory, CPU)
     * @param values per target, in the table's order, one value per round (four decimals)
     */
    record TestValues(String id, String title, String unit, boolean higherIsBetter, Map<String, List<Double>> values) {}

    /** Reads a file written by {@link #write} or by an earlier run. */
    static ComparisonResults read(Path file) throws IOException {
        return ResultFiles.read(file, ComparisonResults.class);
    }

    /** Writes this to {@code out}. */
    void write(Path out) throws IOException {
        ResultFiles.write(out, this);
    }
}
