package dev.tributary.sync.reactor;

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
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.concurrent.Queues;

/**
 * Tributary's state primitives as {@link Mono} and {@link Flux}: locks and permits as Monos of
 * their guards, scoped forms that release when the inner publisher ends, a concurrency limiter
 * shared across pipelines, and the one-time waits of {@link Notify}, {@link Barrier}, {@link
 * OnceCell} and {@link SetOnce}.
 *
 * <ul>
 *   <li><b>Lazy</b>: nothing registers a waiter or takes a permit before subscription, and each
 *       subscription is a fresh operation: subscribing twice to {@link #acquire(Semaphore)}
 *       acquires twice.
 *   <li><b>Cancellation</b>: a cancelled (or {@link Mono#timeout(java.time.Duration) timed-out})
 *       subscription withdraws its waiter, keeping FIFO order for the others; a guard or permit
 *       granted in the race with the cancel is released at once, never leaked.
 *   <li><b>Prefer the scoped forms</b> ({@link #withLock(Mutex, Function)}, {@link
 *       #withRead(RwLock, Function)}, {@link #withWrite(RwLock, Function)}, {@link
 *       #withPermit(Semaphore, Publisher)}, {@link #withPermits(Semaphore, int, Publisher)}, {@link
 *       #limit(Semaphore, Function)}): the guard never leaves this library's operator, so a cancel
 *       or {@code timeout} at any moment releases it exactly once. A {@code Mono} of a guard
 *       ({@link #lock(Mutex)}, {@link #read(RwLock)}, {@link #write(RwLock)}, {@link
 *       #acquire(Semaphore)}) releases a guard granted in the race only while it still holds it;
 *       once emitted, the guard is the subscriber's to close. Reactive Streams lets an {@code
 *       onNext} already under way arrive after a cancel (rule 1.8), and some Reactor subscribers
 *       then drop it, reporting it to {@code Hooks.onNextDropped} rather than to this Mono (the
 *       lambda subscriber of {@code subscribe(Consumer)} when disposed, and {@code timeout} when it
 *       fires): a guard dropped that way is out of this Mono's reach. Use the scoped forms with
 *       {@code timeout} and {@code dispose()}.
 *   <li><b>Errors</b>: a null or out-of-range argument throws at assembly, when the method is
 *       called; a runtime condition (a closed semaphore) is an {@code onError} signal.
 *   <li><b>Completion thread</b>: a Mono that needs no wait signals on the subscribing thread;
 *       otherwise on the thread that released the lock or permit (or notified, arrived, set), as
 *       for the {@code CompletableFuture} methods of {@code dev.tributary.sync}. Signals are
 *       stack-safe: sync-core hands over through a trampoline, so a long chain of lock hand-offs on
 *       one thread does not grow its stack. Nothing here blocks a thread: waiting is always a
 *       registered waiter, so every method may be used on Reactor's non-blocking schedulers.
 * </ul>
 */
public final class ReactorSync {

    private ReactorSync() {}

    // ---- Mutex

    /**
     * A {@code Mono} of the mutex's guard (tokio's {@code lock}). Close the guard to release the
     * lock; prefer {@link #withLock(Mutex, Function)}, which does it for you.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Loses only the place in the queue: the request is withdrawn, or, if the lock was
     *       granted first and not yet emitted, the guard is closed again, so the lock passes on. An
     *       emitted guard is the subscriber's (see the class notes on dropped {@code onNext}).
     *   <dt>Fairness
     *   <dd>FIFO.
     *   <dt>Completion thread
     *   <dd>The subscribing thread if the mutex is free, else the thread that closed the previous
     *       guard.
     * </dl>
     *
     * @param mutex the mutex
     * @param <T> the protected value's type
     * @return a Mono of the guard
     * @throws NullPointerException if {@code mutex} is null
     */
    public static <T> Mono<MutexGuard<T>> lock(Mutex<T> mutex) {
        Objects.requireNonNull(mutex, "mutex must not be null");
        return FutureMono.of(mutex::lock, MutexGuard::close);
    }

