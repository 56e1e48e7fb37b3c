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
import java.util.concurrent.Callable;
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
 * Behaviours of {@link RwLock} and its guards, ported from tokio's {@code
 * tokio/tests/sync_rwlock.rs} (shared reads, exclusive writes, exhausting readers, write
 * preference, write order, the multithreaded sum, try_read/try_write) and extended with the Java
 * contract: downgrade, the cancel contract and its races, blocking variants and bad input.
 */
@Timeout(60)
class RwLockTest {

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

    /** Asserts that every permit is back: a writer gets in at once. */
    static void assertFree(RwLock<?> lock, String context) {
        assertFalse(lock.hasQueuedWaiters(), context + ": nobody queued");
        RwLockWriteGuard<?> w = lock.tryWrite();
        assertNotNull(w, context + ": all permits back, " + lock);
        w.close();
    }

    // ---- ported from sync_rwlock.rs ----

    @Test
    void readShared() {
        RwLock<Integer> lock = new RwLock<>(100);
        CompletableFuture<RwLockReadGuard<Integer>> t1 = lock.read();
        CompletableFuture<RwLockReadGuard<Integer>> t2 = lock.read();
        assertTrue(t1.isDone());
        assertTrue(t2.isDone(), "readers share the lock");
        assertEquals(100, t2.join().get());
        t1.join().close();
        t2.join().close();
        assertFree(lock, "end");
    }

    @Test
    void writeSharedPending() {
        RwLock<Integer> lock = new RwLock<>(100);
        RwLockReadGuard<Integer> g1 = lock.read().join();
        CompletableFuture<RwLockWriteGuard<Integer>> t2 = lock.write();
        assertFalse(t2.isDone());
        g1.close();
        assertTrue(t2.isDone(), "write_shared_drop: the writer gets in after the reader");
        t2.join().close();
        assertFree(lock, "end");
    }

    @Test
    void readExclusivePending() {
        RwLock<Integer> lock = new RwLock<>(100);
        RwLockWriteGuard<Integer> g1 = lock.write().join();
        CompletableFuture<RwLockReadGuard<Integer>> t2 = lock.read();
        assertFalse(t2.isDone());
        g1.close();
        assertTrue(t2.isDone());
        t2.join().close();
    }

    @Test
    void writeExclusivePending() {
        RwLock<Integer> lock = new RwLock<>(100);
        RwLockWriteGuard<Integer> g1 = lock.write().join();
        CompletableFuture<RwLockWriteGuard<Integer>> t2 = lock.write();
        assertFalse(t2.isDone());
        g1.close();
        assertTrue(t2.isDone());
        t2.join().close();
    }

    @Test
    void exhaustReading() {
        RwLock<Integer> lock = RwLock.withMaxReaders(100, 1024);
        assertEquals(1024, lock.maxReaders());
        List<RwLockReadGuard<Integer>> reads = new ArrayList<>();
        for (; ; ) {
            CompletableFuture<RwLockReadGuard<Integer>> t = lock.read();
            if (!t.isDone()) {
                t.cancel(false);
                break;
            }
            reads.add(t.join());
        }
        assertEquals(1024, reads.size());
        CompletableFuture<RwLockReadGuard<Integer>> t1 = lock.read();
        assertFalse(t1.isDone());
        assertNull(lock.tryRead());
        reads.remove(reads.size() - 1).close();
        assertTrue(t1.isDone(), "a reader's release admits the next reader");
        reads.add(t1.join());
        reads.forEach(RwLockReadGuard::close);
        assertFree(lock, "end");
    }

    /** write_read_shared_pending: a reader queued behind a writer waits although readers hold. */
    @Test
    void writePreferring() {
        RwLock<Integer> lock = new RwLock<>(100);
        RwLockReadGuard<Integer> g1 = lock.read().join();
        RwLockReadGuard<Integer> g2 = lock.read().join();
        CompletableFuture<RwLockWriteGuard<Integer>> t3 = lock.write();
        CompletableFuture<RwLockReadGuard<Integer>> t4 = lock.read();
        assertFalse(t3.isDone());
        assertFalse(t4.isDone(), "the reader queued behind a writer must wait");
        assertNull(lock.tryRead(), "tryRead does not barge past the queued writer");
        g1.close();
        assertFalse(t3.isDone());
        g2.close();
        assertTrue(t3.isDone());
        assertFalse(t4.isDone());
        t3.join().close();
        assertTrue(t4.isDone());
        t4.join().close();
        assertFree(lock, "end");
    }

