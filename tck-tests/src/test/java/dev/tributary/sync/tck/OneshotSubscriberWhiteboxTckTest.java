package dev.tributary.sync.tck;

import dev.tributary.sync.Oneshot;
import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.SubscriberWhiteboxVerification;
import org.reactivestreams.tck.SubscriberWhiteboxVerification.WhiteboxSubscriberProbe;

/**
 * {@code SubscriberWhiteboxVerification} for {@link Oneshot.Sender#asSubscriber()} on a fresh
 * channel, reported through {@link Tck#probed}.
 */
public class OneshotSubscriberWhiteboxTckTest extends SubscriberWhiteboxVerification<Long> {
    public OneshotSubscriberWhiteboxTckTest() {
        super(Tck.env());
    }

    @Override
    public Subscriber<Long> createSubscriber(WhiteboxSubscriberProbe<Long> probe) {
        return Tck.probed(Oneshot.<Long>channel().sender().asSubscriber(), probe, Tck::passThrough);
    }

    @Override
    public Long createElement(int element) {
        return (long) element;
    }
}
