package io.github.upgrade4j.examples.proxy.attacks;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * The example proxy as its users run it: {@code java -jar target/upgrade-examples.jar proxy ...} in a
 * process of its own (the jar the package phase built, on the JDK running the tests), listening on
 * 127.0.0.1 at a port of its choosing, without its start-up connection to the upstream (which a
 * {@link ScriptedUpstream} would count as the first client). Its log lines are collected for
 * assertions, without the time each starts with. {@link #close()}
 * sends SIGTERM to its pid (the proxy drains with no grace, prints its relay's totals and exits; those
 * lines are collected too) and kills it if it has not
 * exited within 10 s; never by name.
 */
public final class ExampleProxy implements AutoCloseable {
    private static final Path JAR = Path.of("target", "upgrade-examples.jar");
    /** The time in front of every log line: {@code 2026-12-06T05:40:01.123Z }. */
    private static final Pattern TIME = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z ");

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final CompletableFuture<InetSocketAddress> listening = new CompletableFuture<>();
    private final Thread reader;

    private ExampleProxy(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "example-proxy-output " + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts the proxy in front of {@code upstream} with a handshake timeout of 5 s, no drain grace, and
     * {@code options} (e.g. {@code "--max-tunnels", "3"}) after those, so they can override them.
     */
    public static ExampleProxy start(InetSocketAddress upstream, String... options) throws IOException {
        return start(List.of("-jar", JAR.toString()), upstream, options);
    }

    /**
     * Like {@link #start}, launched as a library user on the class path launches it: {@code java -cp
     * upgrade-examples.jar io.github.upgrade4j.examples.Main proxy ...}, without the JVM flags the
     * jar's manifest grants to {@code java -jar} (native access, {@code sun.nio.ch} opened).
     */
    public static ExampleProxy startOnClassPath(InetSocketAddress upstream, String... options) throws IOException {
        return start(List.of("-cp", JAR.toString(), "io.github.upgrade4j.examples.Main"), upstream, options);
    }

    /**
     * Like {@link #start}, with at most {@code descriptors} open files for the proxy's process: {@code bash -c
     * 'ulimit -n N; exec java -jar ...'}, so the pid is the JVM's.
     */
    public static ExampleProxy startWithDescriptorLimit(int descriptors, InetSocketAddress upstream, String... options)
            throws IOException {
        return start(List.of("-jar", JAR.toString()), List.of("bash", "-c", "ulimit -n " + descriptors
                + " && exec \"$0\" \"$@\""), upstream, options);
    }

    private static ExampleProxy start(List<String> launch, InetSocketAddress upstream, String... options)
            throws IOException {
        return start(launch, List.of(), upstream, options);
    }

    private static ExampleProxy start(List<String> launch, List<String> wrapper, InetSocketAddress upstream,
            String... options) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            fail("expected " + JAR.toAbsolutePath() + ": the attack suite drives the jar built in the package phase;"
                    + " run it with ./mvnw verify");
        }
        List<String> command = new ArrayList<>(wrapper);
        command.add(java());
        command.addAll(launch);
        command.addAll(List.of("proxy", "--listen", "127.0.0.1:0",
                "--upstream", upstream.getAddress().getHostAddress() + ":" + upstream.getPort(),
                "--handshake-timeout", "5s", "--drain-grace", "0", "--no-upstream-check"));
        command.addAll(List.of(options));
        ExampleProxy proxy = new ExampleProxy(new ProcessBuilder(command).redirectErrorStream(true).start());
        try {
            proxy.listening.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            proxy.close();
            fail("the example proxy did not start listening within 30 s; its output:\n" + proxy.output(), e);
        }
        return proxy;
    }

    /** The {@code java} of the JDK running the tests. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The jar the package phase built. */
    public static Path jar() {
        return JAR;
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String stamped; (stamped = in.readLine()) != null; ) {
                String line = TIME.matcher(stamped).replaceFirst(""); // JVM warnings have none
                synchronized (lines) {
                    lines.add(line);
                }
                if (line.startsWith("listening on ")) {
                    String at = line.substring("listening on ".length());
                    int colon = at.lastIndexOf(':');
                    listening.complete(new InetSocketAddress(at.substring(0, colon),
                            Integer.parseInt(at.substring(colon + 1))));
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        listening.completeExceptionally(new IOException("the proxy process ended"));
    }

    /** Where clients connect. */
    public InetSocketAddress address() {
        return listening.join();
    }

    /** Everything the proxy printed so far. */
    public String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** Waits up to 10 s for a printed line containing {@code text}; returns it. */
    public String awaitLine(String text) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            synchronized (lines) {
                for (String line : lines) {
                    if (line.contains(text)) {
                        return line;
                    }
                }
            }
            if (System.nanoTime() - deadline > 0) {
                fail("expected the proxy to print a line containing '" + text + "' within 10 s; it printed:\n" + output());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    /** Waits up to 10 s until {@code count} printed lines contain {@code text}; returns them. */
    public List<String> awaitLines(String text, int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<String> found = new ArrayList<>();
            synchronized (lines) {
                for (String line : lines) {
                    if (line.contains(text)) {
                        found.add(line);
                    }
                }
            }
            if (found.size() >= count) {
                return found;
            }
            if (System.nanoTime() - deadline > 0) {
                fail("expected the proxy to print " + count + " lines containing '" + text + "' within 10 s; it"
                        + " printed:\n" + output());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    @Override
    public void close() {
        // SIGTERM to this pid: the proxy's shutdown hook drains and exits. Through the handle, since
        // Process.destroy() also closes the output stream, and the lines the proxy prints as it stops
        // (draining, stopped with its relay's totals) would be lost.
        process.toHandle().destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            reader.join(10_000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
