package dev.tributary.sync.rxjava3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.ClosedException;
import dev.tributary.sync.Semaphore;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.functions.Action;
import io.reactivex.rxjava3.processors.PublishProcessor;
import io.reactivex.rxjava3.schedulers.Schedulers;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;

/** {@link RxSync#limit}: one semaphore shared by several pipelines. */
class LimiterTest {

    private static final int PERMITS = 8;
    private static final int CALLS = 5_000;

    /** Counts calls in flight and keeps the maximum; decrements before the permit returns. */
    static final class InFlight {
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger max = new AtomicInteger();
        final ConcurrentHashMap<String, AtomicInteger> runs = new ConcurrentHashMap<>();

        Publisher<String> call(String key) {
            return Flowable.defer(
                    () -> {
                        runs.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                        max.accumulateAndGet(now.incrementAndGet(), Math::max);
                        AtomicBoolean ended = new AtomicBoolean();
                        Action end =
                                () -> {
                                    if (ended.compareAndSet(false, true)) {
                                        now.decrementAndGet();
                                    }
                                };
                        return Flowable.fromCallable(() -> key)
                                .subscribeOn(Schedulers.computation())
                                // before the signal goes downstream, hence before the permit
                                // returns; a cancel racing the completion counts once
                                .doOnTerminate(end)
                                .doOnCancel(end);
                    });
        }
    }

    @Test
    @Timeout(60)
    void threePipelinesShareTheLimitEveryCallRunsOnce() {
        Semaphore sem = new Semaphore(PERMITS);
        InFlight inFlight = new InFlight();
        List<TestSubscriber<String>> pipelines = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            String name = "p" + p;
            pipelines.add(
                    Flowable.range(0, CALLS)
                            .subscribeOn(Schedulers.io())
                            .compose(RxSync.limit(sem, i -> inFlight.call(name + ":" + i)))
                            .test());
        }
        for (TestSubscriber<String> ts : pipelines) {
            ts.awaitDone(50, TimeUnit.SECONDS).assertComplete().assertNoErrors();
            assertEquals(CALLS, ts.values().size());
            assertEquals(CALLS, ts.values().stream().distinct().count());
        }
        assertEquals(3 * CALLS, inFlight.runs.size());
        assertTrue(inFlight.runs.values().stream().allMatch(c -> c.get() == 1), "each once");
        assertTrue(inFlight.max.get() <= PERMITS, "in flight " + inFlight.max.get());
        assertEquals(PERMITS, sem.availablePermits());
        assertFalse(sem.hasQueuedWaiters());
    }

    @Test
    @Timeout(60)
    void disposingAPipelineMidwayReturnsEveryPermit() throws Exception {
        Semaphore sem = new Semaphore(PERMITS);
        InFlight inFlight = new InFlight();
        CountDownLatch someDone = new CountDownLatch(500);
        TestSubscriber<String> a =
                Flowable.range(0, CALLS)
                        .compose(RxSync.limit(sem, i -> inFlight.call("a:" + i)))
                        .test();
        TestSubscriber<String> b =
                Flowable.range(0, CALLS)
                        .compose(RxSync.limit(sem, i -> inFlight.call("b:" + i)))
                        .test();
        Disposable c =
                Flowable.range(0, CALLS)
                        .compose(RxSync.limit(sem, i -> inFlight.call("c:" + i)))
                        .subscribe(v -> someDone.countDown());
        assertTrue(someDone.await(50, TimeUnit.SECONDS));
        c.dispose();
        a.awaitDone(50, TimeUnit.SECONDS).assertComplete();
        b.awaitDone(50, TimeUnit.SECONDS).assertComplete();
        assertEquals(CALLS, a.values().size());
        assertEquals(CALLS, b.values().size());
        assertTrue(inFlight.max.get() <= PERMITS, "in flight " + inFlight.max.get());
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> inFlight.now.get() == 0);
        assertEquals(PERMITS, sem.availablePermits());
        assertFalse(sem.hasQueuedWaiters());
    }

    @Test
    void disposeRacingReleasesConservesPermits() {
        Semaphore sem = new Semaphore(2);
        for (int i = 0; i < 2_000; i++) {
            PublishProcessor<Integer> gate = PublishProcessor.create();
            TestSubscriber<Integer> ts =
                    Flowable.range(0, 6)
                            .compose(RxSync.limit(sem, v -> gate.take(1).map(x -> v)))
                            .test();
            Race.race(ts::cancel, () -> gate.onNext(0));
            assertEquals(2, sem.availablePermits(), "iteration " + i);
            assertFalse(sem.hasQueuedWaiters(), "iteration " + i);
        }
    }

    @Test
    void waitingForAPermitBlocksNoThreadAndIsFifoAcrossPipelines() {
        Semaphore sem = new Semaphore(0);
        List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        TestSubscriber<String> first =
                Flowable.just("first")
                        .compose(RxSync.limit(sem, v -> Flowable.just(v).doOnNext(order::add)))
                        .test(); // returns at once: nobody parks
        TestSubscriber<String> second =
                Flowable.just("second")
                        .compose(RxSync.limit(sem, v -> Flowable.just(v).doOnNext(order::add)))
                        .test();
        first.assertEmpty();
        sem.addPermits(1);
        assertEquals(List.of("first", "second"), order);
        first.assertResult("first");
        second.assertResult("second");
        assertEquals(1, sem.availablePermits());
    }

    @Test
    void nothingIsTakenBeforeSubscription() {
        Semaphore sem = new Semaphore(1);
        AtomicInteger calls = new AtomicInteger();
        Flowable<Integer> limited =
                Flowable.range(0, 3)
                        .compose(
                                RxSync.limit(
                                        sem,
                                        v -> {
                                            calls.incrementAndGet();
                                            return Flowable.just(v);
                                        }));
        assertEquals(1, sem.availablePermits());
        assertEquals(0, calls.get());
        limited.test().assertResult(0, 1, 2);
        limited.test().assertResult(0, 1, 2);
        assertEquals(6, calls.get());
    }

    @Test
    void upstreamDemandIsBoundedByMaxPending() {
        Semaphore sem = new Semaphore(2);
        AtomicLong requested = new AtomicLong();
        TestSubscriber<Integer> ts =
                Flowable.range(0, 1_000)
                        .doOnRequest(requested::addAndGet)
                        .compose(RxSync.limit(sem, v -> Flowable.<Integer>never(), 4))
                        .test();
        assertEquals(4, requested.get(), "only maxPending elements taken from upstream");
        ts.cancel();
        assertEquals(2, sem.availablePermits());
        assertFalse(sem.hasQueuedWaiters());
    }

    @Test
    void errorsFailThePipelineAndReturnPermits() {
        Semaphore sem = new Semaphore(2);
        IOException boom = new IOException("call");
        Flowable.range(0, 10)
                .compose(
                        RxSync.limit(
                                sem,
                                v -> v == 3 ? Flowable.<Integer>error(boom) : Flowable.just(v)))
                .test()
                .assertError(boom);
        assertEquals(2, sem.availablePermits());
        Flowable.range(0, 10)
                .compose(RxSync.<Integer, Integer>limit(sem, v -> null))
                .test()
                .assertError(NullPointerException.class);
        assertEquals(2, sem.availablePermits());
        sem.close();
        Flowable.range(0, 10)
                .compose(RxSync.limit(sem, Flowable::just))
                .test()
                .assertError(ClosedException.class);
    }
}
