package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.echo.EchoServer;
import io.github.upgrade4j.examples.support.ExternalTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Headless Chromium (Debian's package) opens the demo page through the example proxy, sends a message
 * over the WebSocket and sees its echo; the screenshot is kept at {@code target/chromium-demo.png}.
 */
class ChromiumIT {
    @Test
    void aBrowserSeesItsMessageEchoedThroughTheProxy() throws Exception {
        ExternalTools.require("chromium");
        ExternalTools.installNodePackages();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        Path screenshot = Path.of("target", "chromium-demo.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        try (EchoServer echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), out);
                ReverseProxy proxy = ReverseProxy.start(ProxyIT.config(echo.address()), out)) {
            String page = "http://127.0.0.1:" + proxy.address().getPort() + "/";

            String shown = ExternalTools.runNode(Duration.ofSeconds(60), "browser.js", page, screenshot.toString());

            assertTrue(shown.contains("echo: hello from chromium"), shown);
            assertTrue(Files.size(screenshot) > 1000, "expected a screenshot at " + screenshot);
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("-> 101 tunnel websocket"), log.toString(StandardCharsets.UTF_8));
        }
    }
}
