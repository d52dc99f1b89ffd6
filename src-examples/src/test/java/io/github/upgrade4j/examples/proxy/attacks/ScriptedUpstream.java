package io.github.upgrade4j.examples.proxy.attacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.upgrade.WebSocketHandshake;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An upstream on 127.0.0.1 whose every connection runs a {@link Script}, and which records every byte
 * the proxy sent it: the test's eye on what got through. One thread per connection; {@link #close()}
 * closes every connection and waits for those threads.
 *
 * <p>Scripts read with {@link Peer#readRequest()}, which keeps the bytes after a head for the next
 * read, so a pipelined second request is seen as such; they end by reading until the proxy closes
 * ({@link Peer#readToEnd()}) so that {@link Peer#received()} holds everything that reached the upstream.
 */
public final class ScriptedUpstream implements AutoCloseable {
    /** What the upstream does with one connection. */
    @FunctionalInterface
    public interface Script {
        void run(Peer peer) throws IOException;
    }

    private final ServerSocket server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
    private final List<Peer> peers = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile Script script;

    private ScriptedUpstream(Script script) throws IOException {
        this.script = script;
        this.acceptor = new Thread(this::accept, "scripted-upstream-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts an upstream that runs {@code script} for every connection. */
    public static ScriptedUpstream start(Script script) throws IOException {
        return new ScriptedUpstream(script);
    }

    /** From now on, new connections run {@code next}; connections already open keep their script. */
    public void script(Script next) {
        this.script = next;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** The connections accepted so far, in order. */
    public List<Peer> peers() {
        return List.copyOf(peers);
    }

    /** Forgets the connections accepted so far (they go on). */
    public void forget() {
        peers.clear();
    }

    /** The {@code n}th connection (from 0), waiting up to 10 s for it to be accepted. */
    public Peer peer(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (peers.size() <= n) {
            if (System.nanoTime() - deadline > 0) {
                fail("expected connection " + (n + 1) + " to reach the upstream within 10 s but " + peers.size()
                        + " did");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return peers.get(n);
    }

    /** Asserts that nothing connected to this upstream: every request was answered by the proxy itself. */
    public void assertNeverContacted() {
        assertEquals(List.of(), peers().stream().map(Peer::received).toList(), "connections that reached the upstream");
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Peer peer;
            try {
                peer = new Peer(socket);
            } catch (IOException e) {
                closeQuietly(socket);
                continue;
            }
            peers.add(peer);
            Script current = script;
            Thread thread = new Thread(() -> {
                try {
                    current.run(peer);
                } catch (IOException e) {
                    peer.failure = e;
                } finally {
                    peer.close();
                    peer.ended.complete(null);
                }
            }, "scripted-upstream " + socket.getPort());
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    @Override
    public void close() {
        closeQuietly(server);
        peers.forEach(Peer::close);
        try {
            acceptor.join(10_000);
            for (Thread thread : threads) {
                thread.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // best effort
        }
    }

    /** Answers each request on the connection with {@code response} until the proxy closes it. */
    public static Script answering(String response) {
        return peer -> {
            while (peer.readRequest() != null) {
                peer.write(response);
            }
        };
    }

    /** Reads whatever comes and never answers. */
    public static Script silent() {
        return Peer::readToEnd;
    }

    /** Switches to WebSocket with a correct accept, then echoes every byte until the proxy closes. */
    public static Script echoing() {
        return peer -> {
            RequestHead request = peer.readRequest();
            if (request == null) {
                return;
            }
            peer.write(switchingFor(request));
            peer.echo();
        };
    }

    /** The 101 a WebSocket origin answers to {@code request}. */
    public static String switchingFor(RequestHead request) {
        String key = request.headers().first(HeaderName.SEC_WEBSOCKET_KEY).orElse("");
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + WebSocketHandshake.accept(key) + "\r\n\r\n";
    }

    /** One connection from the proxy. */
    public static final class Peer implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        /** Read mode: bytes received and not yet consumed by a head or {@link #readToEnd}. */
        private ByteBuffer unread = ByteBuffer.allocate(0);
        private final List<RequestHead> requests = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        private volatile boolean reset;
        volatile IOException failure;

        Peer(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(30_000); // a broken proxy fails the test instead of hanging it
            this.in = socket.getInputStream();
        }

        public Socket socket() {
            return socket;
        }

        /** The next request head, or null when the proxy closed before sending one. */
        public RequestHead readRequest() throws IOException {
            Http1Parser<RequestHead> parser = Http1Parser.forRequests();
            while (true) {
                ParseResult<RequestHead> result = parser.parse(unread);
                if (result instanceof ParseResult.Complete<RequestHead> complete) {
                    requests.add(complete.head());
                    return complete.head();
                }
                if (result instanceof ParseResult.Rejected<RequestHead> rejected) {
                    throw new IOException("the proxy sent a head this upstream rejects: " + rejected.detail());
                }
                if (!fill()) {
                    return null;
                }
            }
        }

        /** Reads and records until what was received ends with {@code suffix}; false if the proxy closed first. */
        public boolean readUntil(String suffix) throws IOException {
            while (!received().endsWith(suffix)) {
                if (!fill()) {
                    return false;
                }
                unread.position(unread.limit());
            }
            return true;
        }

        /** Reads and records until the proxy closes the connection (EOF or reset). */
        public void readToEnd() throws IOException {
            while (fill()) {
                unread.position(unread.limit());
            }
        }

        /** Echoes every byte, the unread ones first, until the proxy closes the connection. */
        public void echo() throws IOException {
            while (true) {
                if (unread.hasRemaining()) {
                    byte[] bytes = new byte[unread.remaining()];
                    unread.get(bytes);
                    socket.getOutputStream().write(bytes);
                }
                if (!fill()) {
                    socket.shutdownOutput();
                    return;
                }
            }
        }

        private boolean fill() throws IOException {
            byte[] chunk = new byte[16 * 1024];
            int n;
            try {
                n = in.read(chunk);
            } catch (SocketException e) {
                if (String.valueOf(e.getMessage()).contains("reset")) {
                    reset = true;
                    return false;
                }
                if (socket.isClosed()) {
                    return false; // closed by ScriptedUpstream.close()
                }
                throw e;
            }
            if (n < 0) {
                return false;
            }
            synchronized (received) {
                received.write(chunk, 0, n);
            }
            ByteBuffer next = ByteBuffer.allocate(unread.remaining() + n);
            next.put(unread).put(chunk, 0, n).flip();
            unread = next;
            return true;
        }

        public void write(String text) throws IOException {
            write(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        public void write(byte[] bytes) throws IOException {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        }

        /** Closes with SO_LINGER 0, so that the proxy sees a reset instead of a FIN. */
        public void reset() {
            try {
                socket.setSoLinger(true, 0);
            } catch (SocketException ignored) {
                // already closed
            }
            close();
        }

        /** Everything the proxy sent on this connection so far, as ISO-8859-1 text. */
        public String received() {
            synchronized (received) {
                return received.toString(StandardCharsets.ISO_8859_1);
            }
        }

        /** The request heads read so far. */
        public List<RequestHead> requests() {
            return new ArrayList<>(requests);
        }

        /** Whether the proxy reset the connection (rather than closing it with a FIN). */
        public boolean wasReset() {
            return reset;
        }

        /** Waits up to 10 s for the script to end: the proxy closed the connection or the script returned. */
        public Peer awaitEnd() {
            try {
                ended.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                fail("expected the proxy to close its upstream connection within 10 s; received so far:\n" + received());
            }
            return this;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
