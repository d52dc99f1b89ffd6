package io.github.upgrade4j.examples.proxy;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link ReverseProxy}'s workers: at most {@code max} threads serving requests, made only when every
 * thread is busy and gone after a minute idle, and a queue of {@code max} more requests beyond them;
 * past that {@link ThreadPoolExecutor#execute} throws {@link java.util.concurrent.RejectedExecutionException}.
 *
 * <p>A plain {@code ThreadPoolExecutor} with {@code max} core threads would make a new thread for each of
 * the first {@code max} requests even while others sit idle, so a proxy that served 256 requests one after
 * another would keep 256 threads. Here the queue declines a request while the pool may still grow and
 * every thread is busy, which makes the executor start a thread for it, and takes it otherwise, for an
 * idle thread or, at the maximum, to wait (the way Tomcat's executor works).
 */
final class Workers {
    private Workers() {}

    /** A pool of at most {@code max} threads named {@code name-N}, and as many queued requests. */
    static ThreadPoolExecutor start(int max, String name) {
        AtomicInteger made = new AtomicInteger();
        GrowFirst queue = new GrowFirst(max);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, max, 60, TimeUnit.SECONDS, queue, task -> {
            Thread thread = new Thread(task, name + "-" + made.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        queue.pool = pool;
        return pool;
    }

    /** A bounded queue that makes its executor grow before anything waits. */
    private static final class GrowFirst extends LinkedBlockingQueue<Runnable> {
        private static final long serialVersionUID = 1L;
        private transient ThreadPoolExecutor pool;

        GrowFirst(int capacity) {
            super(capacity);
        }

        @Override
        public boolean offer(Runnable task) {
            if (pool.getPoolSize() < pool.getMaximumPoolSize() && pool.getActiveCount() >= pool.getPoolSize()) {
                return false; // every thread is busy and one more may be made: the executor makes it
            }
            return super.offer(task);
        }
    }
}
