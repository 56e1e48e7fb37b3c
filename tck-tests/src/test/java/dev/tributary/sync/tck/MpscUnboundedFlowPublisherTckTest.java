package dev.tributary.sync.tck;

import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

/**
 * The Flow TCK against {@code asFlowPublisher()} of an unbounded channel; as {@link
 * MpscUnboundedPublisherTckTest}.
 *
 * <p>Skips besides the 7 the TCK marks untested: the optional rule 1.11 tests that need several
 * subscribers at once ({@code optional_spec111_maySupportMultiSubscribe}, {@code
 * optional_spec111_registeredSubscribersMustReceiveOnNextOrOnCompleteSignals} and the three {@code
 * optional_spec111_multicast_*}) do not apply: the view is unicast by design (one consumer per
 * channel), so the second subscriber gets {@code onError(IllegalStateException)}, which the TCK
 * reports as "optional requirement not implemented" (skipped). No {@code maxElementsFromPublisher}
 * cap.
 */
public class MpscUnboundedFlowPublisherTckTest extends FlowPublisherVerification<Long> {
    public MpscUnboundedFlowPublisherTckTest() {
        super(Tck.env(), Tck.PUBLISHER_GC_MILLIS);
    }

    @Override
    public Flow.Publisher<Long> createFlowPublisher(long elements) {
        return MpscTckSupport.unboundedSource(elements).asFlowPublisher();
    }

    @Override
    public Flow.Publisher<Long> createFailedFlowPublisher() {
        return MpscTckSupport.failedUnbounded().asFlowPublisher();
    }
}
