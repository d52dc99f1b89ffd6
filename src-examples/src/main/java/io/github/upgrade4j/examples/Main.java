package io.github.upgrade4j.examples;

import io.github.upgrade4j.examples.probe.Probe;
import io.github.upgrade4j.examples.servlet.ServletProxy;
import io.github.upgrade4j.examples.support.RawHead;
import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.http.BodyFraming;
import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.MessageHead;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.ParserOptions;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeDecision;
import io.github.upgrade4j.upgrade.UpgradeNegotiator;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The examples' command line: {@code java -jar upgrade-examples.jar <command> [options]}.
 *
 * <ul>
 *   <li>{@code demo}: the echo server and the proxy in one process, with a page to open in a browser.
 *   <li>{@code proxy}, {@code echo-server}: the two servers on their own.
 *   <li>{@code decisions}: parses a browser's WebSocket upgrade request, a hostile nomination, an
 *       HTTP/1.0 hop and a smuggling attempt, and prints what the library decides about each.
 *   <li>{@code parse [--response] [--lf] [FILE]}: parses one raw head from FILE (or standard input)
 *       and prints the head, the bytes behind it and its body framing, or why it was rejected.
 *   <li>{@code servlet-proxy}: the proxy as a servlet in embedded Jetty 12, relaying with the stream relay.
 *   <li>{@code probe URL [--via PROXY_URL] ...}: a WebSocket handshake directly and through a proxy, what
 *       each answer means and how they differ, and how long a quiet connection survives ({@link Probe}).
 * </ul>
 */
public final class Main {
    private static final String USAGE = """
            usage: java -jar upgrade-examples.jar <command> [options]
            """ + Servers.USAGE + """
              decisions                            what the library decides for a few telling requests
              parse [--response] [--lf] [FILE|-]   parse one raw HTTP/1.x head from FILE or standard input
              probe URL [--via PROXY_URL] [--origin O] [--subprotocol P] [--idle SECONDS] [--insecure] [--json]
                                                   a WebSocket handshake directly and through a proxy, explained
                                                   and compared; exit status 0 only if every path upgraded
              servlet-proxy --listen HOST:PORT --upstream HOST:PORT [--idle-timeout 60s] [--max-tunnels N]
                    [--handshake-timeout 10s]      the same proxy as a servlet in embedded Jetty 12
            """;

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

    private Main() {}

    /** Runs a command; exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** Runs a command and returns its exit status: 0 success, 1 rejected input or failed probe, 2 usage error. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(USAGE);
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (args[0]) {
                case "demo":
                    return Servers.demo(rest, out, err);
                case "proxy":
                    return Servers.proxy(rest, out, err);
                case "echo-server":
                    return Servers.echoServer(rest, out, err);
                case "decisions":
                    return decisions(out);
                case "parse":
                    return parse(rest, in, out, err);
                case "probe":
                    return Probe.run(rest, out, err);
                case "servlet-proxy":
                    return ServletProxy.command(rest, out, err);
                case "help":
                case "--help":
                    out.print(USAGE);
                    return 0;
                default:
                    err.println("unknown command '" + args[0] + "'");
                    err.print(USAGE);
                    return 2;
            }
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (IllegalStateException e) { // e.g. --relay splice where this JVM cannot splice
            err.println("error: " + e.getMessage());
            return 2;
        }
    }

    private static int decisions(PrintStream out) {
        out.println("== A browser asks to upgrade to WebSocket ==");
        ByteBuffer chrome = bytes(CHROME_UPGRADE);
        describe(Http1Parser.forRequests(), chrome, out);
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
        describe(Http1Parser.forRequests(), bytes(SMUGGLING), out);
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

    private static int parse(String[] args, InputStream in, PrintStream out, PrintStream err) throws IOException {
        boolean response = false;
        ParserOptions options = ParserOptions.standard();
        String file = "-";
        for (String arg : args) {
            switch (arg) {
                case "--response":
                    response = true;
                    break;
                case "--lf":
                    options = options.with(ParserOptions.Leniency.LF_LINE_ENDINGS);
                    break;
                default:
                    if (arg.startsWith("--")) {
                        err.println("unknown option '" + arg + "'");
                        err.print(USAGE);
                        return 2;
                    }
                    file = arg;
            }
        }
        byte[] raw = file.equals("-") ? in.readAllBytes() : Files.readAllBytes(Path.of(file));
        boolean accepted = response
                ? describe(Http1Parser.forResponses(options), ByteBuffer.wrap(raw), out)
                : describe(Http1Parser.forRequests(options), ByteBuffer.wrap(raw), out);
        return accepted ? 0 : 1;
    }

    /** Prints what the parser and the framing rules make of {@code input}; returns whether it was accepted. */
    private static <H extends MessageHead> boolean describe(Http1Parser<H> parser, ByteBuffer input, PrintStream out) {
        ParseResult<H> result = parser.parse(input);
        if (result instanceof ParseResult.Rejected<H> rejected) {
            out.println("rejected: " + rejected.problem() + " (" + rejected.problem().spec() + "), answer "
                    + rejected.status());
            out.println("  " + rejected.detail());
            return false;
        }
        if (!(result instanceof ParseResult.Complete<H> complete)) {
            out.println("incomplete: the input ended before the empty line that ends a head");
            return false;
        }
        MessageHead head = complete.head();
        out.println("head (" + complete.headLength() + " bytes):");
        out.print(head.toString().indent(2));
        out.println("Connection options: " + describe(FieldList.parse(head.headers().values(HeaderName.CONNECTION), FieldList.Element.TOKEN,
                FieldList.DEFAULT_MAX_ELEMENTS)));
        out.println("Upgrade offers:     " + describe(FieldList.parse(head.headers().values(HeaderName.UPGRADE),
                FieldList.Element.PROTOCOL, FieldList.DEFAULT_MAX_ELEMENTS)));
        BodyFraming framing = head instanceof RequestHead request
                ? BodyFraming.ofRequest(request)
                : BodyFraming.ofResponse((ResponseHead) head, "GET");
        if (framing instanceof BodyFraming.Invalid invalid) {
            out.println("body framing: refused, " + invalid.problem() + " (" + invalid.problem().spec() + "), answer "
                    + invalid.status());
            out.println("  " + invalid.detail());
        } else {
            out.println("body framing: " + framing);
        }
        out.println("bytes behind the head, kept for the caller: " + input.remaining());
        return !(framing instanceof BodyFraming.Invalid);
    }

    private static String describe(FieldList list) {
        return list instanceof FieldList.Valid valid
                ? valid.elements().toString()
                : "malformed: " + ((FieldList.Malformed) list).detail();
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
