package dev.tributary.sync.rxjava3;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs two actions as close to simultaneously as two threads allow (RxJava's TestHelper.race). */
final class Race {
    private static final ExecutorService OTHER =
            Executors.newSingleThreadExecutor(
                    r -> {
                        Thread t = new Thread(r, "race-helper");
                        t.setDaemon(true);
                        return t;
                    });

    private Race() {}

    static void race(Runnable a, Runnable b) {
        AtomicInteger ready = new AtomicInteger(2);
        CompletableFuture<Void> other =
                CompletableFuture.runAsync(
                        () -> {
                            await(ready);
                            b.run();
                        },
                        OTHER);
        await(ready);
        a.run();
        other.join();
    }

    /** Arrives and spins (yielding on a busy machine) until the other side arrived too. */
    private static void await(AtomicInteger ready) {
        if (ready.decrementAndGet() != 0) {
            for (int spins = 0; ready.get() != 0; spins++) {
                if (spins < 64) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }
    }
}
