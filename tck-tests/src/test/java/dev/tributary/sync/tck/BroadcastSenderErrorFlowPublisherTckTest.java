package dev.tributary.sync.tck;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.LagPolicy;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterMethod;

/**
 * The Flow TCK against the multicast {@code Broadcast.Sender.asFlowPublisher(LagPolicy.ERROR)}: a
 * fresh channel per publisher, driven by {@link BroadcastTck} (sends once a subscriber first
 * requests, paced so that nothing lags, then closes). No {@code maxElementsFromPublisher} cap: the
 * paced driver serves the {@code Long.MAX_VALUE}-element tests too. Every required and optional
 * test applies (the view is multicast); only the TCK's own untested ones are skipped.
 */
public class BroadcastSenderErrorFlowPublisherTckTest extends FlowPublisherVerification<Integer> {
    private final BroadcastTck tck = new BroadcastTck();

    public BroadcastSenderErrorFlowPublisherTckTest() {
        super(Tck.env(), Tck.PUBLISHER_GC_MILLIS);
    }

    @Override
    public Flow.Publisher<Integer> createFlowPublisher(long n) {
        return tck.flowStartingOnFirstRequest(n, tx -> tx.asFlowPublisher(LagPolicy.ERROR));
    }

    /** A channel closed with a cause before anyone subscribed: onSubscribe, then onError(cause). */
    @Override
    public Flow.Publisher<Integer> createFailedFlowPublisher() {
        Broadcast.Sender<Integer> tx = Broadcast.sender(4);
        Flow.Publisher<Integer> p = tx.asFlowPublisher(LagPolicy.ERROR);
        tx.closeChannel(new IllegalStateException("closed by the TCK test"));
        return p;
    }

    @AfterMethod
    public void stopDrivers() {
        tck.stopAll();
    }
}
