package dev.tributary.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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
 * Model checking of the Publisher view of a Oneshot receiver ({@link OneshotPublisher}) with
 * Lincheck: the non-consuming wake-up {@code OneshotCore.viewWake} (registered by the view's drain
 * while the channel is empty, run by {@code send}, the sender's close and the receiver's close
 * after their state change) racing sends, closes, requests and the cancel.
 *
 * <p>{@link Subscribed}: each scenario starts with the view subscribed by a recording subscriber
 * that requests nothing by itself (plain fields: the view serializes its signals). {@link
 * SubscribeRace}: the subscription itself races the sender and the receiver's close, which is the
 * only time the registration of the wake-up can race the state change it waits for (the state
 * leaves IDLE once, and the subscription registers before the parallel part in {@link Subscribed}).
 * Operations are void: {@code send(v)}, {@code closeTx} and {@code closeChannel} (with a cause) use
 * the sender (one thread at a time, non-parallel group {@code producer}, as the Sender javadoc
 * requires); {@code closeRx} (the receiver closed directly), {@code request(n)} and {@code cancel}
 * run anywhere. After each scenario the {@code @Validate} method checks:
 *
 * <ul>
 *   <li>no signal before {@code onSubscribe} or after a terminal signal; at most one {@code
 *       onNext}, never more than requested, and only with the value sent; {@code onError} only with
 *       the cause itself, when {@code closeChannel} closed the channel; no {@code onComplete}
 *       without the value when a value was sent;
 *   <li>while the subscription is live: the value is delivered as soon as it is sent and requested
 *       (a lost wake-up leaves it undelivered); a closed channel has signalled its end unless a
 *       value waits for demand; an empty channel has the wake-up registered;
 *   <li>once the subscription ended (a terminal signal or a cancel): the wake-up is withdrawn (rule
 *       3.13) and the value is delivered at most once: delivered, or still readable with {@code
 *       tryRecv} (the Receiver#asPublisher javadoc: a cancel loses nothing).
 * </ul>
 *
 * <p>Custom scenarios aim at the narrow windows: a cancel racing the send's wake-up (and the
 * drain's take); a receiver close racing the drain's take of a value sent before; the registration
 * of the wake-up (a subscription requesting nothing) racing the sender's close with a cause, and
 * racing the receiver's close: the terminal signal needs no demand, so a missed wake-up shows. A
 * send racing the registration cannot show one: the value is only delivered on demand, and every
 * request drains again (so does a request made inside {@code onSubscribe}, which makes the drain
 * owner go round once more), re-reading the state.
 *
 * <p>Checked to fail (each bug injected into the main code, caught, then reverted):
 *
 * <ul>
 *   <li>the view's drain registering the wake-up without reading the state again afterwards
 *       (returning at once, so a close between its read of IDLE and the registration finds no
 *       wake-up): {@link #subscribeRace()}'s {@code closeChannel} scenario reports "closed, but no
 *       terminal signal";
 *   <li>the drain checking {@code isCancelled()} after taking the value with {@code tryRecv}
 *       instead of before (dropping it): {@link #modelCheck()}'s cancel scenario reports "cancel
 *       lost the value: delivered 0, left 0, sent 1";
 *   <li>the sender's close ({@code closeTx}) skipping {@code runViewWake()}: {@link
 *       #subscribeRace()}'s {@code closeChannel} scenario reports "closed, but no terminal signal"
 *       (the two random scenarios of {@link #modelCheck()} did not cover it at the default budget).
 * </ul>
 *
 * <p>No bug was found in the view itself. Budget: two random scenarios plus four custom ones, 100
 * invocations each: about 20 s for the class on two cores under a load of 7. Run deeper with {@code
 * -Dlincheck.iterations=50 -Dlincheck.invocations=2000}.
 */
@Timeout(300)
class OneshotPublisherLincheckTest {

    static final RuntimeException CAUSE = new RuntimeException("closed with a cause");

    /** Records the signals of one subscription and flags protocol violations. */
    static final class Recorder implements Subscriber<Integer> {
        final List<Integer> items = new ArrayList<>();
        private final long initialRequest;
        Subscription s;
        String violation;
        boolean completed;
        Throwable error;

        Recorder(long initialRequest) {
            this.initialRequest = initialRequest;
        }

        boolean terminated() {
            return completed || error != null;
        }

        private void flag(String what) {
            if (violation == null) {
                violation = what;
            }
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (this.s != null) {
                flag("onSubscribe twice");
            }
            this.s = s;
            if (initialRequest > 0) {
                s.request(initialRequest);
            }
        }

        @Override
        public void onNext(Integer v) {
            if (s == null || terminated()) {
                flag("onNext(" + v + ") before onSubscribe or after a terminal signal");
            }
            items.add(v);
        }

        @Override
        public void onError(Throwable t) {
            if (s == null || terminated()) {
                flag("onError(" + t + ") before onSubscribe or after a terminal signal");
            }
            error = t;
        }

        @Override
        public void onComplete() {
            if (s == null || terminated()) {
                flag("onComplete before onSubscribe or after a terminal signal");
            }
            completed = true;
        }
    }

    /** One channel, its view's subscriber and what the operations did; the checks. */
    static final class Harness {
        final Oneshot.Channel<Integer> ch = Oneshot.channel();
        final AtomicLong requested = new AtomicLong();
        Recorder rec;
        volatile boolean cancelCalled;
        volatile boolean closeRxCalled;

        // Sender side: one thread at a time (group "producer").
        boolean sendOk;
        int sentValue;
        boolean closeTxCalled;
        boolean causeWon;

        /** Subscribes the view with a recorder that requests {@code n} in onSubscribe (if > 0). */
        void subscribe(long n) {
            requested.addAndGet(n);
            Recorder r = new Recorder(n);
            rec = r;
            ch.receiver().asPublisher().subscribe(r);
        }

        void send(int v) {
            try {
                ch.sender().send(v);
                sendOk = true;
                sentValue = v;
            } catch (ClosedException receiverClosed) {
                // not stored
            } catch (IllegalStateException used) {
                // the sender was closed before
            }
        }

        void closeTx() {
            closeTxCalled = true;
            ch.sender().close();
        }

        void closeChannel() {
            if (ch.sender().closeChannel(CAUSE)) {
                causeWon = true;
            }
        }

        void closeRx() {
            closeRxCalled = true;
            ch.receiver().close();
        }

        void request(int n) {
            requested.addAndGet(n);
            rec.s.request(n);
        }

        void cancel() {
            cancelCalled = true;
            rec.s.cancel();
        }

        /** The checks listed in the class javadoc. */
        void check() {
            Recorder r = rec;
            if (r.violation != null) {
                throw new IllegalStateException(r.violation);
            }
            int delivered = r.items.size();
            long req = requested.get();
            if (delivered > 1 || delivered > req) {
                throw new IllegalStateException(
                        "delivered " + r.items + " but " + req + " requested");
            }
            if (delivered == 1 && (!sendOk || r.items.get(0) != sentValue)) {
                throw new IllegalStateException(
                        "delivered " + r.items + " but sent " + (sendOk ? sentValue : "nothing"));
            }
            if (r.error != null && (!causeWon || r.error != CAUSE)) {
                throw new IllegalStateException(
                        "onError(" + r.error + ")" + (causeWon ? "" : " but no cause was given"));
            }
            if (r.completed && delivered == 0 && sendOk) {
                throw new IllegalStateException("onComplete without the value sent");
            }
            OneshotCore<Integer> core = ch.receiver().core;
            if (r.terminated() || cancelCalled) {
                if (core.viewWake != null) {
                    throw new IllegalStateException("the wake-up is still registered at the end");
                }
                Integer left;
                try {
                    left = ch.receiver().tryRecv();
                } catch (ClosedException gone) {
                    left = null;
                }
                int total = delivered + (left == null ? 0 : 1);
                if (total != (sendOk ? 1 : 0) || (left != null && left != sentValue)) {
                    throw new IllegalStateException(
                            "cancel lost the value: delivered "
                                    + delivered
                                    + ", left "
                                    + (left == null ? 0 : 1)
                                    + ", sent "
                                    + (sendOk ? 1 : 0));
                }
                return;
            }
            if (sendOk && req > 0) {
                throw new IllegalStateException(
                        "lost wake-up: the value was sent and requested but not delivered");
            }
            boolean empty = !sendOk && !causeWon && !closeTxCalled && !closeRxCalled;
            if (!sendOk && !empty) {
                throw new IllegalStateException("closed, but no terminal signal");
            }
            if (empty && core.viewWake == null) {
                throw new IllegalStateException("empty, but the wake-up is not registered");
            }
        }
    }

    /** The view subscribed (requesting nothing) before each scenario. */
    @Param(name = "v", gen = IntGen.class, conf = "1:2")
    public static class Subscribed {
        private final Harness h = new Harness();

        /** Creates the channel and subscribes the view. */
        public Subscribed() {
            h.subscribe(0);
        }

        /**
         * {@link Oneshot.Sender#send(Object)}.
         *
         * @param v the value
         */
        @Operation(nonParallelGroup = "producer")
        public void send(@Param(name = "v") int v) {
            h.send(v);
        }

        /** {@link Oneshot.Sender#close()}. */
        @Operation(nonParallelGroup = "producer")
        public void closeTx() {
            h.closeTx();
        }

        /** {@link Oneshot.Sender#closeChannel(Throwable)}. */
        @Operation(nonParallelGroup = "producer")
        public void closeChannel() {
            h.closeChannel();
        }

        /** {@link Oneshot.Receiver#close()}, directly. */
        @Operation
        public void closeRx() {
            h.closeRx();
        }

        /**
         * The subscriber requests.
         *
         * @param n how many
         */
        @Operation
        public void request(@Param(name = "v") int n) {
            h.request(n);
        }

        /** The subscriber cancels. */
        @Operation
        public void cancel() {
            h.cancel();
        }

        /** After each scenario. */
        @Validate
        public void validate() {
            h.check();
        }
    }

    /** The subscription (requesting nothing) is an operation: custom scenarios only. */
    @Param(name = "v", gen = IntGen.class, conf = "1:2")
    public static class SubscribeRace {
        private final Harness h = new Harness();

        /** Creates the channel. */
        public SubscribeRace() {}

        /** Subscribes the view; the subscriber requests nothing. */
        @Operation(nonParallelGroup = "subscriber")
        public void subscribe() {
            h.subscribe(0);
        }

        /**
         * {@link Oneshot.Sender#send(Object)}.
         *
         * @param v the value
         */
        @Operation(nonParallelGroup = "producer")
        public void send(@Param(name = "v") int v) {
            h.send(v);
        }

        /** {@link Oneshot.Sender#closeChannel(Throwable)}. */
        @Operation(nonParallelGroup = "producer")
        public void closeChannel() {
            h.closeChannel();
        }

        /** {@link Oneshot.Receiver#close()}, directly. */
        @Operation
        public void closeRx() {
            h.closeRx();
        }

        /** After each scenario. */
        @Validate
        public void validate() {
            h.check();
        }
    }

    @Test
    void modelCheck() {
        ModelChecks.options(2, 100)
                .actorsBefore(1)
                .actorsAfter(1)
                // A cancel racing the send's wake-up and the drain's take: delivered or left.
                .addCustomScenario(
                        scenario(
                                Subscribed.class,
                                List.of(op("request", 1)),
                                List.of(List.of(op("send", 1)), List.of(op("cancel")))))
                // A receiver close racing the drain's take of a value sent before the close: it
                // stays readable, so it is delivered, then onComplete.
                .addCustomScenario(
                        scenario(
                                Subscribed.class,
                                List.of(op("send", 2)),
                                List.of(List.of(op("request", 1)), List.of(op("closeRx")))))
                .check(Subscribed.class);
    }

    @Test
    void subscribeRace() {
        new ModelCheckingOptions()
                .iterations(0)
                .invocationsPerIteration(Integer.getInteger("lincheck.invocations", 100))
                // The registration of the wake-up racing the close it waits for (the terminal
                // signal needs no demand): the sender's close with a cause, the receiver's close.
                .addCustomScenario(
                        scenario(
                                SubscribeRace.class,
                                List.of(),
                                List.of(List.of(op("subscribe")), List.of(op("closeChannel")))))
                .addCustomScenario(
                        scenario(
                                SubscribeRace.class,
                                List.of(),
                                List.of(List.of(op("subscribe")), List.of(op("closeRx")))))
                .check(SubscribeRace.class);
    }

    private static ExecutionScenario scenario(
            Class<?> type, List<ModelChecks.Op> init, List<List<ModelChecks.Op>> parallel) {
        return ModelChecks.scenario(type, "validate", init, parallel, List.of());
    }

    private static ModelChecks.Op op(String name, Object... args) {
        return ModelChecks.op(name, args);
    }
}
