package io.github.upgrade4j.examples;

import io.github.upgrade4j.examples.echo.EchoServerCommand;
import io.github.upgrade4j.examples.probe.ProbeCommand;
import io.github.upgrade4j.examples.proxy.ProxyCommand;
import io.github.upgrade4j.examples.servlet.ServletProxyCommand;
import io.github.upgrade4j.examples.support.ProjectVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The examples' command line: {@code java -jar upgrade-examples.jar <command> [options]}, with picocli.
 * Every command takes {@code -h}/{@code --help} and {@code -V}/{@code --version}; {@code help <command>}
 * says the same as {@code <command> --help}.
 *
 * <ul>
 *   <li>{@code demo}: the echo server and the proxy in one process, with a page to open in a browser.
 *   <li>{@code proxy}, {@code echo-server}, {@code servlet-proxy}: the servers on their own.
 *   <li>{@code decisions}: what the library decides about a few telling requests.
 *   <li>{@code parse}: what the parser makes of one raw head.
 *   <li>{@code probe}: a WebSocket handshake directly and through a proxy, explained and compared.
 * </ul>
 *
 * <p>Exit status: 0 success, 1 rejected input or a failed probe, 2 a usage error or a server that could
 * not start. Usage errors name the option and the value: {@code error: Invalid value for option
 * '--listen': expected HOST:PORT with a port from 0 to 65535 but was '127.0.0.1:99999'}.
 */
@Command(name = "java -jar upgrade-examples.jar", mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class,
        synopsisSubcommandLabel = "COMMAND", subcommands = HelpCommand.class,
        description = "upgrade4j's runnable examples: a reverse proxy that forwards WebSocket upgrades, the same"
                + " proxy in Jetty, an echo origin, and tools that explain what the library decides.",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Exit status: 0 success, 1 rejected input or a failed probe, 2 a usage error or a server that"
                + " could not start."})
public final class Main implements Callable<Integer> {
    /** The status of a usage error, and of a server that could not start. */
    static final int USAGE = 2;

    @Spec
    private CommandSpec spec;

    private Main() {}

    /** Runs a command; exits with its status, unless it runs until the process is stopped. */
    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** Runs a command and returns its exit status: 0 success, 1 rejected input or failed probe, 2 usage error. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return commandLine(in, out, err).execute(args);
    }

    /**
     * The command tree with its streams: help and results on {@code out}, the long-running commands'
     * log lines on {@code out} too, errors on {@code err}.
     */
    static CommandLine commandLine(InputStream in, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new Main())
                .addSubcommand(new DemoCommand(out))
                .addSubcommand(new ProxyCommand(out))
                .addSubcommand(new EchoServerCommand(out))
                .addSubcommand(new DecisionsCommand(out))
                .addSubcommand(new ParseCommand(in, out))
                .addSubcommand(new ProbeCommand(out))
                .addSubcommand(new ServletProxyCommand(out));
        for (CommandLine command : cli.getSubcommands().values()) {
            headings(command);
        }
        headings(cli);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, arguments) -> usageError(e, err));
        cli.setExecutionExceptionHandler((e, command, parsed) -> failure(e, command, err));
        return cli;
    }

    /** Blank lines and titles between the parts of a command's help. */
    private static void headings(CommandLine command) {
        command.getCommandSpec().usageMessage().synopsisHeading("%nUsage: ").descriptionHeading("%n")
                .parameterListHeading("%nParameters:%n").optionListHeading("%nOptions:%n");
    }

    /** Without a command: the usage on standard error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    /**
     * The problem, what picocli suggests instead, and where to read more; status 2. An unknown option
     * is named before any missing one, since it is often a missing one misspelt.
     */
    private static int usageError(ParameterException e, PrintStream err) {
        CommandLine command = e.getCommandLine();
        List<String> unmatched = command.getUnmatchedArguments();
        if (command.getParent() == null && !unmatched.isEmpty() && !unmatched.get(0).startsWith("-")) {
            err.println("error: unknown command '" + unmatched.get(0) + "'");
            command.usage(err);
            return USAGE;
        }
        if (e instanceof MissingParameterException && !unmatched.isEmpty()) {
            e = new UnmatchedArgumentException(command, unmatched);
        }
        err.println("error: " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for the options.");
        return USAGE;
    }

    /**
     * A command that failed: an option the command could not use, or an I/O failure such as a port in
     * use or a keystore that does not open, is said in one line, status 2; anything else is a bug and
     * keeps its stack trace.
     */
    private static int failure(Exception e, CommandLine command, PrintStream err) throws Exception {
        if (e instanceof IllegalArgumentException) {
            err.println("error: " + e.getMessage());
            err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for the options.");
            return USAGE;
        }
        if (e instanceof IOException || e instanceof UncheckedIOException || e instanceof IllegalStateException) {
            err.println("error: " + e.getMessage()); // e.g. --relay splice where this JVM cannot splice
            return USAGE;
        }
        throw e;
    }
}
