package dev.tributary.sync;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.scheduler.Schedulers;

/**
 * Tests of {@link OnceCell}. Ports the behaviours of tokio's {@code tokio/tests/sync_once_cell.rs}
 * ({@code get_or_init}, {@code get_or_init_panic}, {@code set_and_get}, {@code get_uninit}, {@code
 * set_twice}, {@code set_while_initializing}, {@code get_or_try_init}, {@code from}, and the {@code
 * into_inner} cases as {@code take}), plus the Java choices: failed, null and cancelled
 * initializers, cancelled callers, blocking callers, and races.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OnceCellTest {

    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(8);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    /** Returns the value of a future that must already be complete (no wait: a bug fails fast). */
    private static <T> T now(CompletableFuture<T> f) {
        assertTrue(f.isDone(), "expected a complete future but it was " + f);
        return f.join();
    }

    /** An initializer that counts its calls and returns a stage the test completes. */
    private static final class Init implements Supplier<CompletionStage<Integer>> {
        final AtomicInteger calls = new AtomicInteger();
        final CompletableFuture<Integer> stage = new CompletableFuture<>();

        @Override
        public CompletionStage<Integer> get() {
            calls.incrementAndGet();
            return stage;
        }
    }

    /** An initializer that counts its calls and returns {@code value} at once. */
    private static final class Value implements Supplier<CompletionStage<Integer>> {
        final AtomicInteger calls = new AtomicInteger();
        final Integer value;

        Value(Integer value) {
            this.value = value;
        }

        @Override
        public CompletionStage<Integer> get() {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(value);
        }
    }

    /** Returns the failure of a future that fails within a few seconds. */
    private static Throwable failure(CompletableFuture<?> f) {
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return e.getCause();
    }

    // ---- tokio: get_uninit, set_and_get, set_twice, from ----

    @Test
    void newCellIsEmpty() {
        OnceCell<Integer> cell = new OnceCell<>();
        assertNull(cell.get());
        assertFalse(cell.initialized());
        assertEquals("OnceCell[uninitialized]", cell.toString());
    }

    @Test
    void setAndGet() {
        OnceCell<Integer> cell = new OnceCell<>();
        cell.set(5);
        assertEquals(5, cell.get());
        assertTrue(cell.initialized());
        assertEquals("OnceCell[5]", cell.toString());
    }

    @Test
    void setTwiceIsAlreadyInitializedAndCarriesTheValue() {
        OnceCell<Integer> cell = new OnceCell<>();
        cell.set(5);
        OnceCell.AlreadyInitializedException e =
                assertThrows(OnceCell.AlreadyInitializedException.class, () -> cell.set(6));
        assertEquals(6, e.value());
        assertEquals(
                "set requires an empty OnceCell but it was already initialized", e.getMessage());
        assertInstanceOf(OnceCell.SetException.class, e);
        assertInstanceOf(IllegalStateException.class, e);
        assertEquals(5, cell.get());
    }

    @Test
    void ofHoldsTheValue() {
        OnceCell<Integer> cell = OnceCell.of(2);
        assertEquals(2, cell.get());
        assertTrue(cell.initialized());
        OnceCell.AlreadyInitializedException e =
                assertThrows(OnceCell.AlreadyInitializedException.class, () -> cell.set(3));
        assertEquals(3, e.value());
        Value init = new Value(4);
        assertEquals(2, now(cell.getOrInit(init)));
        assertEquals(0, init.calls.get());
    }

    // ---- tokio: set_while_initializing ----

    @Test
    void setWhileInitializingIsInitializingAndCarriesTheValue() {
        OnceCell<Integer> cell = new OnceCell<>();
        Init init = new Init();
        CompletableFuture<Integer> first = cell.getOrInit(init);
        assertEquals(1, init.calls.get());
        assertFalse(cell.initialized());

        OnceCell.InitializingException e =
                assertThrows(OnceCell.InitializingException.class, () -> cell.set(10));
        assertEquals(10, e.value());
        assertEquals("set requires an empty OnceCell but it was being initialized", e.getMessage());
        assertInstanceOf(OnceCell.SetException.class, e);

        init.stage.complete(5);
        assertEquals(5, now(first));
        assertEquals(5, cell.get());
    }

    // ---- tokio: get_or_init, get_or_init_panic ----

    @Test
    void getOrInitWaitsForTheRunningInitializerAndNeverRunsItsOwn() {
        OnceCell<Integer> cell = new OnceCell<>();
        Init first = new Init();
        Value second = new Value(10);
        CompletableFuture<Integer> f1 = cell.getOrInit(first);
        CompletableFuture<Integer> f2 = cell.getOrInit(second);
        assertFalse(f1.isDone());
        assertFalse(f2.isDone());
        assertTrue(cell.hasQueuedWaiters());

        first.stage.complete(5);
        assertEquals(5, now(f1));
        assertEquals(5, now(f2));
        assertEquals(0, second.calls.get());
        assertFalse(cell.hasQueuedWaiters());
    }

    @Test
    void getOrInitOnAnInitializedCellIsCompleteAndSkipsTheInitializer() {
        OnceCell<Integer> cell = new OnceCell<>();
        assertEquals(5, now(cell.getOrInit(new Value(5))));
        Supplier<CompletionStage<Integer>> panic =
                () -> {
                    throw new AssertionError("must not run");
                };
        CompletableFuture<Integer> f = cell.getOrInit(panic);
        assertTrue(f.isDone());
        assertEquals(5, now(f));
        assertEquals(5, now(cell.getOrTryInit(panic)));
    }

    @Test
    void failedInitializerFailsItsCallerAndTheNextWaiterTries() {
        OnceCell<Integer> cell = new OnceCell<>();
        Init first = new Init();
        Value second = new Value(7);
        CompletableFuture<Integer> f1 = cell.getOrInit(first);
        CompletableFuture<Integer> f2 = cell.getOrInit(second);

        IllegalArgumentException boom = new IllegalArgumentException("boom");
        first.stage.completeExceptionally(boom);
        assertSame(boom, failure(f1));
        assertEquals(7, now(f2));
        assertEquals(1, second.calls.get());
        assertEquals(7, cell.get());
    }

    @Test
    void throwingInitializerFailsItsCallerAndLeavesTheCellEmpty() {
        OnceCell<Integer> cell = new OnceCell<>();
        IllegalStateException boom = new IllegalStateException("boom");
        CompletableFuture<Integer> f =
                cell.getOrInit(
                        () -> {
                            throw boom;
                        });
        assertSame(boom, failure(f));
        assertFalse(cell.initialized());
        assertEquals(3, now(cell.getOrInit(new Value(3))));
    }

    @Test
    void initializerReturningANullStageFailsWithNullPointerException() {
        OnceCell<Integer> cell = new OnceCell<>();
        for (boolean tryInit : new boolean[] {false, true}) {
            Supplier<CompletionStage<Integer>> nullStage = () -> null;
            CompletableFuture<Integer> f =
                    tryInit ? cell.getOrTryInit(nullStage) : cell.getOrInit(nullStage);
            Throwable t = failure(f);
            assertInstanceOf(NullPointerException.class, t);
            assertEquals("the initializer returned a null stage", t.getMessage());
            assertFalse(cell.initialized());
        }
        assertEquals(1, now(cell.getOrInit(new Value(1))));
    }

    @Test
    void getOrInitTreatsANullValueAsAFailedAttempt() {
        OnceCell<Integer> cell = new OnceCell<>();
        Init first = new Init();
        Value second = new Value(8);
        CompletableFuture<Integer> f1 = cell.getOrInit(first);
        CompletableFuture<Integer> f2 = cell.getOrInit(second);

        first.stage.complete(null);
        Throwable t = failure(f1);
        assertInstanceOf(NullPointerException.class, t);
        assertEquals("the initializer completed with null", t.getMessage());
        assertEquals(8, now(f2));
        assertEquals(8, cell.get());
    }

    // ---- tokio: get_or_try_init ----

    @Test
    void getOrTryInitPropagatesTheErrorAndTheNextWaiterTries() {
        OnceCell<Integer> cell = new OnceCell<>();
        Init err = new Init();
        Value ok = new Value(10);
        CompletableFuture<Integer> f1 = cell.getOrTryInit(err);
        CompletableFuture<Integer> f2 = cell.getOrTryInit(ok);

        Exception e = new Exception("checked failure");
        err.stage.completeExceptionally(e);
        assertSame(e, failure(f1));
        assertEquals(10, now(f2));
        assertEquals(10, cell.get());
    }

    @Test
    void getOrTryInitTreatsANullValueAsDeclinedAndTheNextWaiterTries() {
        OnceCell<Integer> cell = new OnceCell<>();
        Init declines = new Init();
        Value ok = new Value(11);
        CompletableFuture<Integer> f1 = cell.getOrTryInit(declines);
        CompletableFuture<Integer> f2 = cell.getOrTryInit(ok);

        declines.stage.complete(null);
        assertTrue(f1.isDone());
        assertNull(now(f1));
        assertEquals(11, now(f2));
        assertEquals(11, cell.get());
    }

    // ---- cancellation ----

    @Test
    void cancelledWaiterLosesOnlyItsPlaceAndTheNextWaiterTries() {
        OnceCell<Integer> cell = new OnceCell<>();
        Init first = new Init();
        Value cancelled = new Value(20);
        Value third = new Value(30);
        CompletableFuture<Integer> f1 = cell.getOrInit(first);
        CompletableFuture<Integer> f2 = cell.getOrInit(cancelled);
        CompletableFuture<Integer> f3 = cell.getOrInit(third);

        assertTrue(f2.cancel(false));
        first.stage.completeExceptionally(new IllegalStateException("first failed"));

        assertEquals(30, now(f3));
        assertEquals(0, cancelled.calls.get());
        assertTrue(f2.isCancelled());
        assertTrue(f1.isCompletedExceptionally());
        assertEquals(30, cell.get());
    }

    @Test
    void timedOutWaiterIsWithdrawn() {
        OnceCell<Integer> cell = new OnceCell<>();
        Init first = new Init();
        Value late = new Value(20);
        CompletableFuture<Integer> f1 = cell.getOrInit(first);
        CompletableFuture<Integer> f2 = cell.getOrInit(late).orTimeout(1, TimeUnit.MILLISECONDS);
        assertInstanceOf(java.util.concurrent.TimeoutException.class, failure(f2));
        assertFalse(cell.hasQueuedWaiters());

        first.stage.completeExceptionally(new IllegalStateException("first failed"));
        assertTrue(f1.isCompletedExceptionally());
        assertEquals(0, late.calls.get());
        assertFalse(cell.initialized());
        // The turn was not leaked: a new caller initializes.
        assertEquals(40, now(cell.getOrInit(new Value(40))));
    }

    @Test
    void cancellingTheCallerWhileItsInitializerRunsOnlyDetachesIt() {
        OnceCell<Integer> cell = new OnceCell<>();
        Init first = new Init();
        Value second = new Value(20);
        CompletableFuture<Integer> f1 = cell.getOrInit(first);
        CompletableFuture<Integer> f2 = cell.getOrInit(second);

        assertTrue(f1.cancel(false));
        assertFalse(cell.initialized());
        // The running attempt keeps the turn: set still reports an initialization in progress.
        assertThrows(OnceCell.InitializingException.class, () -> cell.set(99));
        assertFalse(f2.isDone());

        first.stage.complete(5);
        assertTrue(f1.isCancelled());
        assertEquals(5, cell.get());
        assertEquals(5, now(f2));
        assertEquals(0, second.calls.get());
    }

    @Test
    void cancelledInitializerStageLetsTheNextWaiterTry() {
        OnceCell<Integer> cell = new OnceCell<>();
        Init first = new Init();
        Value second = new Value(21);
        CompletableFuture<Integer> f1 = cell.getOrInit(first);
        CompletableFuture<Integer> f2 = cell.getOrInit(second);

        first.stage.cancel(false);
        // The caller's future fails with the stage's CancellationException: it reads as cancelled.
        assertThrows(CancellationException.class, f1::join);
        assertTrue(f1.isCancelled());
        assertEquals(21, now(f2));
        assertEquals(1, second.calls.get());
    }

    @Test
    void cancelRacingWithTheTurnNeverLeaksIt() throws Exception {
        for (int i = 0; i < 2_000; i++) {
            OnceCell<Integer> cell = new OnceCell<>();
            Init first = new Init();
            Value second = new Value(2);
            cell.getOrInit(first);
            CompletableFuture<Integer> f2 = cell.getOrInit(second);

            Race.race(
                    () -> f2.cancel(false),
                    () -> first.stage.completeExceptionally(new IllegalStateException("x")));

            CompletableFuture<Integer> f3 = cell.getOrInit(new Value(3));
            Integer v = f3.get(10, TimeUnit.SECONDS);
            assertEquals(v, cell.get());
            // The second initializer ran iff the turn reached it before the cancel.
            assertEquals(second.calls.get() == 1, v == 2, "round " + i + ": value " + v);
            assertTrue(second.calls.get() <= 1);
            assertFalse(cell.hasQueuedWaiters());
        }
    }

    // ---- take (tokio: into_inner / take) ----

    @Test
    void takeResetsTheCell() {
        OnceCell<Integer> cell = new OnceCell<>();
        assertNull(cell.take());
        cell.set(5);
        assertEquals(5, cell.take());
        assertNull(cell.get());
        assertFalse(cell.initialized());
        assertNull(cell.take());

        Value init = new Value(6);
        assertEquals(6, now(cell.getOrInit(init)));
        assertEquals(1, init.calls.get());
        assertEquals(6, cell.get());
        cell.take();
        cell.set(7);
        assertEquals(7, cell.get());

        OnceCell<Integer> of = OnceCell.of(1);
        assertEquals(1, of.take());
        of.set(2);
        assertEquals(2, of.get());
    }

    @Test
    void takeWhileInitializingReturnsNullAndTheInitializerStillStores() {
        OnceCell<Integer> cell = new OnceCell<>();
        Init init = new Init();
        CompletableFuture<Integer> f = cell.getOrInit(init);
        assertNull(cell.take());
        init.stage.complete(5);
        assertEquals(5, now(f));
        assertEquals(5, cell.get());
    }

    @Test
    void concurrentTakesReturnEachValueOnce() throws Exception {
        int takers = 4;
        for (int i = 0; i < 200; i++) {
            OnceCell<Integer> cell = OnceCell.of(i);
            List<Future<Integer>> results = new ArrayList<>();
            AtomicInteger gate = new AtomicInteger(takers);
            for (int t = 0; t < takers; t++) {
                results.add(
                        pool.submit(
                                () -> {
                                    gate.decrementAndGet();
                                    while (gate.get() > 0) {
                                        Thread.yield(); // few, shared cores: let the others run
                                    }
                                    return cell.take();
                                }));
            }
            int got = 0;
            for (Future<Integer> r : results) {
                Integer v = r.get(10, TimeUnit.SECONDS);
                if (v != null) {
                    assertEquals(i, v);
                    got++;
                }
            }
            assertEquals(1, got, "round " + i);
            assertFalse(cell.initialized());
        }
    }

    // ---- null handling ----

    @Test
    void nullArgumentsAreRejected() {
        OnceCell<Integer> cell = new OnceCell<>();
        NullPointerException e = assertThrows(NullPointerException.class, () -> cell.set(null));
        assertEquals("value is null", e.getMessage());
        e = assertThrows(NullPointerException.class, () -> OnceCell.of(null));
        assertEquals("value is null", e.getMessage());
        e = assertThrows(NullPointerException.class, () -> cell.getOrInit(null));
        assertEquals("init is null", e.getMessage());
        e = assertThrows(NullPointerException.class, () -> cell.getOrTryInit(null));
        assertEquals("init is null", e.getMessage());
        e = assertThrows(NullPointerException.class, () -> cell.blockingGetOrInit(null));
        assertEquals("init is null", e.getMessage());
        e = assertThrows(NullPointerException.class, () -> cell.blockingGetOrInit(() -> 1, null));
        assertEquals("timeout", e.getMessage());
        assertFalse(cell.initialized());
    }

    // ---- blocking ----

    @Test
    void blockingGetOrInitRunsTheInitializerOnTheCallingThread() throws Exception {
        OnceCell<Thread> cell = new OnceCell<>();
        assertSame(Thread.currentThread(), cell.blockingGetOrInit(Thread::currentThread));
        assertSame(Thread.currentThread(), cell.blockingGetOrInit(() -> null));
    }

    @Test
    void blockingGetOrInitWaitsForAnAsyncInitializer() throws Exception {
        OnceCell<Integer> cell = new OnceCell<>();
        Init init = new Init();
        cell.getOrInit(init);
        AtomicInteger blockingCalls = new AtomicInteger();
        Future<Integer> blocked =
                pool.submit(
                        () -> cell.blockingGetOrInit(() -> blockingCalls.incrementAndGet() + 100));
        await().atMost(Duration.ofSeconds(10)).until(cell::hasQueuedWaiters);
        assertFalse(blocked.isDone());

        init.stage.complete(5);
        assertEquals(5, blocked.get(10, TimeUnit.SECONDS));
        assertEquals(0, blockingCalls.get());
    }

    @Test
    void blockingGetOrInitTakesOverAfterAFailedAttempt() throws Exception {
        OnceCell<Integer> cell = new OnceCell<>();
        Init init = new Init();
        CompletableFuture<Integer> f = cell.getOrInit(init);
        Future<Integer> blocked = pool.submit(() -> cell.blockingGetOrInit(() -> 100));
        await().atMost(Duration.ofSeconds(10)).until(cell::hasQueuedWaiters);

        init.stage.completeExceptionally(new IllegalStateException("failed"));
        assertTrue(f.isCompletedExceptionally());
        assertEquals(100, blocked.get(10, TimeUnit.SECONDS));
        assertEquals(100, cell.get());
    }

    @Test
    void blockingInitializerFailureReachesItsCallerAndTheNextWaiterTries() throws Exception {
        OnceCell<Integer> cell = new OnceCell<>();
        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(
                boom,
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                cell.blockingGetOrInit(
                                        () -> {
                                            throw boom;
                                        })));
        NullPointerException npe =
                assertThrows(NullPointerException.class, () -> cell.blockingGetOrInit(() -> null));
        assertEquals("the initializer returned null", npe.getMessage());
        assertFalse(cell.initialized());
        assertEquals(4, cell.blockingGetOrInit(() -> 4));
    }

    @Test
    void interruptWithdrawsABlockingCaller() throws Exception {
        OnceCell<Integer> cell = new OnceCell<>();
        Init init = new Init();
        cell.getOrInit(init);
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                outcome.complete(
                                        cell.blockingGetOrInit(() -> calls.incrementAndGet()));
                            } catch (Throwable e) {
                                outcome.complete(e);
                            }
                        });
        t.start();
        await().atMost(Duration.ofSeconds(10)).until(cell::hasQueuedWaiters);
        t.interrupt();
        assertInstanceOf(InterruptedException.class, outcome.get(10, TimeUnit.SECONDS));
        assertFalse(cell.hasQueuedWaiters());

        init.stage.completeExceptionally(new IllegalStateException("failed"));
        assertEquals(0, calls.get());
        assertFalse(cell.initialized());
        assertEquals(9, now(cell.getOrInit(new Value(9))));
    }

    @Test
    void interruptedOnEntryThrowsUnlessTheCellIsInitialized() throws Exception {
        OnceCell<Integer> cell = new OnceCell<>();
        AtomicInteger calls = new AtomicInteger();
        Thread.currentThread().interrupt();
        try {
            assertThrows(
                    InterruptedException.class,
                    () -> cell.blockingGetOrInit(calls::incrementAndGet));
            assertEquals(0, calls.get());
            assertFalse(cell.initialized());

            cell.set(1);
            Thread.currentThread().interrupt();
            assertEquals(1, cell.blockingGetOrInit(calls::incrementAndGet));
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void blockingGetOrInitTimesOutWithNull() throws Exception {
        OnceCell<Integer> cell = new OnceCell<>();
        Init init = new Init();
        cell.getOrInit(init);
        AtomicInteger calls = new AtomicInteger();
        assertNull(cell.blockingGetOrInit(calls::incrementAndGet, Duration.ofMillis(20)));
        assertNull(cell.blockingGetOrInit(calls::incrementAndGet, Duration.ZERO));
        assertFalse(cell.hasQueuedWaiters());
        assertEquals(0, calls.get());

        init.stage.complete(3);
        assertEquals(3, cell.blockingGetOrInit(calls::incrementAndGet, Duration.ZERO));
        assertEquals(0, calls.get());
    }

    @Test
    void blockingGetOrInitOnANonBlockingReactorThreadFailsFast() throws Exception {
        OnceCell<Integer> cell = new OnceCell<>();
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Schedulers.parallel()
                .schedule(
                        () -> {
                            try {
                                outcome.complete(cell.blockingGetOrInit(calls::incrementAndGet));
                            } catch (Throwable e) {
                                outcome.complete(e);
                            }
                        });
        IllegalStateException e =
                assertInstanceOf(IllegalStateException.class, outcome.get(10, TimeUnit.SECONDS));
        assertTrue(
                e.getMessage().startsWith("OnceCell.blockingGetOrInit would park"), e.getMessage());
        assertEquals(0, calls.get());
        assertFalse(cell.initialized());
    }

    // ---- concurrency ----

    @Test
    void manyCallersRunOneInitializerAtATime() throws Exception {
        int callers = 8;
        for (int round = 0; round < 100; round++) {
            OnceCell<Integer> cell = new OnceCell<>();
            AtomicInteger attempts = new AtomicInteger();
            AtomicInteger running = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            Supplier<CompletionStage<Integer>> init =
                    () -> {
                        if (running.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        int attempt = attempts.incrementAndGet();
                        return CompletableFuture.supplyAsync(
                                () -> {
                                    running.decrementAndGet();
                                    if (attempt <= 2) {
                                        throw new IllegalStateException("attempt " + attempt);
                                    }
                                    return attempt;
                                },
                                pool);
                    };
            AtomicInteger gate = new AtomicInteger(callers);
            List<Future<CompletableFuture<Integer>>> calls = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                calls.add(
                        pool.submit(
                                () -> {
                                    gate.decrementAndGet();
                                    while (gate.get() > 0) {
                                        Thread.yield(); // few, shared cores: let the others run
                                    }
                                    return cell.getOrInit(init);
                                }));
            }
            int failed = 0;
            for (Future<CompletableFuture<Integer>> c : calls) {
                CompletableFuture<Integer> f = c.get(10, TimeUnit.SECONDS);
                try {
                    assertEquals(3, f.get(10, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    assertInstanceOf(IllegalStateException.class, e.getCause());
                    failed++;
                }
            }
            assertEquals(3, attempts.get(), "round " + round);
            assertEquals(2, failed, "round " + round);
            assertEquals(0, overlaps.get(), "round " + round);
            assertEquals(3, cell.get());
        }
    }

    @Test
    void setRacingGetOrInitStoresExactlyOneValueThatEveryoneSees() throws Exception {
        for (int i = 0; i < 3_000; i++) {
            OnceCell<Integer> cell = new OnceCell<>();
            CompletableFuture<Throwable> setOutcome = new CompletableFuture<>();
            CompletableFuture<CompletableFuture<Integer>> initOutcome = new CompletableFuture<>();
            Value init = new Value(2);
            Race.race(
                    () -> {
                        try {
                            cell.set(1);
                            setOutcome.complete(null);
                        } catch (Throwable t) {
                            setOutcome.complete(t);
                        }
                    },
                    () -> initOutcome.complete(cell.getOrInit(init)));

            Throwable setFailure = setOutcome.join();
            int seen = initOutcome.join().get(10, TimeUnit.SECONDS);
            assertEquals(seen, cell.get(), "round " + i);
            if (setFailure == null) {
                assertEquals(1, seen, "round " + i);
                assertEquals(0, init.calls.get(), "round " + i);
            } else {
                OnceCell.SetException e = assertInstanceOf(OnceCell.SetException.class, setFailure);
                assertEquals(1, e.value());
                assertEquals(2, seen, "round " + i);
                assertEquals(1, init.calls.get(), "round " + i);
            }
        }
    }
}
