package dev.tributary.sync.reactor;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * The scoped forms ({@code withLock}, {@code withRead}, {@code withWrite}, {@code withPermit(s)}
 * and the limiter): acquires a guard or permit with a sync-core call, runs the publisher {@code fn}
 * returns for it, and releases it exactly once, when that publisher completes, fails or is
 * cancelled, or when the subscription is cancelled before or while the guard is granted.
 *
 * <p>Unlike a {@code Mono} of the guard followed by {@code usingWhen}, the guard is never handed to
 * another operator, so no operator can drop it: the grant, the cancel and the release meet in one
 * atomic reference here.
 */
/*
 * Implementation overview. `guard` goes null -> G (granted, held) -> RELEASED, or null -> RELEASED
 * (cancelled before the grant); the thread that swaps a G out for RELEASED releases it, so it is
 * released once. A grant that finds RELEASED (the cancel came first, and future.cancel(false)
 * lost) releases the guard at once. Demand and the cancel of the inner publisher go through
 * Operators.DeferredSubscription: requests made before the inner publisher subscribed are
 * accumulated and forwarded by set(), and a cancel before set() makes set() cancel the inner
 * subscription. The guard is released before the terminal signal is forwarded, so a downstream
 * that sees onComplete sees the lock free.
 *
 * `wip` keeps fn from running with a released guard: accept() raises it while it calls fn and
 * subscribes to its publisher; a cancel raises it too and releases only if it found 0 (nothing
 * running); otherwise accept() sees a non-zero count when it lowers its own and releases then.
 */
final class ScopedFlux<G, R> extends Flux<R> {

    private final Supplier<? extends CompletableFuture<? extends G>> acquire;
    private final Function<? super G, ? extends Publisher<? extends R>> fn;
    private final Consumer<? super G> release;

    private ScopedFlux(
            Supplier<? extends CompletableFuture<? extends G>> acquire,
            Function<? super G, ? extends Publisher<? extends R>> fn,
            Consumer<? super G> release) {
        this.acquire = acquire;
        this.fn = fn;
        this.release = release;
    }

    static <G, R> Flux<R> of(
            Supplier<? extends CompletableFuture<? extends G>> acquire,
            Function<? super G, ? extends Publisher<? extends R>> fn,
            Consumer<? super G> release) {
        return Flux.onAssembly(new ScopedFlux<>(acquire, fn, release));
    }

    @Override
    public void subscribe(CoreSubscriber<? super R> actual) {
        ScopedSubscriber<G, R> s = new ScopedSubscriber<>(actual, fn, release);
        actual.onSubscribe(s);
        if (s.cancelled()) {
            return;
        }
        CompletableFuture<? extends G> f;
        try {
            f = Objects.requireNonNull(acquire.get(), "the call returned a null future");
        } catch (Throwable e) {
            Exceptions.throwIfFatal(e);
            s.fail(e);
            return;
        }
        s.future = f;
        f.whenComplete(s);
        if (s.cancelled()) {
            f.cancel(false);
        }
    }

    static final class ScopedSubscriber<G, R> extends Operators.DeferredSubscription
            implements CoreSubscriber<R>, BiConsumer<G, Throwable> {
        static final Object RELEASED = new Object();

        final CoreSubscriber<? super R> actual;
        final Function<? super G, ? extends Publisher<? extends R>> fn;
        final Consumer<? super G> release;

        volatile CompletableFuture<? extends G> future;

        volatile Object guard;

        @SuppressWarnings("rawtypes")
        static final AtomicReferenceFieldUpdater<ScopedSubscriber, Object> GUARD =
                AtomicReferenceFieldUpdater.newUpdater(
                        ScopedSubscriber.class, Object.class, "guard");

        /** Set once a terminal signal went downstream. */
        volatile boolean done;

        /** Non-zero while accept() runs fn (1) and once a cancel arrived (+1 each). */
        volatile int wip;

        @SuppressWarnings("rawtypes")
        static final AtomicIntegerFieldUpdater<ScopedSubscriber> WIP =
                AtomicIntegerFieldUpdater.newUpdater(ScopedSubscriber.class, "wip");

        ScopedSubscriber(
                CoreSubscriber<? super R> actual,
                Function<? super G, ? extends Publisher<? extends R>> fn,
                Consumer<? super G> release) {
            this.actual = actual;
            this.fn = fn;
            this.release = release;
        }

        boolean cancelled() {
            return isCancelled();
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        // ---- the grant

        @Override
        @SuppressWarnings("unchecked")
        public void accept(G g, Throwable error) {
            if (error != null) {
                fail(error);
                return;
            }
            if (!GUARD.compareAndSet(this, null, g)) {
                // Cancelled first and the grant won future.cancel(false): give it back.
                releaseGuard(g);
                return;
            }
            // While fn runs and its publisher subscribes, a cancel leaves the release to us, so fn
            // never runs with a guard already released.
            WIP.getAndIncrement(this);
            if (!isCancelled()) {
                Publisher<? extends R> p = null;
                try {
                    p = Objects.requireNonNull(fn.apply(g), "fn returned a null Publisher");
                } catch (Throwable e) {
                    Exceptions.throwIfFatal(e);
                    releaseOnce();
                    fail(e);
                }
                if (p != null) {
                    p.subscribe(this);
                }
            }
            if (WIP.decrementAndGet(this) != 0 || isCancelled()) {
                releaseOnce();
            }
        }

        void fail(Throwable e) {
            Throwable cause =
                    e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (isCancelled() || done) {
                if (!(cause instanceof CancellationException)) {
                    Operators.onErrorDropped(cause, actual.currentContext());
                }
                return;
            }
            done = true;
            actual.onError(cause);
        }

        // ---- the inner publisher

        @Override
        public void onSubscribe(Subscription s) {
            set(s);
        }

        @Override
        public void onNext(R r) {
            actual.onNext(r);
        }

        @Override
        public void onError(Throwable t) {
            releaseOnce();
            if (done || isCancelled()) {
                Operators.onErrorDropped(t, actual.currentContext());
                return;
            }
            done = true;
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            releaseOnce();
            if (done || isCancelled()) {
                return;
            }
            done = true;
            actual.onComplete();
        }

        // ---- downstream

        @Override
        public void cancel() {
            if (isCancelled()) {
                return;
            }
            super.cancel(); // cancels the inner subscription, now or when it arrives
            CompletableFuture<? extends G> f = future;
            if (f != null) {
                f.cancel(false);
            }
            if (WIP.getAndIncrement(this) == 0) {
                releaseOnce();
            } // else accept() is running fn and releases when it returns
        }

        @SuppressWarnings("unchecked")
        private void releaseOnce() {
            Object g = GUARD.getAndSet(this, RELEASED);
            if (g != null && g != RELEASED) {
                releaseGuard((G) g);
            }
        }

        private void releaseGuard(G g) {
            try {
                release.accept(g);
            } catch (Throwable e) {
                Exceptions.throwIfFatal(e);
                Operators.onErrorDropped(e, actual.currentContext());
            }
        }
    }
}
