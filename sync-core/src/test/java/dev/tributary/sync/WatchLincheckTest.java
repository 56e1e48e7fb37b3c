package dev.tributary.sync;

import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * Model checking of {@link Watch} with Lincheck against an explicit sequential model ({@link
 * Model}): the lock-free snapshot CAS of {@code send} racing the locked writers ({@code
 * sendModify}, {@code sendReplace}, {@code closeChannel}), the Dekker pair between a registering
 * receiver and a publishing sender, and cancellation of {@code changed()} and {@code waitFor}
 * racing the store that completes them.
 *
 * <p>Receiver operations form the {@code consumer} non-parallel group (a receiver is a single
 * consumer). Results are typed: the sends return a {@link SendResult}, {@code sendReplace} the
 * {@link Replaced} old value or {@link ReplaceFailed#CLOSED}, {@code closeChannel} a {@link
 * CloseResult}, {@code borrowAndUpdate} the {@link Borrowed} value and changed flag, {@code
 * hasChanged} a {@link HasChanged}; the "then cancel" operations return a {@link WaitResult}:
 * {@code COMPLETED} if the wait completed normally before the cancel, {@code CLOSED} if it failed
 * with {@link ClosedException}, {@code WITHDRAWN} if the cancel withdrew it (a withdrawn {@code
 * waitFor} must have marked nothing, which later results show). {@code changedKeep} leaves a {@code
 * changed()} pending (void: when it completes is asynchronous); {@link #noLostWakeUp()} then checks
 * after the scenario that it is complete whenever there is news for it (a lost wake-up leaves it
 * pending).
 *
 * <p>Checked to fail: reading {@code current} before linking a waiter (breaking the receiver's half
 * of the Dekker pair) is caught by {@link #modelCheck()} as a lost wake-up; letting a withdrawn
 * {@code waitFor} mark its match (dropping the identity check in {@code applyMark}) is caught by
 * {@link #waitForCancelledWhileMatching()}, whose window is too narrow for the random scenarios at
 * this budget. A {@link Model} whose {@code waitForThenCancel} reports {@code WITHDRAWN} for a
 * match is caught by both tests within seconds; one whose {@code hasChanged} never reports {@code
 * CHANGED} by {@link #modelCheck()}'s second custom scenario.
 *
 * <p>Budget: about 30 s for the class on two busy cores (4 random scenarios of 200 invocations plus
 * three custom scenarios; the aimed scenario 600 invocations). Run deeper with {@code
 * -Dlincheck.iterations=50 -Dlincheck.invocations=2000}.
 */
@Param(name = "v", gen = IntGen.class, conf = "1:3")
@Timeout(300)
public class WatchLincheckTest {
    /** The outcome of {@code send} and {@code sendModify}. */
    public enum SendResult {
        /** The value was stored. */
        SENT,
        /** {@link ClosedException}: the channel was closed. */
        CLOSED
    }

    /** The outcome of {@code sendReplace}. */
    public sealed interface ReplaceResult permits Replaced, ReplaceFailed {}

    /**
     * The value was stored.
     *
     * @param old the value it replaced
     */
    public record Replaced(int old) implements ReplaceResult {}

    /** {@code sendReplace} stored nothing. */
    public enum ReplaceFailed implements ReplaceResult {
        /** {@link ClosedException}: the channel was closed. */
        CLOSED
    }

    /**
     * The outcome of {@code closeChannel}. Calls through one handle are linearizable: the handle is
     * claimed by a CAS before the channel closes, so of two racing calls one closes and the other
     * finds the handle closed ({@code HANDLE_CLOSED}), never the channel merely closed.
     */
    public enum CloseResult {
        /** This call closed the channel. */
        CLOSED,
        /** The channel was closed already. */
        ALREADY_CLOSED,
        /** The closing handle was closed already: {@link IllegalStateException}. */
        HANDLE_CLOSED
    }

    /**
     * What {@code borrowAndUpdate} saw.
     *
     * @param value the value
     * @param changed whether it was news (not seen before)
     */
    public record Borrowed(int value, boolean changed) {}

    /** The outcome of {@code hasChanged}. */
    public enum HasChanged {
        /** There is news: a version not seen yet. */
        CHANGED,
        /** Nothing new. */
        UNCHANGED,
        /** {@link ClosedException}: the channel was closed. */
        CLOSED
    }

    /** The outcome of a wait ({@code changed()}, {@code waitFor}) cancelled at once. */
    public enum WaitResult {
        /** The wait completed normally before the cancel (and marked what it saw). */
        COMPLETED,
        /** The wait failed with {@link ClosedException}. */
        CLOSED,
        /** The cancel withdrew the wait; it marked nothing. */
        WITHDRAWN
    }

    private final Watch.Channel<Integer> ch = Watch.channel(0);
    private final Watch.Sender<Integer> tx = ch.sender();
    private final Watch.Sender<Integer> closer = tx.clone();
    private final Watch.Receiver<Integer> rx = ch.receiver();

    /** The future left pending by {@link #changedKeep()}, and the version it waits to pass. */
    private CompletableFuture<Void> kept;

    private long keptSeen;

    /** Creates the scenario's channel. */
    public WatchLincheckTest() {}

    /**
     * {@link Watch.Sender#send(Object)} (lock-free).
     *
     * @param v the value
     * @return {@code SENT} or {@code CLOSED}
     */
    @Operation
    public SendResult send(@Param(name = "v") int v) {
        try {
            tx.send(v);
            return SendResult.SENT;
        } catch (ClosedException e) {
            return SendResult.CLOSED;
        }
    }

    /**
     * {@link Watch.Sender#sendModify} adding 10.
     *
     * @return {@code SENT} or {@code CLOSED}
     */
    @Operation
    public SendResult sendModify() {
        try {
            tx.sendModify(x -> x + 10);
            return SendResult.SENT;
        } catch (ClosedException e) {
            return SendResult.CLOSED;
        }
    }

    /**
     * {@link Watch.Sender#sendReplace(Object)}.
     *
     * @param v the value
     * @return the old value, or {@code CLOSED}
     */
    @Operation
    public ReplaceResult sendReplace(@Param(name = "v") int v) {
        try {
            return new Replaced(tx.sendReplace(v));
        } catch (ClosedException e) {
            return ReplaceFailed.CLOSED;
        }
    }

    /**
     * {@link Watch.Sender#borrow()}.
     *
     * @return the value
     */
    @Operation
    public int senderBorrow() {
        return tx.borrow().get();
    }

    /**
     * {@link Watch.Sender#closeChannel(Throwable)} through a second handle.
     *
     * @return {@code CLOSED} if this call closed the channel, {@code HANDLE_CLOSED} if the handle
     *     was already closed
     */
    @Operation
    public CloseResult closeChannel() {
        try {
            return closer.closeChannel(new RuntimeException("closed"))
                    ? CloseResult.CLOSED
                    : CloseResult.ALREADY_CLOSED;
        } catch (IllegalStateException handleClosed) {
            return CloseResult.HANDLE_CLOSED; // the second call through the same handle
        }
    }

    /**
     * {@link Watch.Receiver#borrowAndUpdate()}.
     *
     * @return the value and whether it was news
     */
    @Operation(nonParallelGroup = "consumer")
    public Borrowed borrowAndUpdate() {
        Watch.Ref<Integer> r = rx.borrowAndUpdate();
        return new Borrowed(r.get(), r.hasChanged());
    }

    /**
     * {@link Watch.Receiver#hasChanged()}.
     *
     * @return {@code CHANGED}, {@code UNCHANGED} or {@code CLOSED}
     */
    @Operation(nonParallelGroup = "consumer")
    public HasChanged hasChanged() {
        try {
            return rx.hasChanged() ? HasChanged.CHANGED : HasChanged.UNCHANGED;
        } catch (ClosedException e) {
            return HasChanged.CLOSED;
        }
    }

    /** {@link Watch.Receiver#markChanged()}. */
    @Operation(nonParallelGroup = "consumer")
    public void markChanged() {
        rx.markChanged();
    }

    /**
     * {@link Watch.Receiver#changed()}, then cancelled.
     *
     * @return {@code COMPLETED}, {@code CLOSED} or {@code WITHDRAWN}
     */
    @Operation(nonParallelGroup = "consumer")
    public WaitResult changedThenCancel() {
        withdrawKept();
        CompletableFuture<Void> f = rx.changed();
        f.cancel(false);
        return outcome(f);
    }

    /**
     * {@link Watch.Receiver#waitFor} for {@code v}, then cancelled.
     *
     * @param v the value waited for
     * @return {@code COMPLETED} (matched and marked), {@code CLOSED} or {@code WITHDRAWN}
     */
    @Operation(nonParallelGroup = "consumer")
    public WaitResult waitForThenCancel(@Param(name = "v") int v) {
        withdrawKept();
        CompletableFuture<Watch.Ref<Integer>> f = rx.waitFor(x -> x == v);
        f.cancel(false);
        return outcome(f);
    }

    /** {@link Watch.Receiver#changed()}, left pending for {@link #noLostWakeUp()}. */
    @Operation(nonParallelGroup = "consumer")
    public void changedKeep() {
        withdrawKept();
        keptSeen = rx.seenVersion();
        kept = rx.changed();
    }

    private void withdrawKept() {
        if (kept != null) {
            kept.cancel(false);
            kept = null;
        }
    }

    private static WaitResult outcome(CompletableFuture<?> f) {
        if (f.isCancelled()) {
            return WaitResult.WITHDRAWN;
        }
        if (f.isCompletedExceptionally()) {
            return WaitResult.CLOSED;
        }
        return WaitResult.COMPLETED;
    }

    /** A kept changed() is complete whenever the channel moved past its version or closed. */
    @Validate
    public void noLostWakeUp() {
        if (kept == null || kept.isDone()) {
            return;
        }
        Watch.Ref<Integer> now = tx.borrow();
        if (now.version() != keptSeen || tx.isClosed()) {
            throw new IllegalStateException(
                    "lost wake-up: changed() from version "
                            + keptSeen
                            + " still pending at "
                            + now.version()
                            + ", "
                            + tx);
        }
    }

    @Test
    void modelCheck() {
        ModelChecks.options(4, 200)
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(Model.class)
                // Registration racing a store and the close: no lost wake-up.
                .addCustomScenario(
                        scenario(
                                List.of(actor("sendModify")),
                                List.of(
                                        List.of(actor("changedKeep")),
                                        List.of(actor("send", 2), actor("closeChannel"))),
                                List.of()))
                // hasChanged racing a store: CHANGED or UNCHANGED by the order, then CLOSED.
                .addCustomScenario(
                        scenario(
                                List.of(actor("borrowAndUpdate")),
                                List.of(
                                        List.of(actor("hasChanged"), actor("hasChanged")),
                                        List.of(actor("send", 3), actor("closeChannel"))),
                                List.of(actor("hasChanged"))))
                // Two closeChannel calls through one handle: one CLOSED, one HANDLE_CLOSED.
                .addCustomScenario(
                        scenario(
                                List.of(),
                                List.of(
                                        List.of(actor("closeChannel")),
                                        List.of(actor("closeChannel"))),
                                List.of(actor("hasChanged"))))
                .check(getClass());
    }

    /**
     * A waitFor cancelled while the matching store completes it: it marks its match only if the
     * match won (borrowAndUpdate's changed bit shows it). The window is a few instructions wide, so
     * this scenario alone gets a deeper budget.
     */
    @Test
    void waitForCancelledWhileMatching() {
        new ModelCheckingOptions()
                .iterations(0)
                .invocationsPerIteration(Integer.getInteger("lincheck.invocations", 600))
                .sequentialSpecification(Model.class)
                .addCustomScenario(
                        scenario(
                                List.of(),
                                List.of(
                                        List.of(actor("waitForThenCancel", 1)),
                                        List.of(actor("send", 1))),
                                List.of(actor("borrowAndUpdate"))))
                .check(getClass());
    }

    private static ExecutionScenario scenario(
            List<Actor> init, List<List<Actor>> parallel, List<Actor> post) {
        return new ExecutionScenario(init, parallel, post, actor("noLostWakeUp"));
    }

    private static Actor actor(String name, Object... args) {
        return ModelChecks.actor(WatchLincheckTest.class, name, args);
    }

    /** The sequential specification: value, version, closed flag, and the receiver's seen. */
    public static class Model {
        private int value;
        private long version;
        private boolean closed;

        /** Whether the closing handle was used (it closes with the channel). */
        private boolean closerClosed;

        private long seen;

        /** A kept changed() is pending: the next store completes it and marks its version seen. */
        private boolean keptPending;

        /** Creates the model of a new channel. */
        public Model() {}

        /**
         * Model of {@link WatchLincheckTest#send(int)}.
         *
         * @param v the value
         * @return {@code SENT} or {@code CLOSED}
         */
        public SendResult send(int v) {
            if (closed) {
                return SendResult.CLOSED;
            }
            value = v;
            stored();
            return SendResult.SENT;
        }

        /** A store: bumps the version; a pending kept changed() completes and marks it. */
        private void stored() {
            version += 2;
            if (keptPending) {
                keptPending = false;
                seen = version;
            }
        }

        /**
         * Model of {@link WatchLincheckTest#sendModify()}.
         *
         * @return {@code SENT} or {@code CLOSED}
         */
        public SendResult sendModify() {
            if (closed) {
                return SendResult.CLOSED;
            }
            value += 10;
            stored();
            return SendResult.SENT;
        }

        /**
         * Model of {@link WatchLincheckTest#sendReplace(int)}.
         *
         * @param v the value
         * @return the old value or {@code CLOSED}
         */
        public ReplaceResult sendReplace(int v) {
            if (closed) {
                return ReplaceFailed.CLOSED;
            }
            int old = value;
            value = v;
            stored();
            return new Replaced(old);
        }

        /**
         * Model of {@link WatchLincheckTest#senderBorrow()}.
         *
         * @return the value
         */
        public int senderBorrow() {
            return value;
        }

        /**
         * Model of {@link WatchLincheckTest#closeChannel()}.
         *
         * @return {@code CLOSED}, {@code ALREADY_CLOSED} or {@code HANDLE_CLOSED}
         */
        public CloseResult closeChannel() {
            if (closerClosed) {
                return CloseResult.HANDLE_CLOSED;
            }
            closerClosed = true;
            if (closed) {
                return CloseResult.ALREADY_CLOSED;
            }
            closed = true;
            keptPending = false;
            return CloseResult.CLOSED;
        }

        /**
         * Model of {@link WatchLincheckTest#borrowAndUpdate()}.
         *
         * @return the value and whether it was news
         */
        public Borrowed borrowAndUpdate() {
            Borrowed r = new Borrowed(value, version != seen);
            seen = version;
            return r;
        }

        /**
         * Model of {@link WatchLincheckTest#hasChanged()}.
         *
         * @return {@code CHANGED}, {@code UNCHANGED} or {@code CLOSED}
         */
        public HasChanged hasChanged() {
            if (closed) {
                return HasChanged.CLOSED;
            }
            return version != seen ? HasChanged.CHANGED : HasChanged.UNCHANGED;
        }

        /** Model of {@link WatchLincheckTest#markChanged()}. */
        public void markChanged() {
            seen -= 2;
        }

        /**
         * Model of {@link WatchLincheckTest#changedThenCancel()}.
         *
         * @return {@code COMPLETED}, {@code CLOSED} or {@code WITHDRAWN}
         */
        public WaitResult changedThenCancel() {
            keptPending = false;
            if (version != seen) {
                seen = version;
                return WaitResult.COMPLETED;
            }
            return closed ? WaitResult.CLOSED : WaitResult.WITHDRAWN;
        }

        /**
         * Model of {@link WatchLincheckTest#waitForThenCancel(int)}.
         *
         * @param v the value waited for
         * @return {@code COMPLETED}, {@code CLOSED} or {@code WITHDRAWN}
         */
        public WaitResult waitForThenCancel(int v) {
            keptPending = false;
            if (value == v) {
                seen = version;
                return WaitResult.COMPLETED;
            }
            return closed ? WaitResult.CLOSED : WaitResult.WITHDRAWN;
        }

        /**
         * Model of {@link WatchLincheckTest#changedKeep()}: marks news at once, or waits for the
         * next store (a closed channel fails it, marking nothing).
         */
        public void changedKeep() {
            keptPending = false;
            if (version != seen) {
                seen = version;
            } else if (!closed) {
                keptPending = true;
            }
        }
    }
}
