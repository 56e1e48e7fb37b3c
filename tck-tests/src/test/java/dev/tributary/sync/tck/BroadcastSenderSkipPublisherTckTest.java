package dev.tributary.sync.tck;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.LagPolicy;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.testng.annotations.AfterMethod;

/**
 * The Reactive Streams TCK against the multicast {@code
 * Broadcast.Sender.asPublisher(LagPolicy.SKIP)}: a fresh channel per publisher, driven by {@link
 * BroadcastTck} (sends once a subscriber first requests, paced so that nothing lags, then closes).
 * No {@code maxElementsFromPublisher} cap: the paced driver serves the {@code
 * Long.MAX_VALUE}-element tests too. Every required and optional test applies (the view is
 * multicast); only the TCK's own untested ones are skipped.
 */
public class BroadcastSenderSkipPublisherTckTest extends PublisherVerification<Integer> {
    private final BroadcastTck tck = new BroadcastTck();

    public BroadcastSenderSkipPublisherTckTest() {
        super(Tck.env(), Tck.PUBLISHER_GC_MILLIS);
    }

    @Override
    public Publisher<Integer> createPublisher(long n) {
        return tck.startingOnFirstRequest(n, tx -> tx.asPublisher(LagPolicy.SKIP));
    }

    /** A channel closed with a cause before anyone subscribed: onSubscribe, then onError(cause). */
    @Override
    public Publisher<Integer> createFailedPublisher() {
        Broadcast.Sender<Integer> tx = Broadcast.sender(4);
        Publisher<Integer> p = tx.asPublisher(LagPolicy.SKIP);
        tx.closeChannel(new IllegalStateException("closed by the TCK test"));
        return p;
    }

    @AfterMethod
    public void stopDrivers() {
        tck.stopAll();
    }
}
