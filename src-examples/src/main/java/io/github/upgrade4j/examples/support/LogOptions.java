package io.github.upgrade4j.examples.support;

import java.io.PrintStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import picocli.CommandLine.Option;

/**
 * The log option of the long-running commands (a picocli mixin): {@code --log-format text|json}.
 * Their log lines go to standard output through a {@link StampedLog}; errors that stop a command go to
 * standard error as they are.
 */
public final class LogOptions {
    /** {@code text} or {@code json}, for {@code --log-format}. */
    public static final class Formats extends Converters.LowerCaseEnum<StampedLog.Format> {
        public Formats() {
            super(StampedLog.Format.class);
        }
    }

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text", converter = Formats.class,
            completionCandidates = Formats.class, description = {"How log lines are written: text (the time in UTC,"
                    + " ISO 8601 with milliseconds, then the line) or json (one object per line with time and"
                    + " message). One of: ${COMPLETION-CANDIDATES}; default: ${DEFAULT-VALUE}."})
    private StampedLog.Format format = StampedLog.Format.TEXT;

    /** The chosen format. */
    public StampedLog.Format format() {
        return format;
    }

    /**
     * The log: a stream whose lines reach {@code out} stamped in the chosen format. The JDK's logging,
     * where the library's {@code System.Logger} lines go (such as why the relay copies), is routed into
     * it in place of its own handlers, so that every line of the process has the same form.
     */
    public PrintStream open(PrintStream out) {
        PrintStream log = StampedLog.stream(out, format);
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        root.addHandler(new ToLog(log));
        return log;
    }

    /** A JDK logging record as a log line, with {@code warning: } or {@code error: } in front where it is one. */
    private static final class ToLog extends Handler {
        private final PrintStream log;
        private final SimpleFormatter messages = new SimpleFormatter();

        ToLog(PrintStream log) {
            this.log = log;
        }

        @Override
        public void publish(LogRecord record) {
            if (!isLoggable(record)) {
                return;
            }
            int level = record.getLevel().intValue();
            String prefix = level >= Level.SEVERE.intValue() ? "error: "
                    : level >= Level.WARNING.intValue() ? "warning: " : "";
            Throwable thrown = record.getThrown();
            log.println(prefix + messages.formatMessage(record) + (thrown == null ? "" : ": " + thrown));
        }

        @Override
        public void flush() {
            log.flush();
        }

        @Override
        public void close() {
            flush();
        }
    }
}
