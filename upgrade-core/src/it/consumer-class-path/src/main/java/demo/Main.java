package demo;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.Http1Writer;
import io.github.upgrade4j.http.MessageHead;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.tunnel.Endpoint;
import io.github.upgrade4j.tunnel.Opening;
import io.github.upgrade4j.tunnel.RelayPath;
import io.github.upgrade4j.tunnel.Tunnel;
import io.github.upgrade4j.tunnel.TunnelOutcome;
import io.github.upgrade4j.tunnel.TunnelRelay;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.Verdict;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A consumer of the published upgrade-core, as a proxy author writes one: one WebSocket upgrade from a client
 * to an upstream through the library's parser, upgrade decision and tunnel relay, over loopback sockets. Run
 * with nothing but upgrade-core and these classes, on the module path or on the class path; any surprise ends
 * it with a non-zero exit status.
 *
 * <p>Arguments: {@code module-path} or {@code class-path}, where the JVM was told to find the library; then
 * {@code copy} or {@code splice}, the relay path the tunnel must take ({@code splice} only where the JVM got
 * the splice path's access flags, on Linux with Java 22 or newer).
 */
public final class Main {
    private static final String LIBRARY_MODULE = "io.github.upgrade4j";
    private static final String JSPECIFY_MODULE = "org.jspecify";
    private static final String JSPECIFY_CLASS = "org.jspecify.annotations.Nullable";
    private static final long TIMEOUT_SECONDS = 60;

    /** The key and accept value of RFC 6455 §1.3. */
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    /** A client's upgrade request, with hop-by-hop fields that must not reach the upstream. */
    private static final String REQUEST = "GET /chat HTTP/1.1\r\n"
            + "Host: app.example\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: keep-alive, Upgrade, X-Trace\r\n"
            + "Keep-Alive: timeout=5\r\n"
            + "X-Trace: 1\r\n"
            + "Sec-WebSocket-Key: " + KEY + "\r\n"
            + "Sec-WebSocket-Version: 13\r\n"
            + "\r\n";

    /** The upstream's answer. */
    private static final String SWITCH = "HTTP/1.1 101 Switching Protocols\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: " + ACCEPT + "\r\n"
            + "\r\n";

    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !List.of("module-path", "class-path").contains(args[0])
                || !List.of("copy", "splice").contains(args[1])) {
            throw new Failure("usage: demo.Main module-path|class-path copy|splice, but got " + Arrays.toString(args));
        }
        boolean modulePath = args[0].equals("module-path");
        RelayPath expectedPath = args[1].equals("splice") ? RelayPath.SPLICE : RelayPath.COPY;

        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("FAILED: the consumer check took over " + TIMEOUT_SECONDS + " s");
            Runtime.getRuntime().halt(3);
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        try {
            checkLayout(modulePath);
            refusesABrokenUpgrade();
            proxiesOneUpgrade(expectedPath);
        } catch (Failure | RuntimeException | IOException e) {
            System.err.println("FAILED (" + String.join(" ", args) + "): " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.out.println("consumer check passed (" + String.join(" ", args) + ", Java "
                + Runtime.version().feature() + ")");
        System.exit(0); // the status is the verdict: exit with it, whatever the relay left running
    }

    /** Where the library came from, and that JSpecify is absent at run time. */
    private static void checkLayout(boolean modulePath) throws Failure {
        Module library = Http1Parser.class.getModule();
        Module self = Main.class.getModule();
        if (modulePath) {
            expect(library.isNamed() && LIBRARY_MODULE.equals(library.getName()),
                    "the library in module " + LIBRARY_MODULE + ", but it is in " + library);
            expect("demo".equals(self.getName()), "this class in module demo, but it is in " + self);
            expect(self.canRead(library), "module demo to read " + LIBRARY_MODULE);
            expect(ModuleLayer.boot().findModule(LIBRARY_MODULE).isPresent(),
                    LIBRARY_MODULE + " in the boot layer");
        } else {
            expect(!library.isNamed(), "the library in the unnamed module, but it is in " + library);
            expect(!self.isNamed(), "this class in the unnamed module, but it is in " + self);
            expect(ModuleLayer.boot().findModule(LIBRARY_MODULE).isEmpty(),
                    "no module " + LIBRARY_MODULE + " in the boot layer (the jar is on the class path)");
        }
        expect(ModuleLayer.boot().findModule(JSPECIFY_MODULE).isEmpty(),
                "no module " + JSPECIFY_MODULE + " at run time, but the boot layer has it");
        try {
            Class.forName(JSPECIFY_CLASS, false, Main.class.getClassLoader());
            throw new Failure("expected no class " + JSPECIFY_CLASS + " at run time, but it loaded");
        } catch (ClassNotFoundException expected) {
            // JSpecify is for compilers and checkers: the library runs without it.
        }
        // The library's classes and packages carry JSpecify's annotations; without the jar, reflection sees none
        // and does not fail.
        expect(Http1Parser.class.getPackage().getAnnotations().length == 0,
                "no annotation readable on package " + Http1Parser.class.getPackageName() + " without JSpecify");
        String modulePathProperty = System.getProperty("jdk.module.path", "");
        String classPathProperty = System.getProperty("java.class.path", "");
        for (String entry : (modulePathProperty + File.pathSeparator + classPathProperty)
                .split(File.pathSeparator)) {
            expect(!entry.contains("jspecify"), "no JSpecify jar on any path, but found " + entry);
        }
        System.out.println("layout: library in " + library + ", demo in " + self + ", no JSpecify at run time;"
                + " module path [" + modulePathProperty + "], class path [" + classPathProperty + "]");
    }

    /** A WebSocket request with a version other than 13 is refused by the proxy itself. */
    private static void refusesABrokenUpgrade() throws Failure {
        RequestHead head = parse(Http1Parser.forRequests(),
                REQUEST.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"));
        Outbound out = ProxyUpgrade.standard().towardUpstream(head);
        expect(out instanceof ErrorAnswer, "an ErrorAnswer for version 8, but got " + out);
        ErrorAnswer refuse = (ErrorAnswer) out;
        expect(refuse.status() == 426, "426 for version 8, but got " + refuse.status());
        expect(refuse.response().headers().values(HeaderName.SEC_WEBSOCKET_VERSION).equals(List.of("13")),
                "Sec-WebSocket-Version: 13 in the 426, but got " + refuse.response());
    }

    /**
     * A client sends an upgrade request and, in the same packet, its first bytes of the new protocol; the
     * proxy parses, forwards, judges the 101 and hands both connections to a TunnelRelay; bytes then flow both
     * ways until the client and the upstream close.
     */
    private static void proxiesOneUpgrade(RelayPath expectedPath) throws Failure, IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        ProxyUpgrade upgrades = ProxyUpgrade.standard();
        try (ServerSocketChannel proxyListener = ServerSocketChannel.open().bind(loopback);
                ServerSocket upstreamListener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket();
                TunnelRelay relay = TunnelRelay.start()) {
            System.out.println("relay path " + relay.path() + "; splice unavailable: "
                    + TunnelRelay.spliceUnavailable().orElse("no, it is available"));
            expect(relay.path() == expectedPath, "the relay on the " + expectedPath + " path, but it is on "
                    + relay.path() + " (" + TunnelRelay.spliceUnavailable().orElse("splice available") + ")");

            client.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            client.connect(proxyListener.getLocalAddress());
            SocketChannel clientLeg = proxyListener.accept();
            send(client.getOutputStream(), REQUEST + "hello");

            // The proxy reads the client's head; the bytes past it belong to the new protocol.
            ByteBuffer fromClient = ByteBuffer.allocate(4096);
            RequestHead head = readHead(clientLeg, Http1Parser.forRequests(), fromClient);
            Outbound out = upgrades.towardUpstream(head);
            expect(out instanceof Outbound.Forward, "the upgrade forwarded, but got " + out);
            Outbound.Forward forward = (Outbound.Forward) out;

            SocketChannel upstreamLeg = SocketChannel.open(upstreamListener.getLocalSocketAddress());
            try (Socket upstream = upstreamListener.accept()) {
                upstream.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
                write(upstreamLeg, Http1Writer.toBytes(head.withHeaders(forward.edit().build())));

                // The upstream sees the upgrade without the client's hop-by-hop fields.
                RequestHead forwarded = parse(Http1Parser.forRequests(), readUntilEmptyLine(upstream.getInputStream()));
                Headers fields = forwarded.headers();
                expect(fields.values(HeaderName.UPGRADE).equals(List.of("websocket")),
                        "Upgrade: websocket upstream, but got " + forwarded);
                expect(fields.hasToken(HeaderName.CONNECTION, "upgrade"), "Connection: upgrade upstream, got " + forwarded);
                expect(!fields.hasToken(HeaderName.CONNECTION, "keep-alive") && !fields.contains(HeaderName.KEEP_ALIVE)
                        && !fields.contains(HeaderName.of("X-Trace")),
                        "no hop-by-hop field of the client's upstream, but got " + forwarded);
                expect(fields.values(HeaderName.SEC_WEBSOCKET_KEY).equals(List.of(KEY)),
                        "the client's Sec-WebSocket-Key upstream, but got " + forwarded);
                send(upstream.getOutputStream(), SWITCH + "welcome");

                // The proxy reads and judges the upstream's answer.
                ByteBuffer fromUpstream = ByteBuffer.allocate(4096);
                ResponseHead answer = readHead(upstreamLeg, Http1Parser.forResponses(), fromUpstream);
                Verdict verdict = upgrades.judge(forward.attempt(), answer);
                expect(verdict instanceof Verdict.Tunnel, "a tunnel for the 101, but got " + verdict);
                Verdict.Tunnel switched = (Verdict.Tunnel) verdict;
                byte[] response = Http1Writer.toBytes(switched.response());
                ByteBuffer first = ByteBuffer.allocate(response.length + fromUpstream.remaining());
                first.put(response).put(fromUpstream).flip();

                Opening opening = relay.open(Endpoint.of(clientLeg, fromClient), Endpoint.of(upstreamLeg, first));
                expect(opening instanceof Opening.Opened, "the tunnel opened, but got " + opening);
                Tunnel tunnel = ((Opening.Opened) opening).tunnel();
                expect(tunnel.path() == expectedPath, "the tunnel on the " + expectedPath + " path, but it took "
                        + tunnel.path());

                // The client gets the 101 and the upstream's early bytes; the upstream gets the client's.
                InputStream clientIn = client.getInputStream();
                ResponseHead toClient = parse(Http1Parser.forResponses(), readUntilEmptyLine(clientIn));
                expect(toClient.status() == 101
                                && toClient.headers().values(HeaderName.SEC_WEBSOCKET_ACCEPT).equals(List.of(ACCEPT)),
                        "the 101 with the accept value at the client, but got " + toClient);
                expectBytes(clientIn, "welcome", "the upstream's first bytes at the client");
                InputStream upstreamIn = upstream.getInputStream();
                expectBytes(upstreamIn, "hello", "the client's first bytes at the upstream");

                // Both ways through the running tunnel, 64 KiB up, then the ends: the client's FIN first.
                byte[] big = new byte[64 * 1024];
                for (int i = 0; i < big.length; i++) {
                    big[i] = (byte) (i * 31 + 7);
                }
                client.getOutputStream().write(big);
                client.getOutputStream().flush();
                expect(Arrays.equals(upstreamIn.readNBytes(big.length), big), "64 KiB intact at the upstream");
                send(upstream.getOutputStream(), "bye");
                expectBytes(clientIn, "bye", "the upstream's reply at the client");
                client.shutdownOutput();
                expect(upstreamIn.read() == -1, "the client's FIN at the upstream");
                upstream.shutdownOutput();
                expect(clientIn.read() == -1, "the upstream's FIN at the client");

                TunnelOutcome outcome = tunnel.outcome().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                System.out.println("tunnel outcome: " + outcome);
                expect(outcome.reason().isCompletion(), "a completed tunnel, but it ended with " + outcome);
                expect(outcome.bytesClientToUpstream() == "hello".length() + big.length,
                        "hello and 64 KiB counted toward the upstream, but got " + outcome);
                expect(outcome.bytesUpstreamToClient() == response.length + "welcome".length() + "bye".length(),
                        "the 101, welcome and bye counted toward the client, but got " + outcome);
                expect(outcome.path() == expectedPath, "the outcome on the " + expectedPath + " path: " + outcome);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure("interrupted");
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new Failure("no tunnel outcome: " + e);
            }
        }
    }

    private static <H extends MessageHead> H readHead(SocketChannel channel, Http1Parser<H> parser, ByteBuffer buffer)
            throws IOException, Failure {
        while (true) {
            if (channel.read(buffer) < 0) {
                throw new Failure("expected a head, but the connection ended");
            }
            buffer.flip();
            ParseResult<H> result = parser.parse(buffer);
            if (result instanceof ParseResult.Complete) {
                return ((ParseResult.Complete<H>) result).head(); // the buffer now holds the bytes past the head
            }
            if (result instanceof ParseResult.Rejected) {
                throw new Failure("expected a head, but the parser rejected it: " + result);
            }
            buffer.clear(); // NeedMore: every byte was consumed and kept
        }
    }

    private static <H extends MessageHead> H parse(Http1Parser<H> parser, String text) throws Failure {
        ParseResult<H> result = parser.parse(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
        if (!(result instanceof ParseResult.Complete)) {
            throw new Failure("expected a whole head, but got " + result + " for " + text);
        }
        return ((ParseResult.Complete<H>) result).head();
    }

    private static String readUntilEmptyLine(InputStream in) throws IOException, Failure {
        StringBuilder text = new StringBuilder();
        while (text.length() < 4 || !text.substring(text.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new Failure("expected a head, but the stream ended after " + text);
            }
            text.append((char) b);
        }
        return text.toString();
    }

    private static void expectBytes(InputStream in, String expected, String what) throws IOException, Failure {
        String got = new String(in.readNBytes(expected.length()), StandardCharsets.ISO_8859_1);
        expect(got.equals(expected), what + " (" + expected + "), but got '" + got + "'");
    }

    private static void send(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static void write(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void expect(boolean condition, String what) throws Failure {
        if (!condition) {
            throw new Failure("expected " + what);
        }
    }

    /** A check that did not hold. */
    private static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }
}
