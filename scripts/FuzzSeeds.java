import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes every raw HTTP head found in the tests' sources into the seed folders of the fuzz targets,
 * as files named {@code head_<SourceFile>_<n>}. Run from the repository root after adding tests:
 *
 * <pre>java scripts/FuzzSeeds.java</pre>
 *
 * <p>A raw head is a string literal or text block (adjacent literals joined by {@code +} count as one)
 * that, as Java evaluates it, starts with a request line or a status line and holds a line end. The
 * files are exact bytes (ISO-8859-1), so a replayed seed is exactly the head the test wrote. Earlier
 * {@code head_*} files are replaced; other seeds (hand-written ones, crash findings) are left alone.
 */
public class FuzzSeeds {
    private static final List<Path> SOURCES = List.of(Path.of("upgrade-core/src/test/java"),
            Path.of("src-examples/src/test/java"));
    private static final Path RESOURCES = Path.of("upgrade-core/src/test/resources/io/github/upgrade4j");
    private static final List<Path> TARGETS = List.of(
            RESOURCES.resolve("http/Http1ParserFuzzTestInputs/parsesAnyBytesSafely"),
            RESOURCES.resolve("http/FieldListFuzzTestInputs/splitsAnyListSafely"),
            RESOURCES.resolve("hop/HopByHopPolicyFuzzTestInputs/stripsAnyHeadSafely"),
            RESOURCES.resolve("upgrade/UpgradeNegotiatorFuzzTestInputs/decidesAnyRequestSafely"),
            RESOURCES.resolve("upgrade/ProxyUpgradeFuzzTestInputs/forwardsAndJudgesAnyHeadsSafely"));
    private static final Pattern HEAD_START = Pattern.compile("^(\r?\n)*([A-Za-z]+ \\S+ HTTP/|HTTP/\\d)");

    public static void main(String[] args) throws IOException {
        Map<String, String> heads = new LinkedHashMap<>(); // content -> name, first source wins
        for (Path root : SOURCES) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(root)) {
                files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            }
            for (Path file : files) {
                String stem = file.getFileName().toString().replace(".java", "");
                int n = 0;
                for (String literal : literals(Files.readString(file))) {
                    if (HEAD_START.matcher(literal).find() && literal.contains("\n") && !heads.containsKey(literal)) {
                        heads.put(literal, "head_" + stem + "_" + ++n);
                    }
                }
            }
        }
        for (Path target : TARGETS) {
            Files.createDirectories(target);
            try (Stream<Path> old = Files.list(target)) {
                for (Path p : old.filter(p -> p.getFileName().toString().startsWith("head_")).toList()) {
                    Files.delete(p);
                }
            }
            for (Map.Entry<String, String> head : heads.entrySet()) {
                Files.write(target.resolve(head.getValue()), head.getKey().getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        System.out.println(heads.size() + " raw heads (" + digest(heads.keySet()) + ") written to " + TARGETS.size()
                + " seed folders");
    }

    /** The string literals and text blocks of a Java source, evaluated; adjacent ones joined by + merged. */
    static List<String> literals(String source) {
        String src = unicodeEscapes(source);
        List<String> out = new ArrayList<>();
        StringBuilder pending = null;
        int i = 0;
        int afterLast = -1;
        while (i < src.length()) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) {
                i = src.indexOf('\n', i) < 0 ? src.length() : src.indexOf('\n', i);
            } else if (src.startsWith("/*", i)) {
                i = src.indexOf("*/", i + 2) + 2;
            } else if (c == '\'') {
                i = skipCharLiteral(src, i);
            } else if (c == '"') {
                int end;
                String value;
                if (src.startsWith("\"\"\"", i)) {
                    int contentStart = src.indexOf('\n', i) + 1;
                    end = closingTextBlock(src, contentStart);
                    value = src.substring(contentStart, end).stripIndent().translateEscapes();
                    end += 3;
                } else {
                    end = closingQuote(src, i + 1);
                    value = src.substring(i + 1, end).translateEscapes();
                    end += 1;
                }
                boolean joined = pending != null && src.substring(afterLast, i).strip().equals("+");
                if (joined) {
                    pending.append(value);
                } else {
                    if (pending != null) {
                        out.add(pending.toString());
                    }
                    pending = new StringBuilder(value);
                }
                afterLast = end;
                i = end;
            } else {
                i++;
            }
        }
        if (pending != null) {
            out.add(pending.toString());
        }
        return out;
    }

    private static int closingQuote(String src, int from) {
        for (int i = from; i < src.length(); i++) {
            if (src.charAt(i) == '\\') {
                i++;
            } else if (src.charAt(i) == '"') {
                return i;
            }
        }
        throw new IllegalStateException("unterminated string literal");
    }

    private static int closingTextBlock(String src, int from) {
        for (int i = from; i < src.length(); i++) {
            if (src.charAt(i) == '\\') {
                i++;
            } else if (src.startsWith("\"\"\"", i)) {
                return i;
            }
        }
        throw new IllegalStateException("unterminated text block");
    }

    private static int skipCharLiteral(String src, int i) {
        int j = i + 1;
        if (src.charAt(j) == '\\') {
            j++;
        }
        return src.indexOf('\'', j + 1) + 1;
    }

    /** Java translates {@code \\uXXXX} before anything else; so do we (not after an odd run of backslashes). */
    private static String unicodeEscapes(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int backslashes = 0;
            for (int j = out.length() - 1; j >= 0 && out.charAt(j) == '\\'; j--) {
                backslashes++;
            }
            if (c == '\\' && backslashes % 2 == 0 && i + 1 < s.length() && s.charAt(i + 1) == 'u') {
                int j = i + 1;
                while (s.charAt(j) == 'u') {
                    j++;
                }
                out.append((char) Integer.parseInt(s.substring(j, j + 4), 16));
                i = j + 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String digest(Iterable<String> heads) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            heads.forEach(h -> sha.update(h.getBytes(StandardCharsets.ISO_8859_1)));
            StringBuilder hex = new StringBuilder("sha256 ");
            for (byte b : sha.digest()) {
                hex.append(String.format("%02x", b));
            }
            return hex.substring(0, 23);
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
