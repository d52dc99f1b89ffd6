package io.github.upgrade4j.examples.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * What {@code --version} prints: the project's version, which Maven writes into {@code
 * version.properties} as it copies the resources (so it is the same in {@code target/classes} and in the
 * jar), and the Java runtime's.
 */
public final class ProjectVersion implements IVersionProvider {
    private static final String RESOURCE = "/io/github/upgrade4j/examples/version.properties";

    /** The project version, such as {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        try (InputStream in = ProjectVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("expected " + RESOURCE + " on the class path: the build copies it");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"upgrade4j examples " + version(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                    + System.getProperty("java.vm.name") + ")"};
    }
}
