package io.github.upgrade4j.examples;

import io.github.upgrade4j.upgrade.WebSocketHandshake;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Bulk throughput through one upgraded connection, side by side on this machine: directly, through
 * the NIO {@link ReverseProxy} (upgrade4j's tunnel relay) and through the {@link ServletProxy}
 * (embedded Jetty 12 and the stream relay). A client sends 64 KiB writes for a few seconds after one
 * second of warm-up and the origin discards them (upload), then the origin sends and the client
 * discards (download); Gbit/s counted at the receiver. Client, proxy and origin share the machine's
 * cores, as a proxy and its load generator would on one host. Run after {@code ./mvnw package}:
 *
 * <pre>{@code
 * java -cp src-examples/target/upgrade-examples.jar io.github.upgrade4j.examples.ServletProxyThroughput [seconds [rounds]]
 * }</pre>
 */
final class ServletProxyThroughput {
    private static final int CHUNK = 64 * 1024;
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    private ServletProxyThroughput() {}

    /**
     * Runs the comparison and prints one line per direction and round.
     *
     * @param args optionally the measured seconds per run (default 5) and the number of rounds (default 3)
     */
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        System.out.printf(Locale.ROOT, "Java %s, %d cores, %d s per run after 1 s of warm-up%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), seconds);
        try (Origin origin = new Origin()) {
            InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
            Duration idle = Duration.ofSeconds(60);
            Duration handshake = Duration.ofSeconds(10);
            try (ReverseProxy nio = ReverseProxy.start(new ReverseProxy.Config(any, origin.address(), idle, 100, handshake),
                    quiet); ServletProxy servlet = ServletProxy.start(new ServletProxy.Config(any, origin.address(), idle,
                    100, handshake), quiet)) {
                for (int round = 1; round <= rounds; round++) {
                    for (boolean upload : new boolean[] {true, false}) {
                        double direct = run(origin.address(), origin, upload, seconds);
                        double viaNio = run(nio.address(), origin, upload, seconds);
                        double viaServlet = run(servlet.address(), origin, upload, seconds);
                        System.out.printf(Locale.ROOT, "round %d, %s: direct %6.2f Gbit/s, NIO proxy %6.2f, servlet proxy"
                                + " %6.2f (servlet/NIO %.2f)%n", round, upload ? "upload  " : "download", direct, viaNio,
                                viaServlet, viaServlet / viaNio);
                    }
                }
            }
        }
    }

    /** One tunnel through {@code via}: Gbit/s received over {@code seconds}, after one second of warm-up. */
    private static double run(InetSocketAddress via, Origin origin, boolean upload, int seconds) throws Exception {
        AtomicLong clientReceived = new AtomicLong();
        origin.received.set(0);
        try (Socket client = new Socket(via.getAddress(), via.getPort())) {
            client.setTcpNoDelay(true);
            client.getOutputStream().write(("GET /" + (upload ? "up" : "down") + " HTTP/1.1\r\nHost: bench\r\n"
                    + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + KEY
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = client.getInputStream();
            String head = readHead(in);
            if (!head.startsWith("HTTP/1.1 101 ")) {
                throw new IOException("expected a 101 from " + via + " but got " + head);
            }
            Thread worker = new Thread(() -> {
                byte[] chunk = new byte[CHUNK];
                try {
                    if (upload) {
                        OutputStream out = client.getOutputStream();
                        while (true) {
                            out.write(chunk);
                        }
                    }
                    for (int n; (n = in.read(chunk)) >= 0; ) {
                        clientReceived.addAndGet(n);
                    }
                } catch (IOException closed) {
                    // the run is over
                }
            }, "bench-client");
            worker.setDaemon(true);
            worker.start();
            AtomicLong counter = upload ? origin.received : clientReceived;
            pause(Duration.ofSeconds(1));
            long startBytes = counter.get();
            long start = System.nanoTime();
            pause(Duration.ofSeconds(seconds));
            long bytes = counter.get() - startBytes;
            long nanos = System.nanoTime() - start;
            return bytes * 8.0 / nanos; // bits per nanosecond = Gbit/s
        }
    }

    private static void pause(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        for (int b; (b = in.read()) >= 0; ) {
            head.append((char) b);
            if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
                return head.toString();
            }
        }
        throw new IOException("the connection closed before a whole head: " + head);
    }

    /** Answers every WebSocket handshake with a 101, then discards ({@code /up}) or sends ({@code /down}) bytes. */
    private static final class Origin implements AutoCloseable {
        final AtomicLong received = new AtomicLong();
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

        Origin() throws IOException {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        Thread connection = new Thread(() -> serve(socket), "bench-origin");
                        connection.setDaemon(true);
                        connection.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "bench-origin-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        private void serve(Socket socket) {
            try (socket) {
                socket.setTcpNoDelay(true);
                InputStream in = socket.getInputStream();
                String head = readHead(in);
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                        + "Sec-WebSocket-Accept: " + WebSocketHandshake.accept(KEY) + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                byte[] chunk = new byte[CHUNK];
                if (head.startsWith("GET /up ")) {
                    for (int n; (n = in.read(chunk)) >= 0; ) {
                        received.addAndGet(n);
                    }
                } else {
                    while (true) {
                        out.write(chunk);
                    }
                }
            } catch (IOException e) {
                // the client went away: the run is over
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
