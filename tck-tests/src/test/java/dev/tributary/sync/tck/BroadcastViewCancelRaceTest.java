package dev.tributary.sync.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.ClosedException;
import dev.tributary.sync.LagPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Cancellation races on the broadcast publisher views: a sender sends while one of two subscribers
 * cancels at a random point. The other subscriber and a plain receiver still get every value
 * exactly once and in order; the cancelled subscription's receiver is closed (the receiver count
 * drops back: nothing is retained for it); the cancelled one received a prefix, in order; no
 * exception escapes. Both views race: each iteration picks the sender view (multicast) or the
 * receiver view (unicast) for the cancelling subscriber, and a random demand pattern.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BroadcastViewCancelRaceTest {

    private static final int ITERATIONS = 3_000;
    private static final int VALUES = 32;

    private static final ExecutorService OTHER =
            Executors.newSingleThreadExecutor(
                    r -> {
                        Thread t = new Thread(r, "bcast-cancel-race");
                        t.setDaemon(true);
                        return t;
                    });

    @AfterAll
    static void shutdown() {
        OTHER.shutdownNow();
    }

    /** Requests {@code batch} at a time (Long.MAX_VALUE: once); records everything. */
    static final class Sub implements Subscriber<Integer> {
        final List<Integer> values =
                new ArrayList<>(); // written only inside the serialized signals
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final AtomicInteger count = new AtomicInteger();
        final long batch;
        volatile Subscription s;
        volatile Throwable error;
        volatile boolean signalAfterCancel;
        volatile boolean cancelled;
        private long sinceRequest;

        Sub(long batch) {
            this.batch = batch;
        }

        @Override
        public void onSubscribe(Subscription s) {
            this.s = s;
            s.request(batch);
        }

        @Override
        public void onNext(Integer v) {
            values.add(v);
            count.incrementAndGet();
            if (batch != Long.MAX_VALUE && ++sinceRequest == batch) {
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
            if (cancelled) {
                signalAfterCancel = true; // a terminal signal after cancel returned is allowed
            }
            done.complete(null);
        }

        void cancel() {
            s.cancel();
            cancelled = true;
        }
    }

    private static long randomBatch() {
        switch (ThreadLocalRandom.current().nextInt(3)) {
            case 0:
                return 1;
            case 1:
                return 1 + ThreadLocalRandom.current().nextInt(8);
            default:
                return Long.MAX_VALUE;
        }
    }

    @Test
    void cancellingOneSubscriberLosesNothingForTheOthers() throws Exception {
        for (int it = 0; it < ITERATIONS; it++) {
            boolean unicast = (it & 1) == 1;
            Broadcast.Channel<Integer> ch = Broadcast.channel(VALUES); // nobody lags
            Broadcast.Sender<Integer> tx = ch.sender();
            Broadcast.Receiver<Integer> plain = tx.subscribe();
            Publisher<Integer> multicast = tx.asPublisher(LagPolicy.ERROR);
            Sub keeper = new Sub(randomBatch());
            Sub quitter = new Sub(randomBatch());
            multicast.subscribe(keeper);
            if (unicast) {
                ch.receiver().asPublisher(LagPolicy.ERROR).subscribe(quitter);
            } else {
                ch.receiver().close();
                multicast.subscribe(quitter);
            }
            assertEquals(3, tx.receiverCount());
            int cancelAfter = ThreadLocalRandom.current().nextInt(VALUES + 1);
            AtomicReference<Throwable> escaped = new AtomicReference<>();
            Future<?> canceller =
                    OTHER.submit(
                            () -> {
                                try {
                                    for (int spins = 0;
                                            quitter.count.get() < cancelAfter
                                                    && !quitter.done.isDone()
                                                    && spins < 1_000_000;
                                            spins++) {
                                        Thread.onSpinWait();
                                    }
                                    quitter.cancel();
                                } catch (Throwable t) {
                                    escaped.set(t);
                                }
                            });
            try {
                for (int i = 0; i < VALUES; i++) {
                    tx.send(i);
                }
            } catch (Throwable t) {
                escaped.set(t);
            }
            canceller.get(10, TimeUnit.SECONDS);
            assertNull(escaped.get(), () -> "iteration " + escaped.get());
            assertEquals(2, tx.receiverCount(), "the cancelled subscription's receiver is closed");
            tx.close();

            keeper.done.get(10, TimeUnit.SECONDS);
            assertNull(keeper.error);
            assertEquals(VALUES, keeper.values.size());
            for (int i = 0; i < VALUES; i++) {
                assertEquals(i, keeper.values.get(i));
            }
            for (int i = 0; i < VALUES; i++) {
                assertEquals(i, plain.tryRecv());
            }
            try {
                plain.tryRecv();
                throw new AssertionError("expected the end of the stream");
            } catch (ClosedException end) {
                assertNull(end.getCause());
            }
            assertNull(quitter.error);
            assertTrue(quitter.count.get() <= VALUES);
            // the quitter's values: a prefix, in order, no duplicate (read after cancel returned
            // and the sends finished: no signal is in flight any more)
            List<Integer> got = List.copyOf(quitter.values);
            for (int i = 0; i < got.size(); i++) {
                assertEquals(i, got.get(i));
            }
            plain.close();
            assertEquals(0, tx.receiverCount());
        }
    }
}
