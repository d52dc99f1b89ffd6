package io.github.upgrade4j.examples.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The programs the end-to-end tests drive (Node.js, npm packages, Chromium, {@code ipptool}, Prometheus'
 * Python parser), found on this machine.
 *
 * <p>In CI ({@code CI=true}, which {@code .ci/run} sets itself) a missing program fails the test:
 * {@code .ci/run} installs them, so a miss there is a broken set-up, and its check fails on any skipped
 * test too. On a developer's machine with only a JDK the test is skipped with a message saying what to
 * install, so the README's test command still works there.
 */
public final class ExternalTools {
    static final Path NODE_DIR = Path.of("target", "node");
    private static final Path SCRIPTS = Path.of("src", "test", "node");
    /** What {@code npm ci} installs from, copied from {@link #SCRIPTS} into {@link #NODE_DIR}. */
    private static final List<String> LOCKED = List.of("package.json", "package-lock.json");
    private static boolean installed;

    private ExternalTools() {}

    /** The executable named {@code name} on the PATH. */
    public static Path require(String name) {
        return find(name).orElseGet(() -> missing(name + " is not installed; run .ci/run (which installs node, npm"
                + " and chromium) to include this end-to-end test"));
    }

    /** The executable named {@code name} on the PATH, which Debian's package {@code debianPackage} installs. */
    public static Path require(String name, String debianPackage) {
        return find(name).orElseGet(() -> missing(name + " is not installed: install " + debianPackage
                + " (.ci/run does), e.g. apt-get install " + debianPackage + ", to include this test"));
    }

    /**
     * Ends the test for a missing tool, saying {@code why}: a failure in CI ({@code CI=true}), a skip
     * elsewhere.
     *
     * @return never returns normally
     */
    public static <T> T missing(String why) {
        if ("true".equals(System.getenv("CI"))) {
            fail(why);
        }
        Assumptions.abort(why);
        throw new AssertionError(why); // not reached: abort throws
    }

    static Optional<Path> find(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Installs the npm packages locked by {@code src/test/node/package-lock.json} into {@code target/node} with
     * {@code npm ci}, once per JVM, and again whenever that lockfile or its package.json differs from the copy
     * installed last, so a developer's old {@code target/node} never runs the tests with stale packages. The
     * committed lockfile fixes every transitive version and its integrity hash, so each run tests against
     * the same packages; {@code npm ci} fails, rather than resolving afresh, when it no longer matches
     * package.json.
     */
    public static synchronized void installNodePackages() throws IOException, InterruptedException {
        require("node");
        Path npm = require("npm");
        if (installed || Files.isDirectory(NODE_DIR.resolve("node_modules")) && installedCopiesMatch()) {
            installed = true;
            return;
        }
        Files.createDirectories(NODE_DIR);
        for (String file : LOCKED) {
            Files.copy(SCRIPTS.resolve(file), NODE_DIR.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        Process install = new ProcessBuilder(npm.toString(), "ci", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(NODE_DIR.toFile()).redirectErrorStream(true).start();
        String output = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!install.waitFor(5, TimeUnit.MINUTES) || install.exitValue() != 0) {
            Files.deleteIfExists(NODE_DIR.resolve("package.json")); // so that the next run tries again
            fail("npm ci failed in " + NODE_DIR + " (if package.json changed, run `npm install --package-lock-only`"
                    + " in " + SCRIPTS + " and commit package-lock.json):\n" + output);
        }
        installed = true;
    }

    private static boolean installedCopiesMatch() throws IOException {
        for (String file : LOCKED) {
            Path copy = NODE_DIR.resolve(file);
            if (!Files.isRegularFile(copy) || Files.mismatch(SCRIPTS.resolve(file), copy) != -1L) {
                return false;
            }
        }
        return true;
    }

    /** Starts {@code node script args...} with the installed packages on its module path. */
    public static Process node(String script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(require("node").toString(), SCRIPTS.resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("NODE_PATH", NODE_DIR.resolve("node_modules").toAbsolutePath().toString());
        return builder.start();
    }

    /** Runs {@code node script args...} to completion and returns its output; fails on a non-zero exit or a hang. */
    public static String runNode(Duration timeout, String script, String... args) throws IOException, InterruptedException {
        Process process = node(script, args);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("node " + script + " did not finish within " + timeout);
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                fail("node " + script + " exited with " + process.exitValue() + ":\n" + output);
            }
            return output;
        } finally {
            process.destroyForcibly(); // by pid, never by name
        }
    }

    /** Reads lines of a started process until one starts with {@code prefix}; returns the rest of that line. */
    public static String awaitLine(Process process, String prefix) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
        }
        fail("the process ended without printing '" + prefix + "'");
        return "";
    }

    /**
     * The lines a started process prints, or a log written through {@link #printStream()}, collected as
     * they come so that a test can wait for one: {@link #await} blocks until a matching line arrives, with
     * no polling and no sleep. Keeps every line, so earlier ones can still be found.
     */
    public static final class Lines {
        private final List<String> lines = new ArrayList<>();
        private boolean ended;

        private Lines() {}

        /** Collects the standard output (with standard error, if redirected) of {@code process} on a daemon thread. */
        public static Lines of(Process process) {
            Lines lines = new Lines();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process was stopped; what was read is kept
                } finally {
                    lines.end();
                }
            }, "lines of pid " + process.pid());
            reader.setDaemon(true);
            reader.start();
            return lines;
        }

        /** An empty collection fed through {@link #printStream()}, e.g. as a server's log. */
        public static Lines log() {
            return new Lines();
        }

        /** A print stream whose lines land here. */
        public java.io.PrintStream printStream() {
            return new java.io.PrintStream(new java.io.OutputStream() {
                private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

                @Override
                public synchronized void write(int b) {
                    if (b == '\n') {
                        add(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
            }, true, StandardCharsets.UTF_8);
        }

        synchronized void add(String line) {
            lines.add(line);
            notifyAll();
        }

        private synchronized void end() {
            ended = true;
            notifyAll();
        }

        /** Every line so far. */
        public synchronized List<String> all() {
            return List.copyOf(lines);
        }

        /** Every line so far, joined, for assertion messages. */
        @Override
        public synchronized String toString() {
            return String.join("\n", lines);
        }

        /**
         * The first line (already collected or still to come) that {@code matches}; fails the test when the
         * output ends or {@code timeout} passes without one.
         */
        public synchronized String await(java.util.function.Predicate<String> matches, Duration timeout)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (int seen = 0; ; ) {
                for (; seen < lines.size(); seen++) {
                    if (matches.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (ended || left <= 0) {
                    fail((ended ? "the output ended" : "waited " + timeout.toSeconds() + " s") + " without the line"
                            + " expected; it was:\n" + this);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }

        /** The rest of the first line starting with {@code prefix}. */
        public String await(String prefix, Duration timeout) throws InterruptedException {
            return await(line -> line.startsWith(prefix), timeout).substring(prefix.length());
        }
    }
}
