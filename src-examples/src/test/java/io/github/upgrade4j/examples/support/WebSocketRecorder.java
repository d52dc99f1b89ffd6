package io.github.upgrade4j.examples.support;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link WebSocket.Listener} for the JDK client that turns its callbacks into a queue of whole
 * messages ({@code String} or {@code byte[]}), {@link Pong}s, a {@link Closed} and errors, taken in
 * order with {@link #next(Class)}.
 */
public final class WebSocketRecorder implements WebSocket.Listener {
    private static final int WAIT_SECONDS = 10;

    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

    /** A pong the client received. */
    public record Pong(byte[] payload) {}

    /** The server's Close frame, as the client saw it. */
    public record Closed(int code, String reason) {}

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            events.add(text.toString());
            text.setLength(0);
        }
        socket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
        byte[] part = new byte[data.remaining()];
        data.get(part);
        binary.writeBytes(part);
        if (last) {
            events.add(binary.toByteArray());
            binary.reset();
        }
        socket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket socket, ByteBuffer message) {
        byte[] payload = new byte[message.remaining()];
        message.get(payload);
        events.add(new Pong(payload));
        socket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
        events.add(new Closed(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
        events.add(error);
    }

    /** The next event, which must be of {@code type}; fails the test after 10 s without one. */
    public <T> T next(Class<T> type) throws InterruptedException {
        Object event = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(event, "no event within " + WAIT_SECONDS + " s");
        return assertInstanceOf(type, event);
    }
}
