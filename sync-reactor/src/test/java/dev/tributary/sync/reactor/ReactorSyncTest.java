package dev.tributary.sync.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Every entry point of {@link ReactorSync} under StepVerifier: grants, FIFO waits, release on every
 * outcome of the scoped forms, laziness and resubscription, timeouts in virtual time.
 */
@ExtendWith(BlockHoundSupport.class)
class ReactorSyncTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    // ---- Mutex

    @Test
    void lockIsLazyAndEachSubscriptionLocksAgain() {
        Mutex<String> mutex = new Mutex<>("v");
        Mono<MutexGuard<String>> lock = ReactorSync.lock(mutex);
        assertFalse(mutex.isLocked(), "nothing before subscription");
        MutexGuard<String> g = lock.block(WAIT);
        assertNotNull(g);
        assertEquals("v", g.get());
        // A second subscription is a fresh lock(): it waits for the first guard.
        StepVerifier.create(lock)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(20))
                .then(g::close)
                .assertNext(g2 -> g2.close())
                .expectComplete()
                .verify(WAIT);
        assertFalse(mutex.isLocked());
    }

    @Test
    void lockTimeoutInVirtualTimeWithdrawsTheWaiter() {
        Mutex<Integer> mutex = new Mutex<>(0);
        MutexGuard<Integer> held = mutex.tryLock();
        StepVerifier.withVirtualTime(() -> ReactorSync.lock(mutex).timeout(Duration.ofSeconds(1)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        held.close();
        assertFalse(mutex.isLocked(), "the withdrawn waiter did not get the lock");
        assertNotNull(mutex.tryLock(), "nobody queued");
    }

    @Test
    void withLockReleasesOnCompleteErrorAndCancel() {
        Mutex<Integer> mutex = new Mutex<>(1);
        StepVerifier.create(
                        ReactorSync.withLock(
                                mutex,
                                g -> {
                                    assertTrue(mutex.isLocked());
                                    g.set(g.get() + 1);
                                    return Flux.just(g.get(), 10);
                                }))
                .expectNext(2, 10)
                .expectComplete()
                .verify(WAIT);
        assertFalse(mutex.isLocked());
        StepVerifier.create(ReactorSync.withLock(mutex, g -> Mono.error(new RuntimeException("x"))))
                .expectErrorMessage("x")
                .verify(WAIT);
        assertFalse(mutex.isLocked());
        StepVerifier.create(ReactorSync.withLock(mutex, g -> Mono.never()))
                .expectSubscription()
                .then(() -> assertTrue(mutex.isLocked()))
                .thenCancel()
                .verify(WAIT);
        assertFalse(mutex.isLocked());
        StepVerifier.create(
                        ReactorSync.<Integer, Integer>withLock(
                                mutex,
                                g -> {
                                    throw new IllegalArgumentException("fn threw");
                                }))
                .expectErrorMessage("fn threw")
                .verify(WAIT);
        assertFalse(mutex.isLocked());
    }

    @Test
    void withLockSerializesInFifoOrder() {
        Mutex<StringBuilder> mutex = new Mutex<>(new StringBuilder());
        MutexGuard<StringBuilder> held = mutex.tryLock();
        Flux<String> all =
                Flux.merge(
                        ReactorSync.withLock(mutex, g -> Mono.just(g.get().append('a').toString())),
                        ReactorSync.withLock(mutex, g -> Mono.just(g.get().append('b').toString())),
                        ReactorSync.withLock(
                                mutex, g -> Mono.just(g.get().append('c').toString())));
        StepVerifier.create(all)
                .expectSubscription()
                .then(held::close)
                .expectNext("a", "ab", "abc")
                .expectComplete()
                .verify(WAIT);
    }

    // ---- RwLock

    @Test
    void readWriteAndScopedForms() {
        RwLock<Integer> lock = new RwLock<>(5);
        RwLockReadGuard<Integer> r1 = ReactorSync.read(lock).block(WAIT);
        RwLockReadGuard<Integer> r2 = ReactorSync.read(lock).block(WAIT);
        assertEquals(5, r1.get());
        StepVerifier.create(ReactorSync.write(lock))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(20))
                .then(
                        () -> {
                            r1.close();
                            r2.close();
                        })
                .assertNext(
                        w -> {
                            w.set(6);
                            w.close();
                        })
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(ReactorSync.withRead(lock, g -> Mono.just(g.get())))
                .expectNext(6)
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(
                        ReactorSync.withWrite(
                                lock,
                                g -> {
                                    g.set(7);
                                    return Mono.never();
                                }))
                .expectSubscription()
                .then(() -> assertNull(lock.tryRead(), "write-locked while the body runs"))
                .thenCancel()
                .verify(WAIT);
        RwLockWriteGuard<Integer> w = lock.tryWrite();
        assertNotNull(w, "every guard was released");
        assertEquals(7, w.get());
        w.close();
    }

    @Test
    void readAndWriteTimeoutsInVirtualTime() {
        RwLock<Integer> lock = new RwLock<>(0);
        RwLockWriteGuard<Integer> w = lock.tryWrite();
        StepVerifier.withVirtualTime(() -> ReactorSync.read(lock).timeout(Duration.ofSeconds(1)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        StepVerifier.withVirtualTime(() -> ReactorSync.write(lock).timeout(Duration.ofSeconds(1)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        w.close();
        RwLockWriteGuard<Integer> again = lock.tryWrite();
        assertNotNull(again, "no waiter left queued");
        again.close();
    }

    // ---- Semaphore

    @Test
    void acquireIsLazyAndResubscribingAcquiresAgain() {
        Semaphore sem = new Semaphore(3);
        Mono<SemaphorePermit> one = ReactorSync.acquire(sem);
        Mono<SemaphorePermit> two = ReactorSync.acquire(sem, 2);
        assertEquals(3, sem.availablePermits(), "nothing taken at assembly");
        SemaphorePermit p1 = one.block(WAIT);
        assertEquals(2, sem.availablePermits());
        SemaphorePermit p2 = one.block(WAIT);
        assertEquals(1, sem.availablePermits(), "a second subscription acquires again");
        StepVerifier.create(two)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(20))
                .then(p1::close)
                .assertNext(
                        p -> {
                            assertEquals(2, p.numPermits());
                            p.close();
                        })
                .expectComplete()
                .verify(WAIT);
        p2.close();
        assertEquals(3, sem.availablePermits());
    }

    @Test
    void acquireTimeoutInVirtualTimeReturnsPartlyAssignedPermits() {
        Semaphore sem = new Semaphore(2);
        SemaphorePermit held = sem.tryAcquire();
        StepVerifier.withVirtualTime(
                        () -> ReactorSync.acquire(sem, 2).timeout(Duration.ofSeconds(1)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        assertFalse(sem.hasQueuedWaiters());
        assertEquals(1, sem.availablePermits());
        held.close();
        assertEquals(2, sem.availablePermits());
        StepVerifier.withVirtualTime(
                        () -> {
                            SemaphorePermit all = sem.tryAcquireMany(2);
                            return ReactorSync.acquire(sem)
                                    .timeout(Duration.ofSeconds(1))
                                    .doFinally(s -> all.close());
                        })
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        assertEquals(2, sem.availablePermits());
    }

    @Test
    void acquireOnAClosedSemaphoreIsAnErrorSignal() {
        Semaphore sem = new Semaphore(0);
        StepVerifier.create(ReactorSync.acquire(sem))
                .expectSubscription()
                .then(sem::close)
                .expectError(ClosedException.class)
                .verify(WAIT);
        StepVerifier.create(ReactorSync.withPermit(sem, Mono.just(1)))
                .expectError(ClosedException.class)
                .verify(WAIT);
    }

    @Test
    void withPermitAndWithPermitsReleaseOnEveryOutcome() {
        Semaphore sem = new Semaphore(3);
        AtomicInteger subscribed = new AtomicInteger();
        Flux<Integer> body =
                Flux.defer(
                        () -> {
                            subscribed.incrementAndGet();
                            return Flux.just(sem.availablePermits());
                        });
        Flux<Integer> scoped = ReactorSync.withPermits(sem, 2, body);
        assertEquals(0, subscribed.get(), "lazy");
        StepVerifier.create(scoped).expectNext(1).expectComplete().verify(WAIT);
        StepVerifier.create(ReactorSync.withPermit(sem, body))
                .expectNext(2)
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(ReactorSync.withPermit(sem, Mono.error(new RuntimeException("e"))))
                .expectErrorMessage("e")
                .verify(WAIT);
        StepVerifier.create(ReactorSync.withPermits(sem, 3, Mono.never()))
                .expectSubscription()
                .then(() -> assertEquals(0, sem.availablePermits()))
                .thenCancel()
                .verify(WAIT);
        assertEquals(3, sem.availablePermits());
    }

    @Test
    void withPermitTimeoutInVirtualTimeReleasesTheHeldPermit() {
        Semaphore sem = new Semaphore(1);
        StepVerifier.withVirtualTime(
                        () ->
                                ReactorSync.withPermit(sem, Mono.never())
                                        .timeout(Duration.ofSeconds(5)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(5))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        assertEquals(1, sem.availablePermits());
    }

    // ---- Notify, Barrier

    @Test
    void notifiedIsLazyAndCompletesOnNotifyOne() {
        Notify notify = new Notify();
        Mono<Void> wait = ReactorSync.notified(notify);
        notify.notifyWaiters(); // before subscription: not seen
        StepVerifier.create(wait)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(20))
                .then(notify::notifyOne)
                .expectComplete()
                .verify(WAIT);
        notify.notifyOne(); // stored permit
        StepVerifier.create(wait).expectComplete().verify(WAIT);
    }

    @Test
    void notifiedTimeoutInVirtualTimePassesTheNotificationOn() {
        Notify notify = new Notify();
        StepVerifier.withVirtualTime(
                        () -> ReactorSync.notified(notify).timeout(Duration.ofSeconds(1)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        notify.notifyOne(); // nobody waits: stored, not given to the withdrawn wait
        StepVerifier.create(ReactorSync.notified(notify)).expectComplete().verify(WAIT);
    }

    @Test
    void barrierAwaitEmitsOneLeaderPerGeneration() {
        Barrier barrier = new Barrier(3);
        Mono<BarrierWaitResult> await = ReactorSync.await(barrier);
        StepVerifier.create(Flux.merge(await, await, await).filter(BarrierWaitResult::isLeader))
                .expectNextCount(1)
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void barrierTimeoutInVirtualTimeKeepsTheArrival() {
        Barrier barrier = new Barrier(2);
        StepVerifier.withVirtualTime(
                        () -> ReactorSync.await(barrier).timeout(Duration.ofSeconds(1)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        // The timed-out arrival still counts: one more completes the generation, as the leader.
        StepVerifier.create(ReactorSync.await(barrier))
                .assertNext(r -> assertTrue(r.isLeader()))
                .expectComplete()
                .verify(WAIT);
    }

    // ---- OnceCell, SetOnce

    @Test
    void getOrInitRunsTheInitializerOnceAndOthersWait() {
        OnceCell<String> cell = new OnceCell<>();
        AtomicInteger runs = new AtomicInteger();
        Sinks.One<String> value = Sinks.one();
        Mono<String> get =
                ReactorSync.getOrInit(
                        cell,
                        () -> {
                            runs.incrementAndGet();
                            return value.asMono();
                        });
        assertEquals(0, runs.get(), "lazy");
        StepVerifier.create(Flux.merge(get, get, get))
                .expectSubscription()
                .then(() -> assertEquals(1, runs.get()))
                .then(() -> value.tryEmitValue("v"))
                .expectNext("v", "v", "v")
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(get).expectNext("v").expectComplete().verify(WAIT);
        assertEquals(1, runs.get());
    }

    @Test
    void getOrInitFailedOrEmptyInitLetsTheNextCallerTry() {
        OnceCell<Integer> cell = new OnceCell<>();
        StepVerifier.create(
                        ReactorSync.getOrInit(cell, () -> Mono.error(new RuntimeException("x"))))
                .expectErrorMessage("x")
                .verify(WAIT);
        StepVerifier.create(ReactorSync.getOrInit(cell, Mono::empty))
                .expectError(NoSuchElementException.class)
                .verify(WAIT);
        assertNull(cell.get());
        StepVerifier.create(ReactorSync.getOrInit(cell, () -> Mono.just(3)))
                .expectNext(3)
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void getOrInitCancelledDuringItsInitLetsTheNextWaiterInitialize() {
        OnceCell<Integer> cell = new OnceCell<>();
        AtomicInteger cancelledInits = new AtomicInteger();
        Mono<Integer> first =
                ReactorSync.getOrInit(
                        cell,
                        () -> Mono.<Integer>never().doOnCancel(cancelledInits::incrementAndGet));
        Mono<Integer> second = ReactorSync.getOrInit(cell, () -> Mono.just(2));
        StepVerifier.withVirtualTime(() -> first.timeout(Duration.ofSeconds(1)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        assertEquals(1, cancelledInits.get(), "the running init was cancelled");
        StepVerifier.create(second).expectNext(2).expectComplete().verify(WAIT);
    }

    @Test
    void getOrInitWaiterTimeoutInVirtualTimeLosesOnlyItsPlace() {
        OnceCell<Integer> cell = new OnceCell<>();
        Sinks.One<Integer> value = Sinks.one();
        AtomicInteger secondRuns = new AtomicInteger();
        var running = ReactorSync.getOrInit(cell, value::asMono).subscribe();
        StepVerifier.withVirtualTime(
                        () ->
                                ReactorSync.getOrInit(
                                                cell,
                                                () -> {
                                                    secondRuns.incrementAndGet();
                                                    return Mono.just(9);
                                                })
                                        .timeout(Duration.ofSeconds(1)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        value.tryEmitValue(1);
        assertEquals(1, cell.get());
        assertEquals(0, secondRuns.get());
        running.dispose();
    }

    @Test
    void setOnceAwait() {
        SetOnce<String> cell = new SetOnce<>();
        StepVerifier.create(ReactorSync.await(cell))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(10))
                .then(() -> cell.set("x"))
                .expectNext("x")
                .expectComplete()
                .verify(WAIT);
        SetOnce<String> empty = new SetOnce<>();
        StepVerifier.withVirtualTime(() -> ReactorSync.await(empty).timeout(Duration.ofSeconds(1)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        empty.set("later");
        StepVerifier.create(ReactorSync.await(empty)).expectNext("later").verifyComplete();
    }
}
