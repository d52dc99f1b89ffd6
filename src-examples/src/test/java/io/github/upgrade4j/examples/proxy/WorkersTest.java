package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The proxy's worker pool: threads only for requests served at once, then a bounded queue, then refusal. */
class WorkersTest {
    @Test
    void requestsOneAfterAnotherShareOneThread() throws Exception {
        ThreadPoolExecutor pool = Workers.start(256, "test-worker");
        try {
            for (int i = 0; i < 300; i++) {
                CountDownLatch done = new CountDownLatch(1);
                pool.execute(done::countDown);
                assertTrue(done.await(10, TimeUnit.SECONDS));
                awaitIdle(pool);
            }
            assertEquals(1, pool.getLargestPoolSize(), "threads made for 300 requests served one at a time");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void busyWorkersGrowToTheMostThenAsManyWaitThenTheNextIsRefused() throws Exception {
        ThreadPoolExecutor pool = Workers.start(3, "test-worker");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(3);
        CountDownLatch finished = new CountDownLatch(6);
        try {
            for (int i = 0; i < 3; i++) {
                pool.execute(() -> {
                    started.countDown();
                    await(release);
                    finished.countDown();
                });
            }
            assertTrue(started.await(10, TimeUnit.SECONDS), "three busy workers at once");
            for (int i = 0; i < 3; i++) {
                pool.execute(finished::countDown); // wait in the queue
            }
            assertEquals(3, pool.getQueue().size());
            assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
            release.countDown();
            assertTrue(finished.await(10, TimeUnit.SECONDS), "the queued requests ran once workers were free");
            assertEquals(3, pool.getLargestPoolSize());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    private static void awaitIdle(ThreadPoolExecutor pool) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.getActiveCount() > 0) {
            assertTrue(System.nanoTime() < deadline, "the worker did not finish");
            Thread.onSpinWait();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
