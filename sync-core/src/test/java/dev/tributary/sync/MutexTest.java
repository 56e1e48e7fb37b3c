package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.scheduler.Schedulers;

/**
 * Behaviours of {@link Mutex} and {@link MutexGuard}, ported from tokio's {@code
 * tokio/tests/sync_mutex.rs} (straight execution, readiness, aborted futures, try_lock, debug
 * format) and extended with the Java contract: FIFO order, the cancel contract and its races, the
 * blocking variants, {@code withLock} and guard misuse.
 */
@Timeout(60)
class MutexTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    // ---- ported from sync_mutex.rs ----

    @Test
    void straightExecution() {
        Mutex<Integer> m = new Mutex<>(100);
        for (int expected = 100; expected > 97; expected--) {
            CompletableFuture<MutexGuard<Integer>> f = m.lock();
            assertTrue(f.isDone(), "an uncontended lock() is complete at once");
            try (MutexGuard<Integer> g = f.join()) {
                assertEquals(expected, g.get());
                g.set(expected - 1);
            }
        }
        assertFalse(m.isLocked());
    }

    @Test
    void readiness() {
        Mutex<Integer> m = new Mutex<>(100);
        CompletableFuture<MutexGuard<Integer>> t1 = m.lock();
        CompletableFuture<MutexGuard<Integer>> t2 = m.lock();
        MutexGuard<Integer> g = t1.join();
        assertFalse(t2.isDone(), "the lock is held by g");
        assertTrue(m.isLocked());
        g.close();
        assertTrue(t2.isDone(), "closing g hands the lock to the waiter");
        try (MutexGuard<Integer> g2 = t2.join()) {
            assertEquals(100, g2.get());
            assertTrue(m.isLocked());
        }
        assertFalse(m.isLocked());
    }

    /** sync_mutex.rs aborted_future_1: a holder whose work is aborted releases the lock. */
    @Test
    void abortedHolderReleases() {
        Mutex<Integer> m = new Mutex<>(0);
        CompletableFuture<Object> neverDone = new CompletableFuture<>();
        CompletableFuture<Object> r = m.withLock(g -> neverDone);
        assertTrue(m.isLocked());
        r.orTimeout(1, TimeUnit.MILLISECONDS);
        assertThrows(CompletionException.class, r::join);
        assertTrue(m.isLocked(), "cancelling withLock's result does not abort the action");
        neverDone.cancel(false); // the action's stage ends: the lock goes back
        assertFalse(m.isLocked());
        CompletableFuture<MutexGuard<Integer>> f = m.lock();
        assertTrue(f.isDone(), "mutex is locked");
        f.join().close();
    }

    /** sync_mutex.rs aborted_future_2: a waiter that times out leaves no lock behind. */
    @Test
    void timedOutWaiterWithdraws() {
        Mutex<Integer> m = new Mutex<>(0);
        MutexGuard<Integer> g = m.tryLock();
        CompletableFuture<MutexGuard<Integer>> f =
                m.lock().orTimeout(1, TimeUnit.MILLISECONDS); // orTimeout returns the same future
        CompletionException e = assertThrows(CompletionException.class, f::join);
        assertInstanceOf(TimeoutException.class, e.getCause());
        // The JDK's delayer thread completes the future first and withdraws the waiter right after
        // (see RwLockTest.dependentOfCancelledWaitSeesItWithdrawn): wait for the withdrawal.
        Race.awaitTrue(() -> !m.hasQueuedWaiters());
        g.close();
        assertFalse(m.isLocked(), "the lock was not handed to the withdrawn waiter");
        MutexGuard<Integer> again = m.tryLock();
        assertNotNull(again, "mutex is locked");
        again.close();
    }

    @Test
    void tryLock() {
        Mutex<Integer> m = new Mutex<>(0);
        MutexGuard<Integer> g1 = m.tryLock();
        assertNotNull(g1);
        assertNull(m.tryLock(), "held");
        g1.close();
        MutexGuard<Integer> g3 = m.tryLock();
        assertNotNull(g3);
        g3.close();
    }

    @Test
    void tryLockFailsWhileAnyoneQueued() {
        Mutex<Integer> m = new Mutex<>(0);
        MutexGuard<Integer> g = m.tryLock();
        CompletableFuture<MutexGuard<Integer>> queued = m.lock();
        g.close(); // hands over to the queued waiter: the lock is never free in between
        assertNull(m.tryLock(), "the queued waiter got the lock, tryLock must not barge");
        CompletableFuture<MutexGuard<Integer>> second = m.lock();
        queued.join().close();
        assertNull(m.tryLock(), "handed to the second waiter");
        second.join().close();
        MutexGuard<Integer> free = m.tryLock();
        assertNotNull(free);
        free.close();
    }

    @Test
    void debugFormat() {
        Mutex<String> m = new Mutex<>("debug");
        assertEquals("Mutex[unlocked]", m.toString());
        MutexGuard<String> g = m.lock().join();
        assertEquals("MutexGuard[debug]", g.toString());
        assertEquals("Mutex[locked]", m.toString());
        CompletableFuture<MutexGuard<String>> w = m.lock();
        assertEquals("Mutex[locked, waiters]", m.toString());
        w.cancel(false);
        g.close();
        assertEquals("MutexGuard[released]", g.toString());
        assertEquals("Mutex[unlocked]", m.toString());
    }

    // ---- values and guards ----

    @Test
    void nullValueAllowed() {
        Mutex<String> m = new Mutex<>(null);
        try (MutexGuard<String> g = m.tryLock()) {
            assertNull(g.get());
            g.set("x");
            assertSame(m, g.mutex());
        }
        try (MutexGuard<String> g = m.tryLock()) {
            assertEquals("x", g.get());
            g.set(null);
        }
        try (MutexGuard<String> g = m.tryLock()) {
            assertNull(g.get());
        }
    }

    @Test
    void doubleCloseThrows() {
        Mutex<Integer> m = new Mutex<>(0);
        MutexGuard<Integer> g = m.tryLock();
        g.close();
        MutexGuard<Integer> other = m.tryLock(); // the lock is free again, held by someone else
        IllegalStateException e = assertThrows(IllegalStateException.class, g::close);
        assertEquals(
                "MutexGuard already released: close() requires an unreleased guard",
                e.getMessage());
        assertTrue(m.isLocked(), "a second close must not release another holder's lock");
        assertNull(m.tryLock());
        other.close();
    }

    @Test
    void getAndSetAfterCloseThrow() {
        Mutex<Integer> m = new Mutex<>(7);
        MutexGuard<Integer> g = m.tryLock();
        g.close();
        IllegalStateException get = assertThrows(IllegalStateException.class, g::get);
        assertEquals("get requires an unreleased MutexGuard but it was closed", get.getMessage());
        IllegalStateException set = assertThrows(IllegalStateException.class, () -> g.set(8));
        assertEquals("set requires an unreleased MutexGuard but it was closed", set.getMessage());
        try (MutexGuard<Integer> g2 = m.tryLock()) {
            assertEquals(7, g2.get(), "a failed set changes nothing");
        }
    }

    @Test
    void concurrentCloseReleasesOnce() throws Exception {
        Mutex<Integer> m = new Mutex<>(0);
        for (int i = 0; i < 2_000; i++) {
            MutexGuard<Integer> g = m.tryLock();
            assertNotNull(g, "iteration " + i);
            int failures = racingCloses(g);
            assertEquals(1, failures, "exactly one close releases");
            MutexGuard<Integer> a = m.tryLock();
            assertNotNull(a);
            assertNull(m.tryLock(), "one permit, not two");
            a.close();
        }
    }

    /** Closes {@code g} from two threads at once; returns how many of the two closes threw. */
    private static int racingCloses(MutexGuard<?> g) throws Exception {
        AtomicInteger failures = new AtomicInteger();
        Runnable close =
                () -> {
                    try {
                        g.close();
                    } catch (IllegalStateException expected) {
                        failures.incrementAndGet();
                    }
                };
        Race.race(close, close);
        return failures.get();
    }

    /**
     * Racing closes of one guard while a waiter is queued: the release goes through the waiter
     * queue (the slow path), exactly one close hands the lock to the waiter, and the other fails
     * without releasing the waiter's hold.
     */
    @Test
    void concurrentCloseWithAWaiterHandsOverOnce() throws Exception {
        Mutex<Integer> m = new Mutex<>(0);
        for (int i = 0; i < 2_000; i++) {
            MutexGuard<Integer> g = m.tryLock();
            assertNotNull(g, "iteration " + i);
            CompletableFuture<MutexGuard<Integer>> next = m.lock();
            assertFalse(next.isDone());
            int failures = racingCloses(g);
            assertEquals(1, failures, "exactly one close releases, iteration " + i);
            MutexGuard<Integer> held = next.getNow(null);
            assertNotNull(held, "the waiter got the lock, iteration " + i);
            assertNull(m.tryLock(), "the failed close did not release the waiter's hold");
            assertThrows(IllegalStateException.class, g::close);
            assertTrue(m.isLocked());
            held.close();
            assertFalse(m.isLocked());
        }
    }

    // ---- fairness ----

    @Test
    void waitersAreGrantedInFifoOrder() {
        Mutex<List<Integer>> m = new Mutex<>(new ArrayList<>());
        MutexGuard<List<Integer>> g = m.tryLock();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int id = i;
            done.add(
                    m.lock()
                            .thenAccept(
                                    w -> {
                                        w.get().add(id);
                                        w.close();
                                    }));
        }
        assertTrue(done.stream().noneMatch(CompletableFuture::isDone));
        g.close();
        CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])).join();
        try (MutexGuard<List<Integer>> check = m.tryLock()) {
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                expected.add(i);
            }
            assertEquals(expected, check.get());
        }
    }

    /**
     * Async and blocking waiters, queued in a known order while the lock is held, are served in
     * that order even while more threads keep joining the queue behind them.
     */
    @Test
    void fifoUnderContention() throws Exception {
        for (int rep = 0; rep < 3; rep++) {
            Mutex<List<Integer>> m = new Mutex<>(new ArrayList<>());
            MutexGuard<List<Integer>> g = m.tryLock();
            int queued = 24;
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (int i = 0; i < queued; i++) {
                int id = i;
                if (i % 2 == 0) {
                    all.add(
                            m.lock()
                                    .thenAccept(
                                            w -> {
                                                w.get().add(id);
                                                w.close();
                                            }));
                } else {
                    CompletableFuture<Void> f = new CompletableFuture<>();
                    Thread t =
                            new Thread(
                                    () -> {
                                        try (MutexGuard<List<Integer>> w = m.blockingLock()) {
                                            w.get().add(id);
                                            f.complete(null);
                                        } catch (Throwable e) {
                                            f.completeExceptionally(e);
                                        }
                                    });
                    t.start();
                    Race.awaitTrue(() -> t.getState() == Thread.State.WAITING);
                    all.add(f);
                }
            }
            // Latecomers: they may only ever be served after every waiter queued above.
            int hammers = 2;
            int perHammer = 300;
            for (int h = 0; h < hammers; h++) {
                boolean blocking = h == 0;
                all.add(
                        CompletableFuture.runAsync(
                                () -> {
                                    for (int k = 0; k < perHammer; k++) {
                                        MutexGuard<List<Integer>> w;
                                        try {
                                            w = blocking ? m.blockingLock() : m.lock().join();
                                        } catch (InterruptedException e) {
                                            throw new IllegalStateException(e);
                                        }
                                        w.get().add(-1);
                                        w.close();
                                    }
                                },
                                pool));
            }
            g.close();
            CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]))
                    .get(20, TimeUnit.SECONDS);
            try (MutexGuard<List<Integer>> check = m.tryLock()) {
                List<Integer> order = check.get();
                assertEquals(queued + hammers * perHammer, order.size());
                for (int i = 0; i < queued; i++) {
                    assertEquals(i, order.get(i), "grant order " + order.subList(0, queued));
                }
            }
        }
    }

    // ---- the cancel contract ----

    @Test
    void cancelledWaiterGivesUpOnlyItsPlace() {
        Mutex<Integer> m = new Mutex<>(0);
        MutexGuard<Integer> g = m.tryLock();
        CompletableFuture<MutexGuard<Integer>> f1 = m.lock();
        CompletableFuture<MutexGuard<Integer>> f2 = m.lock();
        CompletableFuture<MutexGuard<Integer>> f3 = m.lock();
        assertTrue(f2.cancel(false));
        g.close();
        assertTrue(f1.isDone());
        assertFalse(f3.isDone());
        f1.join().close();
        assertTrue(f2.isCancelled());
        assertTrue(f3.isDone(), "the cancelled waiter's turn passed to the next one");
        assertThrows(CancellationException.class, f2::join);
        f3.join().close();
        assertFalse(m.isLocked());
        assertFalse(m.hasQueuedWaiters());
    }

    @Test
    void cancelledHeadPassesTheLockWhenReleased() {
        Mutex<Integer> m = new Mutex<>(0);
        MutexGuard<Integer> g = m.tryLock();
        CompletableFuture<MutexGuard<Integer>> f1 = m.lock();
        CompletableFuture<MutexGuard<Integer>> f2 = m.lock();
        f1.completeExceptionally(new IllegalStateException("gave up"));
        assertFalse(f2.isDone());
        g.close();
        assertTrue(f2.isDone());
        f2.join().close();
        assertFalse(m.isLocked());
    }

    @Test
    void cancelAfterGrantKeepsTheGuard() {
        Mutex<Integer> m = new Mutex<>(0);
        MutexGuard<Integer> g = m.tryLock();
        CompletableFuture<MutexGuard<Integer>> f = m.lock();
        g.close();
        assertFalse(f.cancel(false), "already granted");
        assertTrue(m.isLocked(), "the granted guard still holds the lock");
        f.join().close();
        assertFalse(m.isLocked());
    }

    /**
     * The lock held, one waiter queued; cancel and release race from two threads. Whoever wins, the
     * mutex must end up free: a lock granted in the race goes back.
     */
    @Test
    void lockGrantedInRaceWithCancelIsReleased() throws Exception {
        Mutex<Integer> m = new Mutex<>(0);
        int granted = 0;
        int cancelled = 0;
        for (int i = 0; i < 5_000; i++) {
            MutexGuard<Integer> g = m.tryLock();
            assertNotNull(g, "iteration " + i + ": the mutex leaked its permit");
            CompletableFuture<MutexGuard<Integer>> f = m.lock();
            Race.race(() -> f.cancel(false), g::close);
            if (f.isCancelled()) {
                cancelled++;
            } else {
                granted++;
                f.join().close();
            }
            assertFalse(m.hasQueuedWaiters(), "iteration " + i);
            assertFalse(m.isLocked(), "iteration " + i + ": " + m);
        }
        MutexGuard<Integer> last = m.tryLock();
        assertNotNull(last);
        last.close();
        assertEquals(5_000, granted + cancelled);
    }

    /** As above, with two waiters: the second must get the lock whatever happens to the first. */
    @Test
    void cancelRaceWithTwoWaitersPassesTheLockOn() throws Exception {
        Mutex<Integer> m = new Mutex<>(0);
        for (int i = 0; i < 3_000; i++) {
            MutexGuard<Integer> g = m.tryLock();
            assertNotNull(g, "iteration " + i);
            CompletableFuture<MutexGuard<Integer>> f1 = m.lock();
            CompletableFuture<MutexGuard<Integer>> f2 = m.lock();
            Race.race(() -> f1.cancel(false), g::close);
            if (!f1.isCancelled()) {
                assertFalse(f2.isDone(), "iteration " + i + ": f1 holds the lock");
                f1.join().close();
            }
            assertTrue(f2.isDone(), "iteration " + i + ": the lock must reach the next waiter");
            f2.join().close();
            assertFalse(m.isLocked(), "iteration " + i);
        }
    }

    // ---- blocking variants ----

    @Test
    void blockingLockWaitsForRelease() throws Exception {
        Mutex<Integer> m = new Mutex<>(1);
        MutexGuard<Integer> g = m.tryLock();
        Future<Integer> f =
                pool.submit(
                        () -> {
                            try (MutexGuard<Integer> w = m.blockingLock()) {
                                return w.get();
                            }
                        });
        Race.awaitTrue(m::hasQueuedWaiters);
        assertFalse(f.isDone());
        g.set(2);
        g.close();
        assertEquals(2, f.get(10, TimeUnit.SECONDS), "the release happens-before the acquire");
        assertFalse(m.isLocked());
    }

    @Test
    void blockingLockInterruptedWithdraws() throws Exception {
        Mutex<Integer> m = new Mutex<>(0);
        MutexGuard<Integer> g = m.tryLock();
        AtomicReference<Thread> worker = new AtomicReference<>();
        Future<Throwable> f =
                pool.submit(
                        () -> {
                            worker.set(Thread.currentThread());
                            try {
                                m.blockingLock().close();
                                return null;
                            } catch (InterruptedException e) {
                                return e;
                            }
                        });
        Race.awaitTrue(m::hasQueuedWaiters);
        CompletableFuture<MutexGuard<Integer>> next = m.lock();
        worker.get().interrupt();
        assertInstanceOf(InterruptedException.class, f.get(10, TimeUnit.SECONDS));
        assertFalse(next.isDone());
        g.close();
        assertTrue(next.isDone(), "the interrupted waiter's turn passed on");
        next.join().close();
        assertFalse(m.isLocked());
    }

    @Test
    void blockingLockWithInterruptStatusSetThrowsAtOnce() {
        Mutex<Integer> m = new Mutex<>(0);
        Thread.currentThread().interrupt();
        try {
            assertThrows(InterruptedException.class, m::blockingLock);
            assertFalse(Thread.currentThread().isInterrupted(), "status cleared, as in j.u.c");
        } finally {
            Thread.interrupted();
        }
        assertFalse(m.isLocked());
    }

    /**
     * Interrupt and release race: either the waiter withdraws ({@link InterruptedException}) or it
     * got the lock and returns with its interrupt status set (or the interrupt came too late to
     * matter). The mutex ends free every time.
     */
    @Test
    void interruptRacesWithRelease() throws Exception {
        Mutex<Integer> m = new Mutex<>(0);
        ExecutorService worker = Executors.newSingleThreadExecutor();
        int[] outcomes = new int[3];
        try {
            for (int i = 0; i < 1_000; i++) {
                MutexGuard<Integer> g = m.tryLock();
                assertNotNull(g, "iteration " + i);
                AtomicReference<Thread> thread = new AtomicReference<>();
                Future<Integer> f =
                        worker.submit(
                                () -> {
                                    Thread.interrupted(); // a late interrupt from the last round
                                    thread.set(Thread.currentThread());
                                    try {
                                        MutexGuard<Integer> w = m.blockingLock();
                                        boolean interrupted = Thread.interrupted();
                                        w.close();
                                        return interrupted ? 1 : 2;
                                    } catch (InterruptedException e) {
                                        return 0;
                                    }
                                });
                Race.awaitTrue(m::hasQueuedWaiters);
                Race.race(() -> thread.get().interrupt(), g::close);
                outcomes[f.get(10, TimeUnit.SECONDS)]++;
                assertFalse(m.isLocked(), "iteration " + i);
            }
        } finally {
            worker.shutdownNow();
        }
        assertEquals(1_000, outcomes[0] + outcomes[1] + outcomes[2]);
    }

    @Test
    void blockingLockTimeoutReturnsNullAndChangesNothing() throws Exception {
        Mutex<Integer> m = new Mutex<>(5);
        MutexGuard<Integer> g = m.tryLock();
        assertNull(m.blockingLock(Duration.ofMillis(20)));
        assertNull(m.blockingLock(Duration.ZERO));
        assertNull(m.blockingLock(Duration.ofMillis(-1)));
        assertTrue(m.isLocked());
        assertFalse(m.hasQueuedWaiters());
        assertEquals(5, g.get(), "the holder keeps its guard");
        g.close();
        assertFalse(m.isLocked());
        MutexGuard<Integer> now = m.blockingLock(Duration.ZERO);
        assertNotNull(now, "a zero timeout still takes a free lock");
        now.close();
        MutexGuard<Integer> later = m.blockingLock(Duration.ofDays(365_000_000L));
        assertNotNull(later, "a huge timeout saturates");
        later.close();
    }

    @Test
    void blockingLockTimeoutGetsTheLockWhenReleasedInTime() throws Exception {
        Mutex<Integer> m = new Mutex<>(0);
        MutexGuard<Integer> g = m.tryLock();
        Future<MutexGuard<Integer>> f = pool.submit(() -> m.blockingLock(WAIT));
        Race.awaitTrue(m::hasQueuedWaiters);
        g.close();
        MutexGuard<Integer> w = f.get(10, TimeUnit.SECONDS);
        assertNotNull(w);
        w.close();
    }

    @Test
    void blockingLockNullTimeout() {
        Mutex<Integer> m = new Mutex<>(0);
        NullPointerException e =
                assertThrows(NullPointerException.class, () -> m.blockingLock(null));
        assertEquals("timeout", e.getMessage());
    }

    @Test
    void blockingLockOnReactorNonBlockingThreadFails() throws Exception {
        Mutex<Integer> m = new Mutex<>(0);
        for (boolean timed : new boolean[] {false, true}) {
            CompletableFuture<MutexGuard<Integer>> r = new CompletableFuture<>();
            Schedulers.parallel()
                    .schedule(
                            () -> {
                                try {
                                    r.complete(timed ? m.blockingLock(WAIT) : m.blockingLock());
                                } catch (Throwable t) {
                                    r.completeExceptionally(t);
                                }
                            });
            ExecutionException e =
                    assertThrows(ExecutionException.class, () -> r.get(10, TimeUnit.SECONDS));
            IllegalStateException ise = assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(
                    ise.getMessage().startsWith("Mutex.blockingLock would park parallel-"),
                    ise.getMessage());
            assertFalse(m.isLocked(), "nothing was taken");
        }
    }

    // ---- withLock ----

    @Test
    void withLockReleasesOnSuccess() {
        Mutex<Integer> m = new Mutex<>(1);
        CompletableFuture<Integer> r =
                m.withLock(
                        g -> {
                            assertTrue(m.isLocked());
                            g.set(g.get() + 1);
                            return CompletableFuture.completedFuture(g.get() * 10);
                        });
        assertEquals(20, r.join());
        assertFalse(m.isLocked());
        try (MutexGuard<Integer> g = m.tryLock()) {
            assertEquals(2, g.get());
        }
    }

    @Test
    void withLockReleasesWhenTheStageCompletesLater() {
        Mutex<Integer> m = new Mutex<>(0);
        CompletableFuture<String> work = new CompletableFuture<>();
        CompletableFuture<String> r = m.withLock(g -> work);
        assertTrue(m.isLocked());
        assertFalse(r.isDone());
        work.complete("done");
        assertEquals("done", r.join());
        assertFalse(m.isLocked());
    }

    @Test
    void withLockReleasesOnFailedStage() {
        Mutex<Integer> m = new Mutex<>(0);
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        CompletableFuture<Object> r = m.withLock(g -> CompletableFuture.failedFuture(boom));
        CompletionException e = assertThrows(CompletionException.class, r::join);
        assertSame(boom, e.getCause());
        assertFalse(m.isLocked());
    }

    @Test
    void withLockReleasesWhenFnThrows() {
        Mutex<Integer> m = new Mutex<>(0);
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        CompletableFuture<Object> r =
                m.withLock(
                        g -> {
                            throw boom;
                        });
        CompletionException e = assertThrows(CompletionException.class, r::join);
        assertSame(boom, e.getCause());
        assertFalse(m.isLocked());
    }

    @Test
    void withLockReleasesOnNullStage() {
        Mutex<Integer> m = new Mutex<>(0);
        CompletableFuture<Object> r = m.withLock(g -> null);
        CompletionException e = assertThrows(CompletionException.class, r::join);
        assertInstanceOf(NullPointerException.class, e.getCause());
        assertFalse(m.isLocked());
    }

    /**
     * fn closing the guard itself makes the automatic close throw; the result must still complete
     * (try-with-resources semantics) and nothing is released twice.
     */
    @Test
    void withLockFnThatClosesTheGuardStillCompletes() {
        Mutex<Integer> m = new Mutex<>(0);
        CompletableFuture<Integer> ok =
                m.withLock(
                        g -> {
                            g.close();
                            return CompletableFuture.completedFuture(1);
                        });
        assertTrue(ok.isDone(), "the result must complete");
        CompletionException e = assertThrows(CompletionException.class, ok::join);
        IllegalStateException ise = assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals(
                "MutexGuard already released: close() requires an unreleased guard",
                ise.getMessage());
        assertFalse(m.isLocked());

        IllegalArgumentException boom = new IllegalArgumentException("boom");
        CompletableFuture<Object> failed =
                m.withLock(
                        g -> {
                            g.close();
                            return CompletableFuture.failedFuture(boom);
                        });
        assertSame(boom, assertThrows(CompletionException.class, failed::join).getCause());
        assertEquals(1, boom.getSuppressed().length);
        assertInstanceOf(IllegalStateException.class, boom.getSuppressed()[0]);

        IllegalArgumentException thrown = new IllegalArgumentException("thrown");
        CompletableFuture<Object> threw =
                m.withLock(
                        g -> {
                            g.close();
                            throw thrown;
                        });
        assertSame(thrown, assertThrows(CompletionException.class, threw::join).getCause());
        assertInstanceOf(IllegalStateException.class, thrown.getSuppressed()[0]);

        MutexGuard<Integer> g = m.tryLock();
        assertNotNull(g);
        assertNull(m.tryLock(), "no release happened twice");
        g.close();
    }

    @Test
    void withLockNullFn() {
        Mutex<Integer> m = new Mutex<>(0);
        NullPointerException e = assertThrows(NullPointerException.class, () -> m.withLock(null));
        assertEquals("fn", e.getMessage());
        assertFalse(m.isLocked());
    }

    @Test
    void withLockWaitsItsTurnAndCancelWhileQueuedWithdraws() {
        Mutex<Integer> m = new Mutex<>(0);
        MutexGuard<Integer> g = m.tryLock();
        AtomicInteger ran = new AtomicInteger();
        CompletableFuture<Integer> first =
                m.withLock(w -> CompletableFuture.completedFuture(ran.incrementAndGet()));
        CompletableFuture<Integer> cancelled =
                m.withLock(w -> CompletableFuture.completedFuture(ran.addAndGet(100)));
        assertFalse(first.isDone());
        assertTrue(cancelled.cancel(false));
        assertTrue(m.isLocked());
        g.close();
        assertEquals(1, first.join());
        assertEquals(1, ran.get(), "the cancelled action never ran");
        assertFalse(m.isLocked());
        assertFalse(m.hasQueuedWaiters());
    }

    // ---- races ----

    /**
     * N threads × M increments through async lock() chains and blockingLock: the count is exact.
     */
    @Test
    void concurrentIncrementsAreExact() throws Exception {
        Mutex<Long> m = new Mutex<>(0L);
        int threads = 4;
        int perThread = 20_000;
        List<Thread> started = new ArrayList<>();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            done.add(f);
            boolean blocking = t % 2 == 0;
            Thread th =
                    new Thread(
                            () -> {
                                if (blocking) {
                                    try {
                                        for (int i = 0; i < perThread; i++) {
                                            try (MutexGuard<Long> g = m.blockingLock()) {
                                                g.set(g.get() + 1);
                                            }
                                        }
                                        f.complete(null);
                                    } catch (Throwable e) {
                                        f.completeExceptionally(e);
                                    }
                                } else {
                                    new AsyncIncrements(m, perThread, f).step();
                                }
                            });
            started.add(th);
            th.start();
        }
        CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0]))
                .get(30, TimeUnit.SECONDS);
        for (Thread th : started) {
            th.join();
        }
        try (MutexGuard<Long> g = m.tryLock()) {
            assertNotNull(g);
            assertEquals((long) threads * perThread, g.get());
        }
    }

    /**
     * Increments through lock() without recursing on the caller's stack when lock() completes at
     * once; the continuation after a wait runs on the releasing thread.
     */
    private static final class AsyncIncrements {
        private final Mutex<Long> m;
        private final CompletableFuture<Void> done;
        private int left;

        AsyncIncrements(Mutex<Long> m, int times, CompletableFuture<Void> done) {
            this.m = m;
            this.left = times;
            this.done = done;
        }

        void step() {
            try {
                while (left > 0) {
                    CompletableFuture<MutexGuard<Long>> f = m.lock();
                    if (!f.isDone()) {
                        f.thenAccept(this::incrementAndContinue)
                                .exceptionally(
                                        e -> {
                                            done.completeExceptionally(e);
                                            return null;
                                        });
                        return;
                    }
                    increment(f.join());
                }
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }

        private void increment(MutexGuard<Long> g) {
            g.set(g.get() + 1);
            left--;
            g.close();
        }

        private void incrementAndContinue(MutexGuard<Long> g) {
            increment(g);
            step();
        }
    }
}
