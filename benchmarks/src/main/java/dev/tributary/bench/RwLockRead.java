package dev.tributary.bench;

import com.ibm.asyncutil.locks.AsyncReadWriteLock;
import dev.tributary.sync.RwLock;
import dev.tributary.sync.RwLockReadGuard;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;
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
 * Read-lock acquire + read of the guarded value + release, with no writer, in ns per acquire +
 * release.
 *
 * <ul>
 *   <li>{@link #uncontended()}: the benchmark thread alone ({@code readers} does not apply).
 *   <li>{@link #concurrent()}: batch style, {@code readers} pool threads (started once per trial)
 *       share {@link #BATCH} read acquisitions per invocation; they never wait, but contend on the
 *       lock's state word (cache-line ping-pong), except the optimistic read, which writes nothing.
 * </ul>
 *
 * <p>Implementations ({@code impl}):
 *
 * <ul>
 *   <li>{@code tributary}: {@link RwLock#read()} (already complete) + {@code join()} + {@link
 *       RwLockReadGuard#close()}, the asynchronous API;
 *   <li>{@code tributary-tryRead}: {@link RwLock#tryRead()} + close;
 *   <li>{@code ReentrantReadWriteLock}: unfair, {@code readLock().lock()} + {@code unlock()};
 *   <li>{@code StampedLock}: {@code readLock()} + {@code unlockRead(stamp)};
 *   <li>{@code StampedLockOptimistic}: {@code tryOptimisticRead()} + read + {@code validate}
 *       (falling back to {@code readLock()}, which never happens here): not a lock acquisition at
 *       all, the floor for a read;
 *   <li>{@code AsyncReadWriteLock}: asyncutil's {@code FairAsyncReadWriteLock}, {@code
 *       acquireReadLock()} + {@code join()} + {@code releaseLock()}.
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
public class RwLockRead {

    /** Read acquisitions per {@link #concurrent()} invocation, over all threads. */
    public static final int BATCH = 100_000;

    /** The implementation under test. */
    @Param({
        "tributary",
        "tributary-tryRead",
        "ReentrantReadWriteLock",
        "StampedLock",
        "StampedLockOptimistic",
        "AsyncReadWriteLock"
    })
    public String impl;

    /** Reader threads ({@link #concurrent()} only). */
    @Param({"2"})
    public int readers;

    /** The guarded value, never written: what a read returns. */
    private long value = 1;

    private ExecutorService pool;
    private Read read;

    /** One read acquire, read of {@link #value}, release. */
    interface Read {
        long once() throws Exception;
    }

    /** Creates the threads and the lock. */
    @Setup(Level.Trial)
    public void setUp() {
        if (BATCH % readers != 0) {
            throw new IllegalArgumentException("readers must divide " + BATCH + ": " + readers);
        }
        pool = MutexContended.daemonPool(readers);
        read = create(impl);
    }

    /** Stops the threads. */
    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdownNow();
    }

    private Read create(String impl) {
        switch (impl) {
            case "tributary":
                {
                    RwLock<Void> l = new RwLock<>(null);
                    return () -> {
                        RwLockReadGuard<Void> g = l.read().join();
                        try {
                            return value;
                        } finally {
                            g.close();
                        }
                    };
                }
            case "tributary-tryRead":
                {
                    RwLock<Void> l = new RwLock<>(null);
                    return () -> {
                        RwLockReadGuard<Void> g = l.tryRead();
                        if (g == null) {
                            throw new IllegalStateException("tryRead failed without a writer");
                        }
                        try {
                            return value;
                        } finally {
                            g.close();
                        }
                    };
                }
            case "ReentrantReadWriteLock":
                {
                    ReentrantReadWriteLock.ReadLock l = new ReentrantReadWriteLock().readLock();
                    return () -> {
                        l.lock();
                        try {
                            return value;
                        } finally {
                            l.unlock();
                        }
                    };
                }
            case "StampedLock":
                {
                    StampedLock l = new StampedLock();
                    return () -> {
                        long stamp = l.readLock();
                        try {
                            return value;
                        } finally {
                            l.unlockRead(stamp);
                        }
                    };
                }
            case "StampedLockOptimistic":
                {
                    StampedLock l = new StampedLock();
                    return () -> {
                        long stamp = l.tryOptimisticRead();
                        long v = value;
                        if (l.validate(stamp)) {
                            return v;
                        }
                        stamp = l.readLock();
                        try {
                            return value;
                        } finally {
                            l.unlockRead(stamp);
                        }
                    };
                }
            case "AsyncReadWriteLock":
                {
                    AsyncReadWriteLock l = AsyncReadWriteLock.create();
                    return () -> {
                        AsyncReadWriteLock.ReadLockToken t =
                                l.acquireReadLock().toCompletableFuture().join();
                        try {
                            return value;
                        } finally {
                            t.releaseLock();
                        }
                    };
                }
            default:
                throw new IllegalArgumentException("unknown impl: " + impl);
        }
    }

    /**
     * One read acquire + release on the benchmark thread.
     *
     * @return the value read, so nothing is optimized away
     * @throws Exception if the implementation failed
     */
    @Benchmark
    public long uncontended() throws Exception {
        return read.once();
    }

    /**
     * One batch: every reader thread runs its share of read acquire + release rounds.
     *
     * @return the reads per thread
     * @throws Exception if a thread failed, or the batch did not finish within 30 s
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long concurrent() throws Exception {
        Read r = read;
        return MutexContended.runShares(
                pool,
                readers,
                BATCH,
                n -> {
                    long sum = 0;
                    for (int i = 0; i < n; i++) {
                        sum += r.once();
                    }
                    if (sum != n) {
                        throw new IllegalStateException("read " + sum + " for " + n + " reads");
                    }
                    return CompletableFuture.completedFuture(null);
                });
    }
}
