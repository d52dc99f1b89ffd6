package io.github.upgrade4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.benchmarks.WaitingClients.Arguments;
import io.github.upgrade4j.benchmarks.WaitingClients.Options;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link WaitingClients}' options: the names and defaults waiting.sh and the README rely on, and its usage errors. */
class WaitingClientsOptionsTest {
    /** Every option the runner had before picocli; waiting.sh passes them. */
    private static final List<String> NAMES = List.of("--clients", "--rounds", "--header-timeout", "--keep-alive-timeout",
            "--requests", "--watch", "--openers", "--targets", "--ours-timeout-flags", "--examples-jar", "--work", "--out");

    private static CommandLineRun execute(String... args) {
        return CommandLineRun.execute(new Arguments(), args);
    }

    @Test
    void withoutOptionsTenThousandClientsWaitThreeRoundsOnOursNginxAndHaproxy() {
        assertEquals(new Options(10_000, 3, Duration.ofSeconds(10), Duration.ofSeconds(75), 500, Duration.ofSeconds(25),
                128, List.of("ours", "nginx", "haproxy"), "auto", Path.of("src-examples/target/upgrade-examples.jar"),
                Path.of("upgrade-benchmarks/target/waiting"), Path.of("upgrade-benchmarks/results/waiting.json")),
                Options.parse());
    }

    @Test
    void theWatchIsTheHeaderTimeoutPlusFifteenSecondsUnlessGiven() {
        assertEquals(Duration.ofSeconds(35), Options.parse("--header-timeout", "20s").watch());
        assertEquals(Duration.ofMillis(15_500), Options.parse("--header-timeout", "500ms").watch());
        assertEquals(Duration.ofSeconds(12), Options.parse("--header-timeout", "20s", "--watch", "12s").watch());
    }

    @Test
    void everyOptionIsRead() {
        Options options = Options.parse("--clients", "50", "--rounds", "1", "--header-timeout", "500ms",
                "--keep-alive-timeout", "2m", "--requests", "10", "--watch", "12s", "--openers", "4", "--targets",
                "nginx,servlet", "--ours-timeout-flags", "no", "--examples-jar", "other/examples.jar", "--work",
                "/tmp/waiting", "--out", "results/smoke.json");

        assertEquals(new Options(50, 1, Duration.ofMillis(500), Duration.ofMinutes(2), 10, Duration.ofSeconds(12), 4,
                List.of("nginx", "servlet"), "no", Path.of("other/examples.jar"), Path.of("/tmp/waiting"),
                Path.of("results/smoke.json")), options);
        assertEquals("yes", Options.parse("--ours-timeout-flags=yes").oursFlags());
    }

    @Test
    void helpExitsZeroAndListsEveryOptionWithItsDefault() {
        CommandLineRun.assertHelpListsEveryOptionWithItsDefault(Arguments::new, NAMES);

        String help = execute("--help").out();
        assertTrue(help.startsWith("Waiting clients (issue 18)"), help);
        assertTrue(help.contains("Usage: WaitingClients [-hV]"), help);
        String flat = help.replaceAll("\\s", "");
        assertTrue(flat.contains("Default:theheadertimeout+15s."), help);
        assertTrue(flat.contains("Someof:ours,nginx,haproxy,servlet;default:ours,nginx,haproxy."), help);
        assertTrue(flat.contains("Oneof:auto,yes,no;default:auto."), help);
    }

    @Test
    void aBadValueIsAUsageErrorThatNamesTheOptionAndTheValue() {
        assertUsageError("error: Invalid value for option '--clients': expected a whole number from 1 to 2147483647 but"
                + " was '0'", "--clients", "0");
        assertUsageError("error: Invalid value for option '--rounds': expected a whole number from 1 to 2147483647 but"
                + " was '+3'", "--rounds", "+3");
        assertUsageError("error: Invalid value for option '--requests': expected a whole number from 1 to 2147483647"
                + " but was 'many'", "--requests", "many");
        assertUsageError("error: Invalid value for option '--openers': expected a whole number from 1 to 2147483647"
                + " but was ''", "--openers", "");
        assertUsageError("error: Invalid value for option '--targets' (TARGET): expected ours, nginx, haproxy"
                + " or servlet but was 'envoy'", "--targets", "envoy");
        assertUsageError("error: Invalid value for option '--ours-timeout-flags': expected auto, yes or no but was"
                + " 'maybe'", "--ours-timeout-flags", "maybe");
    }

    @Test
    void durationsTakeMillisecondsSecondsOrMinutesAndNothingElse() {
        assertEquals(Duration.ofMillis(500), Options.parse("--keep-alive-timeout", "500ms").keepAliveTimeout());
        assertEquals(Duration.ofMinutes(2), Options.parse("--keep-alive-timeout", "2m").keepAliveTimeout());
        assertEquals(Duration.ZERO, Options.parse("--watch", "0s").watch());
        for (String bad : List.of("10", "1h", "-5s", "+5s", "5 s", "s", "ms", "", "1.5s", "10S", "9999999999999s")) {
            assertUsageError("error: Invalid value for option '--header-timeout': expected a duration like 500ms, 10s or"
                    + " 2m but was '" + bad + "'", "--header-timeout", bad);
        }
        assertUsageError("error: Invalid value for option '--watch': expected a duration like 500ms, 10s or 2m but was"
                + " '25'", "--watch", "25");
    }

    @Test
    void anUnknownOrIncompleteOptionIsAUsageError() {
        assertUsageError("error: Unknown options: '--client', '1'", "--client", "1");
        assertUsageError("error: Missing required parameter for option '--rounds' (N)", "--rounds");
        assertUsageError("error: Unknown options: '--name', 'smoke'", "--clients", "50", "--name", "smoke");
    }

    /** {@code args} exit with 2, nothing on standard output, {@code first} and the help hint on standard error. */
    private static void assertUsageError(String first, String... args) {
        CommandLineRun run = execute(args);

        assertEquals(2, run.status(), run.err());
        assertEquals("", run.out());
        assertTrue(run.err().startsWith(first + "\n"), run.err());
        assertTrue(run.err().endsWith("Try 'WaitingClients --help' for the options.\n"), run.err());
        assertFalse(run.err().contains("\tat "), run.err()); // no stack trace
    }
}
