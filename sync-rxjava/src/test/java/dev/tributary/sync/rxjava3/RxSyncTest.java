package dev.tributary.sync.rxjava3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.Barrier;
import dev.tributary.sync.BarrierWaitResult;
import dev.tributary.sync.ClosedException;
import dev.tributary.sync.Mutex;
import dev.tributary.sync.MutexGuard;
import dev.tributary.sync.Notify;
import dev.tributary.sync.OnceCell;
import dev.tributary.sync.RwLock;
import dev.tributary.sync.RwLockReadGuard;
import dev.tributary.sync.RwLockWriteGuard;
import dev.tributary.sync.Semaphore;
import dev.tributary.sync.SemaphorePermit;
import dev.tributary.sync.SetOnce;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.observers.TestObserver;
import io.reactivex.rxjava3.processors.PublishProcessor;
import io.reactivex.rxjava3.schedulers.TestScheduler;
import io.reactivex.rxjava3.subjects.SingleSubject;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Every entry point of {@link RxSync}, one behaviour per test. */
class RxSyncTest {

    // ---- Mutex

    @Test
    void lockEmitsTheGuardAndIsLazy() {
        Mutex<String> m = new Mutex<>("a");
        Single<MutexGuard<String>> lock = RxSync.lock(m);
        assertFalse(m.isLocked(), "nothing before subscription");
        TestObserver<MutexGuard<String>> to = lock.test();
        to.assertValueCount(1);
        assertTrue(m.isLocked());
        TestObserver<MutexGuard<String>> second = lock.test(); // a fresh lock: waits
        second.assertEmpty();
        to.values().get(0).close();
        second.assertValueCount(1);
        second.values().get(0).close();
        assertFalse(m.isLocked());
    }

    @Test
    void lockTimeoutWithdrawsTheWaiter() {
        Mutex<String> m = new Mutex<>("a");
        MutexGuard<String> held = m.tryLock();
        TestScheduler scheduler = new TestScheduler();
        TestObserver<MutexGuard<String>> to =
                RxSync.lock(m).timeout(1, TimeUnit.SECONDS, scheduler).test();
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        to.assertError(TimeoutException.class);
        held.close();
        assertFalse(m.isLocked(), "the timed-out waiter was not granted the lock");
    }

    @Test
    void withLockReleasesOnCompleteErrorAndCancel() {
        Mutex<Integer> m = new Mutex<>(1);
        RxSync.withLock(m, g -> Flowable.just(g.get(), g.get() + 1)).test().assertResult(1, 2);
        assertFalse(m.isLocked());

        IOException boom = new IOException("boom");
        RxSync.withLock(m, g -> Flowable.error(boom)).test().assertError(boom);
        assertFalse(m.isLocked());

        PublishProcessor<Integer> inner = PublishProcessor.create();
        TestSubscriber<Integer> ts = RxSync.withLock(m, g -> inner).test();
        assertTrue(m.isLocked());
        assertTrue(inner.hasSubscribers());
        ts.cancel();
        assertFalse(inner.hasSubscribers());
        assertFalse(m.isLocked());
    }

    @Test
    void withLockFnThrowingOrReturningNullFailsAndReleases() {
        Mutex<Integer> m = new Mutex<>(1);
        IllegalStateException boom = new IllegalStateException("fn");
        RxSync.<Integer, Integer>withLock(
                        m,
                        g -> {
                            throw boom;
                        })
                .test()
                .assertError(boom);
        assertFalse(m.isLocked());
        RxSync.<Integer, Integer>withLock(m, g -> null)
                .test()
                .assertError(NullPointerException.class);
        assertFalse(m.isLocked());
    }

    @Test
    void withLockRunsFnOnlyWithTheLockHeldAndMutatesUnderIt() {
        Mutex<Integer> m = new Mutex<>(0);
        MutexGuard<Integer> held = m.tryLock();
        AtomicInteger calls = new AtomicInteger();
        TestSubscriber<Integer> ts =
                RxSync.withLock(
                                m,
                                g -> {
                                    calls.incrementAndGet();
                                    g.set(g.get() + 1);
                                    return Flowable.just(g.get());
                                })
                        .test();
        assertEquals(0, calls.get());
        held.close();
        ts.assertResult(1);
        assertFalse(m.isLocked());
    }

    @Test
    void withLockDisposedWhileWaitingLeavesNothing() {
        Mutex<Integer> m = new Mutex<>(0);
        MutexGuard<Integer> held = m.tryLock();
        AtomicInteger calls = new AtomicInteger();
        TestSubscriber<Integer> ts =
                RxSync.withLock(
                                m,
                                g -> {
                                    calls.incrementAndGet();
                                    return Flowable.just(1);
                                })
                        .test();
        ts.cancel();
        held.close();
        assertFalse(m.isLocked());
        assertEquals(0, calls.get());
    }

