package io.github.upgrade4j.examples.proxy.attacks;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A log for a proxy started in the test's JVM: a {@link PrintStream} whose lines are kept, in order,
 * for assertions. Thread-safe; {@link #stream()} may be written from any thread.
 */
public final class LogLines extends OutputStream {
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final PrintStream stream = new PrintStream(this, true, StandardCharsets.UTF_8);

    public PrintStream stream() {
        return stream;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            lines.add(partial.toString());
            partial.setLength(0);
        } else {
            partial.append((char) (b & 0xFF));
        }
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(bytes[i]);
        }
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    public List<String> lines(Predicate<String> which) {
        return lines().stream().filter(which).toList();
    }

    /** Waits up to 10 s for a line containing {@code text}; returns the first such line. */
    public String awaitLine(String text) {
        return awaitLines(text, 1).get(0);
    }

    /** Waits up to {@code seconds} for {@code count} lines containing {@code text}; returns them all. */
    public List<String> awaitLines(String text, int count, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            List<String> found = lines(line -> line.contains(text));
            if (found.size() >= count) {
                return found;
            }
            if (System.nanoTime() - deadline > 0) {
                fail("expected " + count + " log lines containing '" + text + "' within " + seconds + " s but found "
                        + found.size() + "; the log:\n" + String.join("\n", tail(40)));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    public List<String> awaitLines(String text, int count) {
        return awaitLines(text, count, 10);
    }

    /** The last {@code n} lines. */
    public synchronized List<String> tail(int n) {
        return new ArrayList<>(lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    @Override
    public String toString() {
        return String.join("\n", lines());
    }
}