    /**
     * Runs {@code fn} with the lock held: locks, subscribes to the publisher {@code fn} returns,
     * and closes the guard when that publisher completes, fails or is cancelled, before the
     * terminal signal is passed on (a downstream that sees {@code onComplete} sees the lock free).
     * {@code fn} is called once the lock is granted, never with a released guard. Do not close the
     * guard yourself (a guard is released once). The guard never leaves this operator, so a cancel
     * or {@code timeout} at any moment releases it exactly once.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Before the lock is granted: as {@link #lock(Mutex)}. Afterwards: cancels the inner
     *       publisher and releases the lock.
     *   <dt>Fairness
     *   <dd>FIFO.
     *   <dt>Completion thread
     *   <dd>{@code fn} runs on the thread that granted the lock (see {@link #lock(Mutex)}); the
     *       inner publisher's signals keep their own threads.
     * </dl>
     *
     * @param mutex the mutex
     * @param fn the work to run under the lock
     * @param <T> the protected value's type
     * @param <R> the result type
     * @return a Flux of the inner publisher's elements
     * @throws NullPointerException if an argument is null
     */
    public static <T, R> Flux<R> withLock(
            Mutex<T> mutex, Function<? super MutexGuard<T>, ? extends Publisher<R>> fn) {
        Objects.requireNonNull(mutex, "mutex must not be null");
        Objects.requireNonNull(fn, "fn must not be null");
        return ScopedFlux.of(mutex::lock, fn, MutexGuard::close);
    }

    // ---- RwLock

    /**
     * A {@code Mono} of a read guard (tokio's {@code read}); many readers may hold the lock.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>As {@link #lock(Mutex)}: withdrawn, or the guard granted in the race is closed.
     *   <dt>Fairness
     *   <dd>FIFO and write-preferring: a reader waits behind a queued writer.
     *   <dt>Completion thread
     *   <dd>The subscribing thread if granted at once, else the releasing thread.
     * </dl>
     *
     * @param lock the lock
     * @param <T> the protected value's type
     * @return a Mono of the read guard
     * @throws NullPointerException if {@code lock} is null
     */
    public static <T> Mono<RwLockReadGuard<T>> read(RwLock<T> lock) {
        Objects.requireNonNull(lock, "lock must not be null");
        return FutureMono.of(lock::read, RwLockReadGuard::close);
    }

    /**
     * A {@code Mono} of the write guard (tokio's {@code write}).
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>As {@link #lock(Mutex)}: withdrawn, or the guard granted in the race is closed.
     *   <dt>Fairness
     *   <dd>FIFO.
     *   <dt>Completion thread
     *   <dd>The subscribing thread if granted at once, else the releasing thread.
     * </dl>
     *
     * @param lock the lock
     * @param <T> the protected value's type
     * @return a Mono of the write guard
     * @throws NullPointerException if {@code lock} is null
     */
    public static <T> Mono<RwLockWriteGuard<T>> write(RwLock<T> lock) {
        Objects.requireNonNull(lock, "lock must not be null");
        return FutureMono.of(lock::write, RwLockWriteGuard::close);
    }

    /**
     * Runs {@code fn} with a read guard held, released when the inner publisher terminates or is
     * cancelled; as {@link #withLock(Mutex, Function)}.
     *
     * @param lock the lock
     * @param fn the work to run under the read lock
     * @param <T> the protected value's type
     * @param <R> the result type
     * @return a Flux of the inner publisher's elements
     * @throws NullPointerException if an argument is null
     */
    public static <T, R> Flux<R> withRead(
            RwLock<T> lock, Function<? super RwLockReadGuard<T>, ? extends Publisher<R>> fn) {
        Objects.requireNonNull(lock, "lock must not be null");
        Objects.requireNonNull(fn, "fn must not be null");
        return ScopedFlux.of(lock::read, fn, RwLockReadGuard::close);
    }

    /**
     * Runs {@code fn} with the write guard held, released when the inner publisher terminates or is
     * cancelled; as {@link #withLock(Mutex, Function)}.
     *
     * @param lock the lock
     * @param fn the work to run under the write lock
     * @param <T> the protected value's type
     * @param <R> the result type
     * @return a Flux of the inner publisher's elements
     * @throws NullPointerException if an argument is null
     */
    public static <T, R> Flux<R> withWrite(
            RwLock<T> lock, Function<? super RwLockWriteGuard<T>, ? extends Publisher<R>> fn) {
        Objects.requireNonNull(lock, "lock must not be null");
        Objects.requireNonNull(fn, "fn must not be null");
        return ScopedFlux.of(lock::write, fn, RwLockWriteGuard::close);
    }

    // ---- Semaphore

