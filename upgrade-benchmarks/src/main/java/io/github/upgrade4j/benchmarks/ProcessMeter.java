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
 * ({@code jcmd GC.run}, before the resident set is read), the CPU time of each process, ended threads
 * included ({@code /proc/PID/stat}), and this process's limit of open files.
 */
final class ProcessMeter {
    private static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    /** {@code USER_HZ}: the kernel reports times to user space in these ticks, 100 a second on Linux. */
    private static final long NANOS_PER_TICK = 10_000_000L;

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
     * CPU time the target's processes have used so far, in nanoseconds: the user and system time of
     * {@code /proc/PID/stat} (fields 14 and 15) of each, which count every thread the process ever had,
     * in clock ticks of 10 ms. Summing the threads' own {@code /proc/PID/task/TID/schedstat} instead, as
     * this did before issue 20, is finer but loses a thread that ends between two readings together with
     * all the CPU it had used, earlier work included: Jetty's pool ends idle threads, and one HTTP/2
     * upload through the example proxy read 404 ms per GB beside 3,015 and 3,235 in the other rounds,
     * most likely for that reason.
     */
    static long cpuNanos(Target target) {
        if (target.process() == null) {
            return 0;
        }
        return Stream.concat(Stream.of(target.process().toHandle()), target.process().descendants())
                .mapToLong(handle -> {
                    try {
                        return cpuTicks(Files.readString(Path.of("/proc/" + handle.pid() + "/stat"))) * NANOS_PER_TICK;
                    } catch (IOException | RuntimeException e) {
                        return 0; // the process ended
                    }
                }).sum();
    }

    /**
     * User plus system ticks from a {@code /proc/PID/stat} line: fields 14 and 15, counted after the
     * command name, which is in parentheses and may itself hold spaces and parentheses.
     */
    static long cpuTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // fields[0] is field 3 (state), so field N is fields[N - 3]
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
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
