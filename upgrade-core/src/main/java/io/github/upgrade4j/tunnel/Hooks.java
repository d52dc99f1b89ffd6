package io.github.upgrade4j.tunnel;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Objects;

/** The hooks {@link CloseHook} provides; a separate class so that the interface holds no state. */
final class Hooks {
    static final CloseHook NONE = side -> {
        Objects.requireNonNull(side, "side");
        return ByteBuffer.allocate(0);
    };

    /** RFC 6455 §5.2: FIN + opcode 0x8 (Close); payload: status 1001 in network byte order. */
    private static final byte FIN_CLOSE = (byte) 0x88;
    private static final byte STATUS_HIGH = (byte) (1001 >> 8);
    private static final byte STATUS_LOW = (byte) (1001 & 0xFF);
    private static final SecureRandom MASKS = new SecureRandom();

    static final CloseHook WEBSOCKET_GOING_AWAY = side -> {
        if (Objects.requireNonNull(side, "side") == CloseHook.Side.CLIENT) {
            return ByteBuffer.wrap(new byte[] {FIN_CLOSE, 2, STATUS_HIGH, STATUS_LOW});
        }
        byte[] mask = new byte[4];
        MASKS.nextBytes(mask);
        return ByteBuffer.wrap(new byte[] {FIN_CLOSE, (byte) 0x82, mask[0], mask[1], mask[2], mask[3],
                (byte) (STATUS_HIGH ^ mask[0]), (byte) (STATUS_LOW ^ mask[1])});
    };

    private Hooks() {}

    /**
     * The bytes {@code hook} gives for {@code side}, as a buffer the caller may consume; none if it
     * gives null or fails (logged: a drain goes on without them).
     */
    static ByteBuffer closingBytes(CloseHook hook, CloseHook.Side side) {
        try {
            ByteBuffer bytes = hook.closingBytes(side);
            return bytes == null ? ByteBuffer.allocate(0) : bytes.duplicate();
        } catch (RuntimeException e) {
            System.getLogger(CloseHook.class.getName()).log(System.Logger.Level.WARNING,
                    "the close hook failed; closing without its bytes", e);
            return ByteBuffer.allocate(0);
        }
    }
}
