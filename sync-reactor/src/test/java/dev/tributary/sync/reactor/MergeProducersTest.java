package dev.tributary.sync.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.Mpsc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Many concurrent producers into one channel: the case where a Reactor {@code Sinks.many()} fails
 * with {@code FAIL_NON_SERIALIZED} under concurrent emission, and where several {@code sendAll}s
 * into one mpsc channel are the supported way to merge.
 */
@ExtendWith(BlockHoundSupport.class)
@Timeout(60)
class MergeProducersTest {

    private static final int PRODUCERS = 8;
    private static final int PER_PRODUCER = 10_000;
    private static final int CAPACITY = 16;

    @Test
    void eightConcurrentSendAllsIntoOneSmallChannelDeliverEveryValueOnceInProducerOrder() {
        Mpsc.Channel<long[]> ch = Mpsc.channel(CAPACITY);
        List<Mono<Void>> producers = new ArrayList<>();
        AtomicInteger maxLen = new AtomicInteger();
        for (int p = 0; p < PRODUCERS; p++) {
            int id = p;
            Mpsc.Sender<long[]> tx = ch.sender().clone();
            producers.add(
                    ReactorChannels.sendAll(
                                    tx,
                                    Flux.range(0, PER_PRODUCER)
                                            .map(i -> new long[] {id, i})
                                            .subscribeOn(Schedulers.parallel()))
                            .doFinally(s -> tx.close()));
        }
        ch.sender().close(); // the clones keep the channel open until every producer is done

        int[] next = new int[PRODUCERS];
        AtomicReference<String> orderError = new AtomicReference<>();
        Mono<Long> consumer =
                ReactorChannels.flux(ch.receiver())
                        .publishOn(Schedulers.single(), 8)
                        .doOnNext(
                                m -> {
                                    maxLen.accumulateAndGet(ch.receiver().len(), Math::max);
                                    int id = (int) m[0];
                                    if (m[1] != next[id] && orderError.get() == null) {
                                        orderError.set(
                                                "producer "
                                                        + id
                                                        + ": got "
                                                        + m[1]
                                                        + ", expected "
                                                        + next[id]);
                                    }
                                    next[id]++;
                                })
                        .count();

        Long count =
                Mono.zip(Mono.when(producers).thenReturn(0), consumer)
                        .map(t -> t.getT2())
                        .block(Duration.ofSeconds(50));

        assertEquals(PRODUCERS * PER_PRODUCER, count);
        assertEquals(null, orderError.get());
        for (int p = 0; p < PRODUCERS; p++) {
            assertEquals(PER_PRODUCER, next[p], "producer " + p + ": every value exactly once");
        }
        assertTrue(maxLen.get() <= CAPACITY, "channel len " + maxLen.get() + " > capacity");
    }

    @Test
    void aReactorSinkRejectsTheSameConcurrentEmission() throws Exception {
        // The contrast, made deterministic: while one thread is inside tryEmitNext (its
        // subscriber's onNext is running), a second thread's emission fails with
        // FAIL_NON_SERIALIZED. The channel above has no such failure mode.
        Sinks.Many<Integer> sink = Sinks.many().multicast().onBackpressureBuffer();
        CountDownLatch inOnNext = new CountDownLatch(1);
        CountDownLatch secondTried = new CountDownLatch(1);
        sink.asFlux()
                .subscribe(
                        v -> {
                            if (v == 1) {
                                inOnNext.countDown();
                                await(secondTried);
                            }
                        });
        CompletableFuture<Sinks.EmitResult> first =
                CompletableFuture.supplyAsync(() -> sink.tryEmitNext(1));
        assertTrue(inOnNext.await(10, TimeUnit.SECONDS));
        Sinks.EmitResult second = sink.tryEmitNext(2);
        secondTried.countDown();
        assertEquals(Sinks.EmitResult.FAIL_NON_SERIALIZED, second);
        assertEquals(Sinks.EmitResult.OK, first.get(10, TimeUnit.SECONDS));
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
