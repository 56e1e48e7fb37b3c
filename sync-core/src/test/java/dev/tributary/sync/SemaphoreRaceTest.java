package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Race loops over the waiter core through {@link Semaphore}: grant against cancel, partial grants
 * against cancel, close against grant and cancel, FIFO order under contention, and a mixed hammer
 * of every form of acquisition with random cancellation and timeouts. Invariants: permits
 * conserved, no waiter stranded, never more holders than permits, grants in queue order.
 */
@Timeout(120)
class SemaphoreRaceTest {
    private static final int ITERATIONS = 10_000;

    @Test
    void cancelRacesGrant() throws Exception {
        {
            for (int i = 0; i < ITERATIONS; i++) {
                Semaphore s = new Semaphore(0);
                CompletableFuture<SemaphorePermit> f = s.acquire();
                Race.race(() -> f.cancel(false), () -> s.addPermits(1));
                if (!f.isCancelled()) {
                    Race.await(f).close();
                }
                assertEquals(1, s.availablePermits(), "iteration " + i);
                assertFalse(s.hasQueuedWaiters());
            }
        }
    }

    @Test
    void cancelRacesPartialGrant() throws Exception {
        {
            for (int i = 0; i < ITERATIONS; i++) {
                Semaphore s = new Semaphore(1);
                CompletableFuture<SemaphorePermit> big = s.acquireMany(3); // 1 assigned, 2 missing
                CompletableFuture<SemaphorePermit> small = s.acquire();
                Race.race(() -> big.cancel(false), () -> s.addPermits(2));
                int held = 0;
                if (!big.isCancelled()) {
                    SemaphorePermit p = Race.await(big);
                    held += p.numPermits();
                    p.close();
                }
                SemaphorePermit q = Race.await(small); // either way small gets one eventually
                q.close();
                assertEquals(3, s.availablePermits(), "iteration " + i + ", big held " + held);
                assertFalse(s.hasQueuedWaiters());
            }
        }
    }

    @Test
    void closeRacesGrantAndCancel() throws Exception {
        {
            for (int i = 0; i < ITERATIONS; i++) {
                Semaphore s = new Semaphore(1);
                SemaphorePermit held = s.tryAcquire();
                CompletableFuture<SemaphorePermit> a = s.acquireMany(2);
                CompletableFuture<SemaphorePermit> b = s.acquire();
                Race.race(
                        () -> {
                            held.close();
                            b.cancel(false);
                        },
                        s::close);
                for (CompletableFuture<SemaphorePermit> f : List.of(a, b)) {
                    if (!f.isCompletedExceptionally()) {
                        Race.await(f).close();
                    }
                }
                assertEquals(1, s.availablePermits(), "iteration " + i);
                assertTrue(s.isClosed());
            }
        }
    }

    @Test
    void blockingTimeoutRacesGrant() throws Exception {
        {
            for (int i = 0; i < 2_000; i++) {
                Semaphore s = new Semaphore(0);
                AtomicReference<SemaphorePermit> got = new AtomicReference<>();
                Race.race(
                        () -> {
                            try {
                                got.set(s.blockingAcquire(Duration.ofNanos(20_000)));
                            } catch (InterruptedException e) {
                                throw new AssertionError(e);
                            }
                        },
                        () -> s.addPermits(1));
                if (got.get() != null) {
                    got.get().close();
                }
                assertEquals(1, s.availablePermits(), "iteration " + i);
                assertFalse(s.hasQueuedWaiters());
            }
        }
    }

    @Test
    void interruptRacesGrant() throws Exception {
        {
            for (int i = 0; i < 2_000; i++) {
                Semaphore s = new Semaphore(0);
                AtomicReference<Object> outcome = new AtomicReference<>();
                CountDownLatch started = new CountDownLatch(1);
                Thread t =
                        new Thread(
                                () -> {
                                    started.countDown();
                                    try {
                                        SemaphorePermit p = s.blockingAcquire();
                                        // Granted: the interrupt (if it came) is re-asserted.
                                        Thread.interrupted();
                                        p.close();
                                        outcome.set("granted");
                                    } catch (InterruptedException e) {
                                        outcome.set(e);
                                    }
                                });
                t.start();
                started.await();
                Race.race(t::interrupt, () -> s.addPermits(1));
                t.join(30_000);
                assertTrue(outcome.get() != null, "thread finished");
                assertEquals(1, s.availablePermits(), "iteration " + i + ": " + outcome.get());
            }
        }
    }

