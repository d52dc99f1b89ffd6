package io.github.upgrade4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String stdin, String... args) {
        return Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.ISO_8859_1)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void demoShowsTheSwitchTheStrippedNominationsTheHttp10HopAndTheRefusedSmuggling() {
        assertEquals(0, run("", "decisions"));

        String text = out();
        assertTrue(text.contains("Upgrade offers:     [websocket]"), text);
        assertTrue(text.contains("bytes behind the head, kept for the caller: 2"), text);
        assertTrue(text.contains("body framing: refused, CONTENT_LENGTH_WITH_TRANSFER_ENCODING (RFC 9112 §6.3), answer 400"),
                text);
        assertTrue(text.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), text);
        assertTrue(text.contains("notice   Connection nominated the protected field X-Forwarded-For; the field was kept"), text);
        assertTrue(text.contains("removed  X-Debug: on  (NOMINATED)"), text);
        assertTrue(text.contains("proxy_http_version 1.1"), text);
    }

    @Test
    void parseReadsAHeadFromStandardInput() {
        assertEquals(0, run("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
                "parse", "--response"));

        assertTrue(out().contains("body framing: Tunnel[]"), out());
    }

    @Test
    void parseExplainsARejection() {
        assertEquals(1, run("GET / HTTP/1.1\r\nHost: x\r\nBad : y\r\n\r\n", "parse"));

        assertTrue(out().contains("rejected: WHITESPACE_BEFORE_COLON (RFC 9112 §5.1), answer 400"), out());
    }

    @Test
    void parseAcceptsLfLineEndingsOnlyWhenAsked() {
        assertEquals(1, run("GET / HTTP/1.1\nHost: x\n\n", "parse"));
        assertEquals(0, run("GET / HTTP/1.1\nHost: x\n\n", "parse", "--lf"));
    }

    @Test
    void unknownCommandsPrintUsage() {
        assertEquals(2, run("", "frobnicate"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage:"));
        assertEquals(2, run(""));
    }
}
