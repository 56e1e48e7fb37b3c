package dev.tributary.sync.rxjava3;

import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.FlowableSubscriber;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.core.SingleObserver;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.exceptions.CompositeException;
import io.reactivex.rxjava3.exceptions.Exceptions;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The {@code with*} operators of {@link RxSync}: acquires a guard (a lock guard or a permit) with a
 * {@code Single}, runs {@code fn(guard)} and relays the publisher it returns, and closes the guard
 * exactly once: when that publisher terminates (before the terminal signal is relayed, so the
 * downstream sees the lock free), when it is cancelled (after the cancellation reached it), or at
 * once if the guard arrives after the downstream cancelled.
 *
 * @param <G> the guard type
 * @param <R> the element type
 */
final class GuardedFlowable<G extends AutoCloseable, R> extends Flowable<R> {

    /*
     * Implementation overview
     *
     * `guard` goes null -> G (onSuccess) -> RELEASED (release()), or null -> RELEASED when the
     * cancel comes first; whoever moves it to RELEASED closes the G it held, so the guard is
     * closed once, and a guard granted after a cancel is closed by onSuccess itself (the CAS from
     * null fails). This is what composing flatMapPublisher with using cannot give: there, a
     * cancel that lands between the Single's success and the inner subscription drops the guard.
     *
     * The inner subscription is set once (`inner`, CANCELLED tombstone); demand that arrives
     * before it is accumulated in `requested` and handed over on arrival (RxJava's deferred
     * request pattern).
     */

    private static final Object RELEASED = new Object();

    private final Single<G> acquire;
    private final Function<? super G, ? extends Publisher<? extends R>> fn;

    GuardedFlowable(Single<G> acquire, Function<? super G, ? extends Publisher<? extends R>> fn) {
        this.acquire = acquire;
        this.fn = fn;
    }

    @Override
    protected void subscribeActual(Subscriber<? super R> downstream) {
        GuardSubscriber<G, R> parent = new GuardSubscriber<>(downstream, fn);
        downstream.onSubscribe(parent);
        acquire.subscribe(parent);
    }

    private static final class GuardSubscriber<G extends AutoCloseable, R>
            implements SingleObserver<G>, FlowableSubscriber<R>, Subscription {
        private final Subscriber<? super R> downstream;
        private final Function<? super G, ? extends Publisher<? extends R>> fn;

        private final AtomicReference<Object> guard = new AtomicReference<>();
        private final AtomicReference<Disposable> acquiring = new AtomicReference<>();
        private final AtomicReference<Subscription> inner = new AtomicReference<>();
        private final AtomicLong requested = new AtomicLong();
        private volatile boolean cancelled;
        private boolean done;

        GuardSubscriber(
                Subscriber<? super R> downstream,
                Function<? super G, ? extends Publisher<? extends R>> fn) {
            this.downstream = downstream;
            this.fn = fn;
        }

        // ---- the acquisition

        @Override
        public void onSubscribe(Disposable d) {
            if (!acquiring.compareAndSet(null, d)) {
                d.dispose(); // cancelled before the acquisition started
            }
        }

        @Override
        public void onSuccess(G g) {
            if (!guard.compareAndSet(null, g)) {
                closeQuietly(g); // the cancel came first
                return;
            }
            if (cancelled) {
                release(true);
                return;
            }
            Publisher<? extends R> p;
            try {
                p = Objects.requireNonNull(fn.apply(g), "fn returned a null Publisher");
            } catch (Throwable t) {
                Exceptions.throwIfFatal(t);
                terminate(t);
                return;
            }
            p.subscribe(this);
        }

        @Override
        public void onError(Throwable e) {
            // the acquisition failed (no guard) or the inner publisher failed (guard held)
            terminate(e);
        }

        // ---- the inner publisher

        @Override
        public void onSubscribe(Subscription s) {
            if (!inner.compareAndSet(null, s)) {
                s.cancel();
                return;
            }
            long r = requested.getAndSet(0L);
            if (r != 0L) {
                s.request(r);
            }
        }

        @Override
        public void onNext(R value) {
            if (!done) {
                downstream.onNext(value);
            }
        }

        @Override
        public void onComplete() {
            terminate(null);
        }

        /** Releases the guard (if held), then signals the downstream; a second call is reported. */
        private void terminate(Throwable error) {
            if (done || cancelled) {
                if (error != null) {
                    RxJavaPlugins.onError(error);
                }
                return;
            }
            done = true;
            Throwable closeError = release(false);
            if (closeError != null) {
                error = error == null ? closeError : new CompositeException(error, closeError);
            }
            if (error == null) {
                downstream.onComplete();
            } else {
                downstream.onError(error);
            }
        }

        // ---- the downstream's subscription

        @Override
        public void request(long n) {
            if (n <= 0L) {
                RxJavaPlugins.onError(
                        new IllegalArgumentException("n > 0 required but it was " + n));
                return;
            }
            Subscription s = inner.get();
            if (s != null) {
                s.request(n);
                return;
            }
            addCap(requested, n);
            s = inner.get();
            if (s != null && s != Cancelled.INSTANCE) {
                long r = requested.getAndSet(0L);
                if (r != 0L) {
                    s.request(r);
                }
            }
        }

        @Override
        public void cancel() {
            if (cancelled) {
                return;
            }
            cancelled = true;
            Disposable d = acquiring.getAndSet(Disposable.disposed());
            if (d != null) {
                d.dispose();
            }
            Subscription s = inner.getAndSet(Cancelled.INSTANCE);
            if (s != null) {
                s.cancel();
            }
            release(true);
        }

        /**
         * Closes the guard if this call is the one that moves it to RELEASED. Returns what close
         * threw (or reports it, when {@code report}).
         */
        private Throwable release(boolean report) {
            Object g = guard.getAndSet(RELEASED);
            if (g == null || g == RELEASED) {
                return null;
            }
            try {
                ((AutoCloseable) g).close();
                return null;
            } catch (Throwable t) {
                Exceptions.throwIfFatal(t);
                if (report) {
                    RxJavaPlugins.onError(t);
                    return null;
                }
                return t;
            }
        }

        private static void closeQuietly(AutoCloseable g) {
            try {
                g.close();
            } catch (Throwable t) {
                Exceptions.throwIfFatal(t);
                RxJavaPlugins.onError(t);
            }
        }

        private static void addCap(AtomicLong requested, long n) {
            for (; ; ) {
                long r = requested.get();
                long u = r + n;
                if (u < 0L) {
                    u = Long.MAX_VALUE;
                }
                if (requested.compareAndSet(r, u)) {
                    return;
                }
            }
        }
    }

    /** The tombstone of a cancelled inner subscription. */
    private enum Cancelled implements Subscription {
        INSTANCE;

        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
    }
}
