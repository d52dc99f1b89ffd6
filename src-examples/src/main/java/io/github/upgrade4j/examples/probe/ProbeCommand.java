package io.github.upgrade4j.examples.probe;

import io.github.upgrade4j.examples.support.Converters;
import io.github.upgrade4j.examples.support.ProjectVersion;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/**
 * The {@code probe} command: the options of a {@link Probe}. Exit status 0 only when the upgrade worked
 * on every path asked for, 1 when it did not, 2 for a usage error.
 */
@Command(name = "probe", header = "A WebSocket handshake directly and through a proxy, explained and compared.",
        mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class, sortOptions = false,
        description = {"Makes a WebSocket handshake directly and, with --via, through a reverse proxy; prints what"
                + " was sent and what came back on each path, the library's explanation of each answer, and how"
                + " the answers differ. With --idle it also measures who cuts a quiet connection, and when.",
            "Exit status 0 only when the upgrade worked on every path, 1 when it did not."},
        footer = {"", "Examples:", "  probe ws://127.0.0.1:9001/echo --via http://127.0.0.1:9000",
            "  probe wss://app.example/socket --idle 120"})
public final class ProbeCommand implements Callable<Integer> {
    private final PrintStream out;

    @Parameters(index = "0", paramLabel = "URL", description = "The WebSocket URL to probe: ws://, wss://, http:// or"
            + " https://, e.g. ws://localhost:8080/chat.")
    private String url;

    @Option(names = "--via", paramLabel = "PROXY_URL", description = "Also make the handshake through this reverse"
            + " proxy (its scheme says whether to use TLS; the request keeps URL's Host and target), and compare.")
    private @Nullable String via;

    @Option(names = "--origin", paramLabel = "ORIGIN", description = "The Origin field to send, e.g."
            + " https://app.example. Default: none.")
    private @Nullable String origin;

    @Option(names = "--subprotocol", paramLabel = "P", split = ",", description = "Offer these subprotocols in"
            + " Sec-WebSocket-Protocol, in order; repeat the option or separate them with commas. Default: none.")
    private List<String> subprotocols = new ArrayList<>();

    @Option(names = "--idle", paramLabel = "SECONDS", defaultValue = "0", converter = IdleTime.class,
            description = "Hold each upgraded connection silent for up to this long, all paths at once, and report"
                    + " when a hop cut it: seconds (120, 2.5) or a duration (500ms, 2m). Default: ${DEFAULT-VALUE},"
                    + " no idle watch.")
    private Duration idle = Duration.ZERO;

    @Option(names = "--insecure", description = "Accept any TLS certificate (for wss:// and https:// with a"
            + " self-signed one).")
    private boolean insecure;

    @Option(names = "--json", description = "Print one JSON object for scripts instead of the report for a person.")
    private boolean json;

    /** Seconds ({@code 120}, {@code 2.5}) or a duration ({@code 500ms}, {@code 2m}), from 0 to 24 days. */
    public static final class IdleTime implements ITypeConverter<Duration> {
        private static final Duration MAX = Duration.ofMillis(Integer.MAX_VALUE);

        @Override
        public Duration convert(String text) {
            try {
                Duration duration = text.matches("[0-9]{1,9}(\\.[0-9]+)?")
                        ? Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000))
                        : Converters.duration(text);
                if (duration.compareTo(MAX) <= 0) {
                    return duration;
                }
            } catch (TypeConversionException e) {
                // neither seconds nor a duration: the message below
            }
            throw new TypeConversionException("expected seconds from 0 to 24 days (e.g. 120, 2.5 or 2m) but was '" + text
                    + "'");
        }
    }

    /** Reports to {@code out}. */
    public ProbeCommand(PrintStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    @Override
    public Integer call() {
        return Probe.run(options(), out);
    }

    /** The probe's settings from the options; blank subprotocols between commas are left out. */
    Probe.Options options() {
        List<String> offered = subprotocols.stream().map(String::strip).filter(p -> !p.isEmpty()).toList();
        return new Probe.Options(url, via, origin, offered, idle, insecure, json);
    }
}
