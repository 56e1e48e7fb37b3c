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
 * consumer). Results are encoded as ints: {@code borrowAndUpdate} returns {@code value * 2 +
 * (changed ? 1 : 0)}; the "then cancel" operations return 1 if the wait completed normally before
 * the cancel, -1 if it failed with {@link ClosedException}, 0 if the cancel withdrew it (a
 * withdrawn {@code waitFor} must have marked nothing, which later results show). {@code
 * changedKeep} leaves a {@code changed()} pending (void: when it completes is asynchronous); {@link
 * #noLostWakeUp()} then checks after the scenario that it is complete whenever there is news for it
 * (a lost wake-up leaves it pending).
 *
 * <p>Checked to fail: reading {@code current} before linking a waiter (breaking the receiver's half
 * of the Dekker pair) is caught by {@link #modelCheck()} as a lost wake-up; letting a withdrawn
 * {@code waitFor} mark its match (dropping the identity check in {@code applyMark}) is caught by
 * {@link #waitForCancelledWhileMatching()}, whose window is too narrow for the random scenarios at
 * this budget.
 *
 * <p>Budget: about 30 s for the class on two busy cores (4 random scenarios of 200 invocations plus
 * one custom scenario; the aimed scenario 600 invocations). Run deeper with {@code
 * -Dlincheck.iterations=50 -Dlincheck.invocations=2000}.
 */
@Param(name = "v", gen = IntGen.class, conf = "1:3")
@Timeout(300)
public class WatchLincheckTest {
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
     * @return 0, or -1 if closed
     */
    @Operation
    public int send(@Param(name = "v") int v) {
        try {
            tx.send(v);
            return 0;
        } catch (ClosedException e) {
            return -1;
        }
    }

    /**
     * {@link Watch.Sender#sendModify} adding 10.
     *
     * @return 0, or -1 if closed
     */
    @Operation
    public int sendModify() {
        try {
            tx.sendModify(x -> x + 10);
            return 0;
        } catch (ClosedException e) {
            return -1;
        }
    }

    /**
     * {@link Watch.Sender#sendReplace(Object)}.
     *
     * @param v the value
     * @return the old value, or -1 if closed
     */
    @Operation
    public int sendReplace(@Param(name = "v") int v) {
        try {
            return tx.sendReplace(v);
        } catch (ClosedException e) {
            return -1;
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
     * @return whether this call closed the channel
     */
    @Operation
    public boolean closeChannel() {
        try {
            return closer.closeChannel(new RuntimeException("closed"));
        } catch (IllegalStateException handleClosed) {
            return false; // the second call through the same handle
        }
    }

    /**
     * {@link Watch.Receiver#borrowAndUpdate()}.
     *
     * @return value * 2 + (changed ? 1 : 0)
     */
    @Operation(nonParallelGroup = "consumer")
    public int borrowAndUpdate() {
        Watch.Ref<Integer> r = rx.borrowAndUpdate();
        return r.get() * 2 + (r.hasChanged() ? 1 : 0);
    }

    /**
     * {@link Watch.Receiver#hasChanged()}.
     *
     * @return 1, 0, or -1 if closed
     */
    @Operation(nonParallelGroup = "consumer")
    public int hasChanged() {
        try {
            return rx.hasChanged() ? 1 : 0;
        } catch (ClosedException e) {
            return -1;
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
     * @return 1 completed, -1 closed, 0 withdrawn
     */
    @Operation(nonParallelGroup = "consumer")
    public int changedThenCancel() {
        withdrawKept();
        CompletableFuture<Void> f = rx.changed();
        f.cancel(false);
        return outcome(f);
    }

    /**
     * {@link Watch.Receiver#waitFor} for {@code v}, then cancelled.
     *
     * @param v the value waited for
     * @return 1 matched (and marked), -1 closed, 0 withdrawn
     */
    @Operation(nonParallelGroup = "consumer")
    public int waitForThenCancel(@Param(name = "v") int v) {
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

    private static int outcome(CompletableFuture<?> f) {
        if (f.isCancelled()) {
            return 0;
        }
        if (f.isCompletedExceptionally()) {
            return -1;
        }
        return 1;
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
        private long seen;

        /** A kept changed() is pending: the next store completes it and marks its version seen. */
        private boolean keptPending;

        /** Creates the model of a new channel. */
        public Model() {}

        /**
         * Model of {@link WatchLincheckTest#send(int)}.
         *
         * @param v the value
         * @return 0 or -1
         */
        public int send(int v) {
            if (closed) {
                return -1;
            }
            value = v;
            stored();
            return 0;
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
         * @return 0 or -1
         */
        public int sendModify() {
            if (closed) {
                return -1;
            }
            value += 10;
            stored();
            return 0;
        }

        /**
         * Model of {@link WatchLincheckTest#sendReplace(int)}.
         *
         * @param v the value
         * @return the old value or -1
         */
        public int sendReplace(int v) {
            if (closed) {
                return -1;
            }
            int old = value;
            value = v;
            stored();
            return old;
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
         * @return whether it closed
         */
        public boolean closeChannel() {
            if (closed) {
                return false;
            }
            closed = true;
            keptPending = false;
            return true;
        }

        /**
         * Model of {@link WatchLincheckTest#borrowAndUpdate()}.
         *
         * @return value * 2 + changed
         */
        public int borrowAndUpdate() {
            int r = value * 2 + (version != seen ? 1 : 0);
            seen = version;
            return r;
        }

        /**
         * Model of {@link WatchLincheckTest#hasChanged()}.
         *
         * @return 1, 0 or -1
         */
        public int hasChanged() {
            if (closed) {
                return -1;
            }
            return version != seen ? 1 : 0;
        }

        /** Model of {@link WatchLincheckTest#markChanged()}. */
        public void markChanged() {
            seen -= 2;
        }

        /**
         * Model of {@link WatchLincheckTest#changedThenCancel()}.
         *
         * @return 1, -1 or 0
         */
        public int changedThenCancel() {
            keptPending = false;
            if (version != seen) {
                seen = version;
                return 1;
            }
            return closed ? -1 : 0;
        }

        /**
         * Model of {@link WatchLincheckTest#waitForThenCancel(int)}.
         *
         * @param v the value waited for
         * @return 1, -1 or 0
         */
        public int waitForThenCancel(int v) {
            keptPending = false;
            if (value == v) {
                seen = version;
                return 1;
            }
            return closed ? -1 : 0;
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
