package dev.tributary.bench;

import dev.tributary.sync.Mpsc;
import dev.tributary.sync.Oneshot;
import io.reactivex.rxjava3.subjects.SingleSubject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
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

/**
 * Request/reply round trips, tokio's {@code request_reply} benchmark (benches/sync_mpsc.rs): a
 * server thread receives requests from a bounded Mpsc channel of capacity {@value
 * #REQUEST_CAPACITY}, each request being the sending end of a reply; the client (the benchmark
 * thread) makes a reply, sends it as the request and waits for the answer, {@value #ROUND_TRIPS}
 * times per invocation. The score is nanoseconds per round trip.
 *
 * <p>The request channel is the same Tributary {@code Mpsc} channel (blocking send and receive) for
 * every peer, so the only difference is the reply primitive and its blocking wait:
 *
 * <ul>
 *   <li>{@code tributary}: {@code Oneshot.channel()}; {@code send} / {@code blockingRecv()}.
 *   <li>{@code CompletableFuture}: {@code new CompletableFuture<>()}; {@code complete} / {@code
 *       join()} (the bare round trip the target is stated against).
 *   <li>{@code ReactorSinksOne}: {@code Sinks.one()}; {@code tryEmitValue} / {@code
 *       asMono().block()}.
 *   <li>{@code RxSingleSubject}: {@code SingleSubject.create()}; {@code onSuccess} / {@code
 *       blockingGet()}.
 * </ul>
 *
 * <p>Caveat: on 2 cores, the client usually waits for the reply longer than a spin, and the server
 * for the next request, so both sides park: the figures are park-dominated (a wake-up costs
 * microseconds on a VM) and the spin-then-park policy of each wait decides much of the result.
 * tokio's figure (~0.56 µs per round trip with its task scheduler) is not comparable.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(OneshotRequestReply.ROUND_TRIPS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class OneshotRequestReply {

    /** Round trips per invocation, as in tokio's benchmark. */
    public static final int ROUND_TRIPS = 1000;

    /** Capacity of the request channel, as in tokio's benchmark. */
    public static final int REQUEST_CAPACITY = 10;

    /** The reply: one shared boxed value, so no peer pays for allocating it. */
    private static final Integer REPLY = 1;

    /** The implementation of the reply; {@code tributary} first. */
    @Param({"tributary", "CompletableFuture", "ReactorSinksOne", "RxSingleSubject"})
    public String impl;

    private ExecutorService pool;
    private Future<?> server;
    private AutoCloseable requests;
    private Client client;

    /** The client side of one implementation. */
    interface Client {
        /**
         * Makes {@code n} round trips.
         *
         * @return the sum of the replies
         */
        long roundTrips(int n) throws InterruptedException;
    }

    /** Starts the server thread, which serves until the request channel closes. */
    @Setup(Level.Trial)
    public void startServer() {
        pool = Executors.newSingleThreadExecutor();
        switch (impl) {
            case "tributary":
                {
                    Mpsc.Sender<Oneshot.Sender<Integer>> tx =
                            serve(reply -> reply.send(REPLY), Oneshot.Sender::closeChannel);
                    client =
                            n -> {
                                long sum = 0;
                                for (int i = 0; i < n; i++) {
                                    Oneshot.Channel<Integer> reply = Oneshot.channel();
                                    tx.blockingSend(reply.sender());
                                    sum += reply.receiver().blockingRecv();
                                }
                                return sum;
                            };
                    break;
                }
            case "CompletableFuture":
                {
                    Mpsc.Sender<CompletableFuture<Integer>> tx =
                            serve(
                                    reply -> reply.complete(REPLY),
                                    CompletableFuture::completeExceptionally);
                    client =
                            n -> {
                                long sum = 0;
                                for (int i = 0; i < n; i++) {
                                    CompletableFuture<Integer> reply = new CompletableFuture<>();
                                    tx.blockingSend(reply);
                                    sum += reply.join();
                                }
                                return sum;
                            };
                    break;
                }
            case "ReactorSinksOne":
                {
                    Mpsc.Sender<Sinks.One<Integer>> tx =
                            serve(
                                    reply -> {
                                        Sinks.EmitResult r = reply.tryEmitValue(REPLY);
                                        if (r != Sinks.EmitResult.OK) {
                                            throw new IllegalStateException(
                                                    "tryEmitValue failed: " + r);
                                        }
                                    },
                                    Sinks.One::tryEmitError);
                    client =
                            n -> {
                                long sum = 0;
                                for (int i = 0; i < n; i++) {
                                    Sinks.One<Integer> reply = Sinks.one();
                                    tx.blockingSend(reply);
                                    sum += reply.asMono().block();
                                }
                                return sum;
                            };
                    break;
                }
            case "RxSingleSubject":
                {
                    Mpsc.Sender<SingleSubject<Integer>> tx =
                            serve(reply -> reply.onSuccess(REPLY), SingleSubject::onError);
                    client =
                            n -> {
                                long sum = 0;
                                for (int i = 0; i < n; i++) {
                                    SingleSubject<Integer> reply = SingleSubject.create();
                                    tx.blockingSend(reply);
                                    sum += reply.blockingGet();
                                }
                                return sum;
                            };
                    break;
                }
            default:
                throw new IllegalArgumentException("unknown impl: " + impl);
        }
    }

    /**
     * Starts the server loop on the pool thread: receive a request, answer it, until the channel is
     * closed and drained. If answering fails, the server fails that reply with the exception and
     * closes the channel, so the client fails (its wait or its next send) instead of waiting
     * forever.
     */
    private <R> Mpsc.Sender<R> serve(Consumer<R> answer, BiConsumer<R, Throwable> fail) {
        Mpsc.Channel<R> ch = Mpsc.channel(REQUEST_CAPACITY);
        Mpsc.Receiver<R> rx = ch.receiver();
        server =
                pool.submit(
                        () -> {
                            try (rx) {
                                for (R r; (r = rx.blockingRecv()) != null; ) {
                                    try {
                                        answer.accept(r);
                                    } catch (RuntimeException e) {
                                        fail.accept(r, e);
                                        throw e;
                                    }
                                }
                            }
                            return null;
                        });
        requests = ch.sender();
        return ch.sender();
    }

    /**
     * Closes the request channel and waits (at most 30 s) for the server to finish.
     *
     * @throws Exception if the server failed or did not finish in time
     */
    @TearDown(Level.Trial)
    public void stopServer() throws Exception {
        try {
            requests.close();
            server.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Makes {@value #ROUND_TRIPS} request/reply round trips.
     *
     * @return the sum of the replies, so nothing is optimized away
     * @throws InterruptedException if interrupted while waiting
     */
    @Benchmark
    public long requestReply() throws InterruptedException {
        return client.roundTrips(ROUND_TRIPS);
    }
}
