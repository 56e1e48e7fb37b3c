package dev.tributary.sync.tck;

import dev.tributary.sync.Mpsc;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;

/**
 * The Flow blackbox subscriber TCK against {@code Mpsc.UnboundedSender.asFlowSubscriber()}; as
 * {@link MpscUnboundedSubscriberBlackboxTckTest}. Skips: only the 15 tests the TCK marks untested.
 */
public class MpscUnboundedFlowSubscriberBlackboxTckTest
        extends FlowSubscriberBlackboxVerification<Integer> {
    public MpscUnboundedFlowSubscriberBlackboxTckTest() {
        super(Tck.env());
    }

    @Override
    public Flow.Subscriber<Integer> createFlowSubscriber() {
        return Mpsc.<Integer>unboundedChannel().sender().asFlowSubscriber();
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
