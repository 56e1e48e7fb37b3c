package dev.tributary.sync.tck;

import dev.tributary.sync.Mpsc;
import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.SubscriberWhiteboxVerification;

/**
 * The whitebox subscriber TCK against {@code Mpsc.Sender.asSubscriber()}. The view's demand is the
 * channel's free capacity, so the puppet drives it through the channel: every slot of a capacity-2
 * channel starts reserved by the test, {@code triggerRequest(n)} frees n slots (held permits, then
 * queued messages), and {@code signalCancel} closes the receiver ({@link
 * MpscTckSupport#boundedPuppet}). Skips: only the 13 tests the TCK marks untested.
 */
public class MpscBoundedSubscriberWhiteboxTckTest extends SubscriberWhiteboxVerification<Integer> {
    public MpscBoundedSubscriberWhiteboxTckTest() {
        super(Tck.env());
    }

    @Override
    public Subscriber<Integer> createSubscriber(WhiteboxSubscriberProbe<Integer> probe) {
        Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        Mpsc.PermitIterator<Integer> held = ch.sender().tryReserveMany(2);
        return Tck.probed(
                ch.sender().asSubscriber(),
                probe,
                s -> MpscTckSupport.boundedPuppet(held, ch.receiver()));
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
