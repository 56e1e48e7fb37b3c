package dev.tributary.sync.rxjava3;

import dev.tributary.sync.Barrier;
import dev.tributary.sync.BarrierWaitResult;
import dev.tributary.sync.Mutex;
import dev.tributary.sync.MutexGuard;
import dev.tributary.sync.Notify;
import dev.tributary.sync.OnceCell;
import dev.tributary.sync.RwLock;
import dev.tributary.sync.RwLockReadGuard;
import dev.tributary.sync.RwLockWriteGuard;
import dev.tributary.sync.Semaphore;
import dev.tributary.sync.SemaphorePermit;
import dev.tributary.sync.SetOnce;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.FlowableTransformer;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.observers.DisposableSingleObserver;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;

/**
 * RxJava 3 entry points for Tributary's state primitives: {@link Mutex}, {@link RwLock}, {@link
 * Semaphore}, {@link Notify}, {@link Barrier}, {@link OnceCell}, {@link SetOnce}; plus {@link
 * #limit(Semaphore, Function)}, a concurrency limiter that many pipelines can share.
 *
 * <p>Every method returns a cold source:
 *
 * <ul>
 *   <li><b>Lazy</b>: nothing registers a waiter or takes a permit before subscription, and each
 *       subscription is a fresh operation: re-subscribing the {@code Single} of {@link
 *       #acquire(Semaphore)} acquires again.
 *   <li><b>Disposal</b>: disposing (or {@code timeout}) withdraws the waiter; a guard or permit
 *       granted in the race is released at once (sync-core's cancel contract: a {@code
 *       cancel(false)} that returns false means it was granted). Nothing is left queued: after a
 *       disposal {@link Semaphore#hasQueuedWaiters()} and {@link Mutex#isLocked()} read as if the
 *       subscription never happened.
 *   <li><b>Ownership</b>: a guard or permit emitted by a {@code Single} is the subscriber's to
 *       close. The {@code with*} forms close it for you when the inner publisher terminates or is
 *       cancelled.
 *   <li><b>Timeouts</b>: a {@code timeout} (or {@code takeUntil}, {@code amb}) that fires on one
 *       thread while the grant happens on another is an RxJava limitation for the {@code Single}
 *       forms: such an operator marks itself done before it disposes its upstream and silently
 *       drops a success that lands in between, and RxJava has no discard hook through which the
 *       dropped guard could be closed. Disposal itself never loses a guard (this module decides the
 *       race), and neither does a timeout on the same thread (a {@code TestScheduler}, or a timeout
 *       on the granting thread). To combine a lock or permit with a timeout from another thread,
 *       use {@link #withLock(Mutex, Function)}, {@link #withPermit(Semaphore, Publisher)} and the
 *       like: the guard is never emitted, so nothing can drop it, and the timeout's cancellation
 *       releases it.
 *   <li><b>Errors</b>: a {@code null} argument, or a permit count outside {@code 1..}{@link
 *       Semaphore#MAX_PERMITS}, throws at the call (assembly) with a message naming what was
 *       required and what was given. A runtime condition (a closed semaphore) is an {@code onError}
 *       signal. An error that arrives after disposal goes to {@link
 *       io.reactivex.rxjava3.plugins.RxJavaPlugins#onError(Throwable)}.
 *   <li><b>Scheduler</b>: none. A {@code Single} succeeds on the subscribing thread when no wait
 *       was needed, otherwise on the thread that released the lock or permit (or notified, or
 *       arrived last, or set the value); sync-core trampolines those completions, so a long chain
 *       of hand-overs keeps a flat stack. Hop with {@code observeOn} if needed.
 * </ul>
 */
public final class RxSync {

    private RxSync() {}

    // ---------------------------------------------------------------------------------------
    // Mutex and RwLock
    // ---------------------------------------------------------------------------------------

    /**
     * Returns a {@link Single} that locks {@code mutex} on each subscription ({@link Mutex#lock()})
     * and emits the guard; close it to unlock.
     *
     * <dl>
     *   <dt>Disposal
     *   <dd>Loses only the place in the queue: the request is withdrawn, or, if the lock was
     *       granted in the race, the guard is closed at once.
     *   <dt>Fairness
     *   <dd>FIFO.
     *   <dt>Scheduler
     *   <dd>None: the subscribing thread if the mutex was free, else the thread that unlocked it.
     * </dl>
     *
     * @param mutex the mutex
     * @param <T> the protected value's type
     * @return a cold Single of the guard
     * @throws NullPointerException if {@code mutex} is null
     */
    public static <T> Single<MutexGuard<T>> lock(Mutex<T> mutex) {
        Objects.requireNonNull(mutex, "mutex is null");
        return FutureAdapters.single(mutex::lock, MutexGuard::close);
    }

