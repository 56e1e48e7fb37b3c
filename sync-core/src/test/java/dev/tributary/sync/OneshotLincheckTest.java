package dev.tributary.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * <p>Results are codes: a received value (1..3), {@link #CANCELLED}, {@link #EMPTY} (tryRecv found
 * nothing) or one code per {@link ClosedException} kind; send returns {@link #OK}, {@link
 * #CLOSED_RX} or {@link #USED}. The receive operations are one consumer and send, close and
 * closeChannel one producer ({@code nonParallelGroup}): each handle is used by one thread at a
 * time, as tokio's move semantics enforce (concurrent use of one handle is only kept safe, not
 * linearizable: see the class javadoc of {@code Oneshot.Sender}). After each scenario, {@link
 * #validate()} checks that every {@code closed()} future registered before or during the run
 * completed if the receiver is closed. Custom scenarios aim at the window between the sender's
 * claim of a pending receive and the completion of its future.
 *
 * <p>Guards the algorithm described in the implementation overview of {@code OneshotCore}. Checked
 * to fail: with {@code OneshotRecvWaiter.resolve} counting a value whose future was cancelled after
 * the claim as delivered, the first custom scenario reports {@code send(1): 0 | recvThenCancel():
 * -1, tryRecv(): -5} (the cancelled receive lost the value).
 *
 * <p>Budget: 10 iterations of 200 invocations plus the custom scenarios, 20 to 40 s here (2 busy
 * cores); run a deeper profile locally with, e.g., {@code -Dlincheck.iterations=50
 * -Dlincheck.invocations=1000}.
 */
@Param(name = "v", gen = IntGen.class, conf = "1:3")
@Timeout(300)
public class OneshotLincheckTest {
    static final int OK = 0;
    static final int EMPTY = 0;
    static final int CANCELLED = -1;
    static final int CLOSED_TX = -2;
    static final int CLOSED_TX_CAUSE = -3;
    static final int CLOSED_RX = -4;
    static final int TAKEN = -5;
    static final int USED = -6;

    private static final RuntimeException CAUSE = new RuntimeException("cause");

    private final Oneshot.Channel<Integer> ch = Oneshot.channel();
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> closedFutures =
            new ConcurrentLinkedQueue<>();

    /** Creates the scenario state. */
    public OneshotLincheckTest() {}

    private static int code(ClosedException e) {
        String m = e.getMessage();
        if (m.contains("already received")) {
            return TAKEN;
        } else if (m.contains("receiver was closed")) {
            return CLOSED_RX;
        }
        return e.getCause() == CAUSE ? CLOSED_TX_CAUSE : CLOSED_TX;
    }

    /**
     * {@link Oneshot.Sender#send(Object)}.
     *
     * @param v the value
     * @return OK, CLOSED_RX or USED
     */
    @Operation(nonParallelGroup = "producer")
    public int send(@Param(name = "v") int v) {
        try {
            ch.sender().send(v);
            return OK;
        } catch (ClosedException e) {
            return code(e);
        } catch (IllegalStateException e) {
            return USED;
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
     * @return whether this call closed the channel
     */
    @Operation(nonParallelGroup = "producer")
    public boolean closeChannel() {
        return ch.sender().closeChannel(CAUSE);
    }

    /** {@link Oneshot.Receiver#close()}. */
    @Operation
    public void closeRx() {
        ch.receiver().close();
    }

    /**
     * {@link Oneshot.Receiver#recv()} and, at once, {@code cancel} of its future.
     *
     * @return the value, CANCELLED, or a closed code
     */
    @Operation(nonParallelGroup = "consumer")
    public int recvThenCancel() {
        CompletableFuture<Integer> f = ch.receiver().recv();
        if (f.cancel(false)) {
            return CANCELLED;
        }
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            return code((ClosedException) e.getCause());
        }
    }

    /**
     * {@link Oneshot.Receiver#tryRecv()}.
     *
     * @return the value, EMPTY, or a closed code
     */
    @Operation(nonParallelGroup = "consumer")
    public int tryRecv() {
        try {
            Integer v = ch.receiver().tryRecv();
            return v == null ? EMPTY : v;
        } catch (ClosedException e) {
            return code(e);
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
     * @return whether it was complete at once
     */
    @Operation
    public boolean closed() {
        CompletableFuture<Void> f = ch.sender().closed();
        closedFutures.add(f);
        return f.isDone();
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