    /**
     * A {@code Mono} of one permit (tokio's {@code acquire}); close it to give it back.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Loses only the place in the queue: withdrawn, or the permit granted in the race is
     *       closed again.
     *   <dt>Fairness
     *   <dd>FIFO.
     *   <dt>Errors
     *   <dd>{@code onError(ClosedException)} if the semaphore is or gets closed.
     *   <dt>Completion thread
     *   <dd>The subscribing thread if a permit is free, else the releasing thread.
     * </dl>
     *
     * @param semaphore the semaphore
     * @return a Mono of the permit
     * @throws NullPointerException if {@code semaphore} is null
     */
    public static Mono<SemaphorePermit> acquire(Semaphore semaphore) {
        Objects.requireNonNull(semaphore, "semaphore must not be null");
        return FutureMono.of(semaphore::acquire, SemaphorePermit::close);
    }

    /**
     * A {@code Mono} of {@code n} permits taken at once (tokio's {@code acquire_many}); as {@link
     * #acquire(Semaphore)}. Permits assigned to a partly served request go back when it is
     * cancelled.
     *
     * @param semaphore the semaphore
     * @param n permits, {@code 1..Semaphore.MAX_PERMITS}
     * @return a Mono of the permits
     * @throws NullPointerException if {@code semaphore} is null
     * @throws IllegalArgumentException if {@code n} is out of range
     */
    public static Mono<SemaphorePermit> acquire(Semaphore semaphore, int n) {
        Objects.requireNonNull(semaphore, "semaphore must not be null");
        checkPermits(n);
        return FutureMono.of(() -> semaphore.acquireMany(n), SemaphorePermit::close);
    }

    /**
     * Subscribes to {@code source} with one permit held, released when it terminates or is
     * cancelled: {@code withPermits(semaphore, 1, source)}.
     *
     * @param semaphore the semaphore
     * @param source the work to run with the permit; subscribed once the permit is granted
     * @param <R> the element type
     * @return a Flux of {@code source}'s elements
     * @throws NullPointerException if an argument is null
     */
    public static <R> Flux<R> withPermit(Semaphore semaphore, Publisher<R> source) {
        Objects.requireNonNull(semaphore, "semaphore must not be null");
        Objects.requireNonNull(source, "source must not be null");
        return ScopedFlux.of(semaphore::acquire, p -> source, SemaphorePermit::close);
    }

    /**
     * Subscribes to {@code source} with {@code n} permits held, released when it terminates or is
     * cancelled.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Before the permits are granted: as {@link #acquire(Semaphore, int)}. Afterwards:
     *       cancels {@code source} and releases the permits.
     *   <dt>Completion thread
     *   <dd>{@code source} is subscribed on the thread that granted the permits.
     * </dl>
     *
     * @param semaphore the semaphore
     * @param n permits, {@code 1..Semaphore.MAX_PERMITS}
     * @param source the work to run with the permits
     * @param <R> the element type
     * @return a Flux of {@code source}'s elements
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code n} is out of range
     */
    public static <R> Flux<R> withPermits(Semaphore semaphore, int n, Publisher<R> source) {
        Objects.requireNonNull(semaphore, "semaphore must not be null");
        checkPermits(n);
        Objects.requireNonNull(source, "source must not be null");
        return ScopedFlux.of(() -> semaphore.acquireMany(n), p -> source, SemaphorePermit::close);
    }

    /**
     * A concurrency limiter shared across pipelines, for {@link Flux#transform(Function)}: {@code
     * flux.transform(limit(semaphore, fn))} runs {@code fn} for each element with a permit of
     * {@code semaphore} held, and merges the results. One semaphore may limit any number of
     * pipelines (and {@code CompletableFuture} or blocking users) together: at most as many calls
     * run at once as it has permits.
     *
     * <p>When no permit is free, a call waits asynchronously, in FIFO order across every user of
     * the semaphore; no thread is blocked and nothing fails fast (as Resilience4j's {@code
     * Bulkhead} operator does). {@code fn} is called only once the permit is held, and the permit
     * is released when the publisher it returned completes, fails or is cancelled.
     *
     * <p>It is the {@code flatMap} form {@code flux.flatMap(t -> withPermit(semaphore,
     * Flux.defer(() -> fn.apply(t))))}, packaged, plus one refinement: once the pipeline is
     * cancelled, none of its queued calls starts (see Cancellation).
     *
     * <p>Like {@code flatMap}: results are merged in completion order, not source order; up to
     * {@link Queues#SMALL_BUFFER_SIZE} elements of one pipeline are requested from the source and
     * wait for a permit at a time (use {@link #limit(Semaphore, int, Function)} to bound that
     * differently).
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Cancelling the pipeline withdraws its waiting calls and cancels its running ones, whose
     *       permits are released; no permit leaks, also when granted in the race, and no call of
     *       the pipeline starts once the cancel arrived (a permit freed by a cancelled call goes
     *       past this pipeline's waiters, which are being withdrawn, to other users).
     *   <dt>Errors
     *   <dd>An error of {@code fn} or its publisher fails the pipeline (after releasing the
     *       permit), as in {@code flatMap}; a closed semaphore is {@code onError(ClosedException)}.
     *   <dt>Completion thread
     *   <dd>{@code fn} runs on the thread that granted the permit: the source's emitting thread
     *       when one is free, otherwise the thread that released one.
     * </dl>
     *
     * @param semaphore the shared limit
     * @param fn the call to limit
     * @param <T> the source element type
     * @param <R> the result type
     * @return a function for {@code transform}
     * @throws NullPointerException if an argument is null
     */
    public static <T, R> Function<Flux<T>, Flux<R>> limit(
            Semaphore semaphore, Function<? super T, ? extends Publisher<? extends R>> fn) {
        return limit(semaphore, Queues.SMALL_BUFFER_SIZE, fn);
    }

