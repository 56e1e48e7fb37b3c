package dev.tributary.sync.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tributary.sync.ClosedException;
import dev.tributary.sync.Mpsc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Race loops for the Mpsc views against cancellation.
 *
 * <ul>
 *   <li>Publisher view: producers send into a small channel while the subscriber of {@code
 *       asPublisher()} cancels at a random point (from {@code onNext} or from another thread).
 *       Afterwards the receiver is drained with {@code tryRecv}: delivered ∪ drained == sent, each
 *       message once, each producer's order kept, and every slot free again.
 *   <li>Subscriber view: {@code Flux.range} feeds {@code asSubscriber()} while another sender
 *       competes for the slots and the receiver closes at a random point. Afterwards: every slot is
 *       free again (no reservation leaked), the view's elements that arrived are a prefix of the
 *       range (pushed in order, none lost before the close), and the competing sender's sends all
 *       arrived once, in order.
 *   <li>No lost wake-up: pushes and the close race the view's arming and a request from a third
 *       thread; every message and then {@code onComplete} arrive.
 * </ul>
 */
@Timeout(120)
class MpscViewCancelRaceTest {
    private static final int PRODUCERS = 2;
    private static final int MESSAGES = 40;
    private static final ExecutorService POOL =
            Executors.newFixedThreadPool(
                    3,
                    r -> {
                        Thread t = new Thread(r, "mpsc-view-race");
                        t.setDaemon(true);
                        return t;
                    });
    private static final Scheduler UPSTREAM = Schedulers.newSingle("mpsc-view-race-upstream");

    @AfterAll
    static void shutdown() {
        POOL.shutdownNow();
        UPSTREAM.dispose();
    }

    /** A subscriber that requests random batches and cancels after a random count. */
    private static final class Canceller implements Subscriber<Integer> {
        final ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
        final CountDownLatch reached = new CountDownLatch(1);
        final int cancelAfter;
        final boolean cancelInOnNext;
        volatile Subscription s;
        long outstanding; // touched by the serial signals only

        Canceller(int cancelAfter, boolean cancelInOnNext) {
            this.cancelAfter = cancelAfter;
            this.cancelInOnNext = cancelInOnNext;
        }

        @Override
        public void onSubscribe(Subscription s) {
            this.s = s;
            outstanding = ThreadLocalRandom.current().nextInt(1, 6);
            s.request(outstanding);
        }

        @Override
        public void onNext(Integer v) {
            got.add(v);
            if (got.size() == cancelAfter) {
                if (cancelInOnNext) {
                    s.cancel();
                }
                reached.countDown();
            }
            if (--outstanding == 0) {
                outstanding = ThreadLocalRandom.current().nextInt(1, 6);
                s.request(outstanding);
            }
        }

        @Override
        public void onError(Throwable t) {
            reached.countDown();
        }

        @Override
        public void onComplete() {
            reached.countDown();
        }
    }

