package dev.tributary.sync.tck;

import dev.tributary.sync.Oneshot;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.PublisherVerification;
import org.testng.SkipException;
import org.testng.annotations.Test;

/**
 * {@code PublisherVerification} for {@link Oneshot.Receiver#asPublisher()} when the value (or the
 * close) arrives only after the first subscriber subscribed: the path where the view waits with its
 * wake-up and the sender's {@code send}/{@code close}/{@code closeChannel} drives {@code onNext}
 * and the terminal signal. {@link OneshotPublisherTckTest} covers the value already being there.
 *
 * <p>The publisher returned by {@code createPublisher} is the view itself behind a wrapper that,
 * right after the first {@code subscribe} returned, completes the sender side on the subscribing
 * thread; every signal still comes from the view. {@code maxElementsFromPublisher()} is 1, inherent
 * to a oneshot (see {@link OneshotPublisherTckTest}); the two optional multi-subscriber tests are
 * skipped, the view being unicast by design.
 */
public class OneshotLateValuePublisherTckTest extends PublisherVerification<Long> {
    public OneshotLateValuePublisherTckTest() {
        super(Tck.env(), Tck.PUBLISHER_GC_MILLIS);
    }

    @Override
    public Publisher<Long> createPublisher(long elements) {
        if (elements > 1) {
            throw new IllegalArgumentException("a oneshot has 0 or 1 element, asked " + elements);
        }
        return late(
                tx -> {
                    if (elements == 1) {
                        tx.send(0L);
                    } else {
                        tx.close();
                    }
                });
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        return late(tx -> tx.closeChannel(new RuntimeException("TCK: closed with a cause")));
    }

    private static Publisher<Long> late(Consumer<Oneshot.Sender<Long>> then) {
        Oneshot.Channel<Long> ch = Oneshot.channel();
        Publisher<Long> view = ch.receiver().asPublisher();
        AtomicBoolean first = new AtomicBoolean();
        return new Publisher<>() {
            @Override
            public void subscribe(Subscriber<? super Long> s) {
                view.subscribe(s);
                if (first.compareAndSet(false, true)) {
                    then.accept(ch.sender());
                }
            }
        };
    }

    /** Inherent to a oneshot: at most one value. */
    @Override
    public long maxElementsFromPublisher() {
        return 1;
    }

    /** Skipped: cannot apply, unicast by design (see {@link OneshotPublisherTckTest}). */
    @Override
    @Test
    public void optional_spec111_maySupportMultiSubscribe() {
        throw new SkipException(UNICAST);
    }

    /** Skipped: cannot apply, unicast by design (see {@link OneshotPublisherTckTest}). */
    @Override
    @Test
    public void optional_spec111_registeredSubscribersMustReceiveOnNextOrOnCompleteSignals() {
        throw new SkipException(UNICAST);
    }

    private static final String UNICAST =
            "Oneshot.Receiver.asPublisher() is unicast by design: a second subscriber is rejected"
                    + " with onError(IllegalStateException)";
}
