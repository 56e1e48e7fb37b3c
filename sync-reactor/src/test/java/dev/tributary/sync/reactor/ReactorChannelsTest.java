package dev.tributary.sync.reactor;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Every entry point of {@link ReactorChannels} under StepVerifier: values, terminal signals,
 * laziness, cancel (nothing lost) and timeouts in virtual time.
 */
@ExtendWith(BlockHoundSupport.class)
class ReactorChannelsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    // ---- mpsc

    @Test
    void mpscFluxDeliversInOrderAndCompletesWhenSendersClose() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        Flux<Integer> flux = ReactorChannels.flux(ch.receiver());
        StepVerifier.create(flux)
                .then(
                        () -> {
                            ch.sender().trySend(1);
                            ch.sender().trySend(2);
                        })
                .expectNext(1, 2)
                .then(() -> ch.sender().trySend(3))
                .expectNext(3)
                .then(() -> ch.sender().close())
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void mpscFluxOverUnboundedReceiverRespectsDemand() {
        Mpsc.UnboundedChannel<String> ch = Mpsc.unboundedChannel();
        for (int i = 0; i < 5; i++) {
            ch.sender().send("m" + i);
        }
        ch.sender().close();
        StepVerifier.create(ReactorChannels.flux(ch.receiver()), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(10))
                .thenRequest(2)
                .expectNext("m0", "m1")
                .expectNoEvent(Duration.ofMillis(10))
                .thenRequest(10)
                .expectNext("m2", "m3", "m4")
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void mpscFluxErrorsWithTheCauseAfterCloseChannel() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        ch.sender().trySend(7);
        IllegalStateException cause = new IllegalStateException("boom");
        ch.sender().closeChannel(cause);
        StepVerifier.create(ReactorChannels.flux(ch.receiver()))
                .expectNext(7)
                .expectErrorMatches(e -> e == cause)
                .verify(WAIT);
    }

    @Test
    void mpscFluxIsLazyAndCancelLeavesUndeliveredMessagesInTheChannel() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(8);
        Flux<Integer> flux = ReactorChannels.flux(ch.receiver());
        for (int i = 0; i < 5; i++) {
            ch.sender().trySend(i);
        }
        // Lazy: assembling took nothing.
        assertEquals(5, ch.receiver().len());
        StepVerifier.create(flux.take(2)).expectNext(0, 1).expectComplete().verify(WAIT);
        // Cancel closes the channel (tokio: dropping the ReceiverStream) but loses nothing.
        assertTrue(ch.receiver().isClosed());
        assertEquals(2, ch.receiver().tryRecv());
        // A new subscription drains the rest, then completes (closed and drained).
        StepVerifier.create(flux).expectNext(3, 4).expectComplete().verify(WAIT);
    }

    @Test
    void mpscFluxSecondConcurrentSubscriberGetsAnError() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        Flux<Integer> flux = ReactorChannels.flux(ch.receiver());
        var first = flux.subscribe();
        StepVerifier.create(flux).expectError(IllegalStateException.class).verify(WAIT);
        first.dispose();
    }

    @Test
    void sendWaitsForCapacityAndIsLazyAndResubscribable() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        Mono<Void> send = ReactorChannels.send(ch.sender(), 5);
        assertEquals(0, ch.receiver().len(), "nothing sent before subscription");
        StepVerifier.create(send).expectComplete().verify(WAIT);
        // Full now: the second subscription (a fresh send) waits until the receiver takes one.
        StepVerifier.create(send)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(20))
                .then(() -> assertEquals(5, ch.receiver().tryRecv()))
                .expectComplete()
                .verify(WAIT);
        assertEquals(5, ch.receiver().tryRecv());
        assertNull(ch.receiver().tryRecv());
    }

    @Test
    void sendTimeoutInVirtualTimeWithdrawsTheSend() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        ch.sender().trySend(1);
        StepVerifier.withVirtualTime(
                        () -> ReactorChannels.send(ch.sender(), 2).timeout(Duration.ofSeconds(5)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(5))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        assertEquals(1, ch.receiver().tryRecv());
        assertNull(ch.receiver().tryRecv(), "the timed-out send is withdrawn, not sent later");
        assertTrue(ch.sender().trySend(3), "no sender left queued");
    }

    @Test
    void sendToClosedChannelIsAnErrorSignal() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        ch.receiver().close();
        StepVerifier.create(ReactorChannels.send(ch.sender(), 1))
                .expectError(ClosedException.class)
                .verify(WAIT);
        Mpsc.UnboundedChannel<Integer> u = Mpsc.unboundedChannel();
        Mono<Void> send = ReactorChannels.send(u.sender(), 1);
        StepVerifier.create(send).expectComplete().verify(WAIT);
        u.receiver().close();
        StepVerifier.create(send).expectError(ClosedException.class).verify(WAIT);
        assertEquals(1, u.receiver().tryRecv());
    }

    @Test
    void sendAllSendsEverythingWithBoundedDemand() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        List<Long> requests = new ArrayList<>();
        Flux<Integer> source = Flux.range(0, 50).doOnRequest(requests::add);
        Mono<Void> all = ReactorChannels.sendAll(ch.sender(), source);
        assertTrue(requests.isEmpty(), "lazy");
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add(i);
        }
        Mono<List<Integer>> received = ReactorChannels.flux(ch.receiver()).collectList();
        StepVerifier.create(
                        Mono.zip(
                                        all.then(Mono.fromRunnable(ch.sender()::close))
                                                .thenReturn(0),
                                        received)
                                .map(t -> t.getT2()))
                .expectNext(expected)
                .expectComplete()
                .verify(WAIT);
        assertTrue(requests.stream().allMatch(r -> r == 1), "requests " + requests);
    }

    @Test
    void sendAllFailsWithClosedExceptionAndCancelsTheSource() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        AtomicInteger cancelled = new AtomicInteger();
        Flux<Integer> source = Flux.range(0, 10).doOnCancel(cancelled::incrementAndGet);
        StepVerifier.create(ReactorChannels.sendAll(ch.sender(), source))
                .expectSubscription()
                .then(() -> ch.receiver().close())
                .expectError(ClosedException.class)
                .verify(WAIT);
        assertEquals(1, cancelled.get());
        assertEquals(0, ch.receiver().tryRecv(), "the first element fit");
    }

    @Test
    void sendAllPassesTheSourceErrorAfterTheElementsBefore() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        RuntimeException boom = new RuntimeException("boom");
        StepVerifier.create(
                        ReactorChannels.sendAll(
                                ch.sender(), Flux.just(1, 2).concatWith(Flux.error(boom))))
                .expectErrorMatches(e -> e == boom)
                .verify(WAIT);
        assertEquals(1, ch.receiver().tryRecv());
        assertEquals(2, ch.receiver().tryRecv());
        assertFalse(ch.sender().isClosed(), "sendAll never closes the sender");
    }

    @Test
    void sendAllCancelStopsTheSourceAndWithdrawsTheSendInFlight() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        AtomicInteger cancelled = new AtomicInteger();
        StepVerifier.create(
                        ReactorChannels.sendAll(
                                ch.sender(),
                                Flux.range(0, 10).doOnCancel(cancelled::incrementAndGet)))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(20))
                .thenCancel()
                .verify(WAIT);
        assertEquals(1, cancelled.get());
        assertEquals(0, ch.receiver().tryRecv());
        assertNull(ch.receiver().tryRecv(), "the send in flight was withdrawn");
        assertTrue(ch.sender().trySend(9), "no sender left queued");
    }

    @Test
    void sendAllTimeoutInVirtualTime() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        StepVerifier.withVirtualTime(
                        () ->
                                ReactorChannels.sendAll(ch.sender(), Flux.range(0, 3))
                                        .timeout(Duration.ofMinutes(1)))
                .expectSubscription()
                .thenAwait(Duration.ofMinutes(1))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        assertEquals(0, ch.receiver().tryRecv());
        assertNull(ch.receiver().tryRecv());
    }

    // ---- broadcast

    @Test
    void broadcastFluxDeliversAndCompletes() {
        Broadcast.Channel<String> ch = Broadcast.channel(8);
        StepVerifier.create(ReactorChannels.flux(ch.receiver(), LagPolicy.ERROR))
                .then(
                        () -> {
                            ch.sender().send("a");
                            ch.sender().send("b");
                            ch.sender().close();
                        })
                .expectNext("a", "b")
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void broadcastLagUnderErrorIsAnErrorSignal() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        for (int i = 0; i < 5; i++) {
            ch.sender().send(i);
        }
        StepVerifier.create(ReactorChannels.flux(ch.receiver(), LagPolicy.ERROR))
                .expectErrorMatches(e -> e instanceof LaggedException l && l.missed() == 3)
                .verify(WAIT);
    }

    @Test
    void broadcastLagUnderSkipResumesAtTheOldestRetained() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        for (int i = 0; i < 5; i++) {
            ch.sender().send(i);
        }
        ch.sender().close();
        StepVerifier.create(ReactorChannels.flux(ch.receiver(), LagPolicy.SKIP))
                .expectNext(3, 4)
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void broadcastFluxOfAClosedReceiverIsAnErrorSignalNotAnAssemblyThrow() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        ch.receiver().close();
        Flux<Integer> flux = ReactorChannels.flux(ch.receiver(), LagPolicy.ERROR);
        StepVerifier.create(flux).expectError(IllegalStateException.class).verify(WAIT);
    }

    @Test
    void broadcastSenderFluxGivesEachSubscriberAFreshReceiver() {
        Broadcast.Sender<Integer> tx = Broadcast.sender(8);
        Flux<Integer> flux = ReactorChannels.flux(tx, LagPolicy.ERROR);
        assertEquals(0, tx.receiverCount(), "lazy");
        StepVerifier.create(flux.take(2))
                .then(
                        () -> {
                            assertEquals(1, tx.receiverCount());
                            tx.send(1);
                            tx.send(2);
                        })
                .expectNext(1, 2)
                .expectComplete()
                .verify(WAIT);
        assertEquals(0, tx.receiverCount(), "cancel closed that receiver");
    }

    @Test
    void broadcastSendEmitsTheReceiverCountOrErrors() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        Mono<Integer> send = ReactorChannels.send(ch.sender(), 1);
        assertEquals(0, ch.receiver().len(), "lazy");
        StepVerifier.create(send).expectNext(1).expectComplete().verify(WAIT);
        ch.receiver().close();
        StepVerifier.create(send).expectError(ClosedException.class).verify(WAIT);
    }

    // ---- watch

    @Test
    void watchFluxEmitsTheCurrentValueFirstThenNewer() {
        Watch.Channel<String> ch = Watch.channel("init");
        ch.receiver().borrowAndUpdate(); // seen: the Flux still starts with it
        StepVerifier.create(ReactorChannels.flux(ch.receiver()))
                .expectNext("init")
                .then(() -> ch.sender().send("v1"))
                .expectNext("v1")
                .then(() -> ch.sender().close())
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void watchSendChangedAndWaitFor() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Receiver<Integer> rx = ch.receiver();
        rx.borrowAndUpdate();
        Mono<Void> changed = ReactorChannels.changed(rx);
        Mono<Void> send = ReactorChannels.send(ch.sender(), 1);
        assertEquals(0, ch.sender().borrow().get(), "send is lazy");
        StepVerifier.create(changed)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(10))
                .then(() -> send.block())
                .expectComplete()
                .verify(WAIT);
        assertFalse(rx.hasChanged());
        StepVerifier.create(ReactorChannels.waitFor(rx, v -> v >= 3))
                .expectSubscription()
                .then(() -> ch.sender().send(2))
                .expectNoEvent(Duration.ofMillis(10))
                .then(() -> ch.sender().send(3))
                .expectNext(3)
                .expectComplete()
                .verify(WAIT);
        ch.sender().close();
        StepVerifier.create(changed).expectError(ClosedException.class).verify(WAIT);
    }

    @Test
    void watchChangedTimeoutInVirtualTimeMarksNothingSeen() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Receiver<Integer> rx = ch.receiver();
        rx.borrowAndUpdate();
        StepVerifier.withVirtualTime(
                        () -> ReactorChannels.changed(rx).timeout(Duration.ofSeconds(3)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(3))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        ch.sender().send(1);
        // The wait was withdrawn: a new changed() may register and sees the news.
        StepVerifier.create(ReactorChannels.changed(rx)).expectComplete().verify(WAIT);
        StepVerifier.withVirtualTime(
                        () ->
                                ReactorChannels.waitFor(rx, v -> v > 5)
                                        .timeout(Duration.ofSeconds(3)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(3))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        StepVerifier.create(ReactorChannels.waitFor(rx, v -> v == 1))
                .expectNext(1)
                .expectComplete()
                .verify(WAIT);
    }

    // ---- oneshot

    @Test
    void oneshotMonoOfTheValue() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        Mono<Void> send = ReactorChannels.send(ch.sender(), "v");
        assertTrue(ch.receiver().isEmpty(), "send is lazy");
        StepVerifier.create(ReactorChannels.mono(ch.receiver()))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(10))
                .then(send::block)
                .expectNext("v")
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(send).expectError(IllegalStateException.class).verify(WAIT);
    }

    @Test
    void oneshotClosedWithoutValueIsEmptyAndACauseIsTheError() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.sender().close();
        StepVerifier.create(ReactorChannels.mono(ch.receiver())).expectComplete().verify(WAIT);
        Oneshot.Channel<String> ch2 = Oneshot.channel();
        RuntimeException cause = new RuntimeException("failed");
        ch2.sender().closeChannel(cause);
        StepVerifier.create(ReactorChannels.mono(ch2.receiver()))
                .expectErrorMatches(e -> e == cause)
                .verify(WAIT);
    }

    @Test
    void oneshotTimeoutInVirtualTimeClosesTheReceiver() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        StepVerifier.withVirtualTime(
                        () -> ReactorChannels.mono(ch.receiver()).timeout(Duration.ofSeconds(2)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(2))
                .expectError(TimeoutException.class)
                .verify(WAIT);
        assertTrue(ch.sender().isClosed(), "cancel closed the receiver (tokio: dropped)");
        assertThrows(ClosedException.class, () -> ch.sender().send("late"));
    }

    @Test
    void oneshotCancelWithoutDemandLeavesTheValueInTheChannel() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.sender().send("kept");
        StepVerifier.create(ReactorChannels.mono(ch.receiver()), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(10))
                .thenCancel()
                .verify(WAIT);
        assertEquals("kept", ch.receiver().tryRecv());
    }

    @Test
    void oneshotMonoHasOneSubscriber() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        Mono<String> mono = ReactorChannels.mono(ch.receiver());
        ch.sender().send("v");
        StepVerifier.create(mono).expectNext("v").expectComplete().verify(WAIT);
        StepVerifier.create(mono).expectError(IllegalStateException.class).verify(WAIT);
    }

    @Test
    void watchAndOneshotSendsUnderStepVerifier() {
        Watch.Channel<Integer> w = Watch.channel(0);
        StepVerifier.create(ReactorChannels.send(w.sender(), 4)).expectComplete().verify(WAIT);
        assertEquals(4, w.sender().borrow().get());
        Oneshot.Channel<Integer> os = Oneshot.channel();
        StepVerifier.create(ReactorChannels.send(os.sender(), 5)).expectComplete().verify(WAIT);
        assertEquals(5, os.receiver().tryRecv());
        Oneshot.Channel<Integer> closed = Oneshot.channel();
        closed.receiver().close();
        StepVerifier.create(ReactorChannels.send(closed.sender(), 6))
                .expectError(ClosedException.class)
                .verify(WAIT);
    }
}
