package dev.tributary.sync;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
 * Not a port of a tokio test: tokio's tasks are polled by the runtime, so the problem does not
 * arise there.
 */
@Timeout(60)
class PrimitiveStackSafetyTest {

    // --- Semaphore ---

    @Test
    void acquireFastPath() throws Exception {
        Semaphore s = new Semaphore(1);
        DeepLoop.run(
                "Semaphore.acquire, permit free",
                l ->
                        l.loop(
                                again ->
                                        l.watch(
                                                s.acquire()
                                                        .thenAccept(
                                                                p -> {
                                                                    p.close();
                                                                    if (l.step()) {
                                                                        again.run();
                                                                    }
                                                                }))));
    }

    @Test
    void acquireWaiting() throws Exception {
        Semaphore s = new Semaphore(1);
        DeepLoop.run(
                "Semaphore.acquire, the only permit held",
                l ->
                        l.<SemaphorePermit>loop(
                                s.tryAcquire(),
                                (held, again) -> {
                                    CompletableFuture<SemaphorePermit> f = s.acquire();
                                    if (l.expectPending(f, "acquire while the permit is held")) {
                                        l.watch(f.thenAccept(p -> next(l, p, again)));
                                        held.close(); // grants the queued acquire
                                    }
                                }));
    }

    @Test
    void acquireManyFastPath() throws Exception {
        Semaphore s = new Semaphore(2);
        DeepLoop.run(
                "Semaphore.acquireMany(2), permits free",
                l ->
                        l.loop(
                                again ->
                                        l.watch(
                                                s.acquireMany(2)
                                                        .thenAccept(
                                                                p -> {
                                                                    p.close();
                                                                    if (l.step()) {
                                                                        again.run();
                                                                    }
                                                                }))));
    }

    @Test
    void acquireManyWaiting() throws Exception {
        Semaphore s = new Semaphore(2);
        DeepLoop.run(
                "Semaphore.acquireMany(2), both permits held",
                l ->
                        l.<SemaphorePermit>loop(
                                s.tryAcquireMany(2),
                                (held, again) -> {
                                    CompletableFuture<SemaphorePermit> f = s.acquireMany(2);
                                    if (l.expectPending(
                                            f, "acquireMany while the permits are held")) {
                                        l.watch(f.thenAccept(p -> next(l, p, again)));
                                        held.close();
                                    }
                                }));
    }

    // --- Mutex ---

    @Test
    void lockFastPath() throws Exception {
        Mutex<Integer> m = new Mutex<>(0);
        DeepLoop.run(
                "Mutex.lock, unlocked",
                l ->
                        l.loop(
                                again ->
                                        l.watch(
                                                m.lock()
                                                        .thenAccept(
                                                                g -> {
                                                                    g.set(g.get() + 1);
                                                                    g.close();
                                                                    if (l.step()) {
                                                                        again.run();
                                                                    }
                                                                }))));
    }

    @Test
    void lockWaiting() throws Exception {
        Mutex<Integer> m = new Mutex<>(0);
        DeepLoop.run(
                "Mutex.lock, locked by the loop",
                l ->
                        l.<MutexGuard<Integer>>loop(
                                m.tryLock(),
                                (held, again) -> {
                                    CompletableFuture<MutexGuard<Integer>> f = m.lock();
                                    if (l.expectPending(f, "lock while the guard is held")) {
                                        l.watch(f.thenAccept(g -> next(l, g, again)));
                                        held.close();
                                    }
                                }));
    }

    // --- RwLock ---

    @Test
    void readFastPath() throws Exception {
        RwLock<Integer> rw = new RwLock<>(0);
        DeepLoop.run(
                "RwLock.read, unlocked",
                l ->
                        l.loop(
                                again ->
                                        l.watch(
                                                rw.read()
                                                        .thenAccept(
                                                                g -> {
                                                                    g.close();
                                                                    if (l.step()) {
                                                                        again.run();
                                                                    }
                                                                }))));
    }

    @Test
    void readWaiting() throws Exception {
        RwLock<Integer> rw = new RwLock<>(0);
        // A read waits only behind a writer: each iteration takes the write lock, queues a read
        // behind it and releases the write lock, which grants the read.
        DeepLoop.run(
                "RwLock.read, write-locked by the loop",
                l ->
                        l.<RwLockWriteGuard<Integer>>loop(
                                rw.tryWrite(),
                                (held, again) -> {
                                    CompletableFuture<RwLockReadGuard<Integer>> f = rw.read();
                                    if (l.expectPending(f, "read while write-locked")) {
                                        l.watch(
                                                f.thenAccept(
                                                        r -> {
                                                            r.close();
                                                            if (l.step()) {
                                                                RwLockWriteGuard<Integer> w =
                                                                        rw.tryWrite();
                                                                if (l.expect(
                                                                        w != null,
                                                                        "tryWrite after the read")) {
                                                                    again.accept(w);
                                                                }
                                                            }
                                                        }));
                                        held.close();
                                    }
                                }));
    }

