package dev.tributary.sync.tck;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.LagPolicy;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterMethod;

/**
 * The Flow TCK against the unicast {@code Broadcast.Receiver.asFlowPublisher(LagPolicy.ERROR)}: a
 * fresh channel per publisher whose receiver is the view's; a {@link BroadcastTck} driver sends
 * from the start (the receiver exists, so nothing is missed), paced so that nothing lags, then
 * closes. No {@code maxElementsFromPublisher} cap.
 *
 * <p>Skipped because they cannot apply to a unicast view (a second subscriber gets {@code
 * onSubscribe} then {@code onError(IllegalStateException)}, which the TCK's multi-subscriber tests
 * treat as "optional requirement not implemented"): {@code
 * optional_spec111_maySupportMultiSubscribe}, {@code
 * optional_spec111_registeredSubscribersMustReceiveOnNextOrOnCompleteSignals}, {@code
 * optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingOneByOne},
 * {@code
 * optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingManyUpfront}
 * and {@code
 * optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingManyUpfrontAndCompleteAsExpected}.
 * The multicast form is {@code Broadcast.Sender.asPublisher}, verified with all of them.
 */
public class BroadcastReceiverFlowPublisherTckTest extends FlowPublisherVerification<Integer> {
    private final BroadcastTck tck = new BroadcastTck();

    public BroadcastReceiverFlowPublisherTckTest() {
        super(Tck.env(), Tck.PUBLISHER_GC_MILLIS);
    }

    @Override
    public Flow.Publisher<Integer> createFlowPublisher(long n) {
        return tck.startedChannel(n).receiver().asFlowPublisher(LagPolicy.ERROR);
    }

    /** A channel closed with a cause before anyone subscribed: onSubscribe, then onError(cause). */
    @Override
    public Flow.Publisher<Integer> createFailedFlowPublisher() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Flow.Publisher<Integer> p = ch.receiver().asFlowPublisher(LagPolicy.ERROR);
        ch.sender().closeChannel(new IllegalStateException("closed by the TCK test"));
        return p;
    }

    @AfterMethod
    public void stopDrivers() {
        tck.stopAll();
    }
}
