package io.github.upgrade4j.examples.servlet;

import io.github.upgrade4j.tunnel.Opening;
import io.github.upgrade4j.tunnel.StreamEndpoint;
import io.github.upgrade4j.tunnel.StreamRelay;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Blocker;

/**
 * The client side of a WebSocket upgrade in Jetty 12: the connection that takes over the client's
 * {@link EndPoint} once the servlet's 101 is sent, and relays it to the upstream socket with a
 * {@link StreamRelay}.
 *
 * <p>The servlet sets it as the request attribute {@code HttpStream.UPGRADE_CONNECTION_ATTRIBUTE}
 * (Jetty's own WebSocket server upgrades connections the same way); when the 101 has been written,
 * Jetty hands the end point over ({@code EndPoint.upgrade}), passes the bytes it had read past the
 * request head to {@link #onUpgradeTo} and calls {@link #onOpen}, where the tunnel opens. Jetty's
 * Servlet 6 {@code request.upgrade(...)} is not used: in Jetty 12.1 the {@code WebConnection} of an
 * upgraded request without a body (every WebSocket handshake is a GET) reads end of stream at once,
 * since the request's content ended with its head, and the connection is not closed when both
 * streams are.
 *
 * <p>The end point becomes a {@link StreamEndpoint}: blocking reads and writes over Jetty's
 * non-blocking {@code fill}/{@code write} (each waits for its callback), {@code shutdownOutput} as
 * the half-close (a real FIN, the input stays readable) and {@code close} as the close. Jetty's idle
 * timeout is switched off for the end point: the relay's timeouts govern the tunnel. Reads happen on
 * one relay thread and writes on the other, as Jetty's end points allow (one pending read, one
 * pending write).
 */
final class ServletJettyConnection extends AbstractConnection implements Connection.UpgradeTo {
    private static final ByteBuffer NONE = ByteBuffer.allocate(0);

    private final StreamRelay relay;
    private final StreamEndpoint upstream;
    private final String line;
    private final PrintStream log;
    private ByteBuffer leftover = NONE;

    ServletJettyConnection(EndPoint endPoint, Executor executor, StreamRelay relay, StreamEndpoint upstream, String line,
            PrintStream log) {
        super(endPoint, executor);
        this.relay = Objects.requireNonNull(relay, "relay");
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.line = line;
        this.log = log;
    }

    /** Jetty passes the bytes it read past the request head (the buffer is its own: copy them). */
    @Override
    public void onUpgradeTo(ByteBuffer buffer) {
        if (buffer != null && buffer.hasRemaining()) {
            leftover = ByteBuffer.allocate(buffer.remaining()).put(buffer).flip();
        }
    }

    @Override
    public void onOpen() {
        super.onOpen();
        EndPoint endPoint = getEndPoint();
        endPoint.setIdleTimeout(0);
        StreamEndpoint client = new StreamEndpoint(new Input(endPoint), new Output(endPoint), leftover,
                endPoint::shutdownOutput, endPoint::close);
        Opening opening = relay.open(client, upstream);
        if (opening instanceof Opening.Refused refused) {
            // Its limit was reached between the servlet's check and now: the client has its 101 already.
            log.println(line + " tunnel refused after the 101: " + refused.reason() + ": " + refused.detail());
            endPoint.close();
            closeQuietly(upstream.close());
            return;
        }
        // Qualified: Jetty's Connection interface has a nested Tunnel of its own.
        io.github.upgrade4j.tunnel.Tunnel tunnel = ((Opening.Opened) opening).tunnel();
        tunnel.outcome().thenAccept(outcome -> log.println(line + " tunnel closed: " + outcome.reason() + ", "
                + outcome.bytesClientToUpstream() + " B up, " + outcome.bytesUpstreamToClient() + " B down, "
                + outcome.duration().toMillis() + " ms"));
    }

    /** Never called: the relay's reads wait on {@link EndPoint#fillInterested} themselves. */
    @Override
    public void onFillable() {
        // nothing to do
    }

    /** The relay's idle timeout governs the tunnel, not Jetty's. */
    @Override
    public boolean onIdleExpired(TimeoutException timeout) {
        return false;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // best effort
        }
    }

    /** Blocking reads from a Jetty end point. */
    private static final class Input extends InputStream {
        private final EndPoint endPoint;

        Input(EndPoint endPoint) {
            this.endPoint = endPoint;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            if (length == 0) {
                return 0;
            }
            while (true) {
                ByteBuffer target = ByteBuffer.wrap(bytes, offset, length).slice();
                target.limit(0); // fill() appends between the limit and the capacity
                int n = endPoint.fill(target);
                if (n != 0) {
                    return n; // bytes, or -1 at the client's FIN
                }
                try (Blocker.Callback readable = Blocker.callback()) {
                    endPoint.fillInterested(readable);
                    readable.block(); // fails with the end point's close
                }
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }
    }

    /** Blocking writes to a Jetty end point; each write returns once Jetty has written every byte. */
    private static final class Output extends OutputStream {
        private final EndPoint endPoint;

        Output(EndPoint endPoint) {
            this.endPoint = endPoint;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            try (Blocker.Callback written = Blocker.callback()) {
                endPoint.write(written, ByteBuffer.wrap(bytes, offset, length));
                written.block();
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }
}
