package dev.tributary.bench;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.LagPolicy;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Scheduler;
import io.reactivex.rxjava3.processors.MulticastProcessor;
import io.reactivex.rxjava3.processors.PublishProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Broadcast fan-out, batch style: the benchmark thread sends {@link #BATCH} messages and every one
 * of {@code subscribers} consumers, each on a thread of its own, receives every message, losslessly
 * and in order. The score is nanoseconds per message sent (the invocation ends when the last
 * subscriber has received the last message), so with 4 subscribers one message is 4 deliveries.
 *
 * <p>Every implementation is driven the same way: a bounded buffer of {@code capacity} per
 * subscriber (or one shared ring of that capacity), a producer that never lets a subscriber fall
 * more than the capacity behind (no message is ever dropped or overwritten: each subscriber checks
 * its count), and consumer threads taken from a fixed pool of {@code subscribers} threads started
 * once per trial. Where the producer must wait for the slowest subscriber it spins briefly and then
 * yields ({@link #backOff(int)}); where the consumers wait they park (inside each library).
 *
 * <ul>
 *   <li>{@code tributary}: {@link Broadcast#sender(int)} with one {@link Broadcast.Receiver} per
 *       subscriber, each drained by {@code blockingRecv()} on its own pool thread. Broadcast sends
 *       never wait (a full ring overwrites), so the producer paces itself on the slowest receiver:
 *       {@code len}, the largest {@link Broadcast.Receiver#len()} of the subscribers (the number
 *       {@link Broadcast.Sender#len()} reports, read without {@code Sender.len()}'s walk over its
 *       receiver registry, which allocates an iterator per call). It sends {@code capacity - len}
 *       messages, then reads {@code len} again (spinning, then yielding, until there is room), so
 *       no receiver can lag (a lag would fail the invocation). Like RxJava's {@code observeOn}
 *       replenishing its requests, it refills only once the slowest receiver has read 3/4 of the
 *       ring ({@code len <= capacity / 4}), so that wake-ups come in batches.
 *   <li>{@code tributary-tryRecv}: as {@code tributary}, but each consumer first polls with {@code
 *       tryRecv()} (32 spins, then 32 yields) and parks in {@code blockingRecv()} only after that:
 *       what a user could do for throughput. It showed what parking at once cost when the consumer
 *       keeps up (a park and an unpark per message: ~1,600 ns/message at 4 subscribers, against
 *       ~200 for this variant), so {@code blockingRecv} itself now re-checks the same way before it
 *       parks ({@code internal.Spin}); the two should now score alike.
 *   <li>{@code tributary-publisher}: the same channel through its multicast Publisher view, {@code
 *       sender.asPublisher(LagPolicy.ERROR)} (a lag would be an {@code onError}), each subscriber
 *       handed to its thread with RxJava's {@code observeOn(scheduler, false, capacity)}, the same
 *       hop the RxJava peers use; paced as above, but on {@link Broadcast.Sender#len()} (the view's
 *       receivers are not reachable from outside).
 *   <li>{@code SubmissionPublisher}: JDK {@link SubmissionPublisher} with a {@code ForkJoinPool} of
 *       {@code subscribers} threads as executor and {@code maxBufferCapacity = capacity};
 *       subscribers request {@code Long.MAX_VALUE}. A blocking {@code submit} (while some
 *       subscriber's buffer is full) hung now and then on JDK 17, with every consumer idle, so the
 *       producer is paced like {@code tributary} instead, on {@link
 *       SubmissionPublisher#estimateMaximumLag()}, and {@code submit} never has to block.
 *   <li>{@code RxPublishProcessor}: RxJava {@link PublishProcessor}, each subscriber behind {@code
 *       observeOn(scheduler, false, capacity)} (the pool as scheduler). The processor has no buffer
 *       and cannot wait, so the producer is paced by the slowest subscriber's requests: it retries
 *       {@link PublishProcessor#offer(Object)}, which emits only when every subscriber has demand
 *       (observeOn requests {@code capacity}, then 3/4 of it as its queue drains).
 *   <li>{@code RxMulticastProcessor}: RxJava {@link MulticastProcessor} with buffer {@code
 *       capacity}, subscribers behind the same {@code observeOn}; the producer retries {@code
 *       offer}, which fails while the processor's queue is full.
 *   <li>{@code ReactorMulticast}: {@code Sinks.many().multicast().onBackpressureBuffer(capacity,
 *       false)}, each subscriber behind {@code publishOn(scheduler, capacity)}; the producer
 *       retries {@code tryEmitNext} while it returns {@code FAIL_OVERFLOW}.
 * </ul>
 *
 * <p>On a 2-core machine, 1 subscriber measures hand-off throughput; 2 and 4 subscribers (3 and 5
 * threads) are oversubscribed and park-dominated: the numbers then mostly say how well an
 * implementation batches its wake-ups. Capacity 16 is park-dominated too.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(BroadcastFanOut.BATCH)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class BroadcastFanOut {

    /** Messages sent per invocation (the last one is {@link #LAST}). */
    public static final int BATCH = 100_000;

    /** Every message but the last: one shared boxed value, so no one pays for boxing. */
    private static final Integer MESSAGE = 1;

    /** The last message of a batch, told apart by identity. */
    private static final Integer LAST = 2;

    /** How long the end of a batch may take before the invocation fails instead of hanging. */
    private static final long TIMEOUT_SECONDS = 30;

    /** The implementation under test; see the class description. */
    @Param({
        "tributary",
        "tributary-tryRecv",
        "tributary-publisher",
        "SubmissionPublisher",
        "RxPublishProcessor",
        "RxMulticastProcessor",
        "ReactorMulticast"
    })
    public String impl;

    /** Subscribers (consumer threads), each receiving every message. */
    @Param({"1", "2", "4"})
    public int subscribers;

    /** Per-subscriber buffer, or the ring size of the broadcast channel (a power of two). */
    @Param({"1024", "16"})
    public int capacity;

    private ExecutorService pool;

    /**
     * SubmissionPublisher's executor: a ForkJoinPool of {@code subscribers} threads, the kind it is
     * built for (its blocking {@code submit} cooperates through {@code ForkJoinPool.managedBlock}).
     * The common pool has a single thread on 2 cores.
     */
    private ForkJoinPool forkJoinPool;

    private Scheduler rxScheduler;
    private reactor.core.scheduler.Scheduler reactorScheduler;
    private Fan fan;
    private Sink[] sinks;

    /** The end-of-batch latch of the current invocation; consumers read it at {@link #LAST}. */
    private volatile CountDownLatch batchDone;

    /** One implementation: a producer side, and consumers that feed {@link Sink}s. */
    interface Fan {
        /** Sends one message to every subscriber, waiting (never dropping) while one is full. */
        void send(Integer v) throws InterruptedException;

        /** Work to start on the pool for this batch (blocking receivers), or none. */
        default void startBatch(ExecutorService pool) {}

        /** Releases the subscribers at the end of an iteration. */
        void close();
    }

    /**
     * What a consumer does with each message: counts and sums; confined to one thread at a time.
     */
    final class Sink {
        private long count;
        private long sum;

        /** The count of the batch that ended last; read after the latch. */
        long lastCount;

        /** A failure of this subscriber (lag, error), or null; read after the latch. */
        volatile Throwable failure;

        void accept(Integer v) {
            if (v == LAST) {
                lastCount = count;
                count = 0;
                batchDone.countDown(); // release: pairs with await() in fanOut
            } else {
                count++;
                sum += v;
            }
        }

        void fail(Throwable t) {
            failure = t;
            CountDownLatch l = batchDone;
            if (l != null) {
                while (l.getCount() > 0) {
                    l.countDown(); // end the invocation at once: it fails on the failure
                }
            }
        }

        long sum() {
            return sum;
        }
    }

    /** Starts the consumer pool (one thread per subscriber) and the schedulers over it. */
    @Setup(Level.Trial)
    public void startPool() {
        pool = Executors.newFixedThreadPool(subscribers);
        forkJoinPool = new ForkJoinPool(subscribers);
        rxScheduler = io.reactivex.rxjava3.schedulers.Schedulers.from(pool);
        reactorScheduler = Schedulers.fromExecutor(pool);
    }

    /** Fresh subscribers and a fresh channel/publisher per iteration. */
    @Setup(Level.Iteration)
    public void subscribe() {
        sinks = new Sink[subscribers];
        for (int i = 0; i < subscribers; i++) {
            sinks[i] = new Sink();
        }
        fan = create();
    }

    /** Releases the subscribers of the iteration. */
    @TearDown(Level.Iteration)
    public void unsubscribe() {
        fan.close();
    }

    /** Stops the consumer pool. */
    @TearDown(Level.Trial)
    public void stopPool() {
        pool.shutdownNow();
        forkJoinPool.shutdownNow();
    }

    /**
     * Sends one batch and waits until every subscriber received all of it.
     *
     * @return the sum of the values the subscribers received so far, so nothing is optimized away
     * @throws Exception if a subscriber failed, lost a message, or the batch did not end in time
     */
    @Benchmark
    public long fanOut() throws Exception {
        CountDownLatch done = new CountDownLatch(subscribers);
        batchDone = done; // volatile write before the first send: consumers see it at LAST
        Fan f = fan;
        f.startBatch(pool);
        for (int i = BATCH - 1; i > 0; i--) {
            f.send(MESSAGE);
        }
        f.send(LAST);
        if (!done.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException(impl + ": a batch did not reach every subscriber");
        }
        long sum = 0;
        for (Sink s : sinks) {
            Throwable t = s.failure;
            if (t != null) {
                throw new IllegalStateException(impl + ": a subscriber failed", t);
            }
            if (s.lastCount != BATCH - 1) {
                throw new IllegalStateException(
                        impl + ": a subscriber received " + s.lastCount + " of " + (BATCH - 1));
            }
            sum += s.sum();
        }
        return sum;
    }

    /**
     * The producer's wait for the slowest subscriber: a short spin, then {@link Thread#yield()}, so
     * that on 2 cores the consumers get the CPU it would burn.
     *
     * @param n how many times this wait has backed off already
     */
    static void backOff(int n) {
        if (n < 64) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    private Fan create() {
        switch (impl) {
            case "tributary":
                return tributaryBlocking(false);
            case "tributary-tryRecv":
                return tributaryBlocking(true);
            case "tributary-publisher":
                return tributaryPublisher();
            case "SubmissionPublisher":
                return submissionPublisher();
            case "RxPublishProcessor":
                return rxPublish();
            case "RxMulticastProcessor":
                return rxMulticast();
            case "ReactorMulticast":
                return reactorMulticast();
            default:
                throw new IllegalArgumentException("unknown impl: " + impl);
        }
    }

    /**
     * Sends on a broadcast channel, paced on the slowest receiver's unread count so that no
     * receiver can lag.
     */
    static final class PacedSender {
        private final Broadcast.Sender<Integer> tx;
        private final IntSupplier len;
        private final int capacity;
        private int credit;

        /**
         * @param tx the sender
         * @param len the number of values the slowest receiver has not read
         * @param capacity the ring size
         */
        PacedSender(Broadcast.Sender<Integer> tx, IntSupplier len, int capacity) {
            this.tx = tx;
            this.len = len;
            this.capacity = capacity;
        }

        void send(Integer v) {
            for (int n = 0; credit == 0; n++) {
                int l = len.getAsInt();
                if (l <= capacity >> 2) { // the slowest receiver read 3/4 of the ring
                    credit = capacity - l;
                } else {
                    backOff(n);
                }
            }
            credit--;
            tx.send(v);
        }
    }

    /** The largest {@link Broadcast.Receiver#len()}: {@code Sender.len()} over known receivers. */
    private static int maxLen(List<Broadcast.Receiver<Integer>> rxs) {
        int max = 0;
        for (int i = 0, n = rxs.size(); i < n; i++) {
            max = Math.max(max, rxs.get(i).len());
        }
        return max;
    }

    private Fan tributaryBlocking(boolean pollFirst) {
        Broadcast.Sender<Integer> tx = Broadcast.sender(capacity);
        List<Broadcast.Receiver<Integer>> rxs = new ArrayList<>(subscribers);
        for (int i = 0; i < subscribers; i++) {
            rxs.add(tx.subscribe());
        }
        PacedSender paced = new PacedSender(tx, () -> maxLen(rxs), capacity);
        return new Fan() {
            @Override
            public void send(Integer v) {
                paced.send(v);
            }

            @Override
            public void startBatch(ExecutorService pool) {
                for (int i = 0; i < subscribers; i++) {
                    Broadcast.Receiver<Integer> rx = rxs.get(i);
                    Sink sink = sinks[i];
                    pool.execute(
                            () -> {
                                try {
                                    for (; ; ) {
                                        Integer v = pollFirst ? poll(rx) : rx.blockingRecv();
                                        sink.accept(v);
                                        if (v == LAST) {
                                            return;
                                        }
                                    }
                                } catch (Throwable t) { // a lag, or interrupted at shutdown
                                    sink.fail(t);
                                }
                            });
                }
            }

            @Override
            public void close() {
                rxs.forEach(Broadcast.Receiver::close);
                tx.close();
            }
        };
    }

    /** Polls with tryRecv, backing off, and parks in blockingRecv only after 64 misses. */
    static Integer poll(Broadcast.Receiver<Integer> rx) throws InterruptedException {
        for (int n = 0; n < 64; n++) {
            Integer v = rx.tryRecv();
            if (v != null) {
                return v;
            }
            backOff(n + 32);
        }
        return rx.blockingRecv();
    }

    private Fan tributaryPublisher() {
        Broadcast.Sender<Integer> tx = Broadcast.sender(capacity);
        Flowable<Integer> view = Flowable.fromPublisher(tx.asPublisher(LagPolicy.ERROR));
        List<io.reactivex.rxjava3.disposables.Disposable> subs = rxSubscribe(view);
        PacedSender paced = new PacedSender(tx, tx::len, capacity);
        return new Fan() {
            @Override
            public void send(Integer v) {
                paced.send(v);
            }

            @Override
            public void close() {
                subs.forEach(io.reactivex.rxjava3.disposables.Disposable::dispose);
                tx.close();
            }
        };
    }

    private List<io.reactivex.rxjava3.disposables.Disposable> rxSubscribe(
            Flowable<Integer> source) {
        List<io.reactivex.rxjava3.disposables.Disposable> subs = new ArrayList<>(subscribers);
        for (Sink sink : sinks) {
            subs.add(
                    source.observeOn(rxScheduler, false, capacity)
                            .subscribe(sink::accept, sink::fail));
        }
        return subs;
    }

    private Fan submissionPublisher() {
        SubmissionPublisher<Integer> pub = new SubmissionPublisher<>(forkJoinPool, capacity);
        for (Sink sink : sinks) {
            pub.subscribe(
                    new Flow.Subscriber<Integer>() {
                        @Override
                        public void onSubscribe(Flow.Subscription s) {
                            s.request(Long.MAX_VALUE);
                        }

                        @Override
                        public void onNext(Integer v) {
                            sink.accept(v);
                        }

                        @Override
                        public void onError(Throwable t) {
                            sink.fail(t);
                        }

                        @Override
                        public void onComplete() {}
                    });
        }
        return new Fan() {
            @Override
            public void send(Integer v) {
                // Paced like tributary, on the slowest subscriber's lag, so submit never has to
                // block: a blocking submit on JDK 17 now and then never woke up (the batch did not
                // reach a subscriber within 30 s, every consumer thread idle).
                if (pub.estimateMaximumLag() >= capacity) {
                    for (int n = 0; pub.estimateMaximumLag() > capacity / 4; n++) {
                        backOff(n);
                    }
                }
                pub.submit(v);
            }

            @Override
            public void close() {
                pub.close();
            }
        };
    }

    private Fan rxPublish() {
        PublishProcessor<Integer> p = PublishProcessor.create();
        List<io.reactivex.rxjava3.disposables.Disposable> subs = rxSubscribe(p);
        return new Fan() {
            @Override
            public void send(Integer v) {
                // offer emits only if every subscriber has demand: paced by the slowest request
                for (int n = 0; !p.offer(v); n++) {
                    backOff(n);
                }
            }

            @Override
            public void close() {
                subs.forEach(io.reactivex.rxjava3.disposables.Disposable::dispose);
                p.onComplete();
            }
        };
    }

    private Fan rxMulticast() {
        MulticastProcessor<Integer> p = MulticastProcessor.create(capacity, false);
        p.start();
        List<io.reactivex.rxjava3.disposables.Disposable> subs = rxSubscribe(p);
        return new Fan() {
            @Override
            public void send(Integer v) {
                for (int n = 0; !p.offer(v); n++) { // false while its queue is full
                    backOff(n);
                }
            }

            @Override
            public void close() {
                subs.forEach(io.reactivex.rxjava3.disposables.Disposable::dispose);
                p.onComplete();
            }
        };
    }

    private Fan reactorMulticast() {
        Sinks.Many<Integer> sink = Sinks.many().multicast().onBackpressureBuffer(capacity, false);
        List<reactor.core.Disposable> subs = new ArrayList<>(subscribers);
        for (Sink s : sinks) {
            subs.add(
                    sink.asFlux()
                            .publishOn(reactorScheduler, capacity)
                            .subscribe(s::accept, s::fail));
        }
        return new Fan() {
            @Override
            public void send(Integer v) {
                for (int n = 0; ; n++) {
                    Sinks.EmitResult r = sink.tryEmitNext(v);
                    if (r == Sinks.EmitResult.OK) {
                        return;
                    }
                    if (r != Sinks.EmitResult.FAIL_OVERFLOW) {
                        throw new IllegalStateException("ReactorMulticast: tryEmitNext " + r);
                    }
                    backOff(n);
                }
            }

            @Override
            public void close() {
                subs.forEach(reactor.core.Disposable::dispose);
                sink.tryEmitComplete();
            }
        };
    }
}
