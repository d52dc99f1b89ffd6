package io.github.upgrade4j.examples.servlet;

import io.github.upgrade4j.examples.support.Converters;
import io.github.upgrade4j.examples.support.Lifecycle;
import io.github.upgrade4j.examples.support.LogOptions;
import io.github.upgrade4j.examples.support.ProjectVersion;
import io.github.upgrade4j.examples.support.ProxyEndpoints;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code servlet-proxy} command: a {@link ServletProxy} until the process gets SIGTERM or Ctrl-C.
 * Right after it starts listening it tries one connection to the upstream and warns when that fails.
 */
@Command(name = "servlet-proxy", header = "The same proxy as a servlet in embedded Jetty 12, on the stream relay.",
        mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class,
        sortOptions = false, sortSynopsis = false, description = {"The reverse proxy as a servlet in embedded Jetty 12: plain requests"
                + " through the JDK HttpClient under the hop-by-hop policy, WebSocket upgrades judged by the library"
                + " and relayed by its stream relay. Runs until Ctrl-C or SIGTERM.",
            "Durations: 500ms, 60s, 2m, 1h (0 where it says so)."})
public final class ServletProxyCommand implements Callable<Integer> {
    private final PrintStream out;

    @Mixin
    private ProxyEndpoints endpoints = new ProxyEndpoints();

    @Option(names = "--handshake-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = Converters.AnyDuration.class, description = "How long to wait for the upstream's answer"
                    + " (then 504), and to connect to it. Default: ${DEFAULT-VALUE}.")
    private Duration handshakeTimeout;

    @Option(names = "--no-upstream-check", description = "Do not try a connection to the upstream at start-up (by"
            + " default one is tried, and a warning printed when it fails).")
    private boolean noUpstreamCheck;

    @Mixin
    private LogOptions logging = new LogOptions();

    /** Logs to {@code out}. */
    public ServletProxyCommand(PrintStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    @Override
    public Integer call() throws IOException {
        PrintStream log = logging.open(out);
        ServletProxy.Config config = new ServletProxy.Config(endpoints.listen(), endpoints.upstream(),
                endpoints.idleTimeout(), endpoints.maxTunnels(), handshakeTimeout);
        Lifecycle.serve(() -> Lifecycle.listen(endpoints.listen(), () -> ServletProxy.start(config, log)),
                proxy -> {
                    if (!noUpstreamCheck) {
                        Lifecycle.checkUpstream(endpoints.upstream(), log);
                    }
                },
                proxy -> {
                    proxy.close();
                    log.println("stopped");
                });
        return 0;
    }
}
