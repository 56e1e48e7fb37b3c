package dev.tributary.bench;

import dev.tributary.sync.Mpsc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jctools.queues.MpscBlockingConsumerArrayQueue;
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

/**
 * Bounded multi-producer single-consumer hand-off through the blocking API, batch style: each
 * invocation moves {@link #BATCH} messages from {@code producers} producer threads to the benchmark
 * thread, so the score is nanoseconds per message. The peers are values of {@code impl} in the same
 * run, so every implementation sees the same forks and machine state.
 *
 * <p>On a 2-core machine, 1 producer → 1 consumer measures throughput; 4 producers measure
 * oversubscribed contention. Capacities 1 and 16 are park-dominated.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(MpscThroughput.BATCH)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MpscThroughput {

    /** Messages per invocation. */
    public static final int BATCH = 200_000;

    /** The message: one shared boxed value, so no peer pays for allocating messages. */
    private static final Integer MESSAGE = 1;

    /** The implementation under test. */
    @Param({"tributary", "ArrayBlockingQueue", "LinkedBlockingQueue", "JCToolsMpscBlocking"})
    public String impl;

    /** Producer threads. */
    @Param({"1", "4"})
    public int producers;

    /** Channel capacity. */
    @Param({"1024"})
    public int capacity;

    private ExecutorService pool;
    private Hand hand;

    /** A bounded blocking hand-off: what every peer offers. */
    interface Hand {
        void put(Integer v) throws InterruptedException;

        Integer take() throws InterruptedException;
    }

    /** Creates the producer threads. */
    @Setup(Level.Trial)
    public void startProducers() {
        pool = Executors.newFixedThreadPool(producers);
    }

    /** A fresh, empty channel per iteration. */
    @Setup(Level.Iteration)
    public void newChannel() {
        hand = create(impl, capacity);
    }

    /** Stops the producer threads. */
    @TearDown(Level.Trial)
    public void stopProducers() {
        pool.shutdownNow();
    }

    static Hand create(String impl, int capacity) {
        switch (impl) {
            case "tributary":
                {
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
            case "ArrayBlockingQueue":
                return of(new ArrayBlockingQueue<>(capacity));
            case "LinkedBlockingQueue":
                return of(new LinkedBlockingQueue<>(capacity));
            case "JCToolsMpscBlocking":
                return of(new MpscBlockingConsumerArrayQueue<>(Math.max(2, capacity)));
            default:
                throw new IllegalArgumentException("unknown impl: " + impl);
        }
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

    /**
     * Moves one batch: producers put their share, this thread takes all of it.
     *
     * @return the sum of what was taken, so nothing is optimized away
     * @throws Exception if a producer failed
     */
    @Benchmark
    public long handOff() throws Exception {
        Hand h = hand;
        int share = BATCH / producers;
        List<Future<?>> done = new ArrayList<>(producers);
        for (int p = 0; p < producers; p++) {
            done.add(
                    pool.submit(
                            () -> {
                                for (int i = 0; i < share; i++) {
                                    h.put(MESSAGE);
                                }
                                return null;
                            }));
        }
        long sum = 0;
        for (int i = share * producers; i > 0; i--) {
            sum += h.take();
        }
        for (Future<?> f : done) {
            f.get();
        }
        return sum;
    }
}