    /**
     * As {@link #limit(Semaphore, Function)}, with at most {@code maxQueued} elements of this
     * pipeline waiting for or holding a permit at a time ({@code flatMap}'s concurrency).
     *
     * @param semaphore the shared limit
     * @param maxQueued the most elements of this pipeline in flight (waiting or running), {@code >
     *     0}
     * @param fn the call to limit
     * @param <T> the source element type
     * @param <R> the result type
     * @return a function for {@code transform}
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code maxQueued <= 0}
     */
    public static <T, R> Function<Flux<T>, Flux<R>> limit(
            Semaphore semaphore,
            int maxQueued,
            Function<? super T, ? extends Publisher<? extends R>> fn) {
        Objects.requireNonNull(semaphore, "semaphore must not be null");
        Objects.requireNonNull(fn, "fn must not be null");
        if (maxQueued <= 0) {
            throw new IllegalArgumentException("maxQueued > 0 required but it was " + maxQueued);
        }
        return source ->
                Flux.defer(
                        () -> {
                            // Set when the pipeline is cancelled, before flatMap cancels its inner
                            // calls: a permit that a call's cancelled neighbour frees in between
                            // must not start a call of this pipeline.
                            AtomicBoolean stopped = new AtomicBoolean();
                            return source.doOnCancel(() -> stopped.set(true))
                                    .flatMap(
                                            t ->
                                                    ScopedFlux.<SemaphorePermit, R>of(
                                                            semaphore::acquire,
                                                            p ->
                                                                    stopped.get()
                                                                            ? Flux.empty()
                                                                            : fn.apply(t),
                                                            SemaphorePermit::close),
                                            maxQueued);
                        });
    }

    // ---- Notify, Barrier

    /**
     * A {@code Mono} that completes on the next notification of {@code notify} (tokio's {@code
     * notified().await}). The wait is created at subscription: a {@code notifyWaiters()} before it
     * is not seen; a stored {@code notifyOne()} permit is consumed.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Loses only the place in the queue: a {@code notifyOne} that chose this wait in the race
     *       is passed on to the next waiter (or stored again). A notification that completed the
     *       wait before the cancel withdrew it is consumed by this wait and not passed on, even if
     *       the cancelled Mono does not signal it (as with a {@code Notified} future whose {@code
     *       cancel} returns false).
     *   <dt>Fairness
     *   <dd>FIFO for {@code notifyOne}, LIFO for {@code notifyLast}, by subscription order.
     *   <dt>Completion thread
     *   <dd>The subscribing thread if a permit was stored, else the notifying thread.
     * </dl>
     *
     * @param notify the notify
     * @return a Mono that completes when notified
     * @throws NullPointerException if {@code notify} is null
     */
    public static Mono<Void> notified(Notify notify) {
        Objects.requireNonNull(notify, "notify must not be null");
        return FutureMono.of(() -> notify.notified().future(), null);
    }

    /**
     * A {@code Mono} that arrives at the barrier at subscription and emits this arrival's result
     * once the generation is complete (tokio's {@code wait}).
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Does <em>not</em> withdraw the arrival (as {@link Barrier#await()}): the generation
     *       still counts this party; only the signal is dropped.
     *   <dt>Completion thread
     *   <dd>The leader (the last arrival) completes on its subscribing thread; the others on the
     *       leader's thread.
     * </dl>
     *
     * @param barrier the barrier
     * @return a Mono of the wait's result; exactly one arrival per generation is the leader
     * @throws NullPointerException if {@code barrier} is null
     */
    public static Mono<BarrierWaitResult> await(Barrier barrier) {
        Objects.requireNonNull(barrier, "barrier must not be null");
        return FutureMono.of(barrier::await, null);
    }

