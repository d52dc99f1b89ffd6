package io.github.upgrade4j.examples.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.upgrade4j.tunnel.RelayPath;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Each option type's accepted forms, and the message that names what it expected and what it got. */
class ConvertersTest {
    private static final class RelayPaths extends Converters.LowerCaseEnum<RelayPath> {
        RelayPaths() {
            super(RelayPath.class);
        }
    }

    private static String refusal(ITypeConverter<?> converter, String text) {
        return assertThrows(TypeConversionException.class, () -> converter.convert(text)).getMessage();
    }

    @Test
    void anAddressIsHostColonPortWithBracketsForIpv6() throws Exception {
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), Converters.address("127.0.0.1:8080"));
        assertEquals(new InetSocketAddress("127.0.0.1", 0), Converters.address("127.0.0.1:0"));
        assertEquals(new InetSocketAddress("0.0.0.0", 65_535), Converters.address("0.0.0.0:65535"));
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 443), Converters.address("[::1]:443"));
        for (String bad : List.of("127.0.0.1:65536", "127.0.0.1:99999", "127.0.0.1", "127.0.0.1:", ":8080", "[::1]:",
                "::1:8080", "127.0.0.1:+80", "127.0.0.1:-1", "127.0.0.1: 80", "127.0.0.1:http", "127.0.0.1:080000",
                "127.0.0.1:\u0661\u0662")) {
            assertEquals("expected HOST:PORT with a port from 0 to 65535 but was '" + bad + "'",
                    refusal(new Converters.Address(), bad), bad);
        }
    }

    @Test
    void aDurationHasAUnitUnlessItIsZero() {
        Converters.AnyDuration any = new Converters.AnyDuration();
        assertEquals(Duration.ZERO, any.convert("0"));
        assertEquals(Duration.ZERO, any.convert("0s"));
        assertEquals(Duration.ofMillis(500), any.convert("500ms"));
        assertEquals(Duration.ofSeconds(60), any.convert("60s"));
        assertEquals(Duration.ofMinutes(2), any.convert("2m"));
        assertEquals(Duration.ofHours(1), any.convert("1h"));
        for (String bad : List.of("60", "-5s", "+5s", "1.5s", "5 s", "5S", "ms", "s", "", "5d", "5x", "1000000000000s")) {
            assertEquals("expected a duration like 500ms, 60s, 2m, 1h or 0 but was '" + bad + "'", refusal(any, bad), bad);
        }
        assertEquals(Duration.ofMillis(1), new Converters.PositiveDuration().convert("1ms"));
        assertEquals("expected a duration above 0 like 500ms, 60s or 2m but was '0ms'",
                refusal(new Converters.PositiveDuration(), "0ms"));
    }

    @Test
    void aSizeIsBytesOrKibibytesOrMebibytesAtLeastOne() {
        Converters.Size size = new Converters.Size();
        assertEquals(65_536, size.convert("65536"));
        assertEquals(65_536, size.convert("64k"));
        assertEquals(65_536, size.convert("64K"));
        assertEquals(1024 * 1024, size.convert("1m"));
        assertEquals(1, size.convert("1"));
        for (String bad : List.of("0", "0k", "-1", "64q", "64kb", "k", "2048m", "1.5m", " 64k")) {
            assertEquals("expected a size like 65536, 64k or 1m (at least 1 byte, below 2g) but was '" + bad + "'",
                    refusal(size, bad), bad);
        }
    }

    @Test
    void aCountAndAPortHaveTheirRanges() {
        assertEquals(1, new Converters.Count().convert("1"));
        assertEquals(Integer.MAX_VALUE, new Converters.Count().convert("2147483647"));
        for (String bad : List.of("0", "-1", "2147483648", "1e3", "ten")) {
            assertEquals("expected a whole number from 1 to 2147483647 but was '" + bad + "'",
                    refusal(new Converters.Count(), bad), bad);
        }
        assertEquals(0, new Converters.Port().convert("0"));
        assertEquals(65_535, new Converters.Port().convert("65535"));
        assertEquals("expected a port from 0 to 65535 but was '65536'", refusal(new Converters.Port(), "65536"));
    }

    @Test
    void anEnumIsItsConstantsLowerCaseNamesExactly() {
        RelayPaths paths = new RelayPaths();
        assertEquals(RelayPath.COPY, paths.convert("copy"));
        assertEquals(List.of("auto", "copy", "splice"), StreamSupport.stream(paths.spliterator(), false).toList());
        assertEquals("expected auto, copy or splice but was 'COPY'", refusal(paths, "COPY"));
        assertEquals("expected auto, copy or splice but was ''", refusal(paths, ""));
    }

    @Test
    void aFileMustExistBeAFileAndBeReadable(@TempDir Path directory) throws IOException {
        Path file = Files.writeString(directory.resolve("app.password"), "secret\n");
        Converters.ReadableFile readable = new Converters.ReadableFile();

        assertEquals(file, readable.convert(file.toString()));
        assertEquals("expected a file but there is none at '" + directory.resolve("app.p12") + "'",
                refusal(readable, directory.resolve("app.p12").toString()));
        assertEquals("expected a file but '" + directory + "' is a directory or a device",
                refusal(readable, directory.toString()));
    }
}
