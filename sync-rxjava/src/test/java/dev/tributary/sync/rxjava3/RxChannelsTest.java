package dev.tributary.sync.rxjava3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.ClosedException;
import dev.tributary.sync.LagPolicy;
import dev.tributary.sync.LaggedException;
import dev.tributary.sync.Mpsc;
import dev.tributary.sync.Oneshot;
import dev.tributary.sync.Watch;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.observers.TestObserver;
import io.reactivex.rxjava3.processors.PublishProcessor;
import io.reactivex.rxjava3.schedulers.TestScheduler;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/** Every entry point of {@link RxChannels}, one behaviour per test. */
class RxChannelsTest {

    // ---- Mpsc receiver as Flowable

    @Test
    void mpscFlowableIsLazyBackpressuredAndCompletesWhenClosedAndDrained() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        Flowable<Integer> f = RxChannels.flowable(ch.receiver());
        ch.sender().trySend(1);
        ch.sender().trySend(2);
        ch.sender().trySend(3);
        assertEquals(3, ch.receiver().len(), "nothing received at assembly");
        TestSubscriber<Integer> ts = f.test(2);
        ts.assertValues(1, 2).assertNotComplete();
        assertEquals(1, ch.receiver().len(), "only what was requested left the channel");
        ts.request(5);
        ch.sender().trySend(4);
        ts.assertValues(1, 2, 3, 4);
        ch.sender().close();
        ts.assertComplete();
    }

    @Test
    void unboundedMpscFlowable() {
        Mpsc.UnboundedChannel<String> ch = Mpsc.unboundedChannel();
        TestSubscriber<String> ts = RxChannels.flowable(ch.receiver()).test();
        ch.sender().send("a");
        ch.sender().send("b");
        ch.sender().close();
        ts.assertResult("a", "b");
    }

    @Test
    void mpscFlowableFailsWithTheCloseCause() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        TestSubscriber<Integer> ts = RxChannels.flowable(ch.receiver()).test();
        IOException cause = new IOException("producer failed");
        ch.sender().trySend(1);
        ch.sender().closeChannel(cause);
        ts.assertValues(1).assertError(cause);
    }

    @Test
    void mpscFlowableSecondConcurrentSubscriberGetsAnErrorSignal() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        Flowable<Integer> f = RxChannels.flowable(ch.receiver());
        TestSubscriber<Integer> first = f.test();
        f.test().assertError(IllegalStateException.class);
        first.assertNoErrors();
    }

    @Test
    void mpscFlowableDisposalClosesTheChannelAndLeavesTheRestReadable() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(8);
        for (int i = 0; i < 5; i++) {
            ch.sender().trySend(i);
        }
        RxChannels.flowable(ch.receiver()).take(2).test().assertResult(0, 1);
        assertTrue(ch.receiver().isClosed());
        assertThrows(ClosedException.class, () -> ch.sender().trySend(9));
        assertEquals(2, ch.receiver().tryRecv());
        // a later subscription receives what is left, then completes
        RxChannels.flowable(ch.receiver()).test().assertResult(3, 4);
    }

    @Test
    void mpscFlowableDisposalRacingSendsLosesNoMessage() {
        for (int i = 0; i < 2_000; i++) {
            Mpsc.Channel<Integer> ch = Mpsc.channel(64);
            TestSubscriber<Integer> ts = RxChannels.flowable(ch.receiver()).test();
            int n = 20;
            AtomicInteger sent = new AtomicInteger();
            Race.race(
                    ts::cancel,
                    () -> {
                        for (int v = 0; v < n; v++) {
                            try {
                                if (!ch.sender().trySend(v)) {
                                    break;
                                }
                                sent.incrementAndGet();
                            } catch (ClosedException closed) {
                                break;
                            }
                        }
                    });
            List<Integer> all = new ArrayList<>(ts.values());
            drainInto(ch.receiver(), all);
            List<Integer> expected = new ArrayList<>();
            for (int k = 0; k < sent.get(); k++) {
                expected.add(k);
            }
            assertEquals(expected, all, "iteration " + i + ": delivered + left == sent, in order");
        }
    }

    /** Adds what the (closed) channel still holds. */
    static <T> void drainInto(Mpsc.AbstractReceiver<T> rx, List<T> out) {
        try {
            T v;
            while ((v = rx.tryRecv()) != null) {
                out.add(v);
            }
        } catch (ClosedException drained) {
            // closed and drained
        }
    }

    @Test
    void mpscFlowableTimeoutClosesTheChannel() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        TestScheduler scheduler = new TestScheduler();
        TestSubscriber<Integer> ts =
                RxChannels.flowable(ch.receiver()).timeout(1, TimeUnit.SECONDS, scheduler).test();
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        ts.assertError(TimeoutException.class);
        assertTrue(ch.receiver().isClosed());
    }

    // ---- Broadcast

    @Test
    void broadcastReceiverFlowable() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(8);
        Flowable<Integer> f = RxChannels.flowable(ch.receiver(), LagPolicy.ERROR);
        ch.sender().send(1);
        TestSubscriber<Integer> ts = f.test();
        ch.sender().send(2);
        ch.sender().close();
        ts.assertResult(1, 2);
        // unicast, for good: a second subscription is an error signal, not a throw
        f.test().assertError(IllegalStateException.class);
    }

    @Test
    void broadcastLagUnderErrorIsAnErrorSignal() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        TestSubscriber<Integer> ts = RxChannels.flowable(ch.receiver(), LagPolicy.ERROR).test(0);
        for (int i = 0; i < 5; i++) {
            ch.sender().send(i);
        }
        ts.request(1);
        ts.assertNoValues().assertError(e -> e instanceof LaggedException l && l.missed() == 3);
    }

    @Test
    void broadcastLagUnderSkipReportsAndContinues() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        AtomicLong missed = new AtomicLong();
        TestSubscriber<Integer> ts =
                RxChannels.flowable(ch.receiver(), LagPolicy.SKIP, missed::addAndGet).test(0);
        for (int i = 0; i < 5; i++) {
            ch.sender().send(i);
        }
        ts.request(10);
        ts.assertValues(3, 4);
        assertEquals(3, missed.get());
    }

    @Test
    void broadcastSenderFlowableGivesEachSubscriptionAFreshReceiver() {
        Broadcast.Sender<String> tx = Broadcast.sender(8);
        Flowable<String> f = RxChannels.flowable(tx, LagPolicy.ERROR);
        assertEquals(0, tx.receiverCount(), "lazy");
        TestSubscriber<String> a = f.test();
        tx.send("x");
        TestSubscriber<String> b = f.test();
        assertEquals(2, tx.receiverCount());
        tx.send("y");
        a.assertValues("x", "y");
        b.assertValues("y");
        a.cancel();
        assertEquals(1, tx.receiverCount(), "disposal closes that receiver only");
        tx.close();
        b.assertComplete();
    }

    @Test
    void broadcastSendEmitsTheReceiverCountOrFailsWithoutReceivers() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        var send = RxChannels.send(ch.sender(), 1);
        assertEquals(0, ch.sender().len(), "lazy");
        send.test().assertValue(1);
        ch.receiver().close();
        RxChannels.send(ch.sender(), 2).test().assertError(ClosedException.class);
    }

    @Test
    void broadcastFlowableTimeoutClosesItsReceiver() {
        Broadcast.Sender<Integer> tx = Broadcast.sender(4);
        TestScheduler scheduler = new TestScheduler();
        TestSubscriber<Integer> ts =
                RxChannels.flowable(tx, LagPolicy.SKIP)
                        .timeout(1, TimeUnit.SECONDS, scheduler)
                        .test();
        assertEquals(1, tx.receiverCount());
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        ts.assertError(TimeoutException.class);
        assertEquals(0, tx.receiverCount());
    }

    // ---- Watch

    @Test
    void watchFlowableIsLazyAndTimeoutClosesItsClone() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        TestScheduler scheduler = new TestScheduler();
        var f = RxChannels.flowable(ch.receiver()).skip(1).timeout(1, TimeUnit.SECONDS, scheduler);
        assertEquals(1, ch.sender().receiverCount(), "lazy: no clone yet");
        TestSubscriber<Integer> ts = f.test();
        assertEquals(2, ch.sender().receiverCount());
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        ts.assertError(TimeoutException.class);
        assertEquals(1, ch.sender().receiverCount());
    }

    @Test
    void watchFlowableEmitsTheCurrentValueFirst() {
        Watch.Channel<String> ch = Watch.channel("initial");
        TestSubscriber<String> ts = RxChannels.flowable(ch.receiver()).test();
        ts.assertValues("initial");
        ch.sender().send("next");
        ts.assertValues("initial", "next");
        ch.sender().close();
        ts.assertComplete();
    }

    @Test
    void watchFlowableIsConflated() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        TestSubscriber<Integer> ts = RxChannels.flowable(ch.sender()).test(1);
        ts.assertValues(0);
        ch.sender().send(1);
        ch.sender().send(2);
        ch.sender().send(3);
        ts.request(1);
        ts.assertValues(0, 3);
    }

    @Test
    void watchFlowableOfAClosedReceiverIsAnErrorSignal() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Receiver<Integer> rx = ch.sender().subscribe();
        Flowable<Integer> f = RxChannels.flowable(rx);
        rx.close();
        f.test().assertError(IllegalStateException.class);
    }

    @Test
    void watchSendChangedAndWaitFor() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        var changed = RxChannels.changed(ch.receiver()).test();
        changed.assertNotComplete();
        var send = RxChannels.send(ch.sender(), 5);
        changed.assertNotComplete(); // lazy
        send.test().assertComplete();
        changed.assertComplete();
        var waitFor = RxChannels.waitFor(ch.receiver(), v -> v >= 10).test();
        waitFor.assertEmpty();
        ch.sender().send(7);
        waitFor.assertEmpty();
        ch.sender().send(12);
        waitFor.assertValue(12);
    }

    @Test
    void watchChangedAndWaitForTimeoutsWithdrawTheWait() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        TestScheduler scheduler = new TestScheduler();
        var changed =
                RxChannels.changed(ch.receiver()).timeout(1, TimeUnit.SECONDS, scheduler).test();
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        changed.assertError(TimeoutException.class);
        var waitFor =
                RxChannels.waitFor(ch.receiver(), v -> v > 0)
                        .timeout(1, TimeUnit.SECONDS, scheduler)
                        .test();
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        waitFor.assertError(TimeoutException.class);
        // nothing pending any more (a pending wait would make this an IllegalStateException)
        ch.sender().send(1);
        RxChannels.changed(ch.receiver()).test().assertComplete();
    }

    @Test
    void watchRuntimeFailuresAreErrorSignals() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        TestObserver<Void> pending = RxChannels.changed(ch.receiver()).test();
        RxChannels.changed(ch.receiver()).test().assertError(IllegalStateException.class);
        pending.dispose();
        ch.sender().close();
        RxChannels.changed(ch.receiver()).test().assertError(ClosedException.class);
        RxChannels.waitFor(ch.receiver(), v -> v > 0).test().assertError(ClosedException.class);
        Watch.Channel<Integer> noReceiver = Watch.channel(0);
        noReceiver.receiver().close();
        RxChannels.send(noReceiver.sender(), 1).test().assertError(ClosedException.class);
    }

    // ---- Oneshot

    @Test
    void oneshotMaybeValue() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        var maybe = RxChannels.maybe(ch.receiver());
        var send = RxChannels.send(ch.sender(), "v");
        TestObserver<String> to = maybe.test();
        to.assertEmpty();
        send.test().assertComplete();
        to.assertResult("v");
    }

    @Test
    void oneshotMaybeClosedWithoutValueIsEmpty() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        TestObserver<String> to = RxChannels.maybe(ch.receiver()).test();
        ch.sender().close();
        to.assertResult();
    }

    @Test
    void oneshotMaybeClosedWithCauseFails() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        TestObserver<String> to = RxChannels.maybe(ch.receiver()).test();
        IOException cause = new IOException("no reply");
        ch.sender().closeChannel(cause);
        to.assertError(cause);
    }

    @Test
    void oneshotMaybeTimeoutClosesTheReceiverAndLosesNothing() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        TestScheduler scheduler = new TestScheduler();
        TestObserver<String> to =
                RxChannels.maybe(ch.receiver()).timeout(1, TimeUnit.SECONDS, scheduler).test();
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        to.assertError(TimeoutException.class);
        RxChannels.send(ch.sender(), "late").test().assertError(ClosedException.class);
    }

    @Test
    void oneshotMaybeDisposalRacingSendLosesNothing() {
        for (int i = 0; i < 5_000; i++) {
            Oneshot.Channel<String> ch = Oneshot.channel();
            TestObserver<String> to = RxChannels.maybe(ch.receiver()).test();
            boolean[] sent = new boolean[1];
            Race.race(
                    to::dispose,
                    () -> {
                        try {
                            ch.sender().send("v");
                            sent[0] = true;
                        } catch (ClosedException closed) {
                            sent[0] = false;
                        }
                    });
            if (sent[0]) {
                String left = to.values().isEmpty() ? tryRecvOrNull(ch.receiver()) : null;
                assertEquals(
                        1,
                        to.values().size() + (left == null ? 0 : 1),
                        "iteration " + i + ": a sent value is delivered or still readable");
            } else {
                to.assertNoValues();
            }
        }
    }

    private static String tryRecvOrNull(Oneshot.Receiver<String> rx) {
        try {
            return rx.tryRecv();
        } catch (ClosedException e) {
            return null;
        }
    }

    @Test
    void oneshotMaybeIsLazyAndUnicast() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        var maybe = RxChannels.maybe(ch.receiver());
        ch.sender().send("v");
        assertEquals(false, ch.receiver().isEmpty(), "nothing received at assembly");
        maybe.test().assertResult("v");
        maybe.test().assertError(IllegalStateException.class);
    }

    @Test
    void oneshotMaybeDisposedHearsNothingOfALateClose() {
        try (PluginErrors plugin = new PluginErrors()) {
            Oneshot.Channel<String> ch = Oneshot.channel();
            TestObserver<String> to = RxChannels.maybe(ch.receiver()).test();
            to.dispose();
            ch.sender().closeChannel(new IOException("late"));
            // the disposal closed the receiver: the late close reaches neither the disposed
            // observer nor RxJavaPlugins (there is nothing undeliverable)
            to.assertEmpty();
            assertTrue(plugin.errors.isEmpty(), plugin.errors.toString());
        }
    }

    @Test
    void oneshotSendTwiceFails() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        var send = RxChannels.send(ch.sender(), "v");
        send.test().assertComplete();
        send.test().assertError(IllegalStateException.class);
    }

    // ---- Mpsc sends

    @Test
    void mpscSendIsLazyAndWaitsForCapacity() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        var send = RxChannels.send(ch.sender(), 1);
        assertEquals(0, ch.receiver().len(), "lazy");
        send.test().assertComplete();
        var waiting = RxChannels.send(ch.sender(), 2).test();
        waiting.assertNotComplete();
        assertEquals(1, ch.receiver().tryRecv());
        waiting.assertComplete();
        assertEquals(2, ch.receiver().tryRecv());
        send.test().assertComplete(); // each subscription sends again
        assertEquals(1, ch.receiver().tryRecv());
    }

    @Test
    void mpscSendTimeoutGivesUpThePlaceAndDoesNotSend() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        ch.sender().trySend(0);
        TestScheduler scheduler = new TestScheduler();
        var to = RxChannels.send(ch.sender(), 1).timeout(1, TimeUnit.SECONDS, scheduler).test();
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        to.assertError(TimeoutException.class);
        assertEquals(0, ch.receiver().tryRecv());
        assertNull(ch.receiver().tryRecv(), "the timed-out value was never sent");
        assertTrue(ch.sender().trySend(2), "no sender left queued ahead");
    }

    @Test
    void mpscSendOnAClosedChannelIsAnErrorSignal() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        ch.receiver().close();
        RxChannels.send(ch.sender(), 1).test().assertError(ClosedException.class);
        Mpsc.UnboundedChannel<Integer> u = Mpsc.unboundedChannel();
        var send = RxChannels.send(u.sender(), 1);
        send.test().assertComplete();
        assertEquals(1, u.receiver().tryRecv());
        u.receiver().close();
        send.test().assertError(ClosedException.class);
        Mpsc.Sender<Integer> closedHandle = Mpsc.<Integer>channel(1).sender();
        closedHandle.close();
        RxChannels.send(closedHandle, 1).test().assertError(IllegalStateException.class);
    }

    // ---- sendAll

    @Test
    void sendAllSendsInOrderOneRequestAtATime() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        List<Long> requests = new ArrayList<>();
        TestObserver<Void> to =
                RxChannels.sendAll(ch.sender(), Flowable.range(0, 5).doOnRequest(requests::add))
                        .test();
        to.assertNotComplete();
        assertEquals(2, ch.receiver().len());
        TestSubscriber<Integer> ts = RxChannels.flowable(ch.receiver()).test();
        to.assertComplete();
        ts.assertValues(0, 1, 2, 3, 4);
        assertTrue(requests.stream().allMatch(r -> r == 1), "requests " + requests);
        assertFalse(ch.receiver().isClosed(), "sendAll does not close the channel");
    }

    @Test
    void sendAllIsLazy() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        AtomicInteger subscribed = new AtomicInteger();
        var c =
                RxChannels.sendAll(
                        ch.sender(),
                        Flowable.just(1).doOnSubscribe(s -> subscribed.incrementAndGet()));
        assertEquals(0, subscribed.get());
        c.test().assertComplete();
        c.test().assertComplete();
        assertEquals(2, subscribed.get());
        assertEquals(2, ch.receiver().len());
    }

    @Test
    void sendAllRelaysTheSourceErrorWithoutClosingTheChannel() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        IOException boom = new IOException("source");
        RxChannels.sendAll(ch.sender(), Flowable.just(1).concatWith(Flowable.error(boom)))
                .test()
                .assertError(boom);
        assertEquals(1, ch.receiver().tryRecv());
        assertFalse(ch.receiver().isClosed());
    }

    @Test
    void sendAllToAClosedChannelFailsAndCancelsTheSource() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        ch.receiver().close();
        PublishProcessor<Integer> source = PublishProcessor.create();
        TestObserver<Void> to = RxChannels.sendAll(ch.sender(), source).test();
        source.onNext(1);
        to.assertError(ClosedException.class);
        assertFalse(source.hasSubscribers());
    }

    @Test
    void sendAllClosedWhileWaitingFails() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        AtomicInteger cancelled = new AtomicInteger();
        TestObserver<Void> to =
                RxChannels.sendAll(
                                ch.sender(),
                                Flowable.range(1, 3).doOnCancel(cancelled::incrementAndGet))
                        .test();
        to.assertNotComplete(); // 1 is in the channel, 2 waits for capacity
        ch.receiver().close();
        to.assertError(ClosedException.class);
        assertEquals(1, cancelled.get());
        assertEquals(1, ch.receiver().tryRecv());
    }

    @Test
    void sendAllDisposalCancelsTheSourceAndThePendingSend() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        PublishProcessor<Integer> source = PublishProcessor.create();
        TestObserver<Void> to = RxChannels.sendAll(ch.sender(), source).test();
        source.onNext(1);
        assertTrue(source.hasSubscribers());
        to.dispose();
        assertFalse(source.hasSubscribers());
        assertEquals(1, ch.receiver().tryRecv());
        assertTrue(ch.sender().trySend(3), "no waiting send left");
    }

    @Test
    void sendAllPendingSendDisposedIsWithdrawn() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        ch.sender().trySend(0);
        TestObserver<Void> to = RxChannels.sendAll(ch.sender(), Flowable.just(1, 2)).test();
        to.dispose();
        assertEquals(0, ch.receiver().tryRecv());
        assertNull(ch.receiver().tryRecv(), "the withdrawn send never happened");
        assertTrue(ch.sender().trySend(5));
    }

    @Test
    void sendAllTimeoutWithTestScheduler() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        TestScheduler scheduler = new TestScheduler();
        var to =
                RxChannels.sendAll(ch.sender(), Flowable.range(0, 3))
                        .timeout(1, TimeUnit.SECONDS, scheduler)
                        .test();
        scheduler.advanceTimeBy(1, TimeUnit.SECONDS);
        to.assertError(TimeoutException.class);
        assertEquals(0, ch.receiver().tryRecv());
        assertNull(ch.receiver().tryRecv());
    }

    @Test
    void sendAllErrorAfterDisposalGoesToRxJavaPlugins() {
        try (PluginErrors plugin = new PluginErrors()) {
            Mpsc.Channel<Integer> ch = Mpsc.channel(4);
            Subscriber<?>[] captured = new Subscriber<?>[1];
            Publisher<Integer> misbehaving =
                    s -> {
                        captured[0] = s;
                        s.onSubscribe(
                                new Subscription() {
                                    @Override
                                    public void request(long n) {}

                                    @Override
                                    public void cancel() {}
                                });
                    };
            TestObserver<Void> to = RxChannels.sendAll(ch.sender(), misbehaving).test();
            to.dispose();
            IOException late = new IOException("late");
            captured[0].onError(late);
            to.assertEmpty();
            assertEquals(List.of(late), plugin.causes());
        }
    }

    // ---- Bad input

    @Test
    void nullArgumentsThrowAtAssembly() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        RxSyncTest.assertNpe(
                "receiver is null", () -> RxChannels.flowable((Mpsc.Receiver<Integer>) null));
        RxSyncTest.assertNpe(
                "receiver is null",
                () -> RxChannels.flowable((Broadcast.Receiver<Integer>) null, LagPolicy.SKIP));
        RxSyncTest.assertNpe(
                "policy is null",
                () -> RxChannels.flowable(Broadcast.<Integer>channel(1).receiver(), null));
        RxSyncTest.assertNpe(
                "sender is null",
                () -> RxChannels.flowable((Broadcast.Sender<Integer>) null, LagPolicy.SKIP));
        RxSyncTest.assertNpe(
                "receiver is null", () -> RxChannels.flowable((Watch.Receiver<Integer>) null));
        RxSyncTest.assertNpe(
                "sender is null", () -> RxChannels.flowable((Watch.Sender<Integer>) null));
        RxSyncTest.assertNpe("receiver is null", () -> RxChannels.maybe(null));
        RxSyncTest.assertNpe(
                "sender is null", () -> RxChannels.send((Mpsc.Sender<Integer>) null, 1));
        RxSyncTest.assertNpe("value is null", () -> RxChannels.send(ch.sender(), null));
        RxSyncTest.assertNpe(
                "value is null",
                () -> RxChannels.send(Mpsc.<Integer>unboundedChannel().sender(), null));
        RxSyncTest.assertNpe(
                "value is null", () -> RxChannels.send(Broadcast.<Integer>sender(1), null));
        RxSyncTest.assertNpe(
                "value is null", () -> RxChannels.send(Watch.<Integer>sender(0), null));
        RxSyncTest.assertNpe(
                "value is null", () -> RxChannels.send(Oneshot.<Integer>channel().sender(), null));
        RxSyncTest.assertNpe("sender is null", () -> RxChannels.sendAll(null, Flowable.just(1)));
        RxSyncTest.assertNpe("source is null", () -> RxChannels.sendAll(ch.sender(), null));
        RxSyncTest.assertNpe("receiver is null", () -> RxChannels.changed(null));
        RxSyncTest.assertNpe("receiver is null", () -> RxChannels.waitFor(null, v -> true));
        RxSyncTest.assertNpe(
                "predicate is null", () -> RxChannels.waitFor(Watch.channel(0).receiver(), null));
    }
}
