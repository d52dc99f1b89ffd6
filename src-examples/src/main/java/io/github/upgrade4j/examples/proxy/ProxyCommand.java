package io.github.upgrade4j.examples.proxy;

import io.github.upgrade4j.examples.support.Converters;
import io.github.upgrade4j.examples.support.Lifecycle;
import io.github.upgrade4j.examples.support.LogOptions;
import io.github.upgrade4j.examples.support.MetricsEndpoint;
import io.github.upgrade4j.examples.support.MetricsOptions;
import io.github.upgrade4j.examples.support.ProjectVersion;
import io.github.upgrade4j.examples.support.ProxyEndpoints;
import io.github.upgrade4j.examples.support.TlsSetup;
import io.github.upgrade4j.hop.UnderscoreAction;
import io.github.upgrade4j.tunnel.RelayOptions;
import io.github.upgrade4j.tunnel.RelayPath;
import io.github.upgrade4j.tunnel.RelayStats;
import io.github.upgrade4j.upgrade.Protocol;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code proxy} command: a {@link ReverseProxy} from command-line options, running until the
 * process gets SIGTERM or Ctrl-C; it then drains (new connections refused, tunnels given
 * {@code --drain-grace} and then a WebSocket Close 1001) and prints what its relay did.
 *
 * <p>Right after it starts listening it tries one connection to the upstream and warns when that
 * fails; it serves either way (502 until the upstream answers).
 */
@Command(name = "proxy", header = "A reverse proxy that forwards WebSocket upgrades, on the library's relay.",
        mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class, sortOptions = false, sortSynopsis = false,
        description = {"A reverse proxy to one upstream that forwards WebSocket upgrades: the hop-by-hop policy"
                + " both ways, X-Forwarded-* and Via, WebSocket handshakes judged by the library and relayed,"
                + " 400/426/502/503/504 answers of its own. Runs until Ctrl-C or SIGTERM, then drains.",
            "Durations: 500ms, 60s, 2m, 1h (0 where it says so); sizes: 65536, 64k, 1m."})
public final class ProxyCommand implements Callable<Integer> {
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ProxyEndpoints endpoints = new ProxyEndpoints();

    @Option(names = "--handshake-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = Converters.AnyDuration.class, description = "How long to wait for the upstream's answer head"
                    + " (then 504), for a client's whole TLS handshake, and for each step of one toward the upstream."
                    + " Default: ${DEFAULT-VALUE}.")
    private Duration handshakeTimeout;

    @Option(names = "--header-timeout", paramLabel = "DURATION", defaultValue = "60s",
            converter = Converters.PositiveDuration.class, description = "How long a client may take to send a whole"
                    + " request head, from the connection's start (TLS handshake included) or a later request's first"
                    + " byte; then 408 (nginx's client_header_timeout). Default: ${DEFAULT-VALUE}.")
    private Duration headerTimeout;

    @Option(names = "--keep-alive-timeout", paramLabel = "DURATION", defaultValue = "75s",
            converter = Converters.PositiveDuration.class, description = "How long a client connection may stay idle"
                    + " between requests before it is closed (nginx's keepalive_timeout). Default: ${DEFAULT-VALUE}.")
    private Duration keepAliveTimeout;

    @Option(names = "--max-handshakes", paramLabel = "N", defaultValue = "256", converter = Converters.Count.class,
            description = "The most requests served at once (forwarded and awaiting the upstream, or relaying a"
                    + " body); as many again may queue, past that a request gets 503. Default: ${DEFAULT-VALUE}.")
    private int maxHandshakes;

    @Option(names = "--drain-grace", paramLabel = "DURATION", defaultValue = "10s",
            converter = Converters.AnyDuration.class, description = "On SIGTERM or Ctrl-C, how long tunnels may go on"
                    + " before they get a WebSocket Close 1001; 0 closes them at once. Default: ${DEFAULT-VALUE}.")
    private Duration drainGrace;

    @Option(names = "--tls-keystore", paramLabel = "FILE.p12", converter = Converters.ReadableFile.class,
            description = "Listen with TLS (https, wss), presenting the key and certificate chain in this PKCS#12"
                    + " file; needs --tls-password-file. Default: plain TCP.")
    private @Nullable Path keystore;

    @Option(names = "--tls-password-file", paramLabel = "FILE", converter = Converters.ReadableFile.class,
            description = "The file whose first line is the --tls-keystore password.")
    private @Nullable Path keystorePassword;

