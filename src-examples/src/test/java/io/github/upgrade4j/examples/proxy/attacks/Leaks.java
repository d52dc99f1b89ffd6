package io.github.upgrade4j.examples.proxy.attacks;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a test may leave behind, counted before and checked after: the process's open file
 * descriptors ({@code /proc/self/fd}) and its live threads. {@link #assertReleased()} waits (up to
 * 10 s, since closing is asynchronous in places) until there are no more descriptors than before and
 * no thread that was not alive before, and fails naming what is left.
 *
 * <p>The first snapshot in a JVM opens what the JDK opens lazily and keeps open for good (see
 * {@link #warmUp()}), so that only what the test leaves counts. Threads of the JDK's common fork-join
 * pool are not counted: other test classes in the same JVM
 * use it, and its idle workers come and go on their own.
 */
public final class Leaks {
    private static final Path FDS = Path.of("/proc/self/fd");

    private final long descriptors;
    private final Set<String> targets;
    private final Set<Thread> threads;

    private Leaks(long descriptors, Set<String> targets, Set<Thread> threads) {
        this.descriptors = descriptors;
        this.targets = targets;
        this.threads = threads;
    }

    public static Leaks snapshot() {
        warmUp();
        return new Leaks(openDescriptors(), descriptorTargets(), liveThreads());
    }

    private static boolean warm;

    /**
     * Opens, once, what the JDK opens lazily and keeps for the life of the process, so that it is in
     * every snapshot: {@code /dev/random} and {@code /dev/urandom} (the first security provider lookup)
     * and the half-closed socket the NIO close protocol dups over closed channels ({@code preCloseFD}).
     */
    private static synchronized void warmUp() {
        if (warm) {
            return;
        }
        warm = true;
        try (Selector selector = Selector.open();
                ServerSocketChannel server = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            MessageDigest.getInstance("SHA-1");
            new SecureRandom().nextInt();
            SocketChannel client = SocketChannel.open(server.getLocalAddress());
            SocketChannel accepted = server.accept();
            accepted.configureBlocking(false);
            accepted.register(selector, SelectionKey.OP_READ);
            client.setOption(StandardSocketOptions.SO_LINGER, 0);
            client.close();
            accepted.close(); // registered: closed through the pre-close descriptor
            selector.selectNow();
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new AssertionError("could not warm up", e);
        }
    }

    /** What each open descriptor is, e.g. {@code socket:[123]} or a jar's path; for failure messages. */
    private static Set<String> descriptorTargets() {
        if (!Files.isDirectory(FDS)) {
            return Set.of();
        }
        try (Stream<Path> list = Files.list(FDS)) {
            return list.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    return "(closed meanwhile)";
                }
            }).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Open file descriptors of this process, or -1 where {@code /proc/self/fd} does not exist. */
    public static long openDescriptors() {
        if (!Files.isDirectory(FDS)) {
            return -1;
        }
        try (Stream<Path> list = Files.list(FDS)) {
            return list.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long descriptors() {
        return descriptors;
    }

    /** Waits until descriptors and threads are back to this snapshot; fails after 10 s with what is left. */
    public void assertReleased() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            long now = openDescriptors();
            List<String> extra = newThreads();
            if (now <= descriptors && extra.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                List<String> opened = descriptorTargets().stream().filter(t -> !targets.contains(t))
                        .map(Leaks::describe).sorted().toList();
                fail("expected at most " + descriptors + " open descriptors and no new thread, but " + now
                        + " descriptors are open (new: " + opened + ") and these threads are alive: " + extra);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** A descriptor's target, and for a TCP socket its addresses and state from /proc/net/tcp. */
    private static String describe(String target) {
        if (!target.startsWith("socket:[")) {
            return target;
        }
        String inode = target.substring(8, target.length() - 1);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6",
                "/proc/net/unix")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (table.endsWith("unix") && f.length > 6 && f[6].equals(inode)) {
                        return target + " unix " + (f.length > 7 ? f[7] : "(unnamed)");
                    }
                    if (f.length > 9 && f[9].equals(inode)) {
                        return target + " " + table.substring(10) + " " + f[1] + "->" + f[2] + " state " + f[3];
                    }
                }
            } catch (IOException e) {
                // no such table here
            }
        }
        return target;
    }

    /** Threads alive now that were not alive at the snapshot. */
    public List<String> newThreads() {
        return liveThreads().stream().filter(t -> !threads.contains(t))
                .map(t -> t.getName() + (t.isDaemon() ? " (daemon)" : "")).sorted().toList();
    }

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> !t.getName().startsWith("ForkJoinPool.commonPool"))
                .collect(Collectors.toSet());
    }
}
