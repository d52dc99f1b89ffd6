package io.github.upgrade4j.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The long-running commands: {@code proxy}, {@code echo-server} and {@code demo}. Each runs until the
 * process gets SIGTERM or Ctrl-C; the proxy then drains (new connections refused, tunnels given a grace
 * period and then a WebSocket Close 1001).
 */
final class Servers {
    private Servers() {}

    static int proxy(String[] args, PrintStream out, PrintStream err) throws IOException {
        Map<String, String> options = options(args, Set.of("--listen", "--upstream", "--idle-timeout", "--max-tunnels",
                "--handshake-timeout", "--drain-grace"));
        ReverseProxy.Config config = new ReverseProxy.Config(
                address(required(options, "--listen")),
                address(required(options, "--upstream")),
                duration(options.getOrDefault("--idle-timeout", "60s")),
                Integer.parseInt(options.getOrDefault("--max-tunnels", "10000")),
                duration(options.getOrDefault("--handshake-timeout", "10s")));
        Duration grace = duration(options.getOrDefault("--drain-grace", "10s"));
        ReverseProxy proxy = ReverseProxy.start(config, out);
        runUntilStopped(() -> {
            out.println("draining: new connections refused, tunnels get " + grace.toSeconds() + " s");
            ReverseProxy.await(proxy.drain(grace), grace.plusSeconds(5));
            proxy.close();
            out.println("stopped");
        });
        return 0;
    }

    static int echoServer(String[] args, PrintStream out, PrintStream err) throws IOException {
        Map<String, String> options = options(args, Set.of("--listen"));
        EchoServer server = EchoServer.start(address(required(options, "--listen")), out);
        runUntilStopped(server::close);
        return 0;
    }

    static int demo(String[] args, PrintStream out, PrintStream err) throws IOException {
        Map<String, String> options = options(args, Set.of("--port"));
        EchoServer echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), out);
        ReverseProxy proxy = ReverseProxy.start(new ReverseProxy.Config(
                new InetSocketAddress("127.0.0.1", Integer.parseInt(options.getOrDefault("--port", "8080"))),
                echo.address(), Duration.ofSeconds(60), 10_000, Duration.ofSeconds(10)), out);
        InetSocketAddress at = proxy.address();
        String url = "http://127.0.0.1:" + at.getPort() + "/";
        out.println();
        out.println("upgrade4j demo: a WebSocket echo server behind the upgrade4j proxy");
        out.println("  open " + url + " in a browser and send a message,");
        out.println("  or from a terminal: curl -i -N -H 'Connection: Upgrade' -H 'Upgrade: websocket'"
                + " -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' " + url + "echo");
        out.println("  Ctrl-C stops it.");
        runUntilStopped(() -> {
            ReverseProxy.await(proxy.drain(Duration.ofSeconds(2)), Duration.ofSeconds(5));
            proxy.close();
            echo.close();
        });
        return 0;
    }

    /** Blocks until the JVM is asked to stop, running {@code stop} in the shutdown hook. */
    private static void runUntilStopped(Runnable stop) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.run();
            stopped.countDown();
        }, "stop"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code --name value} pairs; unknown names and missing values are usage errors. */
    static Map<String, String> options(String[] args, Set<String> known) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!known.contains(args[i])) {
                throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            options.put(args[i], args[++i]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("option " + name + " is required");
        }
        return value;
    }

    /** {@code HOST:PORT}, with {@code [::1]:PORT} for IPv6. */
    static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected HOST:PORT but was '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new InetSocketAddress(host, Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a port number in '" + text + "'");
        }
    }

    /** {@code 500ms}, {@code 60s}, {@code 2m}, {@code 1h}, or {@code 0} for none. */
    static Duration duration(String text) {
        try {
            if (text.equals("0")) {
                return Duration.ZERO;
            }
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            long n = Long.parseLong(text.substring(0, text.length() - 1));
            switch (text.charAt(text.length() - 1)) {
                case 's':
                    return Duration.ofSeconds(n);
                case 'm':
                    return Duration.ofMinutes(n);
                case 'h':
                    return Duration.ofHours(n);
                default:
                    break;
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("expected a duration like 500ms, 60s, 2m or 0 but was '" + text + "'");
    }
}
