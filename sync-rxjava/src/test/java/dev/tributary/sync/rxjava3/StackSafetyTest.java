package dev.tributary.sync.rxjava3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tributary.sync.Mutex;
import dev.tributary.sync.MutexGuard;
import dev.tributary.sync.Semaphore;
import dev.tributary.sync.SemaphorePermit;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.observers.TestObserver;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Long hand-over chains on one thread: each grant's signal releases the next waiter from inside the
 * previous one's signal. sync-core trampolines those completions, so the stack stays flat (a naive
 * inline completion dies of StackOverflowError after a few thousand steps).
 */
class StackSafetyTest {

    private static final int CHAIN = 20_000;

    @Test
    void aChainOfWaitingAcquiresEachReleasingTheNext() {
        Semaphore sem = new Semaphore(0);
        AtomicInteger granted = new AtomicInteger();
        List<TestObserver<SemaphorePermit>> waiting = new ArrayList<>();
        for (int i = 0; i < CHAIN; i++) {
            waiting.add(
                    RxSync.acquire(sem)
                            .doOnSuccess(
                                    p -> {
                                        granted.incrementAndGet();
                                        p.close(); // grants the next waiter, from inside this one
                                    })
                            .test());
        }
        sem.addPermits(1);
        assertEquals(CHAIN, granted.get());
        waiting.forEach(to -> to.assertNoErrors().assertValueCount(1));
        assertEquals(1, sem.availablePermits());
    }

    @Test
    void aChainOfWithLockCallsHandedOverInsideTheirCompletions() {
        Mutex<Integer> m = new Mutex<>(0);
        MutexGuard<Integer> held = m.tryLock();
        List<TestSubscriber<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < CHAIN; i++) {
            calls.add(
                    RxSync.withLock(
                                    m,
                                    g -> {
                                        g.set(g.get() + 1);
                                        return Flowable.just(g.get());
                                    })
                            .test());
        }
        held.close();
        calls.forEach(ts -> ts.assertNoErrors().assertComplete());
        assertFalse(m.isLocked());
        MutexGuard<Integer> g = m.tryLock();
        assertEquals(CHAIN, g.get());
        g.close();
    }

    @Test
    void theLimiterHandsOffAChainOfWaitingCallsWithoutGrowingTheStack() {
        Semaphore sem = new Semaphore(0);
        TestSubscriber<Integer> ts =
                Flowable.range(0, CHAIN).compose(RxSync.limit(sem, Flowable::just, CHAIN)).test();
        sem.addPermits(1);
        ts.assertNoErrors().assertComplete();
        assertEquals(CHAIN, ts.values().size());
        assertEquals(1, sem.availablePermits());
    }
}
