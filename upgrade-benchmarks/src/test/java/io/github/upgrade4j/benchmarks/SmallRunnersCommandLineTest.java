package io.github.upgrade4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.tunnel.RelayPath;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command lines of RelayComparison, Plots and UpgradeUpstream: parsed, not run. */
class SmallRunnersCommandLineTest {
    @Test
    void relayComparisonTakesSecondsBufferAndPathInThatOrderWithDefaults() throws Exception {
        RelayComparison.Arguments none = new RelayComparison.Arguments();
        new CommandLine(none).parseArgs();
        assertEquals(3, field(none, "seconds"));
        assertEquals(null, field(none, "bufferKib"));
        assertEquals(RelayPath.AUTO, field(none, "path"));

        RelayComparison.Arguments all = new RelayComparison.Arguments();
        new CommandLine(all).parseArgs("5", "64", "splice");
        assertEquals(5, field(all, "seconds"));
        assertEquals(64, field(all, "bufferKib"));
        assertEquals(RelayPath.SPLICE, field(all, "path"));
    }

    @Test
    void relayComparisonNamesABadPathAndExitsWithTheUsageStatus() {
        CommandLineRun run = CommandLineRun.execute(new RelayComparison.Arguments(), "1", "64", "sideways");
        assertEquals(2, run.status());
        assertTrue(run.err().contains("PATH") && run.err().contains("'sideways'"), run.err());
    }

    @Test
    void plotsReadsItsThreePathsWithDefaults() throws Exception {
        Plots.Arguments defaults = new Plots.Arguments();
        new CommandLine(defaults).parseArgs();
        assertEquals(Path.of("upgrade-benchmarks/results/jmh.json"), field(defaults, "jmh"));
        Plots.Arguments given = new Plots.Arguments();
        new CommandLine(given).parseArgs("--jmh", "a.json", "--comparison", "b.json", "--out", "pictures");
        assertEquals(Path.of("a.json"), field(given, "jmh"));
        assertEquals(Path.of("b.json"), field(given, "comparison"));
        assertEquals(Path.of("pictures"), field(given, "out"));
        assertEquals(2, CommandLineRun.execute(new Plots.Arguments(), "--jmh").status());
    }

    @Test
    void upgradeUpstreamNeedsAnAddressAndNamesABadOne() throws Exception {
        UpgradeUpstream.Arguments given = new UpgradeUpstream.Arguments();
        new CommandLine(given).parseArgs("--listen", "127.0.0.1:0");
        assertEquals(new InetSocketAddress("127.0.0.1", 0), field(given, "listen"));
        assertEquals(2, CommandLineRun.execute(new UpgradeUpstream.Arguments()).status());
        CommandLineRun bad = CommandLineRun.execute(new UpgradeUpstream.Arguments(), "--listen", "127.0.0.1:99999");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("--listen") && bad.err().contains("'127.0.0.1:99999'"), bad.err());
    }

    private static Object field(Object command, String name) throws ReflectiveOperationException {
        Field field = command.getClass().getDeclaredField(name);
        field.setAccessible(true);
        return field.get(command);
    }
}
