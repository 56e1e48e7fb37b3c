package dev.tributary.sync.tck;

import dev.tributary.sync.Oneshot;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.testng.SkipException;
import org.testng.annotations.Test;

/**
 * {@code PublisherVerification} for {@link Oneshot.Receiver#asPublisher()}.
 *
 * <p>{@code maxElementsFromPublisher()} is 1, and that cap is inherent: a oneshot channel carries
 * at most one value, so its publisher is a stream of 0 or 1 element. The TCK therefore skips the
 * tests that need 2 or more elements (it reports them as skipped, saying the publisher cannot
 * produce that many); the element-count, demand and cancel logic they would check is the same
 * {@code DrainSubscription} the multi-element views run through, and the single-element paths are
 * covered here and by {@code OneshotViewTest}.
 */
public class OneshotPublisherTckTest extends PublisherVerification<Long> {
    public OneshotPublisherTckTest() {
        super(Tck.env(), Tck.PUBLISHER_GC_MILLIS);
    }

    /** 0: the sender closed without a value; 1: the value 0 was sent. Never more (see above). */
    @Override
    public Publisher<Long> createPublisher(long elements) {
        return OneshotTck.publisher(elements).receiver().asPublisher();
    }

    /** The sender closed the channel with a cause: {@code onSubscribe}, then {@code onError}. */
    @Override
    public Publisher<Long> createFailedPublisher() {
        Oneshot.Channel<Long> ch = Oneshot.channel();
        ch.sender().closeChannel(new RuntimeException("TCK: closed with a cause"));
        return ch.receiver().asPublisher();
    }

    /** Inherent to a oneshot: at most one value (see the class comment). */
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
