package dev.tributary.sync.tck;

import dev.tributary.sync.Oneshot;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.SubscriberWhiteboxVerification.WhiteboxSubscriberProbe;
import org.reactivestreams.tck.flow.FlowSubscriberWhiteboxVerification;

/**
 * The Flow TCK ({@code FlowSubscriberWhiteboxVerification}) for {@link
 * Oneshot.Sender#asFlowSubscriber()} on a fresh channel, reported through {@link Tck#probedFlow}.
 */
public class OneshotFlowSubscriberWhiteboxTckTest extends FlowSubscriberWhiteboxVerification<Long> {
    public OneshotFlowSubscriberWhiteboxTckTest() {
        super(Tck.env());
    }

    @Override
    protected Flow.Subscriber<Long> createFlowSubscriber(WhiteboxSubscriberProbe<Long> probe) {
        return Tck.probedFlow(
                Oneshot.<Long>channel().sender().asFlowSubscriber(), probe, Tck::passThrough);
    }

    @Override
    public Long createElement(int element) {
        return (long) element;
    }
}
