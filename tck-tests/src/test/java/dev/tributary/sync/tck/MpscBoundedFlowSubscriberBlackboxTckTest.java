package dev.tributary.sync.tck;

import dev.tributary.sync.Mpsc;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;

/**
 * The Flow blackbox subscriber TCK against {@code Mpsc.Sender.asFlowSubscriber()}; as {@link
 * MpscBoundedSubscriberBlackboxTckTest}. Skips: only the 15 tests the TCK marks untested.
 */
public class MpscBoundedFlowSubscriberBlackboxTckTest
        extends FlowSubscriberBlackboxVerification<Integer> {
    public MpscBoundedFlowSubscriberBlackboxTckTest() {
        super(Tck.env());
    }

    @Override
    public Flow.Subscriber<Integer> createFlowSubscriber() {
        return Mpsc.<Integer>channel(16).sender().asFlowSubscriber();
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
