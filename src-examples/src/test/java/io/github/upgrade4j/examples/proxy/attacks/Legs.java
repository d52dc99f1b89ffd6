package io.github.upgrade4j.examples.proxy.attacks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Two connected socket pairs on 127.0.0.1, as a proxy holds them after a 101, for tests that drive a
 * {@code TunnelRelay} directly: the test's {@link #client} talks to the relay's {@link #proxyClient}
 * leg, and the relay's {@link #proxyUpstream} leg talks to the test's {@link #upstream}. All four are
 * channels in blocking mode; the relay makes its two legs non-blocking.
 */
public final class Legs implements AutoCloseable {
    private static final InetAddress LOCALHOST = InetAddress.getLoopbackAddress();

    public final SocketChannel client;
    public final SocketChannel proxyClient;
    public final SocketChannel proxyUpstream;
    public final SocketChannel upstream;

    private Legs(SocketChannel client, SocketChannel proxyClient, SocketChannel proxyUpstream, SocketChannel upstream) {
        this.client = client;
        this.proxyClient = proxyClient;
        this.proxyUpstream = proxyUpstream;
        this.upstream = upstream;
    }

    /** A factory of pairs whose sockets all have {@code SO_RCVBUF} and {@code SO_SNDBUF} of {@code bufferBytes}. */
    public static final class Factory implements AutoCloseable {
        private final ServerSocketChannel proxySide;
        private final ServerSocketChannel upstreamSide;
        private final int bufferBytes;

        /** {@code bufferBytes} 0 leaves the system's buffer sizes. */
        public Factory(int bufferBytes) throws IOException {
            this.bufferBytes = bufferBytes;
            proxySide = ServerSocketChannel.open();
            upstreamSide = ServerSocketChannel.open();
            for (ServerSocketChannel listener : new ServerSocketChannel[] {proxySide, upstreamSide}) {
                if (bufferBytes > 0) {
                    listener.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes); // inherited by accepted sockets
                }
                listener.bind(new InetSocketAddress(LOCALHOST, 0), 1024);
            }
        }

        public Legs open() throws IOException {
            SocketChannel client = connect(proxySide);
            SocketChannel proxyClient = accepted(proxySide);
            SocketChannel proxyUpstream = connect(upstreamSide);
            SocketChannel upstream = accepted(upstreamSide);
            return new Legs(client, proxyClient, proxyUpstream, upstream);
        }

        private SocketChannel connect(ServerSocketChannel to) throws IOException {
            SocketChannel channel = SocketChannel.open();
            if (bufferBytes > 0) {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
                channel.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
            }
            channel.connect(to.getLocalAddress());
            return channel;
        }

        private SocketChannel accepted(ServerSocketChannel from) throws IOException {
            SocketChannel channel = from.accept();
            if (bufferBytes > 0) {
                channel.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
            }
            return channel;
        }

        @Override
        public void close() throws IOException {
            proxySide.close();
            upstreamSide.close();
        }
    }

    /** Closes the test's two ends with SO_LINGER 0, so the relay sees resets. */
    public void resetOuter() {
        for (SocketChannel channel : new SocketChannel[] {client, upstream}) {
            try {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                channel.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    @Override
    public void close() {
        for (SocketChannel channel : new SocketChannel[] {client, proxyClient, proxyUpstream, upstream}) {
            try {
                channel.close();
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
