package dev.tributary.sync.rxjava3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.ClosedException;
import dev.tributary.sync.Mpsc;
import dev.tributary.sync.Mutex;
import dev.tributary.sync.MutexGuard;
import dev.tributary.sync.Notify;
import dev.tributary.sync.OnceCell;
import dev.tributary.sync.RwLock;
import dev.tributary.sync.RwLockReadGuard;
import dev.tributary.sync.RwLockWriteGuard;
import dev.tributary.sync.Semaphore;
import dev.tributary.sync.SemaphorePermit;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.observers.TestObserver;
import io.reactivex.rxjava3.schedulers.TestScheduler;
import io.reactivex.rxjava3.subjects.SingleSubject;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * A timeout on another thread racing the grant, through the form that owns the permit. (With
     * {@code acquire(sem).timeout(...)} RxJava's own timeout operator may drop a permit emitted at
     * the moment it fires; see the RxSync class javadoc.)
     */
    @Test
    void withPermitTimeoutRacingRelease() {
        Semaphore sem = new Semaphore(1);
        for (int i = 0; i < ROUNDS; i++) {
            TestScheduler scheduler = new TestScheduler();
            SemaphorePermit held = sem.tryAcquire();
            TestSubscriber<Object> ts =
                    RxSync.withPermit(sem, Flowable.never())
                            .timeout(1, TimeUnit.SECONDS, scheduler)
                            .test();
            Race.race(() -> scheduler.advanceTimeBy(1, TimeUnit.SECONDS), held::close);
            scheduler.advanceTimeBy(1, TimeUnit.SECONDS); // the granted call times out too
            ts.assertError(java.util.concurrent.TimeoutException.class);
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

    @Test
    void withLockTimeoutRacingUnlock() {
        Mutex<Integer> m = new Mutex<>(0);
        for (int i = 0; i < ROUNDS; i++) {
            TestScheduler scheduler = new TestScheduler();
            MutexGuard<Integer> held = m.tryLock();
            TestSubscriber<Integer> ts =
                    RxSync.withLock(m, g -> Flowable.<Integer>never())
                            .timeout(1, TimeUnit.SECONDS, scheduler)
                            .test();
            Race.race(() -> scheduler.advanceTimeBy(1, TimeUnit.SECONDS), held::close);
            scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
            assertFalse(m.isLocked(), "iteration " + i);
        }
    }

    @Test
    void getOrInitDisposedRacingItsInitLetsTheNextTry() {
        for (int i = 0; i < ROUNDS; i++) {
            OnceCell<String> cell = new OnceCell<>();
            SingleSubject<String> init = SingleSubject.create();
            TestObserver<String> first = RxSync.getOrInit(cell, () -> init).test();
            TestObserver<String> second =
                    RxSync.getOrInit(cell, () -> Single.just("second")).test();
            Race.race(first::dispose, () -> init.onSuccess("first"));
            // the init won (its value is stored for everyone) or was abandoned (the next tried)
            second.assertValueCount(1);
            assertEquals(cell.get(), second.values().get(0), "iteration " + i);
            assertTrue(first.values().isEmpty() || first.values().get(0).equals("first"));
        }
    }

    @Test
    void sendAllDisposedRacingTheReceiverSendsAPrefixInOrder() {
        for (int i = 0; i < ROUNDS; i++) {
            Mpsc.Channel<Integer> ch = Mpsc.channel(1);
            TestObserver<Void> to = RxChannels.sendAll(ch.sender(), Flowable.range(0, 10)).test();
            List<Integer> got = new ArrayList<>();
            Race.race(
                    to::dispose,
                    () -> {
                        for (int k = 0; k < 3; k++) {
                            Integer v = ch.receiver().tryRecv();
                            if (v != null) {
                                got.add(v);
                            }
                        }
                    });
            Integer v;
            while ((v = ch.receiver().tryRecv()) != null) {
                got.add(v);
            }
            for (int k = 0; k < got.size(); k++) {
                assertEquals(k, got.get(k), "iteration " + i + ": " + got);
            }
            assertTrue(ch.sender().trySend(99), "iteration " + i + ": no send left waiting");
        }
    }
}
