package io.github.upgrade4j.examples.proxy.attacks;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * One attack class's set-up: a {@link ScriptedUpstream} that records what reaches it, and the example
 * proxy's jar in its own process in front of it, both for the whole class. Before each test the
 * upstream's script goes back to {@link #defaultScript()} and its record is cleared.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ThroughTheProxy {
    /** A WebSocket handshake as a browser sends it; attacks are variations of it. */
    static final String WEBSOCKET = """
            GET /chat HTTP/1.1\r
            Host: app.example\r
            Connection: Upgrade\r
            Upgrade: websocket\r
            Sec-WebSocket-Version: 13\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            \r
            """;
    /** What an attacker pipelines to reach a private endpoint once the proxy stops looking. */
    static final String SMUGGLED = "GET /flag HTTP/1.1\r\nHost: app.example\r\n\r\n";
    static final String OK = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";

    ScriptedUpstream upstream;
    ExampleProxy proxy;

    /** The script of every upstream connection unless a test sets another. */
    ScriptedUpstream.Script defaultScript() {
        return ScriptedUpstream.answering(OK);
    }

    /** Extra command-line options for the proxy. */
    String[] proxyOptions() {
        return new String[0];
    }

    @BeforeAll
    void startProxy() throws IOException {
        upstream = ScriptedUpstream.start(defaultScript());
        proxy = ExampleProxy.start(upstream.address(), proxyOptions());
    }

    @BeforeEach
    void resetUpstream() {
        upstream.script(defaultScript());
        upstream.forget();
    }

    @AfterAll
    void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    InetSocketAddress proxyAddress() {
        return proxy.address();
    }

    /** Sends {@code request} through the proxy on a fresh connection and reads until the proxy closes it. */
    RawClient.Reply send(String request) throws IOException {
        return RawClient.exchange(proxyAddress(), request);
    }
}
