package io.github.upgrade4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The command line: each command's help and version, its usage errors and exit codes, and the short commands. */
class MainTest {
    /** The commands and every option each had before picocli, whose names and meanings stay. */
    private static final Map<String, List<String>> OPTIONS = Map.of(
            "demo", List.of("--port", "--tls", "--http2", "--metrics", "--log-format"),
            "proxy", List.of("--listen", "--upstream", "--idle-timeout", "--max-tunnels", "--handshake-timeout",
                    "--drain-grace", "--tls-keystore", "--tls-password-file", "--upstream-tls", "--upstream-truststore",
                    "--upstream-truststore-password-file", "--tls-fin-as-end", "--relay", "--buffer-size",
                    "--underscored-aliases", "--header-timeout", "--keep-alive-timeout", "--max-handshakes",
                    "--allow-upgrade", "--http2", "--no-upstream-check", "--metrics", "--log-format"),
            "echo-server", List.of("--listen", "--tls-upgrade", "--tls-password-file", "--require-tls", "--log-format"),
            "decisions", List.of(),
            "parse", List.of("--response", "--lf", "FILE"),
            "probe", List.of("URL", "--via", "--origin", "--subprotocol", "--idle", "--insecure", "--json"),
            "servlet-proxy", List.of("--listen", "--upstream", "--idle-timeout", "--max-tunnels", "--handshake-timeout",
                    "--no-upstream-check", "--log-format"));
    private static final Pattern VERSION = Pattern.compile("upgrade4j examples \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\nJava .+\n");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String stdin, String... args) {
        out.reset();
        err.reset();
        return Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.ISO_8859_1)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void demoShowsTheSwitchTheStrippedNominationsTheHttp10HopAndTheRefusedSmuggling() {
        assertEquals(0, run("", "decisions"));

        String text = out();
        assertTrue(text.contains("Upgrade offers:     [websocket]"), text);
        assertTrue(text.contains("bytes behind the head, kept for the caller: 2"), text);
        assertTrue(text.contains("body framing: refused, CONTENT_LENGTH_WITH_TRANSFER_ENCODING (RFC 9112 §6.3), answer 400"),
                text);
        assertTrue(text.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), text);
        assertTrue(text.contains("notice   Connection nominated the protected field X-Forwarded-For; the field was kept"), text);
        assertTrue(text.contains("removed  X-Debug: on  (NOMINATED)"), text);
        assertTrue(text.contains("proxy_http_version 1.1"), text);
    }

    @Test
    void parseReadsAHeadFromStandardInput() {
        assertEquals(0, run("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
                "parse", "--response"));

        assertTrue(out().contains("body framing: Tunnel[]"), out());
    }

    @Test
    void parseExplainsARejection() {
        assertEquals(1, run("GET / HTTP/1.1\r\nHost: x\r\nBad : y\r\n\r\n", "parse"));

        assertTrue(out().contains("rejected: WHITESPACE_BEFORE_COLON (RFC 9112 §5.1), answer 400"), out());
    }

    @Test
    void parseAcceptsLfLineEndingsOnlyWhenAsked() {
        assertEquals(1, run("GET / HTTP/1.1\nHost: x\n\n", "parse"));
        assertEquals(0, run("GET / HTTP/1.1\nHost: x\n\n", "parse", "--lf"));
        assertEquals(0, run("GET / HTTP/1.1\nHost: x\n\n", "parse", "--lf", "-"));
    }

    @Test
    void parseNamesAFileThatIsNotThere() {
        assertEquals(2, run("", "parse", "no-such-head.txt"));

        assertTrue(err().startsWith("error: Invalid value for positional parameter at index 0 (FILE): expected a file"
                + " but there is none at 'no-such-head.txt'\n"), err());
    }

    @Test
    void helpForEveryCommandExitsZeroAndExplainsEveryOptionWithItsDefault() {
        CommandLine cli = Main.commandLine(new ByteArrayInputStream(new byte[0]), System.out, System.err);
        assertEquals(Set.of("help", "demo", "proxy", "echo-server", "decisions", "parse", "probe", "servlet-proxy"),
                cli.getSubcommands().keySet());
        for (Map.Entry<String, List<String>> command : OPTIONS.entrySet()) {
            String name = command.getKey();
            assertEquals(0, run("", name, "--help"), name);
            String help = out();
            assertTrue(help.contains("Usage: java -jar upgrade-examples.jar " + name + " "), help);
            for (String option : command.getValue()) {
                assertTrue(help.contains(option), name + " --help should mention " + option + ":\n" + help);
            }
            for (OptionSpec option : cli.getSubcommands().get(name).getCommandSpec().options()) {
                assertTrue(command.getValue().contains(option.longestName()) || option.usageHelp()
                        || option.versionHelp(), name + " has an option this test does not know: " + option.longestName());
                assertFalse(String.join(" ", option.description()).isBlank(), option.longestName());
                String defaultValue = option.defaultValue();
                if (defaultValue != null && !option.typeInfo().isBoolean()) {
                    assertTrue(help.matches("(?s).*[Dd]efault: " + Pattern.quote(defaultValue) + "\\b.*"),
                            name + " --help should say the default of " + option.longestName() + ":\n" + help);
                }
            }
            assertEquals(0, run("", name, "-h"), name);
            assertEquals(help, out(), name + " -h");
            assertEquals(0, run("", "help", name), name);
            assertEquals(help, out(), "help " + name);
        }
    }

    @Test
    void theHelpOfTheCommandsWithMetricsNamesEveryMetric() {
        for (String name : List.of("proxy", "demo")) {
            assertEquals(0, run("", name, "--help"), name);
            String help = out();
            for (String metric : List.of("upgrade4j_tunnels_active{path}", "upgrade4j_tunnels_opened_total{path}",
                    "upgrade4j_tunnels_refused_total{reason}", "upgrade4j_tunnels_closed_total{reason}",
                    "upgrade4j_tunnel_bytes_total{direction}", "upgrade4j_handshake_answers_total{status}",
                    "upgrade4j_handshake_duration_seconds", "jvm_*")) {
                assertTrue(help.contains("\n  " + metric), name + " --help should name " + metric + ":\n" + help);
            }
        }
    }

    @Test
    void theProxysHelpSaysEachDefaultThatComesFromElsewhere() {
        assertEquals(0, run("", "proxy", "--help"));

        assertTrue(out().contains("Default: 256k."), out()); // RelayOptions.standard()
        assertTrue(out().contains("One of: auto, copy, splice; default: auto."), out());
        assertTrue(out().contains("One of: drop, refuse, pass; default: drop."), out());
        assertTrue(out().contains("One of: text, json; default: text."), out());
    }

    @Test
    void decisionsHelpPrintsHelpAndDoesNotRun() {
        assertEquals(0, run("", "decisions", "--help"));

        assertTrue(out().contains("Usage: java -jar upgrade-examples.jar decisions"), out());
        assertFalse(out().contains("=="), out());
    }

    @Test
    void theVersionIsTheProjectsForEveryCommand() {
        assertEquals(0, run("", "--version"));
        String version = out();
        assertTrue(VERSION.matcher(version).matches(), version);
        assertEquals(0, run("", "-V"));
        assertEquals(version, out());
        for (String command : OPTIONS.keySet()) {
            assertEquals(0, run("", command, "--version"), command);
            assertEquals(version, out(), command);
        }
    }

    @Test
    void topLevelHelpListsTheCommands() {
        assertEquals(0, run("", "--help"));
        for (String command : OPTIONS.keySet()) {
            assertTrue(out().contains("\n  " + command + " "), command + ":\n" + out());
        }
        assertEquals(0, run("", "help"));
        assertTrue(out().contains("Commands:"), out());
    }

    @Test
    void anUnknownCommandOrNoneIsAUsageErrorWithTheCommands() {
        assertEquals(2, run("", "frobnicate"));
        assertTrue(err().startsWith("error: unknown command 'frobnicate'\n"), err());
        assertTrue(err().contains("Usage: java -jar upgrade-examples.jar"), err());
        assertTrue(err().contains("servlet-proxy"), err());

        assertEquals(2, run(""));
        assertTrue(err().contains("Usage: java -jar upgrade-examples.jar"), err());
        assertEquals("", out());
    }

    @Test
    void anUnknownOptionIsNamedEvenWhenRequiredOnesAreMissing() {
        assertEquals(2, run("", "proxy", "--frob"));
        assertEquals("error: Unknown option: '--frob'\nTry 'java -jar upgrade-examples.jar proxy --help' for the options.\n",
                err());
        assertEquals(2, run("", "proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9", "--idle-timeuot", "5s"));
        assertTrue(err().startsWith("error: Unknown options: '--idle-timeuot', '5s'\n"), err());
        assertTrue(err().contains("--idle-timeout"), "a suggestion: " + err());
        assertEquals(2, run("", "decisions", "--verbose"));
        assertTrue(err().startsWith("error: Unknown option: '--verbose'\n"), err());
        assertEquals("", out());
    }

    @Test
    void aBadValueNamesTheOptionAndTheValue() {
        assertEquals(2, run("", "proxy", "--listen", "127.0.0.1:99999", "--upstream", "127.0.0.1:9"));
        assertTrue(err().startsWith("error: Invalid value for option '--listen': expected HOST:PORT with a port from 0"
                + " to 65535 but was '127.0.0.1:99999'\n"), err());
        assertEquals(2, run("", "echo-server", "--listen", "localhost:http"));
        assertTrue(err().startsWith("error: Invalid value for option '--listen': expected HOST:PORT with a port from 0"
                + " to 65535 but was 'localhost:http'\n"), err());
        assertEquals(2, run("", "servlet-proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9",
                "--handshake-timeout", "10"));
        assertTrue(err().startsWith("error: Invalid value for option '--handshake-timeout': expected a duration like"
                + " 500ms, 60s, 2m, 1h or 0 but was '10'\n"), err());
        assertEquals(2, run("", "proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9", "--buffer-size", "64 k"));
        assertTrue(err().startsWith("error: Invalid value for option '--buffer-size': expected a size like 65536, 64k"
                + " or 1m (at least 1 byte, below 2g) but was '64 k'\n"), err());
        assertEquals(2, run("", "demo", "--port", "-1"));
        assertTrue(err().startsWith("error: Invalid value for option '--port': expected a port from 0 to 65535 but was"
                + " '-1'\n"), err());
        assertEquals(2, run("", "probe", "ws://127.0.0.1:9/", "--idle", "forever"));
        assertTrue(err().startsWith("error: Invalid value for option '--idle': "), err());
        assertTrue(err().contains("'forever'"), err());
        assertEquals("", out());
    }

    @Test
    void optionsThatNeedEachOtherSaySoBeforeAnythingStarts() {
        assertEquals(2, run("", "proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9", "--tls-fin-as-end"));

        assertEquals("error: option --tls-fin-as-end needs --tls-keystore or --upstream-tls: without TLS there is no"
                + " close_notify to miss\nTry 'java -jar upgrade-examples.jar proxy --help' for the options.\n", err());
        assertEquals("", out());
    }
}