    // ---- RwLock

    @Test
    void readAndWriteGuards() {
        RwLock<String> lock = new RwLock<>("v");
        TestObserver<RwLockReadGuard<String>> r1 = RxSync.read(lock).test();
        TestObserver<RwLockReadGuard<String>> r2 = RxSync.read(lock).test();
        r1.assertValueCount(1);
        r2.assertValueCount(1);
        TestObserver<RwLockWriteGuard<String>> w = RxSync.write(lock).test();
        w.assertEmpty();
        r1.values().get(0).close();
        r2.values().get(0).close();
        w.assertValueCount(1);
        w.values().get(0).set("w");
        w.values().get(0).close();
        RwLockWriteGuard<String> check = lock.tryWrite();
        assertNotNull(check);
        assertEquals("w", check.get());
        check.close();
    }

    @Test
    void writeTimeoutWithdrawsTheWaiter() {
        RwLock<String> lock = new RwLock<>("v");
        RwLockReadGuard<String> reader = lock.tryRead();
        TestScheduler scheduler = new TestScheduler();
        TestObserver<RwLockWriteGuard<String>> to =
                RxSync.write(lock).timeout(1, TimeUnit.SECONDS, scheduler).test();
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        to.assertError(TimeoutException.class);
        // a queued writer would block new readers (write preference): it is gone
        RwLockReadGuard<String> another = lock.tryRead();
        assertNotNull(another);
        another.close();
        reader.close();
        RwLockWriteGuard<String> w = lock.tryWrite();
        assertNotNull(w);
        w.close();
    }

    @Test
    void readTimeoutWithdrawsTheWaiter() {
        RwLock<String> lock = new RwLock<>("v");
        RwLockWriteGuard<String> writer = lock.tryWrite();
        TestScheduler scheduler = new TestScheduler();
        TestObserver<RwLockReadGuard<String>> to =
                RxSync.read(lock).timeout(1, TimeUnit.SECONDS, scheduler).test();
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        to.assertError(TimeoutException.class);
        writer.close();
        RwLockWriteGuard<String> w = lock.tryWrite();
        assertNotNull(w, "the timed-out reader holds nothing");
        w.close();
    }

    @Test
    void withReadAndWithWriteRelease() {
        RwLock<Integer> lock = new RwLock<>(1);
        RxSync.withRead(lock, g -> Flowable.just(g.get())).test().assertResult(1);
        RxSync.withWrite(
                        lock,
                        g -> {
                            g.set(5);
                            return Flowable.just(g.get());
                        })
                .test()
                .assertResult(5);
        PublishProcessor<Integer> inner = PublishProcessor.create();
        TestSubscriber<Integer> ts = RxSync.withWrite(lock, g -> inner).test();
        assertNull(lock.tryRead());
        ts.cancel();
        RwLockWriteGuard<Integer> w = lock.tryWrite();
        assertNotNull(w);
        assertEquals(5, w.get());
        w.close();
    }

    // ---- Semaphore

    @Test
    void acquireIsLazyAndEachSubscriptionAcquiresAgain() {
        Semaphore sem = new Semaphore(3);
        Single<SemaphorePermit> one = RxSync.acquire(sem);
        Single<SemaphorePermit> two = RxSync.acquire(sem, 2);
        assertEquals(3, sem.availablePermits(), "nothing taken at assembly");
        SemaphorePermit a = one.blockingGet();
        SemaphorePermit b = one.blockingGet();
        assertEquals(1, sem.availablePermits());
        TestObserver<SemaphorePermit> to = two.test();
        to.assertEmpty();
        assertTrue(sem.hasQueuedWaiters());
        a.close();
        to.assertValueCount(1);
        assertEquals(2, to.values().get(0).numPermits());
        to.values().get(0).close();
        b.close();
        assertEquals(3, sem.availablePermits());
    }

    @Test
    void acquireTimeoutWithdrawsTheWaiter() {
        Semaphore sem = new Semaphore(0);
        TestScheduler scheduler = new TestScheduler();
        TestObserver<SemaphorePermit> to =
                RxSync.acquire(sem).timeout(5, TimeUnit.SECONDS, scheduler).test();
        assertTrue(sem.hasQueuedWaiters());
        scheduler.advanceTimeBy(4, TimeUnit.SECONDS);
        to.assertEmpty();
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        to.assertError(TimeoutException.class);
        assertFalse(sem.hasQueuedWaiters());
        sem.addPermits(1);
        assertEquals(1, sem.availablePermits());
    }

