package dev.tributary.sync.tck;

import dev.tributary.sync.Watch;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.SubscriberWhiteboxVerification.WhiteboxSubscriberProbe;
import org.reactivestreams.tck.flow.FlowSubscriberWhiteboxVerification;

/**
 * The Flow TCK ({@code FlowSubscriberWhiteboxVerification}) for {@link
 * Watch.Sender#asFlowSubscriber()} on a fresh sender with no receiver (stores anyway), reported
 * through {@link Tck#probedFlow}.
 */
public class WatchFlowSubscriberWhiteboxTckTest extends FlowSubscriberWhiteboxVerification<Long> {
    public WatchFlowSubscriberWhiteboxTckTest() {
        super(Tck.env());
    }

    @Override
    protected Flow.Subscriber<Long> createFlowSubscriber(WhiteboxSubscriberProbe<Long> probe) {
        return Tck.probedFlow(Watch.sender(0L).asFlowSubscriber(), probe, Tck::passThrough);
    }

    @Override
    public Long createElement(int element) {
        return (long) element;
    }
}
