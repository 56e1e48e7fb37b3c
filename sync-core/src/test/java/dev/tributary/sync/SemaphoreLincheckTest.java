package dev.tributary.sync;

import java.util.concurrent.CompletableFuture;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model checking of the public {@link Semaphore} API with Lincheck, cancellation and close
 * included.
 *
 * <p>Three permits. {@code exclusive} takes all three through the blocking path and increments a
 * plain counter, so its results are linearizable only if exclusion holds (a closed semaphore makes
 * it throw {@link ClosedException}, which must also linearize: after {@code close}, every
 * acquisition fails). The other operations race grants against cancellation, {@code
 * orTimeout}-style external completion, merging and splitting. After every scenario all three
 * permits must be free again and nobody queued.
 */
@Timeout(300)
public class SemaphoreLincheckTest {
    private static final int PERMITS = 3;

    private final Semaphore sem = new Semaphore(PERMITS);
    private int counter;

    /** All permits, parking; returns the counter value it saw. */
    @Operation
    public int exclusive() throws InterruptedException {
        SemaphorePermit p = sem.blockingAcquireMany(PERMITS);
        int seen = counter++;
        p.close();
        return seen;
    }

    /** Two permits async, then cancelled; returned if the grant won. */
    @Operation
    public void acquireTwoThenCancel() {
        CompletableFuture<SemaphorePermit> f = sem.acquireMany(2);
        if (!f.cancel(false) && !f.isCompletedExceptionally()) {
            f.join().close();
        }
    }

    /** One permit async, withdrawn by an external completeExceptionally (as orTimeout does). */
    @Operation
    public void acquireOneThenTimeOut() {
        CompletableFuture<SemaphorePermit> f = sem.acquire();
        if (!f.completeExceptionally(new java.util.concurrent.TimeoutException())
                && !f.isCompletedExceptionally()) {
            f.join().close();
        }
    }

    /** Non-waiting acquisitions of 1 and 1 more, merged, split, and released in pieces. */
    @Operation
    public void tryMergeSplit() {
        SemaphorePermit a;
        try {
            a = sem.tryAcquire();
        } catch (ClosedException closed) {
            return;
        }
        if (a == null) {
            return;
        }
        SemaphorePermit b = null;
        try {
            b = sem.tryAcquire();
        } catch (ClosedException closed) {
            // fall through with b == null
        }
        if (b != null) {
            a.merge(b);
            b.close();
            a.split(1).close();
        }
        a.close();
    }

    /** Closes the semaphore; permits held elsewhere still come back. */
    @Operation
    public void close() {
        sem.close();
    }

    /** After each scenario: every permit is free and no waiter is queued. */
    @Validate
    public void permitsConserved() {
        if (sem.availablePermits() != PERMITS || sem.hasQueuedWaiters()) {
            throw new IllegalStateException("permits leaked or waiter stranded: " + sem);
        }
    }

    @Test
    void modelCheck() {
        ModelChecks.options(20, 400).actorsBefore(0).actorsAfter(0).check(getClass());
    }
}
