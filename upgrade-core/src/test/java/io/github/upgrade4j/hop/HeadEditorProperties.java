package io.github.upgrade4j.hop;

import static io.github.upgrade4j.http.Draws.draw;
import static io.github.upgrade4j.http.Draws.recase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import io.github.upgrade4j.http.HeaderField;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.MessageHead;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

/**
 * {@link HeadEditor} against a reference model written with plain list operations: start from the
 * policy's own result ({@link Forwarding.Forward#headers()}: the kept lines and the policy's
 * {@code Connection: upgrade} or {@code TE: trailers} in their places), drop every edit that a later
 * {@code set} or {@code remove} of its name cancels, apply each surviving {@code set} in place of the
 * first line of its name (dropping the others) and each {@code remove}, then append the surviving
 * {@code add}s and the {@code set}s that found no line, in call order. The policy's result is itself
 * checked against its marks, composed the same plain way ({@link #policyLines}).
 *
 * <p>Heads are requests (which may offer trailers), final responses and relayed 101s, whose names and
 * the edits' names come from one small set, in random ASCII case, so that edits meet kept lines,
 * lines the policy removed (nominated, hop-by-hop, {@code Content-Length} of a 101) and the policy's
 * own lines. Edits are interleaved with {@link HeadEditor#build()} calls, each checked against the
 * model of the edits so far; every built head must stay as it was built.
 */
class HeadEditorProperties {
    private static final int EXAMPLES = 1000;
    /** A fixed seed: the property also asserts that the generator reached the interesting cases. */
    private static final long SEED = 20260307L;
    private static final HopByHopPolicy POLICY = HopByHopPolicy.standard();

    /** Names of received lines and of edits: end-to-end, hop-by-hop, and the policy's own. */
    private static final List<String> NAMES = List.of("X-A", "X-B", "X-C", "Via", "Connection", "TE", "Upgrade",
            "Content-Length", "Keep-Alive");
    private static final List<String> OPTIONS = List.of("X-A", "X-B", "close", "keep-alive", "upgrade", "TE");
    private static final List<String> TE_VALUES = List.of("trailers", "gzip", "gzip, trailers");
    private static final List<String> VALUES = List.of("1", "2", "a b", "");
    private static final List<String> EDIT_VALUES = List.of("v1", "v2", "v 3");

    enum Kind { SET, ADD, REMOVE, CONNECTION, BUILD }

    /**
     * One call on the editor.
     *
     * @param connection the argument of {@link Kind#CONNECTION}, else null
     */
    record Op(Kind kind, HeaderName name, String value, @Nullable UpstreamConnection connection) {
        @Override
        public String toString() {
            switch (kind) {
                case SET:
                case ADD:
                    return kind.name().toLowerCase(Locale.ROOT) + "(" + name + ", \"" + value + "\")";
                case REMOVE:
                    return "remove(" + name + ")";
                case CONNECTION:
                    return "connection(" + connection + ")";
                default:
                    return "build()";
            }
        }
    }

    /** A received head and the calls made on its editor. */
    record Case(MessageHead head, List<Op> ops) {
        @Override
        public String toString() {
            String start = head instanceof ResponseHead r ? "response " + r.status() : "request";
            return start + render(head.headers()) + "\n  calls: " + ops;
        }
    }

    /** How often the generator reached the cases that make the property worth having. */
    private int setsInPlace;
    private int setsOverThePolicysOwnLine;
    private int setsOverRemovedLinesOnly;
    private int removesThenSets;
    private int buildsBetweenEdits;

