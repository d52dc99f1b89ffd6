package io.github.upgrade4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;

/**
 * A flight recording of the library's events ({@code io.github.upgrade4j.*}) read as they are
 * written, through {@link RecordingStream}: start it, do something, then {@link #await} the events it
 * should have caused. The stream flushes about once a second, so waiting is on the events, with a
 * deadline, never on time.
 */
public final class FlightRecording implements AutoCloseable {
    private static final String PREFIX = "io.github.upgrade4j.";
    private static final long TIMEOUT_SECONDS = 30;

    private final RecordingStream stream = new RecordingStream();
    private final List<RecordedEvent> events = new ArrayList<>();

    /** Starts recording the named events (without the {@code io.github.upgrade4j.} prefix). */
    public static FlightRecording of(String... names) {
        FlightRecording recording = new FlightRecording();
        for (String name : names) {
            recording.stream.enable(PREFIX + name);
        }
        recording.stream.setMaxAge(Duration.ofMinutes(1));
        recording.stream.onEvent(event -> {
            if (event.getEventType().getName().startsWith(PREFIX)) {
                synchronized (recording.events) {
                    recording.events.add(event);
                    recording.events.notifyAll();
                }
            }
        });
        recording.stream.startAsync();
        return recording;
    }

    /**
     * Waits until {@code count} events named {@code name} that match {@code filter} have been read, and
     * returns them in the order they were written (by start time); fails after 30 s.
     */
    public List<RecordedEvent> await(String name, int count, Predicate<RecordedEvent> filter) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        synchronized (events) {
            while (true) {
                List<RecordedEvent> matching = named(name, filter);
                if (matching.size() >= count) {
                    matching.sort((a, b) -> a.getStartTime().compareTo(b.getStartTime()));
                    return matching;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + count + " " + PREFIX + name + " events but read "
                            + matching.size() + " in " + TIMEOUT_SECONDS + " s; all read: " + events);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(events, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for events", e);
                }
            }
        }
    }

    /** The events named {@code name} read so far. */
    public List<RecordedEvent> read(String name) {
        synchronized (events) {
            return named(name, event -> true);
        }
    }

    private List<RecordedEvent> named(String name, Predicate<RecordedEvent> filter) {
        List<RecordedEvent> matching = new ArrayList<>();
        for (RecordedEvent event : events) {
            if (event.getEventType().getName().equals(PREFIX + name) && filter.test(event)) {
                matching.add(event);
            }
        }
        return matching;
    }

    @Override
    public void close() {
        stream.close();
    }
}
