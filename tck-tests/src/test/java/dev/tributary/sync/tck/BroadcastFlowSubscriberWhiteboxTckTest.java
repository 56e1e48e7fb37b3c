package dev.tributary.sync.tck;

import dev.tributary.sync.Broadcast;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.SubscriberWhiteboxVerification.SubscriberPuppet;
import org.reactivestreams.tck.SubscriberWhiteboxVerification.WhiteboxSubscriberProbe;
import org.reactivestreams.tck.flow.FlowSubscriberWhiteboxVerification;

/**
 * The Flow whitebox subscriber TCK against {@code Broadcast.Sender.asFlowSubscriber()}, wrapped for
 * the probe as in {@link BroadcastSubscriberWhiteboxTckTest}: {@code triggerRequest} does nothing
 * (unbounded demand already requested), {@code signalCancel} cancels the view's subscription.
 */
public class BroadcastFlowSubscriberWhiteboxTckTest
        extends FlowSubscriberWhiteboxVerification<Integer> {

    public BroadcastFlowSubscriberWhiteboxTckTest() {
        super(Tck.env());
    }

    @Override
    protected Flow.Subscriber<Integer> createFlowSubscriber(
            WhiteboxSubscriberProbe<Integer> probe) {
        Flow.Subscriber<Integer> view = Broadcast.<Integer>channel(64).sender().asFlowSubscriber();
        return new Flow.Subscriber<>() {
            private boolean registered;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                view.onSubscribe(s);
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
