package dev.tributary.bench;

import com.ibm.asyncutil.locks.AsyncLock;
import dev.tributary.sync.Mutex;
import dev.tributary.sync.MutexGuard;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Uncontended mutex fast path: one thread acquires a free lock, increments a counter and releases
 * it. The score is nanoseconds per acquire + release; {@code -prof gc} gives the bytes allocated
 * per acquire + release (a guard object per acquisition for Tributary and asyncutil).
 *
 * <p>Implementations ({@code impl}):
 *
 * <ul>
 *   <li>{@code tributary}: {@link Mutex#lock()} (an already complete future), {@code join()}, then
 *       {@link MutexGuard#close()}: the asynchronous API, the primary variant;
 *   <li>{@code tributary-tryLock}: {@link Mutex#tryLock()} + close;
 *   <li>{@code tributary-blocking}: {@link Mutex#blockingLock()} + close;
 *   <li>{@code ReentrantLock} / {@code ReentrantLockFair}: {@code lock()} + {@code unlock()};
 *   <li>{@code synchronized}: a monitor block;
 *   <li>{@code AsyncLock}: asyncutil's {@code AsyncLock.create()} (a {@code FairAsyncLock}, the
 *       only implementation it has), {@code acquireLock()}, {@code toCompletableFuture().join()},
 *       then {@code releaseLock()}.
 * </ul>
 *
 * <p>Issue 5 targets: {@code tributary} at least as fast as {@code AsyncLock}; {@code
 * tributary-tryLock} within 1.5× of {@code ReentrantLock}. Single-thread fast paths are the most
 * stable figures on a 2-core machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class MutexUncontended {

    /** The implementation under test. */
    @Param({
        "tributary",
        "tributary-tryLock",
        "tributary-blocking",
        "ReentrantLock",
        "ReentrantLockFair",
        "synchronized",
        "AsyncLock"
    })
    public String impl;

    /** The critical section's work: the lock guards this counter. */
    private long count;

    private Op op;

    /** One acquire, increment of {@link #count}, release. */
    interface Op {
        long run() throws Exception;
    }

    /** Creates the lock of the chosen implementation. */
    @Setup
    public void setUp() {
        op = create(impl);
    }

    private Op create(String impl) {
        switch (impl) {
            case "tributary":
                {
                    Mutex<Void> m = new Mutex<>(null);
                    return () -> {
                        MutexGuard<Void> g = m.lock().join();
                        try {
                            return ++count;
                        } finally {
                            g.close();
                        }
                    };
                }
            case "tributary-tryLock":
                {
                    Mutex<Void> m = new Mutex<>(null);
                    return () -> {
                        MutexGuard<Void> g = m.tryLock();
                        if (g == null) {
                            throw new IllegalStateException("an uncontended tryLock failed");
                        }
                        try {
                            return ++count;
                        } finally {
                            g.close();
                        }
                    };
                }
            case "tributary-blocking":
                {
                    Mutex<Void> m = new Mutex<>(null);
                    return () -> {
                        MutexGuard<Void> g = m.blockingLock();
                        try {
                            return ++count;
                        } finally {
                            g.close();
                        }
                    };
                }
            case "ReentrantLock":
                return ofLock(new ReentrantLock());
            case "ReentrantLockFair":
                return ofLock(new ReentrantLock(true));
            case "synchronized":
                {
                    Object monitor = new Object();
                    return () -> {
                        synchronized (monitor) {
                            return ++count;
                        }
                    };
                }
            case "AsyncLock":
                {
                    AsyncLock l = AsyncLock.create();
                    return () -> {
                        AsyncLock.LockToken t = l.acquireLock().toCompletableFuture().join();
                        try {
                            return ++count;
                        } finally {
                            t.releaseLock();
                        }
                    };
                }
            default:
                throw new IllegalArgumentException("unknown impl: " + impl);
        }
    }

    private Op ofLock(ReentrantLock l) {
        return () -> {
            l.lock();
            try {
                return ++count;
            } finally {
                l.unlock();
            }
        };
    }

    /**
     * One acquire + release of a free lock.
     *
     * @return the counter after the increment, so nothing is optimized away
     * @throws Exception if the implementation failed
     */
    @Benchmark
    public long acquireRelease() throws Exception {
        return op.run();
    }
}
