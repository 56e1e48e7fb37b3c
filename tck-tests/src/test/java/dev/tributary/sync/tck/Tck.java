package dev.tributary.sync.tck;

import java.util.concurrent.Flow;
import java.util.function.Function;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.reactivestreams.tck.SubscriberWhiteboxVerification.SubscriberPuppet;
import org.reactivestreams.tck.SubscriberWhiteboxVerification.WhiteboxSubscriberProbe;
import org.reactivestreams.tck.TestEnvironment;

/** Shared settings for every TCK verification in this module. */
final class Tck {

    /**
     * How long the TCK waits for a signal it expects. Generous, because CI runs on two busy cores
     * and an expected signal ends the wait as soon as it arrives.
     */
    static final long TIMEOUT_MILLIS = 2_000;

    /**
     * How long the TCK watches for a signal that must not come. Every such check costs this much,
     * so it is kept short; a view that wrongly signals does so at once, in the same drain loop.
     */
    static final long NO_SIGNALS_MILLIS = 100;

    /**
     * How often the TCK re-checks for an expected error (the rule 3.9 tests). With the two-argument
     * constructor it equals {@link #TIMEOUT_MILLIS}, so each of those tests would wait 2 s even
     * when the error had arrived at once.
     */
    static final long POLL_MILLIS = 10;

    /** How long a publisher may take to drop a cancelled subscriber (rule 3.13). */
    static final long PUBLISHER_GC_MILLIS = 1_000;

    private Tck() {}

    /** A fresh environment; the TCK wants one per verification instance. */
    static TestEnvironment env() {
        return new TestEnvironment(TIMEOUT_MILLIS, NO_SIGNALS_MILLIS, POLL_MILLIS);
    }

    /**
     * Wraps a subscriber view for {@code SubscriberWhiteboxVerification}: forwards every signal to
     * the view, then reports it to the probe. Only the first {@code onSubscribe} is reported (the
     * view cancels a second one itself, rule 2.5); its puppet is made by {@code puppet} from the
     * subscription the view received.
     *
     * @param view the subscriber view under test
     * @param probe the TCK's probe
     * @param puppet makes the puppet the TCK drives the view with
     * @return the wrapped subscriber
     */
    static <T> Subscriber<T> probed(
            Subscriber<T> view,
            WhiteboxSubscriberProbe<T> probe,
            Function<Subscription, SubscriberPuppet> puppet) {
        return new Subscriber<>() {
            private boolean registered; // onSubscribe calls are serial (rule 1.3)

            @Override
            public void onSubscribe(Subscription s) {
                view.onSubscribe(s);
                if (!registered) {
                    registered = true;
                    probe.registerOnSubscribe(puppet.apply(s));
                }
            }

            @Override
            public void onNext(T t) {
                view.onNext(t);
                probe.registerOnNext(t);
            }

            @Override
            public void onError(Throwable t) {
                view.onError(t);
                probe.registerOnError(t);
            }

            @Override
            public void onComplete() {
                view.onComplete();
                probe.registerOnComplete();
            }
        };
    }

    /**
     * The Flow form of {@link #probed}, through {@link FlowAdapters}.
     *
     * @param view the Flow subscriber view under test
     * @param probe the TCK's probe
     * @param puppet makes the puppet from the subscription the view received
     * @return the wrapped Flow subscriber
     */
    static <T> Flow.Subscriber<T> probedFlow(
            Flow.Subscriber<T> view,
            WhiteboxSubscriberProbe<T> probe,
            Function<Subscription, SubscriberPuppet> puppet) {
        return FlowAdapters.toFlowSubscriber(
                probed(FlowAdapters.toSubscriber(view), probe, puppet));
    }

    /**
     * A puppet that requests and cancels on the view's own upstream subscription.
     *
     * @param s the subscription the view received
     * @return the puppet
     */
    static SubscriberPuppet passThrough(Subscription s) {
        return new SubscriberPuppet() {
            @Override
            public void triggerRequest(long n) {
                s.request(n);
            }

            @Override
            public void signalCancel() {
                s.cancel();
            }
        };
    }

    /**
     * A puppet for a view that requested {@code Long.MAX_VALUE} in {@code onSubscribe}: there is no
     * more demand to trigger; cancel cancels the view's subscription, as the view itself does once
     * its channel closes.
     *
     * @param s the subscription the view received
     * @return the puppet
     */
    static SubscriberPuppet unboundedDemand(Subscription s) {
        return new SubscriberPuppet() {
            @Override
            public void triggerRequest(long n) {
                // the view's demand is unbounded already
            }

            @Override
            public void signalCancel() {
                s.cancel();
            }
        };
    }
}
