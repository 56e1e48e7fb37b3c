package dev.tributary.sync;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test support shared by the race tests: {@link #race(Runnable, Runnable)} runs two actions as
 * close to simultaneously as two threads allow (like RxJava's {@code TestHelper.race}), and small
 * bounded waits that fail a test instead of hanging it.
 */
final class Race {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** The second thread of every race; a daemon, so a stuck race never keeps the JVM alive. */
    private static final ExecutorService OTHER =
            Executors.newSingleThreadExecutor(
                    r -> {
                        Thread t = new Thread(r, "race-helper");
                        t.setDaemon(true);
                        return t;
                    });

    private Race() {}

    /**
     * Runs {@code a} on the calling thread and {@code b} on the helper thread, released together
     * once both have arrived, and waits for both. A failure of either is rethrown (b's wrapped in
     * an {@code ExecutionException}).
     */
    static void race(Runnable a, Runnable b) throws Exception {
        AtomicInteger arrived = new AtomicInteger(2);
        Future<?> other =
                OTHER.submit(
                        () -> {
                            arrive(arrived);
                            b.run();
                        });
        arrive(arrived);
        a.run();
        other.get(30, TimeUnit.SECONDS);
    }

    /** Counts this thread in, then spins briefly and yields, so a busy machine runs the other. */
    private static void arrive(AtomicInteger arrived) {
        arrived.decrementAndGet();
        for (int spins = 0; arrived.get() != 0; spins++) {
            if (spins < 1_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** Waits for a future with a generous bound, failing the test instead of hanging. */
    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    /** Polls {@code condition} every millisecond until it holds, for at most ten seconds. */
    static void awaitTrue(Callable<Boolean> condition) {
        org.awaitility.Awaitility.await()
                .atMost(WAIT)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(condition);
    }
}
