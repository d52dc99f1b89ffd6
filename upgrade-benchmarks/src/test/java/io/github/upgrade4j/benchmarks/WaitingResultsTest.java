package io.github.upgrade4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.benchmarks.RequestTimer.Latency;
import io.github.upgrade4j.benchmarks.WaitingResults.Measurement;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WaitingResultsTest {
    private static Measurement measurement(String target, Double heap, WaitingWatch.Spread closes) {
        Latency latency = new Latency(0.5, 2.5, 3.0, 0);
        return new Measurement(1, target, 10_000, 0, 0.8, 10_000, 3, 3, 16.0, 40.5, heap, latency, latency, latency, latency,
                1.2, new WaitingWatch.Closures(closes == null ? 0 : 10_000, closes == null ? 10_000 : 0, 0, 0, closes,
                closes));
    }

    @Test
    void writesAndReadsBackEveryFigureWithNullWhereOneDoesNotApply(@TempDir Path dir) throws Exception {
        WaitingResults results = new WaitingResults("2026-12-06T00:00:00Z", "machine", 10_000, 1, 10, 75, 25, 500, 16,
                List.of("ours", "nginx"), false, 20_000, List.of("0.1 0.2 0.3", "0.4 0.5 0.6"),
                List.of(measurement("ours", 2.9, null), measurement("nginx", null, new WaitingWatch.Spread(9.9, 10, 10.1))));
        Path file = dir.resolve("waiting.json");

        results.write(file);
        WaitingResults read = WaitingResults.read(file);

        assertEquals(results, read);
        assertNull(read.measurements().get(1).heapGrowthMiB());
        assertNull(read.measurements().get(0).closures().afterLastStall());
        assertTrue(ResultFiles.parseTree(ResultFiles.toJson(results)).get("measurements").get(1).get("heapGrowthMiB")
                .isNull());
    }

    @Test
    void theTableFormatsByMagnitudeAndTakesMediansWithoutMissingValues() {
        assertEquals("10", WaitingTable.fmt(10.0));
        assertEquals("0.50", WaitingTable.fmt(0.5));
        assertEquals("12.3", WaitingTable.fmt(12.34));
        assertEquals("1,235", WaitingTable.fmt(1234.6));
        assertEquals("-", WaitingTable.fmt(Double.NaN));
        assertEquals(2.0, WaitingTable.median(new double[] {3, Double.NaN, 1, 2}));
        assertTrue(Double.isNaN(WaitingTable.median(new double[] {Double.NaN})));
    }
}
