package dev.tributary.sync.tck;

import dev.tributary.sync.Oneshot;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.SkipException;
import org.testng.annotations.Test;

/**
 * The Flow TCK ({@code FlowPublisherVerification}) for {@link Oneshot.Receiver#asFlowPublisher()}.
 * {@code maxElementsFromPublisher()} is 1, inherent to a oneshot; see {@link
 * OneshotPublisherTckTest}.
 */
public class OneshotFlowPublisherTckTest extends FlowPublisherVerification<Long> {
    public OneshotFlowPublisherTckTest() {
        super(Tck.env(), Tck.PUBLISHER_GC_MILLIS);
    }

    @Override
    public Flow.Publisher<Long> createFlowPublisher(long elements) {
        return OneshotTck.publisher(elements).receiver().asFlowPublisher();
    }

    @Override
    public Flow.Publisher<Long> createFailedFlowPublisher() {
        Oneshot.Channel<Long> ch = Oneshot.channel();
        ch.sender().closeChannel(new RuntimeException("TCK: closed with a cause"));
        return ch.receiver().asFlowPublisher();
    }

    /** Inherent to a oneshot: at most one value. */
    @Override
    public long maxElementsFromPublisher() {
        return 1;
    }

    /**
     * Skipped: cannot apply. A oneshot publisher is unicast by design (the issue specifies it: a
     * second subscriber gets {@code onSubscribe} then {@code onError(IllegalStateException)}), so
     * the optional multi-subscriber behaviour is not offered; {@code OneshotViewTest} checks the
     * rejection itself.
     */
    @Override
    @Test
    public void optional_spec111_maySupportMultiSubscribe() {
        throw new SkipException(UNICAST);
    }

    /**
     * Skipped: cannot apply, unicast by design (see {@link
     * #optional_spec111_maySupportMultiSubscribe}).
     */
    @Override
    @Test
    public void optional_spec111_registeredSubscribersMustReceiveOnNextOrOnCompleteSignals() {
        throw new SkipException(UNICAST);
    }

    private static final String UNICAST =
            "Oneshot.Receiver.asPublisher() is unicast by design: a second subscriber is rejected"
                    + " with onError(IllegalStateException)";
}
