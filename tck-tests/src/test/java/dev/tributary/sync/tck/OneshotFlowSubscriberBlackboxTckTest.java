package dev.tributary.sync.tck;

import dev.tributary.sync.Oneshot;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;

/**
 * The Flow TCK ({@code FlowSubscriberBlackboxVerification}) for {@link
 * Oneshot.Sender#asFlowSubscriber()} on a fresh channel.
 */
public class OneshotFlowSubscriberBlackboxTckTest extends FlowSubscriberBlackboxVerification<Long> {
    public OneshotFlowSubscriberBlackboxTckTest() {
        super(Tck.env());
    }

    @Override
    public Flow.Subscriber<Long> createFlowSubscriber() {
        return Oneshot.<Long>channel().sender().asFlowSubscriber();
    }

    @Override
    public Long createElement(int element) {
        return (long) element;
    }
}
