package dev.tributary.sync.reactor;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * Turns one call of a sync-core method that returns a {@link CompletableFuture} into a lazy,
 * cancellation-correct {@link Mono}: every entry point of this package that waits is built on it.
 *
 * <ul>
 *   <li><b>Lazy</b>: the call is made in {@code subscribe}, after {@code onSubscribe}, and again
 *       for every subscription; nothing is registered before.
 *   <li><b>Cancel</b>: withdraws the operation with {@code future.cancel(false)} (sync-core's
 *       cancel contract). If the operation took effect first (the future holds a guard, permit or
 *       value) and the result was not emitted yet, the {@code release} callback gets it instead of
 *       the subscriber, so a lock or permit granted in the race is released. An emitted result is
 *       the subscriber's: a downstream that drops an {@code onNext} racing its own cancel (rule
 *       1.8; Reactor reports such drops to {@code Hooks.onNextDropped}) is out of reach here, which
 *       is why the scoped forms use {@link ScopedFlux} instead.
 *   <li><b>Signals</b>: {@code onNext} waits for demand (a result that arrives before the first
 *       request is held, and released if the subscriber cancels instead); a null result is {@code
 *       onComplete} alone; a failed future is {@code onError} with the cause unwrapped from {@link
 *       CompletionException}. All of them run on the thread that completes the future, or inside
 *       {@code subscribe}/{@code request} if it is already complete; sync-core completes its
 *       futures through its trampoline, so long chains stay stack-safe.
 * </ul>
 */
/*
 * Implementation overview: one state word per subscription.
 *
 *   IDLE       no request yet, no result yet
 *   REQUESTED  requested, no result yet
 *   HAS_VALUE  result held in `value`, not yet requested
 *   DONE       terminal signal sent (or being sent)
 *   CANCELLED  cancelled before a terminal signal
 *
 * Transitions are CASes; whoever moves the word to DONE sends the terminal signal, whoever moves it
 * to CANCELLED withdraws the future; a result that finds CANCELLED (or was HAS_VALUE when the
 * cancel won) goes to `release`. `value` is written before the release-CAS to HAS_VALUE and read
 * after an acquire of that state (CAS), so plain access is enough. `future` is volatile: cancel()
 * can run before subscribe has made the call; both sides check the other after their own write
 * (subscribe writes future then reads state, cancel writes state then reads future), so at least
 * one of them cancels the future.
 */
final class FutureMono<T> extends Mono<T> {

    private final Supplier<? extends CompletableFuture<? extends T>> call;
    private final Consumer<? super T> release;
    private final Runnable onCancel;

    private FutureMono(
            Supplier<? extends CompletableFuture<? extends T>> call,
            Consumer<? super T> release,
            Runnable onCancel) {
        this.call = call;
        this.release = release;
        this.onCancel = onCancel;
    }

    /**
     * A Mono of {@code call}'s future; a result that nobody receives goes to {@code release}.
     *
     * @param call makes the sync-core call, once per subscription
     * @param release releases a result granted to a cancelled subscription; null if none needs it
     */
    static <T> Mono<T> of(
            Supplier<? extends CompletableFuture<? extends T>> call, Consumer<? super T> release) {
        return of(call, release, null);
    }

    /**
     * As {@link #of(Supplier, Consumer)}, with an action run on cancel before the future is
     * cancelled.
     */
    static <T> Mono<T> of(
            Supplier<? extends CompletableFuture<? extends T>> call,
            Consumer<? super T> release,
            Runnable onCancel) {
        return Mono.onAssembly(new FutureMono<>(call, release, onCancel));
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        FutureSubscription<T> s = new FutureSubscription<>(actual, release, onCancel);
        actual.onSubscribe(s);
        if (s.state == FutureSubscription.CANCELLED) {
            return;
        }
        CompletableFuture<? extends T> f;
        try {
            f = Objects.requireNonNull(call.get(), "the call returned a null future");
        } catch (Throwable e) {
            Exceptions.throwIfFatal(e);
            s.onFailure(e);
            return;
        }
        s.future = f;
        f.whenComplete(s);
        if (s.state == FutureSubscription.CANCELLED) {
            f.cancel(false);
        }
    }

    static final class FutureSubscription<T> implements Subscription, BiConsumer<T, Throwable> {
        static final int IDLE = 0;
        static final int REQUESTED = 1;
        static final int HAS_VALUE = 2;
        static final int DONE = 3;
        static final int CANCELLED = 4;

