package dev.tributary.sync.tck;

import dev.tributary.sync.Mpsc;
import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.SubscriberBlackboxVerification;

/**
 * The blackbox subscriber TCK against {@code Mpsc.Sender.asSubscriber()} of a fresh bounded channel
 * (capacity 16, not read): the view requests the free capacity by itself in {@code onSubscribe}.
 * Skips: only the 15 tests the TCK marks untested.
 */
public class MpscBoundedSubscriberBlackboxTckTest extends SubscriberBlackboxVerification<Integer> {
    public MpscBoundedSubscriberBlackboxTckTest() {
        super(Tck.env());
    }

    @Override
    public Subscriber<Integer> createSubscriber() {
        return Mpsc.<Integer>channel(16).sender().asSubscriber();
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
