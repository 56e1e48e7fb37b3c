package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A million acquire → release hand-offs chained through continuations on one thread must not grow
 * the stack: each release completes the next waiter, whose continuation queues the next acquisition
 * and releases again. Completing inline would recurse once per hop and die of {@link
 * StackOverflowError} within a few thousand hops (the test JVM runs with {@code -Xss1m}); the
 * core's trampoline bounds the depth. Not a port of a tokio test: tokio's tasks are polled by the
 * runtime, so the problem does not arise there.
 */
@Timeout(60)
class MutexStackDepthTest {

    private static final int HOPS = 1_000_000;

    /** Sample the stack depth every this many hops. */
    private static final int SAMPLE_EVERY = 50_000;

    /**
     * Far more than the trampoline's bounded nesting needs, far less than an unbounded recursion
     * reaches within the first sample.
     */
    private static final int MAX_FRAMES = 5_000;

    @Test
    void mutexHandOffsDoNotGrowTheStack() throws Exception {
        Mutex<Integer> m = new Mutex<>(0);
        MutexGuard<Integer> first = m.tryLock();
        assertNotNull(first);
        MutexHops hops = new MutexHops(m);
        hops.hop(first);
        assertTrue(hops.done.isDone(), "the whole chain ran on this thread");
        assertEquals(HOPS, hops.done.get(10, TimeUnit.SECONDS));
        assertTrue(hops.maxFrames < MAX_FRAMES, "stack grew to " + hops.maxFrames + " frames");
        assertFalse(m.isLocked());
        try (MutexGuard<Integer> g = m.tryLock()) {
            assertEquals(HOPS, g.get());
        }
    }

    @Test
    void semaphoreHandOffsDoNotGrowTheStack() throws Exception {
        Semaphore s = new Semaphore(1);
        SemaphorePermit first = s.tryAcquire();
        assertNotNull(first);
        SemaphoreHops hops = new SemaphoreHops(s);
        hops.hop(first);
        assertTrue(hops.done.isDone(), "the whole chain ran on this thread");
        assertEquals(HOPS, hops.done.get(10, TimeUnit.SECONDS));
        assertTrue(hops.maxFrames < MAX_FRAMES, "stack grew to " + hops.maxFrames + " frames");
        assertEquals(1, s.availablePermits());
    }

    /** Each hop: queue the next lock() behind the held guard, then close the guard. */
    private static final class MutexHops {
        final Mutex<Integer> m;
        final CompletableFuture<Integer> done = new CompletableFuture<>();
        int maxFrames;

        MutexHops(Mutex<Integer> m) {
            this.m = m;
        }

        void hop(MutexGuard<Integer> held) {
            try {
                int n = held.get();
                if (n % SAMPLE_EVERY == 0) {
                    maxFrames = Math.max(maxFrames, Thread.currentThread().getStackTrace().length);
                }
                if (n == HOPS) {
                    held.close();
                    done.complete(n);
                    return;
                }
                CompletableFuture<MutexGuard<Integer>> next = m.lock();
                if (next.isDone()) {
                    throw new AssertionError("lock() must wait while the guard is held");
                }
                next.thenAccept(this::hop);
                held.set(n + 1);
                held.close(); // grants `next`: its continuation runs on this thread
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }
    }

    /** The same with a one-permit semaphore; the hop count lives in a plain field. */
    private static final class SemaphoreHops {
        final Semaphore s;
        final CompletableFuture<Integer> done = new CompletableFuture<>();
        int count;
        int maxFrames;

        SemaphoreHops(Semaphore s) {
            this.s = s;
        }

        void hop(SemaphorePermit held) {
            try {
                if (count % SAMPLE_EVERY == 0) {
                    maxFrames = Math.max(maxFrames, Thread.currentThread().getStackTrace().length);
                }
                if (count == HOPS) {
                    held.close();
                    done.complete(count);
                    return;
                }
                CompletableFuture<SemaphorePermit> next = s.acquire();
                if (next.isDone()) {
                    throw new AssertionError("acquire() must wait while the permit is held");
                }
                next.thenAccept(this::hop);
                count++;
                held.close();
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }
    }
}
