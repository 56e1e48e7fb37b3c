package dev.tributary.sync;

import dev.tributary.sync.internal.BatchSemaphore;
import dev.tributary.sync.internal.BlockingCheck;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * An asynchronous counting semaphore: tokio's {@code Semaphore} with {@link CompletableFuture},
 * blocking and non-waiting forms of every acquisition.
 *
 * <ul>
 *   <li><b>Permits</b>: between 0 and {@link #MAX_PERMITS}; {@link #acquireMany(int)} takes several
 *       at once, atomically (all or, while waiting, an invisible partial assignment).
 *   <li><b>Fairness</b>: strictly FIFO. A large {@code acquireMany} at the head of the queue blocks
 *       later small requests, and {@code tryAcquire*} fails while anyone is queued (no barging).
 *   <li><b>Release</b>: a {@link SemaphorePermit} returns its permits on {@link
 *       SemaphorePermit#close()} (use try-with-resources), or never, after {@link
 *       SemaphorePermit#forget()}.
 *   <li><b>Closing</b>: {@link #close()} fails every queued and later acquisition with {@link
 *       ClosedException}; outstanding permits may still be released.
 * </ul>
 *
 * <p><b>Memory consistency effects:</b> actions before releasing permits happen-before actions
 * after an acquisition that receives them.
 *
 * <p>Every permit here is "owned" in tokio's sense: it references its semaphore and may move
 * between threads, so tokio's {@code acquire_owned} family maps to the plain methods.
 */
public final class Semaphore {

    /**
     * The maximum number of permits a semaphore can hold (tokio's {@code MAX_PERMITS}):
     * 268,435,455.
     */
    public static final int MAX_PERMITS = BatchSemaphore.MAX_PERMITS;

    private final BatchSemaphore core;
    private final IntFunction<SemaphorePermit> grant = n -> new SemaphorePermit(this, n);

    /**
     * Creates a semaphore with the given number of permits.
     *
     * @param permits initial permits, {@code 0..MAX_PERMITS}
     * @throws IllegalArgumentException if {@code permits} is out of range
     */
    public Semaphore(int permits) {
        BatchSemaphore.checkPermits(permits, "permits");
        this.core = new BatchSemaphore(permits, () -> new ClosedException("semaphore closed"));
    }

    /**
     * Returns the number of permits free right now (0 while anyone is queued). For monitoring, not
     * for synchronization control.
     *
     * @return the free permits
     */
    public int availablePermits() {
        return core.availablePermits();
    }

    /**
     * Returns the number of acquisitions waiting for permits right now (async, blocking and timed
     * ones alike; a withdrawn one no longer counts). For monitoring, not for synchronization
     * control: like {@link java.util.concurrent.Semaphore#getQueueLength()}, the answer may be
     * stale by the time it is returned. Beyond tokio, which has no such method.
     *
     * @return the number of queued acquisitions
     */
    public int waiterCount() {
        return core.waiterCount();
    }

    /**
     * Returns true if any acquisition, async or blocking, is queued. For monitoring, not for
     * synchronization control (like {@code java.util.concurrent.Semaphore.hasQueuedThreads()}).
     *
     * @return whether anyone waits
     */
    public boolean hasQueuedWaiters() {
        return core.hasQueuedWaiters();
    }

    /**
     * Acquires one permit.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Cancelling the returned future (or {@code completeExceptionally}, {@code orTimeout})
     *       loses only the place in the queue: either the permit was granted first and the future
     *       keeps it, or the request is withdrawn and nothing is taken. A permit granted in the
     *       race goes back. Cancelling a dependent stage ({@code acquire().thenApply(f)}) does not
     *       reach this future.
     *   <dt>Fairness
     *   <dd>FIFO.
     *   <dt>Completion thread
     *   <dd>Already complete when a permit was free; otherwise completed by the thread that
     *       released or added the permit (trampolined: deep release chains do not grow its stack),
     *       after internal locks are released. Dependents are <a
     *       href="package-summary.html#stack-safety">stack-safe</a>.
     * </dl>
     *
     * @return a future of the permit, failed with {@link ClosedException} if the semaphore is or
     *     gets closed
     */
    public CompletableFuture<SemaphorePermit> acquire() {
        return core.acquire(1, grant);
    }

    /**
     * Acquires {@code n} permits at once. {@code n == 0} succeeds at once (unless closed).
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>As {@link #acquire()}; permits assigned to a partly served request go back when it is
     *       withdrawn.
     *   <dt>Fairness
     *   <dd>FIFO: while this request waits at the head, later requests wait too, however small.
     *   <dt>Completion thread
     *   <dd>As {@link #acquire()}. Dependents are <a
     *       href="package-summary.html#stack-safety">stack-safe</a>.
     * </dl>
     *
     * @param n permits, {@code 0..MAX_PERMITS}
     * @return a future of the permits, failed with {@link ClosedException} if the semaphore is or
     *     gets closed
     * @throws IllegalArgumentException if {@code n} is negative or above {@link #MAX_PERMITS}
     */
    public CompletableFuture<SemaphorePermit> acquireMany(int n) {
        BatchSemaphore.checkPermits(n, "n");
        return core.acquire(n, grant);
    }

    /**
     * Takes one permit if one is free and nobody is queued.
     *
     * @return the permit, or null if none is available now
     * @throws ClosedException if the semaphore is closed
     */
    public SemaphorePermit tryAcquire() {
        return tryAcquireMany(1);
    }

    /**
     * Takes {@code n} permits if they are free and nobody is queued.
     *
     * @param n permits, {@code 0..MAX_PERMITS}
     * @return the permits, or null if not available now
     * @throws IllegalArgumentException if {@code n} is negative or above {@link #MAX_PERMITS}
     * @throws ClosedException if the semaphore is closed
     */
    public SemaphorePermit tryAcquireMany(int n) {
        BatchSemaphore.checkPermits(n, "n");
        int r = core.tryAcquire(n);
        if (r == BatchSemaphore.TRY_ACQUIRED) {
            return new SemaphorePermit(this, n);
        } else if (r == BatchSemaphore.TRY_NO_PERMITS) {
            return null;
        }
        throw core.closedError();
    }

    /**
     * Acquires one permit, parking the current thread until it is granted.
     *
     * <dl>
     *   <dt>Blocking
     *   <dd>Parks with {@code LockSupport} (fine on virtual threads). Interruption withdraws the
     *       request like {@code cancel()}: if it wins, {@link InterruptedException} is thrown and
     *       nothing is taken; if the permit was granted first, it is returned and the interrupt
     *       status is set again. Fails fast with {@link IllegalStateException} on a Reactor
     *       non-blocking thread.
     *   <dt>Fairness
     *   <dd>FIFO, in the same queue as the async waiters.
     * </dl>
     *
     * @return the permit
     * @throws InterruptedException if interrupted while waiting
     * @throws ClosedException if the semaphore is or gets closed
     */
    public SemaphorePermit blockingAcquire() throws InterruptedException {
        return blockingAcquireMany(1);
    }

    /**
     * Acquires one permit, parking the current thread for at most {@code timeout}.
     *
     * @param timeout the longest wait; zero or negative means "do not wait"
     * @return the permit, or null if the timeout passed first (nothing taken)
     * @throws InterruptedException if interrupted while waiting
     * @throws ClosedException if the semaphore is or gets closed
     * @see #blockingAcquire()
     */
    public SemaphorePermit blockingAcquire(Duration timeout) throws InterruptedException {
        return blockingAcquireMany(1, timeout);
    }

    /**
     * Acquires {@code n} permits, parking the current thread until they are granted. See {@link
     * #blockingAcquire()} for the interrupt contract.
     *
     * @param n permits, {@code 0..MAX_PERMITS}
     * @return the permits
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalArgumentException if {@code n} is out of range
     * @throws ClosedException if the semaphore is or gets closed
     */
    public SemaphorePermit blockingAcquireMany(int n) throws InterruptedException {
        BatchSemaphore.checkPermits(n, "n");
        BlockingCheck.check("Semaphore.blockingAcquireMany");
        return core.acquireBlocking(n, Long.MAX_VALUE, grant);
    }

    /**
     * Acquires {@code n} permits, parking the current thread for at most {@code timeout}. See
     * {@link #blockingAcquire()} for the interrupt contract.
     *
     * @param n permits, {@code 0..MAX_PERMITS}
     * @param timeout the longest wait; zero or negative means "do not wait"
     * @return the permits, or null if the timeout passed first (nothing taken)
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalArgumentException if {@code n} is out of range
     * @throws NullPointerException if {@code timeout} is null
     * @throws ClosedException if the semaphore is or gets closed
     */
    public SemaphorePermit blockingAcquireMany(int n, Duration timeout)
            throws InterruptedException {
        BatchSemaphore.checkPermits(n, "n");
        long deadline = BlockingCheck.deadlineOf(timeout);
        BlockingCheck.check("Semaphore.blockingAcquireMany");
        return core.acquireBlocking(n, deadline, grant);
    }

    /**
     * Adds {@code n} permits, handing them to queued waiters first (FIFO).
     *
     * @param n permits, non-negative
     * @throws IllegalArgumentException if {@code n} is negative or the free permits would exceed
     *     {@link #MAX_PERMITS} (nothing is added then)
     */
    public void addPermits(int n) {
        BatchSemaphore.checkPermits(n, "n");
        core.addPermits(n);
    }

    /**
     * Removes up to {@code n} free permits, saturating: permits held or assigned to waiters are not
     * touched.
     *
     * @param n permits to remove, non-negative
     * @return the number removed, {@code 0..n}
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public int forgetPermits(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be non-negative but was " + n);
        }
        return core.forgetPermits(n);
    }

    /**
     * Closes the semaphore: every queued acquisition fails with {@link ClosedException} (its
     * partial assignment becomes free again), and so does every later one. Permits already held may
     * still be released. Idempotent.
     */
    public void close() {
        core.close();
    }

    /**
     * Returns true once {@link #close()} was called.
     *
     * @return whether the semaphore is closed
     */
    public boolean isClosed() {
        return core.isClosed();
    }

    /**
     * Runs {@code action} while holding one permit, released when the stage it returns completes,
     * whatever the outcome. See {@link #withPermits(int, Supplier)}.
     *
     * @param action starts the work; called once the permit is granted
     * @param <R> the result type
     * @return a future of the action's result
     */
    public <R> CompletableFuture<R> withPermit(Supplier<? extends CompletionStage<R>> action) {
        return withPermits(1, action);
    }

    /**
     * Runs {@code action} while holding {@code n} permits, released when the stage it returns
     * completes, whatever the outcome (also if {@code action} throws or returns null, which fails
     * the result).
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Cancelling the returned future while the permits are awaited withdraws the acquisition
     *       (nothing leaks); once {@code action} has started, cancelling only completes the
     *       returned future: the permits are still released when the action's stage completes.
     *   <dt>Fairness
     *   <dd>FIFO, as {@link #acquireMany(int)}.
     *   <dt>Completion thread
     *   <dd>{@code action} runs on the thread that granted the permits (or the caller's, when they
     *       were free); the returned future completes on the thread that completed the action's
     *       stage.
     * </dl>
     *
     * @param n permits, {@code 0..MAX_PERMITS}
     * @param action starts the work; called once the permits are granted
     * @param <R> the result type
     * @return a future of the action's result; failed with {@link ClosedException} if the semaphore
     *     closes first
     * @throws IllegalArgumentException if {@code n} is out of range
     * @throws NullPointerException if {@code action} is null
     */
    public <R> CompletableFuture<R> withPermits(
            int n, Supplier<? extends CompletionStage<R>> action) {
        Objects.requireNonNull(action, "action");
        return Guarded.run(acquireMany(n), permit -> action.get());
    }

    /** Returns permits released by a {@link SemaphorePermit}; never fails. */
    void releaseFromPermit(int n) {
        core.release(n);
    }

    @Override
    public String toString() {
        return "Semaphore[" + core + "]";
    }
}
