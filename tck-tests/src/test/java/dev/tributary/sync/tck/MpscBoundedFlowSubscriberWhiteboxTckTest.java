package dev.tributary.sync.tck;

import dev.tributary.sync.Mpsc;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowSubscriberWhiteboxVerification;

/**
 * The Flow whitebox subscriber TCK against {@code Mpsc.Sender.asFlowSubscriber()}; driven as in
 * {@link MpscBoundedSubscriberWhiteboxTckTest}. Skips: only the 13 tests the TCK marks untested.
 */
public class MpscBoundedFlowSubscriberWhiteboxTckTest
        extends FlowSubscriberWhiteboxVerification<Integer> {
    public MpscBoundedFlowSubscriberWhiteboxTckTest() {
        super(Tck.env());
    }

    @Override
    protected Flow.Subscriber<Integer> createFlowSubscriber(
            WhiteboxSubscriberProbe<Integer> probe) {
        Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        Mpsc.PermitIterator<Integer> held = ch.sender().tryReserveMany(2);
        return Tck.probedFlow(
                ch.sender().asFlowSubscriber(),
                probe,
                s -> MpscTckSupport.boundedPuppet(held, ch.receiver()));
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
