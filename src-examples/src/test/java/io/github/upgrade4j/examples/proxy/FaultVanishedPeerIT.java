package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.proxy.attacks.Leaks;
import io.github.upgrade4j.examples.proxy.attacks.LogLines;
import io.github.upgrade4j.examples.proxy.attacks.RawClient;
import io.github.upgrade4j.examples.proxy.attacks.ScriptedUpstream;
import io.github.upgrade4j.examples.proxy.attacks.Leaks;
import io.github.upgrade4j.examples.proxy.attacks.LogLines;
import io.github.upgrade4j.examples.proxy.attacks.RawClient;
import io.github.upgrade4j.examples.proxy.attacks.ScriptedUpstream;
import io.github.upgrade4j.tunnel.RelayOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A peer that disappears without a FIN or a reset (a crashed host, a NAT or firewall that dropped the
 * flow), through the example proxy on real sockets. Loopback cannot lose packets, so a {@link Cable}
 * stands between the proxy and the peer: it relays bytes until it is cut, then forwards nothing either
 * way, never closes the proxy's side and never reads it again, while the real peer goes away (its FIN
 * dies in the cable). The proxy never hears of it; the idle timeout closes the tunnel with a FIN to the
 * side that is still there.
 *
 * <p>When the side that is still there keeps writing, the tunnel is never idle: the relay's send-stall
 * timeout catches that case, set here through
 * {@link ReverseProxy#start(ReverseProxy.Config, RelayOptions, java.io.PrintStream)}.
 */
class FaultVanishedPeerIT {
    private final LogLines log = new LogLines();
    private Leaks leaks;

    @BeforeEach
    void snapshot() {
        leaks = Leaks.snapshot();
    }

    @AfterEach
    void nothingLeft() {
        leaks.assertReleased();
    }

    @Test
    void anUpstreamThatVanishesIsClosedByTheIdleTimeoutAndTheClientGetsAFin() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.echoing());
                Cable cable = new Cable(upstream.address(), true);
                ReverseProxy proxy = ReverseProxy.start(FaultSilentUpstreamIT.config(cable.address(),
                        Duration.ofMillis(300), Duration.ofSeconds(5)), log.stream());
                RawClient client = RawClient.connect(proxy.address())) {
            client.send(FaultSilentUpstreamIT.WEBSOCKET).readUntil("\r\n\r\n");
            client.send("hello").readUntil("hello");

            cable.cut();
            upstream.peer(0).awaitEnd(); // the real upstream is gone; the proxy was not told
            long start = System.nanoTime();
            RawClient.Reply rest = client.readToEnd();

            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertFalse(rest.reset(), "the client, still there, gets a FIN");
            assertTrue(millis < 5_000, () -> "closed after " + millis + " ms");
            assertTrue(log.awaitLine("tunnel closed").contains("IDLE_TIMEOUT"), log::toString);
        }
    }

    @Test
    void aClientThatVanishesIsClosedByTheIdleTimeoutAndTheUpstreamGetsAFin() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.echoing());
                ReverseProxy proxy = ReverseProxy.start(FaultSilentUpstreamIT.config(upstream.address(),
                        Duration.ofMillis(300), Duration.ofSeconds(5)), log.stream());
                Cable cable = new Cable(proxy.address(), false)) {
            RawClient client = RawClient.connect(cable.address());
            client.send(FaultSilentUpstreamIT.WEBSOCKET).readUntil("\r\n\r\n");
            client.send("hello").readUntil("hello");

            cable.cut();
            client.close(); // the real client is gone; the proxy was not told

            ScriptedUpstream.Peer peer = upstream.peer(0).awaitEnd();
            assertFalse(peer.wasReset(), "the upstream, still there, gets a FIN");
            assertTrue(log.awaitLine("tunnel closed").contains("IDLE_TIMEOUT"), log::toString);
        }
    }

    @Test
    void aVanishedUpstreamThatTheClientKeepsWritingToIsClosedByTheSendStallTimeout() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start(ScriptedUpstream.echoing());
                Cable cable = new Cable(upstream.address(), true);
                ReverseProxy proxy = ReverseProxy.start(FaultSilentUpstreamIT.config(
                        cable.address(), Duration.ofSeconds(60), Duration.ofSeconds(5)),
                        RelayOptions.builder().sendStallTimeout(Duration.ofMillis(300)).build(), log.stream())) {
            RawClient client = RawClient.connect(proxy.address());
            client.send(FaultSilentUpstreamIT.WEBSOCKET).readUntil("\r\n\r\n");
            cable.cut();
            Thread writer = new Thread(() -> {
                try {
                    while (true) {
                        client.send(new byte[16 * 1024]); // into the void, until the proxy gives up
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "vanished-upstream-writer");
            writer.start();

            assertTrue(log.awaitLine("tunnel closed").contains("STALL_TIMEOUT"), log::toString);
            client.close();
            writer.join(10_000);
        }
    }

    /**
     * A TCP relay that can be cut: after {@link #cut()} it forwards nothing either way, closes its socket
     * to the peer (whose FIN and later bytes go nowhere), and keeps its socket to the proxy open without
     * reading it again, as a vanished host would.
     */
    static final class Cable implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        private final InetSocketAddress far;
        private final boolean proxyDials;
        private final Thread acceptor;
        private final List<Thread> threads = new CopyOnWriteArrayList<>();
        private volatile boolean cut;
        private volatile Socket proxySide;
        private volatile Socket peerSide;

        /**
         * A cable to {@code far}; {@code proxyDials} when the proxy connects to the cable (the peer is the
         * upstream at {@code far}), false when the client does (the proxy is at {@code far}).
         */
        Cable(InetSocketAddress far, boolean proxyDials) throws IOException {
            this.far = far;
            this.proxyDials = proxyDials;
            this.acceptor = new Thread(this::accept, "cable-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) listener.getLocalSocketAddress();
        }

        private void accept() {
            try {
                Socket near = listener.accept();
                Socket farSocket = new Socket(far.getAddress(), far.getPort());
                proxySide = proxyDials ? near : farSocket;
                peerSide = proxyDials ? farSocket : near;
                copy(proxySide, peerSide, "cable-from-proxy");
                copy(peerSide, proxySide, "cable-to-proxy");
            } catch (IOException e) {
                // closed
            }
        }

        private void copy(Socket from, Socket to, String name) {
            Thread thread = new Thread(() -> {
                byte[] chunk = new byte[16 * 1024];
                try {
                    InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream();
                    for (int n; !cut && (n = in.read(chunk)) >= 0; ) {
                        if (!cut) {
                            out.write(chunk, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // cut or closed
                }
            }, name);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }

        /** From now on the peer is gone without a trace, as far as the proxy can tell. */
        void cut() throws IOException {
            cut = true;
            peerSide.close();
        }

        @Override
        public void close() throws IOException {
            cut = true;
            listener.close();
            for (Socket socket : new Socket[] {proxySide, peerSide}) {
                if (socket != null) {
                    socket.close();
                }
            }
            try {
                acceptor.join(10_000);
                for (Thread thread : threads) {
                    thread.join(10_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
