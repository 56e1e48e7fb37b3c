package dev.tributary.bench;

import com.ibm.asyncutil.locks.FairAsyncSemaphore;
import dev.tributary.sync.Semaphore;
import dev.tributary.sync.SemaphorePermit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Semaphore acquire + release of one permit, in ns per acquire + release.
 *
 * <ul>
 *   <li>{@link #uncontended()}: the benchmark thread alone, one permit free ({@code threads} and
 *       {@code permits} do not apply; run it with their defaults).
 *   <li>{@link #contended()}: batch style, {@code threads} pool threads (started once per trial)
 *       share {@link #BATCH} acquire + release rounds per invocation on a semaphore of {@code
 *       permits} permits; the critical section is empty. On 2 cores, more than 2 threads is
 *       oversubscribed, and {@code permits < threads} is park-dominated for fair semaphores.
 * </ul>
 *
 * <p>Implementations ({@code impl}):
 *
 * <ul>
 *   <li>{@code tributary}: uncontended, {@link Semaphore#acquire()} (already complete) + {@code
 *       join()} + {@link SemaphorePermit#close()}; contended, {@link Semaphore#blockingAcquire()} +
 *       close (the blocking API, as the j.u.c. peers);
 *   <li>{@code tributary-tryAcquire} (uncontended only): {@link Semaphore#tryAcquire()} + close;
 *   <li>{@code tributary-async} (contended only): chains of {@link Semaphore#acquire()}, continued
 *       on the releasing thread when a future is not complete (see {@link MutexContended}, and its
 *       caveat: such chains may collapse onto one thread);
 *   <li>{@code Semaphore} / {@code SemaphoreFair}: {@link java.util.concurrent.Semaphore} unfair /
 *       fair, {@code acquire()} + {@code release()};
 *   <li>{@code FairAsyncSemaphore}: asyncutil, {@code acquire()} + {@code release()}; uncontended
 *       joins the complete future, contended chains like {@code tributary-async}.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class SemaphoreAcquire {

    /** Acquire + release rounds per {@link #contended()} invocation, over all threads. */
    public static final int BATCH = 100_000;

    /** The implementation under test. */
    @Param({
        "tributary",
        "tributary-tryAcquire",
        "tributary-async",
        "Semaphore",
        "SemaphoreFair",
        "FairAsyncSemaphore"
    })
    public String impl;

    /** Threads competing for permits ({@link #contended()} only). */
    @Param({"4"})
    public int threads;

    /** Permits of the semaphore ({@link #contended()} only; {@link #uncontended()} uses 1). */
    @Param({"1"})
    public int permits;

    private ExecutorService pool;
    private Sem sem;

    /** One acquire + release, and {@code n} of them as a (possibly asynchronous) chain. */
    interface Sem {
        long once() throws Exception;

        CompletableFuture<Void> run(int n) throws Exception;
    }

    /**
     * Creates the threads and the semaphore.
     *
     * @param params which benchmark method runs, to reject impls that do not apply to it
     */
    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        boolean isContended = params.getBenchmark().endsWith(".contended");
        if (isContended && impl.equals("tributary-tryAcquire")) {
            throw new IllegalArgumentException(
                    "tributary-tryAcquire applies to uncontended() only");
        }
        if (!isContended && impl.equals("tributary-async")) {
            throw new IllegalArgumentException("tributary-async applies to contended() only");
        }
        if (BATCH % threads != 0) {
            throw new IllegalArgumentException("threads must divide " + BATCH + ": " + threads);
        }
        pool = MutexContended.daemonPool(threads);
        sem = create(impl, permits);
    }

    /** Stops the threads. */
    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdownNow();
    }

    private static Sem create(String impl, int permits) {
        switch (impl) {
            case "tributary":
            case "tributary-async":
                {
                    Semaphore s = new Semaphore(permits);
                    boolean async = impl.equals("tributary-async");
                    return new Sem() {
                        @Override
                        public long once() {
                            if (async) {
                                throw new IllegalArgumentException(
                                        "tributary-async applies to contended() only");
                            }
                            SemaphorePermit p = s.acquire().join();
                            p.close();
                            return p.numPermits();
                        }

                        @Override
                        public CompletableFuture<Void> run(int n) throws Exception {
                            if (async) {
                                return MutexContended.AsyncLoop.start(
                                        n, s::acquire, SemaphorePermit::close);
                            }
                            for (int i = 0; i < n; i++) {
                                s.blockingAcquire().close();
                            }
                            return CompletableFuture.completedFuture(null);
                        }
                    };
                }
            case "tributary-tryAcquire":
                {
                    Semaphore s = new Semaphore(permits);
                    return new Sem() {
                        @Override
                        public long once() {
                            SemaphorePermit p = s.tryAcquire();
                            if (p == null) {
                                throw new IllegalStateException("an uncontended tryAcquire failed");
                            }
                            p.close();
                            return p.numPermits();
                        }

                        @Override
                        public CompletableFuture<Void> run(int n) {
                            throw new IllegalArgumentException(
                                    "tributary-tryAcquire applies to uncontended() only");
                        }
                    };
                }
            case "Semaphore":
                return ofJuc(new java.util.concurrent.Semaphore(permits));
            case "SemaphoreFair":
                return ofJuc(new java.util.concurrent.Semaphore(permits, true));
            case "FairAsyncSemaphore":
                {
                    FairAsyncSemaphore s = new FairAsyncSemaphore(permits);
                    return new Sem() {
                        @Override
                        public long once() {
                            s.acquire().toCompletableFuture().join();
                            s.release();
                            return 1;
                        }

                        @Override
                        public CompletableFuture<Void> run(int n) {
                            return MutexContended.AsyncLoop.start(n, s::acquire, v -> s.release());
                        }
                    };
                }
            default:
                throw new IllegalArgumentException("unknown impl: " + impl);
        }
    }

    private static Sem ofJuc(java.util.concurrent.Semaphore s) {
        return new Sem() {
            @Override
            public long once() throws InterruptedException {
                s.acquire();
                s.release();
                return 1;
            }

            @Override
            public CompletableFuture<Void> run(int n) throws InterruptedException {
                for (int i = 0; i < n; i++) {
                    s.acquire();
                    s.release();
                }
                return CompletableFuture.completedFuture(null);
            }
        };
    }

    /**
     * One acquire + release of a free permit on the benchmark thread.
     *
     * @return the permits taken, so nothing is optimized away
     * @throws Exception if the implementation failed
     */
    @Benchmark
    public long uncontended() throws Exception {
        return sem.once();
    }

    /**
     * One batch: every pool thread runs its share of acquire + release rounds.
     *
     * @return the rounds per thread
     * @throws Exception if a thread failed, or the batch did not finish within 30 s
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long contended() throws Exception {
        return MutexContended.runShares(pool, threads, BATCH, sem::run);
    }
}
