package dev.tributary.sync;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Model checking of the publisher view of {@link Broadcast} ({@link BroadcastPublisher}) with
 * Lincheck: its non-consuming wake-up {@code Receiver.whenReadable()} (registered like any waiter,
 * claimed by a send's wake loop, withdrawn by the receiver's close) driving the {@code
 * DrainSubscription} loop, racing sends, requests, the cancel and the close.
 *
 * <p>Each scenario starts from a capacity-2 channel (so lag occurs within three sends) whose
 * original receiver is closed, and one subscription of {@code sender.asPublisher(policy, onLag)}
 * with a {@link Recorder} (plain fields: the drain loop serializes its signals). Operations are
 * void: {@code send()} (distinct values, stamped with a clock so that real-time order is known),
 * {@code request(n)}, {@code cancel()}, {@code closeChannel()} (with a cause) and {@code
 * closeSenders()} (every sender handle, no cause). {@link Model#invariants()} then checks:
 *
 * <ul>
 *   <li>no signal before {@code onSubscribe} or after a terminal signal; at most the demand;
 *   <li>values delivered at most once, only values that were sent, and never one before a value
 *       whose send ended before its own send began (channel order);
 *   <li>{@link LagPolicy#SKIP}: delivered plus the {@code onLag} counts never exceed the sends, and
 *       {@link Broadcast.Sender#len()} equals {@code min(2, sent - delivered - missed)}: the lag
 *       counts are exact. {@link LagPolicy#ERROR}: the {@link LaggedException} count {@code m}
 *       satisfies {@code 1 <= m <= sent - 2 - delivered} (the view read at a tail that had lapped
 *       it) and nothing after it;
 *   <li>a live subscription (neither cancelled nor terminated) with demand outstanding has nothing
 *       left to read (no lost wake-up); if the channel is closed and nothing is left, a live
 *       subscription is a failure: onComplete (no cause) or onError(cause) must have come, even
 *       without demand; a live subscription with nothing left on an open channel has exactly one
 *       wake-up linked ({@code waitingReceivers() == 1}), otherwise none;
 *   <li>after a cancel or a terminal signal the view's receiver is closed ({@code receiverCount()
 *       == 0}) and nothing is linked ({@code waitingReceivers() == 0}).
 * </ul>
 *
 * <p>Custom scenarios aim at the narrow windows: a send racing the re-arming of the wake-up by the
 * drain loop that delivered the previous value on another sender's thread; a cancel racing a send's
 * wake-up; the close racing the re-arming; lag racing a request (exact count); and a send plus the
 * close racing the request that exhausts the demand.
 *
 * <p>Real bug found (fixed in {@code BroadcastPublisher}): at exhausted demand the drain loop read
 * {@code isEmpty()} and then {@code isClosed()}; a send and the close landing between the two reads
 * made it take the "closed and drained" path, whose {@code tryRecv} then returned the new value and
 * delivered it beyond the demand (rule 1.1), followed by onComplete. A deep run ({@code
 * -Dlincheck.iterations=30 -Dlincheck.invocations=500}) found it in a random scenario as "delivered
 * beyond the demand"; the fix reads closed first (nothing is sent after the close, so
 * closed-then-empty means drained), and {@link #closeRacingExhaustedDemand()} replays that scenario
 * (it fails without the fix).
 *
 * <p>Checked to fail (each bug injected into the main code, caught, then reverted):
 *
 * <ul>
 *   <li>{@code whenReadable()} linking its waiter without re-checking the position after linking
 *       (so the emptiness check, by {@code tryRecv}, happens only before the registration): caught
 *       by {@link #armingRace()} under SKIP ("lost wake-up: demand and 1": the second send found no
 *       waiter and the view, armed just after, never woke) and by {@link #lagRace()} under ERROR.
 *   <li>the drain loop arming no wake-up when its demand is exhausted and the receiver is empty:
 *       caught by {@link #armingRace()} ("wake-ups linked: 0") and by {@link #lagRace()} ("closed
 *       and drained but no terminal signal": the close could not reach the view).
 *   <li>{@code Receiver.close()} not withdrawing the pending wake-up: caught by {@link
 *       #cancelRace()} ("a wake-up is still linked").
 * </ul>
 *
 * <p>Budget: about 30 s for the class (both policies and the regression) on two busy cores. Run
 * deeper with {@code -Dlincheck.iterations=50 -Dlincheck.invocations=2000}.
 */
@Timeout(300)
public class BroadcastPublisherLincheckTest {
    private static final RuntimeException CAUSE = new RuntimeException("closed by the test");
    private static final int MAX_VALUES = 64;

    /** SKIP: random scenarios and every aimed one. */
    @Test
    void modelCheckSkip() {
        ModelCheckingOptions o = ModelChecks.options(1, 30).actorsBefore(1).actorsAfter(1);
        o.addCustomScenario(armingRace()).addCustomScenario(cancelRace());
        o.addCustomScenario(closeRace()).addCustomScenario(lagRace());
        o.check(Skip.class);
    }

    /** ERROR: the aimed scenario where the policy matters (lag, then the end). */
    @Test
    void modelCheckError() {
        ModelCheckingOptions o = ModelChecks.options(0, 30).actorsBefore(1).actorsAfter(1);
        o.addCustomScenario(lagRace());
        o.check(Fail.class);
    }

    /**
     * Regression: a send and the close between the drain loop's emptiness and closed checks at
     * exhausted demand made it deliver that value beyond the demand, then complete (found by a deep
     * run of the random scenarios; see the class documentation).
     */
    @Test
    void closeRacingExhaustedDemand() {
        ModelCheckingOptions o = ModelChecks.options(0, 100);
        o.addCustomScenario(closeAtExhaustedDemand()).check(Skip.class);
    }

    /**
     * One value there, then a send and the close racing the request that takes the first value and
     * exhausts the demand.
     */
    private static ExecutionScenario closeAtExhaustedDemand() {
        return scenario(
                List.of(actor("send")),
                List.of(
                        List.of(actor("send"), actor("closeSenders")),
                        List.of(actor("request", 1))),
                List.of());
    }

    /**
     * A send racing the re-arming of the wake-up: the first send wakes the view, whose drain loop
     * (on that sender's thread) delivers and re-arms at the next position while the second send
     * publishes it.
     */
    private static ExecutionScenario armingRace() {
        return scenario(
                List.of(actor("request", 2)),
                List.of(List.of(actor("send")), List.of(actor("send"))),
                List.of());
    }

    /** A cancel racing a send's wake-up (and the re-arming after it). */
    private static ExecutionScenario cancelRace() {
        return scenario(
                List.of(actor("request", 2)),
                List.of(List.of(actor("send"), actor("send")), List.of(actor("cancel"))),
                List.of());
    }

    /** The close racing the re-arming after a delivery. */
    private static ExecutionScenario closeRace() {
        return scenario(
                List.of(actor("request", 1)),
                List.of(List.of(actor("send")), List.of(actor("closeChannel"))),
                List.of(actor("request", 1)));
    }

    /** Lag racing the requests: exact lag counts, then the end. */
    private static ExecutionScenario lagRace() {
        return scenario(
                List.of(actor("send"), actor("send")),
                List.of(
                        List.of(actor("send"), actor("closeSenders")),
                        List.of(actor("request", 1), actor("request", 2))),
                List.of());
    }

    private static ExecutionScenario scenario(
            List<Actor> init, List<List<Actor>> parallel, List<Actor> post) {
        return new ExecutionScenario(
                new ArrayList<>(init),
                new ArrayList<>(parallel),
                new ArrayList<>(post),
                actor("invariants"));
    }

    private static Actor actor(String name, Object... args) {
        return ModelChecks.actor(Model.class, name, args);
    }

    /** The model with {@link LagPolicy#SKIP}. */
    public static final class Skip extends Model {
        /** Creates the scenario state. */
        public Skip() {
            super(LagPolicy.SKIP);
        }
    }

    /** The model with {@link LagPolicy#ERROR}. */
    public static final class Fail extends Model {
        /** Creates the scenario state. */
        public Fail() {
            super(LagPolicy.ERROR);
        }
    }

    /** The scenario state and operations; see the class documentation. */
    public abstract static class Model {
        private final LagPolicy policy;
        private final Broadcast.Sender<Integer> tx;
        private final Broadcast.Sender<Integer> closer;
        private final Recorder rec = new Recorder();

        /** Value and start stamp of a send, then its end stamp: real-time order of the sends. */
        private final AtomicInteger clock = new AtomicInteger();

        private final int[] endStamp = new int[MAX_VALUES];
        private final boolean[] sentOk = new boolean[MAX_VALUES];
        private final AtomicLong requested = new AtomicLong();
        private volatile boolean cancelRequested;
        private volatile boolean closedWithCause;

        Model(LagPolicy policy) {
            this.policy = policy;
            Broadcast.Channel<Integer> ch = Broadcast.channel(2);
            tx = ch.sender();
            closer = tx.clone();
            ch.receiver().close(); // the view's receiver is then the only one
            tx.asPublisher(policy, rec::lag).subscribe(rec);
        }

        /** Sends the next value (failures: closed, or no receiver after the cancel). */
        @Operation
        public void send() {
            int v = clock.incrementAndGet();
            try {
                tx.send(v);
                sentOk[v] = true;
            } catch (IllegalStateException e) {
                // ClosedException (closed, or no receiver after the cancel), or the handle closed
            }
            endStamp[v] = clock.incrementAndGet();
        }

        /**
         * The subscriber requests more.
         *
         * @param n how many
         */
        @Operation
        public void request(@Param(gen = IntGen.class, conf = "1:2") int n) {
            requested.addAndGet(n);
            rec.subscription.request(n);
        }

        /** The subscriber cancels. */
        @Operation
        public void cancel() {
            cancelRequested = true;
            rec.subscription.cancel();
        }

        /** Closes the channel with {@link #CAUSE} through a second handle. */
        @Operation
        public void closeChannel() {
            try {
                if (closer.closeChannel(CAUSE)) {
                    closedWithCause = true;
                }
            } catch (IllegalStateException handleClosed) {
                // closeSenders closed it first
            }
        }

        /**
         * Closes every sender handle: the channel closes without a cause (unless closed already).
         */
        @Operation
        public void closeSenders() {
            closer.close();
            tx.close();
        }

        /** After each scenario: see the class documentation. */
        @Validate
        public void invariants() {
            check(rec.violation == null, rec.violation);
            int sent = 0;
            for (boolean ok : sentOk) {
                sent += ok ? 1 : 0;
            }
            List<Integer> got = rec.values;
            int delivered = got.size();
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < delivered; i++) {
                int v = got.get(i);
                check(sentOk[v], "delivered " + v + ", which was not sent");
                check(seen.add(v), "delivered " + v + " twice");
                for (int j = i + 1; j < delivered; j++) {
                    check(endStamp[got.get(j)] > v, "delivered " + v + " before " + got.get(j));
                }
            }
            check(delivered <= requested.get(), "delivered beyond the demand");
            boolean closed = tx.isChannelClosed();
            boolean terminated = rec.terminals > 0;
            if (cancelRequested || terminated) {
                check(tx.receiverCount() == 0, "the view's receiver is still open");
                check(tx.waitingReceivers() == 0, "a wake-up is still linked");
            }
            long missed = rec.missed;
            if (terminated) {
                Throwable e = rec.error;
                if (e instanceof LaggedException && policy == LagPolicy.ERROR) {
                    long m = ((LaggedException) e).missed();
                    check(m >= 1 && delivered + m + 2 <= sent, "lag of " + m);
                    return;
                }
                check(closed, "terminated on an open channel: " + e);
                check(
                        e == null ? !closedWithCause : e == CAUSE && closedWithCause,
                        "wrong end: " + e);
                check(delivered + missed == sent, "terminated before the last value");
                return;
            }
            if (cancelRequested) {
                return;
            }
            long left = sent - delivered - missed;
            check(left >= 0, "more delivered and missed than sent");
            check(left == 0 || delivered == requested.get(), "lost wake-up: demand and " + left);
            check(!closed || left > 0, "closed and drained but no terminal signal");
            check(tx.len() == Math.min(2, left), "len " + tx.len() + ", unread " + left);
            int armed = left == 0 && !closed ? 1 : 0;
            check(tx.waitingReceivers() == armed, "wake-ups linked: " + tx.waitingReceivers());
        }

        private void check(boolean ok, String what) {
            if (!ok) {
                throw new IllegalStateException(
                        what
                                + " ("
                                + policy
                                + ": "
                                + rec
                                + ", requested "
                                + requested
                                + ", "
                                + tx
                                + ")");
            }
        }
    }

    /** Records the signals; flags protocol violations. Confined to the drain owner. */
    static final class Recorder implements Subscriber<Integer> {
        Subscription subscription;
        final List<Integer> values = new ArrayList<>();
        long missed;
        int terminals;
        Throwable error;
        String violation;

        @Override
        public void onSubscribe(Subscription s) {
            if (subscription != null) {
                violation = "onSubscribe twice";
            }
            subscription = s;
        }

        @Override
        public void onNext(Integer v) {
            if (subscription == null || terminals > 0) {
                violation = "onNext(" + v + ") before onSubscribe or after a terminal signal";
            }
            values.add(v);
        }

        @Override
        public void onError(Throwable t) {
            terminal("onError(" + t + ")");
            error = t;
        }

        @Override
        public void onComplete() {
            terminal("onComplete");
        }

        private void terminal(String what) {
            if (subscription == null || terminals > 0) {
                violation = what + " before onSubscribe or after a terminal signal";
            }
            terminals++;
        }

        void lag(long n) {
            if (terminals > 0) {
                violation = "onLag after a terminal signal";
            }
            missed += n;
        }

        @Override
        public String toString() {
            return "delivered "
                    + values
                    + ", missed "
                    + missed
                    + ", terminals "
                    + terminals
                    + ", error "
                    + error;
        }
    }
}
