package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.hop.UnderscoreAction;
import io.github.upgrade4j.tunnel.CloseReason;
import io.github.upgrade4j.tunnel.RefusalReason;
import io.github.upgrade4j.tunnel.RelayOptions;
import io.github.upgrade4j.tunnel.RelayPath;
import io.github.upgrade4j.tunnel.RelayStats;
import io.github.upgrade4j.upgrade.Protocol;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The proxy command's options as the proxy's settings, its refusals, and its last line. */
class ProxyCommandTest {
    /** The command with {@code args} parsed, as picocli hands it over before running it. */
    static ProxyCommand parse(String... args) {
        ProxyCommand command = new ProxyCommand(new PrintStream(OutputStream.nullOutputStream()));
        new CommandLine(command).parseArgs(args);
        return command;
    }

    private static ProxyCommand required(String... more) {
        String[] args = new String[more.length + 4];
        System.arraycopy(new String[] {"--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9"}, 0, args, 0, 4);
        System.arraycopy(more, 0, args, 4, more.length);
        return parse(args);
    }

    private static String refusal(String... more) {
        return assertThrows(ParameterException.class, () -> required(more)).getMessage();
    }

    @Test
    void withOnlyTheTwoAddressesTheSettingsAreTheDocumentedDefaults() throws IOException {
        ProxyCommand command = required();
        ReverseProxy.Config config = command.config();

        assertEquals(new InetSocketAddress("127.0.0.1", 0), config.listen());
        assertEquals(new InetSocketAddress("127.0.0.1", 9), config.upstream());
        assertEquals(Duration.ofSeconds(60), config.idleTimeout());
        assertEquals(10_000, config.maxTunnels());
        assertEquals(Duration.ofSeconds(10), config.handshakeTimeout());
        assertEquals(HttpLimits.standard(), config.http());
        assertEquals(UnderscoreAction.DROP, config.underscoredAliases());
        assertTrue(config.tls().isEmpty() && config.upstreamTls().isEmpty());
        assertEquals(List.of(Protocol.WEBSOCKET), config.upgrades());
        RelayOptions relay = command.relayOptions(config);
        assertEquals(RelayPath.AUTO, relay.relayPath());
        assertEquals(RelayOptions.standard().bufferSize(), relay.bufferSize());
    }

    @Test
    void theHttpLimitsComeFromTheirThreeOptions() throws IOException {
        ReverseProxy.Config config = required("--header-timeout", "5s", "--keep-alive-timeout", "2m",
                "--max-handshakes", "8").config();

        assertEquals(new HttpLimits(Duration.ofSeconds(5), Duration.ofMinutes(2), 8), config.http());
    }

    @Test
    void durationsSizesAndThePathReadAsTheHelpSays() throws IOException {
        ProxyCommand command = required("--idle-timeout", "0", "--handshake-timeout", "500ms", "--max-tunnels", "3",
                "--buffer-size", "64k", "--relay", "copy");
        ReverseProxy.Config config = command.config();

        assertEquals(Duration.ZERO, config.idleTimeout());
        assertEquals(Duration.ofMillis(500), config.handshakeTimeout());
        assertEquals(3, config.maxTunnels());
        assertEquals(65_536, command.relayOptions(config).bufferSize());
        assertEquals(RelayPath.COPY, command.relayOptions(config).relayPath());
        assertEquals(1024 * 1024, required("--buffer-size", "1m").relayOptions(config).bufferSize());
    }

