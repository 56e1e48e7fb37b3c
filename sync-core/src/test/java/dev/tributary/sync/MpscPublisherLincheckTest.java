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
 * Model checking of the Publisher view of an Mpsc receiver ({@link MpscPublisher}) with Lincheck:
 * the view's non-consuming waiter in the receiver slot ({@code MpscChan.attachView}, {@code
 * armView}, {@code pollView}, {@code detachView}) racing sends, closes, requests and the cancel, on
 * a bounded (capacity 2) and an unbounded channel.
 *
 * <p>Each scenario starts with a channel whose receiver view is subscribed by a recording
 * subscriber that requests nothing by itself (plain fields: the view serializes its signals).
 * Operations are void; {@code sendA} and {@code sendB} are two producers (non-parallel groups
 * {@code a} and {@code b}, each with its own sender handle) sending increasing tagged values with
 * {@code trySend} (bounded: never parks; "full" sends nothing) or {@code send} (unbounded); {@code
 * request(n)}, {@code cancel}, {@code closeRx} (the receiver closes the channel) and {@code
 * closeChannel} (a third handle closes it with a cause) may run anywhere. After each scenario the
 * {@code @Validate} method checks:
 *
 * <ul>
 *   <li>no signal before {@code onSubscribe} or after a terminal signal; never more {@code onNext}
 *       than requested;
 *   <li>each producer's values arrive in the order sent, each once, and only values that were sent;
 *   <li>a terminal signal only once the channel is closed and every sent value was delivered;
 *       {@code onError} with the cause itself exactly when {@code closeChannel} closed the channel,
 *       {@code onComplete} otherwise; afterwards the receiver is free and at its end;
 *   <li>while the subscription is live: exactly {@code min(requested, sent)} delivered (a lost
 *       wake-up leaves fewer), no missing terminal signal once closed and drained, and on the
 *       bounded channel every slot free except those of queued messages;
 *   <li>after a cancel: the view let go of the receiver, and what was delivered followed by what
 *       {@code tryRecv} still returns is exactly what was sent, per producer in order (cancel loses
 *       nothing); on the bounded channel all the capacity is back.
 * </ul>
 *
 * <p>Custom scenarios aim at the narrow windows: a send racing the arming of the waiter (the waiter
 * is disarmed after an earlier wake-up, so only the re-check of {@code armView} can see the send);
 * a cancel racing a send's wake-up and the drain's poll; a close and the drain's poll of the last
 * message racing a producer that holds a slot (or, unbounded, a count) it has not filled yet.
 *
 * <p>Checked to fail (each bug injected into the main code, caught, then reverted):
 *
 * <ul>
 *   <li>{@code armView} evaluating its re-check before publishing {@code PENDING} (arming after the
 *       emptiness check instead of before): {@link #bounded()}'s arming scenario reports "lost
 *       wake-up: delivered 1 of min(requested 2, sent 2)": the producer found the waiter disarmed
 *       and the re-check ran before its push;
 *   <li>the drain loop checking {@code isCancelled()} after {@code pollView} instead of before
 *       (dropping the message it just took): the cancel scenario reports "cancel lost a message or
 *       out of order or duplicated: producer a sent [11, 12] but delivered then left [11]";
 *   <li>the end-of-stream test of the drain loop using "closed and nothing ready" instead of {@code
 *       isClosedAndIdle()} (every slot back): the close scenario of both {@link #bounded()} and
 *       {@link #unbounded()} reports "terminal signal before the end: delivered 1 of 2" (the first
 *       version of that scenario, with the close on a third thread, did not find it at 200
 *       invocations).
 * </ul>
 *
 * <p>No bug was found in the view itself. Budget: bounded, one random scenario plus the three
 * custom scenarios; unbounded, the close scenario; 60 invocations each: about 25 s for the class on
 * two cores under a load of 7, less on a quiet machine. Run deeper with {@code
 * -Dlincheck.iterations=20 -Dlincheck.invocations=1000}.
 */
@Timeout(300)
class MpscPublisherLincheckTest {

    static final RuntimeException CAUSE = new RuntimeException("closed with a cause");

    /** Records the signals of one subscription and flags protocol violations. */
    static final class Recorder implements Subscriber<Integer> {
        final List<Integer> items = new ArrayList<>();
        Subscription s;
        String violation;
        boolean completed;
        Throwable error;

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

    /**
     * A producer: sends {@code tag * 10 + 1}, {@code tag * 10 + 2}, ... through one handle, with
     * {@code trySend} (bounded) or {@code send} (unbounded).
     */
    static final class Lane {
        final int tag;
        private final Mpsc.Sender<Integer> bounded;
        private final Mpsc.UnboundedSender<Integer> unbounded;
        private int next;
        final List<Integer> sent = new ArrayList<>();

        Lane(int tag, Mpsc.Sender<Integer> bounded, Mpsc.UnboundedSender<Integer> unbounded) {
            this.tag = tag;
            this.bounded = bounded;
            this.unbounded = unbounded;
        }

        void send() {
            int v = tag * 10 + ++next;
            try {
                if (bounded != null) {
                    if (bounded.trySend(v)) {
                        sent.add(v);
                    }
                } else {
                    unbounded.send(v);
                    sent.add(v);
                }
            } catch (ClosedException closed) {
                // not sent
            }
        }
    }

    /** The shared state and checks of both channel flavors. */
    static final class Harness {
        final Recorder rec = new Recorder();
        final Mpsc.AbstractReceiver<Integer> rx;
        final Lane a;
        final Lane b;
        final AtomicLong requested = new AtomicLong();
        volatile boolean cancelCalled;
        volatile boolean closeCalled;
        volatile boolean causeWon;

        Harness(Mpsc.AbstractReceiver<Integer> rx, Lane a, Lane b) {
            this.rx = rx;
            this.a = a;
            this.b = b;
            rx.asPublisher().subscribe(rec);
        }

        void request(int n) {
            requested.addAndGet(n);
            rec.s.request(n);
        }

        void cancel() {
            cancelCalled = true;
            rec.s.cancel();
        }

        void closeRx() {
            closeCalled = true;
            rx.close();
        }

        /**
         * Records a {@code closeChannel(CAUSE)} made by the caller.
         *
         * @param closedIt what it returned
         */
        void closedChannel(boolean closedIt) {
            if (closedIt) {
                causeWon = true;
            }
        }

        /**
         * The checks listed in the class javadoc.
         *
         * @param bounded the bounded channel's receiver, or null
         */
        void check(Mpsc.Receiver<Integer> bounded) {
            Recorder r = rec;
            if (r.violation != null) {
                throw new IllegalStateException(r.violation);
            }
            int delivered = r.items.size();
            long req = requested.get();
            if (delivered > req) {
                throw new IllegalStateException(delivered + " delivered but " + req + " requested");
            }
            int sent = a.sent.size() + b.sent.size();
            boolean ended = r.terminated() || cancelCalled;
            List<Integer> all = new ArrayList<>(r.items);
            if (ended) {
                boolean atTheEnd = false;
                try {
                    for (Integer v; (v = rx.tryRecv()) != null; ) {
                        all.add(v);
                    }
                } catch (ClosedException closedAndDrained) {
                    atTheEnd = true;
                } catch (IllegalStateException held) {
                    throw new IllegalStateException(
                            "the ended view still holds the receiver: " + held.getMessage(), held);
                }
                if (!atTheEnd) {
                    throw new IllegalStateException("closed, but tryRecv found it open: " + rx);
                }
            }
            int matched = lane(a, all, ended) + lane(b, all, ended);
            if (matched != all.size()) {
                throw new IllegalStateException("values never sent: " + all);
            }
            if (r.terminated()) {
                if (!closeCalled || delivered != sent) {
                    throw new IllegalStateException(
                            "terminal signal before the end: delivered "
                                    + delivered
                                    + " of "
                                    + sent
                                    + (closeCalled ? "" : ", never closed"));
                }
                if (causeWon ? r.error != CAUSE : r.error != null) {
                    throw new IllegalStateException(
                            "wrong terminal signal: "
                                    + (r.error == null ? "onComplete" : r.error)
                                    + (causeWon ? ", closed with the cause" : ", closed without"));
                }
            } else if (!cancelCalled) {
                long expected = Math.min(req, sent);
                if (delivered != expected) {
                    throw new IllegalStateException(
                            "lost wake-up: delivered "
                                    + delivered
                                    + " of min(requested "
                                    + req
                                    + ", sent "
                                    + sent
                                    + ")");
                }
                if (closeCalled && delivered == sent) {
                    throw new IllegalStateException("closed and drained, but no terminal signal");
                }
            }
            if (bounded != null) {
                int queued = ended ? 0 : sent - delivered;
                if (bounded.capacity() != bounded.maxCapacity() - queued) {
                    throw new IllegalStateException(
                            "slots leaked: " + queued + " queued, " + bounded.capacity() + " free");
                }
            }
        }

        /**
         * Checks the lane's values in {@code all}: exactly its sends in order when the view ended
         * (delivered, then drained), a prefix of them while it lives.
         *
         * @return how many values of {@code all} belong to the lane
         */
        private static int lane(Lane lane, List<Integer> all, boolean ended) {
            List<Integer> mine = new ArrayList<>();
            for (Integer v : all) {
                if (v / 10 == lane.tag) {
                    mine.add(v);
                }
            }
            boolean ok =
                    ended
                            ? mine.equals(lane.sent)
                            : mine.size() <= lane.sent.size()
                                    && mine.equals(lane.sent.subList(0, mine.size()));
            if (!ok) {
                throw new IllegalStateException(
                        (ended ? "cancel lost a message or " : "")
                                + "out of order or duplicated: producer "
                                + (char) ('a' + lane.tag - 1)
                                + " sent "
                                + lane.sent
                                + " but "
                                + (ended ? "delivered then left " : "delivered ")
                                + mine);
            }
            return mine.size();
        }
    }

    /** Bounded channel of capacity 2; producers use {@code trySend}. */
    @Param(name = "n", gen = IntGen.class, conf = "1:2")
    public static class Bounded {
        private final Mpsc.Receiver<Integer> rx;
        private final Mpsc.Sender<Integer> closer;
        private final Harness h;

        /** Creates the channel and subscribes the view. */
        public Bounded() {
            Mpsc.Channel<Integer> ch = Mpsc.channel(2);
            Mpsc.Sender<Integer> txA = ch.sender();
            Mpsc.Sender<Integer> txB = txA.clone();
            closer = txA.clone();
            rx = ch.receiver();
            h = new Harness(rx, new Lane(1, txA, null), new Lane(2, txB, null));
        }

        /** Producer a: {@code trySend} of its next value. */
        @Operation(nonParallelGroup = "a")
        public void sendA() {
            h.a.send();
        }

        /** Producer b: {@code trySend} of its next value. */
        @Operation(nonParallelGroup = "b")
        public void sendB() {
            h.b.send();
        }

        /**
         * The subscriber requests.
         *
         * @param n how many
         */
        @Operation
        public void request(@Param(name = "n") int n) {
            h.request(n);
        }

        /** The subscriber cancels. */
        @Operation
        public void cancel() {
            h.cancel();
        }

        /** The receiver closes the channel. */
        @Operation
        public void closeRx() {
            h.closeRx();
        }

        /** A sender closes the channel with a cause. */
        @Operation
        public void closeChannel() {
            h.closeCalled = true;
            try {
                h.closedChannel(closer.closeChannel(CAUSE));
            } catch (IllegalStateException handleAlreadyClosed) {
                // the second closeChannel through the same handle
            }
        }

        /** After each scenario. */
        @Validate
        public void validate() {
            h.check(rx);
        }
    }

    /** Unbounded channel; producers use {@code send}. */
    @Param(name = "n", gen = IntGen.class, conf = "1:2")
    public static class Unbounded {
        private final Mpsc.UnboundedSender<Integer> closer;
        private final Harness h;

        /** Creates the channel and subscribes the view. */
        public Unbounded() {
            Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
            Mpsc.UnboundedSender<Integer> txA = ch.sender();
            Mpsc.UnboundedSender<Integer> txB = txA.clone();
            closer = txA.clone();
            h = new Harness(ch.receiver(), new Lane(1, null, txA), new Lane(2, null, txB));
        }

        /** Producer a: {@code send} of its next value. */
        @Operation(nonParallelGroup = "a")
        public void sendA() {
            h.a.send();
        }

        /** Producer b: {@code send} of its next value. */
        @Operation(nonParallelGroup = "b")
        public void sendB() {
            h.b.send();
        }

        /**
         * The subscriber requests.
         *
         * @param n how many
         */
        @Operation
        public void request(@Param(name = "n") int n) {
            h.request(n);
        }

        /** The subscriber cancels. */
        @Operation
        public void cancel() {
            h.cancel();
        }

        /** The receiver closes the channel. */
        @Operation
        public void closeRx() {
            h.closeRx();
        }

        /** A sender closes the channel with a cause. */
        @Operation
        public void closeChannel() {
            h.closeCalled = true;
            try {
                h.closedChannel(closer.closeChannel(CAUSE));
            } catch (IllegalStateException handleAlreadyClosed) {
                // the second closeChannel through the same handle
            }
        }

        /** After each scenario. */
        @Validate
        public void validate() {
            h.check(null);
        }
    }

    @Test
    void bounded() {
        options(1, 60)
                // A send racing the arming of the waiter: after the wake-up for a1 the waiter is
                // disarmed, so a2's producer finds nothing to claim and only armView's re-check,
                // after publishing PENDING, can see a2.
                .addCustomScenario(
                        scenario(
                                Bounded.class,
                                List.of(op("sendA")),
                                List.of(List.of(op("request", 2)), List.of(op("sendA")))))
                // A cancel racing a send's wake-up and the drain's poll: nothing may be lost.
                .addCustomScenario(
                        scenario(
                                Bounded.class,
                                List.of(op("sendA"), op("request", 2)),
                                List.of(List.of(op("sendA")), List.of(op("cancel")))))
                .addCustomScenario(closeRacingPoll(Bounded.class))
                .check(Bounded.class);
    }

    /** The unbounded channel differs in the end-of-stream test only (a message count). */
    @Test
    void unbounded() {
        options(0, 60).addCustomScenario(closeRacingPoll(Unbounded.class)).check(Unbounded.class);
    }

    private static ModelCheckingOptions options(int iterations, int invocations) {
        return ModelChecks.options(iterations, invocations).actorsBefore(1).actorsAfter(1);
    }

    /**
     * A close racing the drain's poll of the last message while producer b holds a slot (or a
     * count) it has not filled yet: the end comes only after b's message.
     */
    private static ExecutionScenario closeRacingPoll(Class<?> type) {
        return scenario(
                type,
                List.of(op("sendA")),
                List.of(List.of(op("closeChannel"), op("request", 2)), List.of(op("sendB"))));
    }

    private static ExecutionScenario scenario(
            Class<?> type, List<ModelChecks.Op> init, List<List<ModelChecks.Op>> parallel) {
        return ModelChecks.scenario(type, "validate", init, parallel, List.of());
    }

    private static ModelChecks.Op op(String name, Object... args) {
        return ModelChecks.op(name, args);
    }
}
