package io.github.upgrade4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The fuzz seed corpus is kept once, in {@code src/test/fuzz-corpus/}, and every Jazzer target replays all
 * of it: the build copies it into each target's inputs folder on the test classpath,
 * {@code <pkg>/<Class>Inputs/<method>/fuzz-corpus/}, which Jazzer's regression mode walks recursively
 * beside the target's own seeds (its folder in {@code src/test/resources}, where findings land).
 *
 * <p>This finds every {@code @FuzzTest} method among the compiled test classes and fails when one has no
 * copy of the corpus, or a copy that lacks or alters one of its seeds (a new target without its
 * {@code copy-resources} execution in upgrade-core/pom.xml would replay none of the corpus, silently), and
 * when a seed is kept twice: two corpus files with the same bytes, or a target's own seed with the bytes
 * of another seed.
 */
class FuzzCorpusTest {
    private static final Path CORPUS = Path.of("src/test/fuzz-corpus");
    private static final String COPY = "fuzz-corpus";

    @Test
    void everyFuzzTestReplaysTheWholeCorpus() throws IOException {
        Map<String, byte[]> corpus = seeds(CORPUS);
        assertFalse(corpus.isEmpty(), () -> "no seed in " + CORPUS.toAbsolutePath());
        List<Path> inputs = inputsFolders();
        assertFalse(inputs.isEmpty(), "no @FuzzTest method found among the test classes");
        for (Path folder : inputs) {
            Path copy = folder.resolve(COPY);
            assertTrue(Files.isDirectory(copy), () -> copy + " is missing: add a copy-resources execution for this"
                    + " @FuzzTest to upgrade-core/pom.xml (see fuzz-corpus-Http1ParserFuzzTest)");
            // A seed since deleted from the corpus may linger in a build without clean; every seed of the
            // corpus must be there, as it is.
            Map<String, byte[]> copied = seeds(copy);
            corpus.forEach((name, bytes) -> assertArrayEquals(bytes, copied.get(name), () -> copy + "/" + name));
        }
    }

    @Test
    void everySeedIsKeptOnce() throws IOException {
        Map<String, Path> byContent = new LinkedHashMap<>();
        List<Path> all = new ArrayList<>(files(CORPUS));
        for (Path folder : inputsFolders()) {
            if (!Files.isDirectory(folder)) {
                continue; // no seed of its own, and no copy: the other test says so
            }
            try (Stream<Path> own = Files.walk(folder)) {
                own.filter(p -> Files.isRegularFile(p) && !p.startsWith(folder.resolve(COPY))).sorted()
                        .forEach(all::add);
            }
        }
        for (Path seed : all) {
            String sha = sha256(Files.readAllBytes(seed));
            Path first = byContent.putIfAbsent(sha, seed);
            assertTrue(first == null, () -> seed + " has the bytes of " + first + ": keep one (a seed every target"
                    + " can use belongs in " + CORPUS + ")");
        }
    }

    /** The inputs folder, {@code <pkg>/<Class>Inputs/<method>/}, of every {@code @FuzzTest} method. */
    private static List<Path> inputsFolders() throws IOException {
        Path root = testClassesRoot();
        List<Path> folders = new ArrayList<>();
        for (Class<?> type : testClasses(root)) {
            for (Method method : type.getDeclaredMethods()) {
                if (method.isAnnotationPresent(FuzzTest.class)) {
                    Path pkg = root.resolve(type.getPackageName().replace('.', '/'));
                    folders.add(pkg.resolve(type.getSimpleName() + "Inputs").resolve(method.getName()));
                }
            }
        }
        return folders;
    }

    /** The folder the test classes were loaded from (target/test-classes under Maven). */
    private static Path testClassesRoot() {
        try {
            Path self = Path.of(FuzzCorpusTest.class.getResource("FuzzCorpusTest.class").toURI());
            Path root = self.getParent();
            for (int i = 0; i < FuzzCorpusTest.class.getPackageName().split("\\.").length; i++) {
                root = root.getParent();
            }
            return root;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Class<?>> testClasses(Path root) throws IOException {
        List<Path> classFiles;
        try (Stream<Path> walk = Files.walk(root)) {
            classFiles = walk.filter(p -> p.toString().endsWith(".class")).sorted().toList();
        }
        List<Class<?>> classes = new ArrayList<>();
        for (Path file : classFiles) {
            String relative = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
            String name = relative.substring(0, relative.length() - ".class".length());
            if (name.equals("module-info")) {
                continue;
            }
            try {
                classes.add(Class.forName(name, false, FuzzCorpusTest.class.getClassLoader()));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        return classes;
    }

    /** The files under {@code folder} (Jazzer replays subfolders too), by path relative to it. */
    private static Map<String, byte[]> seeds(Path folder) throws IOException {
        Map<String, byte[]> seeds = new TreeMap<>();
        for (Path file : files(folder)) {
            seeds.put(folder.relativize(file).toString(), Files.readAllBytes(file));
        }
        return seeds;
    }

    private static List<Path> files(Path folder) throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
