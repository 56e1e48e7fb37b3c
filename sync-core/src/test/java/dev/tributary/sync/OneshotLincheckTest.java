package dev.tributary.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model checking of {@link Oneshot} with Lincheck: every interleaving (up to the budget) of the
 * state-word transitions of send, both closes, closeChannel, receives that are cancelled right
 * after they start (racing the sender's claim and its trampolined completion), tryRecv and the
 * queries. The sequential specification is the channel itself run sequentially, where a receive
 * that must wait is always withdrawn by its cancel.
 *
 * <p>Results are typed: a receive returns a {@link Received} value or a {@link NotReceived} ({@code
 * CANCELLED}, {@code EMPTY} when tryRecv found nothing, or one constant per {@link ClosedException}
 * kind); send returns a {@link SendResult}, closeChannel a {@link CloseResult} and closed a {@link
 * ClosedWait}. The receive operations are one consumer and send, close and closeChannel one
 * producer ({@code nonParallelGroup}): each handle is used by one thread at a time, as tokio's move
 * semantics enforce (concurrent use of one handle is only kept safe, not linearizable: see the
 * class javadoc of {@code Oneshot.Sender}). After each scenario, {@link #validate()} checks that
 * every {@code closed()} future registered before or during the run completed if the receiver is
 * closed. Custom scenarios aim at the window between the sender's claim of a pending receive and
 * the completion of its future.
 *
 * <p>Guards the algorithm described in the implementation overview of {@code OneshotCore}. Checked
 * to fail: with {@code OneshotRecvWaiter.resolve} counting a value whose future was cancelled after
 * the claim as delivered, the first custom scenario reports {@code send(1): SENT |
 * recvThenCancel(): CANCELLED, tryRecv(): ALREADY_RECEIVED} (the cancelled receive lost the value);
 * a sequential specification whose send reports {@code SENT} instead of {@code RECEIVER_CLOSED} is
 * caught too.
 *
 * <p>Budget: 10 iterations of 200 invocations plus the custom scenarios, 20 to 40 s here (2 busy
 * cores); run a deeper profile locally with, e.g., {@code -Dlincheck.iterations=50
 * -Dlincheck.invocations=1000}.
 */
@Param(name = "v", gen = IntGen.class, conf = "1:3")
@Timeout(300)
public class OneshotLincheckTest {
    /** The outcome of {@code send}. */
    public enum SendResult {
        /** The value was stored (and handed to a pending receive, if any). */
        SENT,
        /** {@link ClosedException}: the receiver was closed, the value was not stored. */
        RECEIVER_CLOSED,
        /** {@link IllegalStateException}: the sender had already sent or was closed. */
        SENDER_USED
    }

    /** The outcome of {@code recvThenCancel} and {@code tryRecv}. */
    public sealed interface RecvResult permits Received, NotReceived {}

    /**
     * A received value.
     *
     * @param value the value
     */
    public record Received(int value) implements RecvResult {}

    /** A receive that returned no value. */
    public enum NotReceived implements RecvResult {
        /** tryRecv: nothing sent yet. */
        EMPTY,
        /** recvThenCancel: the receive was withdrawn by its cancel. */
        CANCELLED,
        /** {@link ClosedException}: the sender was closed without sending. */
        SENDER_CLOSED,
        /** {@link ClosedException}: the sender closed the channel with the test's cause. */
        SENDER_CLOSED_WITH_CAUSE,
        /** {@link ClosedException}: the receiver was closed before a value was sent. */
        RECEIVER_CLOSED,
        /** {@link ClosedException}: the value was already received. */
        ALREADY_RECEIVED
    }

    /** The outcome of {@code closeChannel}. */
    public enum CloseResult {
        /** This call closed the channel. */
        CLOSED,
        /** The channel was closed already (sent, closed, or the receiver closed). */
        ALREADY_CLOSED
    }

    /** The state of a {@code closed()} future when {@code closed} returned. */
    public enum ClosedWait {
        /** Complete at once: the receiver was closed. */
        COMPLETE,
        /** Pending, kept for {@link #validate()}. */
        PENDING
    }

    private static final RuntimeException CAUSE = new RuntimeException("cause");

    private final Oneshot.Channel<Integer> ch = Oneshot.channel();
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> closedFutures =
            new ConcurrentLinkedQueue<>();

    /** Creates the scenario state. */
    public OneshotLincheckTest() {}

    private static NotReceived closedKind(ClosedException e) {
        String m = e.getMessage();
        if (m.contains("already received")) {
            return NotReceived.ALREADY_RECEIVED;
        } else if (m.contains("receiver was closed")) {
            return NotReceived.RECEIVER_CLOSED;
        }
        return e.getCause() == CAUSE
                ? NotReceived.SENDER_CLOSED_WITH_CAUSE
                : NotReceived.SENDER_CLOSED;
    }

    /**
     * {@link Oneshot.Sender#send(Object)}.
     *
     * @param v the value
     * @return {@code SENT}, {@code RECEIVER_CLOSED} or {@code SENDER_USED}
     */
    @Operation(nonParallelGroup = "producer")
    public SendResult send(@Param(name = "v") int v) {
        try {
            ch.sender().send(v);
            return SendResult.SENT;
        } catch (ClosedException e) {
            if (closedKind(e) != NotReceived.RECEIVER_CLOSED) {
                throw new AssertionError("send failed with an unexpected kind of close", e);
            }
            return SendResult.RECEIVER_CLOSED;
        } catch (IllegalStateException e) {
            return SendResult.SENDER_USED;
        }
    }

    /** {@link Oneshot.Sender#close()}. */
    @Operation(nonParallelGroup = "producer")
    public void closeTx() {
        ch.sender().close();
    }

    /**
     * {@link Oneshot.Sender#closeChannel(Throwable)}.
     *
     * @return {@code CLOSED} if this call closed the channel, else {@code ALREADY_CLOSED}
     */
    @Operation(nonParallelGroup = "producer")
    public CloseResult closeChannel() {
        return ch.sender().closeChannel(CAUSE) ? CloseResult.CLOSED : CloseResult.ALREADY_CLOSED;
    }

    /** {@link Oneshot.Receiver#close()}. */
    @Operation
    public void closeRx() {
        ch.receiver().close();
    }

    /**
     * {@link Oneshot.Receiver#recv()} and, at once, {@code cancel} of its future.
     *
     * @return the value, {@code CANCELLED}, or the kind of close
     */
    @Operation(nonParallelGroup = "consumer")
    public RecvResult recvThenCancel() {
        CompletableFuture<Integer> f = ch.receiver().recv();
        if (f.cancel(false)) {
            return NotReceived.CANCELLED;
        }
        try {
            return new Received(f.join());
        } catch (CompletionException e) {
            if (e.getCause() instanceof ClosedException closed) {
                return closedKind(closed);
            }
            throw new AssertionError("recv failed unexpectedly", e);
        }
    }

    /**
     * {@link Oneshot.Receiver#tryRecv()}.
     *
     * @return the value, {@code EMPTY}, or the kind of close
     */
    @Operation(nonParallelGroup = "consumer")
    public RecvResult tryRecv() {
        try {
            Integer v = ch.receiver().tryRecv();
            return v == null ? NotReceived.EMPTY : new Received(v);
        } catch (ClosedException e) {
            return closedKind(e);
        }
    }

    /**
     * {@link Oneshot.Receiver#isTerminated()}.
     *
     * @return the answer
     */
    @Operation
    public boolean isTerminated() {
        return ch.receiver().isTerminated();
    }

    /**
     * {@link Oneshot.Receiver#isEmpty()}.
     *
     * @return the answer
     */
    @Operation
    public boolean isEmpty() {
        return ch.receiver().isEmpty();
    }

    /**
     * {@link Oneshot.Sender#closed()}, kept for {@link #validate()}.
     *
     * @return {@code COMPLETE} if it was complete at once, else {@code PENDING}
     */
    @Operation
    public ClosedWait closed() {
        CompletableFuture<Void> f = ch.sender().closed();
        closedFutures.add(f);
        return f.isDone() ? ClosedWait.COMPLETE : ClosedWait.PENDING;
    }

    /** Every closed() future is complete once the receiver is closed. */
    @Validate
    public void validate() {
        if (ch.sender().isClosed()) {
            for (CompletableFuture<Void> f : closedFutures) {
                if (!f.isDone()) {
                    throw new IllegalStateException("closed() missed the receiver's close: " + ch);
                }
            }
        }
    }

    @Test
    void modelCheck() {
        options()
                // The claim/cancel window: send claims the pending receive; the cancel may land
                // before its completion, and the value must then be found by tryRecv.
                .addCustomScenario(
                        scenario(
                                List.of(),
                                List.of(
                                        List.of(actor("send", 1)),
                                        List.of(actor("recvThenCancel"), actor("tryRecv"))),
                                List.of(actor("isTerminated"), actor("tryRecv"))))
                .addCustomScenario(
                        scenario(
                                List.of(actor("closed")),
                                List.of(
                                        List.of(actor("send", 2), actor("closeChannel")),
                                        List.of(actor("recvThenCancel"), actor("isEmpty")),
                                        List.of(actor("closeRx"), actor("closed"))),
                                List.of(actor("tryRecv"))))
                .check(getClass());
    }

    private static ModelCheckingOptions options() {
        return ModelChecks.options(10, 200).actorsBefore(1).actorsAfter(1);
    }

    private static ExecutionScenario scenario(
            List<Actor> init, List<List<Actor>> parallel, List<Actor> post) {
        return new ExecutionScenario(init, new ArrayList<>(parallel), post, actor("validate"));
    }

    private static Actor actor(String name, Object... args) {
        return ModelChecks.actor(OneshotLincheckTest.class, name, args);
    }
}
