package dev.tributary.bench;

import dev.tributary.sync.Barrier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
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
 * Barrier generations, batch style: {@code parties} pool threads (started once per trial) each
 * arrive {@link #CYCLES} times per invocation; the score is ns per cycle (one generation: all
 * {@code parties} arrivals and the release).
 *
 * <p>Implementations ({@code impl}):
 *
 * <ul>
 *   <li>{@code tributary}: {@link Barrier#blockingAwait()};
 *   <li>{@code tributary-async}: each party chains {@link Barrier#await()} futures: the leader's is
 *       complete, the others continue on the leader's thread (see {@link MutexContended}), so the
 *       generations can run on fewer threads than parties;
 *   <li>{@code CyclicBarrier}: {@code await()};
 *   <li>{@code Phaser}: {@code awaitAdvanceInterruptibly(arrive())} (as {@code
 *       arriveAndAwaitAdvance()}, but interruptible) with {@code parties} registered parties.
 * </ul>
 *
 * <p>Every blocking generation wakes {@code parties - 1} parked threads: on 2 cores this is
 * park/unpark-dominated, and {@code parties = 4} is oversubscribed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(BarrierCycle.CYCLES)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class BarrierCycle {

    /** Generations per invocation. */
    public static final int CYCLES = 2_000;

    /** The implementation under test. */
    @Param({"tributary", "tributary-async", "CyclicBarrier", "Phaser"})
    public String impl;

    /** Parties per generation, one pool thread each. */
    @Param({"2", "4"})
    public int parties;

    private ExecutorService pool;
    private MutexContended.Worker party;

    /** Creates the threads and the barrier. */
    @Setup(Level.Trial)
    public void setUp() {
        pool = MutexContended.daemonPool(parties);
        party = create(impl, parties);
    }

    /** Stops the threads. */
    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdownNow();
    }

    private static MutexContended.Worker create(String impl, int parties) {
        switch (impl) {
            case "tributary":
                {
                    Barrier b = new Barrier(parties);
                    return n -> {
                        for (int i = 0; i < n; i++) {
                            b.blockingAwait();
                        }
                        return CompletableFuture.completedFuture(null);
                    };
                }
            case "tributary-async":
                {
                    Barrier b = new Barrier(parties);
                    return n -> MutexContended.AsyncLoop.start(n, b::await, r -> {});
                }
            case "CyclicBarrier":
                {
                    CyclicBarrier b = new CyclicBarrier(parties);
                    return n -> {
                        for (int i = 0; i < n; i++) {
                            b.await();
                        }
                        return CompletableFuture.completedFuture(null);
                    };
                }
            case "Phaser":
                {
                    Phaser p = new Phaser(parties);
                    return n -> {
                        for (int i = 0; i < n; i++) {
                            p.awaitAdvanceInterruptibly(p.arrive());
                        }
                        return CompletableFuture.completedFuture(null);
                    };
                }
            default:
                throw new IllegalArgumentException("unknown impl: " + impl);
        }
    }

    /**
     * {@link #CYCLES} generations: every party arrives that many times.
     *
     * @return the generations per party
     * @throws Exception if a party failed, or the batch did not finish within 30 s
     */
    @Benchmark
    public long cycles() throws Exception {
        return MutexContended.runShares(pool, parties, CYCLES * parties, party);
    }
}
