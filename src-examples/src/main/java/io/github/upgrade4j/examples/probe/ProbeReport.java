package io.github.upgrade4j.examples.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.upgrade4j.examples.probe.ProbeResult.Idle;
import io.github.upgrade4j.http.HeaderField;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.ResponseHead;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Prints what a {@code probe} found: for a person, each path as soon as its handshake is done, then
 * the idle watch, the differences and the conclusion; with {@code --json}, one JSON object at the end.
 *
 * <p>The JSON (written with Jackson, on one line) is an object with {@code url}, {@code worked},
 * {@code exitStatus}, {@code conclusion}, {@code paths} (one object per path: {@code name},
 * {@code connect}, {@code tls}, {@code sent}, {@code received}, {@code status}, {@code worked},
 * {@code summary}, {@code reason}, {@code explanations}, {@code hints}, {@code body}, {@code millis},
 * {@code idle}) and, with {@code --via}, {@code differences} ({@code status}, {@code onlyDirect},
 * {@code onlyVia}, {@code changed}). Absent values are {@code null}, not left out.
 */
final class ProbeReport {
    /** Fields that differ between any two handshakes, whatever the hops: not worth reporting as changed. */
    private static final Set<String> EXPECTED_TO_DIFFER = Set.of("sec-websocket-accept", "date");
    /** The width explanations are wrapped to, for a terminal. */
    private static final int WIDTH = 110;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Probe.Options options;
    private final PrintStream out;

    ProbeReport(Probe.Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Prints one path's handshake (for a person; JSON waits for the end). */
    void handshake(ProbeResult result) {
        if (options.json()) {
            return;
        }
        ProbeTarget target = result.target();
        out.println("== " + target.name() + (target.name().equals("direct") ? " to " + target.address() : "")
                + (target.tls() ? " over TLS" : "") + " ==");
        result.sent().forEach(line -> out.println("> " + line));
        result.received().forEach(line -> out.println("< " + line));
        if (result.body() != null) {
            out.println("body:");
            result.body().lines().forEach(line -> out.println(wrap(line, "  ")));
        }
        out.println(result.verdict().summary() + " (" + result.took().toMillis() + " ms)");
        result.verdict().explanations().forEach(why -> out.println(wrap(why, "  ")));
        out.println();
    }

    /** Tells a person why nothing happens for a while. */
    void idleStarts(java.time.Duration wait, long upgraded) {
        if (!options.json()) {
            out.println("holding " + upgraded + (upgraded == 1 ? " upgraded connection" : " upgraded connections")
                    + " idle for up to " + ProbeResult.seconds(wait) + " s, sending nothing...");
            out.flush();
        }
    }

    /** Prints the rest and returns the exit status. */
    int finish(List<ProbeResult> results) {
        boolean worked = results.stream().allMatch(r -> r.verdict().worked());
        int status = worked ? 0 : 1;
        String conclusion = conclusion(results);
        if (options.json()) {
            out.println(json(results, worked, status, conclusion));
            return status;
        }
        if (!options.idle().isZero()) {
            out.println("== idle ==");
            for (ProbeResult result : results) {
                out.println("  " + result.target().name() + ": "
                        + (result.idle() == null ? "not watched: no upgraded connection" : result.idle().describe()));
            }
            out.println();
        }
        if (results.size() == 2) {
            out.println("== differences: " + results.get(0).target().name() + " vs " + results.get(1).target().name()
                    + " ==");
            differences(results.get(0), results.get(1)).forEach(line -> out.println(wrap(line, "  ")));
            out.println();
        }
        out.println((worked ? "OK: " : "FAILED: ") + conclusion);
        return status;
    }

    private static String conclusion(List<ProbeResult> results) {
        boolean first = results.get(0).verdict().worked();
        if (results.size() == 1) {
            return first ? "the upgrade worked" : "the upgrade did not work";
        }
        boolean second = results.get(1).verdict().worked();
        String via = results.get(1).target().name();
        if (first && second) {
            return "the upgrade worked directly and " + via;
        }
        if (first) {
            return "the upgrade works directly but not " + via + ": that proxy, or a hop between it and the server,"
                    + " breaks it";
        }
        if (second) {
            return "the upgrade works " + via + " but not directly";
        }
        return status(results.get(0)).equals(status(results.get(1)))
                ? "the upgrade fails directly and " + via + " alike: the server itself does not switch at this URL"
                : "the upgrade fails directly and " + via;
    }

    /** A field present in both answers with different values. */
    private record Changed(String field, String first, String second) {}

    /** The differences section: status, fields in one answer only, changed fields, idle endings. */
    private static List<String> differences(ProbeResult a, ProbeResult b) {
        List<String> lines = new ArrayList<>();
        String nameA = a.target().name();
        String nameB = b.target().name();
        if (!status(a).equals(status(b))) {
            lines.add("status: " + status(a) + " " + nameA + ", " + status(b) + " " + nameB);
        }
        Map<String, HeaderField> fieldsA = fields(a.response());
        Map<String, HeaderField> fieldsB = fields(b.response());
        section(lines, "only " + nameA + ":", only(fieldsA, fieldsB));
        section(lines, "only " + nameB + ":", only(fieldsB, fieldsA));
        section(lines, "changed:", changed(fieldsA, fieldsB).stream().map(c -> c.field() + ": '" + c.first() + "' "
                + nameA + ", '" + c.second() + "' " + nameB).toList());
        if (a.idle() != null && b.idle() != null && a.idle().ending() != b.idle().ending()) {
            section(lines, "idle:", List.of(nameA + ": " + a.idle().describe(), nameB + ": " + b.idle().describe()));
        }
        if (lines.isEmpty()) {
            lines.add("none: the same status and fields (values that differ in every handshake, like"
                    + " Sec-WebSocket-Accept and Date, aside)");
        }
        return lines;
    }

    private static void section(List<String> lines, String title, List<String> items) {
        if (!items.isEmpty()) {
            lines.add(title);
            items.forEach(item -> lines.add("  " + item));
        }
    }

    private static String status(ProbeResult result) {
        ResponseHead response = result.response();
        return response == null ? "no answer" : response.status() + " " + response.reason();
    }

    /** The answer's fields by lower-case name, repeated fields joined with ", " in wire order. */
    private static Map<String, HeaderField> fields(@Nullable ResponseHead response) {
        Map<String, HeaderField> fields = new LinkedHashMap<>();
        if (response != null) {
            for (HeaderField field : response.headers()) {
                fields.merge(field.name().lowerCase(), field, (was, more) -> new HeaderField(was.name(),
                        was.value() + ", " + more.value()));
            }
        }
        return fields;
    }

    private static List<String> only(Map<String, HeaderField> in, Map<String, HeaderField> notIn) {
        List<String> only = new ArrayList<>();
        in.forEach((name, field) -> {
            if (!notIn.containsKey(name)) {
                only.add(field.name() + ": " + field.value());
            }
        });
        return only;
    }

    private static List<Changed> changed(Map<String, HeaderField> a, Map<String, HeaderField> b) {
        List<Changed> changed = new ArrayList<>();
        a.forEach((name, field) -> {
            HeaderField other = b.get(name);
            boolean tokens = name.equals("connection") || name.equals("upgrade"); // 'Upgrade' is 'upgrade' there
            if (other != null && !EXPECTED_TO_DIFFER.contains(name) && !(tokens
                    ? other.value().equalsIgnoreCase(field.value()) : other.value().equals(field.value()))) {
                changed.add(new Changed(field.name().toString(), field.value(), other.value()));
            }
        });
        return changed;
    }

    /**
     * {@code text} after {@code indent}, broken at spaces so that lines stay within {@value #WIDTH}
     * columns where the words allow; continuation lines get two more spaces of indent.
     */
    static String wrap(String text, String indent) {
        if (indent.length() + text.length() <= WIDTH) {
            return indent + text;
        }
        String continued = indent + "  ";
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder(indent);
        int prefix = indent.length();
        for (String word : text.split(" ")) {
            if (line.length() > prefix && line.length() + 1 + word.length() > WIDTH) {
                out.append(line).append('\n');
                line = new StringBuilder(continued);
                prefix = continued.length();
            }
            if (line.length() > prefix) {
                line.append(' ');
            }
            line.append(word);
        }
        return out.append(line).toString();
    }

    /** The report as one JSON object; its shape is in the class documentation. */
    private String json(List<ProbeResult> results, boolean worked, int status, String conclusion) {
        ObjectNode json = JSON.createObjectNode()
                .put("url", options.url())
                .put("worked", worked)
                .put("exitStatus", status)
                .put("conclusion", conclusion);
        ArrayNode paths = json.putArray("paths");
        results.forEach(result -> path(paths.addObject(), result));
        if (results.size() == 2) {
            ProbeResult a = results.get(0);
            ProbeResult b = results.get(1);
            Map<String, HeaderField> fieldsA = fields(a.response());
            Map<String, HeaderField> fieldsB = fields(b.response());
            ObjectNode differences = json.putObject("differences");
            differences.putArray("status").add(status(a)).add(status(b));
            strings(differences.putArray("onlyDirect"), only(fieldsA, fieldsB));
            strings(differences.putArray("onlyVia"), only(fieldsB, fieldsA));
            ArrayNode changed = differences.putArray("changed");
            for (Changed change : changed(fieldsA, fieldsB)) {
                changed.addObject().put("field", change.field()).put("direct", change.first()).put("via", change.second());
            }
        }
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of strings, numbers and booleans always serialises
        }
    }