    @Option(names = "--upstream-tls", description = "Speak TLS to the upstream (nginx's proxy_pass with https),"
            + " trusting the JDK's certificate authorities unless --upstream-truststore says otherwise.")
    private boolean upstreamTls;

    @Option(names = "--upstream-truststore", paramLabel = "FILE.p12", converter = Converters.ReadableFile.class,
            description = "With --upstream-tls: trust only the certificates in this PKCS#12 file.")
    private @Nullable Path truststore;

    @Option(names = "--upstream-truststore-password-file", paramLabel = "FILE",
            converter = Converters.ReadableFile.class,
            description = "The file whose first line is the --upstream-truststore password, if it has one.")
    private @Nullable Path truststorePassword;

    @Option(names = "--tls-fin-as-end", description = "A TLS peer's FIN without close_notify ends its direction, as"
            + " in nginx, instead of resetting the tunnel (possible truncation); needs --tls-keystore or"
            + " --upstream-tls. Default: reset.")
    private boolean finAsEnd;

    @Option(names = "--relay", paramLabel = "PATH", defaultValue = "auto", converter = RelayPaths.class,
            completionCandidates = RelayPaths.class, description = "How tunnels move bytes: auto (splice(2) on Linux"
                    + " with Java 22+, else copy), copy, or splice (the proxy does not start where it cannot"
                    + " splice). One of: ${COMPLETION-CANDIDATES}; default: ${DEFAULT-VALUE}.")
    private RelayPath relay;

    @Option(names = "--buffer-size", paramLabel = "SIZE", converter = Converters.Size.class,
            description = "The most one direction of a tunnel has in flight in the relay (a buffer or a pipe)."
                    + " Default: 256k.")
    private @Nullable Integer bufferSize;

    @Option(names = "--underscored-aliases", paramLabel = "ACTION", defaultValue = "drop",
            converter = UnderscoreActions.class, completionCandidates = UnderscoreActions.class,
            description = "What to do with a request field that reads as a protected one with _ for -"
                    + " (X_Forwarded_Proto): drop it, refuse the request with 400, or pass it."
                    + " One of: ${COMPLETION-CANDIDATES}; default: ${DEFAULT-VALUE}.")
    private UnderscoreAction underscoredAliases;

    @Option(names = "--allow-upgrade", paramLabel = "PROTOCOL", defaultValue = "websocket",
            converter = Converters.UpgradeProtocol.class, description = "A protocol whose upgrade offers are"
                    + " forwarded, e.g. websocket or TLS/1.2 (RFC 2817, as IPP printers and ipptool -E use); repeat"
                    + " it for several. Given, it replaces the default: --allow-upgrade websocket --allow-upgrade"
                    + " TLS/1.2 keeps both. Offers of others are removed before forwarding. Default: ${DEFAULT-VALUE}.")
    private List<Protocol> upgrades;

    @Option(names = "--http2", description = "Let TLS clients choose HTTP/2 by ALPN (h2, then http/1.1): requests"
            + " over HTTP/2 go to the upstream over HTTP/1.1, and WebSockets opened over HTTP/2 (RFC 8441 extended"
            + " CONNECT, as Chromium and Firefox do on an HTTP/2 connection) become HTTP/1.1 upgrades toward it."
            + " Needs --tls-keystore.")
    private boolean http2;

    @Option(names = "--no-upstream-check", description = "Do not try a connection to the upstream at start-up (by"
            + " default one is tried, and a warning printed when it fails), e.g. for an upstream that counts or"
            + " logs connections.")
    private boolean noUpstreamCheck;

    @Mixin
    private MetricsOptions metrics = new MetricsOptions();

    @Mixin
    private LogOptions logging = new LogOptions();

    /** {@code auto}, {@code copy} or {@code splice}, for {@code --relay}. */
    public static final class RelayPaths extends Converters.LowerCaseEnum<RelayPath> {
        public RelayPaths() {
            super(RelayPath.class);
        }
    }

    /** {@code drop}, {@code refuse} or {@code pass}, for {@code --underscored-aliases}. */
    public static final class UnderscoreActions extends Converters.LowerCaseEnum<UnderscoreAction> {
        public UnderscoreActions() {
            super(UnderscoreAction.class);
        }
    }

