package dev.tributary.sync;

import dev.tributary.sync.internal.BatchSemaphore;
import dev.tributary.sync.internal.BlockingCheck;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * An asynchronous mutual-exclusion lock around a value: tokio's {@code Mutex} with {@link
 * CompletableFuture}, blocking and non-waiting forms of {@code lock}.
 *
 * <ul>
 *   <li><b>Value</b>: one value of type {@code T} (null allowed), read and written only through the
 *       {@link MutexGuard} of the current holder.
 *   <li><b>Fairness</b>: strictly FIFO: the lock is granted in the order {@code lock()} and {@code
 *       blockingLock()} were called, and {@link #tryLock()} fails while anyone is queued (no
 *       barging).
 *   <li><b>Release</b>: {@link MutexGuard#close()} (use try-with-resources), or automatically with
 *       {@link #withLock(Function)} when the action's stage completes.
 *   <li><b>Not reentrant</b>: locking again while holding the guard waits for yourself, forever.
 *   <li><b>No poisoning</b>: a holder that fails just releases; the value stays as it left it.
 *   <li><b>Never closed</b>: a mutex has no closed state; {@code lock()} never fails.
 * </ul>
 *
 * <p>Unlike {@code java.util.concurrent.locks.ReentrantLock}, the lock belongs to the guard, not to
 * a thread: a guard may be closed by a different thread than the one that acquired it, so the lock
 * can be held across asynchronous steps.
 *
 * <p><b>Memory consistency effects:</b> actions before closing a {@link MutexGuard} happen-before
 * actions after the next acquisition of the lock (by {@code lock}, {@code tryLock}, {@code
 * blockingLock} or {@code withLock}), in whichever thread it happens.
 *
 * <p><b>tokio counterparts.</b> Every guard here is "owned" in tokio's sense (it references its
 * mutex and may move between threads), so {@code lock_owned}, {@code try_lock_owned} and {@code
 * OwnedMutexGuard} map to the plain methods. {@code get_mut} and {@code into_inner} rely on Rust's
 * exclusive ownership and have no Java counterpart: take a guard instead. Neither has {@code
 * MutexGuard::map} / {@code try_map}: keep the guard and read the part you need through {@link
 * MutexGuard#get()}.
 *
 * @param <T> the type of the protected value
 */
public final class Mutex<T> {

    /* Implementation overview: a stamped BatchSemaphore with one permit. Holding the permit is
     * holding the lock; every hold has a stamp, the core's generation when it began, and its
     * MutexGuard returns it exactly once: releaseHold(stamp) succeeds only while that hold is the
     * current one, in the same CAS that frees the permit, so the guard needs no atomic flag of its
     * own (and, not being the target of any CAS, can be scalar-replaced when it does not escape:
     * tryLock + close allocates nothing then). The value
     * is a plain field: only the permit holder reads or writes it, and the hand-over of the permit
     * (the core's state CAS, or its lock and the waiter's completion) orders one holder's writes
     * before the next holder's reads. The core is never closed. */

    private final BatchSemaphore core =
            BatchSemaphore.stampedExclusive(
                    () -> new IllegalStateException("a Mutex is never closed, but its core was"));

    /** Builds the guard of a hold that just began: the core's generation is that hold's stamp. */
    private final IntFunction<MutexGuard<T>> grant = n -> new MutexGuard<>(this, core.generation());

    /** The protected value; plain, accessed only by the permit holder (see the overview). */
    T value;

    /**
     * Creates an unlocked mutex holding {@code value}.
     *
     * @param value the initial value; may be null
     */
    public Mutex(T value) {
        this.value = value;
    }

    /**
     * Acquires the lock.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Cancelling the returned future (or {@code completeExceptionally}, {@code orTimeout})
     *       loses only the place in the queue: either the lock was granted first and the future
     *       keeps the guard (close it), or the request is withdrawn and the lock passes to the next
     *       waiter. A lock granted in the race is released again. Cancelling a dependent stage
     *       ({@code lock().thenApply(f)}) does not reach this future.
     *   <dt>Fairness
     *   <dd>FIFO.
     *   <dt>Completion thread
     *   <dd>Already complete when the mutex was free and nobody queued; otherwise completed by the
     *       thread that closed the previous guard (trampolined: long hand-off chains do not grow
     *       its stack), after internal locks are released. Dependent stages therefore run on that
     *       thread: do not block in them. Dependents are <a
     *       href="package-summary.html#stack-safety">stack-safe</a>.
     * </dl>
     *
     * @return a future of the guard; it never fails on its own
     */
    public CompletableFuture<MutexGuard<T>> lock() {
        return core.acquire(1, grant);
    }

    /**
     * Takes the lock if it is free and nobody is queued.
     *
     * @return the guard, or null if the lock is held or anyone is waiting for it
     */
    public MutexGuard<T> tryLock() {
        return core.tryAcquire(1) == BatchSemaphore.TRY_ACQUIRED
                ? new MutexGuard<>(this, core.generation())
                : null;
    }

    /**
     * Acquires the lock, parking the current thread until it is granted.
     *
     * <dl>
     *   <dt>Blocking
     *   <dd>Parks with {@code LockSupport} (fine on virtual threads). Interruption withdraws the
     *       request like {@code cancel()}: if it wins, {@link InterruptedException} is thrown and
     *       the lock is not taken; if the lock was granted first, the guard is returned and the
     *       interrupt status is set again. Fails fast with {@link IllegalStateException} on a
     *       Reactor non-blocking thread (tokio panics there). Calling it while this thread holds a
     *       guard of the same mutex deadlocks.
     *   <dt>Fairness
     *   <dd>FIFO, in the same queue as {@link #lock()}.
     * </dl>
     *
     * @return the guard
     * @throws InterruptedException if interrupted while waiting (the lock is not taken)
     * @throws IllegalStateException if called on a Reactor non-blocking thread
     */
    public MutexGuard<T> blockingLock() throws InterruptedException {
        BlockingCheck.check("Mutex.blockingLock");
        return core.acquireBlocking(1, Long.MAX_VALUE, grant);
    }

    /**
     * Acquires the lock, parking the current thread for at most {@code timeout}. A timeout that
     * loses the race against the grant still returns the guard.
     *
     * <dl>
     *   <dt>Blocking
     *   <dd>As {@link #blockingLock()}; on timeout the request is withdrawn and nothing changes.
     *   <dt>Fairness
     *   <dd>FIFO, in the same queue as {@link #lock()}; the lock is taken even with a zero timeout
     *       if it is free and nobody is queued.
     * </dl>
     *
     * @param timeout the longest wait; zero or negative means "do not wait"
     * @return the guard, or null if the timeout passed first (the lock is not taken)
     * @throws InterruptedException if interrupted while waiting (the lock is not taken)
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalStateException if called on a Reactor non-blocking thread
     */
    public MutexGuard<T> blockingLock(Duration timeout) throws InterruptedException {
        long deadline = BlockingCheck.deadlineOf(timeout);
        BlockingCheck.check("Mutex.blockingLock");
        return core.acquireBlocking(1, deadline, grant);
    }

    /**
     * Runs {@code fn} while holding the lock, released when the stage it returns completes,
     * whatever the outcome (also if {@code fn} throws or returns null, which fails the result).
     * {@code fn} must not use the guard after its stage completed. If {@code fn} closes the guard
     * itself, the automatic close throws, as in try-with-resources: the result fails with that
     * {@link IllegalStateException}, or carries it as suppressed by {@code fn}'s own failure.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Cancelling the returned future while the lock is awaited withdraws the request (nothing
     *       leaks); once {@code fn} has started, cancelling only completes the returned future: the
     *       lock is still released when {@code fn}'s stage completes.
     *   <dt>Fairness
     *   <dd>FIFO, as {@link #lock()}.
     *   <dt>Completion thread
     *   <dd>{@code fn} runs on the thread that granted the lock (or the caller's, when it was
     *       free); the returned future completes on the thread that completed {@code fn}'s stage.
     * </dl>
     *
     * @param fn starts the work with the guard; called once the lock is granted
     * @param <R> the result type
     * @return a future of {@code fn}'s result
     * @throws NullPointerException if {@code fn} is null
     */
    public <R> CompletableFuture<R> withLock(
            Function<? super MutexGuard<T>, ? extends CompletionStage<R>> fn) {
        Objects.requireNonNull(fn, "fn");
        return Guarded.run(lock(), fn);
    }

    /**
     * Returns true if the lock is held (or being handed to a waiter). For monitoring, not for
     * synchronization control: the answer may be stale by the time it is returned.
     *
     * @return whether the mutex is locked
     */
    public boolean isLocked() {
        return core.availablePermits() == 0;
    }

    /**
     * Returns the number of lock requests waiting right now (async, blocking and timed ones alike;
     * a withdrawn one no longer counts). For monitoring, not for synchronization control: the
     * answer may be stale by the time it is returned. Beyond tokio, which has no such method.
     *
     * @return the number of queued lock requests
     */
    public int waiterCount() {
        return core.waiterCount();
    }

    /** Returns true if any waiter is queued. For tests and monitoring. */
    boolean hasQueuedWaiters() {
        return core.hasQueuedWaiters();
    }

    /** Returns the permit held by a {@link MutexGuard}; never fails. */
    /**
     * Ends the hold stamped {@code stamp}: the lock goes to the first waiter or becomes free.
     *
     * @return false if that hold had already ended (nothing changed)
     */
    boolean unlock(int stamp) {
        return core.releaseHold(stamp);
    }

    /**
     * Returns the lock state (not the value, which only the holder may read).
     *
     * @return a description such as {@code Mutex[locked, waiters]}
     */
    @Override
    public String toString() {
        return "Mutex["
                + (isLocked() ? "locked" : "unlocked")
                + (core.hasQueuedWaiters() ? ", waiters" : "")
                + "]";
    }
}
