package dev.tributary.sync;

import java.util.concurrent.CompletableFuture;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model checking of {@link Mutex} with Lincheck, cancellation included.
 *
 * <p>{@code blockingIncrement} returns the value it saw under the lock, so the results of
 * concurrent increments are linearizable only if mutual exclusion holds and no update is lost; the
 * other operations increment too (their effects show in those results) while racing a grant against
 * cancellation and the non-waiting path. After every scenario the mutex must be free and nobody
 * queued.
 */
@Timeout(300)
public class MutexLincheckTest {
    private final Mutex<Integer> mutex = new Mutex<>(0);

    /** Locks by parking, increments, unlocks; returns the value seen. */
    @Operation
    public int blockingIncrement() throws InterruptedException {
        MutexGuard<Integer> g = mutex.blockingLock();
        int seen = g.get();
        g.set(seen + 1);
        g.close();
        return seen;
    }

    /** Async lock, cancelled at once; if the grant won, unlocks. */
    @Operation
    public void lockThenCancel() {
        CompletableFuture<MutexGuard<Integer>> f = mutex.lock();
        if (!f.cancel(false)) {
            f.join().close();
        }
    }

    /** Non-waiting lock; unlocks when it got the lock. */
    @Operation
    public void tryLockThenUnlock() {
        MutexGuard<Integer> g = mutex.tryLock();
        if (g != null) {
            g.close();
        }
    }

    /** After each scenario: the mutex is free and nobody waits. */
    @Validate
    public void unlockedAtEnd() {
        MutexGuard<Integer> g = mutex.tryLock();
        if (g == null) {
            throw new IllegalStateException("mutex left locked or a waiter stranded");
        }
        g.close();
    }

    @Test
    void modelCheck() {
        ModelChecks.options(20, 400).actorsBefore(0).actorsAfter(0).check(getClass());
    }
}
