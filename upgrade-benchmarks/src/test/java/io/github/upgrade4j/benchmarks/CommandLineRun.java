package io.github.upgrade4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A runner's command line executed as {@code main} executes it, with both streams captured. Only for
 * {@code --help}, {@code --version} and usage errors: valid options would start a real run.
 */
record CommandLineRun(int status, String out, String err) {
    static CommandLineRun execute(Object command, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = RunnerCommandLine.execute(command, args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandLineRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Asserts that {@code --help} exits 0 on standard output alone, that it is what {@code -h} prints,
     * and that it names every option in {@code names} (no more, no fewer) with a description and, for
     * each that takes a value, its default.
     */
    static void assertHelpListsEveryOptionWithItsDefault(Supplier<Object> command, List<String> names) {
        CommandLineRun help = execute(command.get(), "--help");
        assertEquals(0, help.status(), help.err());
        assertEquals("", help.err());
        assertEquals(help, execute(command.get(), "-h"));
        // picocli wraps lines anywhere, even inside a path: compare without white space
        String text = help.out().replaceAll("\\s", "").toLowerCase(Locale.ROOT);
        List<OptionSpec> options = new CommandLine(command.get()).getCommandSpec().options();
        assertEquals(Set.copyOf(names), options.stream().filter(o -> !o.usageHelp() && !o.versionHelp())
                .map(OptionSpec::longestName).collect(Collectors.toSet()));
        for (OptionSpec option : options) {
            assertTrue(help.out().contains(option.longestName() + (option.arity().max() > 0 ? "=" : "")),
                    "--help should list " + option.longestName() + ":\n" + help.out());
            String description = String.join(" ", option.description());
            assertFalse(description.isBlank(), option.longestName());
            if (option.arity().max() > 0) {
                assertTrue(description.toLowerCase(Locale.ROOT).contains("default: "),
                        option.longestName() + " should say its default: " + description);
            }
            if (option.defaultValue() != null) {
                String said = ("default:" + option.defaultValue()).toLowerCase(Locale.ROOT);
                assertTrue(text.contains(said), "--help should say the default of " + option.longestName() + ":\n"
                        + help.out());
            }
        }
    }
}
