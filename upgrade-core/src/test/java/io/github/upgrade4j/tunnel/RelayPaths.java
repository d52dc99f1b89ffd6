package io.github.upgrade4j.tunnel;

import java.util.List;
import java.util.Locale;

/**
 * The byte paths the relay tests run on: the copy path everywhere, and the splice path too where it
 * can run, Linux with Java 22 or newer. Test classes that relay take these as a class parameter, so
 * that every test of theirs runs on each path:
 *
 * <pre>{@code
 * @ParameterizedClass(name = "{0}")
 * @MethodSource("io.github.upgrade4j.tunnel.RelayPaths#tested")
 * class TunnelBytesTest {
 *     @Parameter
 *     RelayPath path;
 * }</pre>
 *
 * <p>The splice path is not dropped quietly where it should run: such a JVM without the access the
 * build grants it makes {@code TunnelRelay.start} throw with {@link RelayPath#SPLICE}, and the tests
 * fail. On Java 17 to 21 the list is the copy path alone, and {@code RelayPathTest} checks that the
 * relay says why.
 */
final class RelayPaths {
    private RelayPaths() {}

    static List<RelayPath> tested() {
        return splicingExpected() ? List.of(RelayPath.COPY, RelayPath.SPLICE) : List.of(RelayPath.COPY);
    }

    /** Whether this JVM should be able to splice: Linux on x86-64 or AArch64, Java 22 or newer. */
    static boolean splicingExpected() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return Runtime.version().feature() >= 22 && System.getProperty("os.name", "").startsWith("Linux")
                && List.of("amd64", "x86_64", "aarch64").contains(arch);
    }
}
