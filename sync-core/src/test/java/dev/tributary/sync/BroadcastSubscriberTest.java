package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Unit tests of {@link Broadcast.Sender#asSubscriber()}: unbounded demand, onNext sends, values
 * sent with no receiver are dropped, onComplete closes the handle, onError closes the channel with
 * the cause, a closed channel cancels upstream. A Tributary addition: no tokio test to port.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BroadcastSubscriberTest {

    /** An upstream subscription that records what the view asks of it. */
    static final class Upstream implements Subscription {
        final List<Long> requests = new ArrayList<>();
        int cancels;

        @Override
        public void request(long n) {
            requests.add(n);
        }

        @Override
        public void cancel() {
            cancels++;
        }
    }

    @Test
    void requestsUnboundedAndSendsEachElement() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(8);
        Broadcast.Receiver<Integer> rx2 = ch.sender().subscribe();
        Subscriber<Integer> s = ch.sender().asSubscriber();
        Upstream up = new Upstream();
        s.onSubscribe(up);
        assertEquals(List.of(Long.MAX_VALUE), up.requests);
        s.onNext(1);
        s.onNext(2);
        assertEquals(1, ch.receiver().tryRecv());
        assertEquals(2, ch.receiver().tryRecv());
        assertEquals(1, rx2.tryRecv());
        assertEquals(0, up.cancels);
    }

    @Test
    void aValueSentWithNoReceiverIsDroppedAndTheViewKeepsGoing() {
        Broadcast.Sender<Integer> tx = Broadcast.sender(4);
        Subscriber<Integer> s = tx.clone().asSubscriber();
        Upstream up = new Upstream();
        s.onSubscribe(up);
        s.onNext(1); // nobody subscribed: send fails, the value is dropped
        assertEquals(0, up.cancels);
        Broadcast.Receiver<Integer> late = tx.subscribe();
        s.onNext(2);
        assertEquals(2, late.tryRecv());
        assertNull(late.tryRecv());
        assertEquals(0, up.cancels);
    }

    @Test
    void aChannelClosedElsewhereCancelsUpstream() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Sender<Integer> other = ch.sender().clone();
        Subscriber<Integer> s = ch.sender().asSubscriber();
        Upstream up = new Upstream();
        s.onSubscribe(up);
        other.closeChannel(new RuntimeException("stop"));
        s.onNext(1);
        assertEquals(1, up.cancels);
        s.onNext(2); // rule 2.8: still accepted after cancel, ignored
        assertEquals(1, up.cancels);
        assertThrows(ClosedException.class, ch.receiver()::tryRecv);
    }

    @Test
    void theUserClosingTheHandleCancelsUpstream() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Sender<Integer> tx = ch.sender().clone();
        Subscriber<Integer> s = tx.asSubscriber();
        Upstream up = new Upstream();
        s.onSubscribe(up);
        tx.close();
        s.onNext(1);
        assertEquals(1, up.cancels);
        assertNull(ch.receiver().tryRecv());
    }

    @Test
    void onCompleteClosesThisHandleOnly() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Sender<Integer> tx = ch.sender().clone();
        Subscriber<Integer> s = tx.asSubscriber();
        s.onSubscribe(new Upstream());
        s.onNext(1);
        s.onComplete();
        assertEquals(1, ch.sender().strongCount());
        assertFalse(ch.receiver().isClosed(), "another strong handle keeps the channel open");
        assertThrows(IllegalStateException.class, () -> tx.send(2), "this handle is closed");
        ch.sender().close();
        assertEquals(1, ch.receiver().tryRecv());
        assertThrows(ClosedException.class, ch.receiver()::tryRecv);
    }

    @Test
    void onCompleteOfTheLastHandleClosesTheChannel() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Subscriber<Integer> s = ch.sender().asSubscriber();
        s.onSubscribe(new Upstream());
        s.onComplete();
        assertTrue(ch.receiver().isClosed());
        ClosedException end = assertThrows(ClosedException.class, ch.receiver()::tryRecv);
        assertNull(end.getCause());
    }

    @Test
    void onErrorClosesTheChannelWithTheCause() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Sender<Integer> other = ch.sender().clone();
        Subscriber<Integer> s = ch.sender().asSubscriber();
        s.onSubscribe(new Upstream());
        s.onNext(1);
        IllegalStateException cause = new IllegalStateException("upstream failed");
        s.onError(cause);
        assertTrue(ch.receiver().isClosed(), "closed for every handle, not only this one");
        assertThrows(ClosedException.class, () -> other.send(2));
        assertEquals(1, ch.receiver().tryRecv());
        ClosedException end = assertThrows(ClosedException.class, ch.receiver()::tryRecv);
        assertSame(cause, end.getCause());
    }

    @Test
    void onErrorOnAClosedHandleIsHarmless() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Sender<Integer> tx = ch.sender().clone();
        Subscriber<Integer> s = tx.asSubscriber();
        s.onSubscribe(new Upstream());
        tx.close();
        s.onError(new RuntimeException("late"));
        assertFalse(ch.receiver().isClosed());
    }

    @Test
    void publisherViewsSeeTheCauseOfOnError() {
        Broadcast.Sender<Integer> tx = Broadcast.sender(4);
        BroadcastPublisherTest.Recorder<Integer> r = new BroadcastPublisherTest.Recorder<>(10);
        tx.asPublisher(LagPolicy.ERROR).subscribe(r);
        Subscriber<Integer> s = tx.asSubscriber();
        s.onSubscribe(new Upstream());
        s.onNext(5);
        RuntimeException cause = new RuntimeException("x");
        s.onError(cause);
        assertEquals(List.of(5), r.values);
        assertSame(cause, r.error);
    }

    @Test
    void aSecondOnSubscribeIsCancelled() {
        Subscriber<Integer> s = Broadcast.<Integer>sender(4).asSubscriber();
        Upstream first = new Upstream();
        Upstream second = new Upstream();
        s.onSubscribe(first);
        s.onSubscribe(second);
        assertEquals(0, first.cancels);
        assertEquals(1, second.cancels);
        assertTrue(second.requests.isEmpty());
    }

    @Test
    void nullArgumentsThrowNullPointerException() {
        Subscriber<Integer> s = Broadcast.<Integer>sender(4).asSubscriber();
        NullPointerException e =
                assertThrows(NullPointerException.class, () -> s.onSubscribe(null));
        assertTrue(e.getMessage().contains("2.13"), e.getMessage());
        s.onSubscribe(new Upstream());
        assertThrows(NullPointerException.class, () -> s.onNext(null));
        assertThrows(NullPointerException.class, () -> s.onError(null));
    }

    @Test
    void flowFormSends() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Flow.Subscriber<Integer> fs = ch.sender().asFlowSubscriber();
        List<Long> requests = new ArrayList<>();
        fs.onSubscribe(
                new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                        requests.add(n);
                    }

                    @Override
                    public void cancel() {}
                });
        fs.onNext(3);
        fs.onComplete();
        assertEquals(List.of(Long.MAX_VALUE), requests);
        assertEquals(3, ch.receiver().tryRecv());
        assertInstanceOf(
                ClosedException.class, assertThrows(ClosedException.class, ch.receiver()::tryRecv));
    }
}