    /** Logs to {@code out}. */
    public ProxyCommand(PrintStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    @Override
    public Integer call() throws IOException {
        ReverseProxy.Config config = config();
        RelayOptions relayOptions = relayOptions(config);
        PrintStream log = logging.open(out);
        Optional<MetricsEndpoint> endpoint = metrics.start(log);
        Lifecycle.serve(() -> Lifecycle.listen(config.listen(), () -> start(config, relayOptions, log, endpoint)),
                proxy -> {
                    if (!noUpstreamCheck) {
                        Lifecycle.checkUpstream(config.upstream(), log);
                    }
                },
                proxy -> {
                    log.println("draining: new connections refused, tunnels get " + drainGrace.toSeconds() + " s");
                    ReverseProxy.await(proxy.drain(drainGrace), drainGrace.plusSeconds(5));
                    proxy.close();
                    log.println("stopped; " + summary(proxy.relay().stats()) + (config.http2()
                            ? "; over HTTP/2: " + summary(proxy.http2Relay().stats()) : ""));
                    endpoint.ifPresent(MetricsEndpoint::close);
                });
        return 0;
    }

    /** The proxy, with its meters in the endpoint's registry if there is one; the endpoint is closed if it fails. */
    private static ReverseProxy start(ReverseProxy.Config config, RelayOptions relayOptions, PrintStream log,
            Optional<MetricsEndpoint> endpoint) throws IOException {
        try {
            return endpoint.isPresent() ? ReverseProxy.start(config, relayOptions, log, endpoint.get().registry())
                    : ReverseProxy.start(config, relayOptions, log);
        } catch (IOException | RuntimeException e) {
            endpoint.ifPresent(MetricsEndpoint::close);
            throw e;
        }
    }

    /**
     * The proxy's settings from the options; the TLS files are read now, so that mistakes show at once.
     *
     * @throws ParameterException for TLS options given without the ones they need
     * @throws IOException for a keystore or truststore that cannot be used, naming its file
     */
    ReverseProxy.Config config() throws IOException {
        ReverseProxy.Config config = new ReverseProxy.Config(endpoints.listen(), endpoints.upstream(),
                endpoints.idleTimeout(), endpoints.maxTunnels(), handshakeTimeout)
                .withUnderscoredAliases(underscoredAliases)
                .withHttp(new HttpLimits(headerTimeout, keepAliveTimeout, maxHandshakes))
                .withUpgrades(upgrades);
        if (keystore != null || keystorePassword != null) {
            if (keystore == null || keystorePassword == null) {
                throw new ParameterException(spec.commandLine(), "options --tls-keystore and --tls-password-file go"
                        + " together");
            }
            config = config.withTls(TlsSetup.server(keystore, keystorePassword));
        }
        if (http2) {
            if (config.tls().isEmpty()) {
                throw new ParameterException(spec.commandLine(), "option --http2 needs --tls-keystore: browsers speak"
                        + " HTTP/2 over TLS only, chosen by ALPN");
            }
            config = config.withHttp2();
        }
        if (upstreamTls) {
            if (truststore == null && truststorePassword != null) {
                throw new ParameterException(spec.commandLine(), "option --upstream-truststore-password-file needs"
                        + " --upstream-truststore");
            }
            config = config.withUpstreamTls(TlsSetup.client(truststore, truststorePassword));
        } else if (truststore != null || truststorePassword != null) {
            throw new ParameterException(spec.commandLine(), "options --upstream-truststore and"
                    + " --upstream-truststore-password-file need --upstream-tls");
        }
        return config;
    }

    /**
     * The relay settings the options choose beyond {@code config}: {@code --tls-fin-as-end},
     * {@code --relay}, {@code --buffer-size}.
     *
     * @throws ParameterException for {@code --tls-fin-as-end} without TLS
     */
    RelayOptions relayOptions(ReverseProxy.Config config) {
        if (finAsEnd && config.tls().isEmpty() && config.upstreamTls().isEmpty()) {
            throw new ParameterException(spec.commandLine(), "option --tls-fin-as-end needs --tls-keystore or"
                    + " --upstream-tls: without TLS there is no close_notify to miss");
        }
        RelayOptions.Builder options = RelayOptions.builder().tlsFinWithoutCloseNotifyAsEnd(finAsEnd).relayPath(relay);
        if (bufferSize != null) {
            options.bufferSize(bufferSize);
        }
        return options.build();
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
}
