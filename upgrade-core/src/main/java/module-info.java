/**
 * upgrade4j: the HTTP/1.1 protocol-upgrade layer of a proxy or server.
 *
 * <p>The module has no runtime dependency outside the JDK. JSpecify annotations are needed only at
 * compile time. It reads {@code jdk.jfr}, a module of every JDK, for its flight-recorder events; a
 * {@code jlink} image that adds this module gets it with it.
 */
module io.github.upgrade4j {
    requires static transitive org.jspecify;
    requires jdk.jfr;

    exports io.github.upgrade4j.http;
    exports io.github.upgrade4j.hop;
    exports io.github.upgrade4j.upgrade;
    exports io.github.upgrade4j.tunnel;
}
