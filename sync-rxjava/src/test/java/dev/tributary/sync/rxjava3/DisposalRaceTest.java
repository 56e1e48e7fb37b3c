package dev.tributary.sync.rxjava3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.ClosedException;
import dev.tributary.sync.Mutex;
import dev.tributary.sync.MutexGuard;
import dev.tributary.sync.Notify;
import dev.tributary.sync.RwLock;
import dev.tributary.sync.RwLockReadGuard;
import dev.tributary.sync.RwLockWriteGuard;
import dev.tributary.sync.Semaphore;
import dev.tributary.sync.SemaphorePermit;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.observers.TestObserver;
import io.reactivex.rxjava3.schedulers.TestScheduler;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Disposal and timeouts racing the grant, in loops: whatever wins, nothing leaks and no waiter
 * stays registered.
 */
class DisposalRaceTest {

    private static final int ROUNDS = 3_000;

    @Test
    void acquireDisposedRacingRelease() {
        Semaphore sem = new Semaphore(1);
        for (int i = 0; i < ROUNDS; i++) {
            SemaphorePermit held = sem.tryAcquire();
            TestObserver<SemaphorePermit> to = RxSync.acquire(sem).test();
            Race.race(to::dispose, held::close);
            // granted to us before the disposal: it is ours (delivered), else returned
            to.values().forEach(SemaphorePermit::close);
            assertEquals(1, sem.availablePermits(), "iteration " + i);
            assertFalse(sem.hasQueuedWaiters(), "iteration " + i);
        }
    }

    @Test
    void acquireManyDisposedRacingAddPermits() {
        Semaphore sem = new Semaphore(0);
        for (int i = 0; i < ROUNDS; i++) {
            TestObserver<SemaphorePermit> to = RxSync.acquire(sem, 3).test();
            Race.race(to::dispose, () -> sem.addPermits(3));
            to.values().forEach(SemaphorePermit::close);
            assertEquals(3, sem.availablePermits(), "iteration " + i);
            assertFalse(sem.hasQueuedWaiters(), "iteration " + i);
            sem.forgetPermits(3);
        }
    }

    @Test
    void acquireTimeoutRacingRelease() {
        Semaphore sem = new Semaphore(1);
        for (int i = 0; i < ROUNDS; i++) {
            TestScheduler scheduler = new TestScheduler();
            SemaphorePermit held = sem.tryAcquire();
            TestObserver<SemaphorePermit> to =
                    RxSync.acquire(sem).timeout(1, TimeUnit.SECONDS, scheduler).test();
            Race.race(() -> scheduler.advanceTimeBy(1, TimeUnit.SECONDS), held::close);
            to.values().forEach(SemaphorePermit::close);
            assertEquals(1, sem.availablePermits(), "iteration " + i);
            assertFalse(sem.hasQueuedWaiters(), "iteration " + i);
        }
    }

    @Test
    void lockDisposedRacingUnlock() {
        Mutex<Integer> m = new Mutex<>(0);
        for (int i = 0; i < ROUNDS; i++) {
            MutexGuard<Integer> held = m.tryLock();
            TestObserver<MutexGuard<Integer>> to = RxSync.lock(m).test();
            Race.race(to::dispose, held::close);
            to.values().forEach(MutexGuard::close);
            assertFalse(m.isLocked(), "iteration " + i);
        }
    }

    @Test
    void withLockDisposedRacingUnlock() {
        Mutex<Integer> m = new Mutex<>(0);
        for (int i = 0; i < ROUNDS; i++) {
            MutexGuard<Integer> held = m.tryLock();
            TestSubscriber<Integer> ts = RxSync.withLock(m, g -> Flowable.<Integer>never()).test();
            Race.race(ts::cancel, held::close);
            assertFalse(m.isLocked(), "iteration " + i);
        }
    }

    @Test
    void readAndWriteDisposedRacingRelease() {
        RwLock<Integer> lock = new RwLock<>(0);
        for (int i = 0; i < ROUNDS; i++) {
            RwLockWriteGuard<Integer> writer = lock.tryWrite();
            TestObserver<RwLockReadGuard<Integer>> r = RxSync.read(lock).test();
            Race.race(r::dispose, writer::close);
            r.values().forEach(RwLockReadGuard::close);
            RwLockReadGuard<Integer> reader = lock.tryRead();
            assertNotNull(reader, "iteration " + i);
            TestObserver<RwLockWriteGuard<Integer>> w = RxSync.write(lock).test();
            Race.race(w::dispose, reader::close);
            w.values().forEach(RwLockWriteGuard::close);
            RwLockWriteGuard<Integer> check = lock.tryWrite();
            assertNotNull(check, "iteration " + i + ": nothing held, nobody queued");
            check.close();
        }
    }

    @Test
    void notifiedDisposedRacingNotifyOneDeliversAtMostOnceAndLeavesNoWaiter() {
        Notify notify = new Notify();
        for (int i = 0; i < ROUNDS; i++) {
            TestObserver<Void> to = RxSync.notified(notify).test();
            Race.race(to::dispose, notify::notifyOne);
            // the disposal won: the notification was passed on and is the stored permit now;
            // the wait won: it was consumed by it. Never both.
            TestObserver<Void> probe = RxSync.notified(notify).test();
            boolean waitGotIt = to.values().isEmpty() && isComplete(to);
            boolean stored = isComplete(probe);
            assertFalse(
                    waitGotIt && stored, "iteration " + i + ": one notification, delivered twice");
            probe.dispose();
        }
        // no waiter stays registered: a notifyOne now is stored, and consumed by the next wait
        notify.notifyOne();
        RxSync.notified(notify).test().assertComplete();
    }

    private static boolean isComplete(TestObserver<Void> to) {
        try {
            to.assertComplete();
            return true;
        } catch (AssertionError notComplete) {
            return false;
        }
    }

    @Test
    void errorsRacingDisposalAreDeliveredOrReportedNeverLost() {
        try (PluginErrors plugin = new PluginErrors()) {
            int delivered = 0;
            int cancelled = 0;
            for (int i = 0; i < ROUNDS; i++) {
                Semaphore sem = new Semaphore(0);
                AtomicReference<Throwable> error = new AtomicReference<>();
                Disposable d = RxSync.acquire(sem).subscribe(p -> p.close(), error::set);
                int before = plugin.errors.size();
                Race.race(d::dispose, sem::close);
                if (error.get() != null) {
                    assertTrue(error.get() instanceof ClosedException);
                    delivered++;
                } else if (plugin.errors.size() == before) {
                    cancelled++; // the withdrawal won: the close found no waiter
                }
                assertTrue(plugin.errors.size() - before <= 1);
            }
            assertEquals(
                    ROUNDS,
                    delivered + cancelled + plugin.errors.size(),
                    "every round: delivered, withdrawn, or reported");
            plugin.causes().forEach(e -> assertTrue(e instanceof ClosedException, e.toString()));
        }
    }
}
