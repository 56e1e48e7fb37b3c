package dev.tributary.sync.tck;

import dev.tributary.sync.Broadcast;
import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.SubscriberBlackboxVerification;

/**
 * The Reactive Streams blackbox subscriber TCK against {@code Broadcast.Sender.asSubscriber()}: a
 * fresh channel (with its first receiver kept open, so sends succeed) per subscriber. The view
 * requests unbounded demand in {@code onSubscribe}, so {@code triggerRequest} needs no override.
 */
public class BroadcastSubscriberBlackboxTckTest extends SubscriberBlackboxVerification<Integer> {

    public BroadcastSubscriberBlackboxTckTest() {
        super(Tck.env());
    }

    @Override
    public Subscriber<Integer> createSubscriber() {
        return Broadcast.<Integer>channel(64).sender().asSubscriber();
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
