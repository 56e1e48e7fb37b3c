package dev.tributary.bench;

import dev.tributary.sync.Notified;
import dev.tributary.sync.Notify;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 * Wake-all cycles: {@code waiters} waits are registered, one call wakes them all. The score is ns
 * per cycle (all {@code waiters} registrations and wake-ups).
 *
 * <ul>
 *   <li>{@link #asyncWaiters()}: one thread registers {@code waiters} asynchronous waits (futures),
 *       wakes them all and checks that every future completed. No thread hand-off: it measures
 *       registration, the wake-all call and the completions. Impls: {@code tributary} ({@link
 *       Notify#notified()}{@code .future()} per waiter, then {@link Notify#notifyWaiters()}),
 *       {@code CompletableFuture} (a fan-out: a fresh gate per cycle, {@code gate.copy()} per
 *       waiter, then {@code gate.complete}). {@code Condition} and {@code Phaser} have no
 *       asynchronous wait and do not apply.
 *   <li>{@link #blockingWaiters()}: {@code waiters} parked pool threads (started once per trial),
 *       {@link #CYCLES} cycles per invocation; the benchmark thread waits (with {@code
 *       Thread.yield()}) until every waiter has registered, then wakes them all. Impls: {@code
 *       tributary} ({@link Notified#blockingAwait()}), {@code Condition} ({@code await} / {@code
 *       signalAll} under a {@code ReentrantLock}), {@code Phaser} ({@code
 *       awaitAdvanceInterruptibly} / {@code arrive} of the one registered party), {@code
 *       CompletableFuture} ({@code get()} on a gate per cycle). With more waiters than the 2 cores,
 *       this is park/unpark-dominated: it compares how the wake-ups are scheduled, not code paths.
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
public class NotifyWake {

    /** Wake-all cycles per {@link #blockingWaiters()} invocation. */
    public static final int CYCLES = 100;

    /** The implementation under test. */
    @Param({"tributary", "CompletableFuture", "Condition", "Phaser"})
    public String impl;

    /** Waits woken per cycle. */
    @Param({"10", "100"})
    public int waiters;

    private CompletableFuture<?>[] futures;
    private boolean isTributary;
    private Notify notify;
    private ExecutorService pool;
    private Waits waits;

    /** Waiters that registered, over the invocation; a waiter counts itself before it blocks. */
    private final AtomicLong ready = new AtomicLong();

    /** A blocking wake-all primitive as the waiter threads and the notifier use it. */
    interface Waits {
        /** Called by the notifier before each invocation, with every waiter idle. */
        void reset();

        /** Registers for cycle {@code c}, runs {@code ready}, then blocks until woken. */
        void waitOnce(int c, Runnable ready) throws Exception;

        /** Wakes every waiter of cycle {@code c}. */
        void wakeAll(int c);
    }

    /**
     * Creates the primitive, and the waiter threads for {@link #blockingWaiters()}.
     *
     * @param params which benchmark method runs, to reject impls that do not apply to it
     */
    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        if (params.getBenchmark().endsWith(".asyncWaiters")) {
            if (!impl.equals("tributary") && !impl.equals("CompletableFuture")) {
                throw new IllegalArgumentException(impl + " has no asynchronous wait");
            }
            futures = new CompletableFuture<?>[waiters];
            isTributary = impl.equals("tributary");
            notify = new Notify();
        } else {
            waits = create(impl);
            pool = MutexContended.daemonPool(waiters);
        }
    }

    /** Stops the waiter threads. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    /**
     * One cycle with asynchronous waiters: register {@code waiters} futures, wake all.
     *
     * @return the number of completed futures
     */
    @Benchmark
    public int asyncWaiters() {
        CompletableFuture<?>[] fs = futures;
        if (isTributary) {
            Notify n = notify;
            for (int i = 0; i < fs.length; i++) {
                fs[i] = n.notified().future();
            }
            n.notifyWaiters();
        } else {
            CompletableFuture<Void> gate = new CompletableFuture<>();
            for (int i = 0; i < fs.length; i++) {
                fs[i] = gate.copy();
            }
            gate.complete(null);
        }
        int done = 0;
        for (CompletableFuture<?> f : fs) {
            if (f.isDone()) {
                done++;
            }
        }
        if (done != fs.length) {
            throw new IllegalStateException(done + " of " + fs.length + " waiters woken");
        }
        return done;
    }

    /**
     * {@link #CYCLES} cycles with parked waiter threads.
     *
     * @return the registrations counted, so nothing is optimized away
     * @throws Exception if a waiter failed, or a cycle did not finish within 30 s
     */
    @Benchmark
    @OperationsPerInvocation(CYCLES)
    public long blockingWaiters() throws Exception {
        Waits w = waits;
        ready.set(0);
        w.reset();
        Runnable onReady = ready::incrementAndGet;
        List<Future<?>> done = new ArrayList<>(waiters);
        for (int t = 0; t < waiters; t++) {
            done.add(
                    pool.submit(
                            () -> {
                                for (int c = 0; c < CYCLES; c++) {
                                    w.waitOnce(c, onReady);
                                }
                                return null;
                            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int c = 0; c < CYCLES; c++) {
            long target = (long) waiters * (c + 1);
            while (ready.get() < target) {
                if (System.nanoTime() - deadline > 0) {
                    throw new TimeoutException("cycle " + c + ": waiters did not register");
                }
                Thread.yield();
            }
            w.wakeAll(c);
        }
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        return ready.get();
    }

    private static Waits create(String impl) {
        switch (impl) {
            case "tributary":
                {
                    Notify n = new Notify();
                    return new Waits() {
                        @Override
                        public void reset() {}

                        @Override
                        public void waitOnce(int c, Runnable ready) throws InterruptedException {
                            Notified h = n.notified();
                            ready.run();
                            h.blockingAwait();
                        }

                        @Override
                        public void wakeAll(int c) {
                            n.notifyWaiters();
                        }
                    };
                }
            case "Condition":
                {
                    ReentrantLock lock = new ReentrantLock();
                    Condition cond = lock.newCondition();
                    return new Waits() {
                        /** Cycles woken so far in this invocation; guarded by {@code lock}. */
                        private int woken;

                        @Override
                        public void reset() {
                            lock.lock();
                            try {
                                woken = 0;
                            } finally {
                                lock.unlock();
                            }
                        }

                        @Override
                        public void waitOnce(int c, Runnable ready) throws InterruptedException {
                            lock.lock();
                            try {
                                ready.run();
                                while (woken <= c) {
                                    cond.await();
                                }
                            } finally {
                                lock.unlock();
                            }
                        }

                        @Override
                        public void wakeAll(int c) {
                            lock.lock();
                            try {
                                woken = c + 1;
                                cond.signalAll();
                            } finally {
                                lock.unlock();
                            }
                        }
                    };
                }
            case "Phaser":
                {
                    Phaser p = new Phaser(1); // the notifier is the only party
                    return new Waits() {
                        @Override
                        public void reset() {}

                        @Override
                        public void waitOnce(int c, Runnable ready) throws Exception {
                            int phase = p.getPhase();
                            ready.run();
                            p.awaitAdvanceInterruptibly(phase);
                        }

                        @Override
                        public void wakeAll(int c) {
                            p.arrive();
                        }
                    };
                }
            case "CompletableFuture":
                return new Waits() {
                    /**
                     * The current cycle's gate; replaced before the old one completes, so a woken
                     * waiter reads the next cycle's gate.
                     */
                    private volatile CompletableFuture<Void> gate = new CompletableFuture<>();

                    @Override
                    public void reset() {
                        gate = new CompletableFuture<>();
                    }

                    @Override
                    public void waitOnce(int c, Runnable ready) throws Exception {
                        CompletableFuture<Void> g = gate;
                        ready.run();
                        g.get();
                    }

                    @Override
                    public void wakeAll(int c) {
                        CompletableFuture<Void> old = gate;
                        gate = new CompletableFuture<>();
                        old.complete(null);
                    }
                };
            default:
                throw new IllegalArgumentException("unknown impl: " + impl);
        }
    }
}
