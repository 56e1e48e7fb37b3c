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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Unit tests of {@link Mpsc.AbstractReceiver#asPublisher()}: demand, capacity hand-back, terminal
 * signals, unicast rejection, cancellation (nothing lost), and bad input (the allocation check
 * lives in tck-tests' MpscPublisherAllocationTest). There is no tokio counterpart (a Tributary
 * addition).
 */
@Timeout(30)
class MpscPublisherTest {

    /** Records every signal; requests nothing by itself. */
    static final class Recorder<T> implements Subscriber<T> {
        final List<T> items = new CopyOnWriteArrayList<>();
        final List<String> signals = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        volatile Subscription s;
        volatile Throwable error;

        @Override
        public void onSubscribe(Subscription s) {
            this.s = s;
            signals.add("onSubscribe");
        }

        @Override
        public void onNext(T t) {
            items.add(t);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            signals.add("onError");
            done.complete(null);
        }

        @Override
        public void onComplete() {
            signals.add("onComplete");
            done.complete(null);
        }
    }

    @Test
    void deliversAtMostTheDemandInOrder() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(8);
        for (int i = 0; i < 5; i++) {
            assertTrue(ch.sender().trySend(i));
        }
        Recorder<Integer> r = new Recorder<>();
        ch.receiver().asPublisher().subscribe(r);
        assertEquals(List.of(), r.items);
        r.s.request(2);
        assertEquals(List.of(0, 1), r.items);
        r.s.request(10);
        assertEquals(List.of(0, 1, 2, 3, 4), r.items);
        ch.sender().trySend(5); // armed waiter: delivered by the sending thread
        assertEquals(List.of(0, 1, 2, 3, 4, 5), r.items);
        assertEquals(List.of("onSubscribe"), r.signals);
    }

    @Test
    void everyDeliveryFreesCapacityForAWaitingSender() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        assertTrue(ch.sender().trySend(1));
        CompletableFuture<Void> waiting = ch.sender().send(2);
        assertFalse(waiting.isDone());
        Recorder<Integer> r = new Recorder<>();
        ch.receiver().asPublisher().subscribe(r);
        r.s.request(1);
        assertTrue(waiting.isDone(), "the delivery returned the slot to the waiting sender");
        assertEquals(List.of(1), r.items);
        r.s.request(1);
        assertEquals(List.of(1, 2), r.items);
        assertEquals(1, ch.sender().capacity());
    }

    @Test
    void completesWhenClosedAndDrainedEvenWithoutDemand() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        ch.sender().trySend(1);
        ch.sender().close();
        Recorder<Integer> r = new Recorder<>();
        ch.receiver().asPublisher().subscribe(r);
        assertFalse(r.done.isDone(), "a message is still queued");
        r.s.request(1);
        assertEquals(List.of(1), r.items);
        assertEquals(List.of("onSubscribe", "onComplete"), r.signals);
    }

    @Test
    void completesOnLaterCloseWhileArmed() {
        Mpsc.UnboundedChannel<String> ch = Mpsc.unboundedChannel();
        Recorder<String> r = new Recorder<>();
        ch.receiver().asPublisher().subscribe(r);
        r.s.request(5);
        ch.sender().send("a");
        ch.sender().close();
        assertEquals(List.of("a"), r.items);
        assertEquals(List.of("onSubscribe", "onComplete"), r.signals);
    }

    @Test
    void closeChannelCauseIsSignalledItself() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        Recorder<Integer> r = new Recorder<>();
        ch.receiver().asPublisher().subscribe(r);
        ch.sender().trySend(7);
        RuntimeException cause = new RuntimeException("boom");
        ch.sender().closeChannel(cause);
        assertFalse(r.done.isDone(), "7 is still to be delivered first");
        r.s.request(1);
        assertEquals(List.of(7), r.items);
        assertSame(cause, r.error, "the cause itself, not a ClosedException");
    }

    @Test
    void secondSubscriberGetsOnSubscribeThenIllegalState() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        ch.receiver().asPublisher().subscribe(new Recorder<>());
        Recorder<Integer> second = new Recorder<>();
        ch.receiver().asPublisher().subscribe(second);
        assertEquals(List.of("onSubscribe", "onError"), second.signals);
        assertInstanceOf(IllegalStateException.class, second.error);
        assertTrue(second.error.getMessage().contains("unicast"), second.error.getMessage());
        assertFalse(ch.receiver().isClosed(), "the rejection does not touch the live one");
    }

    @Test
    void subscriberWhileRecvPendingIsRejected() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        CompletableFuture<Integer> pending = ch.receiver().recv();
        Recorder<Integer> r = new Recorder<>();
        ch.receiver().asPublisher().subscribe(r);
        assertEquals(List.of("onSubscribe", "onError"), r.signals);
        assertInstanceOf(IllegalStateException.class, r.error);
        ch.sender().trySend(3);
        assertEquals(3, pending.join(), "the pending receive is unaffected");
    }

    @Test
    void receivesFailWhileASubscriptionIsLive() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        ch.receiver().asPublisher().subscribe(new Recorder<>());
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> ch.receiver().tryRecv());
        assertTrue(e.getMessage().contains("asPublisher"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> ch.receiver().recv());
    }

    @Test
    void cancelClosesTheReceiverAndLosesNothing() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        for (int i = 0; i < 4; i++) {
            ch.sender().trySend(i);
        }
        Recorder<Integer> r = new Recorder<>();
        ch.receiver().asPublisher().subscribe(r);
        r.s.request(1);
        r.s.cancel();
        assertTrue(ch.receiver().isClosed());
        assertThrows(ClosedException.class, () -> ch.sender().trySend(9));
        assertEquals(List.of(0), r.items);
        assertEquals(1, ch.receiver().tryRecv());
        assertEquals(2, ch.receiver().tryRecv());
        assertEquals(3, ch.receiver().tryRecv());
        assertThrows(ClosedException.class, () -> ch.receiver().tryRecv());
        assertEquals(4, ch.sender().capacity());
        r.s.request(5); // no-op after cancel (rule 3.6)
        assertEquals(List.of(0), r.items);
        assertEquals(List.of("onSubscribe"), r.signals);
    }

    @Test
    void aNewSubscriberAfterCancelGetsTheRestThenCompletes() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        ch.sender().trySend(1);
        ch.sender().trySend(2);
        Recorder<Integer> first = new Recorder<>();
        ch.receiver().asPublisher().subscribe(first);
        first.s.request(1);
        first.s.cancel();
        Recorder<Integer> second = new Recorder<>();
        ch.receiver().asPublisher().subscribe(second);
        second.s.request(Long.MAX_VALUE);
        assertEquals(List.of(1), first.items);
        assertEquals(List.of(2), second.items);
        assertEquals(List.of("onSubscribe", "onComplete"), second.signals);
    }

    @Test
    void nonPositiveRequestSignalsIllegalArgumentAndClosesReceiver() {
        for (long n : new long[] {0, -1, Long.MIN_VALUE}) {
            Mpsc.Channel<Integer> ch = Mpsc.channel(4);
            ch.sender().trySend(1);
            Recorder<Integer> r = new Recorder<>();
            ch.receiver().asPublisher().subscribe(r);
            r.s.request(n);
            assertInstanceOf(IllegalArgumentException.class, r.error);
            assertTrue(r.error.getMessage().contains("3.9"), r.error.getMessage());
            assertTrue(ch.receiver().isClosed());
            assertEquals(1, ch.receiver().tryRecv(), "the queued message is kept");
        }
    }

    @Test
    void nullSubscriberThrowsNpe() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        NullPointerException e =
                assertThrows(
                        NullPointerException.class,
                        () -> ch.receiver().asPublisher().subscribe(null));
        assertTrue(e.getMessage().contains("1.9"), e.getMessage());
        assertThrows(
                NullPointerException.class, () -> ch.receiver().asFlowPublisher().subscribe(null));
        assertNull(ch.receiver().tryRecv(), "nothing was attached");
    }

    @Test
    void throwingOnNextCancelsAndNeverReachesTheSender() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        AtomicInteger calls = new AtomicInteger();
        Thread.UncaughtExceptionHandler old = Thread.currentThread().getUncaughtExceptionHandler();
        List<Throwable> reported = new ArrayList<>();
        Thread.currentThread().setUncaughtExceptionHandler((t, e) -> reported.add(e));
        try {
            ch.receiver()
                    .asPublisher()
                    .subscribe(
                            new Subscriber<Integer>() {
                                @Override
                                public void onSubscribe(Subscription s) {
                                    s.request(10);
                                }

                                @Override
                                public void onNext(Integer v) {
                                    calls.incrementAndGet();
                                    throw new IllegalStateException("broken subscriber");
                                }

                                @Override
                                public void onError(Throwable t) {}

                                @Override
                                public void onComplete() {}
                            });
            assertTrue(ch.sender().trySend(1), "the sender does not see the subscriber's failure");
        } finally {
            Thread.currentThread().setUncaughtExceptionHandler(old);
        }
        assertEquals(1, calls.get());
        assertEquals(1, reported.size());
        assertTrue(ch.receiver().isClosed(), "treated as cancelled (rule 2.13)");
    }

    @Test
    void requestFromOnNextDoesNotRecurse() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(64);
        for (int i = 0; i < 64; i++) {
            ch.sender().trySend(i);
        }
        AtomicInteger depth = new AtomicInteger();
        AtomicInteger maxDepth = new AtomicInteger();
        List<Integer> got = new ArrayList<>();
        ch.receiver()
                .asPublisher()
                .subscribe(
                        new Subscriber<Integer>() {
                            Subscription s;

                            @Override
                            public void onSubscribe(Subscription s) {
                                this.s = s;
                                s.request(1);
                            }

                            @Override
                            public void onNext(Integer v) {
                                maxDepth.accumulateAndGet(depth.incrementAndGet(), Math::max);
                                got.add(v);
                                s.request(1);
                                depth.decrementAndGet();
                            }

                            @Override
                            public void onError(Throwable t) {}

                            @Override
                            public void onComplete() {}
                        });
        assertEquals(64, got.size());
        assertEquals(1, maxDepth.get(), "rule 3.3");
    }

    @Test
    void flowViewDelivers() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        ch.sender().send(1);
        ch.sender().close();
        List<Object> got = new ArrayList<>();
        ch.receiver()
                .asFlowPublisher()
                .subscribe(
                        new Flow.Subscriber<Integer>() {
                            @Override
                            public void onSubscribe(Flow.Subscription s) {
                                s.request(5);
                            }

                            @Override
                            public void onNext(Integer item) {
                                got.add(item);
                            }

                            @Override
                            public void onError(Throwable t) {
                                got.add(t);
                            }

                            @Override
                            public void onComplete() {
                                got.add("done");
                            }
                        });
        assertEquals(List.of(1, "done"), got);
    }

    @Test
    void theLastPermitReturnedAfterCloseEndsTheStream() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        Mpsc.Permit<Integer> permit = ch.sender().tryReserve();
        Mpsc.Permit<Integer> unused = ch.sender().tryReserve();
        ch.sender().close();
        Recorder<Integer> r = new Recorder<>();
        ch.receiver().asPublisher().subscribe(r);
        r.s.request(5);
        assertFalse(r.done.isDone(), "two permits may still send");
        permit.send(1); // a permit survives close
        assertEquals(List.of(1), r.items);
        assertFalse(r.done.isDone());
        unused.close(); // the releasing thread runs the armed view: end of stream
        assertEquals(List.of("onSubscribe", "onComplete"), r.signals);
    }

    @Test
    void unboundedCloseChannelCauseIsSignalledItself() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        Recorder<Integer> r = new Recorder<>();
        ch.receiver().asPublisher().subscribe(r);
        IllegalStateException cause = new IllegalStateException("cause");
        ch.sender().closeChannel(cause);
        assertSame(cause, r.error, "no demand needed for the terminal signal");
        assertEquals(List.of("onSubscribe", "onError"), r.signals);
    }
}
