package io.github.upgrade4j.examples;

import io.github.upgrade4j.examples.echo.EchoServer;
import io.github.upgrade4j.examples.proxy.ReverseProxy;
import io.github.upgrade4j.examples.support.TlsSetup;
import io.github.upgrade4j.hop.UnderscoreAction;
import io.github.upgrade4j.tunnel.RelayOptions;
import io.github.upgrade4j.tunnel.RelayPath;
import io.github.upgrade4j.tunnel.RelayStats;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * The long-running commands: {@code proxy}, {@code echo-server} and {@code demo}. Each runs until the
 * process gets SIGTERM or Ctrl-C; the proxy then drains (new connections refused, tunnels given a grace
 * period and then a WebSocket Close 1001).
 */
public final class Servers {
    /** The options of these commands, as {@code Main}'s usage text shows them. */
    static final String USAGE = """
              demo [--port N] [--tls]              echo server + proxy in one process; open the printed URL
                                                   --tls: https/wss with a throw-away self-signed certificate
              proxy --listen HOST:PORT --upstream HOST:PORT [--idle-timeout 60s] [--max-tunnels N]
                    [--handshake-timeout 10s] [--drain-grace 10s]
                    [--tls-keystore FILE.p12 --tls-password-file FILE]
                    [--upstream-tls [--upstream-truststore FILE.p12 [--upstream-truststore-password-file FILE]]]
                    [--tls-fin-as-end] [--relay auto|copy|splice] [--buffer-size 64k]
                    [--underscored-aliases drop|refuse|pass]
                                                   a reverse proxy that forwards WebSocket upgrades; with
                                                   --tls-keystore it listens with TLS (wss), with --upstream-tls
                                                   it speaks TLS to the upstream (default trust: the JDK's CAs);
                                                   --tls-fin-as-end: a TLS peer's FIN without close_notify ends
                                                   its direction (as nginx) instead of resetting the tunnel;
                                                   --relay: how tunnels move bytes (auto: splice(2) on Linux
                                                   with Java 22+, else copy; splice fails to start elsewhere);
                                                   --buffer-size: the most one direction of a tunnel has in
                                                   flight in the relay (buffer or pipe; default 256k);
                                                   --underscored-aliases: a request field that reads as a
                                                   protected one with _ as - (X_Forwarded_Proto) is dropped
                                                   (default), refused with 400, or passed
              echo-server --listen HOST:PORT       a WebSocket echo origin with a small web page at /
            """;

    private static final Set<String> PROXY_OPTIONS = Set.of("--listen", "--upstream", "--idle-timeout",
            "--max-tunnels", "--handshake-timeout", "--drain-grace", "--tls-keystore", "--tls-password-file",
            "--upstream-truststore", "--upstream-truststore-password-file", "--relay", "--buffer-size",
            "--underscored-aliases");

    private Servers() {}

    static int proxy(String[] args, PrintStream out, PrintStream err) throws IOException {
        Map<String, String> options = options(args, PROXY_OPTIONS, Set.of("--upstream-tls", "--tls-fin-as-end"));
        ReverseProxy.Config config = proxyConfig(options);
        Duration grace = duration(options.getOrDefault("--drain-grace", "10s"));
        ReverseProxy proxy = ReverseProxy.start(config, proxyRelayOptions(options, config), out);
        runUntilStopped(() -> {
            out.println("draining: new connections refused, tunnels get " + grace.toSeconds() + " s");
            ReverseProxy.await(proxy.drain(grace), grace.plusSeconds(5));
            proxy.close();
            out.println("stopped; " + summary(proxy.relay().stats()));
        });
        return 0;
    }

