package dev.tributary.sync.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The rule-keeping half of every subscriber view: accepts one upstream subscription, rejects nulls,
 * and lets the subclass cancel upstream from any thread.
 *
 * <p>{@code onSubscribe} keeps the first subscription and cancels any later one (rule 2.5); a
 * subscription that arrives after {@link #cancelUpstream()} is cancelled at once. Null arguments
 * throw {@link NullPointerException} (rule 2.13). The subclass implements the four {@code on...}
 * hooks; the Reactive Streams rules already serialize the upstream signals, so the hooks never run
 * concurrently with each other, but {@link #cancelUpstream()} may run concurrently with any of
 * them.
 *
 * @param <T> the element type
 */
public abstract class UpstreamSubscriber<T> implements Subscriber<T> {

    private static final Subscription CANCELLED =
            new Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            };

    private volatile Subscription upstream;

    /** Creates a subscriber with no upstream yet. */
    protected UpstreamSubscriber() {}

    @Override
    public final void onSubscribe(Subscription s) {
        Objects.requireNonNull(s, "subscription (Reactive Streams rule 2.13)");
        if (!UPSTREAM.compareAndSet(this, null, s)) {
            s.cancel(); // rule 2.5, or already cancelled
            return;
        }
        subscribed(s);
    }

    @Override
    public final void onNext(T item) {
        Objects.requireNonNull(item, "onNext element (Reactive Streams rule 2.13)");
        next(item);
    }

    @Override
    public final void onError(Throwable error) {
        Objects.requireNonNull(error, "onError throwable (Reactive Streams rule 2.13)");
        failed(error);
    }

    @Override
    public final void onComplete() {
        completed();
    }

    /**
     * Cancels the upstream subscription, now or as soon as it arrives, and drops it. Idempotent;
     * safe from any thread.
     */
    protected final void cancelUpstream() {
        Subscription s = (Subscription) UPSTREAM.getAndSet(this, CANCELLED);
        if (s != null && s != CANCELLED) {
            s.cancel();
        }
    }

    /**
     * Requests {@code n} more elements from upstream, unless cancelled.
     *
     * @param n a positive amount
     */
    protected final void requestUpstream(long n) {
        Subscription s = upstream;
        if (s != null && s != CANCELLED) {
            s.request(n);
        }
    }

    /**
     * Whether {@link #cancelUpstream()} was called.
     *
     * @return true once upstream was cancelled
     */
    protected final boolean isUpstreamCancelled() {
        return upstream == CANCELLED;
    }

    /**
     * Called once with the accepted subscription; typically requests the initial demand.
     *
     * @param s the upstream subscription
     */
    protected abstract void subscribed(Subscription s);

    /**
     * Called for each element, never with null.
     *
     * @param item the element
     */
    protected abstract void next(T item);

    /**
     * Called once if upstream fails, never with null.
     *
     * @param error the error
     */
    protected abstract void failed(Throwable error);

    /** Called once if upstream completes. */
    protected abstract void completed();

    // VarHandle mechanics
    private static final VarHandle UPSTREAM;

    static {
        try {
            UPSTREAM =
                    MethodHandles.lookup()
                            .findVarHandle(
                                    UpstreamSubscriber.class, "upstream", Subscription.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
