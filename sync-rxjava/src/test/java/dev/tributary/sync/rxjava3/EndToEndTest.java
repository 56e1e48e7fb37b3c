package dev.tributary.sync.rxjava3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.LagPolicy;
import dev.tributary.sync.Mpsc;
import dev.tributary.sync.Semaphore;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.observers.TestObserver;
import io.reactivex.rxjava3.schedulers.Schedulers;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Flowable producers → mpsc (sendAll) → workers limited by a shared semaphore → broadcast → two
 * subscribers: every value arrives at both, and nothing buffers without bound on the way.
 */
class EndToEndTest {

    private static final int PRODUCERS = 3;
    private static final long PER_PRODUCER = 5_000;
    private static final int CAPACITY = 16;
    private static final int PERMITS = 4;
    private static final int MAX_PENDING = 32;

    @Test
    @Timeout(60)
    void everyValueReachesBothSubscribersWithBoundedBuffers() {
        Mpsc.Channel<Long> jobs = Mpsc.channel(CAPACITY);
        Broadcast.Sender<Long> results = Broadcast.sender(1024);
        Semaphore workers = new Semaphore(PERMITS);

        AtomicLong maxProducerRequest = new AtomicLong();
        AtomicLong maxJobsRequest = new AtomicLong();
        AtomicLong maxJobsLen = new AtomicLong();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();

        // two subscribers, subscribed before anything flows
        TestSubscriber<Long> a = RxChannels.flowable(results, LagPolicy.ERROR).test();
        TestSubscriber<Long> b = RxChannels.flowable(results, LagPolicy.ERROR).test();

        // the consumer side: jobs → limited workers → broadcast
        TestObserver<Void> pipeline =
                RxChannels.flowable(jobs.receiver())
                        .doOnRequest(n -> maxJobsRequest.accumulateAndGet(n, Math::max))
                        .compose(
                                RxSync.limit(
                                        workers,
                                        (Long job) ->
                                                Flowable.fromCallable(
                                                                () -> {
                                                                    maxJobsLen.accumulateAndGet(
                                                                            jobs.receiver().len(),
                                                                            Math::max);
                                                                    maxInFlight.accumulateAndGet(
                                                                            inFlight
                                                                                    .incrementAndGet(),
                                                                            Math::max);
                                                                    return job * 2;
                                                                })
                                                        .doOnTerminate(inFlight::decrementAndGet)
                                                        .subscribeOn(Schedulers.computation()),
                                        MAX_PENDING))
                        .concatMapSingle(r -> RxChannels.send(results, r))
                        .ignoreElements()
                        .doOnComplete(results::close)
                        .test();

        // the producer side: several Flowables merged into the channel through sendAll
        Completable producers =
                Flowable.range(0, PRODUCERS)
                        .flatMapCompletable(
                                p ->
                                        RxChannels.sendAll(
                                                jobs.sender(),
                                                Flowable.rangeLong(p * PER_PRODUCER, PER_PRODUCER)
                                                        .doOnRequest(
                                                                n ->
                                                                        maxProducerRequest
                                                                                .accumulateAndGet(
                                                                                        n,
                                                                                        Math::max))
                                                        .subscribeOn(Schedulers.io())))
                        .doOnComplete(jobs.sender()::close);
        producers.test().awaitDone(50, TimeUnit.SECONDS).assertComplete();

        pipeline.awaitDone(50, TimeUnit.SECONDS).assertComplete();
        a.awaitDone(10, TimeUnit.SECONDS).assertComplete().assertNoErrors();
        b.awaitDone(10, TimeUnit.SECONDS).assertComplete().assertNoErrors();

        Set<Long> expected =
                LongStream.range(0, PRODUCERS * PER_PRODUCER)
                        .map(v -> v * 2)
                        .boxed()
                        .collect(Collectors.toSet());
        assertEquals(expected.size(), a.values().size(), "no duplicates at a");
        assertEquals(expected, new HashSet<>(a.values()));
        assertEquals(a.values(), b.values(), "both subscribers see the same sequence");

        assertEquals(1, maxProducerRequest.get(), "sendAll pulls one value at a time");
        assertTrue(maxJobsLen.get() <= CAPACITY, "jobs len " + maxJobsLen.get());
        assertTrue(maxJobsRequest.get() <= MAX_PENDING, "jobs request " + maxJobsRequest.get());
        assertTrue(maxInFlight.get() <= PERMITS, "in flight " + maxInFlight.get());
        assertEquals(PERMITS, workers.availablePermits());
        assertFalse(workers.hasQueuedWaiters());
        assertTrue(results.len() <= 1024);
    }
}
