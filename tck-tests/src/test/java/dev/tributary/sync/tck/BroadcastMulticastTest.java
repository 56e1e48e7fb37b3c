package dev.tributary.sync.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.LagPolicy;
import dev.tributary.sync.LaggedException;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Multicast through {@code Broadcast.Sender.asPublisher(LagPolicy)}: subscribers of different
 * speeds on one channel, each with its own demand. Fast subscribers see every value; a slow one
 * lags by the exact count under each {@link LagPolicy}; the sender never waits for anybody.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BroadcastMulticastTest {

    private static final int CAPACITY = 16;

    /** A subscriber that requests {@code batch} up front and again after each batch (0: never). */
    static final class Sub implements Subscriber<Integer> {
        final List<Integer> values = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final long batch;
        volatile Subscription s;
        volatile Throwable error;
        private long sinceRequest;

        Sub(long batch) {
            this.batch = batch;
        }

        @Override
        public void onSubscribe(Subscription s) {
            this.s = s;
            if (batch > 0) {
                s.request(batch);
            }
        }

        @Override
        public void onNext(Integer v) {
            values.add(v);
            if (batch > 0 && batch != Long.MAX_VALUE && ++sinceRequest == batch) {
                sinceRequest = 0;
                s.request(batch);
            }
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done.complete(null);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }
    }

    private static List<Integer> range(int from, int toExclusive) {
        return IntStream.range(from, toExclusive).boxed().toList();
    }

    @ParameterizedTest
    @EnumSource(LagPolicy.class)
    void fourSubscribersOfDifferentSpeedsTheSlowOneLagsByTheExactCount(LagPolicy policy)
            throws Exception {
        Broadcast.Sender<Integer> tx = Broadcast.sender(CAPACITY);
        List<Long> lags = new CopyOnWriteArrayList<>();
        var p = tx.asPublisher(policy, lags::add);
        Sub unbounded = new Sub(Long.MAX_VALUE);
        Sub batches = new Sub(4); // re-requests 4 after every 4 values
        Sub oneByOne = new Sub(1);
        Sub slow = new Sub(0); // holds demand at 0
        p.subscribe(unbounded);
        p.subscribe(batches);
        p.subscribe(oneByOne);
        p.subscribe(slow);
        assertEquals(4, tx.receiverCount());

        int k = 40; // > CAPACITY: the slow one misses k - CAPACITY
        CompletableFuture<Void> sends =
                CompletableFuture.runAsync(
                        () -> {
                            for (int i = 0; i < k; i++) {
                                assertEquals(4, tx.send(i), "every subscriber's receiver counts");
                            }
                        });
        sends.get(10, TimeUnit.SECONDS); // nobody stalls the sender, not even zero demand
        assertEquals(range(0, k), unbounded.values);
        assertEquals(range(0, k), batches.values);
        assertEquals(range(0, k), oneByOne.values);
        assertTrue(slow.values.isEmpty());
        assertTrue(lags.isEmpty(), "a lag is noticed when the subscriber next has demand");

        slow.s.request(Long.MAX_VALUE);
        if (policy == LagPolicy.SKIP) {
            assertEquals(List.of((long) (k - CAPACITY)), lags);
            assertEquals(range(k - CAPACITY, k), slow.values, "exactly the last capacity values");
            assertNull(slow.error);
            assertEquals(4, tx.receiverCount());
        } else {
            LaggedException e = assertInstanceOf(LaggedException.class, slow.error);
            assertEquals(k - CAPACITY, e.missed());
            assertTrue(slow.values.isEmpty());
            assertTrue(lags.isEmpty(), "onLag is for SKIP only");
            assertEquals(3, tx.receiverCount(), "the lagged subscriber's receiver is closed");
        }

        tx.send(k);
        tx.close();
        for (Sub s : List.of(unbounded, batches, oneByOne)) {
            s.done.get(5, TimeUnit.SECONDS);
            assertNull(s.error);
            assertEquals(range(0, k + 1), s.values);
        }
        if (policy == LagPolicy.SKIP) {
            slow.done.get(5, TimeUnit.SECONDS);
            assertNull(slow.error);
            assertEquals(range(k - CAPACITY, k + 1), slow.values);
        }
        assertEquals(0, tx.receiverCount());
    }

    @Test
    void reactorStepVerifierSkip() {
        Broadcast.Sender<Integer> tx = Broadcast.sender(CAPACITY);
        List<Long> lags = new ArrayList<>();
        StepVerifier.create(Flux.from(tx.asPublisher(LagPolicy.SKIP, lags::add)), 0)
                .then(
                        () -> {
                            for (int i = 0; i < 40; i++) {
                                tx.send(i);
                            }
                        })
                .thenRequest(CAPACITY)
                .expectNextSequence(range(40 - CAPACITY, 40))
                .then(() -> assertEquals(List.of(24L), lags))
                .then(tx::close)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void reactorStepVerifierError() {
        Broadcast.Sender<Integer> tx = Broadcast.sender(CAPACITY);
        StepVerifier.create(Flux.from(tx.asPublisher(LagPolicy.ERROR)), 0)
                .then(
                        () -> {
                            for (int i = 0; i < 40; i++) {
                                tx.send(i);
                            }
                        })
                .thenRequest(1)
                .expectErrorSatisfies(
                        e -> assertEquals(24, assertInstanceOf(LaggedException.class, e).missed()))
                .verify(Duration.ofSeconds(10));
        assertEquals(0, tx.receiverCount());
    }

    @Test
    void reactorLimitRateSeesEverythingWhileASlowOneSkips() throws Exception {
        Broadcast.Sender<Integer> tx = Broadcast.sender(256);
        int n = 50_000;
        AtomicLong missed = new AtomicLong();
        // Fast: limitRate on the sending thread (each replenishment is made inside onNext).
        CompletableFuture<List<Integer>> fast =
                Flux.from(tx.asPublisher(LagPolicy.ERROR)).limitRate(32).collectList().toFuture();
        // Slow: hops to another thread and does a little work per value; it lags under SKIP.
        CompletableFuture<List<Integer>> slow =
                Flux.from(tx.asPublisher(LagPolicy.SKIP, missed::addAndGet))
                        .publishOn(Schedulers.single(), 8)
                        .doOnNext(v -> Thread.onSpinWait())
                        .collectList()
                        .toFuture();
        assertEquals(2, tx.receiverCount());
        for (int i = 0; i < n; i++) {
            tx.send(i);
        }
        tx.close();
        List<Integer> all = fast.get(20, TimeUnit.SECONDS);
        assertEquals(range(0, n), all);
        List<Integer> some = slow.get(20, TimeUnit.SECONDS);
        assertEquals(n, some.size() + missed.get(), "received + missed == sent, exactly");
        for (int i = 1; i < some.size(); i++) {
            assertTrue(some.get(i) > some.get(i - 1), "in order, no duplicate");
        }
    }

    @Test
    void rxJavaFlowableFromPublisher() {
        Broadcast.Sender<Integer> tx = Broadcast.sender(CAPACITY);
        TestSubscriber<Integer> ts =
                Flowable.fromPublisher(tx.asPublisher(LagPolicy.ERROR)).test(0);
        tx.send(1);
        tx.send(2);
        ts.assertNoValues();
        ts.request(2);
        ts.assertValues(1, 2);
        tx.close();
        ts.assertComplete();

        Broadcast.Sender<Integer> tx2 = Broadcast.sender(4);
        Broadcast.Receiver<Integer> rx = tx2.subscribe();
        Flowable.range(0, 10).subscribe(tx2.asSubscriber());
        for (int i = 6; i < 10; i++) {
            Integer v;
            try {
                v = rx.tryRecv();
            } catch (LaggedException e) {
                assertEquals(6, e.missed());
                v = rx.tryRecv();
            }
            assertEquals(i, v);
        }
        assertTrue(rx.isClosed(), "onComplete closed the only sender");
    }
}