    @Test
    void theEditorBuildsWhatTheReferenceModelBuildsAfterEveryCall() {
        qt().withFixedSeed(SEED).withExamples(EXAMPLES).forAll(cases()).checkAssert(c -> {
            Forwarding.Forward forward = assertInstanceOf(Forwarding.Forward.class, decide(c.head()), c::toString);
            assertEquals(policyLines(forward), lines(forward.headers()), c::toString);
            HeadEditor edit = forward.edit();
            List<Headers> built = new ArrayList<>();
            List<List<String>> builtLines = new ArrayList<>();
            List<Op> done = new ArrayList<>();
            for (Op op : c.ops()) {
                switch (op.kind()) {
                    case SET:
                        edit.set(op.name(), op.value());
                        break;
                    case ADD:
                        edit.add(op.name(), op.value());
                        break;
                    case REMOVE:
                        edit.remove(op.name());
                        break;
                    case CONNECTION:
                        edit.connection(Objects.requireNonNull(op.connection()));
                        break;
                    default:
                        Headers now = edit.build();
                        assertEquals(model(forward, done), lines(now), () -> "after " + done + " of " + c);
                        built.add(now);
                        builtLines.add(lines(now));
                        if (done.size() > 0 && done.size() < c.ops().size() - 1) {
                            buildsBetweenEdits++;
                        }
                }
                done.add(op);
            }
            Headers last = edit.build();
            assertEquals(model(forward, done), lines(last), c::toString);
            assertEquals(last, edit.build(), () -> "building again: " + c);
            for (int i = 0; i < built.size(); i++) {
                assertEquals(builtLines.get(i), lines(built.get(i)), "an earlier build changed: " + c);
            }
            count(forward, done);
        });
        assertTrue(setsInPlace > 0, "no set replaced a line in place");
        assertTrue(setsOverThePolicysOwnLine > 0, "no set replaced Connection: upgrade or TE: trailers");
        assertTrue(setsOverRemovedLinesOnly > 0, "no set met a name whose lines the policy had all removed");
        assertTrue(removesThenSets > 0, "no set followed a remove of its name");
        assertTrue(buildsBetweenEdits > 0, "no build() between edits");
    }

    // ---- the reference model ----

    /** What {@code forward.edit()} followed by {@code ops} should build, as {@code Name: value} lines. */
    static List<String> model(Forwarding.Forward forward, List<Op> ops) {
        List<Op> edits = new ArrayList<>();
        for (Op op : ops) {
            if (op.kind() == Kind.CONNECTION) {
                String value = Objects.requireNonNull(op.connection()).value() + (forward.teTrailers() ? ", te" : "");
                edits.add(new Op(Kind.SET, HeaderName.CONNECTION, value, null));
            } else if (op.kind() != Kind.BUILD) {
                edits.add(op);
            }
        }
        List<Op> live = new ArrayList<>(); // a later set or remove of a name cancels every earlier edit of it
        for (int i = 0; i < edits.size(); i++) {
            HeaderName name = edits.get(i).name();
            if (edits.subList(i + 1, edits.size()).stream().noneMatch(e -> e.kind() != Kind.ADD && e.name().equals(name))) {
                live.add(edits.get(i));
            }
        }
        List<HeaderField> out = new ArrayList<>(forward.headers().fields());
        List<HeaderField> appended = new ArrayList<>();
        for (Op op : live) {
            HeaderField field = new HeaderField(op.name(), op.value());
            if (op.kind() == Kind.ADD) {
                appended.add(field);
            } else if (op.kind() == Kind.REMOVE) {
                out.removeIf(f -> f.name().equals(op.name()));
            } else {
                int first = indexOf(out, op.name());
                if (first < 0) {
                    appended.add(field);
                } else {
                    out.set(first, field);
                    for (int i = out.size() - 1; i > first; i--) {
                        if (out.get(i).name().equals(op.name())) {
                            out.remove(i);
                        }
                    }
                }
            }
        }
        out.addAll(appended);
        return out.stream().map(f -> f.name() + ": " + f.value()).collect(Collectors.toList());
    }