    @Test
    void aBadValueIsNamedWithItsOption() {
        assertEquals("Invalid value for option '--listen': expected HOST:PORT with a port from 0 to 65535 but was"
                + " '127.0.0.1:99999'", assertThrows(ParameterException.class,
                        () -> parse("--listen", "127.0.0.1:99999", "--upstream", "127.0.0.1:9")).getMessage());
        assertEquals("Invalid value for option '--upstream': expected HOST:PORT with a port from 0 to 65535 but was"
                + " 'localhost'", assertThrows(ParameterException.class,
                        () -> parse("--listen", "127.0.0.1:0", "--upstream", "localhost")).getMessage());
        assertEquals("Invalid value for option '--idle-timeout': expected a duration like 500ms, 60s, 2m, 1h or 0 but"
                + " was '60'", refusal("--idle-timeout", "60"));
        assertEquals("Invalid value for option '--header-timeout': expected a duration above 0 like 500ms, 60s or 2m"
                + " but was '0'", refusal("--header-timeout", "0"));
        assertEquals("Invalid value for option '--keep-alive-timeout': expected a duration like 500ms, 60s, 2m, 1h or"
                + " 0 but was '-5s'", refusal("--keep-alive-timeout", "-5s"));
        assertEquals("Invalid value for option '--max-handshakes': expected a whole number from 1 to 2147483647 but"
                + " was '0'", refusal("--max-handshakes", "0"));
        assertEquals("Invalid value for option '--buffer-size': expected a size like 65536, 64k or 1m (at least 1"
                + " byte, below 2g) but was '64q'", refusal("--buffer-size", "64q"));
        assertEquals("Invalid value for option '--buffer-size': expected a size like 65536, 64k or 1m (at least 1"
                + " byte, below 2g) but was '4096m'", refusal("--buffer-size", "4096m"));
        assertEquals("Invalid value for option '--relay': expected auto, copy or splice but was 'fast'",
                refusal("--relay", "fast"));
        assertEquals("Invalid value for option '--log-format': expected text or json but was 'xml'",
                refusal("--log-format", "xml"));
    }

    @Test
    void allowUpgradeRepeatedReplacesTheDefaultWebSocketInTheOrderGiven() throws IOException {
        assertEquals(List.of(Protocol.WEBSOCKET, new Protocol("TLS", "1.2")),
                required("--allow-upgrade", "websocket", "--allow-upgrade", "TLS/1.2").config().upgrades());
        assertEquals(List.of(new Protocol("TLS", "1.2")), required("--allow-upgrade", "TLS/1.2").config().upgrades());
    }

    @Test
    void anAllowedUpgradeThatIsNotAProtocolTokenIsNamed() {
        String expected = "Invalid value for option '--allow-upgrade' (PROTOCOL): expected a protocol like websocket"
                + " or TLS/1.2 (a token, optionally '/' and a token) but was ";
        assertEquals(expected + "'TLS 1.2'", refusal("--allow-upgrade", "TLS 1.2"));
        assertEquals(expected + "'TLS/'", refusal("--allow-upgrade", "TLS/"));
    }

    @Test
    void unknownAndMissingOptionsAreNamed() {
        assertEquals("Unknown options: '--idle', '60s'", refusal("--idle", "60s"));
        assertEquals("Unknown option: '--tls'", refusal("--tls"));
        assertEquals("Missing required option: '--upstream=HOST:PORT'", assertThrows(ParameterException.class,
                () -> parse("--listen", "127.0.0.1:0")).getMessage());
    }

    @Test
    void theSummaryNamesOnlyTheReasonsThatHappenedWithTheirCountsAndTheBytes() {
        RelayStats stats = new RelayStats(0, 0, 0, 64 << 20, 5, 0, Map.of(RefusalReason.TUNNEL_LIMIT, 2L),
                Map.of(CloseReason.CLIENT_FIN_FIRST, 3L, CloseReason.IDLE_TIMEOUT, 1L), 1234, 5678, 0, 0);

        assertEquals("5 tunnels opened, 2 refused TUNNEL_LIMIT=2, 4 ended CLIENT_FIN_FIRST=3 IDLE_TIMEOUT=1,"
                + " 1234 B up, 5678 B down", ProxyCommand.summary(stats));
    }

    @Test
    void aRelayThatDidNothingSaysSo() {
        RelayStats stats = new RelayStats(0, 0, 0, 64 << 20, 0, 0, Map.of(), Map.of(), 0, 0, 0, 0);

        assertEquals("0 tunnels opened, 0 refused, 0 ended, 0 B up, 0 B down", ProxyCommand.summary(stats));
    }
}
