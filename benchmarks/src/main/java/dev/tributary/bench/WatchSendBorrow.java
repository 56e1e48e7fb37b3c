package dev.tributary.bench;

import dev.tributary.sync.Watch;
import io.reactivex.rxjava3.processors.BehaviorProcessor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-thread latest-value fast path: store a value, then read the latest one back, with no
 * reader waiting. Nanoseconds per store + read. The most stable figure of the watch benchmarks on a
 * shared 2-core machine (no hand-off, no parking).
 *
 * <ul>
 *   <li>{@code tributary}: {@link Watch.Sender#send(Object)}, then {@link
 *       Watch.Receiver#borrowAndUpdate()}{@code .get()} on the channel's receiver (a send allocates
 *       a snapshot, a borrow a {@link Watch.Ref}).
 *   <li>{@code tributary-senderBorrow}: {@code send}, then {@link Watch.Sender#borrow()}{@code
 *       .get()}.
 *   <li>{@code RxBehaviorProcessor}: RxJava {@link BehaviorProcessor#onNext}, then {@link
 *       BehaviorProcessor#getValue()}, no subscribers. (Reactor's {@code replay().latest()} sink
 *       has no way to read the latest value without subscribing, so it is not a peer here.)
 *   <li>{@code AtomicReference}: {@code set}, then {@code get}: the floor (no versioning, no waiter
 *       check).
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
public class WatchSendBorrow {

    /** Two distinct values, stored alternately, so every store is a change. */
    private static final Long A = Long.valueOf(1000L);

    private static final Long B = Long.valueOf(2000L);

    /** The implementation under test; see the class description. */
    @Param({"tributary", "tributary-senderBorrow", "RxBehaviorProcessor", "AtomicReference"})
    public String impl;

    private Cell cell;
    private boolean flip;

    /** One implementation: store, then read the latest value. */
    interface Cell {
        Long sendBorrow(Long v);
    }

    /** A fresh channel per trial. */
    @Setup(Level.Trial)
    public void create() {
        switch (impl) {
            case "tributary":
                {
                    Watch.Channel<Long> ch = Watch.channel(A);
                    Watch.Sender<Long> tx = ch.sender();
                    Watch.Receiver<Long> rx = ch.receiver();
                    cell =
                            v -> {
                                tx.send(v);
                                return rx.borrowAndUpdate().get();
                            };
                    break;
                }
            case "tributary-senderBorrow":
                {
                    Watch.Channel<Long> ch = Watch.channel(A);
                    Watch.Sender<Long> tx = ch.sender();
                    cell =
                            v -> {
                                tx.send(v); // the channel's receiver stays open: send needs one
                                return tx.borrow().get();
                            };
                    break;
                }
            case "RxBehaviorProcessor":
                {
                    BehaviorProcessor<Long> p = BehaviorProcessor.createDefault(A);
                    cell =
                            v -> {
                                p.onNext(v);
                                return p.getValue();
                            };
                    break;
                }
            case "AtomicReference":
                {
                    AtomicReference<Long> ref = new AtomicReference<>(A);
                    cell =
                            v -> {
                                ref.set(v);
                                return ref.get();
                            };
                    break;
                }
            default:
                throw new IllegalArgumentException("unknown impl: " + impl);
        }
    }

    /** Drops the channel. */
    @TearDown(Level.Trial)
    public void drop() {
        cell = null;
    }

    /**
     * Stores the next value and reads the latest value back.
     *
     * @return the value read
     */
    @Benchmark
    public Long sendBorrow() {
        flip = !flip;
        return cell.sendBorrow(flip ? B : A);
    }
}
