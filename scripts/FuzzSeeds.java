import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes every raw HTTP head found in the tests' sources into the one fuzz seed corpus,
 * {@code upgrade-core/src/test/fuzz-corpus/}, as files named {@code head_<SourceFile>_<n>}. Run from the
 * repository root after adding tests:
 *
 * <pre>java scripts/FuzzSeeds.java</pre>
 *
 * <p>A raw head is a string literal or text block (adjacent literals joined by {@code +} count as one)
 * that, as Java evaluates it, starts with a request line or a status line and holds a line end. The
 * files are exact bytes (ISO-8859-1), so a replayed seed is exactly the head the test wrote. Earlier
 * {@code head_*} files are replaced; other seeds (hand-written ones) are left alone, and a head with the
 * same bytes as one of them, or as a target's own seed, is not written: each seed is kept once.
 *
 * <p>The build copies the corpus into every Jazzer target's inputs folder
 * ({@code <pkg>/<Class>Inputs/<method>/fuzz-corpus/} on the test classpath, see upgrade-core/pom.xml),
 * so every {@code @FuzzTest} replays every seed. Findings and seeds shaped for one target stay in its
 * own {@code upgrade-core/src/test/resources/<pkg>/<Class>Inputs/<method>/}, which this script does
 * not touch.
 */
public class FuzzSeeds {
    private static final List<Path> SOURCES = List.of(Path.of("upgrade-core/src/test/java"),
            Path.of("src-examples/src/test/java"));
    private static final Path CORPUS = Path.of("upgrade-core/src/test/fuzz-corpus");
    /** Holds each target's own seeds, in {@code <pkg>/<Class>Inputs/<method>/}. */
    private static final Path RESOURCES = Path.of("upgrade-core/src/test/resources");
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
        Files.createDirectories(CORPUS);
        List<Path> seeds;
        try (Stream<Path> list = Files.list(CORPUS)) {
            seeds = list.filter(Files::isRegularFile).sorted().toList();
        }
        Set<String> kept = new HashSet<>(); // the bytes of every seed that is not a head_* of the corpus
        for (Path seed : seeds) {
            if (seed.getFileName().toString().startsWith("head_")) {
                Files.delete(seed);
            } else {
                kept.add(new String(Files.readAllBytes(seed), StandardCharsets.ISO_8859_1));
            }
        }
        int handWritten = kept.size();
        if (Files.isDirectory(RESOURCES)) {
            try (Stream<Path> walk = Files.walk(RESOURCES)) {
                for (Path seed : walk.filter(p -> Files.isRegularFile(p) && p.toString().contains("Inputs")).toList()) {
                    kept.add(new String(Files.readAllBytes(seed), StandardCharsets.ISO_8859_1));
                }
            }
        }
        heads.keySet().removeAll(kept);
        for (Map.Entry<String, String> head : heads.entrySet()) {
            Files.write(CORPUS.resolve(head.getValue()), head.getKey().getBytes(StandardCharsets.ISO_8859_1));
        }
        System.out.println(heads.size() + " raw heads (" + digest(heads.keySet()) + ") written to " + CORPUS
                + ", beside " + handWritten + " hand-written seeds");
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