    /** write_read_shared_drop_pending: cancelling the queued writer lets the reader in. */
    @Test
    void cancelledWriterLetsReaderIn() {
        RwLock<Integer> lock = new RwLock<>(100);
        RwLockReadGuard<Integer> g1 = lock.read().join();
        CompletableFuture<RwLockWriteGuard<Integer>> t2 = lock.write();
        CompletableFuture<RwLockReadGuard<Integer>> t3 = lock.read();
        assertFalse(t3.isDone());
        assertTrue(t2.cancel(false));
        assertTrue(t3.isDone(), "the withdrawn writer's permits went on to the reader");
        t3.join().close();
        g1.close();
        assertFree(lock, "end");
    }

    @Test
    void readAndWriteUncontested() {
        RwLock<Integer> lock = new RwLock<>(100);
        try (RwLockReadGuard<Integer> r = lock.read().join()) {
            assertEquals(100, r.get());
        }
        try (RwLockWriteGuard<Integer> w = lock.write().join()) {
            w.set(w.get() + 50);
            assertEquals(150, w.get());
        }
        try (RwLockReadGuard<Integer> r = lock.read().join()) {
            assertEquals(150, r.get());
        }
    }

    /** write_order, in Java terms: futures are hot, so writers are served in call order. */
    @Test
    void writeOrder() {
        RwLock<List<Integer>> lock = new RwLock<>(new ArrayList<>());
        RwLockWriteGuard<List<Integer>> hold = lock.tryWrite();
        CompletableFuture<Void> fut2 =
                lock.write()
                        .thenAccept(
                                g -> {
                                    g.get().add(2);
                                    g.close();
                                });
        CompletableFuture<Void> fut1 =
                lock.write()
                        .thenAccept(
                                g -> {
                                    g.get().add(1);
                                    g.close();
                                });
        hold.close();
        fut1.join();
        fut2.join();
        try (RwLockReadGuard<List<Integer>> g = lock.read().join()) {
            assertEquals(List.of(2, 1), g.get());
        }
    }

