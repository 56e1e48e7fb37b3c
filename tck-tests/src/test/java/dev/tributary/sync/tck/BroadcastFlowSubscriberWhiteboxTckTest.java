package dev.tributary.sync.tck;

import dev.tributary.sync.Broadcast;
import java.util.concurrent.Flow;
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
        return Tck.probedFlow(
                Broadcast.<Integer>channel(64).sender().asFlowSubscriber(),
                probe,
                Tck::unboundedDemand);
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
