package dev.tributary.sync.tck;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;

/**
 * The Reactive Streams TCK against {@code Mpsc.Receiver.asPublisher()} of a bounded channel
 * (capacity {@link MpscTckSupport#CAPACITY}) fed by async sends: a fresh channel per {@code
 * createPublisher(n)} holding n elements, then closed; the failed publisher is a channel closed
 * with a cause.
 *
 * <p>Skips besides the 7 the TCK marks untested: the optional rule 1.11 tests that need several
 * subscribers at once ({@code optional_spec111_maySupportMultiSubscribe}, {@code
 * optional_spec111_registeredSubscribersMustReceiveOnNextOrOnCompleteSignals} and the three {@code
 * optional_spec111_multicast_*}) do not apply: the view is unicast by design (one consumer per
 * channel), so the second subscriber gets {@code onError(IllegalStateException)}, which the TCK
 * reports as "optional requirement not implemented" (skipped). No {@code maxElementsFromPublisher}
 * cap.
 */
public class MpscBoundedPublisherTckTest extends PublisherVerification<Long> {
    public MpscBoundedPublisherTckTest() {
        super(Tck.env(), Tck.PUBLISHER_GC_MILLIS);
    }

    @Override
    public Publisher<Long> createPublisher(long elements) {
        return MpscTckSupport.boundedSource(elements).asPublisher();
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        return MpscTckSupport.failedBounded().asPublisher();
    }
}