    @Test
    void cancellingThePublisherViewLosesNothing() throws Exception {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int iter = 0; iter < 3000; iter++) {
            int capacity = rnd.nextInt(1, 5);
            Mpsc.Channel<Integer> ch = Mpsc.channel(capacity);
            Canceller sub = new Canceller(rnd.nextInt(0, PRODUCERS * MESSAGES), rnd.nextBoolean());
            ch.receiver().asPublisher().subscribe(sub);
            List<Mpsc.Sender<Integer>> handles = new ArrayList<>();
            for (int p = 1; p < PRODUCERS; p++) {
                handles.add(ch.sender().clone());
            }
            handles.add(0, ch.sender());
            List<Future<Integer>> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                Mpsc.Sender<Integer> tx = handles.get(p);
                int base = p * 1000;
                producers.add(
                        POOL.submit(
                                () -> {
                                    int sent = 0;
                                    try (tx) {
                                        for (; sent < MESSAGES; sent++) {
                                            tx.blockingSend(base + sent);
                                        }
                                    } catch (ClosedException closed) {
                                        // the receiver was closed by the cancel: not sent
                                    }
                                    return sent;
                                }));
            }
            if (sub.cancelAfter == 0 || !sub.cancelInOnNext) {
                if (sub.cancelAfter > 0) {
                    sub.reached.await(10, TimeUnit.SECONDS);
                }
                sub.s.cancel(); // from this thread, racing the deliveries
            }
            int[] sent = new int[PRODUCERS];
            for (int p = 0; p < PRODUCERS; p++) {
                sent[p] = producers.get(p).get(10, TimeUnit.SECONDS);
            }
            List<Integer> drained = drainAfterCancel(ch.receiver());
            check(iter, sent, new ArrayList<>(sub.got), drained);
            assertEquals(capacity, ch.sender().capacity(), "iteration " + iter + ": slots leaked");
        }
    }

    /**
     * Drains with tryRecv once the subscription has let go of the receiver (a cancel from another
     * thread may still be finishing the drain loop's last turn; until then tryRecv says a
     * subscription is live).
     */
    private static List<Integer> drainAfterCancel(Mpsc.Receiver<Integer> rx) {
        List<Integer> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (; ; ) {
            Integer v;
            try {
                v = rx.tryRecv();
            } catch (ClosedException end) {
                return out;
            } catch (IllegalStateException stillAttached) {
                if (System.nanoTime() > deadline) {
                    throw stillAttached;
                }
                Thread.onSpinWait();
                continue;
            }
            if (v == null) {
                fail("the channel is closed and every producer is done, so it cannot be empty");
            }
            out.add(v);
        }
    }

    private static void check(
            int iter, int[] sent, List<Integer> delivered, List<Integer> drained) {
        int[] next = new int[PRODUCERS];
        List<Integer> all = new ArrayList<>(delivered);
        all.addAll(drained);
        for (int v : all) {
            int p = v / 1000;
            int seq = v % 1000;
            if (seq != next[p]) {
                fail(
                        "iteration "
                                + iter
                                + ": producer "
                                + p
                                + " expected "
                                + next[p]
                                + " but got "
                                + seq
                                + " (delivered "
                                + delivered
                                + ", drained "
                                + drained
                                + ")");
            }
            next[p]++;
        }
        for (int p = 0; p < PRODUCERS; p++) {
            assertEquals(sent[p], next[p], "iteration " + iter + ": producer " + p + " lost some");
        }
    }

    @Test
    void closingTheReceiverLeaksNoReservationOfTheSubscriberView() throws Exception {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int iter = 0; iter < 2000; iter++) {
            int capacity = rnd.nextInt(1, 9);
            int range = rnd.nextInt(1, 200);
            Mpsc.Channel<Integer> ch = Mpsc.channel(capacity);
            Mpsc.Sender<Integer> other = ch.sender().clone();
            Mpsc.Receiver<Integer> rx = ch.receiver();
            AtomicInteger otherSent = new AtomicInteger();
            Future<?> competitor =
                    POOL.submit(
                            () -> {
                                try (other) {
                                    for (int i = 1; i <= 50; i++) {
                                        if (other.blockingSend(
                                                -i, java.time.Duration.ofSeconds(5))) {
                                            otherSent.incrementAndGet();
                                        }
                                    }
                                } catch (ClosedException closed) {
                                    // receiver closed
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
            Flux.range(0, range).subscribeOn(UPSTREAM).subscribe(ch.sender().asSubscriber());
            int closeAfter = rnd.nextInt(0, range + 50);
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < closeAfter; i++) {
                Integer v = rx.blockingRecv();
                if (v == null) {
                    break; // both senders done: the stream ended
                }
                got.add(v);
            }
            rx.close();
            competitor.get(10, TimeUnit.SECONDS);
            CompletableFuture<Void> upstreamIdle = new CompletableFuture<>();
            UPSTREAM.schedule(() -> upstreamIdle.complete(null)); // after any emission in flight
            upstreamIdle.get(10, TimeUnit.SECONDS);
            for (Integer v; ; ) {
                try {
                    v = rx.tryRecv();
                } catch (ClosedException end) {
                    break;
                }
                if (v == null) {
                    fail("iteration " + iter + ": closed, senders done, yet not drained");
                }
                got.add(v);
            }
            assertEquals(capacity, rx.capacity(), "iteration " + iter + ": reservation leaked");
            int nextView = 0;
            int nextOther = -1;
            for (int v : got) {
                if (v >= 0) {
                    assertEquals(nextView++, v, "iteration " + iter + ": view order " + got);
                } else {
                    assertEquals(nextOther--, v, "iteration " + iter + ": other order " + got);
                }
            }
            assertEquals(otherSent.get(), -nextOther - 1, "iteration " + iter + ": lost " + got);
        }
    }

    /**
     * No lost wake-up: pushes and the close race the view's arming (with and without demand) and a
     * request from a third thread; every message and then onComplete must arrive.
     */
    @Test
    void theArmedViewNeverMissesAPushOrTheEnd() throws Exception {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int iter = 0; iter < 3000; iter++) {
            int k = rnd.nextInt(0, 6);
            Mpsc.Channel<Integer> ch = Mpsc.channel(rnd.nextInt(1, 4));
            ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            CompletableFuture<Subscription> subscription = new CompletableFuture<>();
            ch.receiver()
                    .asPublisher()
                    .subscribe(
                            new Subscriber<Integer>() {
                                @Override
                                public void onSubscribe(Subscription s) {
                                    subscription.complete(s);
                                }

                                @Override
                                public void onNext(Integer v) {
                                    got.add(v);
                                }

                                @Override
                                public void onError(Throwable t) {
                                    done.completeExceptionally(t);
                                }

                                @Override
                                public void onComplete() {
                                    done.complete(null);
                                }
                            });
            Mpsc.Sender<Integer> tx = ch.sender();
            Future<?> producer =
                    POOL.submit(
                            () -> {
                                try (tx) {
                                    for (int i = 0; i < k; i++) {
                                        tx.blockingSend(i);
                                    }
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
            Future<?> requester = POOL.submit(() -> subscription.join().request(Long.MAX_VALUE));
            producer.get(10, TimeUnit.SECONDS);
            requester.get(10, TimeUnit.SECONDS);
            done.get(10, TimeUnit.SECONDS);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                expected.add(i);
            }
            assertEquals(expected, new ArrayList<>(got), "iteration " + iter);
        }
    }
}
