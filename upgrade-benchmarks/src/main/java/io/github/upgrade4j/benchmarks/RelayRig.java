package io.github.upgrade4j.benchmarks;

import io.github.upgrade4j.tunnel.Endpoint;
import io.github.upgrade4j.tunnel.Opening;
import io.github.upgrade4j.tunnel.Tunnel;
import io.github.upgrade4j.tunnel.RelayOptions;
import io.github.upgrade4j.tunnel.RelayPath;
import io.github.upgrade4j.tunnel.TunnelRelay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A client and a server connected over loopback, either directly or through a {@link TunnelRelay}
 * in the same process, as the relay benchmarks need them. Both ends are blocking channels with
 * {@code TCP_NODELAY}, driven with direct buffers so that the harness adds no copy of its own.
 *
 * <p>Not thread-safe; each rig belongs to one benchmark (one sender and one receiver thread).
 */
final class RelayRig implements AutoCloseable {
    private static final InetAddress LOCALHOST = InetAddress.getLoopbackAddress();

    /** The client's end: what a browser would hold. */
    final SocketChannel client;
    /** The server's end: what the origin would hold. */
    final SocketChannel server;
    private final SocketChannel[] proxyLegs;
    private final Tunnel tunnel;

    private RelayRig(SocketChannel client, SocketChannel server, SocketChannel[] proxyLegs, Tunnel tunnel) {
        this.client = client;
        this.server = server;
        this.proxyLegs = proxyLegs;
        this.tunnel = tunnel;
    }

    /** A client connected straight to the server: the no-proxy baseline. */
    static RelayRig direct() {
        try (ServerSocketChannel listener = listen()) {
            SocketChannel client = connect(listener);
            SocketChannel server = accepted(listener);
            return new RelayRig(client, server, new SocketChannel[0], null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client connected to a proxy leg, relayed by {@code relay} to a leg connected to the server. */
    static RelayRig relayed(TunnelRelay relay) {
        try (ServerSocketChannel proxyListener = listen(); ServerSocketChannel originListener = listen()) {
            SocketChannel client = connect(proxyListener);
            SocketChannel proxyClient = accepted(proxyListener);
            SocketChannel proxyUpstream = connect(originListener);
            SocketChannel server = accepted(originListener);
            Opening opening = relay.open(Endpoint.of(proxyClient), Endpoint.of(proxyUpstream));
            if (!(opening instanceof Opening.Opened opened)) {
                throw new IllegalStateException("the relay refused a benchmark tunnel: " + opening);
            }
            return new RelayRig(client, server, new SocketChannel[] {proxyClient, proxyUpstream}, opened.tunnel());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A rig of the kind named {@code "direct"}, or through {@code relay} for any other name. */
    static RelayRig of(String path, TunnelRelay relay) {
        return path.equals("direct") ? direct() : relayed(relay);
    }

    /**
     * The relay a benchmark's {@code path} parameter names: {@code splice} or {@code copy} (and a
     * copying relay, unused, for {@code direct}). Splicing needs Java 22+ and the fork's flags
     * ({@code --enable-native-access=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, which the
     * relay benchmarks' {@code @Fork} passes); where it cannot run the benchmark fails saying why.
     */
    static TunnelRelay relayFor(String path) {
        RelayPath relayPath = path.equals("splice") ? RelayPath.SPLICE : RelayPath.COPY;
        return TunnelRelay.start(RelayOptions.builder().relayPath(relayPath).build());
    }

    private static ServerSocketChannel listen() throws IOException {
        return ServerSocketChannel.open().bind(new InetSocketAddress(LOCALHOST, 0));
    }

    private static SocketChannel connect(ServerSocketChannel listener) throws IOException {
        SocketChannel channel = SocketChannel.open(listener.getLocalAddress());
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return channel;
    }

    private static SocketChannel accepted(ServerSocketChannel listener) throws IOException {
        SocketChannel channel = listener.accept();
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return channel;
    }

    /** Writes every remaining byte of {@code buffer}. */
    static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Reads until {@code buffer} is full; false on EOF. */
    static boolean readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Starts a daemon thread that reads and discards everything the server receives until EOF. */
    Thread drainServer() {
        Thread thread = new Thread(() -> {
            ByteBuffer sink = ByteBuffer.allocateDirect(1024 * 1024);
            try {
                while (server.read(sink.clear()) >= 0) {
                    // discard
                }
            } catch (IOException e) {
                // closed by the teardown
            }
        }, "relay-bench-drain");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Starts a daemon thread that echoes the server's input in messages of {@code size} bytes. */
    Thread echoServer(int size) {
        Thread thread = new Thread(() -> {
            ByteBuffer message = ByteBuffer.allocateDirect(size);
            try {
                while (readFully(server, message.clear())) {
                    writeFully(server, message.flip());
                }
            } catch (IOException e) {
                // closed by the teardown
            }
        }, "relay-bench-echo");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Override
    public void close() {
        if (tunnel != null) {
            tunnel.close();
        }
        for (SocketChannel channel : new SocketChannel[] {client, server}) {
            try {
                channel.close();
            } catch (IOException e) {
                // best effort
            }
        }
        if (tunnel == null) {
            for (SocketChannel leg : proxyLegs) {
                try {
                    leg.close();
                } catch (IOException e) {
                    // best effort
                }
            }
        }
    }
}
