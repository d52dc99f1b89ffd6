package io.github.upgrade4j.benchmarks;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.hop.HopByHopPolicy;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeAttempt;
import io.github.upgrade4j.upgrade.UpgradeDecision;
import io.github.upgrade4j.upgrade.UpgradeNegotiator;
import io.github.upgrade4j.upgrade.WebSocketHandshake;
import io.github.upgrade4j.upgrade.Verdict;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The upgrade decisions on Chrome's WebSocket handshake: the origin role, the proxy's request toward
 * its upstream, the proxy judging the upstream's 101, and the whole origin path from bytes
 * (parse + hop-by-hop policy + negotiation), whose target is well under 1 µs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class UpgradeBenchmark {
    private static final String ACCEPTING_101 = """
            HTTP/1.1 101 Switching Protocols\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
            \r
            """;

    private final Http1Parser<RequestHead> parser = Http1Parser.forRequests();
    private final UpgradeNegotiator negotiator = UpgradeNegotiator.standard();
    private final ProxyUpgrade proxy = ProxyUpgrade.standard();
    private final HopByHopPolicy policy = HopByHopPolicy.standard();
    private ByteBuffer bytes;
    private RequestHead request;
    private ResponseHead switched;
    private UpgradeAttempt attempt;

    /** Parses the heads once. */
    @Setup(Level.Trial)
    public void setUp() {
        bytes = ByteBuffer.wrap(SampleHeads.CHROME_UPGRADE.getBytes(StandardCharsets.ISO_8859_1));
        request = head(parser.parse(bytes));
        ParseResult<ResponseHead> response = Http1Parser.forResponses()
                .parse(ByteBuffer.wrap(ACCEPTING_101.getBytes(StandardCharsets.ISO_8859_1)));
        switched = head(response);
        attempt = ((Outbound.Forward) proxy.towardUpstream(request)).attempt();
        if (!(negotiator.decide(request) instanceof UpgradeDecision.Switch)
                || !(proxy.judge(attempt, switched) instanceof Verdict.Tunnel)) {
            throw new IllegalStateException("the sample handshake did not switch");
        }
    }

    /** Origin role: decide on a parsed head. */
    @Benchmark
    public UpgradeDecision negotiate() {
        return negotiator.decide(request);
    }

    /** Proxy role: the request for the upstream, its head built (one pass of the head editor). */
    @Benchmark
    public RequestHead towardUpstream() {
        return ((Outbound.Forward) proxy.towardUpstream(request)).head();
    }

    /** Proxy role: judge the upstream's 101 and build the 101 for the client. */
    @Benchmark
    public ResponseHead judge101() {
        return ((Verdict.Tunnel) proxy.judge(attempt, switched)).response();
    }

    /**
     * The {@code Sec-WebSocket-Accept} of Chrome's key alone (SHA-1 of the key and GUID, base64): the
     * part of {@link #negotiate} and {@link #towardUpstream} that no refactoring removes.
     */
    @Benchmark
    public String accept() {
        return WebSocketHandshake.accept("dGhlIHNhbXBsZSBub25jZQ==");
    }

    /** Origin path from bytes: parse, apply the hop-by-hop policy, negotiate. */
    @Benchmark
    public UpgradeDecision parsePolicyNegotiate() {
        RequestHead head = head(parser.parse(bytes.rewind()));
        Forwarding forwarding = policy.forRequest(head);
        if (!(forwarding instanceof Forwarding.Forward)) {
            throw new IllegalStateException("refused");
        }
        return negotiator.decide(head);
    }

    private static <H extends io.github.upgrade4j.http.MessageHead> H head(ParseResult<H> result) {
        if (result instanceof ParseResult.Complete<H> complete) {
            return complete.head();
        }
        throw new IllegalStateException("did not parse: " + result);
    }
}