    @Test
    void writeFastPath() throws Exception {
        RwLock<Integer> rw = new RwLock<>(0);
        DeepLoop.run(
                "RwLock.write, unlocked",
                l ->
                        l.loop(
                                again ->
                                        l.watch(
                                                rw.write()
                                                        .thenAccept(
                                                                g -> {
                                                                    g.close();
                                                                    if (l.step()) {
                                                                        again.run();
                                                                    }
                                                                }))));
    }

    @Test
    void writeWaiting() throws Exception {
        RwLock<Integer> rw = new RwLock<>(0);
        DeepLoop.run(
                "RwLock.write, write-locked by the loop",
                l ->
                        l.<RwLockWriteGuard<Integer>>loop(
                                rw.tryWrite(),
                                (held, again) -> {
                                    CompletableFuture<RwLockWriteGuard<Integer>> f = rw.write();
                                    if (l.expectPending(f, "write while write-locked")) {
                                        l.watch(f.thenAccept(g -> next(l, g, again)));
                                        held.close();
                                    }
                                }));
    }

    // --- Notify ---

    @Test
    void notifiedFastPath() throws Exception {
        Notify n = new Notify();
        DeepLoop.run(
                "Notify.notified().future(), permit stored",
                l ->
                        l.loop(
                                again -> {
                                    n.notifyOne(); // nobody waits: stores the permit
                                    l.watch(
                                            n.notified()
                                                    .future()
                                                    .thenRun(
                                                            () -> {
                                                                if (l.step()) {
                                                                    again.run();
                                                                }
                                                            }));
                                }));
    }

    @Test
    void notifiedWaiting() throws Exception {
        Notify n = new Notify();
        DeepLoop.run(
                "Notify.notified().future(), no permit",
                l ->
                        l.loop(
                                again -> {
                                    CompletableFuture<Void> f = n.notified().future();
                                    if (l.expectPending(f, "a wait with no permit stored")) {
                                        l.watch(
                                                f.thenRun(
                                                        () -> {
                                                            if (l.step()) {
                                                                again.run();
                                                            }
                                                        }));
                                        n.notifyOne();
                                    }
                                }));
    }

    // --- Barrier ---

    @Test
    void barrierAwaitFastPath() throws Exception {
        // The only already-complete form: with one party, every await is the leader's.
        Barrier b = new Barrier(1);
        DeepLoop.run(
                "Barrier(1).await",
                l ->
                        l.loop(
                                again ->
                                        l.watch(
                                                b.await()
                                                        .thenAccept(
                                                                r -> {
                                                                    if (l.expect(
                                                                                    r.isLeader(),
                                                                                    "not the"
                                                                                            + " leader")
                                                                            && l.step()) {
                                                                        again.run();
                                                                    }
                                                                }))));
    }

    @Test
    void barrierAwaitWaiting() throws Exception {
        // Two parties on one thread: the first arrival waits, the second (the leader) releases it.
        Barrier b = new Barrier(2);
        DeepLoop.run(
                "Barrier(2).await, released by the second arrival",
                l ->
                        l.loop(
                                again -> {
                                    CompletableFuture<BarrierWaitResult> f = b.await();
                                    if (l.expectPending(f, "the first arrival")) {
                                        l.watch(
                                                f.thenAccept(
                                                        r -> {
                                                            if (l.step()) {
                                                                again.run();
                                                            }
                                                        }));
                                        l.watch(b.await()); // the leader: releases f
                                    }
                                }));
    }

    // --- OnceCell ---

    @Test
    void getOrInitFastPath() throws Exception {
        OnceCell<Integer> cell = OnceCell.of(7);
        DeepLoop.run(
                "OnceCell.getOrInit, initialized",
                l ->
                        l.loop(
                                again ->
                                        l.watch(
                                                cell.getOrInit(
                                                                () -> {
                                                                    throw new AssertionError(
                                                                            "init on an initialized"
                                                                                    + " cell");
                                                                })
                                                        .thenAccept(
                                                                v -> {
                                                                    if (l.step()) {
                                                                        again.run();
                                                                    }
                                                                }))));
    }

    @Test
    void getOrInitWaiting() throws Exception {
        // A new cell per iteration whose initializer returns a pending stage, completed after the
        // continuation is attached.
        DeepLoop.run(
                "OnceCell.getOrInit, initialization in progress",
                l ->
                        l.loop(
                                again -> {
                                    OnceCell<Integer> cell = new OnceCell<>();
                                    CompletableFuture<Integer> init = new CompletableFuture<>();
                                    CompletableFuture<Integer> f = cell.getOrInit(() -> init);
                                    if (l.expectPending(f, "getOrInit before init completes")) {
                                        l.watch(
                                                f.thenAccept(
                                                        v -> {
                                                            if (l.step()) {
                                                                again.run();
                                                            }
                                                        }));
                                        init.complete(l.count());
                                    }
                                }));
    }

    /** The waiting forms' continuation: go on holding {@code granted}, or release it at the end. */
    private static <G extends AutoCloseable> void next(DeepLoop l, G granted, Consumer<G> again) {
        if (l.step()) {
            again.accept(granted);
        } else {
            try {
                granted.close();
            } catch (Exception e) {
                l.record(e);
            }
        }
    }
}
