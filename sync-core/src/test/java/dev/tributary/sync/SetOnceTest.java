package dev.tributary.sync;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.scheduler.Schedulers;

/**
 * Tests of {@link SetOnce}. Ports the behaviours of tokio's {@code tokio/tests/sync_set_once.rs}
 * ({@code from}, {@code set_and_get}, {@code set_and_wait}, {@code set_and_wait_multiple_threads},
 * {@code set_and_wait_threads}, {@code get_uninit}, {@code set_twice}, {@code
 * is_none_initializing}, {@code is_some_initializing}), plus cancellation, the blocking variants
 * and races.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SetOnceTest {

    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(4);
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

    // ---- tokio: get_uninit, set_and_get, set_twice, from, is_none_initializing ----

    @Test
    void newCellIsUnset() {
        SetOnce<Integer> once = new SetOnce<>();
        assertNull(once.get());
        assertFalse(once.initialized());
        assertEquals("SetOnce[unset]", once.toString());
    }

    @Test
    void setAndGet() {
        SetOnce<Integer> once = new SetOnce<>();
        once.set(5);
        assertEquals(5, once.get());
        assertTrue(once.initialized());
        assertEquals("SetOnce[5]", once.toString());
    }

    @Test
    void setTwiceFailsAndCarriesTheValue() {
        SetOnce<Integer> once = new SetOnce<>();
        once.set(5);
        SetOnce.AlreadySetException e =
                assertThrows(SetOnce.AlreadySetException.class, () -> once.set(6));
        assertEquals(6, e.value());
        assertEquals("set requires an unset SetOnce but it was already set", e.getMessage());
        assertInstanceOf(IllegalStateException.class, e);
        assertEquals(5, once.get());
    }

    @Test
    void ofIsSet() {
        SetOnce<Integer> once = SetOnce.of(2);
        assertEquals(2, once.get());
        assertTrue(once.initialized());
        assertEquals(2, now(once.await()));
        SetOnce.AlreadySetException e =
                assertThrows(SetOnce.AlreadySetException.class, () -> once.set(3));
        assertEquals(3, e.value());
    }

    // ---- tokio: set_and_wait, is_some_initializing, set_and_wait_threads ----

    @Test
    void awaitOnASetCellIsComplete() {
        SetOnce<String> once = new SetOnce<>();
        once.set("v");
        CompletableFuture<String> f = once.await();
        assertTrue(f.isDone());
        assertEquals("v", now(f));
    }

    @Test
    void awaitBeforeSetCompletesOnSetInOrder() {
        SetOnce<Integer> once = new SetOnce<>();
        List<Integer> order = new ArrayList<>();
        List<CompletableFuture<Integer>> waits = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int id = i;
            CompletableFuture<Integer> f = once.await();
            f.thenRun(() -> order.add(id));
            waits.add(f);
        }
        assertEquals(5, once.queuedWaiters());
        for (CompletableFuture<Integer> f : waits) {
            assertFalse(f.isDone());
        }

        once.set(20);
        for (CompletableFuture<Integer> f : waits) {
            assertEquals(20, now(f));
        }
        assertEquals(List.of(0, 1, 2, 3, 4), order);
        assertEquals(0, once.queuedWaiters());
        // Nothing was consumed.
        assertEquals(20, once.get());
        assertEquals(20, now(once.await()));
    }

    @Test
    void awaitCompletesWhenAnotherThreadSets() throws Exception {
        SetOnce<Integer> once = new SetOnce<>();
        CompletableFuture<Integer> f = once.await();
        Future<?> setter = pool.submit(() -> once.set(4));
        assertEquals(4, f.get(10, TimeUnit.SECONDS));
        setter.get(10, TimeUnit.SECONDS);
    }

    // ---- cancellation ----

    @Test
    void cancelledAwaitConsumesNothingAndOtherWaitersStillComplete() {
        SetOnce<Integer> once = new SetOnce<>();
        CompletableFuture<Integer> a = once.await();
        CompletableFuture<Integer> b = once.await();
        assertEquals(2, once.queuedWaiters());

        assertTrue(a.cancel(false));
        assertEquals(1, once.queuedWaiters());
        assertFalse(b.isDone());

        once.set(5);
        assertTrue(a.isCancelled());
        assertEquals(5, now(b));
        assertEquals(5, once.get());
        assertEquals(5, now(once.await()));
        assertEquals(0, once.queuedWaiters());
    }

    @Test
    void timedOutAwaitIsWithdrawn() {
        SetOnce<Integer> once = new SetOnce<>();
        CompletableFuture<Integer> f = once.await().orTimeout(1, TimeUnit.MILLISECONDS);
        CompletionException e = assertThrows(CompletionException.class, f::join);
        assertInstanceOf(TimeoutException.class, e.getCause());
        assertEquals(0, once.queuedWaiters());
        once.set(1);
        assertEquals(1, now(once.await()));
    }

    @Test
    void cancelRacingWithSetConsumesNothing() throws Exception {
        for (int i = 0; i < 3_000; i++) {
            SetOnce<Integer> once = new SetOnce<>();
            CompletableFuture<Integer> cancelled = once.await();
            CompletableFuture<Integer> other = once.await();
            int value = i;
            Race.race(() -> cancelled.cancel(false), () -> once.set(value));

            assertEquals(value, other.get(10, TimeUnit.SECONDS), "round " + i);
            assertTrue(cancelled.isDone());
            if (!cancelled.isCancelled()) {
                assertEquals(value, cancelled.join(), "round " + i); // set won the race
            }
            assertEquals(value, once.get());
            assertEquals(0, once.queuedWaiters(), "round " + i);
        }
    }

    // ---- blocking ----

    @Test
    void blockingAwaitReturnsAValueSetLater() throws Exception {
        SetOnce<Integer> once = new SetOnce<>();
        Future<Integer> blocked = pool.submit(() -> once.blockingAwait());
        await().atMost(Duration.ofSeconds(10)).until(() -> once.queuedWaiters() == 1);
        assertFalse(blocked.isDone());
        once.set(7);
        assertEquals(7, blocked.get(10, TimeUnit.SECONDS));
        assertEquals(0, once.queuedWaiters());
    }

    @Test
    void blockingAwaitOnASetCellReturnsAtOnce() throws Exception {
        SetOnce<Integer> once = SetOnce.of(3);
        assertEquals(3, once.blockingAwait());
        assertEquals(3, once.blockingAwait(Duration.ZERO));
        assertEquals(3, once.blockingAwait(Duration.ofDays(-1)));
    }

    @Test
    void interruptWithdrawsABlockingWaiter() throws Exception {
        SetOnce<Integer> once = new SetOnce<>();
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                outcome.complete(once.blockingAwait());
                            } catch (Throwable e) {
                                outcome.complete(e);
                            }
                        });
        t.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> once.queuedWaiters() == 1);
        t.interrupt();
        assertInstanceOf(InterruptedException.class, outcome.get(10, TimeUnit.SECONDS));
        assertEquals(0, once.queuedWaiters());
        once.set(1);
        assertEquals(1, once.get());
    }

    @Test
    void interruptedOnEntryThrows() {
        SetOnce<Integer> once = SetOnce.of(1);
        Thread.currentThread().interrupt();
        try {
            assertThrows(InterruptedException.class, once::blockingAwait);
            assertFalse(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void blockingAwaitTimesOutWithNull() throws Exception {
        SetOnce<Integer> once = new SetOnce<>();
        assertNull(once.blockingAwait(Duration.ofMillis(20)));
        assertNull(once.blockingAwait(Duration.ZERO));
        assertEquals(0, once.queuedWaiters());
        once.set(2);
        assertEquals(2, once.blockingAwait(Duration.ofMillis(20)));
    }

    @Test
    void blockingAwaitOnANonBlockingReactorThreadFailsFast() throws Exception {
        SetOnce<Integer> once = SetOnce.of(1);
        for (boolean timed : new boolean[] {false, true}) {
            CompletableFuture<Object> outcome = new CompletableFuture<>();
            Schedulers.parallel()
                    .schedule(
                            () -> {
                                try {
                                    outcome.complete(
                                            timed
                                                    ? once.blockingAwait(Duration.ofSeconds(1))
                                                    : once.blockingAwait());
                                } catch (Throwable e) {
                                    outcome.complete(e);
                                }
                            });
            IllegalStateException e =
                    assertInstanceOf(
                            IllegalStateException.class, outcome.get(10, TimeUnit.SECONDS));
            assertTrue(
                    e.getMessage().startsWith("SetOnce.blockingAwait would park"), e.getMessage());
        }
    }

    // ---- null handling ----

    @Test
    void nullArgumentsAreRejected() {
        SetOnce<Integer> once = new SetOnce<>();
        NullPointerException e = assertThrows(NullPointerException.class, () -> once.set(null));
        assertEquals("value is null", e.getMessage());
        e = assertThrows(NullPointerException.class, () -> SetOnce.of(null));
        assertEquals("value is null", e.getMessage());
        e = assertThrows(NullPointerException.class, () -> once.blockingAwait(null));
        assertEquals("timeout", e.getMessage());
        assertFalse(once.initialized());
    }

    // ---- races ----

    @Test
    void concurrentSetsExactlyOneWins() throws Exception {
        for (int i = 0; i < 3_000; i++) {
            SetOnce<Integer> once = new SetOnce<>();
            AtomicInteger wins = new AtomicInteger();
            CompletableFuture<Integer> rejected = new CompletableFuture<>();
            Runnable set3 = () -> trySet(once, 3, wins, rejected);
            Runnable set4 = () -> trySet(once, 4, wins, rejected);
            Race.race(set3, set4);

            assertEquals(1, wins.get(), "round " + i);
            int loser = rejected.getNow(-1);
            assertTrue(loser == 3 || loser == 4, "round " + i + ": " + loser);
            assertNotEquals(loser, once.get());
        }
    }

    private static void trySet(
            SetOnce<Integer> once,
            int value,
            AtomicInteger wins,
            CompletableFuture<Integer> rejected) {
        try {
            once.set(value);
            wins.incrementAndGet();
        } catch (SetOnce.AlreadySetException e) {
            rejected.complete((Integer) e.value());
        }
    }

    @Test
    void setRacingAwaitAlwaysDelivers() throws Exception {
        for (int i = 0; i < 3_000; i++) {
            SetOnce<Integer> once = new SetOnce<>();
            CompletableFuture<CompletableFuture<Integer>> waited = new CompletableFuture<>();
            int value = i;
            Race.race(() -> waited.complete(once.await()), () -> once.set(value));
            assertEquals(value, waited.join().get(10, TimeUnit.SECONDS), "round " + i);
            assertEquals(0, once.queuedWaiters());
        }
    }

    @Test
    void setRacingBlockingAwaitAlwaysDelivers() throws Exception {
        for (int i = 0; i < 500; i++) {
            SetOnce<Integer> once = new SetOnce<>();
            CompletableFuture<Object> got = new CompletableFuture<>();
            int value = i;
            Race.race(
                    () -> {
                        try {
                            got.complete(once.blockingAwait());
                        } catch (InterruptedException e) {
                            got.complete(e);
                        }
                    },
                    () -> once.set(value));
            assertEquals(value, got.get(10, TimeUnit.SECONDS), "round " + i);
            assertEquals(0, once.queuedWaiters());
        }
    }
}
