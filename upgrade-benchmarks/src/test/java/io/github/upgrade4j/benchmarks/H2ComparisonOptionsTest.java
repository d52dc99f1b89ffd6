package io.github.upgrade4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.benchmarks.H2Comparison.Arguments;
import io.github.upgrade4j.benchmarks.H2Comparison.Options;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

/** {@link H2Comparison}'s options: the names and defaults h2.sh and the README rely on, and its usage errors. */
class H2ComparisonOptionsTest {
    private static final List<String> NAMES = List.of("--rounds", "--seconds", "--round-trips", "--idle-streams",
            "--idle-connections", "--targets", "--ours-http2", "--examples-jar", "--work", "--out");

    @Test
    void withoutOptionsBothProxiesRunThreeRoundsWithAThousandIdleStreamsOnTwentyConnections() {
        assertEquals(new Options(3, 3, 10_000, 1000, 20, List.of("haproxy", "ours"), "auto",
                Path.of("src-examples/target/upgrade-examples.jar"), Path.of("upgrade-benchmarks/target/h2"),
                Path.of("upgrade-benchmarks/results/h2.json")), Arguments.parse().options());
    }

    @Test
    void aProxyNamedTwiceRunsOnce() {
        assertEquals(List.of("ours", "haproxy"), Arguments.parse("--targets", "ours,haproxy,ours").options().targets());
    }

    @Test
    void moreConnectionsThanHalfTheIdleStreamsIsAUsageErrorThatNamesTheOption() {
        Arguments arguments = Arguments.parse("--idle-streams", "100", "--idle-connections", "51");

        String message = assertThrows(ParameterException.class, arguments::options).getMessage();

        assertEquals("Invalid value for option '--idle-connections': expected at most half of --idle-streams (50) but"
                + " was '51'", message);
        assertEquals(50, Arguments.parse("--idle-streams", "100", "--idle-connections", "50").options()
                .idleConnections());
    }

    @Test
    void anOddNumberOfIdleStreamsIsAUsageError() {
        CommandLineRun run = CommandLineRun.execute(new Arguments(), "--idle-streams", "999");

        assertEquals(2, run.status());
        assertTrue(run.err().contains("--idle-streams") && run.err().contains("'999'"), run.err());
    }

    @Test
    void anUnknownProxyOrModeIsAUsageErrorThatListsTheChoices() {
        CommandLineRun proxy = CommandLineRun.execute(new Arguments(), "--targets", "haproxy,nginx");
        assertEquals(2, proxy.status());
        assertTrue(proxy.err().contains("expected haproxy or ours but was 'nginx'"), proxy.err());

        CommandLineRun mode = CommandLineRun.execute(new Arguments(), "--ours-http2", "maybe");
        assertEquals(2, mode.status());
        assertTrue(mode.err().contains("expected auto, yes or no but was 'maybe'"), mode.err());
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        CommandLineRun.assertHelpListsEveryOptionWithItsDefault(Arguments::new, NAMES);

        String help = CommandLineRun.execute(new Arguments(), "--help").out();
        assertTrue(help.startsWith("WebSockets over HTTP/2 (RFC 8441) against HTTP/1.1 wss"), help);
        assertTrue(help.contains("Usage: H2Comparison [-hV]"), help);
    }
}
