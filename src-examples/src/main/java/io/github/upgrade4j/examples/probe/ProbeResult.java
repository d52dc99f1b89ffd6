package io.github.upgrade4j.examples.probe;

import io.github.upgrade4j.http.ResponseHead;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one path of a {@code probe} found: the head lines sent and received, the answer's short body,
 * the judgement, and how an idle connection ended.
 *
 * @param target the path
 * @param sent the request head's lines, without the final empty line
 * @param received the answer's head lines as they came (interim 1xx heads first), or what came instead
 * @param response the final answer head; null when none was read (no connection, a timeout, not HTTP)
 * @param body the answer's body when it is short text; null otherwise
 * @param verdict whether the upgrade worked and why not
 * @param took from connecting to the end of the answer head
 * @param idle how the upgraded connection ended when held idle; null when not asked for or not upgraded
 */
record ProbeResult(ProbeTarget target, List<String> sent, List<String> received, @Nullable ResponseHead response,
        @Nullable String body, ProbeVerdict verdict, Duration took, @Nullable Idle idle) {
    ProbeResult {
        Objects.requireNonNull(target, "target");
        sent = List.copyOf(sent);
        received = List.copyOf(received);
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(took, "took");
    }

    /** A copy with the idle measurement. */
    ProbeResult withIdle(Idle measured) {
        return new ProbeResult(target, sent, received, response, body, verdict, took, measured);
    }

    /** How an idle connection ended. */
    enum Ending {
        /** Still open at the end of the wait. */
        SURVIVED,
        /** The other side closed it: end of stream. */
        CLOSED,
        /** It was reset (or broke otherwise) while idle. */
        RESET
    }

    /**
     * The idle measurement: the probe sends nothing and watches the connection.
     *
     * @param asked how long the probe was prepared to wait
     * @param ending how it ended
     * @param after how long after the 101 it ended; {@code asked} when it survived
     * @param frames the WebSocket frames that arrived meanwhile, described (a server's ping, a close frame)
     * @param detail the error behind {@link Ending#RESET}, empty otherwise
     */
    record Idle(Duration asked, Ending ending, Duration after, List<String> frames, String detail) {
        Idle {
            Objects.requireNonNull(asked, "asked");
            Objects.requireNonNull(ending, "ending");
            Objects.requireNonNull(after, "after");
            frames = List.copyOf(frames);
            Objects.requireNonNull(detail, "detail");
        }

        /** "cut after 2.0 s (closed)", "survived 60 s". */
        String describe() {
            return switch (ending) {
                case SURVIVED -> "survived " + seconds(asked) + " s idle";
                case CLOSED -> "cut after " + seconds(after) + " s idle: the other side closed the connection";
                case RESET -> "cut after " + seconds(after) + " s idle: the connection was reset (" + detail + ")";
            } + (frames.isEmpty() ? "" : "; received meanwhile: " + String.join(", ", frames));
        }
    }

    /** Seconds with one decimal: {@code 2.0}. */
    static String seconds(Duration duration) {
        return String.format(java.util.Locale.ROOT, "%.1f", duration.toMillis() / 1000.0);
    }
}
