package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.proxy.attacks.LogLines;
import io.github.upgrade4j.examples.proxy.attacks.RawClient;
import io.github.upgrade4j.examples.proxy.attacks.ScriptedUpstream;
import io.github.upgrade4j.examples.proxy.attacks.LogLines;
import io.github.upgrade4j.examples.proxy.attacks.RawClient;
import io.github.upgrade4j.examples.proxy.attacks.ScriptedUpstream;
import io.github.upgrade4j.hop.UnderscoreAction;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.RequestHead;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

/**
 * Issue 17, item 3, through the example proxy on real sockets: {@code X_Forwarded_Proto: https}, which a
 * back end that reads {@code _} as {@code -} would take for the real field, never reaches the upstream
 * beside the proxy's own {@code X-Forwarded-Proto} by default, and is logged; {@code --underscored-aliases}
 * refuses such requests with 400 or passes them.
 */
class UnderscoredAliasesIT {
    private static final String SPOOF = "GET /account HTTP/1.1\r\nHost: app\r\nX_Forwarded_Proto: https\r\n"
            + "X_Request_Id: not-protected\r\nConnection: close\r\n\r\n";
    private final LogLines log = new LogLines();

    private ReverseProxy start(InetSocketAddress upstream, UnderscoreAction action) throws IOException {
        return ReverseProxy.start(new ReverseProxy.Config(new InetSocketAddress("127.0.0.1", 0), upstream,
                Duration.ofSeconds(30), 100, Duration.ofSeconds(10)).withUnderscoredAliases(action), log.stream());
    }

    private static ScriptedUpstream upstream() throws IOException {
        return ScriptedUpstream.start(ScriptedUpstream.answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    }

    @Test
    void byDefaultTheAliasIsDroppedAndLoggedAndOtherUnderscoredNamesPass() throws IOException {
        try (ScriptedUpstream upstream = upstream();
                ReverseProxy proxy = start(upstream.address(), UnderscoreAction.DROP)) {
            RawClient.Reply reply = RawClient.exchange(proxy.address(), SPOOF);

            assertEquals(200, reply.status(), reply::text);
            RequestHead seen = upstream.peer(0).requests().get(0);
            assertFalse(seen.headers().contains(HeaderName.of("X_Forwarded_Proto")), seen::toString);
            assertEquals(List.of("http"), seen.headers().values(HeaderName.X_FORWARDED_PROTO));
            assertEquals(List.of("not-protected"), seen.headers().values(HeaderName.of("X_Request_Id")));
            assertTrue(log.awaitLine("dropped X_Forwarded_Proto").contains("GET /account"), log::toString);
        }
    }

    @Test
    void refuseAnswers400WithoutContactingTheUpstream() throws IOException {
        try (ScriptedUpstream upstream = upstream();
                ReverseProxy proxy = start(upstream.address(), UnderscoreAction.REFUSE)) {
            RawClient.Reply reply = RawClient.exchange(proxy.address(), SPOOF);

            assertEquals(400, reply.status(), reply::text);
            assertTrue(reply.body().contains("X_Forwarded_Proto"), reply::body);
            upstream.assertNeverContacted();
        }
    }

    @Test
    void passForwardsTheAliasAsItCame() throws IOException {
        try (ScriptedUpstream upstream = upstream();
                ReverseProxy proxy = start(upstream.address(), UnderscoreAction.PASS)) {
            assertEquals(200, RawClient.exchange(proxy.address(), SPOOF).status());

            RequestHead seen = upstream.peer(0).requests().get(0);
            assertEquals(List.of("https"), seen.headers().values(HeaderName.of("X_Forwarded_Proto")));
        }
    }

    @Test
    void theCommandLineOptionChoosesTheActionAndRefusesAnythingElse() throws IOException {
        assertEquals(UnderscoreAction.DROP, ProxyCommandTest.parse("--listen", "127.0.0.1:0", "--upstream",
                "127.0.0.1:1").config().underscoredAliases());
        assertEquals(UnderscoreAction.REFUSE, ProxyCommandTest.parse("--listen", "127.0.0.1:0", "--upstream",
                "127.0.0.1:1", "--underscored-aliases", "refuse").config().underscoredAliases());

        ParameterException wrong = assertThrows(ParameterException.class, () -> ProxyCommandTest.parse("--listen",
                "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--underscored-aliases", "DROP"));
        assertEquals("Invalid value for option '--underscored-aliases': expected drop, refuse or pass but was 'DROP'",
                wrong.getMessage());
    }
}
