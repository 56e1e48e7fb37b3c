package dev.tributary.sync.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The subscription side of every publisher view: accumulates demand, serializes every signal to one
 * subscriber through a work-in-progress counter, and hands the subclass a single-threaded {@link
 * #emit} step.
 *
 * <p>Any thread may call {@link #request}, {@link #cancel} or {@link #drain} (the subclass calls
 * {@code drain()} when a value may have arrived, e.g. from a waiter's completion). The first caller
 * to raise the counter from zero becomes the drain owner and loops until no call was missed;
 * everybody else only records that it came. So signals are never concurrent (rule 1.3), a {@code
 * request} made inside {@code onNext} never recurses into another {@code onNext} (rule 3.3), and
 * the subclass's {@link #emit}, {@link #cancelled} and terminal calls all run on the owner, one at
 * a time, with a happens-before edge between consecutive owners.
 *
 * <p>Protocol: construct, then call {@link #start()} once. The counter starts held, so nothing is
 * emitted before {@code onSubscribe} returns; a {@code request} made inside {@code onSubscribe} is
 * picked up by {@code start} itself. Demand is capped at {@link Long#MAX_VALUE}, which means
 * unbounded (rule 3.17). A non-positive request cancels and signals {@link
 * IllegalArgumentException} (rule 3.9). After cancellation or a terminal signal the subscriber
 * reference is dropped (rule 3.13) and further calls are no-ops. A subscriber whose {@code onNext}
 * (or any signal {@code emit} makes) throws is treated as having cancelled (rule 2.13): {@link
 * #cancelled} runs and the exception goes to the uncaught-exception handler of the thread that ran
 * the loop; {@code request}, {@code cancel} and {@code drain} never throw it.
 *
 * @param <T> the element type
 */
public abstract class DrainSubscription<T> implements Subscription {

    private volatile int wip = 1; // held until start() has run onSubscribe
    private volatile long requested;
    private volatile boolean cancelledFlag;
    private volatile boolean badRequestSeen;
    private long badRequest; // the first non-positive request; published by badRequestSeen

    /** The subscriber; null once cancelled or terminated. Touched only by the drain owner. */
    private Subscriber<? super T> actual;

    /**
     * Creates a subscription for {@code actual}; call {@link #start()} next.
     *
     * @param actual the subscriber
     * @throws NullPointerException if {@code actual} is null (rule 1.9)
     */
    protected DrainSubscription(Subscriber<? super T> actual) {
        this.actual = Objects.requireNonNull(actual, "subscriber (Reactive Streams rule 1.9)");
    }

    /** Signals {@code onSubscribe(this)}, then drains whatever it requested. Call exactly once. */
    public final void start() {
        Subscriber<? super T> a = actual;
        try {
            a.onSubscribe(this);
        } catch (Throwable t) {
            // Rule 2.13: a throwing onSubscribe is a broken subscriber; treat as cancelled.
            cancelledFlag = true;
            report(t);
        }
        drainLoop(1);
    }

    @Override
    public final void request(long n) {
        if (n <= 0) {
            synchronized (this) { // rare: a broken subscriber; keeps the first value
                if (!badRequestSeen) {
                    badRequest = n;
                    badRequestSeen = true;
                }
            }
        } else {
            long r;
            do {
                r = requested;
                if (r == Long.MAX_VALUE) {
                    break;
                }
            } while (!REQUESTED.compareAndSet(this, r, addCap(r, n)));
        }
        drain();
    }

    @Override
    public final void cancel() {
        cancelledFlag = true;
        drain();
    }

    /**
     * Runs the drain loop now if no other thread runs it, or makes the running owner go round once
     * more. Never recurses into {@link #emit} when called from inside it.
     */
    public final void drain() {
        if ((int) WIP.getAndAdd(this, 1) == 0) {
            drainLoop(1);
        }
    }

    private void drainLoop(int missed) {
        for (; ; ) {
            Subscriber<? super T> a = actual;
            if (a != null) {
                if (cancelledFlag) {
                    actual = null;
                    cancelled();
                } else if (badRequestSeen) {
                    long n = badRequest;
                    actual = null;
                    cancelled();
                    a.onError(
                            new IllegalArgumentException(
                                    "Reactive Streams rule 3.9: request(n) requires n > 0, got "
                                            + n
                                            + " (non-positive subscription request)"));
                } else {
                    long r = requested;
                    long e;
                    try {
                        e = emit(a, r);
                    } catch (Throwable t) {
                        e = 0;
                        broken(t);
                    }
                    if (e != 0 && r != Long.MAX_VALUE) {
                        REQUESTED.getAndAdd(this, -e);
                    }
                }
            }
            missed = (int) WIP.getAndAdd(this, -missed) - missed;
            if (missed == 0) {
                return;
            }
        }
    }

    /**
     * A signal of the subscriber threw (it broke rule 2.13): the subscription is treated as
     * cancelled, unless the throw came from a terminal signal, and the exception goes to the
     * current thread's uncaught-exception handler, never to the thread that requested or sent.
     */
    private void broken(Throwable t) {
        if (actual != null) {
            actual = null;
            cancelledFlag = true;
            cancelled();
        }
        report(t);
    }

    /**
     * Reports an exception a subscriber threw (it broke rule 2.13) to the current thread's
     * uncaught-exception handler: never thrown at a requesting or sending thread.
     *
     * @param t the exception
     */
    public static void report(Throwable t) {
        Thread th = Thread.currentThread();
        th.getUncaughtExceptionHandler().uncaughtException(th, t);
    }

    /**
     * Turns away a subscriber a publisher cannot serve: {@code onSubscribe} with a subscription
     * that does nothing, then {@code onError(error)} (rule 1.9: {@code onSubscribe} comes first,
     * even for a rejection). A subscriber that throws is {@linkplain #report reported}.
     *
     * @param s the subscriber
     * @param error why it is turned away
     */
    public static void reject(Subscriber<?> s, Throwable error) {
        try {
            s.onSubscribe(Rejected.INSTANCE);
            s.onError(error);
        } catch (Throwable t) {
            report(t);
        }
    }

    /** The subscription of a rejected subscriber: nothing to request or cancel. */
    private enum Rejected implements Subscription {
        INSTANCE;

        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
    }

    /**
     * Emits up to {@code demand} elements to {@code a} and returns how many it emitted. Runs on the
     * drain owner only. When it cannot emit more, it must either signal a terminal through {@link
     * #complete} or {@link #fail}, or make sure {@link #drain()} is called once more elements may
     * be available (for example by registering a waiter whose completion calls it). It is called
     * again after every {@code request}, {@code drain()} and wake-up while the subscription is
     * live, so it must tolerate being called with nothing to do.
     *
     * @param a the subscriber
     * @param demand the outstanding demand; {@link Long#MAX_VALUE} means unbounded
     * @return how many elements were emitted, at most {@code demand}
     */
    protected abstract long emit(Subscriber<? super T> a, long demand);

    /**
     * Releases what the subscription holds (closes a receiver, withdraws a waiter) after a cancel
     * or a rejected request. Runs on the drain owner, at most once, and never after {@link
     * #complete} or {@link #fail}.
     */
    protected abstract void cancelled();

    /**
     * Signals {@code onComplete} and drops the subscriber. Call only from {@link #emit}, then
     * return.
     *
     * @param a the subscriber passed to {@code emit}
     */
    protected final void complete(Subscriber<? super T> a) {
        actual = null;
        a.onComplete();
    }

    /**
     * Signals {@code onError(error)} and drops the subscriber. Call only from {@link #emit}, then
     * return.
     *
     * @param a the subscriber passed to {@code emit}
     * @param error the error
     */
    protected final void fail(Subscriber<? super T> a, Throwable error) {
        actual = null;
        a.onError(error);
    }

    /**
     * Whether {@link #cancel()} was called; {@link #emit} may poll it to stop early.
     *
     * @return true once cancelled
     */
    protected final boolean isCancelled() {
        return cancelledFlag;
    }

    /**
     * Adds two non-negative amounts of demand, capping at {@link Long#MAX_VALUE} (rule 3.17).
     *
     * @param a a non-negative amount
     * @param b a non-negative amount
     * @return {@code a + b}, or {@code Long.MAX_VALUE} on overflow
     */
    public static long addCap(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    // VarHandle mechanics
    private static final VarHandle WIP;
    private static final VarHandle REQUESTED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            WIP = l.findVarHandle(DrainSubscription.class, "wip", int.class);
            REQUESTED = l.findVarHandle(DrainSubscription.class, "requested", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
