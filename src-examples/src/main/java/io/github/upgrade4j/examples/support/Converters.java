package io.github.upgrade4j.examples.support;

import io.github.upgrade4j.upgrade.Protocol;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The value types of the examples' options, as picocli converters. Each says what it expected and what
 * it was given; picocli puts the option's name in front, so a mistake reads {@code Invalid value for
 * option '--listen': expected HOST:PORT with a port from 0 to 65535 but was '127.0.0.1:99999'}.
 *
 * <p>Converters only check the text; settings that depend on each other are checked by the command.
 */
public final class Converters {
    private Converters() {}

    /** {@code HOST:PORT}, with {@code [::1]:PORT} for IPv6; port 0 asks for any free port. */
    public static final class Address implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String text) {
            return address(text);
        }
    }

    /** A port from 0 to 65535. */
    public static final class Port implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            int port = digits(text, 5) ? Integer.parseInt(text) : -1;
            if (port < 0 || port > 65_535) {
                throw new TypeConversionException("expected a port from 0 to 65535 but was '" + text + "'");
            }
            return port;
        }
    }

    /** {@code 500ms}, {@code 60s}, {@code 2m}, {@code 1h}, or {@code 0} for none. */
    public static final class AnyDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            return duration(text);
        }
    }

    /** Like {@link AnyDuration}, but more than zero. */
    public static final class PositiveDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            Duration duration = duration(text);
            if (duration.isZero()) {
                throw new TypeConversionException("expected a duration above 0 like 500ms, 60s or 2m but was '" + text
                        + "'");
            }
            return duration;
        }
    }

    /** {@code 65536}, {@code 64k} or {@code 1m}: a number of bytes, at least 1. */
    public static final class Size implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            String lower = text.toLowerCase(Locale.ROOT);
            int unit = lower.endsWith("k") ? 1024 : lower.endsWith("m") ? 1024 * 1024 : 1;
            String number = unit == 1 ? lower : lower.substring(0, lower.length() - 1);
            try {
                if (digits(number, 10) && Integer.parseInt(number) > 0) {
                    return Math.multiplyExact(Integer.parseInt(number), unit);
                }
            } catch (NumberFormatException | ArithmeticException e) {
                // too large: the message below
            }
            throw new TypeConversionException("expected a size like 65536, 64k or 1m (at least 1 byte, below 2g) but was '"
                    + text + "'");
        }
    }

    /** A whole number of at least 1. */
    public static final class Count implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            try {
                if (digits(text, 10) && Integer.parseInt(text) > 0) {
                    return Integer.parseInt(text);
                }
            } catch (NumberFormatException e) {
                // too large: the message below
            }
            throw new TypeConversionException("expected a whole number from 1 to " + Integer.MAX_VALUE + " but was '"
                    + text + "'");
        }
    }

    /** An {@code Upgrade} protocol, {@code name} or {@code name/version} (RFC 9110 §7.8): {@code TLS/1.2}. */
    public static final class UpgradeProtocol implements ITypeConverter<Protocol> {
        @Override
        public Protocol convert(String text) {
            try {
                return Protocol.parse(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("expected a protocol like websocket or TLS/1.2 (a token, optionally"
                        + " '/' and a token) but was '" + text + "'");
            }
        }
    }

    /** A file that exists and can be read, so that a mistyped path is named before anything starts. */
    public static final class ReadableFile implements ITypeConverter<Path> {
        @Override
        public Path convert(String text) {
            Path path;
            try {
                path = Path.of(text);
            } catch (InvalidPathException e) {
                throw new TypeConversionException("expected a file name but was '" + text + "': " + e.getReason());
            }
            if (!Files.exists(path)) {
                throw new TypeConversionException("expected a file but there is none at '" + text + "'");
            }
            if (!Files.isRegularFile(path)) {
                throw new TypeConversionException("expected a file but '" + text + "' is a directory or a device");
            }
            if (!Files.isReadable(path)) {
                throw new TypeConversionException("expected a readable file but '" + text + "' cannot be read");
            }
            return path;
        }
    }

    /**
     * An enum's constants by their lower-case names ({@code copy} for {@code COPY}), exactly: a
     * subclass per enum serves as the option's converter and as its {@code completionCandidates}, which
     * the help text shows with {@code ${COMPLETION-CANDIDATES}}.
     */
    public abstract static class LowerCaseEnum<E extends Enum<E>> implements ITypeConverter<E>, Iterable<String> {
        private final List<E> constants;

        protected LowerCaseEnum(Class<E> type) {
            this.constants = Arrays.asList(type.getEnumConstants());
        }

        @Override
        public E convert(String text) {
            for (E constant : constants) {
                if (name(constant).equals(text)) {
                    return constant;
                }
            }
            List<String> names = constants.stream().map(LowerCaseEnum::name).toList();
            throw new TypeConversionException("expected " + String.join(", ", names.subList(0, names.size() - 1))
                    + " or " + names.get(names.size() - 1) + " but was '" + text + "'");
        }

        @Override
        public Iterator<String> iterator() {
            return constants.stream().map(LowerCaseEnum::name).iterator();
        }

        private static String name(Enum<?> constant) {
            return constant.name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * {@code HOST:PORT}, with {@code [::1]:PORT} for IPv6. A host name is resolved now; one that does not
     * resolve is kept unresolved, to be reported where it is used.
     *
     * @throws TypeConversionException for text that is not {@code HOST:PORT} with a port from 0 to 65535
     */
    public static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon <= 0 ? "" : text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            host = ""; // an IPv6 address needs its brackets, or its last group reads as the port
        }
        String port = colon < 0 ? "" : text.substring(colon + 1);
        if (host.isEmpty() || !digits(port, 5) || Integer.parseInt(port) > 65_535) {
            throw new TypeConversionException("expected HOST:PORT with a port from 0 to 65535 but was '" + text + "'");
        }
        return new InetSocketAddress(host, Integer.parseInt(port));
    }

    /**
     * {@code 500ms}, {@code 60s}, {@code 2m}, {@code 1h}, or {@code 0} for none.
     *
     * @throws TypeConversionException for any other text
     */
    public static Duration duration(String text) {
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        int unitLength = text.endsWith("ms") ? 2 : 1;
        String number = text.substring(0, Math.max(0, text.length() - unitLength));
        if (digits(number, 12)) {
            long n = Long.parseLong(number);
            switch (text.substring(number.length())) {
                case "ms":
                    return Duration.ofMillis(n);
                case "s":
                    return Duration.ofSeconds(n);
                case "m":
                    return Duration.ofMinutes(n);
                case "h":
                    return Duration.ofHours(n);
                default:
                    break;
            }
        }
        throw new TypeConversionException("expected a duration like 500ms, 60s, 2m, 1h or 0 but was '" + text + "'");
    }

    /** Whether {@code text} is 1 to {@code max} ASCII digits: no sign, no space, no other script's digits. */
    private static boolean digits(String text, int max) {
        if (text.isEmpty() || text.length() > max) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
