package io.github.upgrade4j.examples.support;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scrape of {@code /metrics} as Prometheus' reference client parses it: the text goes through
 * {@code prometheus_client.parser.text_string_to_metric_families} (Debian's python3-prometheus-client,
 * run by {@code /usr/bin/python3}, not whatever {@code python3} is first on the PATH) in
 * {@code src/test/python/parse_metrics.py}, whose JSON is read back here. Text the parser rejects fails
 * the test.
 *
 * <p>Without the package a test fails in CI, which installs it, and is skipped elsewhere, with the
 * command that installs it ({@link ExternalTools#missing}).
 */
public final class PrometheusText {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("src", "test", "python", "parse_metrics.py");
    private static final String INSTALL = "the metrics tests parse /metrics with Prometheus' Python client: install"
            + " it with 'apt-get install -y python3-prometheus-client' (Debian's package, for /usr/bin/python3)";

    /** A family: its name as the parser gives it (a counter's without {@code _total}) and type. */
    public record Family(String name, String type, List<Sample> samples) {}

    /** A sample: its full name, labels and value ({@code NaN} and infinities as doubles too). */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private final Map<String, Family> families;

    private PrometheusText(Map<String, Family> families) {
        this.families = families;
    }

    /** Parses {@code text}; fails the test when the parser rejects it or cannot be run. */
    @SuppressWarnings("unchecked")
    public static PrometheusText parse(String text) throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            ExternalTools.missing(PYTHON + " is missing; " + INSTALL);
        }
        Process python = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString()).start();
        try {
            CompletableFuture<byte[]> errors = CompletableFuture.supplyAsync(() -> errors(python));
            try (OutputStream in = python.getOutputStream()) {
                in.write(text.getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!python.waitFor(30, TimeUnit.SECONDS)) {
                fail("the Prometheus text parser did not finish within 30 s");
            }
            String error = new String(errors.join(), StandardCharsets.UTF_8);
            if (error.contains("No module named 'prometheus_client'")) {
                ExternalTools.missing(INSTALL);
            }
            if (python.exitValue() != 0) {
                fail("Prometheus' text parser rejected the scrape:\n" + error + "\nthe text:\n" + text);
            }
            Map<String, Family> families = new LinkedHashMap<>();
            for (Object item : (List<Object>) JsonLines.parse(output).get("families")) {
                Map<String, Object> family = (Map<String, Object>) item;
                List<Sample> samples = new ArrayList<>();
                for (Object s : (List<Object>) family.get("samples")) {
                    Map<String, Object> sample = (Map<String, Object>) s;
                    Object value = sample.get("value");
                    samples.add(new Sample((String) sample.get("name"), (Map<String, String>) sample.get("labels"),
                            value instanceof Double d ? d : Double.parseDouble((String) value)));
                }
                String name = (String) family.get("name");
                families.put(name, new Family(name, (String) family.get("type"), List.copyOf(samples)));
            }
            return new PrometheusText(families);
        } finally {
            python.destroyForcibly(); // by pid; it has ended unless the test failed above
        }
    }

    private static byte[] errors(Process process) {
        try {
            return process.getErrorStream().readAllBytes();
        } catch (IOException e) {
            return e.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The family named {@code name} (a counter's without {@code _total}); fails the test when there is none. */
    public Family family(String name) {
        Family family = families.get(name);
        assertTrue(family != null, "expected the metric family " + name + " but the scrape has " + families.keySet());
        return family;
    }

    /** Whether the scrape has a family named {@code name}. */
    public boolean has(String name) {
        return families.containsKey(name);
    }

    /**
     * The sum of the samples named {@code sample} whose labels include {@code labels} (name, value, name,
     * value ...); 0 when none matches.
     */
    public double sum(String sample, String... labels) {
        double sum = 0;
        for (Family family : families.values()) {
            for (Sample s : family.samples()) {
                if (s.name().equals(sample) && matches(s.labels(), labels)) {
                    sum += s.value();
                }
            }
        }
        return sum;
    }

    /** The value of each sample named {@code sample}, by the value of its label {@code label}. */
    public Map<String, Double> byLabel(String sample, String label) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (Family family : families.values()) {
            for (Sample s : family.samples()) {
                if (s.name().equals(sample) && s.labels().containsKey(label)) {
                    values.merge(s.labels().get(label), s.value(), Double::sum);
                }
            }
        }
        return values;
    }

    private static boolean matches(Map<String, String> labels, String... wanted) {
        for (int i = 0; i + 1 < wanted.length; i += 2) {
            if (!wanted[i + 1].equals(labels.get(wanted[i]))) {
                return false;
            }
        }
        return true;
    }
}