    @Test
    void acquireManyDisposedWhilePartlyServedReturnsItsPermits() {
        Semaphore sem = new Semaphore(1);
        TestObserver<SemaphorePermit> to = RxSync.acquire(sem, 3).test();
        sem.addPermits(1); // 2 of 3 assigned to the waiting request
        to.dispose();
        assertFalse(sem.hasQueuedWaiters());
        assertEquals(2, sem.availablePermits());
    }

    @Test
    void acquireOnAClosedSemaphoreIsAnErrorSignal() {
        Semaphore sem = new Semaphore(0);
        TestObserver<SemaphorePermit> waiting = RxSync.acquire(sem).test();
        sem.close();
        waiting.assertError(ClosedException.class);
        RxSync.acquire(sem).test().assertError(ClosedException.class);
        RxSync.withPermit(sem, Flowable.just(1)).test().assertError(ClosedException.class);
    }

    @Test
    void withPermitHoldsThePermitWhileTheSourceRuns() {
        Semaphore sem = new Semaphore(1);
        PublishProcessor<Integer> inner = PublishProcessor.create();
        TestSubscriber<Integer> ts = RxSync.withPermit(sem, inner).test();
        assertEquals(0, sem.availablePermits());
        TestSubscriber<Integer> waiting = RxSync.withPermit(sem, Flowable.just(9)).test();
        waiting.assertEmpty();
        inner.onNext(1);
        inner.onComplete();
        ts.assertResult(1);
        waiting.assertResult(9);
        assertEquals(1, sem.availablePermits());

        RxSync.withPermits(sem, 1, Flowable.error(new IOException()))
                .test()
                .assertError(IOException.class);
        assertEquals(1, sem.availablePermits());
        TestSubscriber<Object> never = RxSync.withPermits(sem, 1, Flowable.never()).test();
        assertEquals(0, sem.availablePermits());
        never.cancel();
        assertEquals(1, sem.availablePermits());
    }

    @Test
    void withPermitsDoesNotSubscribeTheSourceBeforeThePermit() {
        Semaphore sem = new Semaphore(1);
        SemaphorePermit held = sem.tryAcquire();
        AtomicInteger subscribed = new AtomicInteger();
        TestSubscriber<Integer> ts =
                RxSync.withPermits(
                                sem,
                                1,
                                Flowable.just(1).doOnSubscribe(s -> subscribed.incrementAndGet()))
                        .test();
        assertEquals(0, subscribed.get());
        held.close();
        ts.assertResult(1);
        assertEquals(1, subscribed.get());
    }

    @Test
    void withFormsTimedOutWhileWaitingTakeNothing() {
        TestScheduler scheduler = new TestScheduler();
        Semaphore sem = new Semaphore(0);
        AtomicInteger subscribed = new AtomicInteger();
        TestSubscriber<Integer> permit =
                RxSync.withPermits(
                                sem,
                                2,
                                Flowable.just(1).doOnSubscribe(x -> subscribed.incrementAndGet()))
                        .timeout(1, TimeUnit.SECONDS, scheduler)
                        .test();
        Mutex<Integer> m = new Mutex<>(0);
        MutexGuard<Integer> held = m.tryLock();
        TestSubscriber<Integer> lock =
                RxSync.withLock(m, g -> Flowable.just(1))
                        .timeout(1, TimeUnit.SECONDS, scheduler)
                        .test();
        RwLock<Integer> rw = new RwLock<>(0);
        RwLockWriteGuard<Integer> writer = rw.tryWrite();
        TestSubscriber<Integer> read =
                RxSync.withRead(rw, g -> Flowable.just(1))
                        .timeout(1, TimeUnit.SECONDS, scheduler)
                        .test();
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        permit.assertError(TimeoutException.class);
        lock.assertError(TimeoutException.class);
        read.assertError(TimeoutException.class);
        assertFalse(sem.hasQueuedWaiters());
        sem.addPermits(2);
        assertEquals(2, sem.availablePermits());
        assertEquals(0, subscribed.get());
        held.close();
        assertFalse(m.isLocked());
        writer.close();
        RwLockWriteGuard<Integer> w = rw.tryWrite();
        assertNotNull(w);
        w.close();
    }

