package io.github.upgrade4j.benchmarks;

import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.ParseResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parsing one whole head that arrived in one read, the common case for a proxy. Reports ns/op; run
 * with {@code -prof gc} for B/op. The parser is reused across operations, as a connection would.
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

    /** Where the bytes sit: a heap buffer (parsed in place) or a direct buffer (copied once). */
    @Param({"heap", "direct"})
    public String buffer;

    private ByteBuffer bytes;
    private Http1Parser<?> parser;

    /** Prepares the bytes and the parser once. */
    @Setup(Level.Trial)
    public void setUp() {
        String text = SampleHeads.named(head);
        byte[] raw = text.getBytes(StandardCharsets.ISO_8859_1);
        bytes = buffer.equals("heap") ? ByteBuffer.wrap(raw) : ByteBuffer.allocateDirect(raw.length).put(raw).flip();
        parser = text.startsWith("HTTP/") ? Http1Parser.forResponses() : Http1Parser.forRequests();
        if (!(parse() instanceof ParseResult.Complete)) {
            throw new IllegalStateException("the sample head " + head + " did not parse");
        }
    }

    /** Parses the whole head from its buffer. */
    @Benchmark
    public ParseResult<?> parse() {
        return parser.parse(bytes.rewind());
    }
}
