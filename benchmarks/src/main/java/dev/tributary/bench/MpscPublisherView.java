package dev.tributary.bench;

import dev.tributary.sync.Mpsc;
import io.reactivex.rxjava3.core.FlowableSubscriber;
import io.reactivex.rxjava3.processors.UnicastProcessor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * The Reactive Streams view of an Mpsc receiver ({@code Mpsc.channel(capacity).receiver()
 * .asPublisher()}) against the unicast processors of Reactor and RxJava, batch style: each
 * invocation moves {@link #BATCH} messages from one producer thread (a pool thread started once per
 * trial) to one subscriber, so the score is nanoseconds per message.
 *
 * <p>The subscriber is the same plain class for every peer: it requests {@code request} messages at
 * a time and requests the next {@code request} from {@code onNext} when the previous ones have all
 * arrived ({@code unbounded}: {@code Long.MAX_VALUE} once). It also implements Reactor's {@code
 * CoreSubscriber} and RxJava's {@code FlowableSubscriber} (both only mark a {@code Subscriber}), so
 * that neither library wraps it in its rule-checking {@code StrictSubscriber}: each peer gets its
 * fast path. The Tributary view never wraps.
 *
 * <p>Producers, one per peer, each holding at most {@code capacity} undelivered messages:
 *
 * <ul>
 *   <li>{@code tributary}: {@code Mpsc.Sender.blockingSend}, which waits for capacity.
 *   <li>{@code ReactorUnicast}: {@code Sinks.many().unicast().onBackpressureBuffer(queue)} with a
 *       bounded queue of {@code capacity} ({@code Queues.get(capacity)}, an SPSC array queue);
 *       {@code tryEmitNext} has no capacity wait, so the producer retries after {@code
 *       Thread.yield()} on {@code FAIL_OVERFLOW} (the sink is the serialized default one that users
 *       reach for, not {@code Sinks.unsafe()}).
 *   <li>{@code RxUnicastProcessor}: {@code UnicastProcessor.create(capacity)}, whose queue is
 *       unbounded ({@code capacity} is only its chunk size); the producer keeps itself at most
 *       {@code capacity} messages ahead of what the subscriber counted, yielding while it is.
 * </ul>
 *
 * <p>Caveat, the same for all three: the subscriber refills its demand inside {@code onNext}, and
 * each implementation drains on the emitting thread, so in steady state the producer thread runs
 * {@code onNext} itself and the buffer never fills; what is measured is the per-message cost of the
 * publisher (enqueue, hand to the drain loop, demand accounting, and for the bounded ones the
 * capacity accounting), not a cross-thread hand-off. The benchmark thread only starts the batch and
 * waits for it. Run with {@code -prof gc}: the Tributary view should allocate nothing per message.
 * The Reactor and RxJava peers are single-producer only; the Tributary channel would take any
 * number of producers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(MpscPublisherView.BATCH)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class MpscPublisherView {

    /** Messages per invocation. */
    public static final int BATCH = 100_000;

    /** The message: one shared boxed value, so no peer pays for allocating messages. */
    private static final Integer MESSAGE = 1;

    /** The longest a batch may take before the benchmark fails instead of hanging. */
    private static final long TIMEOUT_SECONDS = 30;

    /** The implementation under test; {@code tributary} first. */
    @Param({"tributary", "ReactorUnicast", "RxUnicastProcessor"})
    public String impl;

    /**
     * Messages the subscriber requests at a time: a number, or {@code unbounded} for {@code
     * Long.MAX_VALUE} requested once.
     */
    @Param({"1", "32", "256", "unbounded"})
    public String request;

    /** The most undelivered messages the producer may have outstanding (channel capacity). */
    @Param({"1024"})
    public int capacity;

    private ExecutorService pool;
    private Producer producer;
    private Counter subscriber;
    private long target;

    /** Sends {@code n} messages from the producer thread, waiting (or yielding) on capacity. */
    interface Producer {
        void send(int n) throws InterruptedException;

        /** Signals the end of the stream. */
        void complete();
    }

    /** Creates the producer thread. */
    @Setup(Level.Trial)
    public void startProducer() {
        pool = Executors.newSingleThreadExecutor();
    }

    /** A fresh publisher and subscriber per iteration, subscribed from the benchmark thread. */
    @Setup(Level.Iteration)
    public void subscribe() {
        long n = "unbounded".equals(request) ? Long.MAX_VALUE : Long.parseLong(request);
        if (n <= 0) {
            throw new IllegalArgumentException(
                    "request > 0 or unbounded required but it was " + request);
        }
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity > 0 required but it was " + capacity);
        }
        subscriber = new Counter(n);
        target = 0;
        switch (impl) {
            case "tributary":
                {
                    Mpsc.Channel<Integer> ch = Mpsc.channel(capacity);
                    Mpsc.Sender<Integer> tx = ch.sender();
                    subscribe(ch.receiver().asPublisher());
                    producer =
                            new Producer() {
                                @Override
                                public void send(int count) throws InterruptedException {
                                    for (int i = 0; i < count; i++) {
                                        tx.blockingSend(MESSAGE);
                                    }
                                }

                                @Override
                                public void complete() {
                                    tx.close();
                                }
                            };
                    break;
                }
            case "ReactorUnicast":
                {
                    Sinks.Many<Integer> sink =
                            Sinks.many()
                                    .unicast()
                                    .onBackpressureBuffer(Queues.<Integer>get(capacity).get());
                    subscribe(sink.asFlux());
                    producer =
                            new Producer() {
                                @Override
                                public void send(int count) throws InterruptedException {
                                    for (int i = 0; i < count; i++) {
                                        Sinks.EmitResult r;
                                        while ((r = sink.tryEmitNext(MESSAGE))
                                                != Sinks.EmitResult.OK) {
                                            if (r != Sinks.EmitResult.FAIL_OVERFLOW) {
                                                throw new IllegalStateException(
                                                        "tryEmitNext failed: " + r);
                                            }
                                            backOff(); // full: let the subscriber catch up
                                        }
                                    }
                                }

                                @Override
                                public void complete() {
                                    sink.tryEmitComplete();
                                }
                            };
                    break;
                }
            case "RxUnicastProcessor":
                {
                    UnicastProcessor<Integer> processor = UnicastProcessor.create(capacity);
                    Counter s = subscriber;
                    subscribe(processor);
                    producer =
                            new Producer() {
                                private long sent;

                                @Override
                                public void send(int count) throws InterruptedException {
                                    long limit = capacity;
                                    for (int i = 0; i < count; i++) {
                                        while (sent - s.received() >= limit) {
                                            backOff(); // capacity ahead: let it catch up
                                        }
                                        sent++;
                                        processor.onNext(MESSAGE);
                                    }
                                }

                                @Override
                                public void complete() {
                                    processor.onComplete();
                                }
                            };
                    break;
                }
            default:
                throw new IllegalArgumentException("unknown impl: " + impl);
        }
    }

    /**
     * The yielding producers' wait for capacity: yield the core, and stop when the trial ends
     * ({@code shutdownNow} interrupts), so a stuck subscriber cannot keep the fork alive.
     */
    private static void backOff() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("producer stopped while waiting for capacity");
        }
        Thread.yield();
    }

    private void subscribe(Publisher<Integer> p) {
        p.subscribe(subscriber);
        if (subscriber.upstream == null) {
            throw new IllegalStateException(impl + " did not call onSubscribe synchronously");
        }
    }

    /**
     * Ends the stream and checks that it ended cleanly.
     *
     * @throws Exception if the subscriber saw an error
     */
    @TearDown(Level.Iteration)
    public void complete() throws Exception {
        producer.complete();
        Throwable t = subscriber.error;
        if (t != null) {
            throw new IllegalStateException(impl + " signalled onError", t);
        }
    }

    /** Stops the producer thread. */
    @TearDown(Level.Trial)
    public void stopProducer() {
        pool.shutdownNow();
    }

    /**
     * Moves one batch: the producer thread sends {@link #BATCH} messages, the subscriber counts
     * them; this thread waits for the producer, then for the count.
     *
     * @return the subscriber's running sum of the messages, so nothing is optimized away
     * @throws Exception if the producer failed, the subscriber saw an error, or the batch took
     *     longer than 30 s
     */
    @Benchmark
    public long batch() throws Exception {
        Producer p = producer;
        Counter s = subscriber;
        long goal = target + BATCH;
        target = goal;
        Future<?> done =
                pool.submit(
                        () -> {
                            p.send(BATCH);
                            return null;
                        });
        done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (s.received() < goal) { // normally already there: onNext ran on the producer
            if (s.error != null) {
                throw new IllegalStateException(impl + " signalled onError", s.error);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException(
                        impl + ": " + s.received() + " of " + goal + " messages after 30 s");
            }
            Thread.yield();
        }
        return s.sum;
    }

    /**
     * The plain subscriber: requests {@code batch} at a time and refills from {@code onNext} when
     * that many arrived. It counts with a release store, read by the benchmark thread only after
     * the producer finished (and by the RxJava producer, on its own thread), so no cache line
     * bounces per message.
     */
    static final class Counter implements CoreSubscriber<Integer>, FlowableSubscriber<Integer> {
        private static final VarHandle RECEIVED;

        static {
            try {
                RECEIVED =
                        MethodHandles.lookup().findVarHandle(Counter.class, "received", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final long batch;
        Subscription upstream;
        private long left;
        private long count;
        long sum;

        @SuppressWarnings("unused") // accessed through RECEIVED
        private volatile long received;

        volatile Throwable error;

        Counter(long batch) {
            this.batch = batch;
        }

        long received() {
            return (long) RECEIVED.getAcquire(this);
        }

        @Override
        public void onSubscribe(Subscription s) {
            upstream = s;
            left = batch;
            s.request(batch);
        }

        @Override
        public void onNext(Integer v) {
            sum += v;
            RECEIVED.setRelease(this, ++count); // release; pairs with getAcquire in received()
            if (batch != Long.MAX_VALUE && --left == 0) {
                left = batch;
                upstream.request(batch);
            }
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onComplete() {}
    }
}