    @Test
    void withPermitTimeoutWhileRunningReturnsThePermit() {
        TestScheduler scheduler = new TestScheduler();
        Semaphore sem = new Semaphore(1);
        TestSubscriber<Object> ts =
                RxSync.withPermit(sem, Flowable.never())
                        .timeout(1, TimeUnit.SECONDS, scheduler)
                        .test();
        assertEquals(0, sem.availablePermits());
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        ts.assertError(TimeoutException.class);
        assertEquals(1, sem.availablePermits());
    }

    // ---- Notify

    @Test
    void notifiedCompletesOnNotifyOneAndIsLazy() {
        Notify notify = new Notify();
        var c = RxSync.notified(notify);
        notify.notifyWaiters(); // before subscription: not seen
        var to = c.test();
        to.assertNotComplete();
        notify.notifyOne();
        to.assertComplete();
        notify.notifyOne(); // stored permit, consumed at subscription
        c.test().assertComplete();
    }

    @Test
    void notifiedTimeoutPassesTheNotificationOn() {
        Notify notify = new Notify();
        TestScheduler scheduler = new TestScheduler();
        var timedOut = RxSync.notified(notify).timeout(1, TimeUnit.SECONDS, scheduler).test();
        var second = RxSync.notified(notify).test();
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        timedOut.assertError(TimeoutException.class);
        notify.notifyOne();
        second.assertComplete();
    }

    // ---- Barrier

    @Test
    void barrierAwaitReleasesAGenerationWithOneLeader() {
        Barrier barrier = new Barrier(3);
        Single<BarrierWaitResult> s = RxSync.await(barrier);
        TestObserver<BarrierWaitResult> a = s.test();
        TestObserver<BarrierWaitResult> b = s.test();
        a.assertEmpty();
        TestObserver<BarrierWaitResult> c = s.test();
        long leaders =
                java.util.stream.Stream.of(a, b, c)
                        .map(t -> t.assertValueCount(1).values().get(0))
                        .filter(BarrierWaitResult::isLeader)
                        .count();
        assertEquals(1, leaders);
    }

    @Test
    void barrierAwaitTimeoutKeepsTheArrival() {
        Barrier barrier = new Barrier(2);
        TestScheduler scheduler = new TestScheduler();
        var timedOut = RxSync.await(barrier).timeout(1, TimeUnit.SECONDS, scheduler).test();
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        timedOut.assertError(TimeoutException.class);
        // the arrival still counts: one more completes the generation
        RxSync.await(barrier).test().assertValue(BarrierWaitResult::isLeader);
    }

    // ---- OnceCell

    @Test
    void getOrInitRunsOneInitializationOthersWait() {
        OnceCell<String> cell = new OnceCell<>();
        SingleSubject<String> init = SingleSubject.create();
        AtomicInteger runs = new AtomicInteger();
        Single<String> get =
                RxSync.getOrInit(
                        cell,
                        () -> {
                            runs.incrementAndGet();
                            return init;
                        });
        assertEquals(0, runs.get(), "lazy");
        TestObserver<String> first = get.test();
        TestObserver<String> second = get.test();
        assertEquals(1, runs.get());
        first.assertEmpty();
        init.onSuccess("v");
        first.assertValue("v");
        second.assertValue("v");
        get.test().assertValue("v");
        assertEquals(1, runs.get());
        assertEquals("v", cell.get());
    }

    @Test
    void getOrInitFailureLetsTheNextCallerTry() {
        OnceCell<String> cell = new OnceCell<>();
        SingleSubject<String> failing = SingleSubject.create();
        TestObserver<String> first = RxSync.getOrInit(cell, () -> failing).test();
        TestObserver<String> second = RxSync.getOrInit(cell, () -> Single.just("second")).test();
        second.assertEmpty();
        IOException boom = new IOException("init");
        failing.onError(boom);
        first.assertError(boom);
        second.assertValue("second");
        assertEquals("second", cell.get());
    }

    @Test
    void getOrInitDisposedDuringItsInitAbandonsItAndTheNextTries() {
        OnceCell<String> cell = new OnceCell<>();
        SingleSubject<String> slow = SingleSubject.create();
        TestObserver<String> first = RxSync.getOrInit(cell, () -> slow).test();
        TestObserver<String> second = RxSync.getOrInit(cell, () -> Single.just("next")).test();
        assertTrue(slow.hasObservers());
        first.dispose();
        assertFalse(slow.hasObservers(), "the initializing Single was disposed");
        first.assertEmpty();
        second.assertValue("next");
    }