    /**
     * The relay settings the options choose beyond {@code config}: {@code --tls-fin-as-end},
     * {@code --relay}, {@code --buffer-size}.
     */
    static RelayOptions proxyRelayOptions(Map<String, String> options, ReverseProxy.Config config) {
        boolean finAsEnd = options.containsKey("--tls-fin-as-end");
        if (finAsEnd && config.tls().isEmpty() && config.upstreamTls().isEmpty()) {
            throw new IllegalArgumentException("option --tls-fin-as-end needs --tls-keystore or --upstream-tls:"
                    + " without TLS there is no close_notify to miss");
        }
        String relay = options.getOrDefault("--relay", "auto");
        RelayPath path = switch (relay) {
            case "auto" -> RelayPath.AUTO;
            case "copy" -> RelayPath.COPY;
            case "splice" -> RelayPath.SPLICE;
            default -> throw new IllegalArgumentException("expected --relay auto, copy or splice but was " + relay);
        };
        RelayOptions.Builder relayOptions = RelayOptions.builder().tlsFinWithoutCloseNotifyAsEnd(finAsEnd).relayPath(path);
        String bufferSize = options.get("--buffer-size");
        if (bufferSize != null) {
            relayOptions.bufferSize(size(bufferSize));
        }
        return relayOptions.build();
    }

    /** {@code drop}, {@code refuse} or {@code pass}. */
    public static UnderscoreAction underscoredAliases(String text) {
        return switch (text) {
            case "drop" -> UnderscoreAction.DROP;
            case "refuse" -> UnderscoreAction.REFUSE;
            case "pass" -> UnderscoreAction.PASS;
            default -> throw new IllegalArgumentException("expected --underscored-aliases drop, refuse or pass but was '"
                    + text + "'");
        };
    }

