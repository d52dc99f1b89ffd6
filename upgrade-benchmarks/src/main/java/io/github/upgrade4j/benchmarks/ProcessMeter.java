package io.github.upgrade4j.benchmarks;

import io.github.upgrade4j.benchmarks.Proxies.Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the comparisons read off the proxies' processes, on Linux: the resident set of a process and
 * its children and their thread count ({@code /proc/PID/status}), a JVM's heap after a full GC
 * ({@code jcmd GC.run}, before the resident set is read), the CPU time of every thread
 * ({@code /proc/PID/task/TID/schedstat}), and this process's limit of open files.
 */
final class ProcessMeter {
    private static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");

    private ProcessMeter() {}

    /** Resident set of the target's processes and heap after a full GC (JVM), in bytes. */
    static long[] memory(Target target) throws Exception {
        long heap = 0;
        if (target.jvm()) {
            heap = heapAfterGc(target.process().pid());
        }
        return new long[] {residentSetSize(target), heap};
    }

    /** Resident set of the target's processes, in bytes, without a GC first; 0 without a process. */
    static long residentSetSize(Target target) {
        if (target.process() == null) {
            return 0;
        }
        return Stream.concat(Stream.of(target.process().toHandle()), target.process().descendants())
                .mapToLong(handle -> residentSetSize(handle.pid())).sum();
    }

    private static long heapAfterGc(long pid) throws Exception {
        if (!Files.isExecutable(JCMD)) {
            return 0;
        }
        run(JCMD.toString(), Long.toString(pid), "GC.run");
        Thread.sleep(200);
        String info = run(JCMD.toString(), Long.toString(pid), "GC.heap_info");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(info);
        return used.find() ? Long.parseLong(used.group(1)) * 1024 : 0;
    }

    static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output;
    }

    /**
     * CPU time the target's processes have used so far, in nanoseconds: the sum over their threads of
     * {@code /proc/PID/task/TID/schedstat}'s first field (time on a CPU). Threads that ended are not
     * counted, which only matters for the proxies' short-lived handshake threads.
     */
    static long cpuNanos(Target target) {
        if (target.process() == null) {
            return 0;
        }
        return Stream.concat(Stream.of(target.process().toHandle()), target.process().descendants())
                .mapToLong(handle -> {
                    long sum = 0;
                    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + handle.pid() + "/task"))) {
                        for (Path task : (Iterable<Path>) tasks::iterator) {
                            try {
                                sum += Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split(" ")[0]);
                            } catch (IOException | RuntimeException e) {
                                // the thread ended meanwhile
                            }
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                    return sum;
                }).sum();
    }

    static long residentSetSize(long pid) {
        return status(pid, "VmRSS:") * 1024;
    }

    /** Threads of the target's processes (nginx's master and workers, or the one JVM); 0 without a process. */
    static long threads(Target target) {
        if (target.process() == null) {
            return 0;
        }
        return Stream.concat(Stream.of(target.process().toHandle()), target.process().descendants())
                .mapToLong(handle -> status(handle.pid(), "Threads:")).sum();
    }

    /** The number on the line of {@code /proc/PID/status} that starts with {@code key}; 0 if none. */
    private static long status(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux
        }
        return 0;
    }

    /**
     * This process's soft and hard limits of open files ({@code /proc/self/limits}; a JVM on Linux has
     * raised its soft limit to the hard one at start); {@code Long.MAX_VALUE} for unlimited, and
     * {@code {-1, -1}} where it cannot tell.
     */
    static long[] openFileLimits() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] parts = line.substring("Max open files".length()).trim().split("\\s+");
                    return new long[] {limit(parts[0]), limit(parts[1])};
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return new long[] {-1, -1};
    }

    private static long limit(String text) {
        return text.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(text);
    }
}
