package dev.tributary.sync.rxjava3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.Mpsc;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.observers.TestObserver;
import io.reactivex.rxjava3.schedulers.Schedulers;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many concurrent {@code sendAll}s into one bounded channel: the supported way to merge. */
class SendAllMergeTest {

    private static final int PRODUCERS = 8;
    private static final int PER_PRODUCER = 10_000;

    @Test
    @Timeout(60)
    void eightProducersIntoCapacity16KeepEveryValueOnceAndInProducerOrder() {
        Mpsc.Channel<Long> ch = Mpsc.channel(16);
        AtomicLong maxRequest = new AtomicLong();
        List<Completable> sends = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            long base = (long) p * PER_PRODUCER;
            Flowable<Long> producer =
                    Flowable.rangeLong(base, PER_PRODUCER)
                            .doOnRequest(n -> maxRequest.accumulateAndGet(n, Math::max))
                            .subscribeOn(Schedulers.computation());
            sends.add(RxChannels.sendAll(ch.sender(), producer));
        }
        long[] lastSeen = new long[PRODUCERS];
        java.util.Arrays.fill(lastSeen, -1);
        AtomicLong maxLen = new AtomicLong();
        TestSubscriber<Long> ts =
                RxChannels.flowable(ch.receiver())
                        .observeOn(Schedulers.single(), false, 4)
                        .doOnNext(
                                v -> {
                                    maxLen.accumulateAndGet(ch.receiver().len(), Math::max);
                                    int p = (int) (v / PER_PRODUCER);
                                    long offset = v % PER_PRODUCER;
                                    assertEquals(
                                            lastSeen[p] + 1, offset, "producer " + p + " order");
                                    lastSeen[p] = offset;
                                })
                        .test();
        TestObserver<Void> all =
                Completable.merge(sends).doOnComplete(() -> ch.sender().close()).test();
        all.awaitDone(50, TimeUnit.SECONDS).assertComplete();
        ts.awaitDone(50, TimeUnit.SECONDS).assertComplete().assertNoErrors();
        assertEquals(PRODUCERS * PER_PRODUCER, ts.values().size());
        for (int p = 0; p < PRODUCERS; p++) {
            assertEquals(PER_PRODUCER - 1, lastSeen[p], "producer " + p + " complete");
        }
        assertEquals(PRODUCERS * PER_PRODUCER, ts.values().stream().distinct().count());
        assertEquals(1, maxRequest.get(), "sendAll requests one at a time");
        assertTrue(maxLen.get() <= 16, "channel len " + maxLen.get());
    }
}
