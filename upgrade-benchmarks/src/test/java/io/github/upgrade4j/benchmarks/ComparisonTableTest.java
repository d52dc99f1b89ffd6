package io.github.upgrade4j.benchmarks;

import static io.github.upgrade4j.benchmarks.ComparisonTable.Test.BULK_1_UP;
import static io.github.upgrade4j.benchmarks.ComparisonTable.Test.CPU_BULK_1_DOWN;
import static io.github.upgrade4j.benchmarks.ComparisonTable.Test.IDLE_RSS;
import static io.github.upgrade4j.benchmarks.ComparisonTable.Test.IDLE_THREADS;
import static io.github.upgrade4j.benchmarks.ComparisonTable.Test.IDLE_TOTAL;
import static io.github.upgrade4j.benchmarks.ComparisonTable.Test.RTT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The cells and comparisons of the READMEs' tables: median (min–max), and "level with" where the ranges overlap. */
class ComparisonTableTest {
    private static ComparisonTable table(ComparisonTable.Test test, double[] a, double[] b) {
        ComparisonTable table = new ComparisonTable(List.of("a", "b"));
        for (double value : a) {
            table.record(test, "a", value);
        }
        for (double value : b) {
            table.record(test, "b", value);
        }
        return table;
    }

    @Test
    void aCellIsTheMedianWithTheRangeAcrossRounds() {
        ComparisonTable table = table(BULK_1_UP, new double[] {4.5, 3.25, 4.0}, new double[] {});

        assertEquals("4.00 (3.25–4.50)", table.cell(BULK_1_UP, "a"));
        assertEquals("—", table.cell(BULK_1_UP, "b"));
        assertEquals("—", table.cell(RTT, "a"));
    }

    @Test
    void bytesAreWholeNumbersWithThousandsSeparators() {
        ComparisonTable table = table(IDLE_TOTAL, new double[] {3604.4, 3604.2, 18_104.9}, new double[] {});

        assertEquals("3,604 (3,604–18,105)", table.cell(IDLE_TOTAL, "a"));
    }

    @Test
    void overlappingRangesAreLevelWhateverTheMedians() {
        ComparisonTable table = table(RTT, new double[] {75, 80, 120}, new double[] {119, 150, 151});

        assertEquals("level with", table.against(RTT, "a", "b"));
        assertEquals("level with", table.against(RTT, "b", "a"));
    }

    @Test
    void rangesApartGiveTheRatioOfTheMedians() {
        ComparisonTable table = table(BULK_1_UP, new double[] {1.0, 1.5, 1.2}, new double[] {4.0, 4.8, 3.9});

        assertEquals("0.30×, ranges apart", table.against(BULK_1_UP, "a", "b"));
        assertEquals("3.33×, ranges apart", table.against(BULK_1_UP, "b", "a"));
    }

    @Test
    void againstAZeroMedianBothMediansAreGivenInsteadOfARatio() {
        ComparisonTable table = table(IDLE_THREADS, new double[] {2, 2, 2}, new double[] {0, 0, 0});

        assertEquals("ranges apart: 2.00 against 0.00", table.against(IDLE_THREADS, "a", "b"));
        assertEquals("0.00×, ranges apart", table.against(IDLE_THREADS, "b", "a"));
    }

    @Test
    void aNegativeMedianGetsNoRatio() {
        ComparisonTable table = table(IDLE_RSS, new double[] {-5153, -7520, 5423}, new double[] {12_771, 5931, 16_032});

        assertEquals("ranges apart: -5,153 against 12,771", table.against(IDLE_RSS, "a", "b"));
        assertEquals("ranges apart: 12,771 against -5,153", table.against(IDLE_RSS, "b", "a"));
    }

    @Test
    void nothingToCompareWithoutFiguresOnBothSides() {
        ComparisonTable table = table(CPU_BULK_1_DOWN, new double[] {Double.NaN}, new double[] {900});

        assertEquals("—", table.against(CPU_BULK_1_DOWN, "a", "b"));
        assertEquals("—", table.against(RTT, "a", "b"));
    }
}