        final CoreSubscriber<? super T> actual;
        final Consumer<? super T> release;
        final Runnable onCancel;

        volatile int state;

        @SuppressWarnings("rawtypes")
        static final AtomicIntegerFieldUpdater<FutureSubscription> STATE =
                AtomicIntegerFieldUpdater.newUpdater(FutureSubscription.class, "state");

        /** The pending operation; volatile: cancel may run before subscribe set it. */
        volatile CompletableFuture<? extends T> future;

        /** The result while HAS_VALUE; published by the CAS to HAS_VALUE. */
        T value;

        FutureSubscription(
                CoreSubscriber<? super T> actual, Consumer<? super T> release, Runnable onCancel) {
            this.actual = actual;
            this.release = release;
            this.onCancel = onCancel;
        }

        @Override
        public void request(long n) {
            if (!Operators.validate(n)) {
                // Rule 3.9: a non-positive request is an error signal.
                if (cancelQuietly()) {
                    actual.onError(
                            new IllegalArgumentException(
                                    "request(n > 0) required but it was " + n + " (rule 3.9)"));
                }
                return;
            }
            for (; ; ) {
                int s = state;
                if (s == IDLE) {
                    if (STATE.compareAndSet(this, IDLE, REQUESTED)) {
                        return;
                    }
                } else if (s == HAS_VALUE) {
                    if (STATE.compareAndSet(this, HAS_VALUE, DONE)) {
                        T v = value;
                        value = null;
                        actual.onNext(v);
                        actual.onComplete();
                        return;
                    }
                } else {
                    return;
                }
            }
        }

        @Override
        public void cancel() {
            cancelQuietly();
        }

        /** Cancels unless terminated; returns true if this call moved the state to CANCELLED. */
        private boolean cancelQuietly() {
            for (; ; ) {
                int s = state;
                if (s == DONE || s == CANCELLED) {
                    return false;
                }
                if (STATE.compareAndSet(this, s, CANCELLED)) {
                    if (s == HAS_VALUE) {
                        T v = value;
                        value = null;
                        releaseResult(v);
                    } else {
                        if (onCancel != null) {
                            onCancel.run();
                        }
                        CompletableFuture<? extends T> f = future;
                        if (f != null) {
                            // False means the operation took effect first: the result then reaches
                            // accept(), which finds CANCELLED and releases it.
                            f.cancel(false);
                        }
                    }
                    return true;
                }
            }
        }

        /** The future's completion. */
        @Override
        public void accept(T result, Throwable error) {
            if (error != null) {
                onFailure(error);
            } else if (result == null) {
                onEmpty();
            } else {
                onResult(result);
            }
        }

        void onResult(T v) {
            for (; ; ) {
                int s = state;
                if (s == REQUESTED) {
                    if (STATE.compareAndSet(this, REQUESTED, DONE)) {
                        actual.onNext(v);
                        actual.onComplete();
                        return;
                    }
                } else if (s == IDLE) {
                    value = v;
                    if (STATE.compareAndSet(this, IDLE, HAS_VALUE)) {
                        return;
                    }
                    value = null;
                } else {
                    // CANCELLED: granted in the race with the cancel; nobody will receive it.
                    releaseResult(v);
                    return;
                }
            }
        }

        void onEmpty() {
            if (terminate()) {
                actual.onComplete();
            }
        }

        void onFailure(Throwable e) {
            Throwable cause =
                    e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (terminate()) {
                actual.onError(cause);
            } else if (!(cause instanceof CancellationException)) {
                Operators.onErrorDropped(cause, actual.currentContext());
            }
        }

        /** Moves IDLE or REQUESTED to DONE for a terminal signal that needs no demand. */
        private boolean terminate() {
            for (; ; ) {
                int s = state;
                if (s != IDLE && s != REQUESTED) {
                    return false;
                }
                if (STATE.compareAndSet(this, s, DONE)) {
                    return true;
                }
            }
        }

        private void releaseResult(T v) {
            if (release == null) {
                Operators.onDiscard(v, actual.currentContext());
                return;
            }
            try {
                release.accept(v);
            } catch (Throwable e) {
                Exceptions.throwIfFatal(e);
                Operators.onErrorDropped(e, actual.currentContext());
            }
        }
    }
}
