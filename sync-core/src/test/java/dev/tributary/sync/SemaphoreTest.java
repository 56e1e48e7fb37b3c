package dev.tributary.sync;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Behaviours of {@link Semaphore}, ported from tokio's {@code tokio/tests/sync_semaphore.rs} and
 * the batch-semaphore unit tests ({@code tokio/src/sync/tests/semaphore_batch.rs}), plus the
 * Java-specific contracts: cancellation of the returned future, blocking variants, bad input.
 */
@Timeout(60)
class SemaphoreTest {

    @Test
    void noPermits() {
        Semaphore s = new Semaphore(0);
        assertEquals(0, s.availablePermits());
        assertNull(s.tryAcquire());
    }

    @Test
    void tryAcquire() {
        Semaphore sem = new Semaphore(1);
        SemaphorePermit p1 = sem.tryAcquire();
        assertNotNull(p1);
        assertNull(sem.tryAcquire());
        p1.close();
        assertNotNull(sem.tryAcquire());
    }

    @Test
    void acquireWaitsForRelease() {
        Semaphore sem = new Semaphore(1);
        SemaphorePermit p1 = sem.tryAcquire();
        CompletableFuture<SemaphorePermit> f = sem.acquire();
        assertFalse(f.isDone());
        p1.close();
        assertTrue(f.isDone());
        assertEquals(1, f.join().numPermits());
        assertEquals(0, sem.availablePermits());
    }

    @Test
    void acquireIsAlreadyCompleteWhenFree() {
        Semaphore sem = new Semaphore(2);
        CompletableFuture<SemaphorePermit> f = sem.acquireMany(2);
        assertTrue(f.isDone());
        assertEquals(2, f.join().numPermits());
    }

    @Test
    void addPermitsWakesWaiter() {
        Semaphore sem = new Semaphore(0);
        CompletableFuture<SemaphorePermit> f = sem.acquire();
        assertFalse(f.isDone());
        sem.addPermits(1);
        assertTrue(f.isDone());
    }

    @Test
    void forget() {
        Semaphore sem = new Semaphore(1);
        SemaphorePermit p = sem.tryAcquire();
        assertEquals(0, sem.availablePermits());
        p.forget();
        assertEquals(0, p.numPermits());
        p.close();
        assertEquals(0, sem.availablePermits());
        assertNull(sem.tryAcquire());
    }

    @Test
    void merge() {
        Semaphore sem = new Semaphore(3);
        SemaphorePermit p1 = sem.tryAcquire();
        assertEquals(2, sem.availablePermits());
        SemaphorePermit p2 = sem.tryAcquireMany(2);
        assertEquals(0, sem.availablePermits());
        p1.merge(p2);
        assertEquals(3, p1.numPermits());
        assertEquals(0, p2.numPermits());
        p2.close();
        assertEquals(0, sem.availablePermits());
        p1.close();
        assertEquals(3, sem.availablePermits());
    }

