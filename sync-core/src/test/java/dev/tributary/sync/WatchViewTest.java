package dev.tributary.sync;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * The Reactive Streams views of {@link Watch}: {@link Watch.Sender#asPublisher()} and {@link
 * Watch.Receiver#asPublisher()} (multicast, current value first, conflated, final value before the
 * terminal signal) and {@link Watch.Sender#asSubscriber()} (unbounded, {@code sendReplace}). A
 * Tributary addition, so no tokio test file to port from; the TCK and the race test run in
 * tck-tests.
 */
@Timeout(30)
class WatchViewTest {

    /** Both publisher views of a channel: "sender" or "receiver". */
    private static Function<Watch.Channel<Integer>, Publisher<Integer>> view(String which) {
        return "sender".equals(which)
                ? ch -> ch.sender().asPublisher()
                : ch -> ch.receiver().asPublisher();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sender", "receiver"})
    void currentValueOnFirstDemandEvenIfSeen(String which) throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        ch.sender().send(1);
        ch.receiver().borrowAndUpdate(); // the source has seen 1: the view still starts with it
        WatchRecorder<Integer> r = new WatchRecorder<>();
        view(which).apply(ch).subscribe(r);
        assertEquals(2, ch.sender().receiverCount(), "one receiver per subscription");
        assertEquals(List.of(), r.values, "nothing before demand");
        r.request(1);
        assertEquals(List.of(1), r.values);
        assertSame(Thread.currentThread(), r.threads.get(0), "delivered by the requesting thread");
        r.assertNoViolations();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sender", "receiver"})
    void throwingOnNextClosesThatReceiverAndNeverReachesTheSender(String which) {
        Watch.Channel<Integer> ch = Watch.channel(0);
        WatchRecorder<Integer> r =
                new WatchRecorder<>(1) {
                    @Override
                    public void onNext(Integer t) {
                        if (t == 1) {
                            throw new IllegalStateException("broken onNext");
                        }
                        super.onNext(t);
                    }
                };
        List<Throwable> reported = new ArrayList<>();
        Thread th = Thread.currentThread();
        Thread.UncaughtExceptionHandler previous = th.getUncaughtExceptionHandler();
        th.setUncaughtExceptionHandler((t, e) -> reported.add(e));
        try {
            view(which).apply(ch).subscribe(r);
            r.request(1);
            ch.sender().send(1); // delivered inside send: the throw must not reach the sender
        } finally {
            th.setUncaughtExceptionHandler(previous);
        }
        assertEquals(List.of(0), r.values);
        assertEquals(1, reported.size());
        assertEquals("broken onNext", reported.get(0).getMessage());
        assertEquals(1, ch.sender().receiverCount(), "the broken subscription's receiver closed");
        ch.sender().send(2);
        assertEquals(List.of(0), r.values, "nothing after the throw");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sender", "receiver"})
    void conflatedNoBacklogOnlyTheNewest(String which) throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        WatchRecorder<Integer> r = new WatchRecorder<>(1);
        view(which).apply(ch).subscribe(r);
        assertEquals(List.of(0), r.values);
        for (int i = 1; i <= 5; i++) {
            ch.sender().send(i);
        }
        assertEquals(List.of(0), r.values, "no demand, nothing delivered");
        r.request(3);
        assertEquals(List.of(0, 5), r.values, "only the newest, never a backlog");
        ch.sender().send(6);
        assertEquals(List.of(0, 5, 6), r.values, "delivered by the sending thread (demand left)");
        r.assertNoViolations();
    }

    @Test
    void everyValueIsSeenWhenEachIsStoredAfterTheLastWasDelivered() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        WatchRecorder<Integer> r = new WatchRecorder<>(Long.MAX_VALUE);
        ch.sender().asPublisher().subscribe(r);
        Thread t =
                new Thread(
                        () -> {
                            for (int i = 1; i <= 1000; i++) {
                                ch.sender().send(i);
                            }
                            ch.sender().close();
                        },
                        "sender");
        t.start();
        t.join();
        r.awaitDone();
        assertTrue(r.completed);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i <= 1000; i++) {
            expected.add(i);
        }
        // Each send runs the view's wake-up inline (demand is unbounded), so nothing is skipped.
        assertEquals(expected, r.values);
        r.assertNoViolations();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sender", "receiver"})
    void completesAfterTheFinalValueWasDelivered(String which) throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        WatchRecorder<Integer> r = new WatchRecorder<>(1);
        view(which).apply(ch).subscribe(r);
        ch.sender().send(7);
        ch.sender().close();
        assertFalse(r.isDone(), "the final value is unseen: wait for demand");
        r.request(1);
        r.awaitDone();
        assertEquals(List.of(0, 7), r.values);
        assertTrue(r.completed);
        r.assertNoViolations();
    }

    @Test
    void completesWithoutDemandWhenTheFinalValueWasAlreadyDelivered() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        WatchRecorder<Integer> r = new WatchRecorder<>(1);
        ch.sender().asPublisher().subscribe(r);
        assertEquals(1, Watch.queuedWaiters(ch.sender()), "caught up: one wait");
        ch.sender().close();
        r.awaitDone();
        assertEquals(List.of(0), r.values);
        assertTrue(r.completed);
        assertEquals(1, ch.sender().receiverCount(), "the view closed its receiver");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sender", "receiver"})
    void closeChannelDeliversTheFinalValueThenTheCause(String which) throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        WatchRecorder<Integer> r = new WatchRecorder<>(1);
        view(which).apply(ch).subscribe(r);
        ch.sender().send(9);
        RuntimeException cause = new RuntimeException("boom");
        Watch.Sender<Integer> other = ch.sender().clone();
        other.closeChannel(cause);
        assertFalse(r.isDone(), "final value first");
        r.request(1);
        r.awaitDone();
        assertEquals(List.of(0, 9), r.values);
        assertSame(cause, r.error, "the cause itself");
        r.assertNoViolations();

        WatchRecorder<Integer> seen = new WatchRecorder<>(Long.MAX_VALUE);
        view(which).apply(ch).subscribe(seen); // subscribing after the close: value, then error
        seen.awaitDone();
        assertEquals(List.of(9), seen.values);
        assertSame(cause, seen.error);
    }

    @Test
    void closeChannelSignalsTheCauseWithoutDemandWhenTheFinalValueWasSeen() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        WatchRecorder<Integer> r = new WatchRecorder<>(1);
        ch.receiver().asPublisher().subscribe(r);
        RuntimeException cause = new RuntimeException("boom");
        ch.sender().closeChannel(cause);
        r.awaitDone();
        assertEquals(List.of(0), r.values);
        assertSame(cause, r.error);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sender", "receiver"})
    void cancelClosesThatReceiverAndWithdrawsItsWait(String which) throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Publisher<Integer> p = view(which).apply(ch);
        WatchRecorder<Integer> a = new WatchRecorder<>(1);
        WatchRecorder<Integer> b = new WatchRecorder<>(1);
        p.subscribe(a);
        p.subscribe(b);
        assertEquals(3, ch.sender().receiverCount());
        assertEquals(2, Watch.queuedWaiters(ch.sender()));
        a.cancel();
        assertEquals(2, ch.sender().receiverCount());
        assertEquals(1, Watch.queuedWaiters(ch.sender()), "rule 3.13: a's wait is unlinked");
        b.request(1);
        ch.sender().send(1);
        assertEquals(List.of(0), a.values, "nothing after cancel");
        assertEquals(List.of(0, 1), b.values, "b is unaffected");
        b.cancel();
        assertEquals(1, ch.sender().receiverCount());
        assertEquals(0, Watch.queuedWaiters(ch.sender()));
        assertFalse(a.isDone());
        assertFalse(b.isDone());
    }

    @Test
    void senderViewKeepsTheChannelOpenForSend() {
        Watch.Sender<Integer> tx = Watch.sender(0); // no receiver: send fails
        assertThrows(ClosedException.class, () -> tx.send(1));
        WatchRecorder<Integer> r = new WatchRecorder<>(Long.MAX_VALUE);
        tx.asPublisher().subscribe(r);
        tx.send(2);
        assertEquals(List.of(0, 2), r.values);
        r.cancel();
        assertTrue(tx.isClosed(), "no receiver left");
    }

    @Test
    void subscribingThroughAClosedHandleSignalsIllegalStateException() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Sender<Integer> spare = ch.sender().clone();
        Publisher<Integer> viaSender = spare.asPublisher();
        Publisher<Integer> viaReceiver = ch.receiver().asPublisher();
        spare.close();
        ch.receiver().close();
        for (Publisher<Integer> p : List.of(viaSender, viaReceiver)) {
            WatchRecorder<Integer> r = new WatchRecorder<>();
            p.subscribe(r);
            r.awaitDone();
            assertEquals(1, r.onSubscribeCalls);
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, r.error);
            assertTrue(e.getMessage().contains("requires an open handle"), e.getMessage());
        }
        assertEquals(0, ch.sender().receiverCount());
    }

    @Test
    void nonPositiveRequestSignalsIllegalArgumentExceptionAndClosesTheReceiver() throws Exception {
        for (long n : new long[] {0, -1, Long.MIN_VALUE}) {
            Watch.Channel<Integer> ch = Watch.channel(0);
            WatchRecorder<Integer> r = new WatchRecorder<>();
            ch.sender().asPublisher().subscribe(r);
            r.request(n);
            r.awaitDone();
            IllegalArgumentException e = assertInstanceOf(IllegalArgumentException.class, r.error);
            assertTrue(e.getMessage().contains("3.9"), e.getMessage());
            assertEquals(1, ch.sender().receiverCount());
        }
    }

    @Test
    void nullSubscriberThrowsNullPointerExceptionAndRegistersNothing() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        NullPointerException a =
                assertThrows(
                        NullPointerException.class,
                        () -> ch.sender().asPublisher().subscribe(null));
        NullPointerException b =
                assertThrows(
                        NullPointerException.class,
                        () -> ch.receiver().asPublisher().subscribe(null));
        assertTrue(a.getMessage().contains("rule 1.9"), a.getMessage());
        assertTrue(b.getMessage().contains("rule 1.9"), b.getMessage());
        assertEquals(1, ch.sender().receiverCount());
    }

    @Test
    void pingPongThroughTheViewDoesNotGrowTheStack() throws Exception {
        // onNext stores the next value on the same thread and requests again: the store wakes
        // the view, whose drain is already running, so it goes round once more instead of
        // recursing.
        int rounds = 100_000;
        Watch.Channel<Integer> ch = Watch.channel(0);
        WatchRecorder<Integer> r =
                new WatchRecorder<>(1) {
                    @Override
                    public void onNext(Integer v) {
                        super.onNext(v);
                        if (v < rounds) {
                            ch.sender().send(v + 1);
                            request(1);
                        } else {
                            ch.sender().close();
                        }
                    }
                };
        ch.sender().asPublisher().subscribe(r);
        r.awaitDone();
        assertEquals(rounds + 1, r.values.size());
        assertTrue(r.completed);
        r.assertNoViolations();
    }

    // ---- subscriber ----

    @Test
    void subscriberRequestsUnboundedAndStoresWithoutReceivers() {
        Watch.Sender<Integer> tx = Watch.sender(0);
        Subscriber<Integer> s = tx.asSubscriber();
        OneshotViewTest.CountingSubscription up = new OneshotViewTest.CountingSubscription();
        s.onSubscribe(up);
        assertEquals(Long.MAX_VALUE, up.requested);
        s.onNext(1);
        s.onNext(2);
        assertEquals(2, tx.borrow().get(), "stored though no receiver exists (sendReplace)");
        assertEquals(0, up.cancels.get());
    }

    @Test
    void subscriberOnCompleteClosesThisHandleOnly() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Sender<Integer> mine = ch.sender().clone();
        Subscriber<Integer> s = mine.asSubscriber();
        s.onSubscribe(new OneshotViewTest.CountingSubscription());
        s.onNext(5);
        s.onComplete();
        assertEquals(1, ch.sender().senderCount(), "this handle closed, the channel stays open");
        ch.receiver().changed().get(10, TimeUnit.SECONDS);
        assertEquals(5, ch.receiver().borrow().get());
        ch.sender().close();
        assertThrows(Exception.class, () -> ch.receiver().changed().get(10, TimeUnit.SECONDS));
    }

    @Test
    void subscriberOnErrorClosesTheChannelWithTheCause() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Subscriber<Integer> s = ch.sender().clone().asSubscriber();
        s.onSubscribe(new OneshotViewTest.CountingSubscription());
        RuntimeException cause = new RuntimeException("upstream failed");
        s.onError(cause);
        ClosedException e =
                assertThrows(ClosedException.class, () -> ch.sender().send(1), "closed for all");
        assertSame(cause, e.getCause());
    }

    @Test
    void subscriberCancelsUpstreamWhenItCanNoLongerStore() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Sender<Integer> mine = ch.sender().clone();
        Subscriber<Integer> s = mine.asSubscriber();
        OneshotViewTest.CountingSubscription up = new OneshotViewTest.CountingSubscription();
        s.onSubscribe(up);
        ch.sender().closeChannel(new RuntimeException("closed elsewhere"));
        s.onNext(1);
        assertEquals(1, up.cancels.get());
        assertEquals(0, ch.sender().senderCount(), "the view released its handle");
        s.onNext(2); // racing the cancel: ignored
        assertEquals(1, up.cancels.get());
    }

    @Test
    void subscriberCancelsASecondSubscriptionAndRejectsNulls() {
        Watch.Sender<Integer> tx = Watch.sender(0);
        Subscriber<Integer> s = tx.asSubscriber();
        OneshotViewTest.CountingSubscription first = new OneshotViewTest.CountingSubscription();
        OneshotViewTest.CountingSubscription second = new OneshotViewTest.CountingSubscription();
        s.onSubscribe(first);
        s.onSubscribe(second);
        assertEquals(1, second.cancels.get(), "rule 2.5");
        assertRule213(assertThrows(NullPointerException.class, () -> s.onNext(null)));
        assertRule213(assertThrows(NullPointerException.class, () -> s.onError(null)));
        assertRule213(assertThrows(NullPointerException.class, () -> s.onSubscribe(null)));
    }

    @Test
    void senderViewToSenderViewThroughTwoChannels() throws Exception {
        Watch.Channel<Integer> in = Watch.channel(0);
        Watch.Sender<Integer> out = Watch.sender(-1);
        WatchRecorder<Integer> r = new WatchRecorder<>(Long.MAX_VALUE);
        out.asPublisher().subscribe(r);
        in.receiver().asPublisher().subscribe(out.clone().asSubscriber());
        in.sender().send(1);
        in.sender().close();
        await().atMost(Duration.ofSeconds(10)).until(() -> out.senderCount() == 1);
        assertEquals(List.of(-1, 0, 1), r.values);
        out.close();
        r.awaitDone();
        assertTrue(r.completed);
    }

    @Test
    void flowFormsAdaptTheSameViews() throws Exception {
        Watch.Channel<Integer> in = Watch.channel(3);
        Watch.Sender<Integer> out = Watch.sender(0);
        in.sender().asFlowPublisher().subscribe(out.clone().asFlowSubscriber());
        assertEquals(3, out.borrow().get());
        in.receiver().asFlowPublisher().subscribe(out.clone().asFlowSubscriber());
        in.sender().send(4);
        assertEquals(4, out.borrow().get());
    }

    static void assertRule213(NullPointerException e) {
        assertTrue(e.getMessage().contains("rule 2.13"), e.getMessage());
    }
}
