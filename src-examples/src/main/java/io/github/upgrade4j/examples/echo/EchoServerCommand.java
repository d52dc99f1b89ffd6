package io.github.upgrade4j.examples.echo;

import io.github.upgrade4j.examples.support.Converters;
import io.github.upgrade4j.examples.support.Lifecycle;
import io.github.upgrade4j.examples.support.LogOptions;
import io.github.upgrade4j.examples.support.ProjectVersion;
import io.github.upgrade4j.examples.support.TlsSetup;
import io.github.upgrade4j.upgrade.TlsUpgrade;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
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

/** The {@code echo-server} command: an {@link EchoServer} until the process gets SIGTERM or Ctrl-C. */
@Command(name = "echo-server", header = "A WebSocket echo origin with a small web page at /.",
        mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class,
        sortOptions = false, sortSynopsis = false, description = "A WebSocket echo origin with a small web page at /: it decides each"
                + " upgrade with the library, echoes every message, and answers a request whose upgrade it must"
                + " ignore with X-Upgrade-Ignored and the reason. With --tls-upgrade it also switches to TLS within"
                + " HTTP/1.1 (RFC 2817) and serves HTTP/1.1 over it. Runs until Ctrl-C or SIGTERM.")
public final class EchoServerCommand implements Callable<Integer> {
    private final PrintStream out;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", converter = Converters.Address.class,
            description = "Where to accept connections, e.g. 127.0.0.1:9001; port 0 takes any free port.")
    private InetSocketAddress listen;

    @Option(names = "--tls-upgrade", paramLabel = "FILE.p12", converter = Converters.ReadableFile.class,
            description = "Also switch to TLS within HTTP/1.1 on an offer of TLS/1.2 (RFC 2817, as ipptool -E and"
                    + " CUPS ask), presenting the key and certificate chain in this PKCS#12 file; needs"
                    + " --tls-password-file. Default: WebSocket only.")
    private @Nullable Path keystore;

    @Option(names = "--tls-password-file", paramLabel = "FILE", converter = Converters.ReadableFile.class,
            description = "The file whose first line is the --tls-upgrade password.")
    private @Nullable Path keystorePassword;

    @Option(names = "--require-tls", description = "With --tls-upgrade: answer requests for /ipp/... sent in the"
            + " clear with 426 Upgrade Required, naming TLS/1.2 (RFC 2817 §4.2).")
    private boolean requireTls;

    @Mixin
    private LogOptions logging = new LogOptions();

    @Spec
    private CommandSpec spec;

    /** Logs to {@code out}. */
    public EchoServerCommand(PrintStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    @Override
    public Integer call() throws IOException {
        Optional<TlsUpgrade> tls = tlsUpgrade();
        PrintStream log = logging.open(out);
        Lifecycle.serve(() -> Lifecycle.listen(listen, () -> tls.isPresent()
                ? EchoServer.start(listen, tls.get(), requireTls, log) : EchoServer.start(listen, log)), server -> { },
                EchoServer::close);
        return 0;
    }

    /**
     * The TLS upgrade the options ask for, with the key read now so that mistakes show at once.
     *
     * @throws ParameterException for TLS options given without the ones they need
     * @throws IOException for a keystore that cannot be used, naming its file
     */
    Optional<TlsUpgrade> tlsUpgrade() throws IOException {
        if (keystore == null && keystorePassword == null) {
            if (requireTls) {
                throw new ParameterException(spec.commandLine(), "option --require-tls needs --tls-upgrade");
            }
            return Optional.empty();
        }
        if (keystore == null || keystorePassword == null) {
            throw new ParameterException(spec.commandLine(), "options --tls-upgrade and --tls-password-file go"
                    + " together");
        }
        return Optional.of(TlsUpgrade.of(TlsSetup.server(keystore, keystorePassword)));
    }
}
