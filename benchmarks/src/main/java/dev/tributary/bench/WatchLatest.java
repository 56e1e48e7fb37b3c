package dev.tributary.bench;

import dev.tributary.sync.Watch;
import io.reactivex.rxjava3.processors.BehaviorProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
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
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Latest-value broadcast with conflating readers, batch style: the benchmark thread (the writer)
 * stores {@link #BATCH} distinct values as fast as it can, while {@code readers} reader threads
 * each wait for a change and read the latest value, skipping the ones overwritten meanwhile. The
 * invocation ends when every reader has read the last value, so the score is nanoseconds per value
 * written, including the cost to the writer of telling waiting readers and the time the readers
 * need to catch up at the end.
 *
 * <p>Caveat: how many intermediate values a reader sees is not fixed (that is what conflation
 * means), and it differs between implementations: a writer that wakes readers less often may be
 * faster. Every reader does see the last value, and each implementation's readers wait the way that
 * library intends, parking when there is nothing new.
 *
 * <ul>
 *   <li>{@code tributary}: {@link Watch#channel(Object)}, {@code send(v)}; each reader has its own
 *       {@link Watch.Receiver} and loops {@code blockingChanged()} then {@code
 *       borrowAndUpdate().get()} on a pool thread.
 *   <li>{@code RxBehaviorProcessor}: RxJava {@link BehaviorProcessor#onNext}; each reader is {@code
 *       onBackpressureLatest().observeOn(scheduler, false, 1)}: the writer hands every value to
 *       every reader's conflating slot, and the reader thread takes the latest one.
 *   <li>{@code ReactorReplayLatest}: {@code Sinks.many().replay().latest()}, {@code tryEmitNext};
 *       each reader is {@code asFlux().onBackpressureLatest().publishOn(scheduler, 1)}.
 *   <li>{@code AtomicReferencePark}: the hand-written baseline: an {@link AtomicReference} holding
 *       the value and a version counter (so a reader tells a change even when a batch ends on the
 *       same value as the previous one), one parked-thread slot per reader; the writer sets the
 *       value, bumps the version and unparks the readers whose slot is set (a CAS clears it so that
 *       one unpark suffices); a reader sets its slot, re-reads the version, and parks only if it is
 *       still the one it read last (no spin).
 * </ul>
 *
 * <p>On a 2-core machine 1 reader is a hand-off between two threads; 2 and 8 readers are
 * oversubscribed and park-dominated.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(WatchLatest.BATCH)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class WatchLatest {

    /** Values written per invocation. */
    public static final int BATCH = 100_000;

    /** How long the end of a batch may take before the invocation fails instead of hanging. */
    private static final long TIMEOUT_SECONDS = 30;

    /**
     * The values of one batch: distinct objects, allocated once, so that no implementation pays for
     * boxing. The last one ends the batch (readers tell it by identity).
     */
    private static final Long[] VALUES = new Long[BATCH];

    static {
        for (int i = 0; i < BATCH; i++) {
            VALUES[i] = Long.valueOf(1000L + i); // outside the Long cache: distinct objects
        }
    }

    private static final Long LAST = VALUES[BATCH - 1];

    /** The value each channel holds before the first write. */
    private static final Long INITIAL = Long.valueOf(-1000L);

    /** The implementation under test; see the class description. */
    @Param({"tributary", "RxBehaviorProcessor", "ReactorReplayLatest", "AtomicReferencePark"})
    public String impl;

    /** Reader threads, each conflating. */
    @Param({"1", "2", "8"})
    public int readers;

    private ExecutorService pool;
    private io.reactivex.rxjava3.core.Scheduler rxScheduler;
    private reactor.core.scheduler.Scheduler reactorScheduler;
    private Latest latest;
    private Reader[] sinks;

    /** The end-of-batch latch of the current invocation; readers read it at {@link #LAST}. */
    private volatile CountDownLatch batchDone;

    /** One implementation: the writer's side, and readers that feed {@link Reader}s. */
    interface Latest {
        /** Stores a new latest value; never waits for readers. */
        void write(Long v);

        /** Work to start on the pool for this batch (blocking readers), or none. */
        default void startBatch(ExecutorService pool) {}

        /** Releases the readers at the end of an iteration. */
        void close();
    }

    /** What a reader does with each value it reads: counts and sums; one thread at a time. */
    final class Reader {
        private long reads;
        private long sum;

        /** A failure of this reader, or null; read after the latch. */
        volatile Throwable failure;

        void accept(Long v) {
            reads++;
            sum += v;
            if (v == LAST) {
                batchDone.countDown(); // release: pairs with await() in writeAll
            }
        }

        void fail(Throwable t) {
            failure = t;
            CountDownLatch l = batchDone;
            if (l != null) {
                while (l.getCount() > 0) {
                    l.countDown(); // end the invocation at once: it fails on the failure
                }
            }
        }

        long sum() {
            return sum + reads;
        }
    }

    /** Starts the reader pool (one thread per reader) and the schedulers over it. */
    @Setup(Level.Trial)
    public void startPool() {
        pool = Executors.newFixedThreadPool(readers);
        rxScheduler = io.reactivex.rxjava3.schedulers.Schedulers.from(pool);
        reactorScheduler = Schedulers.fromExecutor(pool);
    }

    /** Fresh readers and a fresh channel per iteration. */
    @Setup(Level.Iteration)
    public void subscribe() {
        sinks = new Reader[readers];
        for (int i = 0; i < readers; i++) {
            sinks[i] = new Reader();
        }
        latest = create();
    }

    /** Releases the readers of the iteration. */
    @TearDown(Level.Iteration)
    public void unsubscribe() {
        latest.close();
    }

    /** Stops the reader pool. */
    @TearDown(Level.Trial)
    public void stopPool() {
        pool.shutdownNow();
    }

    /**
     * Writes one batch and waits until every reader has read its last value.
     *
     * @return a checksum of what the readers read so far, so nothing is optimized away
     * @throws Exception if a reader failed, or the batch did not end in time
     */
    @Benchmark
    public long writeAll() throws Exception {
        CountDownLatch done = new CountDownLatch(readers);
        batchDone = done; // volatile write before the first write: readers see it at LAST
        Latest l = latest;
        l.startBatch(pool);
        for (Long v : VALUES) {
            l.write(v);
        }
        if (!done.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException(impl + ": a reader did not see the last value");
        }
        long sum = 0;
        for (Reader r : sinks) {
            Throwable t = r.failure;
            if (t != null) {
                throw new IllegalStateException(impl + ": a reader failed", t);
            }
            sum += r.sum();
        }
        return sum;
    }

    private Latest create() {
        switch (impl) {
            case "tributary":
                return tributary();
            case "RxBehaviorProcessor":
                return rxBehavior();
            case "ReactorReplayLatest":
                return reactorReplayLatest();
            case "AtomicReferencePark":
                return atomicReferencePark();
            default:
                throw new IllegalArgumentException("unknown impl: " + impl);
        }
    }

    private Latest tributary() {
        Watch.Channel<Long> ch = Watch.channel(INITIAL);
        Watch.Sender<Long> tx = ch.sender();
        List<Watch.Receiver<Long>> rxs = new ArrayList<>(readers);
        rxs.add(ch.receiver());
        for (int i = 1; i < readers; i++) {
            rxs.add(tx.subscribe());
        }
        return new Latest() {
            @Override
            public void write(Long v) {
                tx.send(v);
            }

            @Override
            public void startBatch(ExecutorService pool) {
                for (int i = 0; i < readers; i++) {
                    Watch.Receiver<Long> rx = rxs.get(i);
                    Reader reader = sinks[i];
                    pool.execute(
                            () -> {
                                try {
                                    for (; ; ) {
                                        rx.blockingChanged();
                                        Long v = rx.borrowAndUpdate().get();
                                        reader.accept(v);
                                        if (v == LAST) {
                                            return;
                                        }
                                    }
                                } catch (Throwable t) { // interrupted at shutdown
                                    reader.fail(t);
                                }
                            });
                }
            }

            @Override
            public void close() {
                rxs.forEach(Watch.Receiver::close);
                tx.close();
            }
        };
    }

    private Latest rxBehavior() {
        BehaviorProcessor<Long> p = BehaviorProcessor.createDefault(INITIAL);
        List<io.reactivex.rxjava3.disposables.Disposable> subs = new ArrayList<>(readers);
        for (Reader r : sinks) {
            subs.add(
                    p.onBackpressureLatest()
                            .observeOn(rxScheduler, false, 1)
                            .subscribe(r::accept, r::fail));
        }
        return new Latest() {
            @Override
            public void write(Long v) {
                p.onNext(v);
            }

            @Override
            public void close() {
                subs.forEach(io.reactivex.rxjava3.disposables.Disposable::dispose);
                p.onComplete();
            }
        };
    }

    private Latest reactorReplayLatest() {
        Sinks.Many<Long> sink = Sinks.many().replay().latest();
        sink.tryEmitNext(INITIAL).orThrow();
        List<reactor.core.Disposable> subs = new ArrayList<>(readers);
        for (Reader r : sinks) {
            subs.add(
                    sink.asFlux()
                            .onBackpressureLatest()
                            .publishOn(reactorScheduler, 1)
                            .subscribe(r::accept, r::fail));
        }
        return new Latest() {
            @Override
            public void write(Long v) {
                sink.tryEmitNext(v).orThrow(); // one writer: never FAIL_NON_SERIALIZED
            }

            @Override
            public void close() {
                subs.forEach(reactor.core.Disposable::dispose);
                sink.tryEmitComplete();
            }
        };
    }

    private Latest atomicReferencePark() {
        AtomicReference<Long> ref = new AtomicReference<>(INITIAL);
        AtomicLong version = new AtomicLong(); // one writer; tells a change even of the same value
        AtomicReferenceArray<Thread> parked = new AtomicReferenceArray<>(readers);
        long[] seen = new long[readers]; // each slot confined to its reader's task
        return new Latest() {
            private long written;

            @Override
            public void write(Long v) {
                ref.lazySet(v); // release, then published by the volatile version write
                version.set(++written); // volatile write, then volatile reads of the slots: Dekker
                for (int i = 0; i < readers; i++) {
                    Thread t = parked.get(i);
                    if (t != null && parked.compareAndSet(i, t, null)) {
                        LockSupport.unpark(t);
                    }
                }
            }

            @Override
            public void startBatch(ExecutorService pool) {
                for (int i = 0; i < readers; i++) {
                    int slot = i;
                    Reader reader = sinks[i];
                    pool.execute(
                            () -> {
                                Thread me = Thread.currentThread();
                                long last = seen[slot];
                                for (; ; ) {
                                    long n = version.get(); // acquire: the value is as new
                                    if (n != last) {
                                        last = n;
                                        Long v = ref.get();
                                        if (v == LAST) {
                                            seen[slot] = n; // before accept's countDown
                                            reader.accept(v);
                                            return;
                                        }
                                        reader.accept(v);
                                        continue;
                                    }
                                    parked.set(slot, me); // volatile write, then re-read: Dekker
                                    if (version.get() == last) {
                                        LockSupport.park(this);
                                    }
                                    parked.set(slot, null);
                                    if (Thread.interrupted()) {
                                        reader.fail(new InterruptedException());
                                        return;
                                    }
                                }
                            });
                }
            }

            @Override
            public void close() {}
        };
    }
}
