package io.github.upgrade4j.examples.support;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The metrics option of the proxy commands (a picocli mixin): {@code --metrics HOST:PORT} serves
 * {@code GET /metrics} in the Prometheus text format through a {@link MetricsEndpoint}; off by default.
 * Its footer, added to the command's help, names every metric.
 */
@Command(footerHeading = "%nMetrics (--metrics), in the Prometheus text format:%n", footer = {
    "  upgrade4j_tunnels_active{path}",
    "      gauge: tunnels open now; path copy or splice, h2 for WebSockets over HTTP/2",
    "  upgrade4j_tunnels_opened_total{path}",
    "      tunnels opened",
    "  upgrade4j_tunnels_refused_total{reason}",
    "      refusals by the relay, each answered 503: TUNNEL_LIMIT, BUFFER_BUDGET,",
    "      SHUT_DOWN",
    "  upgrade4j_tunnels_closed_total{reason}",
    "      tunnels ended: CLIENT_FIN_FIRST, UPSTREAM_FIN_FIRST, CLIENT_RESET,",
    "      UPSTREAM_RESET, IDLE_TIMEOUT, STALL_TIMEOUT, HALF_CLOSED_TIMEOUT,",
    "      LIFETIME_EXCEEDED, CLOSED_BY_CALLER, SHUTDOWN, IO_ERROR",
    "  upgrade4j_tunnel_bytes_total{direction}",
    "      bytes relayed by tunnels once they end: client_to_upstream,",
    "      upstream_to_client (the 101's head included)",
    "  upgrade4j_handshake_answers_total{status}",
    "      answers to requests that offered an upgrade: 101, 400, 426, 502, 503,",
    "      504, or the upstream's own status",
    "  upgrade4j_handshake_duration_seconds (_bucket, _count, _sum)",
    "      histogram: from an upgrade request's complete head to its answer's",
    "      head written",
    "  jvm_*, process_*, system_*",
    "      the JVM's memory, GC, threads, classes, CPU, uptime, file descriptors"})
public final class MetricsOptions {
    @Option(names = "--metrics", paramLabel = "HOST:PORT", converter = Converters.Address.class,
            description = "Serve GET /metrics in the Prometheus text format on this address (127.0.0.1:9464;"
                    + " port 0 takes any free port), without TLS or authentication: the metrics are listed"
                    + " below. Default: off.")
    private @Nullable InetSocketAddress address;

    /** The address to serve metrics on, if the option was given. */
    public Optional<InetSocketAddress> address() {
        return Optional.ofNullable(address);
    }

    /**
     * Starts the endpoint when the option was given, and prints {@code metrics on
     * http://HOST:PORT/metrics} to {@code log}; empty otherwise.
     *
     * @throws IOException when the address cannot be bound, naming the option: {@code option --metrics:
     *     cannot serve metrics on 127.0.0.1:9464: Address already in use}
     */
    public Optional<MetricsEndpoint> start(PrintStream log) throws IOException {
        if (address == null) {
            return Optional.empty();
        }
        MetricsEndpoint endpoint;
        try {
            endpoint = MetricsEndpoint.start(address);
        } catch (IOException e) {
            throw new IOException("option --metrics: " + e.getMessage(), e);
        }
        log.println("metrics on " + endpoint.url());
        return Optional.of(endpoint);
    }
}
