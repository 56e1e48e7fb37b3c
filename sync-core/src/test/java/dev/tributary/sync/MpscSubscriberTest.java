package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Unit tests of {@link Mpsc.Sender#asSubscriber()} and {@link Mpsc.UnboundedSender#asSubscriber()}:
 * demand backed by reserved slots, batching, terminal signals, receiver close, rule violations and
 * bad input. There is no tokio counterpart (a Tributary addition).
 */
@Timeout(30)
class MpscSubscriberTest {

    /** A hand-driven upstream subscription that records the requests and the cancel. */
    static final class Upstream implements Subscription {
        final List<Long> requests = new CopyOnWriteArrayList<>();
        volatile boolean cancelled;

        long total() {
            return requests.stream().mapToLong(Long::longValue).sum();
        }

        @Override
        public void request(long n) {
            requests.add(n);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Test
    void requestsTheFreeCapacityAndNoMore() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(10);
        Mpsc.Sender<Integer> other = ch.sender().clone();
        assertTrue(other.trySend(-1));
        assertTrue(other.trySend(-2));
        Subscriber<Integer> view = ch.sender().asSubscriber();
        Upstream up = new Upstream();
        view.onSubscribe(up);
        assertEquals(List.of(8L), up.requests, "the free capacity, reserved");
        assertEquals(0, other.capacity(), "the view holds the rest as reservations");
        for (int i = 0; i < 8; i++) {
            view.onNext(i); // never waits, never fails
        }
        assertEquals(8L, up.total(), "nothing is free: it waits for the receiver");
        assertEquals(10, ch.receiver().len());
    }

    @Test
    void freedSlotsAreRequestedInBatches() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(8); // window 8, batch 4
        Subscriber<Integer> view = ch.sender().asSubscriber();
        Upstream up = new Upstream();
        view.onSubscribe(up);
        assertEquals(List.of(8L), up.requests);
        for (int i = 0; i < 8; i++) {
            view.onNext(i);
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(i, ch.receiver().tryRecv());
        }
        assertEquals(List.of(8L), up.requests, "3 freed slots are not a batch yet");
        assertEquals(3, ch.receiver().tryRecv());
        assertEquals(List.of(8L, 4L), up.requests, "the 4th freed slot completes the batch");
        for (int i = 0; i < 4; i++) {
            view.onNext(100 + i);
        }
        for (int i = 4; i < 8; i++) {
            assertEquals(i, ch.receiver().tryRecv());
        }
        assertEquals(16L, up.total(), "the next batch of 4 as the receiver freed 4 more");
        assertEquals(100, ch.receiver().tryRecv());
    }

    @Test
    void onNextNeverFailsWithCompetingSenders() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        Mpsc.Sender<Integer> other = ch.sender().clone();
        Subscriber<Integer> view = ch.sender().asSubscriber();
        Upstream up = new Upstream();
        view.onSubscribe(up);
        assertFalse(other.trySend(99), "the view reserved everything");
        CompletableFuture<Void> waiting = other.send(99);
        for (int i = 0; i < 4; i++) {
            view.onNext(i);
        }
        assertEquals(0, ch.receiver().tryRecv());
        assertTrue(waiting.isDone(), "the freed slot went to the sender queued first (FIFO)");
        assertEquals(4L, up.total());
    }

    @Test
    void onCompleteReleasesReservationsThenClosesTheHandle() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(6);
        Subscriber<Integer> view = ch.sender().asSubscriber();
        Upstream up = new Upstream();
        view.onSubscribe(up);
        view.onNext(1);
        view.onComplete();
        assertEquals(0, ch.sender().strongCount());
        assertTrue(ch.receiver().isClosed());
        assertEquals(5, ch.receiver().capacity(), "5 unused reservations came back");
        assertEquals(1, ch.receiver().tryRecv());
        assertThrows(ClosedException.class, () -> ch.receiver().tryRecv());
        assertEquals(6, ch.receiver().capacity());
        assertFalse(up.cancelled);
    }

    @Test
    void onCompleteWithAnotherHandleKeepsTheChannelOpen() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        Mpsc.Sender<Integer> keep = ch.sender().clone();
        Subscriber<Integer> view = ch.sender().asSubscriber();
        view.onSubscribe(new Upstream());
        view.onComplete();
        assertFalse(ch.receiver().isClosed());
        assertEquals(1, keep.strongCount());
        assertEquals(4, keep.capacity());
    }

    @Test
    void onErrorClosesTheChannelWithTheCause() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        Subscriber<Integer> view = ch.sender().asSubscriber();
        view.onSubscribe(new Upstream());
        view.onNext(1);
        RuntimeException cause = new RuntimeException("upstream failed");
        view.onError(cause);
        assertEquals(1, ch.receiver().tryRecv());
        ClosedException e = assertThrows(ClosedException.class, () -> ch.receiver().tryRecv());
        assertSame(cause, e.getCause());
        assertEquals(4, ch.receiver().capacity());
    }

    @Test
    void receiverCloseCancelsUpstreamAndReleasesReservations() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        Subscriber<Integer> view = ch.sender().asSubscriber();
        Upstream up = new Upstream();
        view.onSubscribe(up);
        view.onNext(1);
        ch.receiver().close();
        assertTrue(up.cancelled);
        view.onNext(2); // in flight before the cancel: dropped
        assertEquals(1, ch.receiver().tryRecv());
        assertThrows(ClosedException.class, () -> ch.receiver().tryRecv());
        assertEquals(4, ch.receiver().capacity());
    }

    @Test
    void subscribingToAClosedChannelCancelsAtOnce() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        Subscriber<Integer> view = ch.sender().asSubscriber();
        ch.receiver().close();
        Upstream up = new Upstream();
        view.onSubscribe(up);
        assertTrue(up.cancelled);
        assertEquals(List.of(), up.requests);
    }

    @Test
    void moreOnNextThanRequestedClosesTheChannelNamingRule11() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        Subscriber<Integer> view = ch.sender().asSubscriber();
        Upstream up = new Upstream();
        view.onSubscribe(up);
        view.onNext(1);
        view.onNext(2);
        view.onNext(3); // not requested
        assertTrue(up.cancelled);
        assertEquals(1, ch.receiver().tryRecv());
        assertEquals(2, ch.receiver().tryRecv());
        ClosedException e = assertThrows(ClosedException.class, () -> ch.receiver().tryRecv());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("rule 1.1"), e.getCause().getMessage());
        assertEquals(2, ch.receiver().capacity(), "no slot overused or leaked");
    }

    @Test
    void secondOnSubscribeIsCancelled() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        Subscriber<Integer> view = ch.sender().asSubscriber();
        Upstream first = new Upstream();
        Upstream second = new Upstream();
        view.onSubscribe(first);
        view.onSubscribe(second);
        assertTrue(second.cancelled);
        assertEquals(List.of(), second.requests);
        assertFalse(first.cancelled);
    }

    @Test
    void nullsAreRejected() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        Subscriber<Integer> view = ch.sender().asSubscriber();
        NullPointerException e =
                assertThrows(NullPointerException.class, () -> view.onSubscribe(null));
        assertTrue(e.getMessage().contains("2.13"), e.getMessage());
        view.onSubscribe(new Upstream());
        assertThrows(NullPointerException.class, () -> view.onNext(null));
        assertThrows(NullPointerException.class, () -> view.onError(null));
        assertNull(ch.receiver().tryRecv());
    }

    @Test
    void closedHandleCannotMakeAView() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        ch.sender().clone(); // keep the channel open
        ch.sender().close();
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> ch.sender().asSubscriber());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> ch.sender().asFlowSubscriber());
    }

    @Test
    void unboundedRequestsEverythingAndClosesItsHandle() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        Subscriber<Integer> view = ch.sender().asSubscriber();
        Upstream up = new Upstream();
        view.onSubscribe(up);
        assertEquals(List.of(Long.MAX_VALUE), up.requests);
        for (int i = 0; i < 1000; i++) {
            view.onNext(i);
        }
        view.onComplete();
        assertEquals(0, ch.sender().strongCount());
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, ch.receiver().tryRecv());
        }
        assertThrows(ClosedException.class, () -> ch.receiver().tryRecv());
    }

    @Test
    void unboundedReceiverCloseCancelsUpstream() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        Subscriber<Integer> view = ch.sender().asSubscriber();
        Upstream up = new Upstream();
        view.onSubscribe(up);
        ch.receiver().close();
        assertTrue(up.cancelled);
        view.onNext(1); // dropped, no exception
        assertThrows(ClosedException.class, () -> ch.receiver().tryRecv());
    }

    @Test
    void unboundedOnErrorClosesWithCause() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        Subscriber<Integer> view = ch.sender().asSubscriber();
        view.onSubscribe(new Upstream());
        IllegalStateException cause = new IllegalStateException("x");
        view.onError(cause);
        ClosedException e = assertThrows(ClosedException.class, () -> ch.receiver().tryRecv());
        assertSame(cause, e.getCause());
    }

    @Test
    void upstreamEmittingInsideRequestDoesNotRecurse() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        Subscriber<Integer> view = ch.sender().asSubscriber();
        AtomicInteger depth = new AtomicInteger();
        AtomicInteger maxDepth = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        view.onSubscribe(
                new Subscription() {
                    @Override
                    public void request(long n) {
                        maxDepth.accumulateAndGet(depth.incrementAndGet(), Math::max);
                        for (long i = 0; i < n && next.get() < 100; i++) {
                            view.onNext(next.getAndIncrement()); // synchronous emission
                        }
                        depth.decrementAndGet();
                    }

                    @Override
                    public void cancel() {}
                });
        for (int i = 0; i < 100; i++) {
            assertEquals(i, ch.receiver().tryRecv());
        }
        assertEquals(1, maxDepth.get(), "requests are serialized, not nested");
    }
}
