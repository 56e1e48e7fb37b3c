package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.ExternalCompletion.Case;
import dev.tributary.sync.ExternalCompletion.Round;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The cancel contract of the permit-based waits, through every external completion entry point
 * ({@link ExternalCompletion.Entry}): {@link Semaphore#acquire()}, {@link
 * Semaphore#acquireMany(int)} (partly granted, with a waiter queued behind it), {@link
 * Mutex#lock()}, {@link RwLock#read()} and {@link RwLock#write()} (partly granted).
 *
 * <p>Invariants after every iteration: permits conserved (back to the initial count once every
 * guard is closed); the permits of a partly granted, withdrawn request, or of a grant that lost to
 * the outside completion, go to the waiter behind it; nobody is left queued ({@code
 * hasQueuedWaiters}) and the {@code try*} form succeeds (it fails while anyone is queued); a grant
 * that won holds exactly what was asked; the return value of {@code cancel}/{@code complete}/{@code
 * completeExceptionally} matches what the future holds.
 */
class LockExternalCompletionRaceTest extends AbstractExternalCompletionRaceTest {
    @Override
    List<Case> cases() {
        return List.of(
                new Case("Semaphore.acquire", Acquire::new),
                new Case("Semaphore.acquireMany", AcquireMany::new),
                new Case("Mutex.lock", Lock::new),
                new Case("RwLock.read", () -> new ReadWrite(true)),
                new Case("RwLock.write", () -> new ReadWrite(false)));
    }

    /** No permit; the wait acquires one; the grant adds one. */
    static final class Acquire extends Round {
        final Semaphore s = new Semaphore(0);
        final CompletableFuture<SemaphorePermit> f = s.acquire();

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            s.addPermits(1);
        }

        @Override
        void check(boolean outsideWon) {
            if (!outsideWon) {
                SemaphorePermit p = f.join();
                assertEquals(1, p.numPermits());
                assertEquals(0, s.availablePermits());
                p.close();
            }
            assertEquals(1, s.availablePermits(), "permits conserved");
            assertFalse(s.hasQueuedWaiters(), "nobody left queued");
            SemaphorePermit p = s.tryAcquire();
            assertNotNull(p, "tryAcquire must succeed");
            p.close();
        }

        @Override
        String leftover() {
            return s.hasQueuedWaiters() ? "still queued: " + s : null;
        }
    }

    /**
     * One permit; the wait asks for 3 (1 assigned, 2 missing) with a single acquire queued behind
     * it; the grant adds 2.
     */
    static final class AcquireMany extends Round {
        final Semaphore s = new Semaphore(1);
        final CompletableFuture<SemaphorePermit> f = s.acquireMany(3);
        final CompletableFuture<SemaphorePermit> behind = s.acquire();

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            s.addPermits(2);
        }

        @Override
        void check(boolean outsideWon) throws Exception {
            if (!outsideWon) {
                SemaphorePermit p = f.join();
                assertEquals(3, p.numPermits());
                assertFalse(behind.isDone(), "FIFO: the waiter behind waits for the release");
                p.close();
            }
            SemaphorePermit q = Race.await(behind); // granted either way
            assertEquals(1, q.numPermits());
            q.close();
            assertEquals(3, s.availablePermits(), "permits conserved");
            assertFalse(s.hasQueuedWaiters(), "nobody left queued");
            SemaphorePermit p = s.tryAcquireMany(3);
            assertNotNull(p, "tryAcquireMany(3) must succeed");
            p.close();
        }

        @Override
        String leftover() {
            return behind.isDone()
                    ? null
                    : "the permit assigned to the withdrawn acquireMany did not pass on: " + s;
        }
    }

    /** A held mutex; the wait locks it; the grant unlocks. */
    static final class Lock extends Round {
        final Mutex<Integer> m = new Mutex<>(0);
        final MutexGuard<Integer> held = m.tryLock();
        final CompletableFuture<MutexGuard<Integer>> f = m.lock();

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            held.close();
        }

        @Override
        void check(boolean outsideWon) {
            if (!outsideWon) {
                MutexGuard<Integer> g = f.join();
                assertTrue(m.isLocked());
                g.close();
            }
            assertFalse(m.isLocked(), "the lock is released");
            assertFalse(m.hasQueuedWaiters(), "nobody left queued");
            MutexGuard<Integer> g = m.tryLock();
            assertNotNull(g, "tryLock must succeed");
            g.close();
        }

        @Override
        String leftover() {
            return m.hasQueuedWaiters() ? "still queued: " + m : null;
        }
    }

    /**
     * An RwLock of 4 readers. read: a writer holds it, the wait reads, the grant closes the write
     * guard. write: a reader holds it, the wait writes (3 of 4 permits assigned), the grant closes
     * the read guard.
     */
    static final class ReadWrite extends Round {
        final RwLock<Integer> l = RwLock.withMaxReaders(0, 4);
        final AutoCloseable held;
        final CompletableFuture<? extends AutoCloseable> f;
        final boolean read;

        ReadWrite(boolean read) {
            this.read = read;
            if (read) {
                held = l.tryWrite();
                f = l.read();
            } else {
                held = l.tryRead();
                f = l.write();
            }
            assertNotNull(held);
        }

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            try {
                held.close();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        @Override
        void check(boolean outsideWon) throws Exception {
            if (!outsideWon) {
                AutoCloseable g = f.join();
                assertTrue(read ? g instanceof RwLockReadGuard : g instanceof RwLockWriteGuard);
                if (!read) {
                    assertNull(l.tryRead(), "a writer excludes readers");
                }
                g.close();
            }
            assertFalse(l.hasQueuedWaiters(), "nobody left queued");
            assertTrue(l.toString().contains("free=4"), "permits conserved: " + l);
            RwLockWriteGuard<Integer> w = l.tryWrite();
            assertNotNull(w, "tryWrite must succeed");
            w.close();
        }

        @Override
        String leftover() {
            return l.hasQueuedWaiters() ? "still queued: " + l : null;
        }
    }
}
