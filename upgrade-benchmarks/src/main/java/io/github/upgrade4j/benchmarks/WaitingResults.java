package io.github.upgrade4j.benchmarks;

import io.github.upgrade4j.benchmarks.RequestTimer.Latency;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The JSON file of one {@link WaitingClients} run ({@code results/waiting.json}): the settings, and
 * one {@link Measurement} per target and round. Written with Jackson ({@link ResultFiles}), a record's
 * components in their order here; a figure that does not apply (the heap of a process that is not a
 * JVM, the close times when the proxy closed none) is {@code null}.
 *
 * @param started when the first round began (ISO-8601)
 * @param machine {@link Machine#describe()} at the end of the run
 * @param clients how many waiting clients each measurement opened
 * @param rounds how many rounds
 * @param headerTimeoutSeconds the client header timeout every proxy was given
 * @param keepAliveTimeoutSeconds the keep-alive timeout every proxy was given
 * @param watchSeconds how long after the last client's stall the run waited for the proxy to close them
 * @param requests how many plain GETs, and as many upgrade handshakes, each pass of normal requests made
 * @param openers how many threads opened the waiting clients side by side
 * @param targets the targets, in the order of the table
 * @param oursTimeoutFlags whether the example proxy was passed {@code --header-timeout} and
 *     {@code --keep-alive-timeout} (false: it ran with its built-in read timeout)
 * @param fileLimit the open-file limit each proxy started with
 * @param loadAverages the load average at the start of each round, and after the last
 * @param measurements every target's figures, round by round
 */
record WaitingResults(String started, String machine, int clients, int rounds, double headerTimeoutSeconds,
        double keepAliveTimeoutSeconds, double watchSeconds, int requests, int openers, List<String> targets,
        boolean oursTimeoutFlags, long fileLimit, List<String> loadAverages, List<Measurement> measurements) {
    /**
     * One target in one round, in a fresh instance of it.
     *
     * @param round the round, from 1
     * @param target the target
     * @param opened how many waiting clients connected and stalled
     * @param openFailures how many could not connect within 5 s
     * @param openSeconds from the first client's stall to the last's
     * @param waitingAtMeasure how many were still waiting (not closed by the proxy) when its resident set
     *     and threads were read, 3 s after the last stall
     * @param threadsBefore the proxy's threads (all its processes) before the clients came
     * @param threadsWaiting its threads with all of them waiting
     * @param rssBeforeMiB its resident set before the clients came (after the normal requests alone)
     * @param rssGrowthMiB the growth of its resident set with all of them waiting
     * @param heapGrowthMiB a JVM's heap growth after a full GC, before against after the normal
     *     requests meanwhile; null for the others
     * @param getAlone plain GETs before the clients came
     * @param upgradeAlone upgrade handshakes before the clients came
     * @param getMeanwhile plain GETs while they waited
     * @param upgradeMeanwhile upgrade handshakes while they waited
     * @param meanwhileEndedSeconds when the normal requests meanwhile ended, after the last client's stall
     * @param closures what became of the waiting clients
     */
    record Measurement(int round, String target, int opened, int openFailures, double openSeconds, int waitingAtMeasure,
            long threadsBefore,
            long threadsWaiting, double rssBeforeMiB, double rssGrowthMiB, Double heapGrowthMiB, Latency getAlone,
            Latency upgradeAlone, Latency getMeanwhile, Latency upgradeMeanwhile, double meanwhileEndedSeconds,
            WaitingWatch.Closures closures) {}

    /** Writes this to {@code out}. */
    void write(Path out) throws IOException {
        ResultFiles.write(out, this);
    }

    /** Reads a file written by {@link #write}. */
    static WaitingResults read(Path file) throws IOException {
        return ResultFiles.read(file, WaitingResults.class);
    }
}
