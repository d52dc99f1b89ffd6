package io.github.upgrade4j.benchmarks;

import io.github.upgrade4j.tunnel.TunnelRelay;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
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
 * Bulk throughput of one tunnel over loopback, in process: each operation writes {@code size} bytes
 * from the client; a thread on the server side reads and discards them. {@code path=direct} connects
 * the client straight to the server, the ceiling a relay is measured against.
 *
 * <p>Reports operations per second; bytes per second are that times {@code size}. The sender,
 * receiver and relay threads share the machine's cores, as a proxy and its load generator would.
 *
 * <pre>{@code
 * java -jar upgrade-benchmarks/target/benchmarks.jar RelayThroughputBenchmark
 * }</pre>
 *
 * <p>{@code path=splice} needs Java 22 or newer (the fork gets the flags it needs); on an older Java
 * add {@code -p path=copy,direct}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-opens",
    "java.base/sun.nio.ch=ALL-UNNAMED"})
public class RelayThroughputBenchmark {
    /** Bytes per write from the client. */
    @Param({"64", "4096", "65536", "1048576"})
    public int size;

    /** Through the relay on the splice path (Java 22+) or the copy path, or a direct connection. */
    @Param({"splice", "copy", "direct"})
    public String path;

    private TunnelRelay relay;
    private RelayRig rig;
    private ByteBuffer chunk;

    /** Starts the relay (for {@code path} other than {@code direct}), connects the rig and starts the draining reader. */
    @Setup(Level.Trial)
    public void setUp() {
        relay = RelayRig.relayFor(path);
        rig = RelayRig.of(path, relay);
        rig.drainServer();
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        chunk = ByteBuffer.allocateDirect(size).put(bytes);
    }

    /** Closes everything. */
    @TearDown(Level.Trial)
    public void tearDown() {
        rig.close();
        relay.close();
    }

    /** Writes one chunk of {@code size} bytes. */
    @Benchmark
    public void write() throws IOException {
        RelayRig.writeFully(rig.client, chunk.clear());
    }
}
