package io.github.upgrade4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.upgrade4j.examples.proxy.attacks.ExampleProxy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The long-running commands as their users run them ({@code java -jar target/upgrade-examples.jar}, each
 * in a process of its own, stopped by pid): the time on every log line, JSON log lines, the start-up
 * warning for an upstream that cannot be reached, and a bind failure that names the address (and the
 * option, for {@code --metrics}).
 */
class CommandLineIT {
    private static final Pattern STAMPED = Pattern.compile("(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z) (.*)");
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final JsonMapper JSON = new JsonMapper();

    /** A loopback port with nothing listening: bound by this test, then closed. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** One run of the jar: its standard output line by line as it comes, its standard error at the end. */
    private static final class Run implements AutoCloseable {
        private final Process process;
        private final List<String> lines = new ArrayList<>();
        private final BlockingQueue<String> incoming = new LinkedBlockingQueue<>();
        private final Thread reader;

        Run(String... args) throws IOException {
            if (!Files.isRegularFile(ExampleProxy.jar())) {
                fail("expected " + ExampleProxy.jar().toAbsolutePath() + ", built in the package phase: run ./mvnw verify");
            }
            List<String> command = new ArrayList<>(List.of(ExampleProxy.java(), "-jar", ExampleProxy.jar().toString()));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).start();
            reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        incoming.add(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "command-line-it " + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits up to 30 s for an output line containing {@code text}; returns it. */
        String await(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (String line : lines) {
                if (line.contains(text)) {
                    return line;
                }
            }
            while (true) {
                String line = incoming.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (line == null) {
                    fail("expected a line containing '" + text + "' within 30 s; the output:\n" + String.join("\n", lines)
                            + "\nstandard error:\n" + (process.isAlive() ? "(still running)" : error()));
                }
                lines.add(line);
                if (line.contains(text)) {
                    return line;
                }
            }
        }

        int port() throws InterruptedException {
            Matcher listening = LISTENING.matcher(await("listening on "));
            assertTrue(listening.find());
            return Integer.parseInt(listening.group(1));
        }

        /** Waits up to 30 s for the process to end by itself; returns its exit status. */
        int exitStatus() throws InterruptedException {
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "expected the process to end by itself");
            return process.exitValue();
        }

        String error() {
            try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        }

        /** Every output line, once the process has ended. */
        List<String> output() throws InterruptedException {
            reader.join(30_000);
            incoming.drainTo(lines);
            return lines;
        }

        /**
         * SIGTERM to this pid (the servers stop in their shutdown hook), then every output line. Through
         * the process handle: {@link Process#destroy()} also closes this side of the pipes, which would
         * lose the lines the shutdown hook prints.
         */
        List<String> stop() throws InterruptedException {
            process.toHandle().destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("expected the process to stop within 30 s of SIGTERM");
            }
            return output();
        }

