package io.github.upgrade4j.benchmarks;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The benchmarks' result files in JSON, through one Jackson mapper: what the comparisons write
 * ({@link ComparisonResults}, {@link WaitingResults}) and what {@link Plots} reads back, with JMH's
 * {@code -rf json} output. Indented, so that a diff of a results file shows which figures moved.
 *
 * <p>Reading accepts {@code NaN} as a number as well as a string: JMH writes a score it could not
 * compute either way.
 */
final class ResultFiles {
    /** Configured once here and never changed afterwards, so that it can be shared. */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private ResultFiles() {}

    /** Writes {@code value} to {@code out} (creating its directory), ending with a line break. */
    static void write(Path out, Object value) throws IOException {
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        Files.writeString(out, toJson(value) + "\n");
        System.out.println("wrote " + out);
    }

    /** {@code value} as the indented JSON text {@link #write} puts in a file. */
    static String toJson(Object value) throws IOException {
        return MAPPER.writeValueAsString(value);
    }

    /** The file {@code file} as a {@code type}, property by property. */
    static <T> T read(Path file, Class<T> type) throws IOException {
        return MAPPER.readValue(file.toFile(), type);
    }

    /** The JSON text {@code json} as a {@code type}. */
    static <T> T parse(String json, Class<T> type) throws IOException {
        return MAPPER.readValue(json, type);
    }

    /** Any JSON file as a tree, for documents whose shape is another tool's (JMH's). */
    static JsonNode readTree(Path file) throws IOException {
        return MAPPER.readTree(file.toFile());
    }

    /** Any JSON text as a tree. */
    static JsonNode parseTree(String json) throws IOException {
        return MAPPER.readTree(json);
    }

    /** {@code value} rounded to four decimals: the precision the result files keep. */
    static double round4(double value) {
        return Double.isFinite(value) ? Math.round(value * 1e4) / 1e4 : value;
    }
}
