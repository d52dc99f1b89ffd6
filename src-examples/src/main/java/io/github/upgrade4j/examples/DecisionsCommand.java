package io.github.upgrade4j.examples;

import io.github.upgrade4j.examples.support.ProjectVersion;
import io.github.upgrade4j.examples.support.RawHead;
import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeDecision;
import io.github.upgrade4j.upgrade.UpgradeNegotiator;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * The {@code decisions} command: parses a browser's WebSocket upgrade request, a hostile nomination, an
 * HTTP/1.0 hop and a smuggling attempt, and prints what the library decides about each.
 */
@Command(name = "decisions", header = "What the library decides for a few telling requests.",
        mixinStandardHelpOptions = true, versionProvider = ProjectVersion.class,
        description = "Prints what the library decides for a few telling requests: a browser's WebSocket upgrade"
                + " (origin and proxy roles), a client that nominates the proxy's own fields in Connection"
                + " (CVE-2022-31813), an HTTP/1.0 hop, and a request with both Content-Length and"
                + " Transfer-Encoding.")
public final class DecisionsCommand implements Callable<Integer> {
    /** A WebSocket upgrade as Chrome sends it, followed by the first bytes of a WebSocket frame. */
    static final String CHROME_UPGRADE = """
            GET /chat HTTP/1.1\r
            Host: app.example:8080\r
            Connection: Upgrade\r
            Upgrade: websocket\r
            Origin: https://app.example\r
            Sec-WebSocket-Version: 13\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r
            \r
            \u0081\u0085""";

    /** A client naming the proxy's own fields in Connection, so that a naive proxy strips them. */
    static final String HOSTILE = """
            GET /admin HTTP/1.1\r
            Host: app.example\r
            Connection: close, X-Forwarded-For, Authorization, X-Debug\r
            Authorization: Bearer abc\r
            X-Forwarded-For: 10.0.0.1\r
            X-Debug: on\r
            Keep-Alive: timeout=5\r
            \r
            """;

    /** A request smuggling attempt: two lengths, so two servers may see two different messages. */
    static final String SMUGGLING = """
            POST /upload HTTP/1.1\r
            Host: app.example\r
            Content-Length: 6\r
            Transfer-Encoding: chunked\r
            \r
            0\r
            \r
            G""";

    private final PrintStream out;

    /** Prints to {@code out}. */
    public DecisionsCommand(PrintStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    @Override
    public Integer call() {
        out.println("== A browser asks to upgrade to WebSocket ==");
        ByteBuffer chrome = bytes(CHROME_UPGRADE);
        ParseCommand.describe(Http1Parser.forRequests(), chrome, out);
        RequestHead request = RawHead.request(CHROME_UPGRADE);
        out.println("origin server decides: " + describe(UpgradeNegotiator.standard().decide(request)));
        Outbound outbound = ProxyUpgrade.standard().towardUpstream(request);
        if (outbound instanceof Outbound.Forward forward) {
            out.println("a proxy sends upstream:");
            out.println(new String(Http1Writer.toBytes(forward.head()), StandardCharsets.ISO_8859_1).indent(2).stripTrailing());
        }
        out.println();
        out.println("== A hostile client nominates the proxy's own fields (CVE-2022-31813) ==");
        RequestHead hostile = RawHead.request(HOSTILE);
        Forwarding forwarding = HopByHopPolicy.standard().forRequest(hostile);
        if (forwarding instanceof Forwarding.Forward forward) {
            forward.removals().forEach(r -> out.println("  removed  " + r.field() + "  (" + r.cause() + ")"));
            forward.notices().forEach(n -> out.println("  notice   " + n.detail()));
        }
        out.println();
        out.println("== An HTTP/1.0 hop in between (nginx without proxy_http_version 1.1) ==");
        out.println("origin server decides: "
                + describe(UpgradeNegotiator.standard().decide(RawHead.request(CHROME_UPGRADE.replace("HTTP/1.1", "HTTP/1.0")))));
        out.println();
        out.println("== A request with both Content-Length and Transfer-Encoding ==");
        ParseCommand.describe(Http1Parser.forRequests(), bytes(SMUGGLING), out);
        return 0;
    }

    private static String describe(UpgradeDecision decision) {
        if (decision instanceof UpgradeDecision.Switch s) {
            return "switch to " + s.protocol() + "\n" + new String(Http1Writer.toBytes(s.response()),
                    StandardCharsets.ISO_8859_1).indent(2).stripTrailing();
        }
        if (decision instanceof ErrorAnswer r) {
            return "reject with " + r.status() + ": " + r.message();
        }
        return "serve as plain HTTP: " + ((UpgradeDecision.Ignore) decision).message();
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
