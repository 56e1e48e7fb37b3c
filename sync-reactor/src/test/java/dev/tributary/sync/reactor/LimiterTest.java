package dev.tributary.sync.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.Semaphore;
import dev.tributary.sync.SemaphorePermit;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * The shared concurrency limiter ({@link ReactorSync#limit(Semaphore, Function)}): one semaphore
 * across pipelines, asynchronous FIFO waits, release on completion, error and cancel.
 */
@ExtendWith(BlockHoundSupport.class)
@Timeout(60)
class LimiterTest {

    private static final int PERMITS = 8;
    private static final int CALLS = 5_000;

    @Test
    void threePipelinesShareOneSemaphoreAndACancelledOneReturnsEveryPermit() {
        Semaphore sem = new Semaphore(PERMITS);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicIntegerArray runs = new AtomicIntegerArray(3 * CALLS);

        // In flight = from the inner subscription (made with the permit held) to its terminal
        // signal or cancel, both of which reach the operator before it releases the permit.
        Function<Integer, Mono<Integer>> call =
                key -> {
                    AtomicBoolean ended = new AtomicBoolean();
                    Runnable end =
                            () -> {
                                if (ended.compareAndSet(false, true)) {
                                    inFlight.decrementAndGet();
                                }
                            };
                    return Mono.fromCallable(
                                    () -> {
                                        runs.incrementAndGet(key);
                                        return key;
                                    })
                            .subscribeOn(Schedulers.parallel())
                            .doOnSubscribe(
                                    s ->
                                            maxInFlight.accumulateAndGet(
                                                    inFlight.incrementAndGet(), Math::max))
                            .doOnTerminate(end)
                            .doOnCancel(end);
                };

        Mono<List<Integer>> a =
                Flux.range(0, CALLS).transform(ReactorSync.limit(sem, call)).collectList();
        Mono<List<Integer>> b =
                Flux.range(CALLS, CALLS).transform(ReactorSync.limit(sem, call)).collectList();
        AtomicInteger cDone = new AtomicInteger();
        Disposable c =
                Flux.range(2 * CALLS, CALLS)
                        .transform(ReactorSync.limit(sem, call))
                        .subscribe(v -> cDone.incrementAndGet());

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> cDone.get() >= CALLS / 4);
        c.dispose(); // mid-way: running calls are cancelled, waiting ones withdrawn

        List<List<Integer>> results =
                Mono.zip(a, b)
                        .map(t -> List.of(t.getT1(), t.getT2()))
                        .block(Duration.ofSeconds(50));

        assertTrue(maxInFlight.get() <= PERMITS, "in flight " + maxInFlight.get());
        for (int p = 0; p < 2; p++) {
            assertEquals(CALLS, results.get(p).size());
            assertEquals(CALLS, new java.util.HashSet<>(results.get(p)).size());
            for (int i = p * CALLS; i < (p + 1) * CALLS; i++) {
                assertEquals(1, runs.get(i), "call " + i + " ran once");
            }
        }
        for (int i = 2 * CALLS; i < 3 * CALLS; i++) {
            assertTrue(runs.get(i) <= 1, "call " + i + " ran at most once");
        }
        assertTrue(cDone.get() < CALLS, "the third pipeline was cut short");
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> sem.availablePermits() == PERMITS);
        assertFalse(sem.hasQueuedWaiters());
        assertEquals(0, inFlight.get());
    }

    @Test
    void aFullSemaphoreMakesCallsWaitWithoutBlockingAndInFifoOrder() {
        Semaphore sem = new Semaphore(1);
        SemaphorePermit held = sem.tryAcquire();
        List<Integer> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger started = new AtomicInteger();
        StepVerifier.create(
                        Flux.range(0, 5)
                                .transform(
                                        ReactorSync.limit(
                                                sem,
                                                i -> {
                                                    started.incrementAndGet();
                                                    order.add(i);
                                                    return Mono.just(i);
                                                })))
                .expectSubscription()
                .then(
                        () -> {
                            // the subscribing thread returned: nobody blocked; nothing started
                            assertEquals(0, started.get());
                            assertTrue(sem.hasQueuedWaiters());
                        })
                .then(held::close)
                .expectNextCount(5)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertEquals(List.of(0, 1, 2, 3, 4), order);
        assertEquals(1, sem.availablePermits());
    }

    @Test
    void anErrorReleasesThePermitAndFailsThePipeline() {
        Semaphore sem = new Semaphore(2);
        StepVerifier.create(
                        Flux.range(0, 10)
                                .transform(
                                        ReactorSync.limit(
                                                sem,
                                                i ->
                                                        i == 3
                                                                ? Mono.error(
                                                                        new IllegalStateException(
                                                                                "call 3"))
                                                                : Mono.just(i))))
                .expectNext(0, 1, 2)
                .expectErrorMessage("call 3")
                .verify(Duration.ofSeconds(10));
        assertEquals(2, sem.availablePermits());
    }

    @Test
    void limitedPipelineTimeoutInVirtualTimeReleasesEveryPermit() {
        Semaphore sem = new Semaphore(2);
        ConcurrentHashMap<Integer, Boolean> started = new ConcurrentHashMap<>();
        StepVerifier.withVirtualTime(
                        () ->
                                Flux.range(0, 6)
                                        .transform(
                                                ReactorSync.limit(
                                                        sem,
                                                        i -> {
                                                            started.put(i, true);
                                                            return Mono.delay(
                                                                            Duration.ofSeconds(10))
                                                                    .thenReturn(i);
                                                        }))
                                        .timeout(Duration.ofSeconds(8)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(8))
                .expectError(TimeoutException.class)
                .verify(Duration.ofSeconds(10));
        assertEquals(2, started.size(), "two calls got a permit; the others waited");
        assertEquals(2, sem.availablePermits());
        assertFalse(sem.hasQueuedWaiters());
    }

    @Test
    void aLongQueueOfWaitingCallsDrainsOnOneThreadWithAFlatStack() {
        // 20,000 calls queued behind one held permit; each synchronous call releases the permit to
        // the next on the same thread. sync-core's trampoline keeps that hand-off chain flat.
        Semaphore sem = new Semaphore(1);
        SemaphorePermit held = sem.tryAcquire();
        int n = 20_000;
        AtomicInteger done = new AtomicInteger();
        Disposable d =
                Flux.range(0, n)
                        .transform(ReactorSync.limit(sem, n, Mono::just))
                        .subscribe(v -> done.incrementAndGet());
        assertEquals(0, done.get());
        held.close();
        assertEquals(n, done.get());
        assertEquals(1, sem.availablePermits());
        d.dispose();
    }
}
