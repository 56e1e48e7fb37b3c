package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Behaviours of {@link Barrier}, ported from tokio's {@code tokio/tests/sync_barrier.rs}, plus the
 * Java-specific contracts: cancellation keeps the arrival (as a dropped tokio wait does), blocking
 * variants, many threads over many generations, Reactor non-blocking threads, bad input.
 */
@Timeout(60)
class BarrierTest {

    @Test
    void zeroDoesNotBlock() { // zero_does_not_block
        Barrier b = new Barrier(0);
        for (int i = 0; i < 2; i++) {
            CompletableFuture<BarrierWaitResult> w = b.await();
            assertTrue(w.isDone());
            assertTrue(w.join().isLeader());
        }
    }

    @Test
    void single() { // single
        Barrier b = new Barrier(1);
        for (int i = 0; i < 3; i++) {
            CompletableFuture<BarrierWaitResult> w = b.await();
            assertTrue(w.isDone());
            assertTrue(w.join().isLeader());
        }
    }

    @Test
    void tango() { // tango
        Barrier b = new Barrier(2);
        CompletableFuture<BarrierWaitResult> w1 = b.await();
        assertFalse(w1.isDone());
        CompletableFuture<BarrierWaitResult> w2 = b.await();
        assertTrue(w2.isDone());
        assertTrue(w1.isDone());
        assertTrue(w2.join().isLeader(), "the last arrival leads");
        assertFalse(w1.join().isLeader());
    }

    @Test
    void lots() { // lots
        Barrier b = new Barrier(100);
        for (int gen = 0; gen < 10; gen++) {
            List<CompletableFuture<BarrierWaitResult>> wait = new ArrayList<>();
            for (int i = 0; i < 99; i++) {
                wait.add(b.await());
            }
            for (CompletableFuture<BarrierWaitResult> w : wait) {
                assertFalse(w.isDone());
            }
            CompletableFuture<BarrierWaitResult> last = b.await();
            assertTrue(last.isDone());
            int leaders = last.join().isLeader() ? 1 : 0;
            for (CompletableFuture<BarrierWaitResult> w : wait) {
                assertTrue(w.isDone());
                if (w.join().isLeader()) {
                    leaders++;
                }
            }
            assertEquals(1, leaders, "generation " + gen);
        }
    }

    @Test
    void followersCompleteOnTheLeadersThread() throws Exception {
        Barrier b = new Barrier(2);
        CompletableFuture<Thread> ranOn = b.await().thenApply(r -> Thread.currentThread());
        Thread leader = new Thread(b::await, "leader");
        leader.start();
        leader.join();
        assertSame(leader, ranOn.get(10, TimeUnit.SECONDS));
    }