    /**
     * Returns a {@link Flowable} that locks {@code mutex}, then subscribes to {@code fn(guard)} and
     * relays its signals; the guard is closed when that inner publisher terminates (right after its
     * terminal signal was relayed) or is cancelled (after the cancellation reached it). {@code fn}
     * runs with the lock held, on the thread that granted the lock.
     *
     * <dl>
     *   <dt>Disposal
     *   <dd>While waiting: as {@link #lock(Mutex)}. Later: cancels the inner publisher, then
     *       unlocks.
     *   <dt>Backpressure
     *   <dd>That of the inner publisher.
     *   <dt>Errors
     *   <dd>{@code fn} throwing or returning null fails the Flowable (the lock is released). If
     *       {@code fn} closed the guard itself, the automatic close fails with {@link
     *       IllegalStateException}: that is the Flowable's error (combined with the inner error in
     *       a {@code CompositeException}), or goes to {@code RxJavaPlugins.onError} when the
     *       Flowable was cancelled.
     * </dl>
     *
     * @param mutex the mutex
     * @param fn the work to do with the guard
     * @param <T> the protected value's type
     * @param <R> the element type
     * @return a cold Flowable of the inner publisher's elements
     * @throws NullPointerException if an argument is null
     */
    public static <T, R> Flowable<R> withLock(
            Mutex<T> mutex, Function<? super MutexGuard<T>, ? extends Publisher<? extends R>> fn) {
        Objects.requireNonNull(fn, "fn is null");
        return using(lock(mutex), fn);
    }

    /**
     * Returns a {@link Single} of read access to {@code lock} ({@link RwLock#read()}), on each
     * subscription; close the guard to release it. Disposal and scheduler as {@link #lock(Mutex)}.
     * Fairness: FIFO, write-preferring.
     *
     * @param lock the lock
     * @param <T> the protected value's type
     * @return a cold Single of the read guard
     * @throws NullPointerException if {@code lock} is null
     */
    public static <T> Single<RwLockReadGuard<T>> read(RwLock<T> lock) {
        Objects.requireNonNull(lock, "lock is null");
        return FutureAdapters.single(lock::read, RwLockReadGuard::close);
    }

    /**
     * Returns a {@link Single} of write access to {@code lock} ({@link RwLock#write()}), on each
     * subscription; close the guard to release it. Disposal and scheduler as {@link #lock(Mutex)}.
     * Fairness: FIFO.
     *
     * @param lock the lock
     * @param <T> the protected value's type
     * @return a cold Single of the write guard
     * @throws NullPointerException if {@code lock} is null
     */
    public static <T> Single<RwLockWriteGuard<T>> write(RwLock<T> lock) {
        Objects.requireNonNull(lock, "lock is null");
        return FutureAdapters.single(lock::write, RwLockWriteGuard::close);
    }

    /**
     * Returns a {@link Flowable} of {@code fn(readGuard)}'s elements, run with read access, which
     * is released when that inner publisher terminates or is cancelled; as {@link #withLock(Mutex,
     * Function)}.
     *
     * @param lock the lock
     * @param fn the work to do with the read guard
     * @param <T> the protected value's type
     * @param <R> the element type
     * @return a cold Flowable of the inner publisher's elements
     * @throws NullPointerException if an argument is null
     */
    public static <T, R> Flowable<R> withRead(
            RwLock<T> lock,
            Function<? super RwLockReadGuard<T>, ? extends Publisher<? extends R>> fn) {
        Objects.requireNonNull(fn, "fn is null");
        return using(read(lock), fn);
    }

    /**
     * Returns a {@link Flowable} of {@code fn(writeGuard)}'s elements, run with write access, which
     * is released when that inner publisher terminates or is cancelled; as {@link #withLock(Mutex,
     * Function)}. A read guard that {@code fn} obtains by downgrading is {@code fn}'s to close.
     *
     * @param lock the lock
     * @param fn the work to do with the write guard
     * @param <T> the protected value's type
     * @param <R> the element type
     * @return a cold Flowable of the inner publisher's elements
     * @throws NullPointerException if an argument is null
     */
    public static <T, R> Flowable<R> withWrite(
            RwLock<T> lock,
            Function<? super RwLockWriteGuard<T>, ? extends Publisher<? extends R>> fn) {
        Objects.requireNonNull(fn, "fn is null");
        return using(write(lock), fn);
    }

