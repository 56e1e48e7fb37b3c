package dev.tributary.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model checking of {@link Mpsc} with Lincheck, bounded (capacity 2) and unbounded, cancellation
 * and closing included. The sequential specification is the channel itself run sequentially (each
 * operation completes or is cancelled within itself, so sequential runs are deterministic).
 *
 * <p>Producers: {@code trySend}; {@code sendThenCancel} (a send that, if it has to wait, is
 * cancelled at once: 1 if it was sent, because the grant won, 0 if withdrawn); {@code
 * reserveThenCancel} (likewise for a reservation, sending through the permit when granted); {@code
 * closeChannel} (with a cause) and {@code closeReceiver}. The consumer ({@code nonParallelGroup =
 * "consumer"}): {@code recv} (cancelled at once if it has to wait, then a {@code tryRecv}; the
 * value if it won), {@code recvMany} (limit 2, timed out at once if it has to wait, when the buffer
 * must be untouched, then up to two {@code tryRecv}) and {@code tryRecv}.
 *
 * <p>{@code recvMany} is checked on the unbounded channel only. As in tokio, a receive returns the
 * slots of what it took just after taking it; a single receive linearizes at that return (nothing
 * else can observe the message gone before), but a batch is chosen when it is taken, and a sender
 * that finds the channel full in between (the slots not back yet) would need the batch to have been
 * taken later, when the sender's own message was ready too: no single point fits both. Its
 * cancellation contract is also covered by {@code MpscRaceTest}. Results: a value, 0 for "nothing
 * now" (full, empty, withdrawn), -1 for closed (or the end of the stream), -2 for the end after a
 * close with a cause. After each scenario every slot must be free again except those holding queued
 * messages, and no receive may be left registered.
 */
@Timeout(300)
class MpscLincheckTest {

    private static final RuntimeException CAUSE = new RuntimeException("closed with a cause");

    private static int endCode(Throwable t) {
        Throwable c = t instanceof CompletionException ? t.getCause() : t;
        if (c instanceof ClosedException) {
            return c.getCause() == CAUSE ? -2 : -1;
        }
        throw new AssertionError("unexpected failure", t);
    }

    /**
     * A receive that, if it has to wait, is cancelled and followed by a {@code tryRecv}: a receive
     * may wait while the head slot is claimed but unwritten even if a later message is complete (as
     * in tokio, only {@code tryRecv} waits that out), so "cancelled" alone is not a linearizable
     * "empty"; the {@code tryRecv} also shows that the cancelled receive consumed nothing.
     */
    private static int recvOnce(CompletableFuture<Integer> f, Supplier<Integer> tryRecv) {
        if (!f.isDone() && f.cancel(false)) {
            try {
                Integer v = tryRecv.get();
                return v == null ? 0 : v;
            } catch (ClosedException e) {
                return endCode(e);
            }
        }
        try {
            Integer v = f.join();
            return v == null ? -1 : v;
        } catch (CompletionException e) {
            return endCode(e);
        }
    }

    /** As {@link #recvOnce}, for a batch of up to 2, withdrawn by a timeout. */
    private static String recvManyOnce(
            CompletableFuture<Integer> f, List<Integer> buf, Supplier<Integer> tryRecv) {
        if (!f.isDone() && f.completeExceptionally(new TimeoutException())) {
            if (!buf.isEmpty()) {
                throw new AssertionError("a withdrawn recvMany appended " + buf);
            }
            try {
                for (Integer v; buf.size() < 2 && (v = tryRecv.get()) != null; ) {
                    buf.add(v);
                }
            } catch (ClosedException e) {
                if (buf.isEmpty()) {
                    return String.valueOf(endCode(e));
                }
            }
            return buf.isEmpty() ? "0" : buf.toString();
        }
        try {
            int n = f.join();
            if (n != buf.size()) {
                throw new AssertionError(n + " reported but " + buf + " appended");
            }
            return n == 0 ? "-1" : buf.toString();
        } catch (CompletionException e) {
            return String.valueOf(endCode(e));
        }
    }

    /** Bounded channel of capacity 2. */
    @Param(name = "v", gen = IntGen.class, conf = "1:3")
    public static class Bounded {
        private final Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        private final Mpsc.Sender<Integer> tx = ch.sender();
        private final Mpsc.Sender<Integer> closer = tx.clone();
        private final Mpsc.Receiver<Integer> rx = ch.receiver();

        /** Non-waiting send. */
        @Operation
        public int trySend(@Param(name = "v") int v) {
            try {
                return tx.trySend(v) ? 1 : 0;
            } catch (ClosedException e) {
                return -1;
            }
        }

        /** A send cancelled at once if it has to wait. */
        @Operation
        public int sendThenCancel(@Param(name = "v") int v) {
            CompletableFuture<Void> f = tx.send(v);
            if (!f.isDone() && f.cancel(false)) {
                return 0;
            }
            try {
                f.join();
                return 1;
            } catch (CompletionException e) {
                return endCode(e);
            }
        }

        /** A reservation cancelled at once if it has to wait; a granted permit sends. */
        @Operation
        public int reserveThenCancel(@Param(name = "v") int v) {
            CompletableFuture<Mpsc.Permit<Integer>> f = tx.reserve();
            if (!f.isDone() && f.cancel(false)) {
                return 0;
            }
            try {
                f.join().send(v);
                return 1;
            } catch (CompletionException e) {
                return endCode(e);
            }
        }

