package io.github.upgrade4j.examples;

import io.github.upgrade4j.examples.proxy.ReverseProxy;
import io.github.upgrade4j.examples.support.Converters;
import io.github.upgrade4j.examples.support.Lifecycle;
import io.github.upgrade4j.examples.support.LogOptions;
import io.github.upgrade4j.examples.support.MetricsEndpoint;
import io.github.upgrade4j.examples.support.MetricsOptions;
import io.github.upgrade4j.examples.support.ProjectVersion;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
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

/** The {@code demo} command: the {@link Demo}'s servers until the process is stopped. */
@Command(name = "demo", header = "An echo server behind the proxy in one process, with a page to open.",
        mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class, sortOptions = false,
        description = "A WebSocket echo server behind the upgrade4j proxy in one process, on 127.0.0.1: open the"
                + " printed URL in a browser, or use the printed curl line. Runs until Ctrl-C or SIGTERM.")
public final class DemoCommand implements Callable<Integer> {
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", converter = Converters.Port.class,
            description = "The proxy's port on 127.0.0.1; 0 for any free port (default: 8080, or 8443 with --tls).")
    private @Nullable Integer port;

    @Option(names = "--tls", description = "Serve https and wss with a throw-away self-signed certificate, and print"
            + " how to trust it.")
    private boolean tls;

    @Option(names = "--http2", description = "With --tls: let the browser use HTTP/2, for the page and for its"
            + " WebSocket (RFC 8441 extended CONNECT), which the proxy turns into an HTTP/1.1 upgrade toward the"
            + " echo server.")
    private boolean http2;

    @Mixin
    private MetricsOptions metrics = new MetricsOptions();

    @Mixin
    private LogOptions logging = new LogOptions();

    /** Logs to {@code out}. */
    public DemoCommand(PrintStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    @Override
    public Integer call() throws IOException {
        if (http2 && !tls) {
            throw new ParameterException(spec.commandLine(), "option --http2 needs"
                    + " --tls: browsers speak HTTP/2 over TLS only");
        }
        PrintStream log = logging.open(out);
        Optional<MetricsEndpoint> endpoint = metrics.start(log);
        Lifecycle.serve(() -> {
                    try {
                        return Demo.start(port != null ? port : tls ? 8443 : 8080, tls, http2,
                                endpoint.map(MetricsEndpoint::registry), log);
                    } catch (IOException | RuntimeException e) {
                        endpoint.ifPresent(MetricsEndpoint::close);
                        throw e;
                    }
                },
                demo -> log.println("  Ctrl-C stops it."),
                demo -> {
                    ReverseProxy.await(demo.proxy().drain(Duration.ofSeconds(2)), Duration.ofSeconds(5));
                    demo.close();
                    endpoint.ifPresent(MetricsEndpoint::close);
                });
        return 0;
    }
}
