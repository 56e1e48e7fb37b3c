package dev.tributary.sync.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.LagPolicy;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The broadcast publisher view allocates nothing per element in steady state: with values queued
 * and demand outstanding, its drain loop polls the receiver with {@code tryRecv} and calls {@code
 * onNext}. Measured with the thread's allocation counter (HotSpot's {@code
 * com.sun.management.ThreadMXBean}); skipped on a JVM without one. A wake-up (a waiter and its
 * future) is allocated only when the subscriber has caught up and waits; this test keeps it from
 * waiting, which is what "steady state" means here.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BroadcastPublisherAllocationTest {

    @Test
    void noAllocationPerElementWhileValuesAreQueuedAndDemandIsOutstanding() {
        assumeTrue(
                ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "no per-thread allocation counter on this JVM");
        com.sun.management.ThreadMXBean tmx =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(tmx.isThreadAllocatedMemorySupported() && tmx.isThreadAllocatedMemoryEnabled());
        long me = Thread.currentThread().getId();
        long probeBefore = tmx.getThreadAllocatedBytes(me);
        byte[] probe = new byte[64 * 1024];
        long probeBytes = tmx.getThreadAllocatedBytes(me) - probeBefore;
        assertTrue(probeBytes >= probe.length, "the counter counts: " + probeBytes + " B");
        int n = 4096;
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) {
            boxed[i] = i;
        }
        long perElement = Long.MAX_VALUE;
        long bytes = Long.MAX_VALUE;
        // Warm-up rounds let the JIT compile the drain loop (and escape-analyse its temporaries).
        for (int round = 0; round < 40 && bytes > 512; round++) {
            Broadcast.Sender<Integer> tx = Broadcast.sender(n);
            long[] sum = new long[1];
            AtomicReference<Subscription> sub = new AtomicReference<>();
            tx.asPublisher(LagPolicy.ERROR)
                    .subscribe(
                            new Subscriber<Integer>() {
                                @Override
                                public void onSubscribe(Subscription s) {
                                    sub.set(s);
                                }

                                @Override
                                public void onNext(Integer v) {
                                    sum[0] += v;
                                }

                                @Override
                                public void onError(Throwable t) {}

                                @Override
                                public void onComplete() {}
                            });
            for (int i = 0; i < n; i++) {
                tx.send(boxed[i]);
            }
            long before = tmx.getThreadAllocatedBytes(me);
            sub.get().request(n); // drains the n queued values on this thread
            long after = tmx.getThreadAllocatedBytes(me);
            assertEquals((long) n * (n - 1) / 2, sum[0]);
            bytes = after - before;
            perElement = bytes / n;
            sub.get().cancel();
        }
        // What remains is per request, not per element: the one wake-up (a waiter, its future and
        // a whenComplete node, about 160 B) registered when the drain found the channel empty.
        assertTrue(bytes <= 512, "bytes for " + n + " elements after warm-up: " + bytes);
        assertEquals(0, perElement);
    }
}