    @Test
    void mergeUnrelatedPermitsIsRejected() {
        Semaphore sem1 = new Semaphore(3);
        Semaphore sem2 = new Semaphore(3);
        SemaphorePermit p1 = sem1.tryAcquire();
        SemaphorePermit p2 = sem2.tryAcquire();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> p1.merge(p2));
        assertTrue(
                e.getMessage().startsWith("merge requires permits of the same semaphore"),
                e.getMessage());
        assertEquals(1, p1.numPermits());
        assertEquals(1, p2.numPermits());
        assertThrows(IllegalArgumentException.class, () -> p1.merge(p1));
        assertThrows(NullPointerException.class, () -> p1.merge(null));
    }

    @Test
    void split() {
        Semaphore sem = new Semaphore(5);
        SemaphorePermit p = sem.tryAcquireMany(5);
        SemaphorePermit q = p.split(2);
        assertEquals(3, p.numPermits());
        assertEquals(2, q.numPermits());
        assertNull(p.split(4), "splitting more than held returns null");
        assertEquals(3, p.numPermits());
        q.close();
        assertEquals(2, sem.availablePermits());
        p.close();
        assertEquals(5, sem.availablePermits());
        assertThrows(IllegalArgumentException.class, () -> sem.tryAcquire().split(-1));
    }

    @Test
    void stressTest() throws Exception {
        Semaphore sem = new Semaphore(5);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            done.add(
                    CompletableFuture.supplyAsync(sem::acquire)
                            .thenCompose(f -> f)
                            .thenAccept(SemaphorePermit::close));
        }
        CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0]))
                .get(30, TimeUnit.SECONDS);
        // There should be exactly 5 permits available now.
        for (int i = 0; i < 5; i++) {
            assertNotNull(sem.tryAcquire());
        }
        assertNull(sem.tryAcquire());
    }

    @Test
    void addMaxAmountPermits() {
        Semaphore s = new Semaphore(0);
        s.addPermits(Semaphore.MAX_PERMITS);
        assertEquals(Semaphore.MAX_PERMITS, s.availablePermits());
    }

    @Test
    void addMoreThanMaxAmountPermits() {
        Semaphore s1 = new Semaphore(1);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> s1.addPermits(Semaphore.MAX_PERMITS));
        assertTrue(e.getMessage().contains("must not exceed MAX_PERMITS"), e.getMessage());
        assertEquals(1, s1.availablePermits(), "a rejected addPermits changes nothing");

        Semaphore s2 = new Semaphore(Semaphore.MAX_PERMITS - 1);
        s2.addPermits(1);
        assertThrows(IllegalArgumentException.class, () -> s2.addPermits(1));
        assertEquals(Semaphore.MAX_PERMITS, s2.availablePermits());
    }

    @Test
    void constructorRejectsOutOfRange() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new Semaphore(Semaphore.MAX_PERMITS + 1));
        assertEquals(
                "permits must be between 0 and MAX_PERMITS (268435455) but was 268435456",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
        assertEquals(
                "permits must be between 0 and MAX_PERMITS (268435455) but was -1", e.getMessage());
        new Semaphore(Semaphore.MAX_PERMITS); // no exception at the maximum
    }

    @Test
    void badArguments() {
        Semaphore s = new Semaphore(1);
        assertThrows(IllegalArgumentException.class, () -> s.acquireMany(-1));
        assertThrows(
                IllegalArgumentException.class, () -> s.acquireMany(Semaphore.MAX_PERMITS + 1));
        assertThrows(IllegalArgumentException.class, () -> s.tryAcquireMany(-1));
        assertThrows(IllegalArgumentException.class, () -> s.blockingAcquireMany(-1));
        assertThrows(IllegalArgumentException.class, () -> s.addPermits(-1));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> s.forgetPermits(-3));
        assertEquals("n must be non-negative but was -3", e.getMessage());
        assertThrows(NullPointerException.class, () -> s.blockingAcquire(null));
        assertThrows(NullPointerException.class, () -> s.withPermit(null));
        assertEquals(1, s.availablePermits(), "rejected calls leave the state intact");
    }

    @Test
    void acquireZeroSucceedsEvenWhenEmpty() {
        Semaphore s = new Semaphore(0);
        CompletableFuture<SemaphorePermit> f = s.acquireMany(0);
        assertTrue(f.isDone());
        assertEquals(0, f.join().numPermits());
        assertNotNull(s.tryAcquireMany(0));
    }

    @Test
    void forgetPermitsSaturates() {
        Semaphore s = new Semaphore(10);
        assertEquals(4, s.forgetPermits(4));
        assertEquals(6, s.availablePermits());
        assertEquals(6, s.forgetPermits(100));
        assertEquals(0, s.availablePermits());
        assertEquals(0, s.forgetPermits(1));
    }

    @Test
    void largeRequestAtHeadBlocksLaterSmallOnes() {
        Semaphore s = new Semaphore(1);
        CompletableFuture<SemaphorePermit> big = s.acquireMany(3);
        CompletableFuture<SemaphorePermit> small = s.acquire();
        assertFalse(big.isDone());
        assertFalse(small.isDone(), "FIFO: the small request waits behind the large one");
        assertNull(s.tryAcquire(), "tryAcquire fails while anyone is queued");
        s.addPermits(1);
        assertFalse(big.isDone());
        assertFalse(small.isDone());
        s.addPermits(
                1); // big gets its 3rd permit (1 assigned at enqueue + 1 + 1), small still waits
        assertTrue(big.isDone());
        assertFalse(small.isDone());
        big.join().close();
        assertTrue(small.isDone());
        assertEquals(2, s.availablePermits());
    }

    @Test
    void cancelledPartialRequestReturnsItsPermits() {
        Semaphore s = new Semaphore(2);
        CompletableFuture<SemaphorePermit> big = s.acquireMany(5);
        CompletableFuture<SemaphorePermit> small = s.acquire();
        assertEquals(0, s.availablePermits());
        assertTrue(big.cancel(false));
        // The 2 permits assigned to the cancelled head go to the next waiter, the rest becomes
        // free.
        assertTrue(small.isDone());
        assertEquals(1, s.availablePermits());
    }

    @Test
    void cancelledWaiterLosesOnlyItsPlace() {
        Semaphore s = new Semaphore(0);
        CompletableFuture<SemaphorePermit> a = s.acquire();
        CompletableFuture<SemaphorePermit> b = s.acquire();
        CompletableFuture<SemaphorePermit> c = s.acquire();
        assertTrue(b.cancel(false));
        s.addPermits(1);
        assertTrue(a.isDone());
        assertFalse(c.isDone());
        s.addPermits(1);
        assertTrue(c.isDone());
        assertEquals(0, s.availablePermits());
    }

    @Test
    void externalCompletionFormsAllWithdraw() throws Exception {
        Semaphore s = new Semaphore(0);
        CompletableFuture<SemaphorePermit> a = s.acquire();
        CompletableFuture<SemaphorePermit> b = s.acquire();
        CompletableFuture<SemaphorePermit> c = s.acquire();
        CompletableFuture<SemaphorePermit> d = s.acquire();
        assertTrue(a.completeExceptionally(new RuntimeException("gone")));
        assertTrue(b.complete(null));
        c.orTimeout(1, TimeUnit.MILLISECONDS);
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> c.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof TimeoutException);
        s.addPermits(1);
        assertTrue(d.isDone(), "withdrawn waiters ahead of d no longer hold their places");
        assertEquals(0, s.availablePermits());
        assertThrows(UnsupportedOperationException.class, () -> d.obtrudeValue(null));
    }

    @Test
    void cancellingADependentDoesNotReachTheSource() {
        Semaphore s = new Semaphore(0);
        CompletableFuture<SemaphorePermit> a = s.acquire();
        CompletableFuture<Integer> dependent = a.thenApply(SemaphorePermit::numPermits);
        assertTrue(dependent.cancel(false));
        assertFalse(a.isDone());
        s.addPermits(1);
        assertTrue(a.isDone(), "the source still waits and is granted");
    }

    @Test
    void closeFailsWaitersAndLaterAcquires() {
        Semaphore s = new Semaphore(1);
        SemaphorePermit held = s.tryAcquire();
        CompletableFuture<SemaphorePermit> big = s.acquireMany(3);
        CompletableFuture<SemaphorePermit> one = s.acquire();
        s.close();
        assertTrue(s.isClosed());
        CompletionException e = assertThrows(CompletionException.class, big::join);
        assertTrue(e.getCause() instanceof ClosedException);
        assertThrows(CompletionException.class, one::join);
        assertTrue(s.acquire().isCompletedExceptionally());
        assertThrows(ClosedException.class, s::tryAcquire);
        assertThrows(ClosedException.class, s::blockingAcquire);
        held.close();
        assertEquals(1, s.availablePermits(), "held permits can still be released after close");
        s.close(); // idempotent
    }

    @Test
    void closeReturnsPartialAssignments() {
        Semaphore s = new Semaphore(2);
        CompletableFuture<SemaphorePermit> big = s.acquireMany(5);
        assertEquals(0, s.availablePermits());
        s.close();
        assertTrue(big.isCompletedExceptionally());
        assertEquals(2, s.availablePermits());
    }

    @Test
    void doubleCloseOfPermitIsRejected() {
        Semaphore s = new Semaphore(1);
        SemaphorePermit p = s.tryAcquire();
        p.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, p::close);
        assertTrue(e.getMessage().contains("already released"), e.getMessage());
        assertEquals(1, s.availablePermits(), "the second close released nothing");
        assertThrows(IllegalStateException.class, p::forget);
        assertThrows(IllegalStateException.class, () -> p.split(0));
    }

    @Test
    void blockingAcquireWaitsForRelease() throws Exception {
        Semaphore s = new Semaphore(1);
        SemaphorePermit held = s.tryAcquire();
        CompletableFuture<SemaphorePermit> got = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                got.complete(s.blockingAcquire());
                            } catch (Throwable e) {
                                got.completeExceptionally(e);
                            }
                        });
        t.start();
        awaitQueued(s);
        held.close();
        assertEquals(1, got.get(10, TimeUnit.SECONDS).numPermits());
        t.join();
    }

    @Test
    void blockingAcquireTimesOutWithoutTakingAnything() throws Exception {
        Semaphore s = new Semaphore(0);
        assertNull(s.blockingAcquire(Duration.ofMillis(20)));
        assertNull(s.blockingAcquire(Duration.ZERO));
        assertNull(s.blockingAcquireMany(2, Duration.ofNanos(-5)));
        s.addPermits(1);
        assertEquals(1, s.availablePermits());
        assertNotNull(s.blockingAcquire(Duration.ofMillis(10)));
    }

    @Test
    void blockingAcquireInterruptWithdraws() throws Exception {
        Semaphore s = new Semaphore(0);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                s.blockingAcquire();
                            } catch (Throwable e) {
                                thrown.set(e);
                            }
                        });
        t.start();
        awaitQueued(s);
        t.interrupt();
        t.join(10_000);
        assertTrue(thrown.get() instanceof InterruptedException, String.valueOf(thrown.get()));
        s.addPermits(1);
        assertEquals(1, s.availablePermits(), "the interrupted waiter took nothing");
    }

    @Test
    void blockingAcquireAlreadyInterruptedThrows() {
        Semaphore s = new Semaphore(1);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, s::blockingAcquire);
        assertFalse(Thread.interrupted());
        assertEquals(1, s.availablePermits());
    }

    @Test
    void blockingOnReactorNonBlockingThreadFailsFast() {
        Semaphore s = new Semaphore(1);
        Throwable e =
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                Mono.fromCallable(s::blockingAcquire)
                                        .subscribeOn(Schedulers.parallel())
                                        .block(Duration.ofSeconds(10)));
        assertTrue(e.getMessage().contains("non-blocking"), e.getMessage());
        assertEquals(1, s.availablePermits());
    }

    @Test
    void withPermitReleasesWhateverTheOutcome() {
        Semaphore s = new Semaphore(1);
        assertEquals("ok", s.withPermit(() -> CompletableFuture.completedFuture("ok")).join());
        assertEquals(1, s.availablePermits());

        CompletableFuture<String> failing =
                s.withPermit(
                        () -> CompletableFuture.failedFuture(new IllegalStateException("boom")));
        assertTrue(failing.isCompletedExceptionally());
        assertEquals(1, s.availablePermits());

        CompletableFuture<String> throwing =
                s.withPermit(
                        () -> {
                            throw new IllegalStateException("thrown");
                        });
        assertTrue(throwing.isCompletedExceptionally());
        assertEquals(1, s.availablePermits());

        CompletableFuture<String> nullStage = s.withPermit(() -> null);
        assertThrows(CompletionException.class, nullStage::join);
        assertEquals(1, s.availablePermits());

        CompletableFuture<String> pending = new CompletableFuture<>();
        CompletableFuture<String> running = s.withPermit(() -> pending);
        assertEquals(0, s.availablePermits(), "held while the action runs");
        pending.complete("later");
        assertEquals("later", running.join());
        assertEquals(1, s.availablePermits());
    }

    @Test
    void withPermitCancelledWhileWaitingWithdraws() {
        Semaphore s = new Semaphore(0);
        CountDownLatch ran = new CountDownLatch(1);
        CompletableFuture<String> r =
                s.withPermits(
                        2,
                        () -> {
                            ran.countDown();
                            return CompletableFuture.completedFuture("x");
                        });
        assertTrue(r.cancel(false));
        s.addPermits(2);
        assertEquals(1, ran.getCount(), "the action never ran");
        assertEquals(2, s.availablePermits());
    }

    @Test
    void grantedFutureKeepsValueWhenCancelLoses() {
        Semaphore s = new Semaphore(1);
        CompletableFuture<SemaphorePermit> f = s.acquire();
        assertFalse(f.cancel(false), "already granted: cancel loses");
        assertEquals(1, f.join().numPermits());
    }

    static void awaitQueued(Semaphore s) {
        await().atMost(Duration.ofSeconds(10)).until(s::hasQueuedWaiters);
    }
}
