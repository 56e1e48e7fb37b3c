package dev.tributary.sync.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.LagPolicy;
import dev.tributary.sync.Mpsc;
import dev.tributary.sync.Semaphore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A Spring-free service in miniature: two source {@code Flux}es into one bounded mpsc channel (via
 * {@code sendAll}), workers limited by a shared semaphore, results fanned out through a broadcast
 * channel to two subscribers. Every value arrives at both, and nothing buffers without bound: the
 * channel never holds more than its capacity and every request along the chain stays small.
 */
@ExtendWith(BlockHoundSupport.class)
@Timeout(60)
class EndToEndTest {

    private static final int PER_SOURCE = 10_000;
    private static final int MPSC_CAPACITY = 32;
    private static final int WORKERS = 4;
    private static final int MAX_QUEUED = 16;
    private static final int BROADCAST_CAPACITY = 4_096;

    @Test
    void fluxToMpscToLimitedWorkersToBroadcastToTwoSubscribers() {
        Mpsc.Channel<Integer> jobs = Mpsc.channel(MPSC_CAPACITY);
        Semaphore workers = new Semaphore(WORKERS);
        Broadcast.Sender<Integer> results = Broadcast.sender(BROADCAST_CAPACITY);

        AtomicLong maxSourceRequest = new AtomicLong();
        AtomicLong maxJobsRequest = new AtomicLong();
        AtomicLong maxResultsRequest = new AtomicLong();
        AtomicInteger maxJobsLen = new AtomicInteger();
        AtomicInteger maxBroadcastLen = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();

        // Two subscribers, subscribed before anything is sent; ERROR makes any lag a failure.
        Flux<Integer> fanOut = ReactorChannels.flux(results, LagPolicy.ERROR);
        List<Integer> a = Collections.synchronizedList(new ArrayList<>());
        List<Integer> b = Collections.synchronizedList(new ArrayList<>());
        Mono<Void> subscriberA = fanOut.doOnNext(a::add).then().cache();
        Mono<Void> subscriberB = fanOut.doOnNext(b::add).then().cache();
        subscriberA.subscribe();
        subscriberB.subscribe();
        assertEquals(2, results.receiverCount());

        // Producers: two sources merged into the channel by two concurrent sendAlls.
        List<Mono<Void>> producers = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            Mpsc.Sender<Integer> tx = jobs.sender().clone();
            Flux<Integer> source =
                    Flux.range(p * PER_SOURCE, PER_SOURCE)
                            .doOnRequest(r -> maxSourceRequest.accumulateAndGet(r, Math::max))
                            .subscribeOn(Schedulers.parallel());
            producers.add(ReactorChannels.sendAll(tx, source).doFinally(s -> tx.close()));
        }
        jobs.sender().close();

        // Workers: at most WORKERS calls at once, shared semaphore; results into the broadcast.
        Mono<Void> pipeline =
                ReactorChannels.flux(jobs.receiver())
                        .doOnRequest(r -> maxJobsRequest.accumulateAndGet(r, Math::max))
                        .doOnNext(
                                v -> maxJobsLen.accumulateAndGet(jobs.receiver().len(), Math::max))
                        .transform(
                                ReactorSync.limit(
                                        workers,
                                        MAX_QUEUED,
                                        v ->
                                                Mono.fromCallable(
                                                                () -> {
                                                                    int now =
                                                                            inFlight
                                                                                    .incrementAndGet();
                                                                    maxInFlight.accumulateAndGet(
                                                                            now, Math::max);
                                                                    inFlight.decrementAndGet();
                                                                    return v * 2;
                                                                })
                                                        .subscribeOn(Schedulers.parallel())))
                        .doOnRequest(r -> maxResultsRequest.accumulateAndGet(r, Math::max))
                        .concatMap(
                                r ->
                                        ReactorChannels.send(results, r)
                                                .doOnNext(
                                                        n ->
                                                                maxBroadcastLen.accumulateAndGet(
                                                                        results.len(), Math::max)))
                        .then(Mono.fromRunnable(results::close));

        Mono.when(Mono.when(producers), pipeline, subscriberA, subscriberB)
                .block(Duration.ofSeconds(50));

        List<Integer> expected = new ArrayList<>();
        for (int v = 0; v < 2 * PER_SOURCE; v++) {
            expected.add(v * 2);
        }
        for (List<Integer> got : List.of(a, b)) {
            List<Integer> sorted = new ArrayList<>(got);
            Collections.sort(sorted);
            assertEquals(expected, sorted, "every value exactly once at each subscriber");
        }
        assertEquals(1, maxSourceRequest.get(), "sendAll asks its source for one at a time");
        assertTrue(maxJobsLen.get() <= MPSC_CAPACITY, "channel len " + maxJobsLen.get());
        assertTrue(
                maxJobsRequest.get() <= MAX_QUEUED,
                "the limiter requested " + maxJobsRequest.get() + " jobs at once");
        assertTrue(
                maxResultsRequest.get() <= 32,
                "concatMap requested " + maxResultsRequest.get() + " results at once");
        assertTrue(maxBroadcastLen.get() <= BROADCAST_CAPACITY);
        assertTrue(maxInFlight.get() <= WORKERS, "in flight " + maxInFlight.get());
        assertEquals(WORKERS, workers.availablePermits());
        assertFalse(workers.hasQueuedWaiters());
        assertEquals(0, results.receiverCount(), "both subscribers completed");
    }
}