    /** {@code 65536}, {@code 64k} or {@code 1m}: bytes. */
    static int size(String text) {
        String digits = text.toLowerCase(java.util.Locale.ROOT);
        int unit = digits.endsWith("k") ? 1024 : digits.endsWith("m") ? 1024 * 1024 : 1;
        try {
            return Math.multiplyExact(Integer.parseInt(unit == 1 ? digits : digits.substring(0, digits.length() - 1)),
                    unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("expected a size like 65536, 64k or 1m but was '" + text + "'");
        }
    }

    /** The relay's counts since start, on one line: opened, refused and ended by reason, bytes. */
    static String summary(RelayStats stats) {
        StringBuilder line = new StringBuilder().append(stats.tunnelsOpened()).append(" tunnels opened, ")
                .append(stats.tunnelsRefused()).append(" refused");
        stats.refusedByReason().forEach((reason, n) -> {
            if (n > 0) {
                line.append(' ').append(reason).append('=').append(n);
            }
        });
        line.append(", ").append(stats.tunnelsEnded()).append(" ended");
        stats.endedByReason().forEach((reason, n) -> {
            if (n > 0) {
                line.append(' ').append(reason).append('=').append(n);
            }
        });
        return line.append(", ").append(stats.bytesClientToUpstream()).append(" B up, ")
                .append(stats.bytesUpstreamToClient()).append(" B down").toString();
    }

    static int echoServer(String[] args, PrintStream out, PrintStream err) throws IOException {
        Map<String, String> options = options(args, Set.of("--listen"));
        EchoServer server = EchoServer.start(address(required(options, "--listen")), out);
        runUntilStopped(server::close);
        return 0;
    }

    /** The proxy's settings from its options; the TLS files are read now, so that mistakes show at once. */
    public static ReverseProxy.Config proxyConfig(Map<String, String> options) throws IOException {
        ReverseProxy.Config config = new ReverseProxy.Config(
                address(required(options, "--listen")),
                address(required(options, "--upstream")),
                duration(options.getOrDefault("--idle-timeout", "60s")),
                Integer.parseInt(options.getOrDefault("--max-tunnels", "10000")),
                duration(options.getOrDefault("--handshake-timeout", "10s")))
                .withUnderscoredAliases(underscoredAliases(options.getOrDefault("--underscored-aliases", "drop")));
        String keystore = options.get("--tls-keystore");
        String keystorePassword = options.get("--tls-password-file");
        if (keystore != null || keystorePassword != null) {
            if (keystore == null || keystorePassword == null) {
                throw new IllegalArgumentException("options --tls-keystore and --tls-password-file go together");
            }
            config = config.withTls(TlsSetup.server(Path.of(keystore), Path.of(keystorePassword)));
        }
        String truststore = options.get("--upstream-truststore");
        String truststorePassword = options.get("--upstream-truststore-password-file");
        if (options.containsKey("--upstream-tls")) {
            if (truststore == null && truststorePassword != null) {
                throw new IllegalArgumentException("option --upstream-truststore-password-file needs --upstream-truststore");
            }
            config = config.withUpstreamTls(TlsSetup.client(path(truststore), path(truststorePassword)));
        } else if (truststore != null || truststorePassword != null) {
            throw new IllegalArgumentException("options --upstream-truststore and --upstream-truststore-password-file"
                    + " need --upstream-tls");
        }
        return config;
    }

    private static @Nullable Path path(@Nullable String file) {
        return file == null ? null : Path.of(file);
    }

    static int demo(String[] args, PrintStream out, PrintStream err) throws IOException {
        Demo demo = Demo.start(options(args, Set.of("--port"), Set.of("--tls")), out);
        out.println("  Ctrl-C stops it.");
        runUntilStopped(() -> {
            ReverseProxy.await(demo.proxy().drain(Duration.ofSeconds(2)), Duration.ofSeconds(5));
            demo.close();
        });
        return 0;
    }

    /**
     * The demo's servers: the echo server, and the proxy in front of it on 127.0.0.1, with TLS and a
     * throw-away certificate when asked.
     *
     * @param echo the WebSocket echo origin, plain, on a free port
     * @param proxy the proxy in front of it
     * @param url the page to open
     * @param certificate the throw-away certificate with {@code --tls}, else null
     */
    public record Demo(EchoServer echo, ReverseProxy proxy, String url, TlsSetup.@Nullable SelfSigned certificate)
            implements AutoCloseable {
        /** Starts the servers and prints what to open (and, with TLS, how to trust the certificate). */
        public static Demo start(Map<String, String> options, PrintStream out) throws IOException {
            boolean tls = options.containsKey("--tls");
            int port = Integer.parseInt(options.getOrDefault("--port", tls ? "8443" : "8080"));
            TlsSetup.SelfSigned certificate = tls ? TlsSetup.selfSigned() : null;
            EchoServer echo = null;
            try {
                echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), out);
                ReverseProxy.Config config = new ReverseProxy.Config(new InetSocketAddress("127.0.0.1", port),
                        echo.address(), Duration.ofSeconds(60), 10_000, Duration.ofSeconds(10));
                if (certificate != null) {
                    config = config.withTls(certificate.serverContext());
                }
                ReverseProxy proxy = ReverseProxy.start(config, out);
                String url = (tls ? "https" : "http") + "://127.0.0.1:" + proxy.address().getPort() + "/";
                out.println();
                out.println("upgrade4j demo: a WebSocket echo server behind the upgrade4j proxy" + (tls ? ", over TLS" : ""));
                out.println("  open " + url + " in a browser and send a message,");
                out.println("  or from a terminal: curl -i -N -H 'Connection: Upgrade' -H 'Upgrade: websocket'"
                        + " -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='"
                        + (certificate != null ? " --cacert " + certificate.pem() : "") + " " + url + "echo");
                if (certificate != null) {
                    out.print(certificate.howToTrust(url));
                }
                return new Demo(echo, proxy, url, certificate);
            } catch (IOException | RuntimeException e) {
                if (echo != null) {
                    echo.close();
                }
                if (certificate != null) {
                    certificate.close();
                }
                throw e;
            }
        }

        /** Stops both servers and deletes the certificate. */
        @Override
        public void close() {
            proxy.close();
            echo.close();
            if (certificate != null) {
                certificate.close();
            }
        }
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
    public static Map<String, String> options(String[] args, Set<String> known) {
        return options(args, known, Set.of());
    }

    /** {@code --name value} pairs and {@code --flag}s (mapped to "true"); unknown names and missing values are usage errors. */
    public static Map<String, String> options(String[] args, Set<String> known, Set<String> flags) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (flags.contains(args[i])) {
                options.put(args[i], "true");
                continue;
            }
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
    public static InetSocketAddress address(String text) {
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
    public static Duration duration(String text) {
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
