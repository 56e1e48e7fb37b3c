package dev.tributary.bench;

import com.ibm.asyncutil.locks.AsyncLock;
import dev.tributary.sync.Mutex;
import dev.tributary.sync.MutexGuard;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
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
 * Contended mutex, batch style: {@code threads} pool threads (started once per trial) share {@link
 * #BATCH} acquisitions per invocation, each one acquire, a tiny critical section (increment of a
 * shared counter) and release; the benchmark thread only waits for them. The score is nanoseconds
 * per acquire + release, over all threads.
 *
 * <p>Implementations ({@code impl}):
 *
 * <ul>
 *   <li>{@code tributary}: {@link Mutex#blockingLock()} + {@link MutexGuard#close()} (the primary
 *       variant: the blocking API, as the j.u.c. peers);
 *   <li>{@code tributary-async}: {@link Mutex#lock()} chains: each thread starts a chain of
 *       acquisitions; when a lock future is not complete, the chain continues in its callback, on
 *       whichever thread released the lock, and the starting thread goes idle;
 *   <li>{@code ReentrantLock} / {@code ReentrantLockFair} / {@code synchronized}: blocking;
 *   <li>{@code AsyncLock}: asyncutil's {@code FairAsyncLock}, chained as {@code tributary-async}.
 * </ul>
 *
 * <p>Caveat for the two asynchronous variants: a continuation runs on the thread that releases the
 * lock. With Tributary, it runs inside that thread's {@code close()}, and the chain it continues
 * then finds the lock free every time, so after the first hand-off one chain runs to its end nested
 * in the other thread's release, and the rest of the batch is uncontended (a probe counted one
 * asynchronous acquisition in a million). asyncutil's chains keep both threads contending (almost
 * every acquisition completes asynchronously). The two scores therefore compare what each library
 * does with chained continuations, not the same amount of contention.
 *
 * <p>On 2 cores, {@code threads = 2} measures contention between two running threads; {@code
 * threads = 4} is oversubscribed (park-dominated for fair locks). Unfair locks let a releasing
 * thread re-acquire at once (long runs on one thread), which fair ones forbid: their ratios mostly
 * compare fairness policies, not code paths.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(MutexContended.BATCH)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class MutexContended {

    /** Acquire + release pairs per invocation, over all threads. */
    public static final int BATCH = 100_000;

    /** The implementation under test. */
    @Param({
        "tributary",
        "tributary-async",
        "ReentrantLock",
        "ReentrantLockFair",
        "synchronized",
        "AsyncLock"
    })
    public String impl;

    /** Threads competing for the lock. */
    @Param({"2", "4"})
    public int threads;

    /** The counter the lock guards; written only while holding the lock. */
    private long count;

    private ExecutorService pool;
    private Worker worker;

    /** Runs {@code n} acquire / increment / release rounds, started on the calling thread. */
    interface Worker {
        /** Returns a future completed once the {@code n} rounds are done. */
        CompletableFuture<Void> run(int n) throws Exception;
    }

    /** Creates the threads and the lock. */
    @Setup(Level.Trial)
    public void setUp() {
        if (BATCH % threads != 0) {
            throw new IllegalArgumentException("threads must divide " + BATCH + ": " + threads);
        }
        pool = daemonPool(threads);
        worker = create(impl);
    }

    /** Stops the threads. */
    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdownNow();
    }

    private Worker create(String impl) {
        switch (impl) {
            case "tributary":
                {
                    Mutex<Void> m = new Mutex<>(null);
                    return n -> {
                        for (int i = 0; i < n; i++) {
                            roundBlocking(m);
                        }
                        return CompletableFuture.completedFuture(null);
                    };
                }
            case "tributary-async":
                {
                    Mutex<Void> m = new Mutex<>(null);
                    return n ->
                            AsyncLoop.start(
                                    n,
                                    m::lock,
                                    g -> {
                                        count++;
                                        g.close();
                                    });
                }
            case "ReentrantLock":
                return ofLock(new ReentrantLock());
            case "ReentrantLockFair":
                return ofLock(new ReentrantLock(true));
            case "synchronized":
                {
                    Object monitor = new Object();
                    return n -> {
                        for (int i = 0; i < n; i++) {
                            roundMonitor(monitor);
                        }
                        return CompletableFuture.completedFuture(null);
                    };
                }
            case "AsyncLock":
                {
                    AsyncLock l = AsyncLock.create();
                    return n ->
                            AsyncLoop.start(
                                    n,
                                    l::acquireLock,
                                    t -> {
                                        count++;
                                        t.releaseLock();
                                    });
                }
            default:
                throw new IllegalArgumentException("unknown impl: " + impl);
        }
    }

    private Worker ofLock(ReentrantLock l) {
        return n -> {
            for (int i = 0; i < n; i++) {
                roundLock(l);
            }
            return CompletableFuture.completedFuture(null);
        };
    }

    /*
     * One blocking round each. Not inlined into the loops, so that the JIT cannot coarsen the
     * monitor (or unroll lock/unlock pairs) across iterations: every round really acquires and
     * releases. All blocking impls pay the same call.
     */

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private void roundBlocking(Mutex<Void> m) throws InterruptedException {
        MutexGuard<Void> g = m.blockingLock();
        try {
            count++;
        } finally {
            g.close();
        }
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private void roundLock(ReentrantLock l) {
        l.lock();
        try {
            count++;
        } finally {
            l.unlock();
        }
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private void roundMonitor(Object monitor) {
        synchronized (monitor) {
            count++;
        }
    }

    /**
     * One batch: every thread runs its share of acquire / increment / release rounds.
     *
     * @return the guarded counter, so nothing is optimized away
     * @throws Exception if a thread failed, or the batch did not finish within 30 s
     */
    @Benchmark
    public long acquireRelease() throws Exception {
        return runShares(pool, threads, BATCH, worker::run) + count;
    }

    /**
     * A fixed pool of {@code n} daemon threads, so that a thread stuck after a failed iteration
     * cannot keep the forked JVM alive.
     */
    static ExecutorService daemonPool(int n) {
        return Executors.newFixedThreadPool(
                n,
                r -> {
                    Thread t = new Thread(r, "bench-worker");
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Runs {@code total / threads} rounds on each of {@code threads} pool threads and waits (at
     * most 30 s) until every share is done, including shares continued asynchronously on other
     * threads. The threads start their shares together (a latch), so that they overlap rather than
     * run one after the other.
     */
    static long runShares(ExecutorService pool, int threads, int total, Worker w) throws Exception {
        int share = total / threads;
        CountDownLatch start = new CountDownLatch(threads);
        CompletableFuture<?>[] done = new CompletableFuture<?>[threads];
        for (int t = 0; t < threads; t++) {
            CompletableFuture<Void> d = new CompletableFuture<>();
            done[t] = d;
            pool.execute(
                    () -> {
                        try {
                            start.countDown();
                            if (!start.await(30, TimeUnit.SECONDS)) {
                                throw new TimeoutException("not all threads started");
                            }
                            w.run(share)
                                    .whenComplete(
                                            (v, e) -> {
                                                if (e != null) {
                                                    d.completeExceptionally(e);
                                                } else {
                                                    d.complete(null);
                                                }
                                            });
                        } catch (Throwable e) {
                            d.completeExceptionally(e);
                        }
                    });
        }
        CompletableFuture.allOf(done).get(30, TimeUnit.SECONDS);
        return share;
    }

    /**
     * A chain of {@code n} asynchronous acquisitions: acquire, and when the acquisition completes
     * run the body (critical section and release), then acquire again. Already complete
     * acquisitions are handled in a loop, so the stack does not grow; an incomplete one continues
     * in its callback on the completing thread.
     *
     * @param <G> the guard or token type
     */
    static final class AsyncLoop<G> {
        private final Supplier<? extends CompletionStage<G>> acquire;
        private final Consumer<G> body;
        private final CompletableFuture<Void> done = new CompletableFuture<>();

        /** Rounds still to start; handed between threads through the acquisition futures. */
        private int remaining;

        private AsyncLoop(int n, Supplier<? extends CompletionStage<G>> acquire, Consumer<G> body) {
            this.remaining = n;
            this.acquire = acquire;
            this.body = body;
        }

        /** Starts a chain of {@code n} rounds on the calling thread. */
        static <G> CompletableFuture<Void> start(
                int n, Supplier<? extends CompletionStage<G>> acquire, Consumer<G> body) {
            AsyncLoop<G> loop = new AsyncLoop<>(n, acquire, body);
            loop.next();
            return loop.done;
        }

        private void next() {
            while (remaining > 0) {
                remaining--;
                CompletableFuture<G> f = acquire.get().toCompletableFuture();
                if (!f.isDone()) {
                    f.whenComplete(
                            (g, e) -> {
                                if (e != null) {
                                    done.completeExceptionally(e);
                                    return;
                                }
                                try {
                                    body.accept(g);
                                    next();
                                } catch (Throwable t) {
                                    done.completeExceptionally(t);
                                }
                            });
                    return;
                }
                body.accept(f.join());
            }
            done.complete(null);
        }
    }
}
