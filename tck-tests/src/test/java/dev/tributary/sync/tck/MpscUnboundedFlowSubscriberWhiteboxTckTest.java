package dev.tributary.sync.tck;

import dev.tributary.sync.Mpsc;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowSubscriberWhiteboxVerification;

/**
 * The Flow whitebox subscriber TCK against {@code Mpsc.UnboundedSender.asFlowSubscriber()}; driven
 * as in {@link MpscUnboundedSubscriberWhiteboxTckTest}. Skips: only the 13 tests the TCK marks
 * untested.
 */
public class MpscUnboundedFlowSubscriberWhiteboxTckTest
        extends FlowSubscriberWhiteboxVerification<Integer> {
    public MpscUnboundedFlowSubscriberWhiteboxTckTest() {
        super(Tck.env());
    }

    @Override
    protected Flow.Subscriber<Integer> createFlowSubscriber(
            WhiteboxSubscriberProbe<Integer> probe) {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        return Tck.probedFlow(
                ch.sender().asFlowSubscriber(),
                probe,
                s -> MpscTckSupport.unboundedPuppet(ch.receiver()));
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
