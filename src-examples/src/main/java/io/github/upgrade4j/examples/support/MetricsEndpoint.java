package io.github.upgrade4j.examples.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code GET /metrics} in the Prometheus text format (version 0.0.4): a Micrometer
 * {@link PrometheusMeterRegistry} with the JVM's basics bound to it (memory, garbage collection,
 * threads, class loading, processor, uptime, file descriptors), served by the JDK's own HTTP server on
 * one daemon thread. What else is measured is registered in {@link #registry()} by its owner, such as
 * the proxy's tunnels and handshakes.
 *
 * <p>It serves nothing else: another path is a 404, another method on {@code /metrics} a 405. It has no
 * TLS and no authentication, so bind it to an address only the scraper reaches (127.0.0.1, or a
 * management network).
 */
public final class MetricsEndpoint implements AutoCloseable {
    /** The path Prometheus scrapes by default. */
    public static final String PATH = "/metrics";
    /** The content type of the text format Prometheus has read from its start. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final HttpServer server;
    private final ExecutorService thread;

    private MetricsEndpoint(PrometheusMeterRegistry registry, JvmGcMetrics gc, HttpServer server,
            ExecutorService thread) {
        this.registry = registry;
        this.gc = gc;
        this.server = server;
        this.thread = thread;
    }

    /**
     * Serves {@code GET /metrics} on exactly {@code address} (port 0 takes any free port).
     *
     * @throws IOException when {@code address} cannot be bound, saying {@code cannot serve metrics on
     *     HOST:PORT: } and why; the caller puts the option's name in front
     */
    public static MetricsEndpoint start(InetSocketAddress address) throws IOException {
        if (address.isUnresolved()) {
            throw new IOException("cannot serve metrics on " + Lifecycle.hostPort(address)
                    + ": the host name does not resolve");
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) { // a BindException, mostly: in use, or not this machine's address
            throw new IOException("cannot serve metrics on " + Lifecycle.hostPort(address) + ": " + e.getMessage(), e);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        // One daemon thread: a scrape every few seconds needs no more, and the JDK's own dispatcher thread
        // would keep the process alive.
        ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "metrics-" + server.getAddress().getPort());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(thread);
        MetricsEndpoint endpoint = new MetricsEndpoint(registry, gc, server, thread);
        server.createContext("/", endpoint::handle);
        server.start();
        return endpoint;
    }

    /** The registry whose meters {@code GET /metrics} shows. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The address it serves on, with the port it got. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http://HOST:PORT/metrics}, to print at start-up. */
    public String url() {
        InetSocketAddress bound = address();
        return "http://" + Lifecycle.hostPort(new InetSocketAddress(bound.getAddress().getHostAddress(),
                bound.getPort())) + PATH;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                answer(exchange, 404, "not found: the metrics are at " + PATH + "\n");
            } else if (!"GET".equals(method) && !"HEAD".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                answer(exchange, 405, "only GET and HEAD\n");
            } else {
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
                boolean head = "HEAD".equals(method);
                exchange.sendResponseHeaders(200, head ? -1 : body.length);
                if (!head) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        }
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Stops serving at once, and unbinds the meters that hold resources of their own (the GC listener). */
    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
        gc.close();
        registry.close();
    }
}
