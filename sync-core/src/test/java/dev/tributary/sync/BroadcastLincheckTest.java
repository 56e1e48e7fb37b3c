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
 * <p>Operations: {@code send(v)} (result: the receiver count, or -1 when it fails); the first
 * receiver's {@code tryRecv1}, {@code recvThenCancel1} (a recv cancelled at once: its result is the
 * value if the delivery won, "cancelled" if the cancel did, and then nothing may be consumed) and
 * {@code len1}, all in one non-parallel group (a receiver is a single consumer); a second receiver
 * that is subscribed, read and closed by the group {@code consumer2}, so that send's receiver count
 * must linearize with subscribe and close; {@code closeChannel} with a cause; {@code
 * receiverCount}. After each scenario no receive may still be queued.
 *
 * <p>It can fail: an injected bug (send returning the receiver count read after its write instead
 * of the one in the word its CAS replaced) is caught by the second custom scenario within seconds;
 * and during development it found two real ones: a receiver could still read a slot after another
 * thread had observed the claim that overwrites it, and a recv that waited for a claimed but
 * unwritten position could be cancelled although {@code len1} already counted that value. Budget:
 * about 35 s here (2 cores shared); deeper runs with {@code -Dlincheck.iterations=50
 * -Dlincheck.invocations=2000}.
 */
@Timeout(300)
public class BroadcastLincheckTest {
    private static final RuntimeException CAUSE = new RuntimeException("closed by the test");

    private final Broadcast.Channel<Integer> ch = Broadcast.channel(2);
    private final Broadcast.Sender<Integer> tx = ch.sender();
    private final Broadcast.Receiver<Integer> rx1 = ch.receiver();
    private Broadcast.Receiver<Integer> rx2; // confined to the group consumer2

    /** Creates the scenario state. */
    public BroadcastLincheckTest() {}

    private static String describe(Broadcast.Receiver<Integer> rx) {
        try {
            Integer v = rx.tryRecv();
            return v == null ? "empty" : "v" + v;
        } catch (LaggedException e) {
            return "lag" + e.missed();
        } catch (ClosedException e) {
            return e.getCause() == CAUSE ? "closed-with-cause" : "closed";
        }
    }

    /**
     * Sends {@code v}.
     *
     * @param v the value
     * @return the receiver count, or -1 if the send failed
     */
    @Operation
    public int send(@Param(gen = IntGen.class, conf = "1:3") int v) {
        try {
            return tx.send(v);
        } catch (ClosedException e) {
            return -1;
        }
    }

    /**
     * tryRecv on the first receiver.
     *
     * @return the outcome
     */
    @Operation(nonParallelGroup = "consumer")
    public String tryRecv1() {
        return describe(rx1);
    }

    /**
     * recv on the first receiver, cancelled at once.
     *
     * @return "cancelled", or the outcome the recv delivered before the cancel
     */
    @Operation(nonParallelGroup = "consumer")
    public String recvThenCancel1() {
        CompletableFuture<Integer> f = rx1.recv();
        if (f.cancel(false)) {
            return "cancelled";
        }
        try {
            Integer v = f.join();
            return v == null ? "end" : "v" + v;
        } catch (CompletionException e) {
            if (e.getCause() instanceof LaggedException) {
                return "lag" + ((LaggedException) e.getCause()).missed();
            }
            return e.getCause() instanceof ClosedException ? "closed-with-cause" : e.toString();
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
     * @return true if this call subscribed it
     */
    @Operation(nonParallelGroup = "consumer2")
    public boolean subscribe2() {
        if (rx2 != null) {
            return false;
        }
        rx2 = tx.subscribe();
        return true;
    }

    /**
     * tryRecv on the second receiver.
     *
     * @return the outcome, or "none" when it is not subscribed
     */
    @Operation(nonParallelGroup = "consumer2")
    public String tryRecv2() {
        return rx2 == null ? "none" : describe(rx2);
    }

    /**
     * Closes the second receiver, if subscribed.
     *
     * @return true if this call closed it
     */
    @Operation(nonParallelGroup = "consumer2")
    public boolean close2() {
        if (rx2 == null) {
            return false;
        }
        rx2.close();
        rx2 = null;
        return true;
    }

    /**
     * Closes the channel with a cause, through a fresh clone of the sender (closed with it).
     *
     * @return whether this call closed the channel
     */
    @Operation
    public boolean closeChannel() {
        return tx.clone().closeChannel(CAUSE);
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
