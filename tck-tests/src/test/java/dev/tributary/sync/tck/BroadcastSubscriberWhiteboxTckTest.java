package dev.tributary.sync.tck;

import dev.tributary.sync.Broadcast;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.reactivestreams.tck.SubscriberWhiteboxVerification;

/**
 * The Reactive Streams whitebox subscriber TCK against {@code Broadcast.Sender.asSubscriber()},
 * wrapped so that the probe sees every signal after the view handled it. The puppet: {@code
 * triggerRequest} does nothing (the view already requested {@code Long.MAX_VALUE} in {@code
 * onSubscribe}: the TCK reads that request), and {@code signalCancel} cancels the subscription the
 * view received, as the view itself would once the channel closes.
 */
public class BroadcastSubscriberWhiteboxTckTest extends SubscriberWhiteboxVerification<Integer> {

    public BroadcastSubscriberWhiteboxTckTest() {
        super(Tck.env());
    }

    @Override
    public Subscriber<Integer> createSubscriber(WhiteboxSubscriberProbe<Integer> probe) {
        Subscriber<Integer> view = Broadcast.<Integer>channel(64).sender().asSubscriber();
        return new Subscriber<>() {
            private boolean registered;

            @Override
            public void onSubscribe(Subscription s) {
                view.onSubscribe(s); // a second one is cancelled by the view (rule 2.5)
                if (!registered) {
                    registered = true;
                    probe.registerOnSubscribe(
                            new SubscriberPuppet() {
                                @Override
                                public void triggerRequest(long elements) {
                                    // the view's demand is unbounded already
                                }

                                @Override
                                public void signalCancel() {
                                    s.cancel();
                                }
                            });
                }
            }

            @Override
            public void onNext(Integer t) {
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

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
