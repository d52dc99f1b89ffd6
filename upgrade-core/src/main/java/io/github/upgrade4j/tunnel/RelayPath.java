package io.github.upgrade4j.tunnel;

/**
 * How a tunnel's bytes travel through the relay: copied through user space, or spliced in the kernel.
 * {@link RelayOptions#relayPath()} chooses it for a relay; {@link Tunnel#path()} and
 * {@link TunnelOutcome#path()} say which one a tunnel used ({@link #COPY} or {@link #SPLICE}, never
 * {@link #AUTO}), and {@link RelayStats#tunnelsSpliced()} counts the tunnels opened on the splice path.
 *
 * <p>The splice path runs on Linux with Java 22 or newer, where the JVM lets the library call
 * {@code splice(2)} through {@code java.lang.foreign} and read a channel's file descriptor:
 * <pre>
 * --enable-native-access=io.github.upgrade4j --add-opens java.base/sun.nio.ch=io.github.upgrade4j   (module path)
 * --enable-native-access=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED                     (class path)
 * </pre>
 * An executable JAR can carry both in its manifest ({@code Enable-Native-Access: ALL-UNNAMED},
 * {@code Add-Opens: java.base/sun.nio.ch}). A tunnel with a TLS leg always copies: the relay must see
 * the plaintext to encrypt or decrypt it.
 *
 * <p>Immutable and thread-safe, like every enum.
 */
public enum RelayPath {
    /**
     * Splice where it can run (Linux, Java 22+, access granted, no TLS leg), copy elsewhere. When the
     * relay starts and cannot splice, it logs one line saying why, once per process.
     */
    AUTO,
    /**
     * Every byte is read into a pooled direct buffer and written out of it: two copies per byte inside
     * the proxy, on every platform and Java version.
     */
    COPY,
    /**
     * Every byte of a plain tunnel moves from socket to socket through a pooled pipe with
     * {@code splice(2)}, without entering user space; a tunnel with a TLS leg still copies. A relay
     * started with this choice where splicing cannot run fails to start, saying why.
     */
    SPLICE
}
