package io.github.upgrade4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.benchmarks.ProxyComparison.Arguments;
import io.github.upgrade4j.benchmarks.ProxyComparison.Options;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

/** {@link ProxyComparison}'s options: the names and defaults compare.sh and the README rely on, and its usage errors. */
class ProxyComparisonOptionsTest {
    /** Every option the runner had before picocli; compare.sh passes them. */
    private static final List<String> NAMES = List.of("--rounds", "--seconds", "--idle-tunnels", "--round-trips",
            "--quick", "--idle-only", "--targets", "--examples-jar", "--work", "--out");
    private static final List<String> DEFAULT_TARGETS = List.of("ours-splice", "ours-copy", "nginx", "nginx-64k",
            "haproxy", "haproxy-splice", "direct", "ours-tls", "nginx-tls", "nginx-64k-tls", "haproxy-tls");

    private static CommandLineRun execute(String... args) {
        return CommandLineRun.execute(new Arguments(), args);
    }

    @Test
    void withoutOptionsOnJava22EveryTargetButTheServletRunsFiveRoundsOfThreeSeconds() {
        Options options = Arguments.parse().options(22);

        assertEquals(new Options(5, 3, 1000, 4000, 20_000, DEFAULT_TARGETS,
                Path.of("src-examples/target/upgrade-examples.jar"), Path.of("upgrade-benchmarks/target/compare"),
                Path.of("upgrade-benchmarks/results/comparison.json"), false), options);
    }

    @Test
    void beforeJava22TheDefaultTargetsLeaveOursSpliceOut() {
        List<String> targets = Arguments.parse().options(17).targets();

        assertEquals(DEFAULT_TARGETS.subList(1, DEFAULT_TARGETS.size()), targets);
    }

    @Test
    void onThisJvmTheDefaultsHoldOursSpliceOnlyFromJava22() {
        assertEquals(Runtime.version().feature() >= 22, Options.parse().targets().contains("ours-splice"));
        assertEquals(List.of("nginx"), Options.parse("--targets", "nginx").targets());
    }

    @Test
    void beforeJava22NamingOursSpliceIsAUsageErrorThatNamesTheOption() {
        Arguments arguments = Arguments.parse("--targets", "nginx,ours-splice");

        String message = assertThrows(ParameterException.class, () -> arguments.options(21)).getMessage();
        assertEquals("Invalid value for option '--targets': ours-splice needs Java 22 or newer to run the proxy, but"
                + " this is Java 21 (set JAVA_HOME)", message);
        assertEquals(List.of("nginx", "ours-splice"), arguments.options(22).targets());
    }

    @Test
    void quickShrinksTheSizesThatWereNotGiven() {
        assertEquals(new Options(1, 1, 500, 1000, 5000, DEFAULT_TARGETS,
                Path.of("src-examples/target/upgrade-examples.jar"), Path.of("upgrade-benchmarks/target/compare"),
                Path.of("upgrade-benchmarks/results/comparison.json"), false), Arguments.parse("--quick").options(22));

        Options options = Arguments.parse("--idle-tunnels", "3000", "--quick", "--rounds", "2").options(22);
        assertEquals(2, options.rounds());
        assertEquals(3000, options.idleTunnels());
        assertEquals(1, options.seconds());
        assertEquals(5000, options.roundTrips());
        assertEquals(500, options.warmupMillis());
    }

    @Test
    void everyOptionIsRead() {
        Options options = Arguments.parse("--rounds", "7", "--seconds", "2", "--idle-tunnels", "300", "--round-trips",
                "900", "--idle-only", "--targets", "servlet,nginx-64k-tls,direct", "--examples-jar", "other/examples.jar",
                "--work", "/tmp/compare", "--out", "results/x.json").options(17);

        assertEquals(new Options(7, 2, 1000, 300, 900, List.of("servlet", "nginx-64k-tls", "direct"),
                Path.of("other/examples.jar"), Path.of("/tmp/compare"), Path.of("results/x.json"), true), options);
        assertEquals(List.of("nginx"), Arguments.parse("--targets=nginx").options(17).targets());
    }

    @Test
    void helpExitsZeroAndListsEveryOptionWithItsDefault() {
        CommandLineRun.assertHelpListsEveryOptionWithItsDefault(Arguments::new, NAMES);

        String help = execute("--help").out();
        assertTrue(help.startsWith("The example proxy side by side with nginx"), help);
        assertTrue(help.contains("Usage: ProxyComparison [-hV]"), help);
        assertTrue(help.contains("Default: 5; 1 with"), help);
        assertTrue(help.contains("Default: 3; 1 with"), help);
        assertTrue(help.contains("Default: 4000; 1000 with"), help);
        assertTrue(help.contains("Default: 20000; 5000"), help);
        String flat = help.replaceAll("\\s", "");
        assertTrue(flat.contains("Default:" + String.join(",", DEFAULT_TARGETS) + "(ours-spliceleftoutbeforeJava22)"),
                help);
        assertTrue(flat.contains("Someof:" + String.join(",", DEFAULT_TARGETS) + ",servlet."), help);
    }

    @Test
    void versionExitsZeroWithTheJavaItRunsOn() {
        CommandLineRun version = execute("--version");

        assertEquals(0, version.status());
        assertEquals("upgrade4j benchmarks on Java " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vendor") + ", " + System.getProperty("java.vm.name") + ")\n", version.out());
    }

    @Test
    void aBadValueIsAUsageErrorThatNamesTheOptionAndTheValue() {
        assertUsageError("error: Invalid value for option '--rounds': expected a whole number from 1 to 2147483647 but"
                + " was '0'", "--rounds", "0");
        assertUsageError("error: Invalid value for option '--seconds': expected a whole number from 1 to 2147483647 but"
                + " was '3s'", "--seconds", "3s");
        assertUsageError("error: Invalid value for option '--idle-tunnels': expected a whole number from 1 to 2147483647"
                + " but was '-24'", "--idle-tunnels=-24");
        assertUsageError("error: Invalid value for option '--round-trips': expected a whole number from 1 to 2147483647"
                + " but was '99999999999'", "--round-trips", "99999999999");
        assertUsageError("error: Invalid value for option '--targets' (TARGET): expected ours-splice,"
                + " ours-copy, nginx, nginx-64k, haproxy, haproxy-splice, direct, ours-tls, nginx-tls, nginx-64k-tls,"
                + " haproxy-tls or servlet but was 'envoy'", "--targets", "nginx,envoy");
    }

    @Test
    void anUnknownOrIncompleteOptionIsAUsageError() {
        assertUsageError("error: Unknown options: '--round', '3'", "--round", "3");
        assertUsageError("error: Missing required parameter for option '--rounds' (N)", "--rounds");
        assertUsageError("error: Unmatched argument at index 0: 'nginx'", "nginx");
    }

    @Test
    void anOptionGivenTwiceIsAUsageError() {
        assertUsageError("error: option '--rounds' (N) should be specified only once", "--rounds", "1", "--rounds", "2");
    }

    /** {@code args} exit with 2, nothing on standard output, {@code first} and the help hint on standard error. */
    private static void assertUsageError(String first, String... args) {
        CommandLineRun run = execute(args);

        assertEquals(2, run.status(), run.err());
        assertEquals("", run.out());
        assertTrue(run.err().startsWith(first + "\n"), run.err());
        assertTrue(run.err().endsWith("Try 'ProxyComparison --help' for the options.\n"), run.err());
        assertFalse(run.err().contains("\tat "), run.err()); // no stack trace
    }
}