    // ---------------------------------------------------------------------------------------
    // Semaphore
    // ---------------------------------------------------------------------------------------

    /**
     * Returns a {@link Single} that acquires one permit on each subscription ({@link
     * Semaphore#acquire()}); close the permit to return it.
     *
     * <dl>
     *   <dt>Disposal
     *   <dd>Loses only the place in the queue; a permit granted in the race is returned at once.
     *   <dt>Fairness
     *   <dd>FIFO, shared with every other acquirer of the semaphore.
     *   <dt>Errors
     *   <dd>{@link dev.tributary.sync.ClosedException} if the semaphore is or gets closed.
     *   <dt>Scheduler
     *   <dd>None: the subscribing thread if a permit was free, else the releasing thread.
     * </dl>
     *
     * @param semaphore the semaphore
     * @return a cold Single of the permit
     * @throws NullPointerException if {@code semaphore} is null
     */
    public static Single<SemaphorePermit> acquire(Semaphore semaphore) {
        return acquire(semaphore, 1);
    }

    /**
     * Returns a {@link Single} that acquires {@code n} permits at once on each subscription ({@link
     * Semaphore#acquireMany(int)}). Unlike sync-core, {@code n == 0} is rejected: a permit of
     * nothing limits nothing, and is almost always a bug. Otherwise as {@link #acquire(Semaphore)};
     * a partly served request returns its permits when disposed.
     *
     * @param semaphore the semaphore
     * @param n the permits, {@code 1..Semaphore.MAX_PERMITS}
     * @return a cold Single of the permits
     * @throws NullPointerException if {@code semaphore} is null
     * @throws IllegalArgumentException if {@code n} is out of range
     */
    public static Single<SemaphorePermit> acquire(Semaphore semaphore, int n) {
        Objects.requireNonNull(semaphore, "semaphore is null");
        checkPermits(n);
        return FutureAdapters.single(() -> semaphore.acquireMany(n), SemaphorePermit::close);
    }

    /**
     * Returns a {@link Flowable} that acquires one permit, then relays {@code source}, and returns
     * the permit when {@code source} terminates or is cancelled. {@code source} is subscribed only
     * once the permit is held, on the thread that granted it.
     *
     * @param semaphore the semaphore
     * @param source the work to run with the permit held
     * @param <R> the element type
     * @return a cold Flowable of {@code source}'s elements
     * @throws NullPointerException if an argument is null
     */
    public static <R> Flowable<R> withPermit(Semaphore semaphore, Publisher<? extends R> source) {
        return withPermits(semaphore, 1, source);
    }

    /**
     * Returns a {@link Flowable} that acquires {@code n} permits, then relays {@code source}, and
     * returns the permits when {@code source} terminates (just before its terminal signal is
     * relayed) or is cancelled (after the cancellation reached it). Disposal while waiting: as
     * {@link #acquire(Semaphore)}.
     *
     * @param semaphore the semaphore
     * @param n the permits, {@code 1..Semaphore.MAX_PERMITS}
     * @param source the work to run with the permits held
     * @param <R> the element type
     * @return a cold Flowable of {@code source}'s elements
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code n} is out of range
     */
    public static <R> Flowable<R> withPermits(
            Semaphore semaphore, int n, Publisher<? extends R> source) {
        Objects.requireNonNull(source, "source is null");
        return using(acquire(semaphore, n), p -> source);
    }

    /**
     * Returns a transformer that runs {@code fn} for each upstream element with one permit of
     * {@code semaphore} held: {@code flowable.compose(RxSync.limit(semaphore, fn))}. The same as
     * {@link #limit(Semaphore, Function, int) limit(semaphore, fn, Flowable.bufferSize())}.
     *
     * @param semaphore the shared limit
     * @param fn the call to make per element
     * @param <T> the upstream element type
     * @param <R> the result type
     * @return the limiting transformer
     * @throws NullPointerException if an argument is null
     */
    public static <T, R> FlowableTransformer<T, R> limit(
            Semaphore semaphore, Function<? super T, ? extends Publisher<? extends R>> fn) {
        return limit(semaphore, fn, Flowable.bufferSize());
    }