    /**
     * The policy's result composed from its marks with list operations: the received lines it keeps,
     * {@code Connection: upgrade} before the received line it names (or last), {@code TE: trailers} last.
     */
    static List<String> policyLines(Forwarding.Forward forward) {
        Headers received = forward.received();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < received.size(); i++) {
            if (i == forward.connectionUpgradeAt()) {
                out.add("Connection: upgrade");
            }
            if (forward.keeps(i)) {
                out.add(received.name(i) + ": " + received.value(i));
            }
        }
        if (forward.connectionUpgradeAt() == received.size()) {
            out.add("Connection: upgrade");
        }
        if (forward.teTrailers()) {
            out.add("TE: trailers");
        }
        return out;
    }

    private static int indexOf(List<HeaderField> fields, HeaderName name) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Tallies the interesting cases among the surviving sets of one example. */
    private void count(Forwarding.Forward forward, List<Op> ops) {
        Headers base = forward.headers();
        Headers received = forward.received();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            HeaderName name = op.kind() == Kind.CONNECTION ? HeaderName.CONNECTION : op.name();
            if (op.kind() != Kind.SET && op.kind() != Kind.CONNECTION) {
                continue;
            }
            if (ops.subList(0, i).stream().anyMatch(o -> o.kind() == Kind.REMOVE && o.name().equals(name))) {
                removesThenSets++;
            }
            if (base.contains(name)) {
                setsInPlace++;
                boolean policysOwn = name.equals(HeaderName.CONNECTION) && forward.connectionUpgradeAt() >= 0
                        || name.equals(HeaderName.TE) && forward.teTrailers();
                if (policysOwn) {
                    setsOverThePolicysOwnLine++;
                }
            } else if (received.contains(name)) {
                setsOverRemovedLinesOnly++;
            }
        }
    }

    // ---- generators ----

    private static Gen<Case> cases() {
        return in -> {
            int target = draw(in, 0, 2); // a request, a final response, a relayed 101
            List<HeaderField> fields = new ArrayList<>();
            for (int n = draw(in, 0, 10); n > 0; n--) {
                String name = pick(in, NAMES);
                String value;
                if (name.equals("Connection")) {
                    List<String> options = new ArrayList<>();
                    for (int o = draw(in, 1, 3); o > 0; o--) {
                        options.add(recase(in, pick(in, OPTIONS)));
                    }
                    value = String.join(", ", options);
                } else if (name.equals("TE")) {
                    value = pick(in, TE_VALUES);
                } else if (name.equals("Content-Length")) {
                    value = "5";
                } else {
                    value = pick(in, VALUES);
                }
                fields.add(HeaderField.of(recase(in, name), value));
            }
            if (target == 2 && fields.stream().noneMatch(f -> f.name().equals(HeaderName.UPGRADE))) {
                fields.add(draw(in, 0, fields.size()), HeaderField.of(recase(in, "Upgrade"), "websocket"));
            }
            Headers headers = Headers.of(fields);
            MessageHead head = target == 0 ? new RequestHead("GET", "/", HttpVersion.HTTP_1_1, headers)
                    : ResponseHead.of(target == 1 ? 200 : 101, headers);
            List<Op> ops = new ArrayList<>();
            for (int n = draw(in, 0, 10); n > 0; n--) {
                int kind = draw(in, 0, 9);
                HeaderName name = HeaderName.of(recase(in, pick(in, NAMES)));
                String value = pick(in, EDIT_VALUES);
                if (kind <= 2) {
                    ops.add(new Op(Kind.SET, name, value, null));
                } else if (kind <= 5) {
                    ops.add(new Op(Kind.ADD, name, value, null));
                } else if (kind <= 7) {
                    ops.add(new Op(Kind.REMOVE, name, "", null));
                } else if (kind == 8) {
                    ops.add(new Op(Kind.CONNECTION, HeaderName.CONNECTION, "",
                            pick(in, List.of(UpstreamConnection.values()))));
                } else {
                    ops.add(new Op(Kind.BUILD, name, "", null));
                }
            }
            return new Case(head, ops);
        };
    }

    private static Forwarding decide(MessageHead head) {
        return head instanceof RequestHead request ? POLICY.forRequest(request) : POLICY.forResponse((ResponseHead) head);
    }

    private static List<String> lines(Headers headers) {
        return HeadEditorTest.lines(headers);
    }

    private static String render(Headers headers) {
        StringBuilder out = new StringBuilder();
        for (String line : lines(headers)) {
            out.append("\n  [").append(line).append(']');
        }
        return out.toString();
    }

    private static <T> T pick(RandomnessSource in, List<T> from) {
        return from.get(draw(in, 0, from.size() - 1));
    }
}