    @Test
    void leaderExactlyOncePerGenerationWithManyThreads() throws Exception {
        int threads = 8;
        int generations = 2_000;
        Barrier b = new Barrier(threads);
        AtomicIntegerArray arrivals = new AtomicIntegerArray(generations);
        AtomicIntegerArray leaders = new AtomicIntegerArray(generations);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            boolean async = t % 2 == 0; // mix the two waiter modes in one queue
            Thread th =
                    new Thread(
                            () -> {
                                try {
                                    for (int g = 0; g < generations; g++) {
                                        arrivals.incrementAndGet(g);
                                        BarrierWaitResult r =
                                                async ? b.await().get() : b.blockingAwait();
                                        if (arrivals.get(g) != threads) {
                                            throw new AssertionError(
                                                    "released generation "
                                                            + g
                                                            + " after "
                                                            + arrivals.get(g)
                                                            + " arrivals");
                                        }
                                        if (r.isLeader()) {
                                            leaders.incrementAndGet(g);
                                        }
                                    }
                                } catch (Throwable e) {
                                    failure.compareAndSet(null, e);
                                }
                            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join(TimeUnit.SECONDS.toMillis(50));
            assertFalse(th.isAlive(), "a party is stuck");
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        for (int g = 0; g < generations; g++) {
            assertEquals(1, leaders.get(g), "leaders of generation " + g);
        }
    }

    // ----- cancellation: an arrival counts once made -----

    @Test
    void cancelledWaitStillCountsAsArrived() {
        Barrier b = new Barrier(3);
        CompletableFuture<BarrierWaitResult> cancelled = b.await();
        assertTrue(cancelled.cancel(false));
        CompletableFuture<BarrierWaitResult> second = b.await();
        assertFalse(second.isDone());
        CompletableFuture<BarrierWaitResult> third = b.await();
        assertTrue(third.isDone(), "three arrivals release the generation, the cancelled one too");
        assertTrue(third.join().isLeader());
        assertFalse(second.join().isLeader());
        assertTrue(cancelled.isCancelled());

        CompletableFuture<BarrierWaitResult> next = b.await();
        assertFalse(next.isDone(), "the next generation starts from zero");
    }

    @Test
    void timedOutBlockingWaitStillCountsAsArrived() throws InterruptedException {
        Barrier b = new Barrier(2);
        assertNull(b.blockingAwait(Duration.ZERO));
        CompletableFuture<BarrierWaitResult> w = b.await();
        assertTrue(w.isDone());
        assertTrue(w.join().isLeader());

        assertNull(b.blockingAwait(Duration.ofMillis(20)));
        assertTrue(b.await().join().isLeader());
    }

    @Test
    void interruptedBlockingWaitStillCountsAsArrived() throws Exception {
        Barrier b = new Barrier(2);
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                b.blockingAwait();
                                thrown.complete(null);
                            } catch (Throwable e) {
                                thrown.complete(e);
                            }
                        });
        t.start();
        NotifyTest.awaitParked(t);
        t.interrupt();
        assertTrue(thrown.get(10, TimeUnit.SECONDS) instanceof InterruptedException);
        assertTrue(b.await().join().isLeader(), "the interrupted party had arrived");
    }

    @Test
    void interruptOnEntryDoesNotArrive() {
        Barrier b = new Barrier(2);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, b::blockingAwait);
        assertFalse(Thread.interrupted());
        CompletableFuture<BarrierWaitResult> w = b.await();
        assertFalse(w.isDone(), "the interrupted call did not arrive");
        b.await();
        assertFalse(w.join().isLeader());
    }

    // ----- blocking -----

    @Test
    void blockingPartiesMeet() throws Exception {
        int n = 4;
        Barrier b = new Barrier(n);
        CountDownLatch released = new CountDownLatch(n - 1);
        AtomicIntegerArray leaders = new AtomicIntegerArray(1);
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < n - 1; i++) {
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    if (b.blockingAwait(Duration.ofSeconds(30)).isLeader()) {
                                        leaders.incrementAndGet(0);
                                    }
                                    released.countDown();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) {
            NotifyTest.awaitParked(t);
        }
        assertEquals(n - 1, released.getCount(), "nobody passes before the last party arrives");
        BarrierWaitResult last = b.blockingAwait();
        assertTrue(last.isLeader());
        assertTrue(released.await(10, TimeUnit.SECONDS));
        assertEquals(0, leaders.get(0));
    }

    @Test
    void blockingAwaitFailsOnANonBlockingThread() {
        Barrier b = new Barrier(1);
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                Mono.fromCallable(b::blockingAwait)
                                        .subscribeOn(Schedulers.parallel())
                                        .block(Duration.ofSeconds(10)));
        assertTrue(e.getMessage().startsWith("Barrier.blockingAwait would park"), e.getMessage());
        assertThrows(
                IllegalStateException.class,
                () ->
                        Mono.fromCallable(() -> b.blockingAwait(Duration.ZERO))
                                .subscribeOn(Schedulers.parallel())
                                .block(Duration.ofSeconds(10)));
        assertTrue(b.await().join().isLeader());
    }

    @Test
    void badInput() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new Barrier(-1));
        assertEquals("n must be non-negative but was -1", e.getMessage());
        NullPointerException npe =
                assertThrows(NullPointerException.class, () -> new Barrier(2).blockingAwait(null));
        assertEquals("timeout", npe.getMessage());
    }

    @Test
    void resultAndToString() {
        Barrier b = new Barrier(2);
        CompletableFuture<BarrierWaitResult> w = b.await();
        assertTrue(b.toString().contains("arrived=1"), b.toString());
        BarrierWaitResult leader = b.await().join();
        assertEquals("BarrierWaitResult[leader]", leader.toString());
        assertEquals("BarrierWaitResult[follower]", w.join().toString());
    }
}
