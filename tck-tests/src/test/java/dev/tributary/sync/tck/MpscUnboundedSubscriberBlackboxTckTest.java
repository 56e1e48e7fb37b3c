package dev.tributary.sync.tck;

import dev.tributary.sync.Mpsc;
import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.SubscriberBlackboxVerification;

/**
 * The blackbox subscriber TCK against {@code Mpsc.UnboundedSender.asSubscriber()} of a fresh
 * unbounded channel: the view requests {@code Long.MAX_VALUE} in {@code onSubscribe}. Skips: only
 * the 15 tests the TCK marks untested.
 */
public class MpscUnboundedSubscriberBlackboxTckTest
        extends SubscriberBlackboxVerification<Integer> {
    public MpscUnboundedSubscriberBlackboxTckTest() {
        super(Tck.env());
    }

    @Override
    public Subscriber<Integer> createSubscriber() {
        return Mpsc.<Integer>unboundedChannel().sender().asSubscriber();
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
