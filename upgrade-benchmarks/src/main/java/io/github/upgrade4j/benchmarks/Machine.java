package io.github.upgrade4j.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the comparisons print about the machine they ran on, from {@code /proc} (Linux): the CPU, the
 * memory, the versions of the Java, nginx and HAProxy under test, and the load average, which says
 * how much of a shared machine a run had.
 */
final class Machine {
    private Machine() {}

    /** One line: cores, CPU, memory, kernel, Java, nginx and HAProxy versions, load average. */
    static String describe() {
        String cpu = "unknown CPU";
        long memory = 0;
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
            memory = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0) / 1024 / 1024;
        } catch (IOException e) {
            // not Linux
        }
        return String.format(Locale.ROOT, "%d x %s, %d GiB, Linux %s, Java %s, %s, %s, load average %s",
                Runtime.getRuntime().availableProcessors(), cpu, memory, System.getProperty("os.version"),
                System.getProperty("java.version"), version("nginx", "-v"), version("haproxy", "-v"), loadAverage());
    }

    private static String version(String... command) {
        try {
            return ProcessMeter.run(command).lines().findFirst().orElse("?").replaceAll(" - .*", "").trim();
        } catch (Exception e) {
            return command[0] + " not found";
        }
    }

    /** The 1-, 5- and 15-minute load averages, as {@code /proc/loadavg} has them. */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
