package io.github.upgrade4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProcessMeterTest {
    @Test
    void cpuTicksAreUserPlusSystemTimeCountedAfterTheCommandName() {
        String stat = "3321 (cat) R 3318 3318 10290 0 -1 4194304 126 0 0 0 7 5 0 0 20 0 1 0 4190680 3133440 387";

        assertEquals(12, ProcessMeter.cpuTicks(stat));
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        String stat = "42 (VM ) Thread (1)) S 1 42 42 0 -1 4194560 10 0 0 0 1500 250 3 4 20 0 30 0 100 200 300";

        assertEquals(1750, ProcessMeter.cpuTicks(stat));
    }
}
