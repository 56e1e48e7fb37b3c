package dev.tributary.sync.tck;

import dev.tributary.sync.Watch;
import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.SubscriberBlackboxVerification;

/**
 * {@code SubscriberBlackboxVerification} for {@link Watch.Sender#asSubscriber()} on a fresh sender
 * with no receiver (stores anyway).
 */
public class WatchSubscriberBlackboxTckTest extends SubscriberBlackboxVerification<Long> {
    public WatchSubscriberBlackboxTckTest() {
        super(Tck.env());
    }

    @Override
    public Subscriber<Long> createSubscriber() {
        return Watch.sender(0L).asSubscriber();
    }

    @Override
    public Long createElement(int element) {
        return (long) element;
    }
}
