package dev.tributary.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
 * Model checking of {@link Broadcast} with Lincheck: capacity 2, so that lag occurs within a few
 * operations. The sequential specification is this class run sequentially (the channel's own
 * sequential behaviour is pinned by {@code BroadcastTest}); the model checker then explores
 * interleavings of the lock-free paths: the CAS on the tail word (send, subscribe, receiver close),
 * the per-slot seqlock (a receive racing the overwrite of its slot), waiting receives and their
 * wake-up by a send (Dekker on {@code waiting}), cancellation of a recv racing its delivery, and
 * closing with a cause.
 *
 * <p>Operations: {@code send(v)} (result: {@link Sent} with the receiver count, or {@link
 * SendFailed#CLOSED}); the first receiver's {@code tryRecv1}, {@code recvThenCancel1} (a recv
 * cancelled at once: its result is the value if the delivery won, {@code CANCELLED} if the cancel
 * did, and then nothing may be consumed) and {@code len1}, all in one non-parallel group (a
 * receiver is a single consumer); a second receiver that is subscribed, read and closed by the
 * group {@code consumer2}, so that send's receiver count must linearize with subscribe and close;
 * {@code closeChannel} with a cause; {@code receiverCount}. A receive returns a {@link RecvResult}:
 * {@link Received}, {@link Lagged} or a {@link NotReceived} constant. After each scenario no
 * receive may still be queued.
 *
 * <p>It can fail: an injected bug (send returning the receiver count read after its write instead
 * of the one in the word its CAS replaced) is caught by the second custom scenario within seconds;
 * and during development it found two real ones: a receiver could still read a slot after another
 * thread had observed the claim that overwrites it, and a recv that waited for a claimed but
 * unwritten position could be cancelled although {@code len1} already counted that value. A
 * sequential specification whose {@code tryRecv1} reports {@code EMPTY} instead of a {@link Lagged}
 * is caught by the second custom scenario too. Budget: about 35 to 50 s here (2 cores shared);
 * deeper runs with {@code -Dlincheck.iterations=50 -Dlincheck.invocations=2000}.
 */
@Timeout(300)
public class BroadcastLincheckTest {
    private static final RuntimeException CAUSE = new RuntimeException("closed by the test");

    /** The outcome of {@code send}. */
    public sealed interface SendResult permits Sent, SendFailed {}

    /**
     * The value is in the channel.
     *
     * @param receivers the number of receivers that will see it
     */
    public record Sent(int receivers) implements SendResult {}

    /** The send failed. */
    public enum SendFailed implements SendResult {
        /** {@link ClosedException}: the channel was closed (the first receiver never closes). */
        CLOSED
    }

    /** The outcome of a receive. */
    public sealed interface RecvResult permits Received, Lagged, NotReceived {}

    /**
     * A received value.
     *
     * @param value the value
     */
    public record Received(int value) implements RecvResult {}

    /**
     * {@link LaggedException}: values were overwritten before the receiver read them.
     *
     * @param missed how many
     */
    public record Lagged(long missed) implements RecvResult {}

    /** A receive that returned neither a value nor a lag. */
    public enum NotReceived implements RecvResult {
        /** tryRecv: nothing unread. */
        EMPTY,
        /** recvThenCancel: the cancel withdrew the receive. */
        CANCELLED,
        /** The end of the stream (closed without a cause). */
        END,
        /** {@link ClosedException} with the test's cause: closed by {@code closeChannel}. */
        CLOSED_WITH_CAUSE,
        /** tryRecv2: the second receiver is not subscribed. */
        NOT_SUBSCRIBED
    }

    /** The outcome of {@code subscribe2}. */
    public enum SubscribeResult {
        /** This call subscribed the second receiver. */
        SUBSCRIBED,
        /** It was subscribed already; nothing changed. */
        ALREADY_SUBSCRIBED
    }

    /** The outcome of {@code close2}. */
    public enum ReceiverCloseResult {
        /** This call closed the second receiver. */
        CLOSED,
        /** It was not subscribed; nothing changed. */
        NOT_SUBSCRIBED
    }

    /** The outcome of {@code closeChannel}. */
    public enum CloseResult {
        /** This call closed the channel. */
        CLOSED,
        /** The channel was closed already; the cause was ignored. */
        ALREADY_CLOSED
    }

    private final Broadcast.Channel<Integer> ch = Broadcast.channel(2);
    private final Broadcast.Sender<Integer> tx = ch.sender();
    private final Broadcast.Receiver<Integer> rx1 = ch.receiver();
    private Broadcast.Receiver<Integer> rx2; // confined to the group consumer2

    /** Creates the scenario state. */
    public BroadcastLincheckTest() {}

    private static RecvResult describe(Broadcast.Receiver<Integer> rx) {
        try {
            Integer v = rx.tryRecv();
            return v == null ? NotReceived.EMPTY : new Received(v);
        } catch (LaggedException e) {
            return new Lagged(e.missed());
        } catch (ClosedException e) {
            return closed(e);
        }
    }

    private static NotReceived closed(ClosedException e) {
        return e.getCause() == CAUSE ? NotReceived.CLOSED_WITH_CAUSE : NotReceived.END;
    }

    /**
     * Sends {@code v}.
     *
     * @param v the value
     * @return the receiver count, or {@code CLOSED}
     */
    @Operation
    public SendResult send(@Param(gen = IntGen.class, conf = "1:3") int v) {
        try {
            return new Sent(tx.send(v));
        } catch (ClosedException e) {
            return SendFailed.CLOSED;
        }
    }

    /**
     * tryRecv on the first receiver.
     *
     * @return the outcome
     */
    @Operation(nonParallelGroup = "consumer")
    public RecvResult tryRecv1() {
        return describe(rx1);
    }

    /**
     * recv on the first receiver, cancelled at once.
     *
     * @return {@code CANCELLED}, or the outcome the recv delivered before the cancel
     */
    @Operation(nonParallelGroup = "consumer")
    public RecvResult recvThenCancel1() {
        CompletableFuture<Integer> f = rx1.recv();
        if (f.cancel(false)) {
            return NotReceived.CANCELLED;
        }
        try {
            Integer v = f.join();
            return v == null ? NotReceived.END : new Received(v);
        } catch (CompletionException e) {
            if (e.getCause() instanceof LaggedException lagged) {
                return new Lagged(lagged.missed());
            }
            if (e.getCause() instanceof ClosedException closed) {
                return closed(closed);
            }
            throw new AssertionError("recv failed unexpectedly", e);
        }
    }

    /**
     * len of the first receiver.
     *
     * @return its unread count
     */
    @Operation(nonParallelGroup = "consumer")
    public int len1() {
        return rx1.len();
    }

    /**
     * Subscribes the second receiver, if it is not subscribed.
     *
     * @return {@code SUBSCRIBED} if this call subscribed it, else {@code ALREADY_SUBSCRIBED}
     */
    @Operation(nonParallelGroup = "consumer2")
    public SubscribeResult subscribe2() {
        if (rx2 != null) {
            return SubscribeResult.ALREADY_SUBSCRIBED;
        }
        rx2 = tx.subscribe();
        return SubscribeResult.SUBSCRIBED;
    }

    /**
     * tryRecv on the second receiver.
     *
     * @return the outcome, or {@code NOT_SUBSCRIBED}
     */
    @Operation(nonParallelGroup = "consumer2")
    public RecvResult tryRecv2() {
        return rx2 == null ? NotReceived.NOT_SUBSCRIBED : describe(rx2);
    }

    /**
     * Closes the second receiver, if subscribed.
     *
     * @return {@code CLOSED} if this call closed it, else {@code NOT_SUBSCRIBED}
     */
    @Operation(nonParallelGroup = "consumer2")
    public ReceiverCloseResult close2() {
        if (rx2 == null) {
            return ReceiverCloseResult.NOT_SUBSCRIBED;
        }
        rx2.close();
        rx2 = null;
        return ReceiverCloseResult.CLOSED;
    }

    /**
     * Closes the channel with a cause, through a fresh clone of the sender (closed with it).
     *
     * @return {@code CLOSED} if this call closed the channel, else {@code ALREADY_CLOSED}
     */
    @Operation
    public CloseResult closeChannel() {
        return tx.clone().closeChannel(CAUSE) ? CloseResult.CLOSED : CloseResult.ALREADY_CLOSED;
    }

    /**
     * The receiver count.
     *
     * @return the count
     */
    @Operation
    public int receiverCount() {
        return tx.receiverCount();
    }

    /** After each scenario: no receive is still queued. */
    @Validate
    public void noWaiterStranded() {
        if (tx.waitingReceivers() != 0) {
            throw new IllegalStateException("a receive is still queued: " + tx);
        }
    }

    @Test
    void modelCheck() {
        options()
                // the cancel of a recv racing its delivery by a send
                .addCustomScenario(
                        scenario(
                                List.of(),
                                List.of(
                                        List.of(actor("send", 1)),
                                        List.of(actor("recvThenCancel1"), actor("tryRecv1"))),
                                List.of(actor("tryRecv1"))))
                // a read racing the overwrite of its slot (lag), and the count vs subscribe
                .addCustomScenario(
                        scenario(
                                List.of(actor("send", 1), actor("send", 2)),
                                List.of(
                                        List.of(actor("send", 3), actor("send", 1)),
                                        List.of(actor("tryRecv1"), actor("tryRecv1")),
                                        List.of(actor("subscribe2"), actor("tryRecv2"))),
                                List.of(actor("tryRecv1"), actor("tryRecv2"))))
                .check(getClass());
    }

    private static ModelCheckingOptions options() {
        return ModelChecks.options(5, 120).actorsBefore(1).actorsAfter(1);
    }

    private static ExecutionScenario scenario(
            List<Actor> init, List<List<Actor>> parallel, List<Actor> post) {
        return new ExecutionScenario(
                new ArrayList<>(init),
                new ArrayList<>(parallel),
                new ArrayList<>(post),
                actor("noWaiterStranded"));
    }

    private static Actor actor(String name, Object... args) {
        return ModelChecks.actor(BroadcastLincheckTest.class, name, args);
    }
}
