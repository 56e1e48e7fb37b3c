package dev.tributary.sync.internal;

import dev.tributary.sync.ModelChecks;
import java.util.concurrent.CompletableFuture;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model checking of the waiter core ({@link BatchSemaphore}) with Lincheck: every interleaving (up
 * to the configured budget) of exclusive two-permit acquisitions, one-permit acquisitions and
 * requests that are cancelled while the grant may be racing them.
 *
 * <p>The semaphore has two permits. {@code exclusiveIncrement} takes both (parking via the blocking
 * path) and increments a plain counter, so its results are linearizable only if exclusion holds;
 * the cancelling operations exercise the grant-versus-cancel race and partial grants. {@link
 * #permitsConserved()} runs after every scenario: all permits must be free again and no waiter may
 * be left queued. A lost wake-up shows up as a deadlock, which Lincheck reports.
 */
@Timeout(300)
public class BatchSemaphoreLincheckTest {
    private static final int PERMITS = 2;

    private final BatchSemaphore sem = new BatchSemaphore(PERMITS, IllegalStateException::new);
    private int counter;

    /** Takes both permits (parking), increments the counter, releases. */
    @Operation
    public int exclusiveIncrement() throws InterruptedException {
        Boolean got = sem.acquireBlocking(PERMITS, Long.MAX_VALUE, n -> Boolean.TRUE);
        if (got == null) {
            throw new AssertionError("untimed acquire returned nothing");
        }
        int v = counter++;
        sem.release(PERMITS);
        return v;
    }

    /** Async acquire of one permit, cancelled at once; releases if the grant won the race. */
    @Operation
    public void acquireOneThenCancel() {
        acquireThenCancel(1);
    }

    /** Async acquire of both permits (may be partly granted), cancelled at once. */
    @Operation
    public void acquireTwoThenCancel() {
        acquireThenCancel(2);
    }

    /** Non-waiting acquire of one permit, released at once. */
    @Operation
    public void tryAcquireOneAndRelease() {
        if (sem.tryAcquire(1) == BatchSemaphore.TRY_ACQUIRED) {
            sem.release(1);
        }
    }

    private void acquireThenCancel(int n) {
        CompletableFuture<Integer> f = sem.acquire(n, k -> k);
        if (!f.cancel(false)) {
            // The grant won: the future holds the permits, which we now return.
            sem.release(f.join());
        }
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
        ModelChecks.options(30, 500).actorsBefore(0).actorsAfter(0).check(getClass());
    }
}
