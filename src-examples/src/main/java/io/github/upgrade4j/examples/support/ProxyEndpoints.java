package io.github.upgrade4j.examples.support;

import java.net.InetSocketAddress;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options both example proxies take (a picocli mixin): where to listen, where to forward, and the
 * tunnels' idle timeout and limit.
 */
public final class ProxyEndpoints {
    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", converter = Converters.Address.class,
            description = "Where to accept clients: 127.0.0.1:8080, 0.0.0.0:443, [::1]:8080; port 0 takes any"
                    + " free port.")
    private InetSocketAddress listen;

    @Option(names = "--upstream", required = true, paramLabel = "HOST:PORT", converter = Converters.Address.class,
            description = "Where to send every request.")
    private InetSocketAddress upstream;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "60s",
            converter = Converters.AnyDuration.class, description = "Close a tunnel after this long without a byte"
                    + " either way (nginx's proxy_read_timeout); 0 for never. Default: ${DEFAULT-VALUE}.")
    private Duration idleTimeout;

    @Option(names = "--max-tunnels", paramLabel = "N", defaultValue = "10000", converter = Converters.Count.class,
            description = "The most tunnels at once; past it an upgrade gets 503 before any 101."
                    + " Default: ${DEFAULT-VALUE}.")
    private int maxTunnels;

    /** Where to accept clients. */
    public InetSocketAddress listen() {
        return listen;
    }

    /** Where to send every request. */
    public InetSocketAddress upstream() {
        return upstream;
    }

    /** The tunnels' idle timeout; zero for none. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** The most tunnels at once. */
    public int maxTunnels() {
        return maxTunnels;
    }
}
