package io.github.upgrade4j.examples.echo;

import io.github.upgrade4j.examples.support.Converters;
import io.github.upgrade4j.examples.support.Lifecycle;
import io.github.upgrade4j.examples.support.LogOptions;
import io.github.upgrade4j.examples.support.ProjectVersion;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code echo-server} command: an {@link EchoServer} until the process gets SIGTERM or Ctrl-C. */
@Command(name = "echo-server", header = "A WebSocket echo origin with a small web page at /.",
        mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class,
        sortOptions = false, sortSynopsis = false, description = "A WebSocket echo origin with a small web page at /: it decides each"
                + " upgrade with the library, echoes every message, and answers a request whose upgrade it must"
                + " ignore with X-Upgrade-Ignored and the reason. Runs until Ctrl-C or SIGTERM.")
public final class EchoServerCommand implements Callable<Integer> {
    private final PrintStream out;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", converter = Converters.Address.class,
            description = "Where to accept connections, e.g. 127.0.0.1:9001; port 0 takes any free port.")
    private InetSocketAddress listen;

    @Mixin
    private LogOptions logging = new LogOptions();

    /** Logs to {@code out}. */
    public EchoServerCommand(PrintStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    @Override
    public Integer call() throws IOException {
        PrintStream log = logging.open(out);
        Lifecycle.serve(() -> Lifecycle.listen(listen, () -> EchoServer.start(listen, log)), server -> { },
                EchoServer::close);
        return 0;
    }
}
