package io.github.upgrade4j.benchmarks;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
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
 * The hop-by-hop policy on an already parsed request head: a page GET that needs nothing stripped
 * but {@code Connection}, a WebSocket upgrade, and a request nominating three fields.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HopByHopPolicyBenchmark {
    /** A request with three nominated fields (and the TE they travel with). */
    static final String THREE_NOMINATIONS = """
            GET /api/items HTTP/1.1\r
            Host: api.example\r
            Connection: keep-alive, X-Trace, X-Debug, TE\r
            X-Trace: 7f3a\r
            Accept: application/json\r
            X-Debug: 1\r
            TE: trailers\r
            User-Agent: curl/8.5.0\r
            \r
            """;

    /** Which head to strip. */
    @Param({"get-15-fields", "chrome-upgrade", "three-nominations"})
    public String head;

    private RequestHead request;
    private final HopByHopPolicy policy = HopByHopPolicy.standard();

    /** Parses the head once. */
    @Setup(Level.Trial)
    public void setUp() {
        String raw = head.equals("three-nominations") ? THREE_NOMINATIONS : SampleHeads.named(head);
        ParseResult<RequestHead> result = Http1Parser.forRequests()
                .parse(ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1)));
        if (!(result instanceof ParseResult.Complete<RequestHead> complete)) {
            throw new IllegalStateException("the sample head " + head + " did not parse: " + result);
        }
        request = complete.head();
        if (!(policy.forRequest(request) instanceof Forwarding.Forward)) {
            throw new IllegalStateException("the policy refused " + head);
        }
    }

    /** Applies the policy toward the upstream. */
    @Benchmark
    public Forwarding forRequest() {
        return policy.forRequest(request);
    }
}
