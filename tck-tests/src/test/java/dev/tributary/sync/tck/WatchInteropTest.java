package dev.tributary.sync.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.ClosedException;
import dev.tributary.sync.Oneshot;
import dev.tributary.sync.Watch;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The Oneshot and Watch views end to end with Reactor and RxJava: the usage the README shows
 * ({@code Flux.from(rx.asPublisher())}, {@code flux.subscribe(tx.asSubscriber())}, {@code
 * Flowable.fromPublisher(...)}), backpressure and conflation through a real operator chain, and
 * cancellation by an operator ({@code take}) releasing the channel.
 */
@Timeout(30)
class WatchInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    // ---- oneshot ----

    @Test
    void monoReadsTheOneshotValue() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        StepVerifier.create(Mono.from(ch.receiver().asPublisher()))
                .then(() -> ch.sender().send("reply"))
                .expectNext("reply")
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void monoSeesAnEmptyOneshotAndACause() {
        Oneshot.Channel<String> empty = Oneshot.channel();
        empty.sender().close();
        StepVerifier.create(Flux.from(empty.receiver().asPublisher()))
                .expectComplete()
                .verify(WAIT);

        Oneshot.Channel<String> failed = Oneshot.channel();
        IllegalStateException cause = new IllegalStateException("no answer");
        failed.sender().closeChannel(cause);
        StepVerifier.create(Flux.from(failed.receiver().asPublisher()))
                .expectErrorSatisfies(e -> assertSame(cause, e))
                .verify(WAIT);
    }

    @Test
    void fluxFeedsAOneshotItsFirstElementAndIsCancelled() throws Exception {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        boolean[] cancelled = new boolean[1];
        Flux.range(1, 1000)
                .doOnCancel(() -> cancelled[0] = true)
                .subscribe(ch.sender().asSubscriber());
        assertEquals(1, ch.receiver().recv().get(10, TimeUnit.SECONDS));
        assertTrue(cancelled[0], "a oneshot takes one value and cancels the rest");
    }

    @Test
    void emptyOrFailingFluxClosesTheOneshot() {
        Oneshot.Channel<Integer> empty = Oneshot.channel();
        Flux.<Integer>empty().subscribe(empty.sender().asSubscriber());
        ExecutionException e =
                assertThrows(
                        ExecutionException.class,
                        () -> empty.receiver().recv().get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof ClosedException);

        Oneshot.Channel<Integer> failing = Oneshot.channel();
        RuntimeException boom = new RuntimeException("boom");
        Flux.<Integer>error(boom).subscribe(failing.sender().asSubscriber());
        ExecutionException f =
                assertThrows(
                        ExecutionException.class,
                        () -> failing.receiver().recv().get(10, TimeUnit.SECONDS));
        assertSame(boom, f.getCause().getCause());
    }

    @Test
    void rxJavaReadsTheOneshotValue() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        TestSubscriber<String> ts = Flowable.fromPublisher(ch.receiver().asPublisher()).test();
        ch.sender().send("rx");
        ts.awaitDone(10, TimeUnit.SECONDS).assertValues("rx").assertComplete();
    }

    // ---- watch ----

    @Test
    void fluxFollowsTheWatchAndCompletesWhenTheSenderCloses() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        StepVerifier.create(Flux.from(ch.receiver().asPublisher()))
                .expectNext(0)
                .then(() -> ch.sender().send(1))
                .expectNext(1)
                .then(() -> ch.sender().send(2))
                .expectNext(2)
                .then(() -> ch.sender().close())
                .expectComplete()
                .verify(WAIT);
        assertEquals(1, ch.sender().receiverCount(), "the subscription's clone was closed");
    }

    @Test
    void backpressuredFluxGetsOnlyTheNewestValue() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        StepVerifier.create(Flux.from(ch.sender().asPublisher()), 0)
                .expectSubscription()
                .thenRequest(1)
                .expectNext(0)
                .then(
                        () -> {
                            for (int i = 1; i <= 100; i++) {
                                ch.sender().send(i);
                            }
                        })
                .expectNoEvent(Duration.ofMillis(50))
                .thenRequest(10)
                .expectNext(100)
                .then(ch.sender()::close)
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void closeChannelReachesFluxAfterTheFinalValue() {
        Watch.Channel<String> ch = Watch.channel("a");
        IllegalStateException cause = new IllegalStateException("source failed");
        StepVerifier.create(Flux.from(ch.sender().asPublisher()), 1)
                .expectNext("a")
                .then(
                        () -> {
                            ch.sender().send("final");
                            ch.sender().clone().closeChannel(cause);
                        })
                .thenRequest(1)
                .expectNext("final")
                .expectErrorSatisfies(e -> assertSame(cause, e))
                .verify(WAIT);
    }

    @Test
    void takeCancelsAndReleasesTheReceiver() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        StepVerifier.create(Flux.from(ch.sender().asPublisher()).take(2))
                .expectNext(0)
                .then(() -> ch.sender().send(1))
                .expectNext(1)
                .expectComplete()
                .verify(WAIT);
        assertEquals(1, ch.sender().receiverCount(), "take(2) cancelled: receiver closed");
    }

    @Test
    void fluxFeedsAWatchThroughItsSubscriber() {
        Watch.Sender<Integer> tx = Watch.sender(0);
        Watch.Receiver<Integer> rx = tx.subscribe();
        Flux.range(1, 10).subscribe(tx.clone().asSubscriber());
        assertEquals(10, rx.borrow().get(), "only the latest is kept");
        assertEquals(1, tx.senderCount(), "onComplete closed the view's handle");
    }

    @Test
    void rxJavaBothWays() {
        Watch.Sender<Integer> tx = Watch.sender(0);
        TestSubscriber<Integer> ts = Flowable.fromPublisher(tx.asPublisher()).test();
        Flowable.range(1, 3).subscribe(tx.asSubscriber()); // Flowable.subscribe(Subscriber)
        ts.awaitDone(10, TimeUnit.SECONDS).assertValues(0, 1, 2, 3).assertComplete();
    }

    @Test
    void multicastToSeveralFluxes() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        var a = Flux.from(ch.sender().asPublisher()).collectList().toFuture();
        var b = Flux.from(ch.receiver().asPublisher()).collectList().toFuture();
        assertEquals(3, ch.sender().receiverCount());
        ch.sender().send(1);
        ch.sender().close();
        assertEquals(java.util.List.of(0, 1), a.join());
        assertEquals(java.util.List.of(0, 1), b.join());
    }
}
