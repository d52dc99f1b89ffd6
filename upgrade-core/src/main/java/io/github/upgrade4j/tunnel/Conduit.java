package io.github.upgrade4j.tunnel;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The client's side of a tunnel when it is not a socket but a stream inside one, such as an HTTP/2 stream
 * opened by an extended CONNECT (RFC 8441) or an HTTP/3 stream (RFC 9220), for {@link TunnelRelay#open(Conduit,
 * Endpoint)}. The relay moves its bytes on its event loops, as it does a socket's: no thread waits for it, and
 * no buffer is held while it is idle.
 *
 * <p>Every method but {@link #onReady} is called on the relay's event loop only, one at a time, and must not
 * block: a stream whose window or buffer is full takes fewer bytes (or none), a stream with no bytes gives
 * none, and the implementation calls the relay's wake-up once that changes. An HTTP/2 stream, for example,
 * reads DATA frames its connection has received and lets the connection return their credit to the peer
 * (WINDOW_UPDATE) only as the relay reads them, so a slow upstream stops the client at the stream's window,
 * and the connection's other streams go on.
 *
 * <pre>{@code
 * // Jetty 12, an extended CONNECT answered 200: the stream's DATA is the client's side
 * Opening opening = relay.open(new JettyStreamConduit(stream), Endpoint.of(upstreamChannel, bytesAfter101));
 * }</pre>
 *
 * <p>The relay calls {@link #close} exactly once, when the tunnel ends, and never calls anything after it.
 * Until {@link TunnelRelay#open} answers {@link Opening.Opened} the conduit is the caller's; a refused open
 * never calls any of its methods.
 */
public interface Conduit {
    /**
     * Called once, on the thread that opens the tunnel, before any other method: the relay's wake-up. Call
     * it, from any thread, whenever {@link #read} may return bytes after it returned 0, whenever
     * {@link #write} may take bytes after it took fewer than it was given, and when the stream fails or its
     * peer resets it. It returns at once and never blocks; calling it when nothing changed costs one
     * pass over the tunnel.
     *
     * @param wakeUp what to call
     */
    void onReady(Runnable wakeUp);

    /**
     * Reads what the stream has received into {@code dst}, without blocking.
     *
     * @param dst where to put the bytes, in write mode
     * @return how many bytes were read; 0 if none are there now (the wake-up says when); -1 once the peer
     *     ended its side of the stream (an HTTP/2 END_STREAM) and every byte before that end was read
     * @throws ConduitResetException if the peer reset the stream (an HTTP/2 RST_STREAM): the relay ends
     *     the tunnel with {@link CloseReason#CLIENT_RESET} and resets the upstream
     * @throws IOException if the stream failed otherwise: the tunnel ends with {@link CloseReason#IO_ERROR}
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Takes as many bytes of {@code src} as the stream can send or hold now, without blocking; the bytes
     * taken are the stream's from then on (copy them if they are sent later: the relay reuses its buffer).
     *
     * @param src the bytes, in read mode; its position moves past the bytes taken
     * @return how many bytes were taken; fewer than given (or 0) if the stream's flow-control window or
     *     buffer is full, in which case the relay waits for the wake-up
     * @throws ConduitResetException if the peer reset the stream
     * @throws IOException if the stream failed otherwise
     */
    int write(ByteBuffer src) throws IOException;

    /**
     * Ends this side's output once every byte taken so far was sent (an HTTP/2 END_STREAM), leaving the
     * input readable: the relay's half-close, called once, when the upstream's bytes ended with a FIN and
     * every one of them was taken.
     *
     * @throws IOException if the stream failed
     */
    void shutdownOutput() throws IOException;

    /**
     * Ends the stream, exactly once, when the tunnel ends. With {@code abort} (the other side was reset,
     * or the tunnel failed) the peer must see a reset (an HTTP/2 RST_STREAM), never an end it could take
     * for complete. Without it (both sides ended, a timeout, a drain, the caller's close) a stream that
     * both sides ended is left alone, and one still open is ended or cancelled as the protocol does it.
     *
     * @param abort whether the peer must see a reset
     */
    void close(boolean abort);
}
