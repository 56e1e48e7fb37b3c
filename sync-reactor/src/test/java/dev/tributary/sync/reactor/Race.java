package dev.tributary.sync.reactor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs two actions at (nearly) the same instant on two threads, as RxJava's TestHelper.race. */
final class Race implements AutoCloseable {
    private final ExecutorService other =
            Executors.newSingleThreadExecutor(
                    r -> {
                        Thread t = new Thread(r, "race-other");
                        t.setDaemon(true);
                        return t;
                    });

    /** Runs {@code a} on this thread and {@code b} on the other, both released by one spin. */
    void run(Runnable a, Runnable b) {
        AtomicInteger ready = new AtomicInteger(2);
        CompletableFuture<Void> done =
                CompletableFuture.runAsync(
                        () -> {
                            ready.decrementAndGet();
                            awaitZero(ready);
                            b.run();
                        },
                        other);
        ready.decrementAndGet();
        awaitZero(ready);
        a.run();
        done.orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** Spins briefly, then yields: on a busy machine the other thread may not be running. */
    private static void awaitZero(AtomicInteger ready) {
        for (int spins = 0; ready.get() != 0; spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    @Override
    public void close() {
        other.shutdownNow();
    }
}