    /**
     * Returns a transformer that runs {@code fn} for each upstream element with one permit of
     * {@code semaphore} held: an asynchronous, FIFO concurrency limit that any number of pipelines
     * can share through one semaphore (a {@code flatMap} whose concurrency is bounded across
     * pipelines, not per pipeline). {@code fn(t)} is called, and its publisher subscribed, only
     * once the permit is held; the permit returns when that publisher terminates or is cancelled.
     * Waiting for a permit never blocks a thread.
     *
     * <dl>
     *   <dt>Backpressure
     *   <dd>At most {@code maxPending} elements are taken from upstream and not yet finished (each
     *       one either waiting in the semaphore's queue or running); downstream backpressure as
     *       {@code flatMap}'s.
     *   <dt>Ordering
     *   <dd>Results are merged as they come, not in upstream order ({@code flatMap}).
     *   <dt>Fairness
     *   <dd>Permits are granted FIFO across every pipeline sharing the semaphore.
     *   <dt>Errors
     *   <dd>{@code fn} throwing or returning null, an inner error, or a closed semaphore ({@link
     *       dev.tributary.sync.ClosedException}) fails the pipeline and cancels the rest; every
     *       permit held or being granted is returned.
     *   <dt>Disposal
     *   <dd>Cancels the running calls (returning their permits) and withdraws the waiting ones (a
     *       permit granted in the race is returned): afterwards the semaphore has all its permits
     *       back from this pipeline.
     *   <dt>Scheduler
     *   <dd>None: {@code fn} runs on the thread that granted the permit (the releasing thread of
     *       another call, or the upstream's thread when one was free).
     * </dl>
     *
     * @param semaphore the shared limit
     * @param fn the call to make per element
     * @param maxPending the most elements in flight in this pipeline, waiting or running
     * @param <T> the upstream element type
     * @param <R> the result type
     * @return the limiting transformer
     * @throws NullPointerException if {@code semaphore} or {@code fn} is null
     * @throws IllegalArgumentException if {@code maxPending} is not positive
     */
    public static <T, R> FlowableTransformer<T, R> limit(
            Semaphore semaphore,
            Function<? super T, ? extends Publisher<? extends R>> fn,
            int maxPending) {
        Objects.requireNonNull(semaphore, "semaphore is null");
        Objects.requireNonNull(fn, "fn is null");
        if (maxPending <= 0) {
            throw new IllegalArgumentException("maxPending > 0 required but it was " + maxPending);
        }
        return upstream ->
                upstream.flatMap(
                        t -> withPermit(semaphore, Flowable.defer(() -> fn.apply(t))), maxPending);
    }

    // ---------------------------------------------------------------------------------------
    // Notify, Barrier, OnceCell, SetOnce
    // ---------------------------------------------------------------------------------------

    /**
     * Returns a {@link Completable} that, on each subscription, registers a fresh wait on {@code
     * notify} ({@code notify.notified().future()}) and completes when notified: by {@link
     * Notify#notifyOne()} / {@link Notify#notifyLast()} (or the stored permit, consumed at
     * subscription), or a {@link Notify#notifyWaiters()} after subscription.
     *
     * <dl>
     *   <dt>Disposal
     *   <dd>Withdraws the wait, losing only the place in the queue: a {@code notifyOne} that chose
     *       this wait in the race passes to the next waiter, or becomes the stored permit again. A
     *       notification that completed the wait before the disposal took effect is consumed (it
     *       happened before the disposal).
     *   <dt>Scheduler
     *   <dd>None: the subscribing thread if the permit was stored, else the notifying thread.
     * </dl>
     *
     * @param notify the notify
     * @return a cold Completable of one notification
     * @throws NullPointerException if {@code notify} is null
     */
    public static Completable notified(Notify notify) {
        Objects.requireNonNull(notify, "notify is null");
        return FutureAdapters.completable(() -> notify.notified().future());
    }

    /**
     * Returns a {@link Single} that arrives at {@code barrier} on subscription ({@link
     * Barrier#await()}) and emits the result once the generation is complete; exactly one waiter
     * per generation is the leader.
     *
     * <dl>
     *   <dt>Disposal
     *   <dd>Stops the Single from signalling but does <em>not</em> withdraw the arrival, as in
     *       sync-core and tokio: the generation still counts this party.
     *   <dt>Scheduler
     *   <dd>None: the leader succeeds on its subscribing thread, the others on the leader's.
     * </dl>
     *
     * @param barrier the barrier
     * @return a cold Single of this arrival's result
     * @throws NullPointerException if {@code barrier} is null
     */
    public static Single<BarrierWaitResult> await(Barrier barrier) {
        Objects.requireNonNull(barrier, "barrier is null");
        return FutureAdapters.single(barrier::await, FutureAdapters.noRelease());
    }

