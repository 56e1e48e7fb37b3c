package dev.tributary.sync;

import dev.tributary.sync.internal.ClaimFuture;
import dev.tributary.sync.internal.Spin;
import dev.tributary.sync.internal.Trampoline;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The mpsc receiver's waiter, published in {@link MpscChan}'s receiver slot {@code rx} while a
 * receive waits. Whoever wakes it first <em>claims</em> it ({@link #tryClaim()}: exactly one claim
 * or cancel succeeds) and then {@link #fire()}s it. Three modes:
 *
 * <ul>
 *   <li><b>Async</b> ({@code recv}, {@code recvMany}): the claim is the {@link ClaimFuture}'s, so
 *       it races with the future's outside completions (cancel, orTimeout) on one word, decided
 *       before anything is taken. The claimer takes the messages on the receiver's behalf ({@link
 *       MpscChan#receiveFor}, through the trampoline) and completes the future.
 *   <li><b>Blocking</b> ({@code blockingRecv*}): one reusable park slot per channel, with its own
 *       state word; the claimer only unparks the thread, which takes the message itself. A stale
 *       claim (of a previous use) only causes a spurious wake-up.
 *   <li><b>View</b> (a Publisher view, {@link MpscPublisher}): published for the whole
 *       subscription. The state word only says whether the view is armed ({@code PENDING}: its
 *       drain found the channel empty) or not ({@code CLAIMED}); the claimer runs the view's drain,
 *       which takes the messages itself. Nothing is taken on its behalf, so cancelling strands
 *       nothing.
 * </ul>
 *
 * <p>Access modes: the state word is written by CAS (the claim) and by volatile writes ({@link
 * #reset()}, and the view's arming in {@link MpscChan#armView}, which is the receiver's half of the
 * Dekker re-check and so must be sequentially consistent). {@code fired} is a release write in
 * {@link #fire()} read with acquire by the parked thread ({@link #isFired()}), which publishes
 * nothing but the wake-up: the thread then reads the queue itself.
 *
 * @param <T> the element type
 */
final class MpscReceiveWaiter<T> extends Trampoline.Task implements Spin.Parked {
    static final int PENDING = 0;
    static final int CLAIMED = 1;
    private static final int CANCELLED = 2;

    final MpscChan<T> chan;

    /** Async recvMany: the caller's buffer; null for recv and the other modes. */
    final List<? super T> buffer;

    final int limit;

    /** Async mode: the caller's future; null in blocking and view mode. */
    final ReceiveFuture<T> future;

    /** View mode (a Publisher view's wake-up): run on every claim; null otherwise. */
    private final Runnable viewDrain;

    /** Blocking mode: the parked thread. */
    private Thread thread;

    /** Blocking and view mode: PENDING, CLAIMED or CANCELLED. */
    volatile int state;

    /** Blocking mode: release-written by fire, acquire-read by the parked thread. */
    private volatile boolean fired;

    /** An async waiter (with a future) or, with {@code blocking}, the reusable park slot. */
    MpscReceiveWaiter(MpscChan<T> chan, List<? super T> buffer, int limit, boolean blocking) {
        this.chan = chan;
        this.buffer = buffer;
        this.limit = limit;
        this.future = blocking ? null : new ReceiveFuture<>(this);
        this.viewDrain = null;
    }

    /**
     * View mode: a non-consuming waiter that stays published in {@code rx} for the whole
     * subscription of a Publisher view. A claimer only runs {@code viewDrain}, which takes the
     * messages itself; a stale or duplicate claim only causes a spurious drain.
     */
    MpscReceiveWaiter(MpscChan<T> chan, Runnable viewDrain) {
        this.chan = chan;
        this.buffer = null;
        this.limit = 1;
        this.future = null;
        this.viewDrain = viewDrain;
        this.state = CLAIMED; // not armed until the view finds the channel empty
    }

    /** Blocking mode: prepares the next use (before it is published). */
    void reset() {
        thread = Thread.currentThread();
        fired = false;
        state = PENDING;
    }

    /** Whether this is the waiter of a live Publisher view. */
    boolean isView() {
        return viewDrain != null;
    }

    boolean isPending() {
        return future != null ? future.isPending() : state == PENDING;
    }

    /** Claims this waiter for waking: at most once per use, never after a cancel. */
    boolean tryClaim() {
        return future != null ? future.tryClaim() : STATE.compareAndSet(this, PENDING, CLAIMED);
    }

    /** Blocking mode: the parked thread withdraws (interrupt, deadline). */
    @Override
    public boolean tryCancel() {
        return STATE.compareAndSet(this, PENDING, CANCELLED);
    }

    @Override
    public boolean isFired() {
        return fired; // acquire; pairs with the release write in fire
    }

    /** Called once by the claimer, after it claimed. */
    void fire() {
        if (viewDrain != null) {
            viewDrain.run(); // the view's drain: serialized by its own counter, never recursive
        } else if (future == null) {
            fired = true; // release; pairs with the read in isFired (Spin.park)
            LockSupport.unpark(thread);
        } else {
            Trampoline.run(this);
        }
    }

    /** Async mode, on the trampoline: take the messages and complete the future. */
    @Override
    protected void runTask() {
        chan.receiveFor(this);
    }

    /** The future of an async receive; its outside completions withdraw the waiter. */
    static final class ReceiveFuture<T> extends ClaimFuture<Object> {
        private final MpscReceiveWaiter<T> waiter;

        ReceiveFuture(MpscReceiveWaiter<T> waiter) {
            this.waiter = waiter;
        }

        @Override
        protected void withdraw() {
            waiter.chan.withdraw(waiter);
        }
    }

    // VarHandle mechanics
    private static final VarHandle STATE;

    static {
        try {
            STATE =
                    MethodHandles.lookup()
                            .findVarHandle(MpscReceiveWaiter.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
