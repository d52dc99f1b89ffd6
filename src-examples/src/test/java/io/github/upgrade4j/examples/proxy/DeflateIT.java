package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.echo.EchoServer;
import io.github.upgrade4j.examples.support.Converters;
import io.github.upgrade4j.examples.support.ExternalTools;
import io.github.upgrade4j.examples.support.JsonLines;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * permessage-deflate (RFC 7692) end to end through the example proxy, between the {@code ws} client and
 * a {@code ws} server: the proxy passes the offer and the answer untouched, and the tunnel carries the
 * compressed frames unchanged. The client sends 1 MiB of repetitive text and 64 KiB of random bytes; the
 * tunnel's byte counts show what crossed the wire.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeflateIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern BYTES = Pattern.compile("tunnel closed: \\w+, (\\d+) B up, (\\d+) B down");
    private static final int MESSAGES = (1 << 20) + 64 * 1024;
    private final ExternalTools.Lines proxyLog = ExternalTools.Lines.log();
    private Process server;
    private ReverseProxy proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.destroyForcibly(); // by pid
        }
    }

    @Test
    void permessageDeflateIsNegotiatedEndToEndAndCompressedFramesCrossTheTunnel() throws Exception {
        ExternalTools.installNodePackages();
        server = ExternalTools.node("ws-deflate-server.js");
        ExternalTools.Lines serverOut = ExternalTools.Lines.of(server);
        InetSocketAddress upstream = Converters.address(serverOut.await("listening on ", WAIT));
        proxy = ReverseProxy.start(ProxyIT.config(upstream), proxyLog.printStream());

        Map<String, Object> client = JsonLines.lastLine(ExternalTools.runNode(WAIT, "ws-deflate-client.js",
                "ws://127.0.0.1:" + proxy.address().getPort() + "/deflate"));

        Map<String, Object> connection = JsonLines.parse(serverOut.await(
                line -> line.startsWith("{\"event\":\"connection\""), WAIT));
        assertEquals("permessage-deflate; client_max_window_bits", connection.get("offered"), "the offer, untouched");
        assertEquals("permessage-deflate", connection.get("negotiated"));
        assertEquals("1.1 upgrade4j", connection.get("via"));
        assertEquals("permessage-deflate", client.get("extensions"));
        assertTrue(client.get("responseExtensions").toString().startsWith("permessage-deflate"), client.toString());
        assertEquals(true, client.get("textEqual"));
        assertEquals(true, client.get("binaryEqual"));
        assertEquals(1000.0, client.get("closeCode"));
        long[] bytes = tunnelBytes();
        // Compressed: the 1 MiB of text shrinks to a few KiB; the random 64 KiB does not shrink.
        assertTrue(bytes[0] > 64 * 1024 && bytes[0] < 128 * 1024, "bytes up: " + bytes[0]);
        assertTrue(bytes[1] > 64 * 1024 && bytes[1] < 128 * 1024, "bytes down: " + bytes[1]);
    }

    @Test
    void anOriginThatDeclinesTheExtensionGetsUncompressedFramesAndTheClientNoExtension() throws Exception {
        ExternalTools.installNodePackages();
        try (EchoServer echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), proxyLog.printStream())) {
            proxy = ReverseProxy.start(ProxyIT.config(echo.address()), proxyLog.printStream());

            Map<String, Object> client = JsonLines.lastLine(ExternalTools.runNode(WAIT, "ws-deflate-client.js",
                    "ws://127.0.0.1:" + proxy.address().getPort() + "/echo"));

            assertEquals("", client.get("extensions"));
            assertEquals(null, client.get("responseExtensions"));
            assertEquals(true, client.get("textEqual"));
            assertEquals(true, client.get("binaryEqual"));
            long[] bytes = tunnelBytes();
            assertTrue(bytes[0] > MESSAGES && bytes[1] > MESSAGES, "uncompressed: " + bytes[0] + " up, " + bytes[1] + " down");
        }
    }

    /** The bytes the tunnel carried up and down, from the proxy's log line when it closed. */
    private long[] tunnelBytes() throws InterruptedException {
        Matcher matcher = BYTES.matcher(proxyLog.await(line -> BYTES.matcher(line).find(), WAIT));
        assertTrue(matcher.find());
        return new long[] {Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2))};
    }
}