    @Test
    void grantsFollowQueueOrderUnderContention() throws Exception {
        for (int round = 0; round < 50; round++) {
            Semaphore s = new Semaphore(0);
            Object order = new Object();
            int[] nextSeq = {0};
            List<Integer> granted = java.util.Collections.synchronizedList(new ArrayList<>());
            int threads = 4;
            int perThread = 200;
            CountDownLatch enqueued = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                new Thread(
                                () -> {
                                    for (int k = 0; k < perThread; k++) {
                                        synchronized (order) {
                                            int seq = nextSeq[0]++;
                                            s.acquire().thenAccept(p -> granted.add(seq));
                                        }
                                    }
                                    enqueued.countDown();
                                })
                        .start();
            }
            assertTrue(enqueued.await(30, TimeUnit.SECONDS));
            for (int k = 0; k < threads * perThread; k++) {
                s.addPermits(1);
            }
            assertEquals(threads * perThread, granted.size());
            for (int k = 0; k < granted.size(); k++) {
                assertEquals(k, granted.get(k), "grant order in round " + round);
            }
        }
    }

    @Test
    void mixedHammerConservesPermits() throws Exception {
        int permits = 3;
        Semaphore s = new Semaphore(permits);
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger maxHolders = new AtomicInteger();
        int threads = 4;
        int ops = 20_000;
        List<Thread> all = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            Thread th =
                    new Thread(
                            () -> {
                                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                                try {
                                    for (int k = 0; k < ops; k++) {
                                        int n = 1 + rnd.nextInt(2);
                                        switch (rnd.nextInt(4)) {
                                            case 0:
                                                {
                                                    CompletableFuture<SemaphorePermit> f =
                                                            s.acquireMany(n);
                                                    if (rnd.nextBoolean() && f.cancel(false)) {
                                                        break;
                                                    }
                                                    use(Race.await(f), holders, maxHolders);
                                                    break;
                                                }
                                            case 1:
                                                {
                                                    SemaphorePermit p = s.tryAcquireMany(n);
                                                    if (p != null) {
                                                        use(p, holders, maxHolders);
                                                    }
                                                    break;
                                                }
                                            case 2:
                                                {
                                                    SemaphorePermit p =
                                                            s.blockingAcquireMany(
                                                                    n,
                                                                    Duration.ofNanos(
                                                                            rnd.nextInt(50_000)));
                                                    if (p != null) {
                                                        use(p, holders, maxHolders);
                                                    }
                                                    break;
                                                }
                                            default:
                                                {
                                                    CompletableFuture<SemaphorePermit> f =
                                                            s.acquireMany(n)
                                                                    .orTimeout(
                                                                            rnd.nextInt(100),
                                                                            TimeUnit.MICROSECONDS);
                                                    try {
                                                        use(Race.await(f), holders, maxHolders);
                                                    } catch (
                                                            java.util.concurrent.ExecutionException
                                                                    e) {
                                                        if (!(e.getCause()
                                                                instanceof
                                                                java.util.concurrent
                                                                        .TimeoutException)) {
                                                            throw e;
                                                        }
                                                    }
                                                }
                                        }
                                    }
                                } catch (Throwable e) {
                                    failure.compareAndSet(null, e);
                                }
                            });
            all.add(th);
            th.start();
        }
        for (Thread th : all) {
            th.join(100_000);
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(permits, s.availablePermits());
        assertFalse(s.hasQueuedWaiters());
        assertTrue(maxHolders.get() <= permits, "never more permits held than exist");
    }

    private static void use(SemaphorePermit p, AtomicInteger holders, AtomicInteger max) {
        int now = holders.addAndGet(p.numPermits());
        max.accumulateAndGet(now, Math::max);
        holders.addAndGet(-p.numPermits());
        p.close();
    }
}
