package dev.tributary.sync.tck;

import dev.tributary.sync.Broadcast;
import org.reactivestreams.Subscriber;
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
        return Tck.probed(
                Broadcast.<Integer>channel(64).sender().asSubscriber(),
                probe,
                Tck::unboundedDemand);
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
