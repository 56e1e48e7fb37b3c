package dev.tributary.sync.tck;

import dev.tributary.sync.Broadcast;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;

/**
 * The Flow blackbox subscriber TCK against {@code Broadcast.Sender.asFlowSubscriber()}: a fresh
 * channel (its first receiver kept open) per subscriber; unbounded demand from {@code onSubscribe},
 * so {@code triggerFlowRequest} needs no override.
 */
public class BroadcastFlowSubscriberBlackboxTckTest
        extends FlowSubscriberBlackboxVerification<Integer> {

    public BroadcastFlowSubscriberBlackboxTckTest() {
        super(Tck.env());
    }

    @Override
    public Flow.Subscriber<Integer> createFlowSubscriber() {
        return Broadcast.<Integer>channel(64).sender().asFlowSubscriber();
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
