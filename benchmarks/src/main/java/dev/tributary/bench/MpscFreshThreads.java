package dev.tributary.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Multi-producer single-consumer throughput, the second harness style: fresh producer threads are
 * started for every batch of {@link #BATCH} <em>boxed</em> messages (each producer sends its own
 * {@code Integer} objects, beyond the small-integer cache), the consumer is the benchmark thread,
 * and a fresh channel is made per batch. The score is nanoseconds per message.
 *
 * <p>It differs from {@link MpscThroughput} (long-lived producer threads, one shared boxed message)
 * in the ways a user's own measurement would: thread start-up and cold caches at the start of each
 * batch, a new object per message, and no pool hand-off. A result counts only if it holds in both
 * styles. The implementations ({@code impl}) are those of {@link MpscThroughput#blocking()}, driven
 * through the same blocking hand-offs: Tributary's {@code blockingSend}/{@code blockingRecv}
 * against {@code BlockingQueue.put}/{@code take} and JCTools' blocking-consumer queue.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(MpscFreshThreads.BATCH)
@Fork(
        value = 3,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class MpscFreshThreads {

    /** Messages per invocation (one batch). */
    public static final int BATCH = 200_000;

    /** How long the consumer waits for a producer thread to end after the batch. */
    private static final long JOIN_MILLIS = 30_000;

    /** The implementation under test: the blocking ones of {@link MpscThroughput#impl}. */
    @Param({"tributary", "ArrayBlockingQueue", "JCToolsMpscBlocking"})
    public String impl;

    /** Producer threads (the consumer is one more thread). */
    @Param({"1", "4"})
    public int producers;

    /** Channel capacity in messages; {@code 0} means unbounded. */
    @Param({"1024"})
    public int capacity;

    private MpscThroughput.Hand hand;

    /**
     * A fresh, empty channel per batch.
     *
     * @throws IllegalArgumentException if {@code producers} does not divide the batch
     */
    @Setup(Level.Invocation)
    public void newChannel() {
        if (producers <= 0 || BATCH % producers != 0) {
            throw new IllegalArgumentException(
                    "producers > 0 dividing " + BATCH + " required but it was " + producers);
        }
        hand = MpscThroughput.create(impl, capacity);
    }

    /**
     * Starts the producer threads, takes the whole batch on this thread, joins the producers.
     *
     * @return the sum of what was taken, so nothing is optimized away
     * @throws Exception if a producer failed or did not end in time
     */
    @Benchmark
    public long batch() throws Exception {
        MpscThroughput.Hand h = hand;
        int share = BATCH / producers;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread consumer = Thread.currentThread();
        List<Thread> threads = new ArrayList<>(producers);
        for (int p = 0; p < producers; p++) {
            int base = 1_000 + p * share; // outside Integer's cache: a new object per message
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    for (int i = 0; i < share; i++) {
                                        h.put(Integer.valueOf(base + i));
                                    }
                                } catch (Throwable e) {
                                    failure.compareAndSet(null, e);
                                    consumer.interrupt();
                                }
                            },
                            "fresh-producer-" + p);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        long sum = 0;
        try {
            for (int i = BATCH; i > 0; i--) {
                sum += h.take();
            }
        } catch (InterruptedException e) {
            Throwable f = failure.get();
            throw f instanceof Exception ? (Exception) f : e;
        }
        for (Thread t : threads) {
            t.join(JOIN_MILLIS);
            if (t.isAlive()) {
                throw new IllegalStateException(t.getName() + " did not end after its batch");
            }
        }
        return sum;
    }
}
