package io.github.upgrade4j.examples.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeAttempt;
import io.github.upgrade4j.upgrade.UpgradeReason;
import io.github.upgrade4j.upgrade.WebSocketHandshake;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The parts of {@code probe} that need no network: its targets, its options, its judgements and its wrapping. */
class ProbeTest {
    private static final ProbeTarget APP = ProbeTarget.direct("wss://app.example/chat?room=1");

    @Test
    void aUrlGivesTheConnectionTheTargetAndAHostWithoutTheDefaultPort() {
        assertEquals(new ProbeTarget("direct", "app.example", 443, true, "app.example", "/chat?room=1", "app.example"), APP);
        ProbeTarget ipv6 = ProbeTarget.direct("ws://[::1]:8080");
        assertEquals("/", ipv6.target());
        assertEquals("[::1]:8080", ipv6.hostField());
        assertEquals("[::1]:8080", ipv6.address());
        assertEquals("app:80", ProbeTarget.direct("http://app:80/").address());
        assertEquals("app", ProbeTarget.direct("http://app:80/").hostField());
    }

    @Test
    void throughAProxyTheRequestKeepsTheUrlsHostTargetAndTlsServerName() {
        ProbeTarget via = APP.via("ws://127.0.0.1:8080/ignored");

        assertEquals(new ProbeTarget("via 127.0.0.1:8080", "127.0.0.1", 8080, false, "app.example", "/chat?room=1",
                "app.example"), via);
        assertEquals("via 10.0.0.5:443", APP.via("wss://10.0.0.5").name());
        assertTrue(APP.via("wss://10.0.0.5").tls());
        assertEquals(8081, APP.via("localhost:8081").port());
    }

    private static Probe.Options parse(String... args) {
        ProbeCommand command = new ProbeCommand(new PrintStream(OutputStream.nullOutputStream()));
        new CommandLine(command).parseArgs(args);
        return command.options();
    }

    private static String refusal(String... args) {
        return assertThrows(ParameterException.class, () -> parse(args)).getMessage();
    }

    @Test
    void optionsAreParsedAndUsageErrorsNamed() {
        Probe.Options options = parse("ws://a/b", "--via", "ws://p:1", "--origin", "https://a", "--subprotocol",
                "chat.v2, chat", "--subprotocol", "x", "--idle", "2.5", "--json", "--insecure");

        assertEquals(new Probe.Options("ws://a/b", "ws://p:1", "https://a", List.of("chat.v2", "chat", "x"),
                Duration.ofMillis(2500), true, true), options);
        assertEquals(new Probe.Options("ws://a", null, null, List.of(), Duration.ZERO, false, false), parse("ws://a"));
        assertEquals(Duration.ofMinutes(2), parse("ws://a", "--idle", "2m").idle());
        assertEquals(Duration.ofSeconds(120), parse("ws://a", "--idle", "120").idle());
        assertEquals("Unmatched argument at index 1: 'ws://b'", refusal("ws://a", "ws://b"));
        assertEquals("Missing required parameter: 'URL'", refusal("--json"));
        assertEquals("Missing required parameter for option '--via' (PROXY_URL)", refusal("ws://a", "--via"));
        for (String idle : new String[] {"-1", "NaN", "1e3", "25d", "30000000"}) {
            assertEquals("Invalid value for option '--idle': expected seconds from 0 to 24 days (e.g. 120, 2.5 or 2m)"
                    + " but was '" + idle + "'", refusal("ws://a", "--idle", idle));
        }
        assertThrows(IllegalArgumentException.class, () -> ProbeTarget.direct("ws:relative"));
    }