    /** multithreaded: 4 writers × 1000 additions of 2, 3, 5 and 7, async and blocking. */
    @Test
    void multithreaded() throws Exception {
        RwLock<Integer> lock = new RwLock<>(0);
        int[] increments = {2, 3, 5, 7};
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int t = 0; t < increments.length; t++) {
            int inc = increments[t];
            boolean blocking = t % 2 == 0;
            CompletableFuture<Void> f = new CompletableFuture<>();
            done.add(f);
            new Thread(
                            () -> {
                                try {
                                    for (int i = 0; i < 1000; i++) {
                                        RwLockWriteGuard<Integer> g =
                                                blocking
                                                        ? lock.blockingWrite()
                                                        : lock.write().join();
                                        g.set(g.get() + inc);
                                        g.close();
                                        // readers in between must see a consistent value
                                        try (RwLockReadGuard<Integer> r =
                                                blocking
                                                        ? lock.read().join()
                                                        : lock.blockingRead()) {
                                            assertNotNull(r.get());
                                        }
                                    }
                                    f.complete(null);
                                } catch (Throwable e) {
                                    f.completeExceptionally(e);
                                }
                            })
                    .start();
        }
        CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0]))
                .get(30, TimeUnit.SECONDS);
        try (RwLockReadGuard<Integer> g = lock.read().join()) {
            assertEquals(17_000, g.get());
        }
    }

    @Test
    void tryWrite() {
        RwLock<Integer> lock = new RwLock<>(0);
        RwLockReadGuard<Integer> r = lock.read().join();
        assertNull(lock.tryWrite());
        r.close();
        RwLockWriteGuard<Integer> w = lock.tryWrite();
        assertNotNull(w);
        w.close();
    }

    @Test
    void tryReadTryWrite() {
        RwLock<Integer> lock = new RwLock<>(15);
        RwLockReadGuard<Integer> rg1 = lock.tryRead();
        assertEquals(15, rg1.get());
        assertNull(lock.tryWrite());
        RwLockReadGuard<Integer> rg2 = lock.tryRead();
        assertEquals(15, rg2.get());
        rg1.close();
        rg2.close();

        RwLockWriteGuard<Integer> wg = lock.tryWrite();
        wg.set(1515);
        assertNull(lock.tryRead());
        assertNull(lock.tryWrite());
        wg.close();

        try (RwLockReadGuard<Integer> r = lock.tryRead()) {
            assertEquals(1515, r.get());
        }
    }

    // ---- maxReaders ----

    @Test
    void maxReadersLimitsConcurrentReaders() {
        RwLock<String> lock = RwLock.withMaxReaders("v", 3);
        RwLockReadGuard<String> a = lock.tryRead();
        RwLockReadGuard<String> b = lock.read().join();
        RwLockReadGuard<String> c = lock.tryRead();
        assertNotNull(a);
        assertNotNull(c);
        assertNull(lock.tryRead(), "three readers at most");
        CompletableFuture<RwLockReadGuard<String>> d = lock.read();
        assertFalse(d.isDone());
        b.close();
        assertTrue(d.isDone());
        a.close();
        c.close();
        d.join().close();
        assertFree(lock, "end");
    }

    @Test
    void singleReaderLockActsAsMutex() {
        RwLock<Integer> lock = RwLock.withMaxReaders(0, 1);
        RwLockReadGuard<Integer> r = lock.tryRead();
        assertNull(lock.tryRead());
        assertNull(lock.tryWrite());
        r.close();
        RwLockWriteGuard<Integer> w = lock.tryWrite();
        assertNull(lock.tryRead());
        RwLockReadGuard<Integer> down = w.downgrade();
        assertNull(lock.tryRead());
        down.close();
        assertFree(lock, "end");
    }

    @Test
    void maxReadersAtTheLimit() {
        RwLock<Integer> lock = RwLock.withMaxReaders(1, RwLock.MAX_READERS);
        assertEquals(RwLock.MAX_READERS, lock.maxReaders());
        assertEquals(RwLock.MAX_READERS, new RwLock<>(1).maxReaders());
        RwLockReadGuard<Integer> r = lock.tryRead();
        CompletableFuture<RwLockWriteGuard<Integer>> w = lock.write();
        assertFalse(w.isDone());
        r.close();
        assertTrue(w.isDone());
        w.join().close();
        assertFree(lock, "end");
    }

    @Test
    void badInput() {
        for (int bad : new int[] {0, -1, RwLock.MAX_READERS + 1, Integer.MIN_VALUE}) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class, () -> RwLock.withMaxReaders(1, bad));
            assertEquals(
                    "maxReaders must be between 1 and MAX_READERS (268435455) but was " + bad,
                    e.getMessage());
        }
        RwLock<Integer> lock = new RwLock<>(0);
        assertEquals(
                "fn",
                assertThrows(NullPointerException.class, () -> lock.withRead(null)).getMessage());
        assertEquals(
                "fn",
                assertThrows(NullPointerException.class, () -> lock.withWrite(null)).getMessage());
        assertEquals(
                "timeout",
                assertThrows(NullPointerException.class, () -> lock.blockingRead(null))
                        .getMessage());
        assertEquals(
                "timeout",
                assertThrows(NullPointerException.class, () -> lock.blockingWrite(null))
                        .getMessage());
        assertFree(lock, "after bad input");
    }

    // ---- guards ----

    @Test
    void guardsMisuse() {
        RwLock<Integer> lock = new RwLock<>(1);
        RwLockReadGuard<Integer> r = lock.tryRead();
        assertSame(lock, r.lock());
        r.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, r::close);
        assertEquals(
                "RwLockReadGuard already released: close() requires an unreleased guard",
                e.getMessage());
        e = assertThrows(IllegalStateException.class, r::get);
        assertEquals(
                "get requires an unreleased RwLockReadGuard but it was closed", e.getMessage());

        RwLockWriteGuard<Integer> w = lock.tryWrite();
        assertSame(lock, w.lock());
        w.close();
        e = assertThrows(IllegalStateException.class, w::close);
        assertEquals(
                "RwLockWriteGuard already released: close() requires an unreleased guard",
                e.getMessage());
        e = assertThrows(IllegalStateException.class, w::get);
        assertEquals(
                "get requires an unreleased RwLockWriteGuard but it was closed", e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> w.set(2));
        assertEquals(
                "set requires an unreleased RwLockWriteGuard but it was closed", e.getMessage());
        e = assertThrows(IllegalStateException.class, w::downgrade);
        assertEquals(
                "downgrade requires an unreleased RwLockWriteGuard but it was closed",
                e.getMessage());
        assertFree(lock, "misuse released nothing twice");
        try (RwLockReadGuard<Integer> check = lock.tryRead()) {
            assertEquals(1, check.get());
        }
    }

    @Test
    void doubleReadCloseDoesNotReleaseTwice() {
        RwLock<Integer> lock = RwLock.withMaxReaders(0, 2);
        RwLockReadGuard<Integer> r = lock.tryRead();
        RwLockReadGuard<Integer> other = lock.tryRead();
        r.close();
        assertThrows(IllegalStateException.class, r::close);
        RwLockReadGuard<Integer> third = lock.tryRead();
        assertNotNull(third);
        assertNull(lock.tryRead(), "still two readers: the second close released nothing");
        other.close();
        third.close();
        assertFree(lock, "end");
    }

    @Test
    void debugFormat() {
        RwLock<String> lock = RwLock.withMaxReaders("data", 4);
        assertEquals("RwLock[maxReaders=4, free=4]", lock.toString());
        RwLockReadGuard<String> r = lock.tryRead();
        assertEquals("RwLockReadGuard[data]", r.toString());
        assertEquals("RwLock[maxReaders=4, free=3]", lock.toString());
        CompletableFuture<RwLockWriteGuard<String>> w = lock.write();
        assertEquals("RwLock[maxReaders=4, free=0, waiters]", lock.toString());
        r.close();
        assertEquals("RwLockReadGuard[released]", r.toString());
        assertEquals("RwLockWriteGuard[data]", w.join().toString());
        w.join().close();
        assertEquals("RwLockWriteGuard[released]", w.join().toString());
    }

    // ---- downgrade ----

    @Test
    void downgradeKeepsQueuedWriterOut() {
        RwLock<Integer> lock = RwLock.withMaxReaders(0, 8);
        RwLockWriteGuard<Integer> w = lock.tryWrite();
        CompletableFuture<RwLockWriteGuard<Integer>> w2 = lock.write();
        CompletableFuture<RwLockReadGuard<Integer>> r = lock.read();
        w.set(1);
        RwLockReadGuard<Integer> down = w.downgrade();
        assertEquals(1, down.get(), "the downgraded reader sees its own write");
        assertFalse(w2.isDone(), "no writer gets in while the downgraded reader holds");
        assertFalse(r.isDone(), "a reader behind the queued writer still waits");
        assertNull(lock.tryRead());
        assertNull(lock.tryWrite());
        assertThrows(IllegalStateException.class, w::close);
        down.close();
        assertTrue(w2.isDone());
        assertFalse(r.isDone());
        RwLockWriteGuard<Integer> g2 = w2.join();
        assertEquals(1, g2.get());
        g2.set(2);
        g2.close();
        assertEquals(2, r.join().get());
        r.join().close();
        assertFree(lock, "end");
    }

    @Test
    void downgradeAdmitsReadersQueuedBeforeAnyWriter() {
        RwLock<Integer> lock = RwLock.withMaxReaders(0, 4);
        RwLockWriteGuard<Integer> w = lock.tryWrite();
        CompletableFuture<RwLockReadGuard<Integer>> r1 = lock.read();
        CompletableFuture<RwLockReadGuard<Integer>> r2 = lock.read();
        CompletableFuture<RwLockWriteGuard<Integer>> w3 = lock.write();
        CompletableFuture<RwLockReadGuard<Integer>> r4 = lock.read();
        w.set(42);
        RwLockReadGuard<Integer> down = w.downgrade();
        assertTrue(r1.isDone(), "readers queued before the writer proceed after downgrade");
        assertTrue(r2.isDone());
        assertEquals(42, r1.join().get());
        assertEquals(42, r2.join().get());
        assertFalse(w3.isDone());
        assertFalse(r4.isDone());
        r1.join().close();
        down.close();
        assertFalse(w3.isDone(), "r2 still reads");
        r2.join().close();
        assertTrue(w3.isDone());
        w3.join().close();
        assertTrue(r4.isDone());
        r4.join().close();
        assertFree(lock, "end");
    }

    /** While one thread downgrades, another keeps trying to write: it never gets in. */
    @Test
    void downgradeIsAtomicUnderRace() throws Exception {
        RwLock<Integer> lock = RwLock.withMaxReaders(0, 16);
        for (int i = 0; i < 2_000; i++) {
            RwLockWriteGuard<Integer> w = lock.tryWrite();
            assertNotNull(w, "iteration " + i);
            AtomicReference<RwLockReadGuard<Integer>> down = new AtomicReference<>();
            AtomicInteger writerGotIn = new AtomicInteger();
            Race.race(
                    () -> down.set(w.downgrade()),
                    () -> {
                        for (int k = 0; k < 50; k++) {
                            RwLockWriteGuard<Integer> sneak = lock.tryWrite();
                            if (sneak != null) {
                                writerGotIn.incrementAndGet();
                                sneak.close();
                            }
                        }
                    });
            assertEquals(0, writerGotIn.get(), "iteration " + i);
            assertNull(lock.tryWrite());
            down.get().close();
            assertFree(lock, "iteration " + i);
        }
    }

    @Test
    void downgradeRacesWithClose() throws Exception {
        RwLock<Integer> lock = RwLock.withMaxReaders(0, 4);
        for (int i = 0; i < 2_000; i++) {
            RwLockWriteGuard<Integer> w = lock.tryWrite();
            assertNotNull(w, "iteration " + i);
            AtomicReference<RwLockReadGuard<Integer>> down = new AtomicReference<>();
            AtomicInteger failures = new AtomicInteger();
            Race.race(
                    () -> {
                        try {
                            down.set(w.downgrade());
                        } catch (IllegalStateException e) {
                            failures.incrementAndGet();
                        }
                    },
                    () -> {
                        try {
                            w.close();
                        } catch (IllegalStateException e) {
                            failures.incrementAndGet();
                        }
                    });
            assertEquals(1, failures.get(), "exactly one of downgrade and close wins");
            if (down.get() != null) {
                down.get().close();
            }
            assertFree(lock, "iteration " + i);
        }
    }

    // ---- the cancel contract ----

    @Test
    void cancelledQueuedReaderLosesOnlyItsPlace() {
        RwLock<Integer> lock = new RwLock<>(0);
        RwLockWriteGuard<Integer> w = lock.tryWrite();
        CompletableFuture<RwLockReadGuard<Integer>> r1 = lock.read();
        CompletableFuture<RwLockReadGuard<Integer>> r2 = lock.read();
        CompletableFuture<RwLockWriteGuard<Integer>> w3 = lock.write();
        r1.cancel(false);
        w.close();
        assertTrue(r1.isCancelled());
        assertTrue(r2.isDone());
        assertFalse(w3.isDone());
        r2.join().close();
        assertTrue(w3.isDone());
        w3.join().close();
        assertFree(lock, "end");
    }

    @Test
    void writerTimedOutAtTheHeadReturnsItsPartialPermits() {
        RwLock<Integer> lock = RwLock.withMaxReaders(0, 4);
        RwLockReadGuard<Integer> r = lock.tryRead();
        CompletableFuture<RwLockWriteGuard<Integer>> w =
                lock.write().orTimeout(5, TimeUnit.MILLISECONDS);
        CompletionException e = assertThrows(CompletionException.class, w::join);
        assertInstanceOf(TimeoutException.class, e.getCause());
        // The delayer thread withdraws the writer just after completing its future (see below).
        Race.awaitTrue(() -> !lock.hasQueuedWaiters());
        List<RwLockReadGuard<Integer>> more = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RwLockReadGuard<Integer> g = lock.tryRead();
            assertNotNull(g, "the writer's 3 collected permits are free again (" + i + ")");
            more.add(g);
        }
        assertNull(lock.tryRead());
        more.forEach(RwLockReadGuard::close);
        r.close();
        assertFree(lock, "end");
    }

    /**
     * A stage that depends on a cancelled wait should find the wait withdrawn, as tokio's drop is:
     * here, the queued writer's collected permits should be free again (the core withdraws the
     * waiter before the external completion becomes visible).
     */
    @Test
    void dependentOfCancelledWaitSeesItWithdrawn() {
        RwLock<Integer> lock = RwLock.withMaxReaders(0, 4);
        RwLockReadGuard<Integer> r = lock.tryRead();
        CompletableFuture<RwLockWriteGuard<Integer>> w = lock.write();
        AtomicReference<RwLockReadGuard<Integer>> seen = new AtomicReference<>();
        w.exceptionally(
                e -> {
                    seen.set(lock.tryRead());
                    return null;
                });
        w.completeExceptionally(new TimeoutException());
        assertNotNull(seen.get(), "the withdrawn writer's permits are free when dependents run");
        seen.get().close();
        r.close();
        assertFree(lock, "end");
    }

    /**
     * Readers hold, a writer and a reader queue; cancelling the writer races with the readers'
     * release. Whatever wins, every permit comes back and the queued reader is served.
     */
    @Test
    void cancelRaceConservesPermits() throws Exception {
        RwLock<Integer> lock = RwLock.withMaxReaders(0, 4);
        for (int i = 0; i < 5_000; i++) {
            RwLockReadGuard<Integer> r1 = lock.tryRead();
            RwLockReadGuard<Integer> r2 = lock.tryRead();
            assertNotNull(r2, "iteration " + i);
            CompletableFuture<RwLockWriteGuard<Integer>> w = lock.write();
            CompletableFuture<RwLockReadGuard<Integer>> r3 = lock.read();
            Race.race(
                    () -> w.cancel(false),
                    () -> {
                        r1.close();
                        r2.close();
                    });
            if (!w.isCancelled()) {
                assertFalse(r3.isDone(), "iteration " + i + ": the writer holds");
                w.join().close();
            }
            assertTrue(r3.isDone(), "iteration " + i);
            r3.join().close();
            assertFree(lock, "iteration " + i);
        }
    }

    /** A queued reader is cancelled while the writer releases: permits conserved. */
    @Test
    void readerCancelRaceWithWriterRelease() throws Exception {
        RwLock<Integer> lock = RwLock.withMaxReaders(0, 3);
        for (int i = 0; i < 3_000; i++) {
            RwLockWriteGuard<Integer> w = lock.tryWrite();
            assertNotNull(w, "iteration " + i);
            CompletableFuture<RwLockReadGuard<Integer>> r1 = lock.read();
            CompletableFuture<RwLockWriteGuard<Integer>> w2 = lock.write();
            Race.race(() -> r1.cancel(false), w::close);
            if (!r1.isCancelled()) {
                assertFalse(w2.isDone(), "iteration " + i + ": the reader holds");
                r1.join().close();
            }
            assertTrue(w2.isDone(), "iteration " + i);
            w2.join().close();
            assertFree(lock, "iteration " + i);
        }
    }

    // ---- blocking variants ----

    @Test
    void blockingReadAndWrite() throws Exception {
        RwLock<Integer> lock = new RwLock<>(1);
        RwLockWriteGuard<Integer> w = lock.blockingWrite();
        Future<Integer> reader =
                pool.submit(
                        () -> {
                            try (RwLockReadGuard<Integer> r = lock.blockingRead()) {
                                return r.get();
                            }
                        });
        Race.awaitTrue(lock::hasQueuedWaiters);
        w.set(2);
        w.close();
        assertEquals(2, reader.get(10, TimeUnit.SECONDS));

        RwLockReadGuard<Integer> r = lock.blockingRead();
        Future<Integer> writer =
                pool.submit(
                        () -> {
                            try (RwLockWriteGuard<Integer> g = lock.blockingWrite()) {
                                g.set(3);
                                return g.get();
                            }
                        });
        Race.awaitTrue(lock::hasQueuedWaiters);
        assertFalse(writer.isDone());
        r.close();
        assertEquals(3, writer.get(10, TimeUnit.SECONDS));
        assertFree(lock, "end");
    }

    @Test
    void blockingTimeoutsReturnNullAndChangeNothing() throws Exception {
        RwLock<Integer> lock = RwLock.withMaxReaders(0, 4);
        RwLockReadGuard<Integer> r = lock.tryRead();
        assertNull(lock.blockingWrite(Duration.ofMillis(20)), "a reader holds");
        assertNull(lock.blockingWrite(Duration.ZERO));
        assertFalse(lock.hasQueuedWaiters());
        RwLockReadGuard<Integer> r2 = lock.blockingRead(Duration.ZERO);
        assertNotNull(r2, "the timed-out writer returned its collected permits");
        r.close();
        r2.close();

        RwLockWriteGuard<Integer> w = lock.blockingWrite(Duration.ZERO);
        assertNotNull(w, "a zero timeout still takes a free lock");
        assertNull(lock.blockingRead(Duration.ofMillis(20)));
        assertNull(lock.blockingWrite(Duration.ofMillis(-5)));
        assertFalse(lock.hasQueuedWaiters());
        w.set(9);
        w.close();
        try (RwLockReadGuard<Integer> check = lock.blockingRead(WAIT)) {
            assertEquals(9, check.get());
        }
        assertFree(lock, "end");
    }

    @Test
    void blockingTimedCallsGetTheLockWhenReleasedInTime() throws Exception {
        RwLock<Integer> lock = new RwLock<>(0);
        RwLockWriteGuard<Integer> w = lock.tryWrite();
        Future<RwLockReadGuard<Integer>> r = pool.submit(() -> lock.blockingRead(WAIT));
        Race.awaitTrue(lock::hasQueuedWaiters);
        w.close();
        RwLockReadGuard<Integer> rg = r.get(10, TimeUnit.SECONDS);
        assertNotNull(rg);
        Future<RwLockWriteGuard<Integer>> w2 = pool.submit(() -> lock.blockingWrite(WAIT));
        Race.awaitTrue(lock::hasQueuedWaiters);
        rg.close();
        RwLockWriteGuard<Integer> wg = w2.get(10, TimeUnit.SECONDS);
        assertNotNull(wg);
        wg.close();
        assertFree(lock, "end");
    }

    @Test
    void interruptedBlockingWriterWithdrawsAndPassesOn() throws Exception {
        RwLock<Integer> lock = RwLock.withMaxReaders(0, 4);
        RwLockReadGuard<Integer> r = lock.tryRead();
        AtomicReference<Thread> worker = new AtomicReference<>();
        Future<Throwable> f =
                pool.submit(
                        () -> {
                            worker.set(Thread.currentThread());
                            try {
                                lock.blockingWrite().close();
                                return null;
                            } catch (InterruptedException e) {
                                return e;
                            }
                        });
        Race.awaitTrue(lock::hasQueuedWaiters);
        CompletableFuture<RwLockReadGuard<Integer>> behind = lock.read();
        assertFalse(behind.isDone(), "queued behind the writer");
        worker.get().interrupt();
        assertInstanceOf(InterruptedException.class, f.get(10, TimeUnit.SECONDS));
        assertTrue(behind.isDone(), "the withdrawn writer's permits went on to the reader");
        behind.join().close();
        r.close();
        assertFree(lock, "end");
    }

    @Test
    void interruptedBlockingReaderWithdraws() throws Exception {
        RwLock<Integer> lock = new RwLock<>(0);
        RwLockWriteGuard<Integer> w = lock.tryWrite();
        AtomicReference<Thread> worker = new AtomicReference<>();
        Future<Throwable> f =
                pool.submit(
                        () -> {
                            worker.set(Thread.currentThread());
                            try {
                                lock.blockingRead().close();
                                return null;
                            } catch (InterruptedException e) {
                                return e;
                            }
                        });
        Race.awaitTrue(lock::hasQueuedWaiters);
        worker.get().interrupt();
        assertInstanceOf(InterruptedException.class, f.get(10, TimeUnit.SECONDS));
        assertFalse(lock.hasQueuedWaiters());
        w.close();
        assertFree(lock, "end");
    }

    /** Interrupting a blocked writer races with the readers' release: permits conserved. */
    @Test
    void interruptRaceConservesPermits() throws Exception {
        RwLock<Integer> lock = RwLock.withMaxReaders(0, 2);
        ExecutorService worker = Executors.newSingleThreadExecutor();
        int[] outcomes = new int[3];
        try {
            for (int i = 0; i < 1_000; i++) {
                RwLockReadGuard<Integer> r = lock.tryRead();
                assertNotNull(r, "iteration " + i);
                AtomicReference<Thread> thread = new AtomicReference<>();
                Future<Integer> f =
                        worker.submit(
                                () -> {
                                    Thread.interrupted(); // a late interrupt from the last round
                                    thread.set(Thread.currentThread());
                                    try {
                                        RwLockWriteGuard<Integer> g = lock.blockingWrite();
                                        boolean interrupted = Thread.interrupted();
                                        g.close();
                                        return interrupted ? 1 : 2;
                                    } catch (InterruptedException e) {
                                        return 0;
                                    }
                                });
                Race.awaitTrue(lock::hasQueuedWaiters);
                Race.race(() -> thread.get().interrupt(), r::close);
                outcomes[f.get(10, TimeUnit.SECONDS)]++;
                assertFree(lock, "iteration " + i);
            }
        } finally {
            worker.shutdownNow();
        }
        assertEquals(1_000, outcomes[0] + outcomes[1] + outcomes[2]);
    }

    @Test
    void blockingOnReactorNonBlockingThreadFails() throws Exception {
        RwLock<Integer> lock = new RwLock<>(0);
        List<Callable<AutoCloseable>> calls =
                List.of(
                        lock::blockingRead,
                        () -> lock.blockingRead(WAIT),
                        lock::blockingWrite,
                        () -> lock.blockingWrite(WAIT));
        List<String> names =
                List.of(
                        "RwLock.blockingRead",
                        "RwLock.blockingRead",
                        "RwLock.blockingWrite",
                        "RwLock.blockingWrite");
        for (int i = 0; i < calls.size(); i++) {
            Callable<AutoCloseable> call = calls.get(i);
            CompletableFuture<AutoCloseable> r = new CompletableFuture<>();
            Schedulers.parallel()
                    .schedule(
                            () -> {
                                try {
                                    r.complete(call.call());
                                } catch (Throwable t) {
                                    r.completeExceptionally(t);
                                }
                            });
            ExecutionException e =
                    assertThrows(ExecutionException.class, () -> r.get(10, TimeUnit.SECONDS));
            IllegalStateException ise = assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(
                    ise.getMessage().startsWith(names.get(i) + " would park parallel-"),
                    ise.getMessage());
            assertFree(lock, names.get(i));
        }
    }

    // ---- withRead / withWrite ----

    @Test
    void withReadSharesAndReleases() {
        RwLock<Integer> lock = new RwLock<>(5);
        CompletableFuture<Integer> stage1 = new CompletableFuture<>();
        CompletableFuture<Integer> a = lock.withRead(g -> stage1.thenApply(x -> x + g.get()));
        CompletableFuture<Integer> b =
                lock.withRead(g -> CompletableFuture.completedFuture(g.get() * 2));
        assertEquals(10, b.join(), "a second reader runs while the first still holds");
        assertNull(lock.tryWrite(), "the first reader still holds");
        stage1.complete(1);
        assertEquals(6, a.join());
        assertFree(lock, "end");
    }

    @Test
    void withWriteIsExclusiveAndReleasesOnEveryOutcome() {
        RwLock<Integer> lock = new RwLock<>(0);
        CompletableFuture<Void> stage = new CompletableFuture<>();
        CompletableFuture<Void> first =
                lock.withWrite(
                        g -> {
                            g.set(g.get() + 1);
                            return stage;
                        });
        CompletableFuture<Integer> reader =
                lock.withRead(g -> CompletableFuture.completedFuture(g.get()));
        assertFalse(reader.isDone(), "the writer is exclusive");
        stage.complete(null);
        first.join();
        assertEquals(1, reader.join());

        IllegalArgumentException boom = new IllegalArgumentException("boom");
        CompletableFuture<Object> failed =
                lock.withWrite(g -> CompletableFuture.failedFuture(boom));
        assertSame(boom, assertThrows(CompletionException.class, failed::join).getCause());
        CompletableFuture<Object> thrown =
                lock.withWrite(
                        g -> {
                            throw boom;
                        });
        assertSame(boom, assertThrows(CompletionException.class, thrown::join).getCause());
        CompletableFuture<Object> nullStage = lock.withWrite(g -> null);
        assertInstanceOf(
                NullPointerException.class,
                assertThrows(CompletionException.class, nullStage::join).getCause());
        CompletableFuture<Object> nullRead = lock.withRead(g -> null);
        assertInstanceOf(
                NullPointerException.class,
                assertThrows(CompletionException.class, nullRead::join).getCause());
        assertFree(lock, "end");
    }

    @Test
    void withWriteFnThatDowngradesStillCompletes() {
        RwLock<Integer> lock = RwLock.withMaxReaders(0, 2);
        AtomicReference<RwLockReadGuard<Integer>> down = new AtomicReference<>();
        CompletableFuture<Integer> r =
                lock.withWrite(
                        g -> {
                            g.set(5);
                            down.set(g.downgrade());
                            return CompletableFuture.completedFuture(1);
                        });
        assertTrue(r.isDone(), "the result must complete");
        IllegalStateException ise =
                assertInstanceOf(
                        IllegalStateException.class,
                        assertThrows(CompletionException.class, r::join).getCause());
        assertEquals(
                "RwLockWriteGuard already released: close() requires an unreleased guard",
                ise.getMessage());
        RwLockReadGuard<Integer> other = lock.tryRead();
        assertNotNull(other, "the downgraded reader holds one permit of two");
        assertNull(lock.tryRead());
        assertEquals(5, down.get().get());
        down.get().close();
        other.close();
        assertFree(lock, "end");
    }

    @Test
    void withWriteCancelledWhileQueuedNeverRuns() {
        RwLock<Integer> lock = new RwLock<>(0);
        RwLockReadGuard<Integer> r = lock.tryRead();
        AtomicInteger ran = new AtomicInteger();
        CompletableFuture<Integer> w =
                lock.withWrite(g -> CompletableFuture.completedFuture(ran.incrementAndGet()));
        assertFalse(w.isDone());
        assertTrue(w.cancel(false));
        assertFalse(lock.hasQueuedWaiters(), "the acquisition was withdrawn");
        r.close();
        assertEquals(0, ran.get());
        assertFree(lock, "end");
    }

    /** Readers and writers of all kinds hammer one lock; a writer's invariant is never torn. */
    @Test
    void mixedStress() throws Exception {
        RwLock<int[]> lock = RwLock.withMaxReaders(new int[2], 3);
        int threads = 4;
        int ops = 5_000;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            CompletableFuture<Void> f = new CompletableFuture<>();
            done.add(f);
            new Thread(
                            () -> {
                                try {
                                    for (int i = 0; i < ops; i++) {
                                        int kind = (i + id) % 4;
                                        if (kind == 0) {
                                            try (RwLockWriteGuard<int[]> w = lock.blockingWrite()) {
                                                w.get()[0]++;
                                                w.get()[1]++;
                                            }
                                        } else if (kind == 1) {
                                            try (RwLockWriteGuard<int[]> w = lock.write().join()) {
                                                w.get()[0]++;
                                                w.get()[1]++;
                                            }
                                        } else {
                                            try (RwLockReadGuard<int[]> r =
                                                    kind == 2
                                                            ? lock.blockingRead()
                                                            : lock.read().join()) {
                                                int[] v = r.get();
                                                if (v[0] != v[1]) {
                                                    throw new AssertionError("torn write seen");
                                                }
                                            }
                                        }
                                    }
                                    f.complete(null);
                                } catch (Throwable e) {
                                    f.completeExceptionally(e);
                                }
                            })
                    .start();
        }
        CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0]))
                .get(30, TimeUnit.SECONDS);
        try (RwLockWriteGuard<int[]> w = lock.tryWrite()) {
            assertNotNull(w);
            assertEquals(threads * ops / 2, w.get()[0]);
            assertEquals(threads * ops / 2, w.get()[1]);
        }
    }
}
