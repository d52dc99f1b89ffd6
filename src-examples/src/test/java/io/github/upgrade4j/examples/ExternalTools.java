package io.github.upgrade4j.examples;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The programs the end-to-end tests drive (Node.js, npm packages, Chromium), found on this machine.
 *
 * <p>In CI ({@code CI=true}) a missing program fails the test: {@code .ci/run} installs them, so a miss
 * there is a broken set-up. On a developer's machine with only a JDK the test is skipped with a message
 * saying what to install, so the README's test command still works.
 */
final class ExternalTools {
    static final Path NODE_DIR = Path.of("target", "node");
    private static final Path SCRIPTS = Path.of("src", "test", "node");
    private static boolean installed;

    private ExternalTools() {}

    /** The executable named {@code name} on the PATH. */
    static Path require(String name) {
        Optional<Path> found = find(name);
        if (found.isEmpty()) {
            String why = name + " is not installed; run .ci/run (which installs node, npm and chromium) to include"
                    + " this end-to-end test";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        return found.orElseThrow();
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

    /** Installs the pinned npm packages of {@code src/test/node/package.json} into {@code target/node}, once. */
    static synchronized void installNodePackages() throws IOException, InterruptedException {
        require("node");
        Path npm = require("npm");
        if (installed || Files.isDirectory(NODE_DIR.resolve("node_modules/ws"))
                && Files.isDirectory(NODE_DIR.resolve("node_modules/playwright-core"))) {
            installed = true;
            return;
        }
        Files.createDirectories(NODE_DIR);
        Files.copy(SCRIPTS.resolve("package.json"), NODE_DIR.resolve("package.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Process install = new ProcessBuilder(npm.toString(), "install", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(NODE_DIR.toFile()).redirectErrorStream(true).start();
        String output = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!install.waitFor(5, TimeUnit.MINUTES) || install.exitValue() != 0) {
            fail("npm install failed:\n" + output);
        }
        installed = true;
    }

    /** Starts {@code node script args...} with the installed packages on its module path. */
    static Process node(String script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(require("node").toString(), SCRIPTS.resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("NODE_PATH", NODE_DIR.resolve("node_modules").toAbsolutePath().toString());
        return builder.start();
    }

    /** Runs {@code node script args...} to completion and returns its output; fails on a non-zero exit or a hang. */
    static String runNode(Duration timeout, String script, String... args) throws IOException, InterruptedException {
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
    static String awaitLine(Process process, String prefix) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
        }
        fail("the process ended without printing '" + prefix + "'");
        return "";
    }
}
