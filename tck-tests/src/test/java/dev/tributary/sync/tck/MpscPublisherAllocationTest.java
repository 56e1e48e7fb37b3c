package dev.tributary.sync.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.Mpsc;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The publisher view allocates nothing per message in steady state (values flowing, demand
 * outstanding): measured with the JDK's per-thread allocation counter on one thread that sends
 * (each send runs the armed view's drain) and, in the second test, requests. Lives here rather than
 * in sync-core because that module's tests run on the module path, which does not read {@code
 * jdk.management}.
 */
@Timeout(60)
class MpscPublisherAllocationTest {
    private static final int WARM_UP = 200_000;
    private static final int MESSAGES = 1_000_000;

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** Counts; requests either everything up front or one batch of 64 at a time. */
    private static final class Counter implements Subscriber<Integer> {
        final boolean batched;
        Subscription s;
        long count;

        Counter(boolean batched) {
            this.batched = batched;
        }

        @Override
        public void onSubscribe(Subscription s) {
            this.s = s;
            s.request(batched ? 64 : Long.MAX_VALUE);
        }

        @Override
        public void onNext(Integer item) {
            if (batched && ++count % 64 == 0) {
                s.request(64); // inside onNext: another turn of the drain loop, no recursion
            } else if (!batched) {
                count++;
            }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onComplete() {}
    }

    private static void run(boolean batched) {
        Mpsc.Channel<Integer> ch = Mpsc.channel(64);
        Counter c = new Counter(batched);
        ch.receiver().asPublisher().subscribe(c);
        Integer v = 42;
        for (int i = 0; i < WARM_UP; i++) { // blocks recycled, code compiled
            ch.sender().trySend(v);
        }
        long before = allocatedBytes();
        for (int i = 0; i < MESSAGES; i++) {
            if (!ch.sender().trySend(v)) {
                throw new AssertionError("the armed view should have drained the channel");
            }
        }
        long allocated = allocatedBytes() - before;
        System.out.println(
                "MpscPublisherAllocationTest (batched="
                        + batched
                        + "): "
                        + allocated
                        + " B for "
                        + MESSAGES
                        + " messages");
        assertEquals(WARM_UP + MESSAGES, c.count);
        // A few hundred bytes of slack for JIT-time noise; one allocation per message would be
        // at least 16 MB here.
        assertTrue(allocated < 64 * 1024, "allocated " + allocated + " B for " + MESSAGES);
    }

    @Test
    void unboundedDemandAllocatesNothingPerMessage() {
        run(false);
    }

    @Test
    void batchedDemandFromOnNextAllocatesNothingPerMessage() {
        run(true);
    }
}