    // ---- OnceCell, SetOnce

    /**
     * A {@code Mono} of the cell's value, initializing it with the Mono {@code init} returns if it
     * is empty (tokio's {@code get_or_init}). One initializer runs at a time: concurrent callers
     * wait for it and get its value; {@code init} is called (and its Mono subscribed) only when
     * this caller's turn comes.
     *
     * <p>If the initializer fails, completes empty ({@code onError(NoSuchElementException)}) or is
     * cancelled, this caller gets the error and the cell stays empty: the oldest waiting caller
     * then runs its own initializer, as in tokio.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>While waiting for its turn: loses only the place in the queue ({@code init} is never
     *       called). While its own initializer runs: cancels the initializer's subscription and
     *       abandons the attempt, so the next waiter initializes (tokio: dropping the {@code
     *       get_or_init} future drops the init future).
     *   <dt>Fairness
     *   <dd>FIFO: after a failed attempt, the oldest waiter initializes next.
     *   <dt>Completion thread
     *   <dd>The subscribing thread if the cell is set; otherwise the thread on which the
     *       initializer's Mono emitted (for every waiting caller). {@code init} runs on the
     *       subscribing thread, or on the thread that ended the previous failed attempt.
     * </dl>
     *
     * @param cell the cell
     * @param init supplies the initializing Mono; called at most once per subscription
     * @param <T> the value type
     * @return a Mono of the value
     * @throws NullPointerException if an argument is null
     */
    public static <T> Mono<T> getOrInit(
            OnceCell<T> cell, Supplier<? extends Mono<? extends T>> init) {
        Objects.requireNonNull(cell, "cell must not be null");
        Objects.requireNonNull(init, "init must not be null");
        return Mono.defer(
                () -> {
                    InitAttempt<T> attempt = new InitAttempt<>(init);
                    return FutureMono.of(() -> cell.getOrInit(attempt), null, attempt::abort);
                });
    }

    /**
     * A {@code Mono} of the value of a {@link SetOnce}, once set (tokio's {@code SetOnce::wait};
     * {@link SetOnce#await()} here).
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Cancel-safe: withdraws the waiter; the value stays in the cell.
     *   <dt>Completion thread
     *   <dd>The subscribing thread if set, else the setting thread.
     * </dl>
     *
     * @param cell the cell
     * @param <T> the value type
     * @return a Mono of the value
     * @throws NullPointerException if {@code cell} is null
     */
    public static <T> Mono<T> await(SetOnce<T> cell) {
        Objects.requireNonNull(cell, "cell must not be null");
        return FutureMono.of(cell::await, null);
    }

    // ---- helpers

    private static void checkPermits(int n) {
        if (n <= 0 || n > Semaphore.MAX_PERMITS) {
            throw new IllegalArgumentException(
                    "n in 1.."
                            + Semaphore.MAX_PERMITS
                            + " (Semaphore.MAX_PERMITS) required but it was "
                            + n);
        }
    }

    /**
     * One caller's initialization attempt: subscribes to the user's Mono when the cell gives this
     * caller the turn, and can abort it when the caller cancels.
     */
    private static final class InitAttempt<T> implements Supplier<CompletionStage<? extends T>> {
        private final Supplier<? extends Mono<? extends T>> init;
        private final CompletableFuture<T> stage = new CompletableFuture<>();
        private volatile Disposable running;

        InitAttempt(Supplier<? extends Mono<? extends T>> init) {
            this.init = init;
        }

        /** Called by the cell when this caller's turn comes. */
        @Override
        public CompletionStage<? extends T> get() {
            Mono<? extends T> mono =
                    Objects.requireNonNull(init.get(), "init returned a null Mono");
            running =
                    mono.subscribe(
                            stage::complete,
                            stage::completeExceptionally,
                            () ->
                                    stage.completeExceptionally(
                                            new NoSuchElementException(
                                                    "the OnceCell initializer Mono completed"
                                                            + " empty: a value is required")));
            if (stage.isCancelled()) {
                running.dispose();
            }
            return stage;
        }

        /** The caller cancelled: abandon a running attempt, so the next waiter tries. */
        void abort() {
            if (stage.cancel(false)) {
                Disposable d = running;
                if (d != null) {
                    d.dispose();
                }
            }
        }
    }
}