    @Test
    void getOrInitTimeoutWhileWaitingLosesOnlyTheTurn() {
        OnceCell<String> cell = new OnceCell<>();
        SingleSubject<String> slow = SingleSubject.create();
        TestObserver<String> first = RxSync.getOrInit(cell, () -> slow).test();
        TestScheduler scheduler = new TestScheduler();
        AtomicInteger secondRuns = new AtomicInteger();
        TestObserver<String> second =
                RxSync.getOrInit(
                                cell,
                                () -> {
                                    secondRuns.incrementAndGet();
                                    return Single.just("x");
                                })
                        .timeout(1, TimeUnit.SECONDS, scheduler)
                        .test();
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        second.assertError(TimeoutException.class);
        slow.onError(new IOException());
        first.assertError(IOException.class);
        assertEquals(0, secondRuns.get(), "a timed-out waiter never initializes");
        assertFalse(cell.initialized());
    }

    @Test
    void getOrInitSupplierReturningNullFails() {
        OnceCell<String> cell = new OnceCell<>();
        RxSync.<String>getOrInit(cell, () -> null).test().assertError(NullPointerException.class);
        RxSync.getOrInit(cell, () -> Single.just("ok")).test().assertValue("ok");
    }

    // ---- SetOnce

    @Test
    void setOnceAwaitWaitsForTheValue() {
        SetOnce<String> cell = new SetOnce<>();
        Single<String> s = RxSync.await(cell);
        TestObserver<String> to = s.test();
        to.assertEmpty();
        cell.set("v");
        to.assertValue("v");
        s.test().assertValue("v");
    }

    @Test
    void setOnceAwaitTimeout() {
        SetOnce<String> cell = new SetOnce<>();
        TestScheduler scheduler = new TestScheduler();
        TestObserver<String> to = RxSync.await(cell).timeout(1, TimeUnit.SECONDS, scheduler).test();
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        to.assertError(TimeoutException.class);
        cell.set("v");
        to.assertValueCount(0);
    }

    // ---- Bad input: at assembly, with a message

    @Test
    void nullArgumentsThrowAtAssembly() {
        assertNpe("mutex is null", () -> RxSync.lock(null));
        assertNpe("fn is null", () -> RxSync.withLock(new Mutex<>(1), null));
        assertNpe("lock is null", () -> RxSync.read(null));
        assertNpe("lock is null", () -> RxSync.write(null));
        assertNpe("fn is null", () -> RxSync.withRead(new RwLock<>(1), null));
        assertNpe("fn is null", () -> RxSync.withWrite(new RwLock<>(1), null));
        assertNpe("semaphore is null", () -> RxSync.acquire(null));
        assertNpe("semaphore is null", () -> RxSync.acquire(null, 1));
        assertNpe("source is null", () -> RxSync.withPermit(new Semaphore(1), null));
        assertNpe("semaphore is null", () -> RxSync.withPermit(null, Flowable.empty()));
        assertNpe("semaphore is null", () -> RxSync.limit(null, Flowable::just));
        assertNpe("fn is null", () -> RxSync.limit(new Semaphore(1), null));
        assertNpe("notify is null", () -> RxSync.notified(null));
        assertNpe("barrier is null", () -> RxSync.await((Barrier) null));
        assertNpe("cell is null", () -> RxSync.await((SetOnce<?>) null));
        assertNpe("cell is null", () -> RxSync.getOrInit(null, () -> Single.just(1)));
        assertNpe("init is null", () -> RxSync.getOrInit(new OnceCell<>(), null));
    }

    @Test
    void permitCountsOutOfRangeThrowAtAssembly() {
        Semaphore sem = new Semaphore(1);
        assertIae(
                "n in 1..268435455 (Semaphore.MAX_PERMITS) required but it was 0",
                () -> RxSync.acquire(sem, 0));
        assertIae(
                "n in 1..268435455 (Semaphore.MAX_PERMITS) required but it was -1",
                () -> RxSync.withPermits(sem, -1, Flowable.empty()));
        assertIae(
                "n in 1..268435455 (Semaphore.MAX_PERMITS) required but it was 268435456",
                () -> RxSync.acquire(sem, Semaphore.MAX_PERMITS + 1));
        assertIae(
                "maxPending > 0 required but it was 0", () -> RxSync.limit(sem, Flowable::just, 0));
        assertEquals(1, sem.availablePermits());
        RxSync.acquire(sem, Semaphore.MAX_PERMITS).test().dispose(); // in range: fine
        assertFalse(sem.hasQueuedWaiters());
    }

    static void assertNpe(String message, Runnable r) {
        NullPointerException e = assertThrows(NullPointerException.class, r::run);
        assertEquals(message, e.getMessage());
    }

    static void assertIae(String message, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertEquals(message, e.getMessage());
    }
}
