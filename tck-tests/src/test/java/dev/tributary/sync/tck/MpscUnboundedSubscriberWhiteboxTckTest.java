package dev.tributary.sync.tck;

import dev.tributary.sync.Mpsc;
import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.SubscriberWhiteboxVerification;

/**
 * The whitebox subscriber TCK against {@code Mpsc.UnboundedSender.asSubscriber()}: demand is
 * unbounded from {@code onSubscribe} on, so {@code triggerRequest} has nothing to add; {@code
 * signalCancel} closes the receiver ({@link MpscTckSupport#unboundedPuppet}). Skips: only the 13
 * tests the TCK marks untested.
 */
public class MpscUnboundedSubscriberWhiteboxTckTest
        extends SubscriberWhiteboxVerification<Integer> {
    public MpscUnboundedSubscriberWhiteboxTckTest() {
        super(Tck.env());
    }

    @Override
    public Subscriber<Integer> createSubscriber(WhiteboxSubscriberProbe<Integer> probe) {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        return Tck.probed(
                ch.sender().asSubscriber(),
                probe,
                s -> MpscTckSupport.unboundedPuppet(ch.receiver()));
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
