package io.github.upgrade4j.benchmarks;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The command line of the comparison runners ({@link ProxyComparison}, {@link WaitingClients}) with
 * picocli: {@code --help} on standard output with status 0, a usage error in one line on standard
 * error with status 2, and the converters of the runners' values. Each converter says what it expected
 * and what it was given; picocli puts the option's name in front, so a mistake reads {@code error:
 * Invalid value for option '--rounds': expected a whole number from 1 to 2147483647 but was '0'}.
 *
 * <p>Converters check one value; settings that depend on each other or on the JVM are checked by the
 * runner, which throws a {@link ParameterException} for them, also status 2.
 */
final class RunnerCommandLine {
    /** The status of a usage error, as the runners have always exited with it. */
    static final int USAGE = 2;

    private RunnerCommandLine() {}

    /**
     * Parses {@code args} into {@code command} and runs it: help on {@code out}, usage errors on
     * {@code err}. An exception the command throws is printed with its stack trace, status 1.
     *
     * @return the exit status: the command's, 0 after {@code --help} or {@code --version}, 2 for a usage error
     */
    static int execute(Object command, String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(command);
        cli.getCommandSpec().usageMessage().synopsisHeading("%nUsage: ").descriptionHeading("%n")
                .optionListHeading("%nOptions:%n");
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, arguments) -> {
            err.println("error: " + e.getMessage());
            UnmatchedArgumentException.printSuggestions(e, err);
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for the options.");
            return USAGE;
        });
        return cli.execute(args);
    }

    /** A whole number of at least 1: no sign, no space, ASCII digits only. */
    static final class Count implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            try {
                if (digits(text) && Integer.parseInt(text) > 0) {
                    return Integer.parseInt(text);
                }
            } catch (NumberFormatException e) {
                // too large: the message below
            }
            throw new TypeConversionException("expected a whole number from 1 to " + Integer.MAX_VALUE + " but was '"
                    + text + "'");
        }
    }

    /** {@code 500ms}, {@code 10s} or {@code 2m}: the units the runners have always taken. */
    static final class TimeSpan implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            int unitLength = text.endsWith("ms") ? 2 : 1;
            String number = text.substring(0, Math.max(0, text.length() - unitLength));
            if (digits(number) && number.length() <= 12) {
                long n = Long.parseLong(number);
                switch (text.substring(number.length())) {
                    case "ms":
                        return Duration.ofMillis(n);
                    case "s":
                        return Duration.ofSeconds(n);
                    case "m":
                        return Duration.ofMinutes(n);
                    default:
                        break;
                }
            }
            throw new TypeConversionException("expected a duration like 500ms, 10s or 2m but was '" + text + "'");
        }
    }

    /**
     * One of a fixed list of words, exactly: a subclass per list serves as an option's converter and as
     * its {@code completionCandidates}, which the help shows with {@code ${COMPLETION-CANDIDATES}}. With
     * {@code split = ","} each element of a list is checked.
     */
    abstract static class Choice implements ITypeConverter<String>, Iterable<String> {
        private final List<String> words;

        Choice(List<String> words) {
            this.words = List.copyOf(words);
        }

        @Override
        public String convert(String text) {
            if (!words.contains(text)) {
                throw new TypeConversionException("expected " + String.join(", ", words.subList(0, words.size() - 1))
                        + " or " + words.get(words.size() - 1) + " but was '" + text + "'");
            }
            return text;
        }

        @Override
        public Iterator<String> iterator() {
            return words.iterator();
        }
    }

    /**
     * What {@code --version} prints: the Java runtime the runner is on, which decides what it can run
     * ({@code ours-splice} needs 22 or newer). The benchmarks jar carries no version of its own.
     */
    static final class JavaVersion implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"upgrade4j benchmarks on Java " + System.getProperty("java.version") + " ("
                    + System.getProperty("java.vendor") + ", " + System.getProperty("java.vm.name") + ")"};
        }
    }

    /** Whether {@code text} is one or more ASCII digits: no sign, no space, no other script's digits. */
    private static boolean digits(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
