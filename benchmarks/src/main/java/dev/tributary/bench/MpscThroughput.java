package dev.tributary.bench;

import dev.tributary.sync.Mpsc;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.jctools.queues.MpscBlockingConsumerArrayQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
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
import org.openjdk.jmh.infra.BenchmarkParams;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * Multi-producer single-consumer throughput, batch style: each invocation moves {@link #BATCH}
 * messages from {@code producers} producer threads to one consumer, so every score is
 * <b>nanoseconds per message</b>. The producer threads are started once per trial (a fixed pool)
 * and given their share of the batch per invocation; a fresh, empty channel is made per iteration.
 * Every peer is a value of {@link #impl} in the same run, so all see the same forks and machine
 * state.
 *
 * <p>Two API families, one method each (ratios are computed within a method):
 *
 * <ul>
 *   <li>{@link #blocking()}: producers block while the channel is full, the benchmark thread
 *       receives blocking. Tributary's {@code Sender.blockingSend}/{@code Receiver.blockingRecv}
 *       (unbounded: {@code UnboundedSender.send}) against {@code BlockingQueue.put}/{@code take}
 *       and the other peers driven as described at {@link #impl}.
 *   <li>{@link #async()}: nobody blocks. Producers send with Tributary's {@code send(v)} and, when
 *       its future is pending, continue from its completion; the consumer is a {@code recv()} loop
 *       that continues from the pending future's completion, so it runs on whichever thread
 *       completes it (usually a producer's). Peer: a Reactor unicast sink with a subscriber of
 *       unbounded demand, which also runs on the emitting thread.
 * </ul>
 *
 * <p>{@link #capacity} {@code 0} means unbounded. On the 2-core benchmark machine 1 producer → 1
 * consumer measures throughput; 2 and 4 producers measure oversubscribed contention (more runnable
 * threads than cores). Capacities 1 and 16 are park-dominated: the score is mostly the cost of
 * parking and waking threads, not of the data structure. {@code -prof gc}'s {@code
 * gc.alloc.rate.norm} is bytes per message too (JMH divides by the operations per invocation).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(MpscThroughput.BATCH)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class MpscThroughput {

    /**
     * Messages per invocation. Small enough that a park-dominated run (capacity 1, tens of
     * microseconds per message) still fits several invocations into a one-second iteration, large
     * enough that handing the shares to the producer pool costs about a nanosecond per message.
     */
    public static final int BATCH = 50_000;

    /** How long an invocation may wait for producers or the async consumer before failing. */
    private static final long TIMEOUT_SECONDS = 30;

    /** The {@code limit} of {@code tributary-async-recvMany}'s {@code recvMany}. */
    static final int RECV_MANY = 256;

    /** The message: one shared boxed value, so no implementation pays for allocating messages. */
    private static final Integer MESSAGE = 1;

    /**
     * The implementation under test ({@code tributary} is the primary one of {@link #blocking()},
     * {@code tributary-async} of {@link #async()}). Which values make sense for which method and
     * capacity is decided by the profile; an impossible combination fails in setup with {@link
     * IllegalArgumentException}.
     *
     * <ul>
     *   <li>{@code tributary} (blocking): {@code Mpsc.channel(capacity)} with {@code blockingSend}
     *       / {@code blockingRecv}; capacity 0: {@code Mpsc.unboundedChannel()} with {@code
     *       UnboundedSender.send} / {@code blockingRecv}. All producers share one sender handle.
     *   <li>{@code tributary-async} (async): the same channels through {@code send(v)} (futures;
     *       unbounded: {@code UnboundedSender.send}, which never waits) and {@code recv()}.
     *   <li>{@code tributary-async-recvMany} (async): as {@code tributary-async}, but the consumer
     *       loop takes up to {@value #RECV_MANY} messages per future with {@code recvMany(buffer,
     *       limit)} (tokio's {@code recv_many}), the batching answer to the future per message.
     *   <li>{@code ArrayBlockingQueue} (blocking, bounded only), {@code LinkedBlockingQueue}
     *       (blocking; capacity 0: unbounded), {@code LinkedTransferQueue} (blocking, unbounded
     *       only): {@code put} / {@code take}.
     *   <li>{@code JCToolsMpscBlocking} (blocking, bounded only): JCTools {@code
     *       MpscBlockingConsumerArrayQueue}. Only its consumer blocks: its {@code put} is {@code if
     *       (!offer(e)) throw new UnsupportedOperationException()} (JCTools 4.0.5 source), so a
     *       producer that found the queue full died and left the consumer parked in {@code take}
     *       forever (the hung warm-up and "VM prematurely exited" of the first smoke run).
     *       Producers here {@code offer} with the {@link Backoff} below (spin, then yield, then
     *       park 10 µs); the consumer uses {@code take}, which parks and is woken by the next
     *       {@code offer}.
     *   <li>{@code JCToolsMpscXadd} (blocking, unbounded only): JCTools {@code
     *       MpscUnboundedXaddArrayQueue} (chunks of 1024, JCTools' default pool of 2 chunks). It
     *       has no blocking side: producers {@code offer} (never fails), the consumer {@code poll}s
     *       and, on empty, idles with {@link Backoff} (spin 64 × {@code onSpinWait}, then {@code
     *       Thread.yield} up to 64 times, then {@code parkNanos(10 µs)} until a message is there).
     *       No producer wakes it, so its wake-up latency is bounded by the park time; with one
     *       producer it rarely gets past the spin/yield stages.
     *   <li>{@code ReactorUnicast}: {@code Sinks.unsafe().many().unicast().onBackpressureBuffer(
     *       queue)} with {@code Queues.get(capacity)} (capacity 0: {@code Queues.unbounded()}).
     *       Emission goes through one {@link ReentrantLock} shared by the producers: {@code
     *       tryEmitNext} must not be called concurrently, and the alternative of the serialized
     *       {@code Sinks.many()} with {@code emitNext(v, busyLooping(..))} makes losing producers
     *       spin on {@code FAIL_NON_SERIALIZED} without yielding, which on 2 cores steals the core
     *       the winning emitter needs; a lock parks them, as every blocking peer here does. With
     *       one producer the lock is uncontended (one CAS, what the serialized sink's own guard
     *       costs). {@code FAIL_OVERFLOW} (queue full) is retried after a {@link Backoff} step with
     *       the lock released. Consumer in {@link #blocking()}: {@code asFlux().toIterable()}
     *       iterated by the benchmark thread (Reactor's way to consume on a thread; it adds its own
     *       prefetch queue of 256 behind the sink's). Consumer in {@link #async()}: a subscriber
     *       requesting {@code Long.MAX_VALUE} that sums in {@code onNext}, so the emitting thread
     *       drains the sink itself and its queue never holds more than one message (the capacity
     *       does not bind: Reactor's best case).
     *   <li>{@code Jox} (blocking; JDK 21+ forks only): softwaremill Jox {@code
     *       Channel.newBufferedChannel(capacity)} (capacity 0: {@code newUnlimitedChannel()}) with
     *       {@code send} / {@code receive}, reached by method handles ({@link JoxChannel}).
     * </ul>
     */
    @Param({
        "tributary",
        "tributary-async",
        "tributary-async-recvMany",
        "ArrayBlockingQueue",
        "LinkedBlockingQueue",
        "LinkedTransferQueue",
        "JCToolsMpscBlocking",
        "JCToolsMpscXadd",
        "ReactorUnicast",
        "Jox"
    })
    public String impl;

    /** Producer threads (the consumer is one more thread). */
    @Param({"1", "2", "4"})
    public int producers;

    /** Channel capacity in messages; {@code 0} means unbounded. */
    @Param({"1024"})
    public int capacity;

    private ExecutorService pool;
    private Hand hand;
    private AsyncHand async;

    /** A blocking hand-off: what {@link #blocking()} drives. */
    interface Hand {
        /** Sends, waiting while full. */
        void put(Integer v) throws InterruptedException;

        /** Receives, waiting while empty. */
        Integer take() throws InterruptedException;
    }

    /** A non-blocking hand-off: what {@link #async()} drives. */
    interface AsyncHand {
        /**
         * Starts {@code n} sends on the calling thread.
         *
         * @return completes when all {@code n} are in the channel
         */
        CompletableFuture<Void> produce(int n);

        /**
         * Starts receiving {@code n} messages on the calling thread; continues on whichever thread
         * makes the next message available.
         *
         * @return the sum of the received messages
         */
        CompletableFuture<Long> consume(int n);
    }

    /**
     * Spin, then yield, then park briefly: the wait strategy for peers that have no blocking side
     * (JCTools producers on a full queue, the JCTools xadd consumer on an empty one, Reactor
     * emitters on {@code FAIL_OVERFLOW}). Bounded spinning keeps a waiting thread from starving the
     * one it waits for on 2 cores.
     */
    static final class Backoff {
        private static final int SPINS = 64;
        private static final int YIELDS = 128;
        private static final long PARK_NANOS = 10_000;

        private Backoff() {}

        /**
         * Waits a little; call with 0, 1, 2, ... while the condition persists.
         *
         * @param round how many times the caller has waited already
         * @return {@code round + 1}
         * @throws InterruptedException if the thread is interrupted (a failing peer interrupts the
         *     consumer so that it does not idle forever)
         */
        static int idle(int round) throws InterruptedException {
            if (round < SPINS) {
                Thread.onSpinWait();
            } else if (round < YIELDS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(PARK_NANOS);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            return round + 1;
        }
    }

    /** Starts the producer threads (daemons, so a wedged peer cannot keep the fork alive). */
    @Setup(Level.Trial)
    public void startProducers() {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory daemons =
                r -> {
                    Thread t = new Thread(r, "mpsc-producer-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                };
        pool = Executors.newFixedThreadPool(producers, daemons);
    }

    /**
     * A fresh, empty channel per iteration, in the form the running method drives.
     *
     * @param params which benchmark method runs
     * @throws IllegalArgumentException if {@code impl}, {@code capacity} and the method do not fit
     */
    @Setup(Level.Iteration)
    public void newChannel(BenchmarkParams params) {
        if (capacity < 0) {
            throw new IllegalArgumentException(
                    "capacity >= 0 (0: unbounded) required but it was " + capacity);
        }
        if (BATCH % producers != 0) {
            throw new IllegalArgumentException(
                    "producers must divide " + BATCH + " but it was " + producers);
        }
        if (params.getBenchmark().endsWith(".async")) {
            async = createAsync(impl, capacity);
        } else {
            hand = create(impl, capacity);
        }
    }

    /** Stops the producer threads. */
    @TearDown(Level.Trial)
    public void stopProducers() {
        pool.shutdownNow();
    }

    // ----------------------------------------------------------------------------------------
    // Blocking family

    static Hand create(String impl, int capacity) {
        boolean unbounded = capacity == 0;
        switch (impl) {
            case "tributary":
                return unbounded ? tributaryUnbounded() : tributaryBounded(capacity);
            case "ArrayBlockingQueue":
                requireBounded(impl, capacity);
                return of(new ArrayBlockingQueue<>(capacity));
            case "LinkedBlockingQueue":
                return of(
                        unbounded
                                ? new LinkedBlockingQueue<>()
                                : new LinkedBlockingQueue<>(capacity));
            case "LinkedTransferQueue":
                requireUnbounded(impl, capacity);
                return of(new LinkedTransferQueue<>());
            case "JCToolsMpscBlocking":
                requireBounded(impl, capacity);
                return jctoolsBlocking(new MpscBlockingConsumerArrayQueue<>(capacity));
            case "JCToolsMpscXadd":
                requireUnbounded(impl, capacity);
                return jctoolsXadd(new MpscUnboundedXaddArrayQueue<>(1024));
            case "ReactorUnicast":
                return reactorBlocking(new ReactorEmitter(capacity));
            case "Jox":
                return jox(JoxChannel.create(capacity));
            default:
                throw new IllegalArgumentException(
                        impl + " has no blocking form (use MpscThroughput.async) or is unknown");
        }
    }

    private static void requireBounded(String impl, int capacity) {
        if (capacity == 0) {
            throw new IllegalArgumentException(impl + " is bounded only: capacity > 0 required");
        }
    }

    private static void requireUnbounded(String impl, int capacity) {
        if (capacity != 0) {
            throw new IllegalArgumentException(
                    impl + " is unbounded only: capacity 0 required but it was " + capacity);
        }
    }

    private static Hand tributaryBounded(int capacity) {
        Mpsc.Channel<Integer> ch = Mpsc.channel(capacity);
        Mpsc.Sender<Integer> tx = ch.sender();
        Mpsc.Receiver<Integer> rx = ch.receiver();
        return new Hand() {
            @Override
            public void put(Integer v) throws InterruptedException {
                tx.blockingSend(v);
            }

            @Override
            public Integer take() throws InterruptedException {
                return rx.blockingRecv();
            }
        };
    }

    private static Hand tributaryUnbounded() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        Mpsc.UnboundedSender<Integer> tx = ch.sender();
        Mpsc.UnboundedReceiver<Integer> rx = ch.receiver();
        return new Hand() {
            @Override
            public void put(Integer v) {
                tx.send(v);
            }

            @Override
            public Integer take() throws InterruptedException {
                return rx.blockingRecv();
            }
        };
    }

    private static Hand of(BlockingQueue<Integer> q) {
        return new Hand() {
            @Override
            public void put(Integer v) throws InterruptedException {
                q.put(v);
            }

            @Override
            public Integer take() throws InterruptedException {
                return q.take();
            }
        };
    }

    private static Hand jctoolsBlocking(MpscBlockingConsumerArrayQueue<Integer> q) {
        return new Hand() {
            @Override
            public void put(Integer v) throws InterruptedException {
                // Not q.put(v): it throws UnsupportedOperationException when full.
                for (int round = 0; !q.offer(v); ) {
                    round = Backoff.idle(round);
                }
            }

            @Override
            public Integer take() throws InterruptedException {
                return q.take();
            }
        };
    }

    private static Hand jctoolsXadd(MpscUnboundedXaddArrayQueue<Integer> q) {
        return new Hand() {
            @Override
            public void put(Integer v) {
                q.offer(v);
            }

            @Override
            public Integer take() throws InterruptedException {
                Integer v;
                for (int round = 0; (v = q.poll()) == null; ) {
                    round = Backoff.idle(round);
                }
                return v;
            }
        };
    }

    private static Hand reactorBlocking(ReactorEmitter emitter) {
        Iterator<Integer> it = emitter.sink.asFlux().toIterable().iterator();
        return new Hand() {
            @Override
            public void put(Integer v) throws InterruptedException {
                emitter.emit(v);
            }

            @Override
            public Integer take() {
                return it.next();
            }
        };
    }

    private static Hand jox(JoxChannel ch) {
        return new Hand() {
            @Override
            public void put(Integer v) throws InterruptedException {
                ch.send(v);
            }

            @Override
            public Integer take() throws InterruptedException {
                return (Integer) ch.receive();
            }
        };
    }

    /**
     * A Reactor unicast sink with serialized emission; see {@code ReactorUnicast} at {@link #impl}.
     */
    static final class ReactorEmitter {
        final Sinks.Many<Integer> sink;
        private final ReentrantLock lock = new ReentrantLock();

        ReactorEmitter(int capacity) {
            Queue<Integer> q =
                    capacity == 0
                            ? Queues.<Integer>unbounded().get()
                            : Queues.<Integer>get(capacity).get();
            sink = Sinks.unsafe().many().unicast().onBackpressureBuffer(q);
        }

        void emit(Integer v) throws InterruptedException {
            for (int round = 0; ; ) {
                Sinks.EmitResult r;
                lock.lock();
                try {
                    r = sink.tryEmitNext(v);
                } finally {
                    lock.unlock();
                }
                if (r == Sinks.EmitResult.OK) {
                    return;
                }
                if (r != Sinks.EmitResult.FAIL_OVERFLOW) {
                    throw new IllegalStateException("tryEmitNext failed: " + r);
                }
                round = Backoff.idle(round);
            }
        }
    }

    /**
     * Moves one batch through the blocking API: the producers put their shares, the benchmark
     * thread takes all of it. A producer that fails interrupts the benchmark thread, so a failure
     * surfaces instead of leaving the consumer waiting forever.
     *
     * @return the sum of what was taken, so nothing is optimized away
     * @throws Exception if a producer failed or did not finish within 30 s
     */
    @Benchmark
    public long blocking() throws Exception {
        Hand h = hand;
        int share = BATCH / producers;
        Thread consumer = Thread.currentThread();
        List<Future<?>> done = new ArrayList<>(producers);
        for (int p = 0; p < producers; p++) {
            done.add(
                    pool.submit(
                            () -> {
                                try {
                                    for (int i = 0; i < share; i++) {
                                        h.put(MESSAGE);
                                    }
                                } catch (Throwable t) {
                                    consumer.interrupt();
                                    throw t;
                                }
                                return null;
                            }));
        }
        long sum = 0;
        try {
            for (int i = BATCH; i > 0; i--) {
                sum += h.take();
            }
        } catch (InterruptedException | RuntimeException e) {
            for (Future<?> f : done) {
                f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS); // rethrows the producer's failure
            }
            throw e;
        }
        for (Future<?> f : done) {
            f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        return sum;
    }

    // ----------------------------------------------------------------------------------------
    // Async family

    static AsyncHand createAsync(String impl, int capacity) {
        switch (impl) {
            case "tributary-async":
                return capacity == 0
                        ? new TributaryAsyncUnbounded(false)
                        : new TributaryAsync(capacity, false);
            case "tributary-async-recvMany":
                return capacity == 0
                        ? new TributaryAsyncUnbounded(true)
                        : new TributaryAsync(capacity, true);
            case "ReactorUnicast":
                return new ReactorAsync(new ReactorEmitter(capacity));
            default:
                throw new IllegalArgumentException(
                        impl + " has no async form (use MpscThroughput.blocking) or is unknown");
        }
    }

    /**
     * Tributary's receive loop: {@code recv()} (or, with a buffer, {@code recvMany} of up to {@link
     * #RECV_MANY}) while the futures are complete, and on a pending one continue from its
     * completion (which the library trampolines, so the stack stays flat).
     */
    static final class RecvLoop implements BiConsumer<Object, Throwable> {
        private final Mpsc.AbstractReceiver<Integer> rx;
        private final List<Integer> buffer;
        private final CompletableFuture<Long> result = new CompletableFuture<>();
        private int remaining;
        private long sum;

        RecvLoop(Mpsc.AbstractReceiver<Integer> rx, int n, boolean many) {
            this.rx = rx;
            this.remaining = n;
            this.buffer = many ? new ArrayList<>(RECV_MANY) : null;
        }

        CompletableFuture<Long> start() {
            loop();
            return result;
        }

        private void loop() {
            while (remaining > 0) {
                CompletableFuture<?> f =
                        buffer == null
                                ? rx.recv()
                                : rx.recvMany(buffer, Math.min(RECV_MANY, remaining));
                if (!f.isDone()) {
                    f.whenComplete(this);
                    return;
                }
                Object v;
                try {
                    v = f.join();
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                    return;
                }
                take(v);
            }
            result.complete(sum);
        }

        /** Counts one completion: the message of a {@code recv}, or the buffer of a recvMany. */
        private void take(Object v) {
            if (buffer == null) {
                sum += (Integer) v;
                remaining--;
                return;
            }
            for (int i = 0, n = buffer.size(); i < n; i++) {
                sum += buffer.get(i);
            }
            remaining -= buffer.size();
            buffer.clear();
        }

        @Override
        public void accept(Object v, Throwable t) {
            if (t != null) {
                result.completeExceptionally(t);
                return;
            }
            take(v);
            loop();
        }
    }

    /** Tributary's async send loop for a bounded channel: continues from a pending send. */
    static final class SendLoop implements BiConsumer<Void, Throwable> {
        private final Mpsc.Sender<Integer> tx;
        private final CompletableFuture<Void> result = new CompletableFuture<>();
        private int remaining;

        SendLoop(Mpsc.Sender<Integer> tx, int n) {
            this.tx = tx;
            this.remaining = n;
        }

        CompletableFuture<Void> start() {
            loop();
            return result;
        }

        private void loop() {
            while (remaining > 0) {
                CompletableFuture<Void> f = tx.send(MESSAGE);
                remaining--;
                if (!f.isDone() || f.isCompletedExceptionally()) {
                    f.whenComplete(this);
                    return;
                }
            }
            result.complete(null);
        }

        @Override
        public void accept(Void v, Throwable t) {
            if (t != null) {
                result.completeExceptionally(t);
                return;
            }
            loop();
        }
    }

    /** {@code tributary-async} and {@code tributary-async-recvMany} on a bounded channel. */
    static final class TributaryAsync implements AsyncHand {
        private final Mpsc.Sender<Integer> tx;
        private final Mpsc.Receiver<Integer> rx;
        private final boolean many;

        TributaryAsync(int capacity, boolean many) {
            this.many = many;
            Mpsc.Channel<Integer> ch = Mpsc.channel(capacity);
            tx = ch.sender();
            rx = ch.receiver();
        }

        @Override
        public CompletableFuture<Void> produce(int n) {
            return new SendLoop(tx, n).start();
        }

        @Override
        public CompletableFuture<Long> consume(int n) {
            return new RecvLoop(rx, n, many).start();
        }
    }

    /**
     * {@code tributary-async} and {@code tributary-async-recvMany} on an unbounded channel, whose
     * {@code send} never waits and returns nothing.
     */
    static final class TributaryAsyncUnbounded implements AsyncHand {
        private final Mpsc.UnboundedSender<Integer> tx;
        private final Mpsc.UnboundedReceiver<Integer> rx;
        private final boolean many;

        TributaryAsyncUnbounded(boolean many) {
            this.many = many;
            Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
            tx = ch.sender();
            rx = ch.receiver();
        }

        @Override
        public CompletableFuture<Void> produce(int n) {
            for (int i = 0; i < n; i++) {
                tx.send(MESSAGE); // never waits
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Long> consume(int n) {
            return new RecvLoop(rx, n, many).start();
        }
    }

    /**
     * The Reactor peer of the async family: one subscriber per sink, with unbounded demand, summing
     * in {@code onNext} on the emitting thread; {@link #consume(int)} arms a target count that the
     * subscriber completes.
     */
    static final class ReactorAsync implements AsyncHand, CoreSubscriber<Integer> {
        private final ReactorEmitter emitter;
        // Written by consume() before the producers are submitted (happens-before through the
        // pool), read and written by onNext under the emitter's lock (serialized).
        private long received;
        private long target;
        private long sum;
        private CompletableFuture<Long> result;

        ReactorAsync(ReactorEmitter emitter) {
            this.emitter = emitter;
            emitter.sink.asFlux().subscribe(this);
        }

        @Override
        public CompletableFuture<Void> produce(int n) {
            try {
                for (int i = 0; i < n; i++) {
                    emitter.emit(MESSAGE);
                }
                return CompletableFuture.completedFuture(null);
            } catch (InterruptedException | RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public CompletableFuture<Long> consume(int n) {
            CompletableFuture<Long> r = new CompletableFuture<>();
            result = r;
            target = received + n;
            sum = 0;
            return r;
        }

        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Integer v) {
            sum += v;
            if (++received == target) {
                result.complete(sum);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {}
    }

    /**
     * Moves one batch through the async API: the consumer loop is started on the benchmark thread
     * (it returns at the first pending receive), the producers start their send loops on the pool,
     * and the benchmark thread waits (at most 30 s) for the consumer's result. Nothing waits by
     * blocking a thread except that final wait.
     *
     * @return the sum of what was received, so nothing is optimized away
     * @throws Exception if a producer or the consumer failed or did not finish within 30 s
     */
    @Benchmark
    public long async() throws Exception {
        AsyncHand a = async;
        int share = BATCH / producers;
        CompletableFuture<Long> consumed = a.consume(BATCH);
        List<CompletableFuture<Void>> produced = new ArrayList<>(producers);
        for (int p = 0; p < producers; p++) {
            CompletableFuture<Void> started = new CompletableFuture<>();
            pool.execute(
                    () -> {
                        try {
                            a.produce(share)
                                    .whenComplete(
                                            (v, t) -> {
                                                if (t != null) {
                                                    started.completeExceptionally(t);
                                                } else {
                                                    started.complete(null);
                                                }
                                            });
                        } catch (Throwable t) {
                            started.completeExceptionally(t);
                        }
                    });
            produced.add(started);
        }
        try {
            CompletableFuture.allOf(produced.toArray(new CompletableFuture<?>[0]))
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return consumed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(impl + " failed", e.getCause());
        }
    }
}
