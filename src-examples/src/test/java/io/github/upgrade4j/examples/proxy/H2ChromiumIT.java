package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.Demo;
import io.github.upgrade4j.examples.support.ExternalTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Headless Chromium opens the {@code demo --tls --http2} page over {@code https://} with HTTP/2, and the
 * page's WebSocket travels over HTTP/2 too, as an extended CONNECT stream (RFC 8441) on the same
 * connection, through the proxy to the plain echo server. Chromium needs no flag for it: it uses RFC 8441
 * for a {@code wss://} URL when it has an h2 connection to the origin whose SETTINGS carried
 * SETTINGS_ENABLE_CONNECT_PROTOCOL = 1. The screenshot is kept at {@code target/chromium-demo-h2.png}.
 */
class H2ChromiumIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern H2_TUNNEL = Pattern.compile("h2 stream \\d+ CONNECT websocket /echo -> 200 tunnel"
            + " websocket over h2 \\(client TLSv1\\.3 [^;]+, ALPN h2; upstream plain\\)");

    @Test
    void aBrowserLoadsThePageOverH2AndItsWebSocketTravelsAsAnExtendedConnectStream() throws Exception {
        ExternalTools.require("chromium");
        ExternalTools.installNodePackages();
        ExternalTools.Lines log = ExternalTools.Lines.log();
        Path screenshot = Path.of("target", "chromium-demo-h2.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        Path certificateDir;
        try (Demo demo = Demo.start(0, true, true, log.printStream())) {
            certificateDir = demo.certificate().dir();
            assertTrue(demo.url().startsWith("https://127.0.0.1:"), demo.url());

            String shown = ExternalTools.runNode(Duration.ofSeconds(90), "browser-h2.js", demo.url(), screenshot.toString());

            assertTrue(shown.contains("protocol: https:"), shown);
            assertTrue(shown.contains("page nextHopProtocol: h2\n"), "the page came over h2: " + shown);
            assertTrue(shown.contains("websockets: wss://127.0.0.1:"), shown);
            // DevTools reports 200 for a WebSocket opened with extended CONNECT, 101 for an HTTP/1.1 upgrade.
            assertTrue(shown.contains("websocket handshake status: 200\n"), "an extended CONNECT: " + shown);
            assertTrue(shown.contains("echo: hello from chromium over h2"), shown);
            assertTrue(Files.size(screenshot) > 1000, "expected a screenshot at " + screenshot);
            log.await(line -> H2_TUNNEL.matcher(line).find(), WAIT);
            assertEquals(0, log.all().stream().filter(line -> line.contains("-> 101 tunnel")).count(),
                    "no HTTP/1.1 upgrade: " + log);
            assertEquals(1, demo.proxy().http2Relay().stats().tunnelsOpened(), log::toString);
            assertEquals(0, demo.proxy().relay().stats().tunnelsOpened(), log::toString);
        }
        assertTrue(Files.notExists(certificateDir), "the throw-away certificate is deleted");
    }
}
