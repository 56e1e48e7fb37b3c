package dev.tributary.sync.rxjava3;

import dev.tributary.sync.ClosedException;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.CompletableObserver;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.MaybeObserver;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.core.SingleObserver;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.exceptions.Exceptions;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one bridge from a sync-core call that returns a {@link CompletableFuture} to a lazy,
 * disposal-correct {@link Single}, {@link Maybe} or {@link Completable}. Every future-based entry
 * point of {@link RxChannels} and {@link RxSync} goes through here.
 *
 * <ul>
 *   <li><b>Lazy</b>: {@code call} runs on subscription, once per subscription, and not at all if
 *       the observer disposed inside {@code onSubscribe}.
 *   <li><b>Disposal</b>: {@code dispose()} calls {@code future.cancel(false)}, which under
 *       sync-core's cancel contract withdraws the waiter. If the cancel loses (the future was
 *       already completed with a value: a permit, a guard), {@code release} is called with that
 *       value, so nothing granted in the race leaks.
 *   <li><b>Errors after disposal</b>: a failure that completes the future after the observer
 *       disposed (other than the {@link CancellationException} of the adapter's own cancel) goes to
 *       {@link RxJavaPlugins#onError(Throwable)}, never lost and never thrown into the completing
 *       thread. So does an exception thrown by {@code release}.
 *   <li><b>Runtime failures</b>: an exception thrown by {@code call} (a closed handle, a second
 *       pending receive) is an {@code onError} signal.
 *   <li><b>Completion thread</b>: the terminal signal runs on the thread that completes the future
 *       (or the subscribing thread, when it was already complete). sync-core's futures attach
 *       dependents through their trampoline, so a chain of such completions keeps a flat stack.
 * </ul>
 */
final class FutureAdapters {

    private FutureAdapters() {}

    /** A release callback that does nothing, for values that hold no resource. */
    static <T> Consumer<T> noRelease() {
        return v -> {};
    }

    /**
     * A Single of {@code call}'s future. A null result is an error ({@link NullPointerException}).
     */
    static <T> Single<T> single(
            Supplier<? extends CompletableFuture<? extends T>> call, Consumer<? super T> release) {
        return single(call, release, null);
    }

    /**
     * As {@link #single(Supplier, Consumer)}, running {@code afterDispose} (if not null) after the
     * future was cancelled by a disposal that came before the outcome.
     */
    static <T> Single<T> single(
            Supplier<? extends CompletableFuture<? extends T>> call,
            Consumer<? super T> release,
            Runnable afterDispose) {
        return new Single<T>() {
            @Override
            protected void subscribeActual(SingleObserver<? super T> observer) {
                FutureObserver<T> fo =
                        new FutureObserver<>(release, afterDispose) {
                            @Override
                            void onValue(T value) {
                                if (value == null) {
                                    observer.onError(
                                            new NullPointerException(
                                                    "the operation completed with null"));
                                } else {
                                    observer.onSuccess(value);
                                }
                            }

                            @Override
                            void onFailure(Throwable error) {
                                observer.onError(error);
                            }
                        };
                observer.onSubscribe(fo);
                fo.start(call);
            }
        };
    }

    /**
     * A Maybe of {@code call}'s future: a null result is empty; so is a {@link ClosedException}
     * without a cause when {@code closedIsEmpty}.
     */
    static <T> Maybe<T> maybe(
            Supplier<? extends CompletableFuture<? extends T>> call,
            Consumer<? super T> release,
            boolean closedIsEmpty) {
        return new Maybe<T>() {
            @Override
            protected void subscribeActual(MaybeObserver<? super T> observer) {
                FutureObserver<T> fo =
                        new FutureObserver<>(release, null) {
                            @Override
                            void onValue(T value) {
                                if (value == null) {
                                    observer.onComplete();
                                } else {
                                    observer.onSuccess(value);
                                }
                            }

                            @Override
                            void onFailure(Throwable error) {
                                if (closedIsEmpty
                                        && error instanceof ClosedException
                                        && error.getCause() == null) {
                                    observer.onComplete();
                                } else {
                                    observer.onError(error);
                                }
                            }
                        };
                observer.onSubscribe(fo);
                fo.start(call);
            }
        };
    }

    /** A Completable of {@code call}'s future; the value is ignored. */
    static Completable completable(Supplier<? extends CompletableFuture<?>> call) {
        return new Completable() {
            @Override
            protected void subscribeActual(CompletableObserver observer) {
                FutureObserver<Object> fo =
                        new FutureObserver<>(noRelease(), null) {
                            @Override
                            void onValue(Object value) {
                                observer.onComplete();
                            }

                            @Override
                            void onFailure(Throwable error) {
                                observer.onError(error);
                            }
                        };
                observer.onSubscribe(fo);
                fo.start(call);
            }
        };
    }

    /**
     * One subscription: the disposable handed to the observer and the future's completion handler.
     * Whoever moves {@code state} out of PENDING first decides: the handler delivers, or {@code
     * dispose()} withdraws (and the handler, if the future completed anyway, releases or reports).
     */
    private abstract static class FutureObserver<T> extends AtomicInteger
            implements Disposable, BiConsumer<T, Throwable> {
        private static final long serialVersionUID = 1L;

        private static final int PENDING = 0;
        private static final int DELIVERED = 1;
        private static final int DISPOSED = 2;

        private final Consumer<? super T> release;
        private final Runnable afterDispose;

        /** Set once by {@link #start}; read by {@link #dispose()}. */
        private volatile CompletableFuture<? extends T> future;

        FutureObserver(Consumer<? super T> release, Runnable afterDispose) {
            this.release = release;
            this.afterDispose = afterDispose;
        }

        abstract void onValue(T value);

        abstract void onFailure(Throwable error);

        final void start(Supplier<? extends CompletableFuture<? extends T>> call) {
            if (get() != PENDING) {
                return; // disposed in onSubscribe: never call
            }
            CompletableFuture<? extends T> f;
            try {
                f = call.get();
                if (f == null) {
                    throw new NullPointerException("the operation returned a null future");
                }
            } catch (Throwable t) {
                Exceptions.throwIfFatal(t);
                if (compareAndSet(PENDING, DELIVERED)) {
                    onFailure(t);
                } else {
                    RxJavaPlugins.onError(t);
                }
                return;
            }
            future = f;
            if (get() == DISPOSED) {
                // dispose() ran before the future was published: it could not cancel it.
                f.cancel(false);
            }
            f.whenComplete(this);
        }

        @Override
        public final void accept(T value, Throwable error) {
            if (compareAndSet(PENDING, DELIVERED)) {
                if (error == null) {
                    onValue(value);
                } else {
                    onFailure(unwrap(error));
                }
                return;
            }
            // Disposed first: the observer must not hear of it.
            if (error == null) {
                if (value != null) {
                    try {
                        release.accept(value);
                    } catch (Throwable t) {
                        Exceptions.throwIfFatal(t);
                        RxJavaPlugins.onError(t);
                    }
                }
            } else {
                Throwable e = unwrap(error);
                if (!(e instanceof CancellationException)) {
                    RxJavaPlugins.onError(e);
                }
            }
        }

        @Override
        public final void dispose() {
            if (compareAndSet(PENDING, DISPOSED)) {
                CompletableFuture<? extends T> f = future;
                if (f != null) {
                    f.cancel(false); // false: granted before; accept() releases it
                }
                if (afterDispose != null) {
                    try {
                        afterDispose.run();
                    } catch (Throwable t) {
                        Exceptions.throwIfFatal(t);
                        RxJavaPlugins.onError(t);
                    }
                }
            }
        }

        @Override
        public final boolean isDisposed() {
            return get() == DISPOSED;
        }
    }

    static Throwable unwrap(Throwable error) {
        if (error instanceof CompletionException && error.getCause() != null) {
            return error.getCause();
        }
        return error;
    }
}