        /** Closes the channel with a cause (through its own handle). */
        @Operation
        public boolean closeChannel() {
            try {
                return closer.closeChannel(CAUSE);
            } catch (IllegalStateException handleAlreadyClosed) {
                return false;
            }
        }

        /** The receiver closes the channel. */
        @Operation
        public void closeReceiver() {
            rx.close();
        }

        @Operation(nonParallelGroup = "consumer")
        public int recv() {
            return recvOnce(rx.recv(), rx::tryRecv);
        }

        @Operation(nonParallelGroup = "consumer")
        public int tryRecv() {
            try {
                Integer v = rx.tryRecv();
                return v == null ? 0 : v;
            } catch (ClosedException e) {
                return endCode(e);
            }
        }

        /** Slots conserved: free = capacity - queued; no receive left registered. */
        @Validate
        public void conserved() {
            if (rx.capacity() != rx.maxCapacity() - rx.len()) {
                throw new IllegalStateException("slots leaked: " + rx);
            }
            Integer v;
            try {
                v = rx.tryRecv(); // throws IllegalStateException if a receive is still registered
            } catch (ClosedException drained) {
                v = null;
            }
            if (v != null && rx.capacity() != rx.maxCapacity() - rx.len()) {
                throw new IllegalStateException("slot not returned: " + rx);
            }
        }
    }

    /** Unbounded channel. */
    @Param(name = "v", gen = IntGen.class, conf = "1:3")
    public static class Unbounded {
        private final Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        private final Mpsc.UnboundedSender<Integer> tx = ch.sender();
        private final Mpsc.UnboundedSender<Integer> closer = tx.clone();
        private final Mpsc.UnboundedReceiver<Integer> rx = ch.receiver();

        @Operation
        public int send(@Param(name = "v") int v) {
            try {
                tx.send(v);
                return 1;
            } catch (ClosedException e) {
                return -1;
            }
        }

        @Operation
        public boolean closeChannel() {
            try {
                return closer.closeChannel(CAUSE);
            } catch (IllegalStateException handleAlreadyClosed) {
                return false;
            }
        }

        @Operation
        public void closeReceiver() {
            rx.close();
        }

        @Operation(nonParallelGroup = "consumer")
        public int recv() {
            return recvOnce(rx.recv(), rx::tryRecv);
        }

        @Operation(nonParallelGroup = "consumer")
        public String recvMany() {
            List<Integer> buf = new ArrayList<>();
            return recvManyOnce(rx.recvMany(buf, 2), buf, rx::tryRecv);
        }

        @Operation(nonParallelGroup = "consumer")
        public int tryRecv() {
            try {
                Integer v = rx.tryRecv();
                return v == null ? 0 : v;
            } catch (ClosedException e) {
                return endCode(e);
            }
        }

        /** No receive left registered. */
        @Validate
        public void noReceiveLeft() {
            try {
                rx.tryRecv();
            } catch (ClosedException drained) {
                // fine
            }
        }
    }

    @Test
    void bounded() {
        ModelChecks.options(2, 100)
                .actorsBefore(1)
                .actorsAfter(1)
                // The claim/cancel windows, aimed at directly: a receive cancelled while a send
                // claims it, and a waiting send cancelled while a receive's returned slot grants
                // it.
                .addCustomScenario(
                        scenario(
                                Bounded.class,
                                "conserved",
                                List.of(),
                                List.of(List.of(op("recv")), List.of(op("sendThenCancel", 1))),
                                List.of(op("tryRecv"))))
                .addCustomScenario(
                        scenario(
                                Bounded.class,
                                "conserved",
                                List.of(op("trySend", 1), op("trySend", 2)),
                                List.of(List.of(op("sendThenCancel", 3)), List.of(op("recv"))),
                                List.of(op("tryRecv"), op("tryRecv"))))
                .check(Bounded.class);
    }

    @Test
    void unbounded() {
        ModelChecks.options(2, 80)
                .actorsBefore(1)
                .actorsAfter(1)
                .addCustomScenario(
                        scenario(
                                Unbounded.class,
                                "noReceiveLeft",
                                List.of(),
                                List.of(
                                        List.of(op("recvMany")),
                                        List.of(op("send", 1), op("send", 2))),
                                List.of(op("tryRecv"), op("tryRecv"))))
                .check(Unbounded.class);
    }

    /** An operation by name, with its int arguments. */
    private record Op(String name, Integer... args) {}

    private static Op op(String name, Integer... args) {
        return new Op(name, args);
    }

    private static ExecutionScenario scenario(
            Class<?> type, String validate, List<Op> init, List<List<Op>> parallel, List<Op> post) {
        List<List<Actor>> threads = new ArrayList<>();
        for (List<Op> t : parallel) {
            threads.add(actors(type, t));
        }
        return new ExecutionScenario(
                actors(type, init), threads, actors(type, post), actor(type, op(validate)));
    }

    private static List<Actor> actors(Class<?> type, List<Op> ops) {
        List<Actor> actors = new ArrayList<>();
        for (Op o : ops) {
            actors.add(actor(type, o));
        }
        return actors;
    }

    private static Actor actor(Class<?> type, Op o) {
        return ModelChecks.actor(type, o.name(), (Object[]) o.args());
    }
}
