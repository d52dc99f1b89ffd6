package io.github.upgrade4j.examples.probe;

import io.github.upgrade4j.examples.probe.ProbeResult.Idle;
import io.github.upgrade4j.http.HeaderField;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.ResponseHead;
import java.io.PrintStream;
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
 * <p>The JSON is written by hand (the examples have no dependency): an object with {@code url},
 * {@code worked}, {@code exitStatus}, {@code conclusion}, {@code paths} (one object per path) and,
 * with {@code --via}, {@code differences}.
 */
final class ProbeReport {
    /** Fields that differ between any two handshakes, whatever the hops: not worth reporting as changed. */
    private static final Set<String> EXPECTED_TO_DIFFER = Set.of("sec-websocket-accept", "date");
    /** The width explanations are wrapped to, for a terminal. */
    private static final int WIDTH = 110;

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

    private String json(List<ProbeResult> results, boolean worked, int status, String conclusion) {
        Json json = new Json().open('{')
                .field("url").string(options.url())
                .field("worked").raw(Boolean.toString(worked))
                .field("exitStatus").raw(Integer.toString(status))
                .field("conclusion").string(conclusion)
                .field("paths").open('[');
        for (ProbeResult result : results) {
            path(json.element(), result);
        }
        json.close(']');
        if (results.size() == 2) {
            ProbeResult a = results.get(0);
            ProbeResult b = results.get(1);
            Map<String, HeaderField> fieldsA = fields(a.response());
            Map<String, HeaderField> fieldsB = fields(b.response());
            json.field("differences").open('{')
                    .field("status").open('[').element().string(status(a)).element().string(status(b)).close(']')
                    .field("onlyDirect").strings(only(fieldsA, fieldsB))
                    .field("onlyVia").strings(only(fieldsB, fieldsA))
                    .field("changed").open('[');
            for (Changed changed : changed(fieldsA, fieldsB)) {
                json.element().open('{').field("field").string(changed.field()).field("direct").string(changed.first())
                        .field("via").string(changed.second()).close('}');
            }
            json.close(']').close('}');
        }
        return json.close('}').toString();
    }

    private static void path(Json json, ProbeResult result) {
        ResponseHead response = result.response();
        json.open('{')
                .field("name").string(result.target().name())
                .field("connect").string(result.target().address())
                .field("tls").raw(Boolean.toString(result.target().tls()))
                .field("sent").strings(result.sent())
                .field("received").strings(result.received())
                .field("status").raw(response == null ? "null" : Integer.toString(response.status()))
                .field("worked").raw(Boolean.toString(result.verdict().worked()))
                .field("summary").string(result.verdict().summary())
                .field("reason").nullableString(result.verdict().reason() == null ? null : result.verdict().reason().name())
                .field("explanations").strings(result.verdict().explanations())
                .field("hints").open('{');
        if (response != null) {
            for (HeaderName hint : List.of(ProbeVerdict.UPGRADE_IGNORED, ProbeVerdict.UPGRADE_NOT_FORWARDED)) {
                response.headers().first(hint).ifPresent(v -> json.field(hint.toString()).string(v));
            }
        }
        json.close('}')
                .field("body").nullableString(result.body())
                .field("millis").raw(Long.toString(result.took().toMillis()))
                .field("idle");
        Idle idle = result.idle();
        if (idle == null) {
            json.raw("null");
        } else {
            json.open('{')
                    .field("askedMillis").raw(Long.toString(idle.asked().toMillis()))
                    .field("ending").string(idle.ending().name().toLowerCase(Locale.ROOT))
                    .field("afterMillis").raw(Long.toString(idle.after().toMillis()))
                    .field("frames").strings(idle.frames())
                    .field("detail").string(idle.detail())
                    .close('}');
        }
        json.close('}');
    }

    /** A minimal JSON writer: commas and string escapes, nothing else. */
    private static final class Json {
        private final StringBuilder text = new StringBuilder();
        private boolean first = true;

        Json open(char bracket) {
            text.append(bracket);
            first = true;
            return this;
        }

        Json close(char bracket) {
            text.append(bracket);
            first = false;
            return this;
        }

        /** Starts an array element. */
        Json element() {
            if (!first) {
                text.append(',');
            }
            first = false;
            return this;
        }

        Json field(String name) {
            element();
            quote(name);
            text.append(':');
            return this;
        }

        Json string(String value) {
            quote(value);
            return this;
        }

        Json nullableString(@Nullable String value) {
            if (value == null) {
                text.append("null");
            } else {
                quote(value);
            }
            return this;
        }

        Json strings(List<String> values) {
            open('[');
            values.forEach(v -> element().string(v));
            return close(']');
        }

        Json raw(String literal) {
            text.append(literal);
            return this;
        }

        private void quote(String value) {
            text.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '"' -> text.append("\\\"");
                    case '\\' -> text.append("\\\\");
                    case '\n' -> text.append("\\n");
                    case '\r' -> text.append("\\r");
                    case '\t' -> text.append("\\t");
                    default -> {
                        if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                            text.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            text.append(c);
                        }
                    }
                }
            }
            text.append('"');
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
