package io.github.upgrade4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComparisonResultsTest {
    /** The start of a results file as the hand-written JSON writer made it (results/comparison.json). */
    private static final String HAND_WRITTEN = """
            {
              "started": "2026-12-06T00:34:34.023116988Z",
              "machine": "2 x AMD EPYC, 23 GiB, Linux 6.18, Java 25.0.3, nginx version: nginx/1.22.1, \\"quoted\\"",
              "rounds": 2,
              "seconds": 3,
              "idleTunnels": 4000,
              "targets": ["ours-splice", "nginx", "direct"],
              "loadAverages": ["2.06 4.84 4.29", "5.98 7.03 5.36", "1.41 4.13 4.66"],
              "tests": [
                {"id": "bulk-1-up", "title": "bulk, 1 tunnel, upload", "unit": "Gbit/s", "higherIsBetter": true,
                  "values": {"ours-splice": [17.4632, 15.2935], "nginx": [4.6401, 4.1326], "direct": [25.2309, 25.1274]}},
                {"id": "idle-heap", "title": "JVM heap after GC per idle tunnel", "unit": "B", "higherIsBetter": false,
                  "values": {}}
              ]
            }
            """;

    @Test
    void readsAFileTheHandWrittenWriterMade() throws Exception {
        ComparisonResults results = ResultFiles.parse(HAND_WRITTEN, ComparisonResults.class);

        assertEquals(2, results.rounds());
        assertEquals(4000, results.idleTunnels());
        assertTrue(results.machine().endsWith("\"quoted\""));
        assertEquals(List.of("ours-splice", "nginx", "direct"), results.targets());
        assertEquals(3, results.loadAverages().size());
        ComparisonResults.TestValues bulk = results.tests().get(0);
        assertEquals("bulk-1-up", bulk.id());
        assertTrue(bulk.higherIsBetter());
        assertEquals(List.of("ours-splice", "nginx", "direct"), new ArrayList<>(bulk.values().keySet()));
        assertEquals(List.of(4.6401, 4.1326), bulk.values().get("nginx"));
        assertEquals(Map.of(), results.tests().get(1).values());
    }

    @Test
    void writesTheFieldsOfTheHandWrittenFormatInItsOrder() throws Exception {
        ComparisonResults results = ResultFiles.parse(HAND_WRITTEN, ComparisonResults.class);

        JsonNode written = ResultFiles.parseTree(ResultFiles.toJson(results));

        assertEquals(List.of("started", "machine", "rounds", "seconds", "idleTunnels", "targets", "loadAverages", "tests"),
                names(written));
        assertEquals(List.of("id", "title", "unit", "higherIsBetter", "values"), names(written.get("tests").get(0)));
        assertEquals(ResultFiles.parseTree(HAND_WRITTEN), written);
    }

    @Test
    void theTableWritesEveryRoundRoundedToFourDecimalsAndReadsItBack(@TempDir Path dir) throws Exception {
        ComparisonTable table = new ComparisonTable(List.of("ours-copy", "nginx"));
        table.record(ComparisonTable.Test.BULK_1_UP, "nginx", 4.640_149);
        table.record(ComparisonTable.Test.BULK_1_UP, "ours-copy", 17.5);
        table.record(ComparisonTable.Test.BULK_1_UP, "ours-copy", 18.25);
        Path file = dir.resolve("results/comparison.json");

        table.writeJson(file, Instant.parse("2026-12-06T00:00:00Z"), "machine", 2, 3, 4000, List.of("0.1 0.2 0.3"));
        ComparisonResults read = ComparisonResults.read(file);

        assertTrue(Files.readString(file).endsWith("}\n"));
        assertEquals("2026-12-06T00:00:00Z", read.started());
        assertEquals(List.of("ours-copy", "nginx"), read.targets());
        assertEquals(ComparisonTable.Test.values().length, read.tests().size());
        ComparisonResults.TestValues bulk = read.tests().get(0);
        assertEquals("bulk-1-up", bulk.id());
        // in the order the figures were recorded, as the hand-written writer kept them
        assertEquals(List.of("nginx", "ours-copy"), new ArrayList<>(bulk.values().keySet()));
        assertEquals(List.of(4.6401), bulk.values().get("nginx"));
        assertEquals(List.of(17.5, 18.25), bulk.values().get("ours-copy"));
    }

    @Test
    void readsJmhScoresWhetherNaNIsAStringOrANumber() throws Exception {
        JsonNode runs = ResultFiles.parseTree("""
                [
                  {"benchmark": "io.github.upgrade4j.benchmarks.UpgradeBenchmark.negotiate", "params": {"head": "chrome"},
                   "primaryMetric": {"score": 358.5, "scoreError": "NaN", "scoreUnit": "ns/op"},
                   "secondaryMetrics": {"gc.alloc.rate.norm": {"score": 528.0}}},
                  {"benchmark": "io.github.upgrade4j.benchmarks.Http1ParserBenchmark.netty",
                   "primaryMetric": {"score": NaN, "scoreError": 1.5, "scoreUnit": "ns/op"}}
                ]
                """);

        List<Plots.Score> scores = Plots.jmhScores(runs);

        assertEquals(2, scores.size());
        Plots.Score negotiate = scores.get(0);
        assertEquals("UpgradeBenchmark.negotiate", negotiate.benchmark());
        assertEquals("chrome", negotiate.param("head"));
        assertEquals(358.5, negotiate.score());
        assertTrue(Double.isNaN(negotiate.error()));
        assertEquals(528.0, negotiate.bytesPerOp());
        assertTrue(Double.isNaN(scores.get(1).score()));
        assertTrue(Double.isNaN(scores.get(1).bytesPerOp()));
        assertEquals(Map.of(), scores.get(1).params());
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