    @Test
    void theRequestIsABrowserLikeHandshakeWithAFreshKey() {
        RequestHead first = ProbeExchange.request(APP, "https://app.example", List.of("chat"));
        RequestHead second = ProbeExchange.request(APP, null, List.of());

        assertEquals("/chat?room=1", first.target());
        assertEquals(List.of("Host", "Connection", "Upgrade", "Sec-WebSocket-Version", "Sec-WebSocket-Key", "Origin",
                "Sec-WebSocket-Protocol", "User-Agent"), first.headers().fields().stream().map(f -> f.name().toString()).toList());
        assertNotEquals(first.headers().first(HeaderName.SEC_WEBSOCKET_KEY), second.headers().first(HeaderName.SEC_WEBSOCKET_KEY));
        assertThrows(IllegalArgumentException.class, () -> ProbeExchange.perform(APP,
                ProbeExchange.request(APP, null, List.of("not a token")), Duration.ofSeconds(1), false));
    }

    @Test
    void a101WithAWrongAcceptIsNotAWorkingUpgrade() {
        ProbeVerdict verdict = judge(ResponseHead.of(101, Headers.of("Upgrade", "websocket", "Connection", "Upgrade",
                "Sec-WebSocket-Accept", WebSocketHandshake.accept("dGhlIHNhbXBsZSBub25jZQ=="))));

        assertFalse(verdict.worked());
        assertEquals(UpgradeReason.Invalid.WEBSOCKET_ACCEPT_MISMATCH, verdict.reason());
        assertTrue(verdict.summary().startsWith("upgrade failed: answered 101 Switching Protocols but the answer is"
                + " not a valid switch"), verdict.summary());
        assertTrue(verdict.explanations().get(0).contains("belongs to another handshake"), verdict.explanations().toString());
    }

    @Test
    void refusalsWithoutHintsAreExplainedByTheirStatus() {
        assertEquals(UpgradeReason.Refused.WEBSOCKET_VERSION_UNSUPPORTED, judge(ResponseHead.of(426, Headers.of())).reason());
        ProbeVerdict forbidden = judge(ResponseHead.of(403, Headers.of()));
        assertEquals(UpgradeReason.Refused.ORIGIN_REFUSED, forbidden.reason());
        assertTrue(forbidden.explanations().get(0).endsWith("Try --origin with the page's origin."));
        ProbeVerdict http10 = judge(new ResponseHead(HttpVersion.HTTP_1_0, 200, "OK", Headers.of()));
        assertEquals(UpgradeReason.Ignored.HTTP_1_0_REQUEST, http10.reason());
        assertTrue(http10.explanations().get(0).contains("proxy_http_version 1.1"), http10.explanations().toString());
        assertTrue(judge(ResponseHead.of(502, Headers.of())).explanations().get(0).startsWith("A proxy on this path"
                + " could not get a usable answer"));
        assertTrue(judge(ResponseHead.of(404, Headers.of())).explanations().get(0).startsWith("Nothing at this path"));
    }

    @Test
    void anUnknownHintValueIsIgnoredAndTheStatusExplainsInstead() {
        ProbeVerdict verdict = judge(ResponseHead.of(200, Headers.of("X-Upgrade-Ignored", "SOMETHING_NEW")));

        assertEquals(UpgradeReason.Ignored.CONNECTION_LACKS_UPGRADE, verdict.reason());
        assertTrue(verdict.explanations().get(0).contains("most likely lacked 'Connection: upgrade'"));
    }

    @Test
    void longExplanationsAreWrappedAtSpacesWithAHangingIndent() {
        String text = "word ".repeat(60).strip();

        String wrapped = ProbeReport.wrap(text, "  ");

        assertEquals(text, wrapped.strip().replaceAll("\n +", " "));
        wrapped.lines().forEach(line -> assertTrue(line.length() <= 110, line));
        assertTrue(wrapped.lines().skip(1).allMatch(line -> line.startsWith("    word")), wrapped);
        assertEquals("  short", ProbeReport.wrap("short", "  "));
    }

    private static ProbeVerdict judge(ResponseHead response) {
        RequestHead request = ProbeExchange.request(APP, null, List.of());
        UpgradeAttempt attempt = ((Outbound.Forward) ProxyUpgrade.standard().towardUpstream(request)).attempt();
        return ProbeVerdict.judge(ProxyUpgrade.standard().judge(attempt, response), response, null);
    }
}
