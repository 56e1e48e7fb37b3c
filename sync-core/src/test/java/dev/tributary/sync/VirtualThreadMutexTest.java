package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 10,000 virtual threads contending on {@link Mutex#blockingLock()} (and on a {@link Semaphore},
 * mixed with async waiters). The blocking methods park with {@code LockSupport}, so virtual threads
 * unmount while they wait instead of pinning the few carrier threads; a pinning implementation
 * would deadlock here with 10,000 threads on 2 carriers.
 *
 * <p>Tagged {@code jdk21}: the build runs this class again in a fork on a JDK 21+ when one is
 * installed (see the {@code virtual-threads} profile of {@code sync-core/pom.xml}). On JDK 17 it
 * reports itself skipped.
 */
@Tag("jdk21")
@Timeout(120)
class VirtualThreadMutexTest {
    private static final int THREADS = 10_000;

    @Test
    void tenThousandVirtualThreadsContendOnBlockingLock() throws Exception {
        Mutex<long[]> mutex = new Mutex<>(new long[1]);
        MutexGuard<long[]> held = mutex.blockingLock();
        List<Future<?>> done = new ArrayList<>(THREADS);
        ExecutorService vts = VirtualThreads.executor();
        try {
            for (int i = 0; i < THREADS; i++) {
                done.add(
                        vts.submit(
                                () -> {
                                    try (MutexGuard<long[]> g = mutex.blockingLock()) {
                                        long[] c = g.get();
                                        c[0]++; // a lost update shows up as a short count
                                    }
                                    return null;
                                }));
            }
            held.close(); // let them all through, one at a time
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            vts.shutdownNow();
        }
        MutexGuard<long[]> g = mutex.tryLock();
        assertEquals(THREADS, g.get()[0]);
        g.close();
    }

    @Test
    void virtualThreadsAndFuturesShareTheSemaphoreQueue() throws Exception {
        Semaphore sem = new Semaphore(3);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>(THREADS);
        List<CompletableFuture<Void>> asyncDone = new ArrayList<>();
        ExecutorService vts = VirtualThreads.executor();
        try {
            for (int i = 0; i < THREADS; i++) {
                if (i % 10 == 0) {
                    asyncDone.add(sem.acquire().thenAccept(SemaphorePermit::close));
                }
                done.add(
                        vts.submit(
                                () -> {
                                    SemaphorePermit p = sem.blockingAcquire();
                                    try {
                                        int now = inside.incrementAndGet();
                                        maxInside.accumulateAndGet(now, Math::max);
                                        Thread.yield();
                                        inside.decrementAndGet();
                                    } finally {
                                        p.close();
                                    }
                                    return null;
                                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            vts.shutdownNow();
        }
        CompletableFuture.allOf(asyncDone.toArray(new CompletableFuture<?>[0]))
                .get(60, TimeUnit.SECONDS);
        assertTrue(maxInside.get() <= 3, "never more than 3 holders, saw " + maxInside.get());
        assertEquals(3, sem.availablePermits());
        assertFalse(sem.hasQueuedWaiters());
    }
}
