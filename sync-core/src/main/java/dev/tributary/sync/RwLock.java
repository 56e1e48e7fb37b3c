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
 * An asynchronous reader-writer lock around a value: tokio's {@code RwLock} with {@link
 * CompletableFuture}, blocking and non-waiting forms of {@code read} and {@code write}.
 *
 * <ul>
 *   <li><b>Access</b>: up to {@link #maxReaders()} readers at once ({@link RwLockReadGuard}), or
 *       one writer ({@link RwLockWriteGuard}) and nobody else. The value ({@code T}, null allowed)
 *       is reached only through a guard; readers must not mutate it.
 *   <li><b>Fairness</b>: strictly FIFO, hence write-preferring: once a writer is queued, readers
 *       that come after it wait even while other readers hold the lock, so writers never starve.
 *       {@link #tryRead()} and {@link #tryWrite()} fail while anyone is queued (no barging).
 *   <li><b>Release</b>: a guard's {@code close()} (use try-with-resources), or automatically with
 *       {@link #withRead(Function)} / {@link #withWrite(Function)}. A writer may {@link
 *       RwLockWriteGuard#downgrade() downgrade} to a reader atomically; there is no upgrade.
 *   <li><b>Not reentrant</b>: a reader that asks for the lock again may wait behind a queued writer
 *       that waits for it, forever.
 *   <li><b>No poisoning</b>, and never closed: {@code read()} and {@code write()} never fail.
 * </ul>
 *
 * <p>The lock belongs to the guard, not to a thread: a guard may be closed by a different thread
 * than the one that acquired it.
 *
 * <p><b>Memory consistency effects:</b> actions before closing (or downgrading) a {@link
 * RwLockWriteGuard} happen-before actions after any later acquisition of the lock; actions before
 * closing a {@link RwLockReadGuard} happen-before actions after a later write acquisition.
 *
 * <p><b>tokio counterparts.</b> Every guard here is "owned" in tokio's sense, so {@code
 * read_owned}, {@code write_owned}, {@code try_read_owned}, {@code try_write_owned} and the {@code
 * Owned*Guard} types map to the plain methods. {@code get_mut} and {@code into_inner} rely on
 * Rust's exclusive ownership and have no Java counterpart; neither have the guards' {@code map} /
 * {@code try_map} (keep the guard and read the part you need).
 *
 * @param <T> the type of the protected value
 */
public final class RwLock<T> {

    /* Implementation overview: tokio's design. A BatchSemaphore with maxReaders permits; a reader
     * takes 1, a writer takes all maxReaders. The core's FIFO queue makes the lock fair and
     * write-preferring: a queued writer collects permits as readers release them (a partial
     * assignment at the head), and the readers behind it wait. Downgrade returns maxReaders - 1
     * permits in one release and keeps one, so the lock is never free in between: a queued writer
     * can only collect a partial assignment. The value is a plain field: written only by the
     * holder of all permits, read by holders of at least one; the core's permit hand-over orders
     * a writer's writes before later readers' reads and readers' reads before a later writer's
     * writes. The core is never closed. */

    /** The largest {@code maxReaders} (tokio's {@code MAX_READS}): 268,435,455. */
    public static final int MAX_READERS = BatchSemaphore.MAX_PERMITS;

    private final BatchSemaphore core;
    private final int maxReaders;
    private final IntFunction<RwLockReadGuard<T>> readGrant = n -> new RwLockReadGuard<>(this);
    private final IntFunction<RwLockWriteGuard<T>> writeGrant = n -> new RwLockWriteGuard<>(this);

    /** The protected value; plain, see the overview. */
    T value;

    /**
     * Creates an unlocked lock holding {@code value}, allowing {@link #MAX_READERS} readers at
     * once.
     *
     * @param value the initial value; may be null
     */
    public RwLock(T value) {
        this(value, MAX_READERS);
    }

    private RwLock(T value, int maxReaders) {
        this.value = value;
        this.maxReaders = maxReaders;
        this.core =
                new BatchSemaphore(
                        maxReaders,
                        () ->
                                new IllegalStateException(
                                        "an RwLock is never closed, but its core was"));
    }

    /**
     * Creates an unlocked lock holding {@code value}, allowing at most {@code maxReaders} readers
     * at once (further readers wait in the queue).
     *
     * @param value the initial value; may be null
     * @param maxReaders the most concurrent readers, {@code 1..MAX_READERS}
     * @param <T> the type of the protected value
     * @return the lock
     * @throws IllegalArgumentException if {@code maxReaders} is out of range
     */
    public static <T> RwLock<T> withMaxReaders(T value, int maxReaders) {
        if (maxReaders < 1 || maxReaders > MAX_READERS) {
            throw new IllegalArgumentException(
                    "maxReaders must be between 1 and MAX_READERS ("
                            + MAX_READERS
                            + ") but was "
                            + maxReaders);
        }
        return new RwLock<>(value, maxReaders);
    }

    /**
     * Returns the most readers that may hold the lock at once.
     *
     * @return {@code maxReaders}, as given at construction
     */
    public int maxReaders() {
        return maxReaders;
    }

    /**
     * Acquires shared read access.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Cancelling the returned future (or {@code completeExceptionally}, {@code orTimeout})
     *       loses only the place in the queue: either read access was granted first and the future
     *       keeps the guard (close it), or the request is withdrawn and those behind it move up.
     *       Access granted in the race is released again. Cancelling a dependent stage ({@code
     *       read().thenApply(f)}) does not reach this future.
     *   <dt>Fairness
     *   <dd>FIFO and write-preferring: waits while a writer holds the lock or is queued, even if
     *       other readers hold it.
     *   <dt>Completion thread
     *   <dd>Already complete when granted at once; otherwise completed by the thread that released
     *       the lock (trampolined: long hand-off chains do not grow its stack), after internal
     *       locks are released. Dependent stages therefore run on that thread: do not block in
     *       them. Dependents are <a href="package-summary.html#stack-safety">stack-safe</a>.
     * </dl>
     *
     * @return a future of the read guard; it never fails on its own
     */
    public CompletableFuture<RwLockReadGuard<T>> read() {
        return core.acquire(1, readGrant);
    }

    /**
     * Acquires exclusive write access.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>As {@link #read()}. While queued at the head, a writer collects the permits readers
     *       release; withdrawing it hands them on to the waiters behind it.
     *   <dt>Fairness
     *   <dd>FIFO: granted once every earlier reader and writer has released; later readers wait for
     *       it.
     *   <dt>Completion thread
     *   <dd>As {@link #read()}. Dependents are <a
     *       href="package-summary.html#stack-safety">stack-safe</a>.
     * </dl>
     *
     * @return a future of the write guard; it never fails on its own
     */
    public CompletableFuture<RwLockWriteGuard<T>> write() {
        return core.acquire(maxReaders, writeGrant);
    }

    /**
     * Takes read access if no writer holds the lock, fewer than {@link #maxReaders()} readers do,
     * and nobody is queued.
     *
     * @return the read guard, or null if not available now
     */
    public RwLockReadGuard<T> tryRead() {
        return core.tryAcquire(1) == BatchSemaphore.TRY_ACQUIRED
                ? new RwLockReadGuard<>(this)
                : null;
    }

    /**
     * Takes write access if nobody holds the lock and nobody is queued.
     *
     * @return the write guard, or null if not available now
     */
    public RwLockWriteGuard<T> tryWrite() {
        return core.tryAcquire(maxReaders) == BatchSemaphore.TRY_ACQUIRED
                ? new RwLockWriteGuard<>(this)
                : null;
    }

    /**
     * Acquires read access, parking the current thread until it is granted.
     *
     * <dl>
     *   <dt>Blocking
     *   <dd>Parks with {@code LockSupport} (fine on virtual threads). Interruption withdraws the
     *       request like {@code cancel()}: if it wins, {@link InterruptedException} is thrown and
     *       nothing is taken; if access was granted first, the guard is returned and the interrupt
     *       status is set again. Fails fast with {@link IllegalStateException} on a Reactor
     *       non-blocking thread (tokio panics there). Calling it while this thread holds a guard of
     *       the same lock may deadlock.
     *   <dt>Fairness
     *   <dd>As {@link #read()}, in the same queue.
     * </dl>
     *
     * @return the read guard
     * @throws InterruptedException if interrupted while waiting (nothing is taken)
     * @throws IllegalStateException if called on a Reactor non-blocking thread
     */
    public RwLockReadGuard<T> blockingRead() throws InterruptedException {
        BlockingCheck.check("RwLock.blockingRead");
        return core.acquireBlocking(1, Long.MAX_VALUE, readGrant);
    }

    /**
     * Acquires read access, parking the current thread for at most {@code timeout}. A timeout that
     * loses the race against the grant still returns the guard.
     *
     * <dl>
     *   <dt>Blocking
     *   <dd>As {@link #blockingRead()}; on timeout the request is withdrawn and nothing changes.
     *   <dt>Fairness
     *   <dd>As {@link #read()}; access is taken even with a zero timeout if it is available now.
     * </dl>
     *
     * @param timeout the longest wait; zero or negative means "do not wait"
     * @return the read guard, or null if the timeout passed first (nothing is taken)
     * @throws InterruptedException if interrupted while waiting (nothing is taken)
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalStateException if called on a Reactor non-blocking thread
     */
    public RwLockReadGuard<T> blockingRead(Duration timeout) throws InterruptedException {
        long deadline = BlockingCheck.deadlineOf(timeout);
        BlockingCheck.check("RwLock.blockingRead");
        return core.acquireBlocking(1, deadline, readGrant);
    }

    /**
     * Acquires write access, parking the current thread until it is granted.
     *
     * <dl>
     *   <dt>Blocking
     *   <dd>As {@link #blockingRead()}.
     *   <dt>Fairness
     *   <dd>As {@link #write()}, in the same queue.
     * </dl>
     *
     * @return the write guard
     * @throws InterruptedException if interrupted while waiting (nothing is taken)
     * @throws IllegalStateException if called on a Reactor non-blocking thread
     */
    public RwLockWriteGuard<T> blockingWrite() throws InterruptedException {
        BlockingCheck.check("RwLock.blockingWrite");
        return core.acquireBlocking(maxReaders, Long.MAX_VALUE, writeGrant);
    }

    /**
     * Acquires write access, parking the current thread for at most {@code timeout}. A timeout that
     * loses the race against the grant still returns the guard.
     *
     * <dl>
     *   <dt>Blocking
     *   <dd>As {@link #blockingRead()}; on timeout the request is withdrawn (permits it collected
     *       while queued go to the waiters behind it) and nothing changes.
     *   <dt>Fairness
     *   <dd>As {@link #write()}; access is taken even with a zero timeout if it is available now.
     * </dl>
     *
     * @param timeout the longest wait; zero or negative means "do not wait"
     * @return the write guard, or null if the timeout passed first (nothing is taken)
     * @throws InterruptedException if interrupted while waiting (nothing is taken)
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalStateException if called on a Reactor non-blocking thread
     */
    public RwLockWriteGuard<T> blockingWrite(Duration timeout) throws InterruptedException {
        long deadline = BlockingCheck.deadlineOf(timeout);
        BlockingCheck.check("RwLock.blockingWrite");
        return core.acquireBlocking(maxReaders, deadline, writeGrant);
    }

    /**
     * Runs {@code fn} with read access, released when the stage it returns completes, whatever the
     * outcome (also if {@code fn} throws or returns null, which fails the result). {@code fn} must
     * not use the guard after its stage completed. If {@code fn} closes the guard itself, the
     * automatic close throws, as in try-with-resources: the result fails with that {@link
     * IllegalStateException}, or carries it as suppressed by {@code fn}'s own failure.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Cancelling the returned future while access is awaited withdraws the request (nothing
     *       leaks); once {@code fn} has started, cancelling only completes the returned future: the
     *       lock is still released when {@code fn}'s stage completes.
     *   <dt>Fairness
     *   <dd>As {@link #read()}.
     *   <dt>Completion thread
     *   <dd>{@code fn} runs on the thread that granted access (or the caller's, when it was
     *       available); the returned future completes on the thread that completed {@code fn}'s
     *       stage.
     * </dl>
     *
     * @param fn starts the work with the read guard; called once access is granted
     * @param <R> the result type
     * @return a future of {@code fn}'s result
     * @throws NullPointerException if {@code fn} is null
     */
    public <R> CompletableFuture<R> withRead(
            Function<? super RwLockReadGuard<T>, ? extends CompletionStage<R>> fn) {
        Objects.requireNonNull(fn, "fn");
        return Guarded.run(read(), fn);
    }

    /**
     * Runs {@code fn} with write access, released when the stage it returns completes, whatever the
     * outcome (also if {@code fn} throws or returns null, which fails the result). {@code fn} must
     * not use the guard after its stage completed. If {@code fn} closes or downgrades the guard
     * itself, the automatic close throws, as in try-with-resources: the result fails with that
     * {@link IllegalStateException}, or carries it as suppressed by {@code fn}'s own failure (a
     * read guard obtained by downgrading is {@code fn}'s to close).
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>As {@link #withRead(Function)}.
     *   <dt>Fairness
     *   <dd>As {@link #write()}.
     *   <dt>Completion thread
     *   <dd>As {@link #withRead(Function)}.
     * </dl>
     *
     * @param fn starts the work with the write guard; called once access is granted
     * @param <R> the result type
     * @return a future of {@code fn}'s result
     * @throws NullPointerException if {@code fn} is null
     */
    public <R> CompletableFuture<R> withWrite(
            Function<? super RwLockWriteGuard<T>, ? extends CompletionStage<R>> fn) {
        Objects.requireNonNull(fn, "fn");
        return Guarded.run(write(), fn);
    }

    /** Returns true if any waiter is queued. For tests and monitoring. */
    boolean hasQueuedWaiters() {
        return core.hasQueuedWaiters();
    }

    /** Returns {@code n} permits held by a guard; never fails. */
    void release(int n) {
        core.release(n);
    }

    /**
     * Returns the lock state (not the value, which only guard holders may read).
     *
     * @return a description such as {@code RwLock[maxReaders=4, free=2]}
     */
    @Override
    public String toString() {
        return "RwLock[maxReaders="
                + maxReaders
                + ", free="
                + core.availablePermits()
                + (core.hasQueuedWaiters() ? ", waiters" : "")
                + "]";
    }
}
