package io.github.upgrade4j.benchmarks;

import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.ParseResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole head that arrived in one read, parsed into a head object by three parsers on the same
 * bytes: upgrade4j's {@link Http1Parser}, Netty's {@link HttpRequestDecoder}/{@link HttpResponseDecoder}
 * and Jetty's {@link HttpParser}. Reports ns/op; run with {@code -prof gc} for B/op.
 *
 * <p>What each benchmark does per operation, so that the work is the same:
 *
 * <ul>
 *   <li>{@link #upgrade4j()}: {@code parse} into a {@code RequestHead}/{@code ResponseHead} (start line,
 *       an immutable {@code Headers}) wrapped in a {@code ParseResult.Complete}.
 *   <li>{@link #netty()}: the decoder's own {@code decode} on the buffer, called directly with the
 *       context of an {@link EmbeddedChannel} (no pipeline traversal), producing its
 *       {@code DefaultHttpRequest}/{@code DefaultHttpResponse} with {@code DefaultHttpHeaders} and the
 *       empty last content. Netty's default configuration (header validation on).
 *   <li>{@link #jetty()}: {@code parseNext} with a handler that collects every {@link HttpField} into
 *       an {@link HttpFields.Mutable} and, at the end of the head, keeps the start line and
 *       {@code asImmutable()} fields, which is what Jetty's own server connection does before it builds
 *       its request. Jetty's default compliance (RFC 9110) and header cache.
 * </ul>
 *
 * <p>Every parser is reused across operations, as a connection would reuse it; Netty's and Jetty's are
 * reset between heads (a no-op for Netty's request decoder, which resets itself after a head without a
 * body; its response decoder stays "upgraded" after a 101 until reset).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Http1ParserBenchmark {
    /** Which head to parse: two requests and a 101 response. */
    @Param({"chrome-upgrade", "get-15-fields", "response-101"})
    public String head;

    /** Where the bytes sit: a heap buffer or a direct buffer (as read from a socket into one). */
    @Param({"heap", "direct"})
    public String buffer;

    private ByteBuffer bytes;
    private Http1Parser<?> parser;

    private ByteBuf nettyBytes;
    private NettyDecoder netty;
    private EmbeddedChannel nettyChannel;
    private ChannelHandlerContext nettyContext;
    private final List<Object> nettyOut = new ArrayList<>(4);

    private JettyHandler jettyHandler;
    private HttpParser jetty;

    /** Prepares the bytes and the three parsers once, and checks that each parses the head whole. */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String text = SampleHeads.named(head);
        boolean response = text.startsWith("HTTP/");
        byte[] raw = text.getBytes(StandardCharsets.ISO_8859_1);
        boolean heap = buffer.equals("heap");
        bytes = heap ? ByteBuffer.wrap(raw) : ByteBuffer.allocateDirect(raw.length).put(raw).flip();
        parser = response ? Http1Parser.forResponses() : Http1Parser.forRequests();

        nettyBytes = heap ? Unpooled.wrappedBuffer(raw) : Unpooled.directBuffer(raw.length).writeBytes(raw);
        netty = response ? new NettyDecoder.Responses() : new NettyDecoder.Requests();
        nettyChannel = new EmbeddedChannel((io.netty.channel.ChannelHandler) netty);
        nettyContext = nettyChannel.pipeline().firstContext();

        jettyHandler = new JettyHandler();
        jetty = response ? new HttpParser((HttpParser.ResponseHandler) jettyHandler)
                : new HttpParser((HttpParser.RequestHandler) jettyHandler);

        int fields = (int) text.lines().count() - 2;
        if (!(upgrade4j() instanceof ParseResult.Complete)) {
            throw new IllegalStateException("upgrade4j did not parse " + head);
        }
        for (int i = 0; i < 3; i++) { // twice more: the parsers must reset properly between heads
            HttpMessage message = netty();
            if (message.decoderResult().isFailure() || message.headers().size() != fields
                    || nettyOut.size() != 2 || !(nettyOut.get(1) instanceof LastHttpContent)) {
                throw new IllegalStateException("Netty did not parse " + head + ": " + message + " " + nettyOut);
            }
            JettyHead parsed = jetty();
            if (parsed == null || parsed.fields().size() != fields) {
                throw new IllegalStateException("Jetty did not parse " + head + ": " + parsed);
            }
        }
    }

    /** Releases Netty's buffer and channel. */
    @TearDown(Level.Trial)
    public void tearDown() {
        nettyChannel.finishAndReleaseAll();
        nettyBytes.release();
    }

    /** upgrade4j: the whole head from its buffer. */
    @Benchmark
    public ParseResult<?> upgrade4j() {
        return parser.parse(bytes.rewind());
    }

    /** Netty: the decoder's {@code decode} on the same bytes; returns the request or response head. */
    @Benchmark
    public HttpMessage netty() throws Exception {
        nettyOut.clear();
        netty.reset();
        netty.decodeHead(nettyContext, nettyBytes.readerIndex(0), nettyOut);
        return (HttpMessage) nettyOut.get(0);
    }

    /** Jetty: {@code parseNext} on the same bytes into a handler that builds the head. */
    @Benchmark
    public JettyHead jetty() {
        jetty.reset();
        jetty.parseNext(bytes.rewind());
        return jettyHandler.parsed;
    }

    /** Netty's decoders with their protected {@code decode} opened to the benchmark. */
    private interface NettyDecoder {
        void decodeHead(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception;

        void reset();

        final class Requests extends HttpRequestDecoder implements NettyDecoder {
            @Override
            public void decodeHead(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
                decode(ctx, in, out);
            }
        }

        final class Responses extends HttpResponseDecoder implements NettyDecoder {
            @Override
            public void decodeHead(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
                decode(ctx, in, out);
            }
        }
    }

    /**
     * What Jetty's handler keeps of one head: the start line and the immutable fields.
     *
     * @param method the request method, or null for a response
     * @param target the request target, or null for a response
     * @param version the HTTP version
     * @param status the response status, or 0 for a request
     * @param reason the response reason phrase, or null for a request
     * @param fields the header fields
     */
    public record JettyHead(String method, String target, HttpVersion version, int status, String reason,
            HttpFields fields) {}

    /** Collects a head the way Jetty's server connection does: fields into a mutable list, then frozen. */
    private static final class JettyHandler implements HttpParser.RequestHandler, HttpParser.ResponseHandler {
        private String method;
        private String target;
        private HttpVersion version;
        private int status;
        private String reason;
        private HttpFields.Mutable fields;
        JettyHead parsed;

        @Override
        public void startRequest(String method, String uri, HttpVersion version) {
            this.method = method;
            this.target = uri;
            this.version = version;
            this.fields = HttpFields.build();
            this.parsed = null;
        }

        @Override
        public void startResponse(HttpVersion version, int status, String reason) {
            this.version = version;
            this.status = status;
            this.reason = reason;
            this.fields = HttpFields.build();
            this.parsed = null;
        }

        @Override
        public void parsedHeader(HttpField field) {
            fields.add(field);
        }

        @Override
        public boolean headerComplete() {
            parsed = new JettyHead(method, target, version, status, reason, fields.asImmutable());
            return false;
        }

        @Override
        public boolean content(ByteBuffer item) {
            return false;
        }

        @Override
        public boolean contentComplete() {
            return false;
        }

        @Override
        public boolean messageComplete() {
            return true; // stop after the head: the benchmark parses one head per operation
        }

        @Override
        public void earlyEOF() {
            throw new IllegalStateException("early EOF");
        }

        @Override
        public void badMessage(HttpException failure) {
            throw new IllegalStateException("Jetty rejected the head", (Throwable) failure);
        }
    }
}
