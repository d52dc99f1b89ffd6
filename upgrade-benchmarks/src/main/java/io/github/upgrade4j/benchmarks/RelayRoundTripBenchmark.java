package io.github.upgrade4j.benchmarks;

import io.github.upgrade4j.tunnel.TunnelRelay;
import java.io.IOException;
import java.nio.ByteBuffer;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The 64-byte round trip over loopback, in process: the client writes 64 bytes and waits for the
 * server to echo them, through the relay or directly ({@code path=direct}). A chat-like WebSocket
 * message exchange costs about this much per message. Reports microseconds per round trip.
 *
 * <pre>{@code
 * java -jar upgrade-benchmarks/target/benchmarks.jar RelayRoundTripBenchmark
 * }</pre>
 *
 * <p>{@code path=splice} needs Java 22 or newer (the fork gets the flags it needs); on an older Java
 * add {@code -p path=copy,direct}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-opens",
    "java.base/sun.nio.ch=ALL-UNNAMED"})
public class RelayRoundTripBenchmark {
    private static final int SIZE = 64;

    /** Through the relay on the splice path (Java 22+) or the copy path, or a direct connection. */
    @Param({"splice", "copy", "direct"})
    public String path;

    private TunnelRelay relay;
    private RelayRig rig;
    private final ByteBuffer message = ByteBuffer.allocateDirect(SIZE);
    private final ByteBuffer echo = ByteBuffer.allocateDirect(SIZE);

    /** Starts the relay (for {@code path} other than {@code direct}), connects the rig and starts the echoing server. */
    @Setup(Level.Trial)
    public void setUp() {
        relay = RelayRig.relayFor(path);
        rig = RelayRig.of(path, relay);
        rig.echoServer(SIZE);
    }

    /** Closes everything. */
    @TearDown(Level.Trial)
    public void tearDown() {
        rig.close();
        relay.close();
    }

    /** One 64-byte message there and back. */
    @Benchmark
    public ByteBuffer roundTrip() throws IOException {
        RelayRig.writeFully(rig.client, message.clear());
        if (!RelayRig.readFully(rig.client, echo.clear())) {
            throw new IOException("the echo server closed");
        }
        return echo;
    }
}
