package dev.tributary.sync;

import static dev.tributary.sync.DeepLoop.pending;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.DeepLoop.Case;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every waiting method of the primitives — {@code Semaphore.acquire}, {@code acquireMany}, {@code
 * Mutex.lock}, {@code RwLock.read}, {@code RwLock.write}, {@code Notify.notified()} (its {@code
 * future()}), {@code Barrier.await}, {@code OnceCell.getOrInit} — driving a loop written as
 * recursion through its continuation ({@code lock.lock().thenAccept(g -> { g.close(); loop(); })})
 * for a million iterations on a thread with a 256 KiB stack, in two forms:
 *
 * <ul>
 *   <li><b>fast path</b>: the permit, lock, notification or value is there, so the returned future
 *       is already complete when the continuation is attached;
 *   <li><b>waiting</b>: the continuation is attached to a pending future (the next wait is queued
 *       behind the one the loop holds), and the same thread then completes it (by releasing what it
 *       holds, notifying, arriving, finishing the initialization).
 * </ul>
 *
 * <p>Each loop records whatever its body throws and whatever its dependent stages fail with (a
 * {@link StackOverflowError} is otherwise captured into a dependent stage and the loop just stops),
 * and {@link DeepLoop#run} asserts the count, the absence of throwables, and a bounded stack depth.
 * One table of cases per form, each case named by what it exercises. Not a port of a tokio test:
 * tokio's tasks are polled by the runtime, so the problem does not arise there.
 */
@Timeout(60)
class PrimitiveStackSafetyTest {

    static Stream<Case> fastPaths() {
        return Stream.of(
                new Case(
                        "Semaphore.acquire, permit free",
                        l -> {
                            Semaphore s = new Semaphore(1);
                            l.repeat(() -> s.acquire(), SemaphorePermit::close);
                        }),
                new Case(
                        "Semaphore.acquireMany(2), permits free",
                        l -> {
                            Semaphore s = new Semaphore(2);
                            l.repeat(() -> s.acquireMany(2), SemaphorePermit::close);
                        }),
                new Case(
                        "Mutex.lock, unlocked",
                        l -> {
                            Mutex<Integer> m = new Mutex<>(0);
                            l.repeat(
                                    () -> m.lock(),
                                    g -> {
                                        g.set(g.get() + 1);
                                        g.close();
                                    });
                        }),
                new Case(
                        "RwLock.read, unlocked",
                        l -> {
                            RwLock<Integer> rw = new RwLock<>(0);
                            l.repeat(() -> rw.read(), RwLockReadGuard::close);
                        }),
                new Case(
                        "RwLock.write, unlocked",
                        l -> {
                            RwLock<Integer> rw = new RwLock<>(0);
                            l.repeat(() -> rw.write(), RwLockWriteGuard::close);
                        }),
                new Case(
                        "Notify.notified().future(), permit stored",
                        l -> {
                            Notify n = new Notify();
                            l.repeatThenRun(
                                    () -> {
                                        n.notifyOne(); // nobody waits: stores the permit
                                        return n.notified().future();
                                    },
                                    () -> {});
                        }),
                new Case(
                        // The only already-complete form: with one party, every await is the
                        // leader's.
                        "Barrier(1).await",
                        l -> {
                            Barrier b = new Barrier(1);
                            l.repeat(() -> b.await(), r -> assertTrue(r.isLeader(), "the leader"));
                        }),
                new Case(
                        "OnceCell.getOrInit, initialized",
                        l -> {
                            OnceCell<Integer> cell = OnceCell.of(7);
                            l.repeat(
                                    () ->
                                            cell.getOrInit(
                                                    () -> {
                                                        throw new AssertionError(
                                                                "init on an initialized cell");
                                                    }),
                                    v -> {});
                        }));
    }

    static Stream<Case> waitingForms() {
        return Stream.of(
                new Case(
                        "Semaphore.acquire, the only permit held",
                        l -> {
                            Semaphore s = new Semaphore(1);
                            l.repeatHolding(
                                    "acquire while the permit is held",
                                    s.tryAcquire(),
                                    () -> s.acquire());
                        }),
                new Case(
                        "Semaphore.acquireMany(2), both permits held",
                        l -> {
                            Semaphore s = new Semaphore(2);
                            l.repeatHolding(
                                    "acquireMany while the permits are held",
                                    s.tryAcquireMany(2),
                                    () -> s.acquireMany(2));
                        }),
                new Case(
                        "Mutex.lock, locked by the loop",
                        l -> {
                            Mutex<Integer> m = new Mutex<>(0);
                            l.repeatHolding("lock while the guard is held", m.tryLock(), m::lock);
                        }),
                new Case(
                        // A read waits only behind a writer: each iteration takes the write lock,
                        // queues a read behind it and releases the write lock, which grants the
                        // read.
                        "RwLock.read, write-locked by the loop",
                        l -> {
                            RwLock<Integer> rw = new RwLock<>(0);
                            l.repeatWaiting(
                                    "read while write-locked",
                                    () -> {
                                        RwLockWriteGuard<Integer> w = rw.tryWrite();
                                        assertNotNull(w, "tryWrite with no reader or writer");
                                        return pending(rw.read(), w::close);
                                    },
                                    RwLockReadGuard::close);
                        }),
                new Case(
                        "RwLock.write, write-locked by the loop",
                        l -> {
                            RwLock<Integer> rw = new RwLock<>(0);
                            l.repeatHolding("write while write-locked", rw.tryWrite(), rw::write);
                        }),
                new Case(
                        "Notify.notified().future(), no permit",
                        l -> {
                            Notify n = new Notify();
                            l.repeatWaitingThenRun(
                                    "a wait with no permit stored",
                                    () -> pending(n.notified().future(), n::notifyOne));
                        }),
                new Case(
                        // Two parties on one thread: the first arrival waits, the second (the
                        // leader) releases it.
                        "Barrier(2).await, released by the second arrival",
                        l -> {
                            Barrier b = new Barrier(2);
                            l.repeatWaiting(
                                    "the first arrival",
                                    () -> pending(b.await(), () -> l.watch(b.await())),
                                    r -> {});
                        }),
                new Case(
                        // A new cell per iteration whose initializer returns a pending stage,
                        // completed after the continuation is attached.
                        "OnceCell.getOrInit, initialization in progress",
                        l ->
                                l.repeatWaiting(
                                        "getOrInit before init completes",
                                        () -> {
                                            OnceCell<Integer> cell = new OnceCell<>();
                                            CompletableFuture<Integer> init =
                                                    new CompletableFuture<>();
                                            return pending(
                                                    cell.getOrInit(() -> init),
                                                    () -> init.complete(l.count()));
                                        },
                                        v -> {})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fastPaths")
    void fastPath(Case c) throws Exception {
        c.run();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("waitingForms")
    void waiting(Case c) throws Exception {
        c.run();
    }
}
