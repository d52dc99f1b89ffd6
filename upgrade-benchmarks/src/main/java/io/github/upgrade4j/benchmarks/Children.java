package io.github.upgrade4j.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The child processes of a comparison ({@link Proxies} says what they are): each started with a soft
 * limit of open files, its output in {@code NAME.log} in the work directory, and stopped by its pid
 * (SIGTERM, then SIGKILL), never by name. It does not restart what dies; a caller finds out by
 * waiting for the child to listen.
 */
final class Children {
    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");

    private final Path work;
    private final List<Process> started = new ArrayList<>();

    Children(Path work) {
        this.work = work;
    }

    /**
     * Starts {@code command} as {@code name}, under {@code bash -c 'ulimit -Sn LIMIT && exec ...'}: bash
     * sets the soft limit of open files and replaces itself with the command, so that the pid is the
     * command's. The hard limit stays as it was, so that a child that raises its own (HAProxy) may.
     */
    Process launch(String name, List<String> command, long fileLimit) throws IOException {
        Path log = work.resolve(name + ".log");
        List<String> limited = new ArrayList<>(List.of("bash", "-c", "ulimit -Sn " + fileLimit + " && exec \"$@\"",
                "bash"));
        limited.addAll(command);
        Process process = new ProcessBuilder(limited).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        synchronized (started) {
            started.add(process);
        }
        System.out.printf(Locale.ROOT, "started %s: pid %d, log %s%n", name, process.pid(), log);
        return process;
    }

    /** Stops every process started, newest first, each by its pid. */
    void stopAll() {
        List<Process> processes;
        synchronized (started) {
            processes = new ArrayList<>(started);
        }
        Collections.reverse(processes);
        processes.forEach(this::stop);
    }

    /** Stops one process started here by its pid: SIGTERM, then SIGKILL after 10 s; nginx's workers too. */
    void stop(Process process) {
        synchronized (started) {
            if (!started.remove(process)) {
                return;
            }
        }
        List<ProcessHandle> children = process.descendants().collect(Collectors.toList());
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) { // nginx's workers, should the master have died first
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
        System.out.printf(Locale.ROOT, "stopped pid %d%n", process.pid());
    }

    /** Runs {@code command} with {@code flag} added (a configuration check) and fails with its output if it fails. */
    static void check(String name, List<String> command, String flag) throws Exception {
        List<String> checking = new ArrayList<>(command);
        checking.add(flag);
        Process process = new ProcessBuilder(checking).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(name + " rejected its configuration:\n" + output);
        }
    }

    /**
     * The address a JVM child printed as {@code listening on HOST:PORT}, waiting up to 30 s for it; fails
     * with the child's log if it ended or never printed it.
     */
    InetSocketAddress listeningAddress(Process process, String name) throws Exception {
        Path log = work.resolve(name + ".log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                Matcher matcher = LISTENING.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
                if (matcher.find()) {
                    return new InetSocketAddress(matcher.group(1), Integer.parseInt(matcher.group(2)));
                }
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(name + " did not print 'listening on HOST:PORT'; see " + log + ":\n"
                + (Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : ""));
    }

    /** Waits up to 15 s until the child accepts on {@code address}; fails with its log if it does not. */
    void awaitPort(Process process, String name, InetSocketAddress address) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                new Socket(address.getAddress(), address.getPort()).close();
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        Path log = work.resolve(name + ".log");
        throw new IllegalStateException(name + " is not accepting on " + address + "; see " + log + ":\n"
                + (Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : ""));
    }
}
