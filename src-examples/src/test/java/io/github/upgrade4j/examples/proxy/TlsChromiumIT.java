package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.Demo;
import io.github.upgrade4j.examples.support.ExternalTools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Headless Chromium opens the {@code demo --tls} page over {@code https://} (accepting the demo's
 * throw-away certificate with {@code --ignore-certificate-errors}), and the page's WebSocket goes over
 * {@code wss://} through the proxy to the plain echo server; the screenshot is kept at
 * {@code target/chromium-demo-tls.png}.
 */
class TlsChromiumIT {
    @Test
    void aBrowserSeesItsMessageEchoedOverWssThroughTheDemoProxy() throws Exception {
        ExternalTools.require("chromium");
        ExternalTools.installNodePackages();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        Path screenshot = Path.of("target", "chromium-demo-tls.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        Path certificateDir;
        try (Demo demo = Demo.start(0, true, out)) {
            certificateDir = demo.certificate().dir();
            assertTrue(demo.url().startsWith("https://127.0.0.1:"), demo.url());
            String printed = log.toString(StandardCharsets.UTF_8);
            assertTrue(printed.contains("curl --cacert " + demo.certificate().pem()), printed);
            assertTrue(printed.contains("SHA-256 fingerprint is " + demo.certificate().fingerprint()), printed);

            String shown = ExternalTools.runNode(Duration.ofSeconds(60), "browser-tls.js", demo.url(), screenshot.toString());

            assertTrue(shown.contains("protocol: https:"), shown);
            assertTrue(shown.contains("websockets: wss://127.0.0.1:"), shown);
            assertTrue(shown.contains("echo: hello from chromium over tls"), shown);
            assertTrue(Files.size(screenshot) > 1000, "expected a screenshot at " + screenshot);
            String text = log.toString(StandardCharsets.UTF_8);
            assertTrue(text.matches("(?s).*-> 101 tunnel websocket \\(client TLSv1\\.3 [^;]+, ALPN http/1\\.1;"
                    + " upstream plain\\).*"), text);
        }
        assertTrue(Files.notExists(certificateDir), "the throw-away certificate is deleted");
    }
}
