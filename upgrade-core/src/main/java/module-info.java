/**
 * upgrade4j: the HTTP/1.1 protocol-upgrade layer of a proxy or server.
 *
 * <p>The module has no runtime dependency. JSpecify annotations are needed only at compile time.
 */
module io.github.upgrade4j {
    requires static transitive org.jspecify;

    exports io.github.upgrade4j.http;
    exports io.github.upgrade4j.hop;
    exports io.github.upgrade4j.upgrade;
    exports io.github.upgrade4j.tunnel;
}
