package io.github.upgrade4j.examples.probe;

import io.github.upgrade4j.examples.probe.ProbeResult.Idle;
import io.github.upgrade4j.examples.Servers;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The {@code probe} command: diagnoses a WebSocket that fails behind a proxy the way a person would,
 * by comparing a handshake made directly with the same handshake made through the proxy.
 *
 * <pre>
 * probe URL [--via PROXY_URL] [--origin O] [--subprotocol P] [--idle SECONDS] [--insecure] [--json]
 * </pre>
 *
 * <p>For each path it prints the request head sent (a fresh {@code Sec-WebSocket-Key} each), the
 * answer's head lines and short text body, and the library's judgement with its explanation; then
 * what differs between the two answers. With {@code --idle} it holds each upgraded connection silent
 * for up to that long, all paths at once, and reports when a hop cut it. The exit status is 0 only
 * when the upgrade worked on every path asked for, 1 when it did not, 2 for a usage error.
 *
 * <p>The probe does not follow redirects, speak HTTP/2 or send WebSocket messages: it tests the
 * opening handshake and the survival of a quiet connection, which is where proxies break WebSockets.
 */
public final class Probe {
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private Probe() {}

    /**
     * The parsed command line.
     *
     * @param url the WebSocket URL
     * @param via the reverse proxy to try the same handshake through; null for the direct path only
     * @param origin the {@code Origin} to send; null for none
     * @param subprotocols the subprotocols to offer, in order
     * @param idle how long to hold upgraded connections idle; zero for no idle watch
     * @param insecure whether to accept any TLS certificate
     * @param json whether to print one JSON object instead of the report for a person
     */
    record Options(String url, @Nullable String via, @Nullable String origin, List<String> subprotocols, Duration idle,
            boolean insecure, boolean json) {
        Options {
            Objects.requireNonNull(url, "url");
            subprotocols = List.copyOf(subprotocols);
            Objects.requireNonNull(idle, "idle");
        }

        /**
         * Parses the arguments after {@code probe}.
         *
         * @throws IllegalArgumentException for a usage error, with the message to print
         */
        static Options parse(String[] args) {
            String url = null;
            String via = null;
            String origin = null;
            List<String> subprotocols = new ArrayList<>();
            Duration idle = Duration.ZERO;
            boolean insecure = false;
            boolean json = false;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--json" -> json = true;
                    case "--insecure" -> insecure = true;
                    case "--via" -> via = value(args, i++);
                    case "--origin" -> origin = value(args, i++);
                    case "--subprotocol" -> {
                        for (String p : value(args, i++).split(",")) {
                            if (!p.isBlank()) {
                                subprotocols.add(p.strip());
                            }
                        }
                    }
                    case "--idle" -> idle = seconds(value(args, i++));
                    default -> {
                        if (arg.startsWith("--") || url != null) {
                            throw new IllegalArgumentException(arg.startsWith("--") ? "unknown option '" + arg + "'"
                                    : "expected one URL but found '" + url + "' and '" + arg + "'");
                        }
                        url = arg;
                    }
                }
            }
            if (url == null) {
                throw new IllegalArgumentException("expected a URL to probe, e.g. ws://localhost:8080/chat");
            }
            return new Options(url, via, origin, subprotocols, idle, insecure, json);
        }

        private static String value(String[] args, int i) {
            if (i + 1 == args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            return args[i + 1];
        }

        /** {@code 60}, {@code 2.5}, or a duration such as {@code 500ms} or {@code 2m}. */
        private static Duration seconds(String text) {
            Duration duration;
            try {
                duration = Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000));
            } catch (NumberFormatException e) {
                duration = Servers.duration(text);
            }
            if (duration.isNegative() || duration.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("expected --idle between 0 and 24 days but was '" + text + "'");
            }
            return duration;
        }
    }

    /** Runs the command; returns 0 when the upgrade worked on every path, 1 otherwise. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options options = Options.parse(args);
        ProbeTarget direct = ProbeTarget.direct(options.url());
        List<ProbeTarget> targets = new ArrayList<>(List.of(direct));
        if (options.via() != null) {
            targets.add(direct.via(options.via()));
        }
        ProbeReport report = new ProbeReport(options, out);
        List<ProbeExchange> exchanges = new ArrayList<>();
        try {
            for (ProbeTarget target : targets) {
                ProbeExchange exchange = ProbeExchange.perform(target,
                        ProbeExchange.request(target, options.origin(), options.subprotocols()), HANDSHAKE_TIMEOUT,
                        options.insecure());
                exchanges.add(exchange);
                report.handshake(exchange.result());
            }
            List<ProbeResult> results = idle(exchanges, options.idle(), report);
            return report.finish(results);
        } finally {
            exchanges.forEach(ProbeExchange::close);
        }
    }

    /** Watches every upgraded connection at once, so that the paths share one wait. */
    private static List<ProbeResult> idle(List<ProbeExchange> exchanges, Duration wait, ProbeReport report) {
        List<ProbeResult> results = new ArrayList<>();
        if (wait.isZero()) {
            exchanges.forEach(e -> results.add(e.result()));
            return results;
        }
        report.idleStarts(wait, exchanges.stream().filter(e -> e.result().verdict().worked()).count());
        List<CompletableFuture<@Nullable Idle>> watches = new ArrayList<>();
        for (ProbeExchange exchange : exchanges) {
            CompletableFuture<@Nullable Idle> watch = new CompletableFuture<>();
            Thread thread = new Thread(() -> watch.complete(exchange.watchIdle(wait)),
                    "probe-idle " + exchange.result().target().name());
            thread.setDaemon(true);
            thread.start();
            watches.add(watch);
        }
        for (int i = 0; i < exchanges.size(); i++) {
            ProbeResult result = exchanges.get(i).result();
            Idle measured = watches.get(i).join();
            results.add(measured == null ? result : result.withIdle(measured));
        }
        return results;
    }
}
