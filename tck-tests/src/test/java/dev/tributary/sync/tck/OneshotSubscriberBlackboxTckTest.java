package dev.tributary.sync.tck;

import dev.tributary.sync.Oneshot;
import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.SubscriberBlackboxVerification;

/**
 * {@code SubscriberBlackboxVerification} for {@link Oneshot.Sender#asSubscriber()} on a fresh
 * channel.
 */
public class OneshotSubscriberBlackboxTckTest extends SubscriberBlackboxVerification<Long> {
    public OneshotSubscriberBlackboxTckTest() {
        super(Tck.env());
    }

    @Override
    public Subscriber<Long> createSubscriber() {
        return Oneshot.<Long>channel().sender().asSubscriber();
    }

    @Override
    public Long createElement(int element) {
        return (long) element;
    }
}
