package io.github.upgrade4j.benchmarks;

import io.github.upgrade4j.tunnel.Endpoint;
import io.github.upgrade4j.tunnel.Opening;
import io.github.upgrade4j.tunnel.RelayOptions;
import io.github.upgrade4j.tunnel.RelayPath;
import io.github.upgrade4j.tunnel.RelayStats;
import io.github.upgrade4j.tunnel.TunnelRelay;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/**
 * The tunnel relay side by side with a direct connection, in one run on this machine: what a proxy
 * author wants to know before putting the relay between browsers and servers.
 *
 * <ol>
 *   <li><b>Bulk throughput, 1 tunnel</b>: a client writes 64 KiB chunks for a few seconds; a server
 *       reads and discards them. Gbit/s received, through the relay and directly.
 *   <li><b>Bulk throughput, 16 tunnels</b>: the same with 16 client/server pairs at once, summed.
 *   <li><b>64-byte round trip</b>: a client writes 64 bytes and waits for the server's echo, 20,000
 *       times after a warm-up; median, mean and 99th percentile in microseconds.
 *   <li><b>Memory per idle tunnel</b>: 4,000 tunnels opened over 16,000 loopback sockets, one byte
 *       relayed each way through each, then left idle. Reported per tunnel: heap growth after a full
 *       collection, direct-memory growth (the relay's pooled buffers), and resident-set growth of the
 *       process (which also counts the JVM's own native allocations, e.g. the selectors' tables). The
 *       direct-connection column is the heap the same socket objects take without any relay.
 * </ol>
 *
 * <p>Client, server and relay share the machine's cores, as a proxy and its load generator would on
 * one host; other processes on the machine disturb the figures, so the load average is printed.
 * Needs about 16,100 file descriptors ({@code ulimit -n}). Run after {@code ./mvnw package}:
 *
 * <pre>{@code
 * java --enable-native-access=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
 *     -cp upgrade-benchmarks/target/benchmarks.jar io.github.upgrade4j.benchmarks.RelayComparison [seconds [bufferKiB [path]]]
 * }</pre>
 *
 * <p>{@code seconds} (default 3) is the measuring time of each throughput run, after one second of
 * warm-up; {@code bufferKiB} (default: {@link RelayOptions#standard()}'s 256) the relay's buffer size;
 * {@code path} {@code auto} (default), {@code copy} or {@code splice} (the two flags above let Java 22+
 * splice).
 */
public final class RelayComparison {
    private static final int CHUNK = 64 * 1024;
    private static final int IDLE_TUNNELS = 4000;

    private RelayComparison() {}

