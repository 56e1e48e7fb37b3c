package dev.tributary.sync.tck;

import dev.tributary.sync.Watch;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;

/**
 * The Flow TCK ({@code FlowSubscriberBlackboxVerification}) for {@link
 * Watch.Sender#asFlowSubscriber()} on a fresh sender with no receiver (stores anyway).
 */
public class WatchFlowSubscriberBlackboxTckTest extends FlowSubscriberBlackboxVerification<Long> {
    public WatchFlowSubscriberBlackboxTckTest() {
        super(Tck.env());
    }

    @Override
    public Flow.Subscriber<Long> createFlowSubscriber() {
        return Watch.sender(0L).asFlowSubscriber();
    }

    @Override
    public Long createElement(int element) {
        return (long) element;
    }
}
