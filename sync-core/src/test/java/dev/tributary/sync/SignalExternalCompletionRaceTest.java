package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.ExternalCompletion.Case;
import dev.tributary.sync.ExternalCompletion.Round;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cancel contract of the signalling waits, through every external completion entry point
 * ({@link ExternalCompletion.Entry}): {@link Notified#future()} of {@link Notify#notified()},
 * {@link Barrier#await()}, {@link OnceCell#getOrInit(java.util.function.Supplier)} (waiting for its
 * turn behind a failing initializer) and {@link SetOnce#await()}.
 *
 * <p>Invariants after every iteration: a {@code notifyOne} is delivered exactly once (to the raced
 * wait if it won, else stored for the next one; never lost, never also stored) and a later {@code
 * notifyOne} reaches the next wait; a barrier arrival counts even when its wait is withdrawn, so
 * the grant's arrival leads and the next generation works; a withdrawn {@code getOrInit} never
 * calls its initializer and leaves no turn leaked ({@code set} then succeeds), one whose turn came
 * stores its value exactly once; {@code SetOnce} keeps its value and leaves nobody linked; the
 * return value of {@code cancel}/{@code complete}/{@code completeExceptionally} matches what the
 * future holds.
 */
class SignalExternalCompletionRaceTest extends AbstractExternalCompletionRaceTest {
    @Override
    List<Case> cases() {
        return List.of(
                new Case("Notify.notified", Notification::new),
                new Case("Barrier.await", BarrierWait::new),
                new Case("OnceCell.getOrInit", GetOrInit::new),
                new Case("SetOnce.await", SetOnceWait::new));
    }

    /** A registered Notified; the grant is notifyOne(). */
    static final class Notification extends Round {
        final Notify n = new Notify();
        final CompletableFuture<Void> f = n.notified().future();

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            n.notifyOne();
        }

        @Override
        void check(boolean outsideWon) {
            CompletableFuture<Void> next = n.notified().future();
            if (outsideWon) {
                assertTrue(next.isDone(), "the notification must be passed on, not lost: " + n);
            } else {
                assertNull(f.join());
                assertFalse(next.isDone(), "delivered once: not also stored: " + n);
                n.notifyOne();
                assertTrue(next.isDone(), "a later notifyOne must reach the next wait: " + n);
            }
            assertFalse(n.hasStoredPermit(), "no permit left over: " + n);
            assertNull(leftover());
        }

        @Override
        String leftover() {
            // Notify has no queue-length query; its toString names the WAITING state.
            return n.toString().contains("waiters") ? "a waiter is still registered: " + n : null;
        }
    }

    /** A barrier of 2 with one arrival waiting; the grant is the second arrival. */
    static final class BarrierWait extends Round {
        final Barrier b = new Barrier(2);
        final CompletableFuture<BarrierWaitResult> f = b.await();

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            CompletableFuture<BarrierWaitResult> last = b.await();
            assertTrue(last.isDone(), "a withdrawn wait keeps its arrival: the second one leads");
            assertTrue(last.join().isLeader());
        }

        @Override
        void check(boolean outsideWon) {
            if (!outsideWon) {
                assertFalse(f.join().isLeader(), "one leader per generation");
            }
            assertTrue(b.toString().contains("arrived=0"), "a new generation: " + b);
            CompletableFuture<BarrierWaitResult> x = b.await();
            assertFalse(x.isDone());
            CompletableFuture<BarrierWaitResult> y = b.await();
            assertTrue(y.join().isLeader());
            assertTrue(x.isDone(), "the next generation releases its waits");
            assertFalse(x.join().isLeader());
        }

        @Override
        String leftover() {
            // A withdrawn wait's link is not observable (the release drains the list); what is
            // observable is that withdrawing keeps the arrival.
            return b.toString().contains("arrived=1") ? null : "the arrival was withdrawn: " + b;
        }
    }

    /**
     * An initializer A is running (its stage pending); the wait is a second getOrInit, queued for
     * its turn; the grant fails A's stage, which passes the turn to the wait (its initializer
     * stores 2 at once).
     *
     * <p>Once the turn came and the initializer was called, an outside completion only detaches the
     * caller (documented on getOrInit): the value is still stored. So the check is: initializer
     * called at most once; called iff the value 2 is stored; a future that holds the real result
     * had its initializer called; an initializer never called leaves the turn free.
     */
    static final class GetOrInit extends Round {
        final OnceCell<Integer> cell = new OnceCell<>();
        final CompletableFuture<Integer> stageA = new CompletableFuture<>();
        final CompletableFuture<Integer> a = cell.getOrInit(() -> stageA);
        final AtomicInteger calls = new AtomicInteger();
        final CompletableFuture<Integer> f =
                cell.getOrInit(
                        () -> {
                            calls.incrementAndGet();
                            return CompletableFuture.completedFuture(2);
                        });

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            stageA.completeExceptionally(new IllegalStateException("A failed"));
        }

        @Override
        void check(boolean outsideWon) {
            CompletionException ae = assertThrows(CompletionException.class, a::join);
            assertTrue(ae.getCause() instanceof IllegalStateException);
            int n = calls.get();
            assertTrue(n <= 1, "the initializer runs at most once: " + n);
            if (!outsideWon) {
                assertEquals(1, n, "a future holding the value had its turn");
                assertEquals(2, f.join());
            }
            if (n == 1) {
                assertEquals(2, cell.get(), "the initializer's value is stored");
            } else {
                assertNull(cell.get());
                assertFalse(cell.hasQueuedWaiters(), "nobody left queued");
                cell.set(3); // throws InitializingException if the withdrawn wait kept the turn
                assertEquals(3, cell.get());
            }
            assertFalse(cell.hasQueuedWaiters(), "nobody left queued");
        }

        @Override
        String leftover() {
            return cell.hasQueuedWaiters() ? "a caller still waits for its turn" : null;
        }
    }

    /** An unset SetOnce; the wait awaits it; the grant sets 1. */
    static final class SetOnceWait extends Round {
        final SetOnce<Integer> s = new SetOnce<>();
        final CompletableFuture<Integer> f = s.await();

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            s.set(1);
        }

        @Override
        void check(boolean outsideWon) {
            if (!outsideWon) {
                assertEquals(1, f.join());
            }
            assertEquals(1, s.get(), "the value stays in the cell");
            assertEquals(0, s.queuedWaiters(), "nobody left linked");
            CompletableFuture<Integer> again = s.await();
            assertTrue(again.isDone());
            assertEquals(1, again.join());
        }

        @Override
        String leftover() {
            int n = s.queuedWaiters();
            return n == 0 ? null : n + " waiters still linked";
        }
    }
}