    private static void path(ObjectNode json, ProbeResult result) {
        ResponseHead response = result.response();
        json.put("name", result.target().name())
                .put("connect", result.target().address())
                .put("tls", result.target().tls());
        strings(json.putArray("sent"), result.sent());
        strings(json.putArray("received"), result.received());
        if (response == null) {
            json.putNull("status");
        } else {
            json.put("status", response.status());
        }
        json.put("worked", result.verdict().worked())
                .put("summary", result.verdict().summary())
                .put("reason", result.verdict().reason() == null ? null : result.verdict().reason().name());
        strings(json.putArray("explanations"), result.verdict().explanations());
        ObjectNode hints = json.putObject("hints");
        if (response != null) {
            for (HeaderName hint : List.of(ProbeVerdict.UPGRADE_IGNORED, ProbeVerdict.UPGRADE_NOT_FORWARDED)) {
                response.headers().first(hint).ifPresent(v -> hints.put(hint.toString(), v));
            }
        }
        json.put("body", result.body())
                .put("millis", result.took().toMillis());
        Idle idle = result.idle();
        if (idle == null) {
            json.putNull("idle");
        } else {
            ObjectNode watched = json.putObject("idle")
                    .put("askedMillis", idle.asked().toMillis())
                    .put("ending", idle.ending().name().toLowerCase(Locale.ROOT))
                    .put("afterMillis", idle.after().toMillis());
            strings(watched.putArray("frames"), idle.frames());
            watched.put("detail", idle.detail());
        }
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
