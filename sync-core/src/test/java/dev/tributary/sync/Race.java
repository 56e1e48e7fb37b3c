package dev.tributary.sync;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs two actions as close to simultaneously as two threads allow, many times over (like RxJava's
 * {@code TestHelper.race}): the second action runs on a helper thread that is released by a spin
 * flag, so both start within nanoseconds of each other.
 */
final class Race implements AutoCloseable {
    private final ExecutorService other =
            Executors.newSingleThreadExecutor(
                    r -> {
                        Thread t = new Thread(r, "race-helper");
                        t.setDaemon(true);
                        return t;
                    });

    /**
     * Runs {@code a} on the calling thread and {@code b} on the helper thread, both started
     * together, and waits for both. A failure of either is rethrown.
     */
    void run(Runnable a, Runnable b) throws Exception {
        AtomicInteger ready = new AtomicInteger(2);
        Future<?> fb =
                other.submit(
                        () -> {
                            ready.decrementAndGet();
                            while (ready.get() != 0) {
                                Thread.onSpinWait();
                            }
                            b.run();
                        });
        ready.decrementAndGet();
        while (ready.get() != 0) {
            Thread.onSpinWait();
        }
        a.run();
        fb.get(30, TimeUnit.SECONDS);
    }

    /** Waits for a future with a generous bound, failing the test instead of hanging. */
    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        other.shutdownNow();
    }
}