        @Override
        public void close() {
            process.destroyForcibly(); // by pid; nothing if it has ended
        }
    }

    /** What a plain GET to {@code port} gets back, up to the end of the status line. */
    private static String statusLine(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /status HTTP/1.1\r\nHost: app.example\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return answer.substring(0, Math.max(0, answer.indexOf("\r\n")));
        }
    }

    private static void assertEveryLineStamped(List<String> lines) {
        assertFalse(lines.isEmpty());
        for (String line : lines) {
            assertTrue(STAMPED.matcher(line).matches(), "expected the time in front of: " + line);
        }
    }

    @Test
    void theProxyWarnsThatItsUpstreamCannotBeReachedAndServes502UntilItCan() throws Exception {
        int upstream = closedPort();
        try (Run proxy = new Run("proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:" + upstream,
                "--drain-grace", "0")) {
            String warning = proxy.await("warning: upstream");
            Matcher stamped = STAMPED.matcher(warning);
            assertTrue(stamped.matches(), warning);
            assertEquals("warning: upstream 127.0.0.1:" + upstream + " cannot be reached (Connection refused); requests"
                    + " get 502 until it can", stamped.group(2));

            assertEquals("HTTP/1.1 502 Bad Gateway", statusLine(proxy.port()));

            proxy.await(" -> 502"); // logged before the answer is written
            List<String> lines = proxy.stop();
            assertEveryLineStamped(lines);
            assertTrue(lines.get(lines.size() - 1).contains(" stopped; 0 tunnels opened"), String.join("\n", lines)
                    + "\nstandard error:\n" + proxy.error());
        }
    }

    @Test
    void theProxyMakesNoStartUpConnectionWhenToldNot() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Run proxy = new Run("proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:" + upstream.getLocalPort(),
                        "--no-upstream-check", "--drain-grace", "0")) {
            proxy.port();
            upstream.setSoTimeout(1_000);
            assertThrows(SocketTimeoutException.class, upstream::accept,
                    "no connection, though the proxy listens");
        }
    }

    @Test
    void theServletProxyWarnsToo() throws Exception {
        int upstream = closedPort();
        try (Run proxy = new Run("servlet-proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:" + upstream)) {
            String warning = proxy.await("warning: upstream");
            assertTrue(warning.endsWith(" warning: upstream 127.0.0.1:" + upstream + " cannot be reached (Connection"
                    + " refused); requests get 502 until it can"), warning);
            assertEquals("HTTP/1.1 502 Bad Gateway", statusLine(proxy.port()));
            assertEveryLineStamped(proxy.stop());
        }
    }

    @Test
    void withJsonLogLinesEveryLineIsOneObjectWithTimeAndMessage() throws Exception {
        try (Run echo = new Run("echo-server", "--listen", "127.0.0.1:0", "--log-format", "json")) {
            int port = echo.port();
            assertTrue(statusLine(port).startsWith("HTTP/1.1 "));
            echo.await("/status");
            List<String> lines = echo.stop();

            assertTrue(lines.size() >= 2, String.join("\n", lines));
            for (String line : lines) {
                JsonNode json = JSON.readTree(line);
                assertTrue(json.isObject() && json.get("time").isTextual() && json.get("message").isTextual(), line);
                assertTrue(json.get("time").asText().matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z"), line);
            }
            assertEquals("listening on 127.0.0.1:" + port, JSON.readTree(lines.get(0)).get("message").asText());
        }
    }

    @Test
    void aPortInUseIsNamedAndTheCommandEndsWithStatus2() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            for (String[] command : List.of(new String[] {"proxy", "--listen", address, "--upstream", "127.0.0.1:9"},
                    new String[] {"servlet-proxy", "--listen", address, "--upstream", "127.0.0.1:9"},
                    new String[] {"echo-server", "--listen", address})) {
                try (Run run = new Run(command)) {
                    assertEquals(2, run.exitStatus(), command[0]);
                    String error = run.error();
                    assertTrue(error.startsWith("error: cannot listen on " + address + ": Address already in use"),
                            command[0] + ": " + error);
                    assertFalse(error.contains("Exception"), error);
                    assertFalse(String.join("\n", run.output()).contains("listening on"), command[0]);
                }
            }
        }
    }

    @Test
    void aMetricsAddressInUseIsNamedWithItsOptionAndNothingStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            for (String[] command : List.of(new String[] {"proxy", "--listen", "127.0.0.1:0", "--upstream",
                "127.0.0.1:9", "--metrics", address}, new String[] {"demo", "--port", "0", "--metrics", address})) {
                try (Run run = new Run(command)) {
                    assertEquals(2, run.exitStatus(), command[0]);
                    String error = run.error();
                    assertTrue(error.startsWith("error: option --metrics: cannot serve metrics on " + address
                            + ": Address already in use"), command[0] + ": " + error);
                    assertFalse(error.contains("Exception"), error);
                    assertFalse(String.join("\n", run.output()).contains("listening on"), command[0]);
                }
            }
        }
    }
}