    /**
     * Returns a {@link Single} of the value of {@code cell}, initializing it with the {@code
     * Single} that {@code init} supplies if the cell is empty (tokio's {@code get_or_init}): one
     * initialization runs at a time, the other subscribers wait for it and get its value.
     *
     * <dl>
     *   <dt>Initialization
     *   <dd>{@code init} is called, and its Single subscribed, at most once per subscription, and
     *       only when this subscriber's turn comes. If it fails (or {@code init} throws or returns
     *       null), this subscriber gets the error and the cell stays empty: the oldest waiting
     *       subscriber tries next.
     *   <dt>Disposal
     *   <dd>While waiting for its turn: loses only the place in the queue. While its own
     *       initialization runs: disposes the initializing Single, which abandons the attempt (as
     *       dropping tokio's future does); the next waiting subscriber tries.
     *   <dt>Scheduler
     *   <dd>None: the subscribing thread if the cell is initialized; otherwise the thread on which
     *       the initializing Single succeeded.
     * </dl>
     *
     * @param cell the cell
     * @param init supplies the initializing Single
     * @param <T> the value type
     * @return a cold Single of the cell's value
     * @throws NullPointerException if an argument is null
     */
    public static <T> Single<T> getOrInit(
            OnceCell<T> cell, Supplier<? extends Single<? extends T>> init) {
        Objects.requireNonNull(cell, "cell is null");
        Objects.requireNonNull(init, "init is null");
        return Single.defer(
                () -> {
                    InitRun<T> run = new InitRun<>(init);
                    return FutureAdapters.<T>single(
                            () -> cell.getOrInit(run), FutureAdapters.noRelease(), run::cancel);
                });
    }

    /**
     * Returns a {@link Single} of the value of {@code cell} once it is set ({@link
     * SetOnce#await()}). Disposal is cancel-safe: it withdraws the wait and consumes nothing.
     * Scheduler: none; the subscribing thread if set, else the setting thread.
     *
     * @param cell the cell
     * @param <T> the value type
     * @return a cold Single of the value
     * @throws NullPointerException if {@code cell} is null
     */
    public static <T> Single<T> await(SetOnce<T> cell) {
        Objects.requireNonNull(cell, "cell is null");
        return FutureAdapters.single(cell::await, FutureAdapters.noRelease());
    }

    // ---------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------

    /**
     * Acquires a guard with {@code resource}, runs {@code fn} with it and closes it exactly once:
     * when the inner publisher terminates (before the signal is relayed), when it is cancelled
     * (after cancelling it), or at once if it is granted after the downstream cancelled.
     */
    private static <G extends AutoCloseable, R> Flowable<R> using(
            Single<G> resource, Function<? super G, ? extends Publisher<? extends R>> fn) {
        return new GuardedFlowable<>(resource, fn);
    }

    private static void checkPermits(int n) {
        if (n < 1 || n > Semaphore.MAX_PERMITS) {
            throw new IllegalArgumentException(
                    "n in 1.."
                            + Semaphore.MAX_PERMITS
                            + " (Semaphore.MAX_PERMITS) required but it was "
                            + n);
        }
    }

    /**
     * The initializer handed to {@link OnceCell#getOrInit(Supplier)}: subscribes the user's Single
     * into a future; {@link #cancel()} (the subscriber's disposal) cancels that future, which
     * abandons the attempt and disposes the Single.
     */
    private static final class InitRun<T> implements Supplier<CompletionStage<T>> {
        private final Supplier<? extends Single<? extends T>> init;
        private volatile CompletableFuture<T> stage;
        private volatile boolean cancelled;

        InitRun(Supplier<? extends Single<? extends T>> init) {
            this.init = init;
        }

        @Override
        public CompletionStage<T> get() {
            Single<? extends T> single =
                    Objects.requireNonNull(init.get(), "init returned a null Single");
            CompletableFuture<T> cf = new CompletableFuture<>();
            DisposableSingleObserver<T> observer =
                    new DisposableSingleObserver<>() {
                        @Override
                        public void onSuccess(T value) {
                            cf.complete(value);
                        }

                        @Override
                        public void onError(Throwable e) {
                            cf.completeExceptionally(e);
                        }
                    };
            cf.whenComplete(
                    (v, e) -> {
                        if (cf.isCancelled()) {
                            observer.dispose();
                        }
                    });
            stage = cf;
            if (cancelled) {
                cf.cancel(false);
            }
            single.subscribe(observer);
            return cf;
        }

        void cancel() {
            cancelled = true;
            CompletableFuture<T> cf = stage;
            if (cf != null) {
                cf.cancel(false);
            }
        }
    }
}
