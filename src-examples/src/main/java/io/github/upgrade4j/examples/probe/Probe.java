package io.github.upgrade4j.examples.probe;

import io.github.upgrade4j.examples.probe.ProbeResult.Idle;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * What the {@code probe} command ({@link ProbeCommand}) does: diagnoses a WebSocket that fails behind a
 * proxy the way a person would, by comparing a handshake made directly with the same handshake made
 * through the proxy.
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
final class Probe {
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private Probe() {}

    /**
     * What to probe and how, from the command line.
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
    }

    /** Probes as {@code options} say, reporting to {@code out}; returns 0 when the upgrade worked on every path, else 1. */
    static int run(Options options, PrintStream out) {
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
