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
 * cancelled at once: {@code SENT} if the grant won, {@code WITHDRAWN} if the cancel did); {@code
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
 * cancellation contract is also covered by {@code MpscRaceTest}. Results are typed: sends return a
 * {@link SendResult} ({@code SENT}, {@code FULL}, {@code WITHDRAWN}, or closed with or without the
 * cause); receives a {@link Received} value, {@code recvMany} the {@link ReceivedMany} batch, or a
 * {@link NotReceived} ({@code EMPTY}: nothing now; {@code END}, {@code END_WITH_CAUSE}: the end of
 * the stream); {@code closeChannel} a {@link CloseResult}. After each scenario every slot must be
 * free again except those holding queued messages, and no receive may be left registered.
 *
 * <p>Checked to fail: a sequential specification whose {@code sendThenCancel} reports {@code SENT}
 * for a withdrawn send is caught by the second bounded custom scenario, one whose {@code trySend}
 * reports {@code SENT} for a full channel by the third, and one whose {@code recvMany} reverses a
 * batch by the unbounded one, each within seconds. The fourth races two {@code closeChannel} calls
 * through one handle (linearizable since the handle is claimed before the channel closes).
 */
@Timeout(300)
class MpscLincheckTest {

    private static final RuntimeException CAUSE = new RuntimeException("closed with a cause");

    /**
     * The outcome of a send: {@code trySend}, {@code sendThenCancel}, {@code reserveThenCancel}.
     */
    public enum SendResult {
        /** The message is in the channel. */
        SENT,
        /** {@code trySend} found no free slot; nothing was sent. */
        FULL,
        /** The send (or reservation) had to wait and was withdrawn by its cancel. */
        WITHDRAWN,
        /** {@link ClosedException} without a cause: the receiver closed the channel. */
        CLOSED,
        /** {@link ClosedException} with the test's cause: {@code closeChannel} closed it. */
        CLOSED_WITH_CAUSE
    }

    /** The outcome of {@code recv} and {@code tryRecv}. */
    public sealed interface RecvResult permits Received, NotReceived {}

    /** The outcome of {@code recvMany}. */
    public sealed interface RecvManyResult permits ReceivedMany, NotReceived {}

    /**
     * A received message.
     *
     * @param value the message
     */
    public record Received(int value) implements RecvResult {}

    /**
     * The batch a {@code recvMany} received (with the {@code tryRecv}s after a withdrawal).
     *
     * @param values the messages, in order, never empty
     */
    public record ReceivedMany(List<Integer> values) implements RecvManyResult {
        /** Copies the values. */
        public ReceivedMany {
            values = List.copyOf(values);
        }
    }

    /** A receive that returned no message. */
    public enum NotReceived implements RecvResult, RecvManyResult {
        /** Nothing now: the receive found nothing, or was withdrawn and the retry found nothing. */
        EMPTY,
        /** The end of the stream: closed without a cause and drained. */
        END,
        /** The end of the stream after {@code closeChannel} with the test's cause. */
        END_WITH_CAUSE
    }

    /**
     * The outcome of {@code closeChannel}. Calls through one handle are linearizable: the handle is
     * claimed by a CAS before the channel closes, so of two racing calls one closes and the other
     * finds the handle closed ({@code HANDLE_CLOSED}), never the channel merely closed.
     */
    public enum CloseResult {
        /** This call closed the channel. */
        CLOSED,
        /** The channel was closed already (by the receiver); the cause was ignored. */
        ALREADY_CLOSED,
        /** The closing handle was closed already: {@link IllegalStateException}. */
        HANDLE_CLOSED
    }

    /** Whether {@code t}, a {@link ClosedException} (maybe wrapped), carries the test's cause. */
    private static boolean withCause(Throwable t) {
        Throwable c = t instanceof CompletionException ? t.getCause() : t;
        if (c instanceof ClosedException) {
            return c.getCause() == CAUSE;
        }
        throw new AssertionError("unexpected failure", t);
    }

    private static SendResult sendClosed(Throwable t) {
        return withCause(t) ? SendResult.CLOSED_WITH_CAUSE : SendResult.CLOSED;
    }

    private static NotReceived end(Throwable t) {
        return withCause(t) ? NotReceived.END_WITH_CAUSE : NotReceived.END;
    }

    private static CloseResult closeChannel(Mpsc.AbstractSender<Integer> closer) {
        try {
            return closer.closeChannel(CAUSE) ? CloseResult.CLOSED : CloseResult.ALREADY_CLOSED;
        } catch (IllegalStateException handleAlreadyClosed) {
            return CloseResult.HANDLE_CLOSED;
        }
    }

    /**
     * A receive that, if it has to wait, is cancelled and followed by a {@code tryRecv}: a receive
     * may wait while the head slot is claimed but unwritten even if a later message is complete (as
     * in tokio, only {@code tryRecv} waits that out), so "cancelled" alone is not a linearizable
     * "empty"; the {@code tryRecv} also shows that the cancelled receive consumed nothing.
     */
    private static RecvResult recvOnce(CompletableFuture<Integer> f, Supplier<Integer> tryRecv) {
        if (!f.isDone() && f.cancel(false)) {
            return tryRecvOnce(tryRecv);
        }
        try {
            Integer v = f.join();
            return v == null ? NotReceived.END : new Received(v);
        } catch (CompletionException e) {
            return end(e);
        }
    }

    private static RecvResult tryRecvOnce(Supplier<Integer> tryRecv) {
        try {
            Integer v = tryRecv.get();
            return v == null ? NotReceived.EMPTY : new Received(v);
        } catch (ClosedException e) {
            return end(e);
        }
    }

    /** As {@link #recvOnce}, for a batch of up to 2, withdrawn by a timeout. */
    private static RecvManyResult recvManyOnce(
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
                    return end(e);
                }
            }
            return buf.isEmpty() ? NotReceived.EMPTY : new ReceivedMany(buf);
        }
        try {
            int n = f.join();
            if (n != buf.size()) {
                throw new AssertionError(n + " reported but " + buf + " appended");
            }
            return n == 0 ? NotReceived.END : new ReceivedMany(buf);
        } catch (CompletionException e) {
            return end(e);
        }
    }

    /** Bounded channel of capacity 2. */
    @Param(name = "v", gen = IntGen.class, conf = "1:3")
    public static class Bounded {
        private final Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        private final Mpsc.Sender<Integer> tx = ch.sender();
        private final Mpsc.Sender<Integer> closer = tx.clone();
        private final Mpsc.Receiver<Integer> rx = ch.receiver();

        /** Non-waiting send: {@code SENT}, {@code FULL} or closed. */
        @Operation
        public SendResult trySend(@Param(name = "v") int v) {
            try {
                return tx.trySend(v) ? SendResult.SENT : SendResult.FULL;
            } catch (ClosedException e) {
                return sendClosed(e);
            }
        }

        /**
         * A send cancelled at once if it has to wait: {@code SENT}, {@code WITHDRAWN} or closed.
         */
        @Operation
        public SendResult sendThenCancel(@Param(name = "v") int v) {
            CompletableFuture<Void> f = tx.send(v);
            if (!f.isDone() && f.cancel(false)) {
                return SendResult.WITHDRAWN;
            }
            try {
                f.join();
                return SendResult.SENT;
            } catch (CompletionException e) {
                return sendClosed(e);
            }
        }

        /** A reservation cancelled at once if it has to wait; a granted permit sends. */
        @Operation
        public SendResult reserveThenCancel(@Param(name = "v") int v) {
            CompletableFuture<Mpsc.Permit<Integer>> f = tx.reserve();
            if (!f.isDone() && f.cancel(false)) {
                return SendResult.WITHDRAWN;
            }
            try {
                f.join().send(v);
                return SendResult.SENT;
            } catch (CompletionException e) {
                return sendClosed(e);
            }
        }

        /** Closes the channel with a cause (through its own handle). */
        @Operation
        public CloseResult closeChannel() {
            return MpscLincheckTest.closeChannel(closer);
        }

        /** The receiver closes the channel. */
        @Operation
        public void closeReceiver() {
            rx.close();
        }

        /** A receive, cancelled and retried by {@code tryRecv} if it has to wait. */
        @Operation(nonParallelGroup = "consumer")
        public RecvResult recv() {
            return recvOnce(rx.recv(), rx::tryRecv);
        }

        /** Non-waiting receive. */
        @Operation(nonParallelGroup = "consumer")
        public RecvResult tryRecv() {
            return tryRecvOnce(rx::tryRecv);
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

        /** Send (never waits): {@code SENT} or closed. */
        @Operation
        public SendResult send(@Param(name = "v") int v) {
            try {
                tx.send(v);
                return SendResult.SENT;
            } catch (ClosedException e) {
                return sendClosed(e);
            }
        }

        /** Closes the channel with a cause (through its own handle). */
        @Operation
        public CloseResult closeChannel() {
            return MpscLincheckTest.closeChannel(closer);
        }

        /** The receiver closes the channel. */
        @Operation
        public void closeReceiver() {
            rx.close();
        }

        /** A receive, cancelled and retried by {@code tryRecv} if it has to wait. */
        @Operation(nonParallelGroup = "consumer")
        public RecvResult recv() {
            return recvOnce(rx.recv(), rx::tryRecv);
        }

        /** A batch of up to 2, timed out and retried by {@code tryRecv} if it has to wait. */
        @Operation(nonParallelGroup = "consumer")
        public RecvManyResult recvMany() {
            List<Integer> buf = new ArrayList<>();
            return recvManyOnce(rx.recvMany(buf, 2), buf, rx::tryRecv);
        }

        /** Non-waiting receive. */
        @Operation(nonParallelGroup = "consumer")
        public RecvResult tryRecv() {
            return tryRecvOnce(rx::tryRecv);
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
                // A full channel: trySend is FULL or SENT depending on the receive it races.
                .addCustomScenario(
                        scenario(
                                Bounded.class,
                                "conserved",
                                List.of(op("trySend", 1), op("trySend", 2)),
                                List.of(List.of(op("trySend", 3)), List.of(op("recv"))),
                                List.of(op("tryRecv"), op("tryRecv"))))
                // Two closeChannel calls through one handle: one CLOSED, one HANDLE_CLOSED.
                .addCustomScenario(
                        scenario(
                                Bounded.class,
                                "conserved",
                                List.of(op("trySend", 1)),
                                List.of(List.of(op("closeChannel")), List.of(op("closeChannel"))),
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
