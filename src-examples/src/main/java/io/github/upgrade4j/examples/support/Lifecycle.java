package io.github.upgrade4j.examples.support;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What the long-running commands do around their servers: start listening with an error that names
 * the address, check once that the upstream answers, and serve until the process is asked to stop.
 */
public final class Lifecycle {
    /** How long the start-up check waits for the upstream to accept a connection. */
    public static final Duration UPSTREAM_CHECK_TIMEOUT = Duration.ofSeconds(2);

    private Lifecycle() {}

    /** Something that starts listening on an address. */
    @FunctionalInterface
    public interface Start<T> {
        T start() throws IOException;
    }

    /**
     * Runs {@code start}; when binding {@code address} fails, the {@link IOException} says which address:
     * {@code cannot listen on 127.0.0.1:8080: Address already in use}. Other failures pass unchanged.
     */
    public static <T> T listen(InetSocketAddress address, Start<T> start) throws IOException {
        if (address.isUnresolved()) {
            throw new IOException("cannot listen on " + hostPort(address) + ": the host name does not resolve");
        }
        try {
            return start.start();
        } catch (IOException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof BindException) {
                    throw new IOException("cannot listen on " + hostPort(address) + ": " + cause.getMessage(), e);
                }
            }
            throw e;
        }
    }

    /**
     * Tries one TCP connection to {@code upstream} on a daemon thread, and when it fails prints {@code
     * warning: upstream 127.0.0.1:9 cannot be reached (Connection refused); requests get 502 until it can}
     * to {@code log}. The server has started already and goes on either way: an upstream may well start
     * later. Completes with the warning, or empty when the upstream accepted.
     */
    public static CompletableFuture<Optional<String>> checkUpstream(InetSocketAddress upstream, PrintStream log) {
        CompletableFuture<Optional<String>> checked = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            String problem = reach(upstream);
            Optional<String> warning = Optional.ofNullable(problem).map(p -> "warning: upstream " + hostPort(upstream)
                    + " cannot be reached (" + p + "); requests get 502 until it can");
            warning.ifPresent(log::println);
            checked.complete(warning);
        }, "upstream-check");
        thread.setDaemon(true);
        thread.start();
        return checked;
    }

    /** Why {@code upstream} cannot be reached, or null when it accepted a connection (closed at once). */
    private static @Nullable String reach(InetSocketAddress upstream) {
        if (upstream.isUnresolved()) {
            return "the host name does not resolve";
        }
        try (Socket socket = new Socket()) {
            socket.connect(upstream, (int) UPSTREAM_CHECK_TIMEOUT.toMillis());
            return null;
        } catch (UnknownHostException e) {
            return "the host name does not resolve";
        } catch (IOException e) {
            return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        }
    }

    /**
     * Starts a server and blocks until the JVM is asked to stop (SIGTERM, Ctrl-C), then runs {@code stop}
     * in a shutdown hook. The hook is registered before {@code start} runs, so that a stop that comes
     * while the server starts is not missed; it stops nothing that has not started.
     *
     * @param start starts the server
     * @param started what to do once it runs, such as {@link #checkUpstream}
     * @param stop stops it, in the shutdown hook
     */
    public static <T> void serve(Start<T> start, Consumer<T> started, Consumer<T> stop) throws IOException {
        AtomicReference<@Nullable T> running = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            T server = running.get();
            if (server != null) {
                stop.accept(server);
            }
            stopped.countDown();
        }, "stop");
        Runtime.getRuntime().addShutdownHook(hook);
        T server;
        try {
            server = start.start();
        } catch (IOException | RuntimeException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            throw e;
        }
        running.set(server);
        started.accept(server);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code host:port} as given (no reverse lookup), with brackets around an IPv6 address. */
    public static String hostPort(InetSocketAddress address) {
        String host = address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
