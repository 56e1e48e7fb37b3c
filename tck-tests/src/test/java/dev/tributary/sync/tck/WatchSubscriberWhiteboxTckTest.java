package dev.tributary.sync.tck;

import dev.tributary.sync.Watch;
import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.SubscriberWhiteboxVerification;
import org.reactivestreams.tck.SubscriberWhiteboxVerification.WhiteboxSubscriberProbe;

/**
 * {@code SubscriberWhiteboxVerification} for {@link Watch.Sender#asSubscriber()} on a fresh sender
 * with no receiver (stores anyway), reported through {@link Tck#probed}.
 */
public class WatchSubscriberWhiteboxTckTest extends SubscriberWhiteboxVerification<Long> {
    public WatchSubscriberWhiteboxTckTest() {
        super(Tck.env());
    }

    @Override
    public Subscriber<Long> createSubscriber(WhiteboxSubscriberProbe<Long> probe) {
        return Tck.probed(Watch.sender(0L).asSubscriber(), probe, Tck::passThrough);
    }

    @Override
    public Long createElement(int element) {
        return (long) element;
    }
}
