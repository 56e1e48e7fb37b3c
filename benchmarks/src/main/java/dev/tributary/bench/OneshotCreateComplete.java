package dev.tributary.bench;

import dev.tributary.sync.Oneshot;
import io.reactivex.rxjava3.subjects.SingleSubject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
import reactor.core.publisher.Sinks;

/**
 * The single-thread fast path of a one-value channel: create it, complete it with a value, and read
 * the value back with the blocking read, which returns at once because the value is there.
 * Nanoseconds per create + complete + read; no other thread is involved.
 *
 * <ul>
 *   <li>{@code tributary}: {@code Oneshot.channel()}, {@code sender().send(v)}, {@code
 *       receiver().blockingRecv()}.
 *   <li>{@code CompletableFuture}: {@code new CompletableFuture<>()}, {@code complete(v)}, {@code
 *       join()}.
 *   <li>{@code ReactorSinksOne}: {@code Sinks.one()}, {@code tryEmitValue(v)}, {@code
 *       asMono().block()} (block subscribes a latch-based subscriber: Reactor has no cheaper
 *       synchronous read of the value).
 *   <li>{@code RxSingleSubject}: {@code SingleSubject.create()}, {@code onSuccess(v)}, {@code
 *       blockingGet()}.
 * </ul>
 *
 * <p>Caveat: escape analysis may remove some allocations of any peer; {@code -prof gc} shows what
 * remains. A Tributary oneshot is a state core plus two handles and the pair record, against one
 * object for a {@code CompletableFuture}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class OneshotCreateComplete {

    /** The value: one shared boxed value, so no peer pays for allocating it. */
    private static final Integer VALUE = 1;

    /** The implementation under test; {@code tributary} first. */
    @Param({"tributary", "CompletableFuture", "ReactorSinksOne", "RxSingleSubject"})
    public String impl;

    private int kind;

    /** Resolves {@link #impl} once, so the measured method only switches on an int. */
    @Setup
    public void resolve() {
        switch (impl) {
            case "tributary":
                kind = 0;
                break;
            case "CompletableFuture":
                kind = 1;
                break;
            case "ReactorSinksOne":
                kind = 2;
                break;
            case "RxSingleSubject":
                kind = 3;
                break;
            default:
                throw new IllegalArgumentException("unknown impl: " + impl);
        }
    }

    /**
     * Creates one channel, completes it and reads the value.
     *
     * @return the value read
     * @throws InterruptedException never in practice: the read finds the value
     */
    @Benchmark
    public Integer createComplete() throws InterruptedException {
        switch (kind) {
            case 0:
                {
                    Oneshot.Channel<Integer> ch = Oneshot.channel();
                    ch.sender().send(VALUE);
                    return ch.receiver().blockingRecv();
                }
            case 1:
                {
                    CompletableFuture<Integer> f = new CompletableFuture<>();
                    f.complete(VALUE);
                    return f.join();
                }
            case 2:
                {
                    Sinks.One<Integer> s = Sinks.one();
                    s.tryEmitValue(VALUE);
                    return s.asMono().block();
                }
            default:
                {
                    SingleSubject<Integer> s = SingleSubject.create();
                    s.onSuccess(VALUE);
                    return s.blockingGet();
                }
        }
    }
}