    /**
     * Runs every comparison and prints a table.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) {
        System.exit(RunnerCommandLine.execute(new Arguments(), args, System.out, System.err));
    }

    /** The command line: {@code [seconds [bufferKiB [path]]]}, as it has always been. */
    @Command(name = "RelayComparison", mixinStandardHelpOptions = true,
            versionProvider = RunnerCommandLine.JavaVersion.class, description = "The relay against a direct"
                    + " connection on this machine: bulk throughput, 64-byte round trips and idle tunnels' memory.",
            footer = {"", "Exit status: 0 done, 1 a failed run, 2 a usage error."})
    static final class Arguments implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "SECONDS", defaultValue = "3",
                converter = RunnerCommandLine.Count.class, description = "The measuring time of each throughput run,"
                        + " after one second of warm-up. Default: ${DEFAULT-VALUE}.")
        private int seconds;

        @Parameters(index = "1", arity = "0..1", paramLabel = "BUFFER_KIB", converter = RunnerCommandLine.Count.class,
                description = "The relay's buffer size in KiB. Default: RelayOptions.standard()'s.")
        private Integer bufferKib;

        @Parameters(index = "2", arity = "0..1", paramLabel = "PATH", defaultValue = "auto",
                converter = PathName.class, description = "How the relay moves bytes: auto, copy or splice (splice"
                        + " needs Java 22+ and the two flags above). Default: ${DEFAULT-VALUE}.")
        private RelayPath path;

        @Override
        public Integer call() throws Exception {
            RelayOptions.Builder builder = RelayOptions.builder().relayPath(path);
            if (bufferKib != null) {
                builder.bufferSize(Math.multiplyExact(bufferKib, 1024));
            }
            run(seconds, builder.build());
            return 0;
        }
    }

    /** {@code auto}, {@code copy} or {@code splice}. */
    static final class PathName implements ITypeConverter<RelayPath> {
        @Override
        public RelayPath convert(String value) {
            return switch (value) {
                case "auto" -> RelayPath.AUTO;
                case "copy" -> RelayPath.COPY;
                case "splice" -> RelayPath.SPLICE;
                default -> throw new TypeConversionException("expected auto, copy or splice but was '" + value + "'");
            };
        }
    }

    private static void run(int seconds, RelayOptions options) throws Exception {
        try (TunnelRelay relay = TunnelRelay.start(options)) {
            System.out.printf(Locale.ROOT, "Java %s, %d cores, relay buffers of %d KiB, path %s, load average before:"
                    + " %s%n", System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                    options.bufferSize() / 1024, relay.path(), loadAverage());
            for (int tunnels : new int[] {1, 16}) {
                double direct = bulk(tunnels, seconds, null);
                double relayed = bulk(tunnels, seconds, relay);
                System.out.printf(Locale.ROOT, "bulk, %2d tunnel(s): relay %6.2f Gbit/s, direct %6.2f Gbit/s, ratio %.2f%n",
                        tunnels, relayed, direct, relayed / direct);
            }
            double[] direct = roundTrip(null);
            double[] relayed = roundTrip(relay);
            System.out.printf(Locale.ROOT, "64 B round trip: relay median %.1f us (mean %.1f, p99 %.1f),"
                    + " direct median %.1f us (mean %.1f, p99 %.1f), ratio %.2f%n",
                    relayed[0], relayed[1], relayed[2], direct[0], direct[1], direct[2], relayed[0] / direct[0]);
        }
        idleMemory(options);
        System.out.printf(Locale.ROOT, "load average after: %s%n", loadAverage());
    }

    /** Gbit/s received by the servers of {@code tunnels} pairs, through {@code relay} or directly if null. */
    private static double bulk(int tunnels, int seconds, TunnelRelay relay) throws Exception {
        List<RelayRig> rigs = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        AtomicLong received = new AtomicLong();
        for (int i = 0; i < tunnels; i++) {
            RelayRig rig = relay == null ? RelayRig.direct() : RelayRig.relayed(relay);
            rigs.add(rig);
            threads.add(start("bulk-send", () -> {
                ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
                while (true) {
                    RelayRig.writeFully(rig.client, chunk.clear());
                }
            }));
            threads.add(start("bulk-receive", () -> {
                ByteBuffer sink = ByteBuffer.allocateDirect(CHUNK);
                for (int n; (n = rig.server.read(sink.clear())) >= 0; ) {
                    received.addAndGet(n);
                }
            }));
        }
        Thread.sleep(1000); // warm-up
        long bytesBefore = received.get();
        long started = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        long bytes = received.get() - bytesBefore;
        double elapsed = (System.nanoTime() - started) / 1e9;
        rigs.forEach(RelayRig::close);
        for (Thread thread : threads) {
            thread.join(5000);
        }
        return bytes * 8 / elapsed / 1e9;
    }

    private interface Work {
        void run() throws IOException;
    }

    private static Thread start(String name, Work work) {
        Thread thread = new Thread(() -> {
            try {
                work.run();
            } catch (IOException e) {
                // the rig was closed: the run is over
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Median, mean and p99 microseconds of a 64-byte echo, through {@code relay} or directly if null. */
    private static double[] roundTrip(TunnelRelay relay) throws IOException {
        int warmup = 5_000;
        int rounds = 20_000;
        long[] nanos = new long[rounds];
        try (RelayRig rig = relay == null ? RelayRig.direct() : RelayRig.relayed(relay)) {
            rig.echoServer(64);
            ByteBuffer message = ByteBuffer.allocateDirect(64);
            ByteBuffer echo = ByteBuffer.allocateDirect(64);
            for (int i = -warmup; i < rounds; i++) {
                long start = System.nanoTime();
                RelayRig.writeFully(rig.client, message.clear());
                RelayRig.readFully(rig.client, echo.clear());
                if (i >= 0) {
                    nanos[i] = System.nanoTime() - start;
                }
            }
        }
        double mean = Arrays.stream(nanos).average().orElse(0) / 1000;
        Arrays.sort(nanos);
        return new double[] {nanos[rounds / 2] / 1000.0, mean, nanos[rounds * 99 / 100] / 1000.0};
    }

    /** Opens {@link #IDLE_TUNNELS} idle tunnels and prints the memory each one costs. */
    private static void idleMemory(RelayOptions options) throws Exception {
        InetAddress localhost = InetAddress.getLoopbackAddress();
        List<SocketChannel> sockets = new ArrayList<>();
        try (TunnelRelay relay = TunnelRelay.start(options); ServerSocketChannel proxyListener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(localhost, 0), 1024); ServerSocketChannel originListener = ServerSocketChannel
                .open().bind(new InetSocketAddress(localhost, 0), 1024)) {
            long[] empty = snapshot();
            SocketChannel[][] pairs = new SocketChannel[IDLE_TUNNELS][];
            for (int i = 0; i < IDLE_TUNNELS; i++) {
                SocketChannel client = SocketChannel.open(proxyListener.getLocalAddress());
                SocketChannel proxyClient = proxyListener.accept();
                SocketChannel proxyUpstream = SocketChannel.open(originListener.getLocalAddress());
                SocketChannel server = originListener.accept();
                pairs[i] = new SocketChannel[] {client, proxyClient, proxyUpstream, server};
                sockets.addAll(List.of(pairs[i]));
            }
            long[] connected = snapshot();
            ByteBuffer one = ByteBuffer.allocateDirect(1);
            for (SocketChannel[] pair : pairs) {
                Opening opening = relay.open(Endpoint.of(pair[1]), Endpoint.of(pair[2]));
                if (!(opening instanceof Opening.Opened)) {
                    throw new IllegalStateException("refused: " + opening);
                }
                RelayRig.writeFully(pair[0], one.clear()); // one byte each way: registered and used, now idle
                RelayRig.readFully(pair[3], one.clear());
                RelayRig.writeFully(pair[3], one.clear());
                RelayRig.readFully(pair[0], one.clear());
            }
            long[] tunnels = snapshot();
            RelayStats stats = relay.stats();
            double socketHeap = (connected[0] - empty[0]) / (double) IDLE_TUNNELS;
            System.out.printf(Locale.ROOT, "%d idle tunnels: per tunnel relay heap %.0f B, direct (pooled buffers) %.0f B,"
                    + " process RSS %.0f B; %d buffers borrowed, %d B pooled%n", IDLE_TUNNELS,
                    (tunnels[0] - connected[0]) / (double) IDLE_TUNNELS, (tunnels[1] - connected[1]) / (double) IDLE_TUNNELS,
                    (tunnels[2] - connected[2]) / (double) IDLE_TUNNELS, stats.buffersBorrowed(), stats.pooledBytes());
            System.out.printf(Locale.ROOT, "direct: the 4 socket channels of one tunnel's two connections take %.0f B"
                    + " of heap, whether relayed or not (RSS %.0f B)%n", socketHeap,
                    (connected[2] - empty[2]) / (double) IDLE_TUNNELS);
        } finally {
            for (SocketChannel socket : sockets) {
                socket.close();
            }
        }
    }

    /** Heap used after full collections, direct memory used, and resident set size, in bytes. */
    private static long[] snapshot() throws InterruptedException {
        long heap = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            heap = Math.min(heap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        long direct = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct = pool.getMemoryUsed();
            }
        }
        return new long[] {heap, direct, residentSetSize()};
    }

    private static long residentSetSize() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return 0;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
