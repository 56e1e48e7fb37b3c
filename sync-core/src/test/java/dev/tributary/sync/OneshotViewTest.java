package dev.tributary.sync;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The Reactive Streams views of {@link Oneshot}: {@link Oneshot.Receiver#asPublisher()} (0..1
 * element, unicast, cancel loses nothing) and {@link Oneshot.Sender#asSubscriber()} (takes one
 * value). A Tributary addition, so no tokio test file to port from; the TCK runs in tck-tests.
 */
@Timeout(30)
class OneshotViewTest {

    /** A subscription that counts requests and cancels, for driving the subscriber view. */
    static final class CountingSubscription implements Subscription {
        final AtomicInteger cancels = new AtomicInteger();
        volatile long requested;

        @Override
        public void request(long n) {
            requested += n;
        }

        @Override
        public void cancel() {
            cancels.incrementAndGet();
        }
    }

    private static Throwable failure(CompletableFuture<?> f) {
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return e.getCause();
    }

    // ---- publisher ----

    @Test
    void valueSentBeforeSubscribeIsDeliveredOnDemandThenCompletes() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.sender().send("v");
        WatchRecorder<String> r = new WatchRecorder<>();
        ch.receiver().asPublisher().subscribe(r);
        assertEquals(List.of(), r.values, "nothing before demand");
        assertFalse(r.isDone());
        assertFalse(ch.receiver().isEmpty(), "the value stays in the channel until demand");
        r.request(1);
        r.awaitDone();
        assertEquals(List.of("v"), r.values);
        assertTrue(r.completed);
        assertSame(Thread.currentThread(), r.threads.get(0), "delivered by the requesting thread");
        assertTrue(ch.sender().isClosed(), "the view closes the receiver when it is done");
        assertTrue(ch.receiver().isTerminated());
        r.assertNoViolations();
    }

    @Test
    void valueSentLaterIsDeliveredOnTheSendingThread() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        WatchRecorder<String> r = new WatchRecorder<>(1);
        ch.receiver().asPublisher().subscribe(r);
        assertNull(ch.receiver().core.rxWaiter, "the view registers no receive waiter");
        Thread t = new Thread(() -> ch.sender().send("late"), "sender");
        t.start();
        t.join();
        r.awaitDone();
        assertEquals(List.of("late"), r.values);
        assertSame(t, r.threads.get(0));
        assertTrue(r.completed);
        assertNull(ch.receiver().core.viewWake, "the wake-up was consumed");
        r.assertNoViolations();
    }

    @Test
    void senderClosedWithoutValueCompletesEmptyWithoutDemand() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        WatchRecorder<String> r = new WatchRecorder<>();
        ch.receiver().asPublisher().subscribe(r);
        ch.sender().close();
        r.awaitDone();
        assertTrue(r.completed);
        assertEquals(List.of(), r.values);
        r.assertNoViolations();
    }

    @Test
    void closeChannelCauseIsSignalledItselfWithoutDemand() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        RuntimeException cause = new RuntimeException("boom");
        ch.sender().closeChannel(cause);
        WatchRecorder<String> r = new WatchRecorder<>();
        ch.receiver().asPublisher().subscribe(r);
        r.awaitDone();
        assertSame(cause, r.error);
        r.assertNoViolations();
    }

    @Test
    void secondSubscriberGetsOnSubscribeThenIllegalStateException() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        Publisher<String> p = ch.receiver().asPublisher();
        WatchRecorder<String> first = new WatchRecorder<>();
        p.subscribe(first);
        for (Publisher<String> q : List.of(p, ch.receiver().asPublisher())) {
            WatchRecorder<String> second = new WatchRecorder<>();
            q.subscribe(second);
            second.awaitDone();
            assertEquals(1, second.onSubscribeCalls);
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, second.error);
            assertTrue(e.getMessage().contains("allows one subscriber"), e.getMessage());
            second.assertNoViolations();
        }
        ch.sender().send("v");
        first.request(1);
        first.awaitDone();
        assertEquals(List.of("v"), first.values, "the first subscriber is unaffected");
    }

    @Test
    void throwingOnNextClosesTheReceiverAndNeverReachesTheRequester() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.sender().send("v");
        WatchRecorder<String> r =
                new WatchRecorder<>() {
                    @Override
                    public void onNext(String t) {
                        throw new IllegalStateException("broken onNext");
                    }
                };
        ch.receiver().asPublisher().subscribe(r);
        List<Throwable> reported = new ArrayList<>();
        Thread th = Thread.currentThread();
        Thread.UncaughtExceptionHandler previous = th.getUncaughtExceptionHandler();
        th.setUncaughtExceptionHandler((t, e) -> reported.add(e));
        try {
            r.request(1); // rule 2.13: treated as cancel, not thrown at the requester
        } finally {
            th.setUncaughtExceptionHandler(previous);
        }
        assertEquals(1, reported.size());
        assertEquals("broken onNext", reported.get(0).getMessage());
        assertTrue(ch.sender().isClosed(), "the broken subscription closed the receiver");
        assertFalse(r.isDone(), "no terminal signal after the throw");
    }

    @Test
    void cancelBeforeDemandLeavesTheValueReadable() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.sender().send("kept");
        WatchRecorder<String> r = new WatchRecorder<>();
        ch.receiver().asPublisher().subscribe(r);
        r.cancel();
        assertTrue(ch.sender().isClosed(), "cancel closes the receiver");
        assertEquals("kept", ch.receiver().tryRecv(), "a value sent before the close stays");
        assertEquals(List.of(), r.values);
        assertFalse(r.isDone());
    }

    @Test
    void cancelWhileEmptyClosesTheReceiverAndWithdrawsTheWake() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        CompletableFuture<Void> closed = ch.sender().closed();
        WatchRecorder<String> r = new WatchRecorder<>(1);
        ch.receiver().asPublisher().subscribe(r);
        assertTrue(ch.receiver().core.viewWake != null, "waiting with the wake-up");
        r.cancel();
        assertNull(ch.receiver().core.viewWake, "rule 3.13: the channel drops the subscription");
        closed.get(10, TimeUnit.SECONDS);
        assertThrows(ClosedException.class, () -> ch.sender().send("x"));
        assertFalse(r.isDone(), "no signal after cancel");
        assertEquals(List.of(), r.values);
    }

    @Test
    void cancelledSubscriberIsDroppedByTheChannel() {
        // Rule 3.13, which the TCK cannot check here (its test needs 3 elements): after cancel,
        // nothing reachable from the channel references the subscriber.
        Oneshot.Channel<String> ch = Oneshot.channel();
        WatchRecorder<String> r = new WatchRecorder<>(1);
        ch.receiver().asPublisher().subscribe(r);
        java.lang.ref.WeakReference<WatchRecorder<String>> ref =
                new java.lang.ref.WeakReference<>(r);
        r.cancel();
        r = null;
        await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> {
                            System.gc();
                            return ref.get() == null;
                        });
        assertTrue(ch.sender().isClosed());
    }

    @Test
    void receiverClosedDirectlyCompletesTheView() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        WatchRecorder<String> r = new WatchRecorder<>(1);
        ch.receiver().asPublisher().subscribe(r);
        ch.receiver().close();
        r.awaitDone();
        assertTrue(r.completed);
        r.assertNoViolations();
    }

    @Test
    void aPendingReceiveOfTheUserFailsTheSubscription() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        CompletableFuture<String> mine = ch.receiver().recv();
        WatchRecorder<String> r = new WatchRecorder<>();
        ch.receiver().asPublisher().subscribe(r);
        r.awaitDone();
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, r.error);
        assertTrue(e.getMessage().contains("no pending receive"), e.getMessage());
        ch.sender().send("v");
        assertEquals("v", mine.get(10, TimeUnit.SECONDS), "the user's receive is left alone");
    }

    @Test
    void aValueTakenDirectlyFailsTheSubscription() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        WatchRecorder<String> r = new WatchRecorder<>();
        ch.receiver().asPublisher().subscribe(r);
        ch.sender().send("v");
        assertEquals("v", ch.receiver().tryRecv()); // misuse: bypasses the view
        r.request(1);
        r.awaitDone();
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, r.error);
        assertTrue(e.getMessage().contains("received directly"), e.getMessage());
    }

    @Test
    void nonPositiveRequestSignalsIllegalArgumentExceptionAndClosesTheReceiver() throws Exception {
        for (long n : new long[] {0, -1, Long.MIN_VALUE}) {
            Oneshot.Channel<String> ch = Oneshot.channel();
            ch.sender().send("v");
            WatchRecorder<String> r = new WatchRecorder<>();
            ch.receiver().asPublisher().subscribe(r);
            r.request(n);
            r.awaitDone();
            IllegalArgumentException e = assertInstanceOf(IllegalArgumentException.class, r.error);
            assertTrue(e.getMessage().contains("3.9"), e.getMessage());
            assertTrue(ch.sender().isClosed());
            assertEquals("v", ch.receiver().tryRecv(), "the value was not taken");
        }
    }

    @Test
    void nullSubscriberThrowsNullPointerException() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        NullPointerException e =
                assertThrows(
                        NullPointerException.class,
                        () -> ch.receiver().asPublisher().subscribe(null));
        assertTrue(e.getMessage().contains("1.9"), e.getMessage());
        assertEquals(0, ch.receiver().core.viewSubscribed, "a null subscriber claims nothing");
    }

    @Test
    void requestInsideOnNextDoesNotRecurseAndCompletes() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.sender().send("v");
        WatchRecorder<String> r =
                new WatchRecorder<>(1) {
                    @Override
                    public void onNext(String s) {
                        super.onNext(s);
                        request(Long.MAX_VALUE);
                    }
                };
        ch.receiver().asPublisher().subscribe(r);
        r.awaitDone();
        assertEquals(List.of("v"), r.values);
        assertTrue(r.completed);
        r.assertNoViolations();
    }

    // ---- subscriber ----

    @Test
    void subscriberRequestsOneSendsTheFirstElementAndCancelsUpstream() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        Subscriber<String> s = ch.sender().asSubscriber();
        CountingSubscription up = new CountingSubscription();
        s.onSubscribe(up);
        assertEquals(1, up.requested);
        s.onNext("first");
        assertEquals(1, up.cancels.get(), "a oneshot takes one value");
        assertEquals("first", ch.receiver().recv().get(10, TimeUnit.SECONDS));
        s.onNext("second"); // an upstream that ignores the cancel: ignored
        s.onComplete(); // ignored after the value
        assertEquals(1, up.cancels.get());
    }

    @Test
    void subscriberOnCompleteWithoutValueClosesTheSender() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        CompletableFuture<String> f = ch.receiver().recv();
        Subscriber<String> s = ch.sender().asSubscriber();
        s.onSubscribe(new CountingSubscription());
        s.onComplete();
        ClosedException e = assertInstanceOf(ClosedException.class, failure(f));
        assertNull(e.getCause());
        assertTrue(ch.receiver().isTerminated());
    }

    @Test
    void subscriberOnErrorClosesTheChannelWithTheCause() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        Subscriber<String> s = ch.sender().asSubscriber();
        s.onSubscribe(new CountingSubscription());
        RuntimeException cause = new RuntimeException("upstream failed");
        s.onError(cause);
        ClosedException e = assertInstanceOf(ClosedException.class, failure(ch.receiver().recv()));
        assertSame(cause, e.getCause());
    }

    @Test
    void receiverClosedCancelsUpstream() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        Subscriber<String> s = ch.sender().asSubscriber();
        CountingSubscription up = new CountingSubscription();
        s.onSubscribe(up);
        assertEquals(0, up.cancels.get());
        ch.receiver().close();
        assertEquals(1, up.cancels.get());
        s.onNext("dropped"); // racing the cancel: dropped, as send to a closed oneshot
        assertEquals(1, up.cancels.get(), "cancelled once");

        Oneshot.Channel<String> ch2 = Oneshot.channel();
        ch2.receiver().close();
        CountingSubscription up2 = new CountingSubscription();
        ch2.sender().asSubscriber().onSubscribe(up2);
        assertEquals(1, up2.cancels.get(), "already closed: cancelled on subscribe");
    }

    @Test
    void subscriberCancelsASecondSubscriptionAndRejectsNulls() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        Subscriber<String> s = ch.sender().asSubscriber();
        CountingSubscription first = new CountingSubscription();
        CountingSubscription second = new CountingSubscription();
        s.onSubscribe(first);
        s.onSubscribe(second);
        assertEquals(1, second.cancels.get(), "rule 2.5");
        assertEquals(0, second.requested);
        assertEquals(0, first.cancels.get());
        assertRule213(assertThrows(NullPointerException.class, () -> s.onSubscribe(null)));
        assertRule213(assertThrows(NullPointerException.class, () -> s.onNext(null)));
        assertRule213(assertThrows(NullPointerException.class, () -> s.onError(null)));
    }

    @Test
    void subscriberWithdrawsItsClosedWatchWhenDone() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        Subscriber<String> s = ch.sender().asSubscriber();
        s.onSubscribe(new CountingSubscription());
        assertTrue(ch.receiver().core.closedWaiters != null, "watching the receiver");
        s.onNext("v");
        assertTrue(
                ch.receiver().core.closedWaiters == null
                        || !ch.receiver().core.closedWaiters.isPending(),
                "the closed() waiter was withdrawn");
    }

    @Test
    void publisherToSubscriberRoundTrip() throws Exception {
        Oneshot.Channel<String> in = Oneshot.channel();
        Oneshot.Channel<String> out = Oneshot.channel();
        in.receiver().asPublisher().subscribe(out.sender().asSubscriber());
        CompletableFuture<String> f = out.receiver().recv();
        in.sender().send("through");
        assertEquals("through", f.get(10, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(10)).until(() -> in.sender().isClosed());
    }

    @Test
    void flowFormsAdaptTheSameViews() throws Exception {
        Oneshot.Channel<String> in = Oneshot.channel();
        Oneshot.Channel<String> out = Oneshot.channel();
        in.receiver().asFlowPublisher().subscribe(out.sender().asFlowSubscriber());
        in.sender().send("flow");
        assertEquals("flow", out.receiver().recv().get(10, TimeUnit.SECONDS));
    }

    static void assertRule213(NullPointerException e) {
        assertTrue(e.getMessage().contains("rule 2.13"), e.getMessage());
    }
}
