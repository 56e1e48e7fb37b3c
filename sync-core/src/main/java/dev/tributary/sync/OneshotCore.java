package dev.tributary.sync;

import dev.tributary.sync.internal.StackSafeFuture;
import dev.tributary.sync.internal.Trampoline;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * The shared state of one {@link Oneshot} channel: one state word, the value, the receive waiter,
 * the {@link Oneshot.Sender#closed()} waiters and the Reactive Streams view's wake-up. The handles
 * ({@link Oneshot.Sender}, {@link Oneshot.Receiver}) and the views ({@link OneshotPublisher},
 * {@link OneshotSubscriber}) delegate here.
 *
 * @param <T> the type of the value
 */
final class OneshotCore<T> {
    /*
     * Implementation overview (after tokio's sync/oneshot.rs).
     *
     * One OneshotCore per channel holds an int `state` and the plain fields it publishes. State
     * bits:
     *
     *   RX_WAITING   a receive waiter (`rxWaiter`, async or blocking) is registered (tokio RX_TASK_SET)
     *   SENT         the sender completed: with a value (VALUE too) or closed        (tokio VALUE_SENT)
     *   RX_CLOSED    the receiver closed                                             (tokio CLOSED)
     *   TX_CONSUMED  the sender handle was consumed by send/close (tokio: `self` moved)
     *   VALUE        with SENT: `value` holds the value
     *   TAKEN        the receiver took the value
     *
     * tokio's TX_TASK_SET becomes `closedWaiters`, a Treiber stack of Sender.closed() waiters
     * (OneshotClosedWaiter) that Receiver.close() swaps for the RECEIVER_CLOSED sentinel and
     * fires; any number of closed() futures may wait (tokio keeps one waker).
     *
     * What a receiver sees is a classification of the state (classify()): IDLE (nothing sent, open,
     * no receive pending), READY (a value to take), PENDING (a receive is pending, nothing sent),
     * PENDING_IN_FLIGHT (the value was handed to the pending receive, which has not resolved yet),
     * and the three TERMINATED_* ones (taken, sender closed without a value, receiver closed
     * before one was sent).
     *
     * Publication: `value` and `cause` are written by the sender before the CAS that sets SENT and
     * read by the receiver after reading SENT; `rxWaiter` is written by the receiver before the CAS
     * that sets RX_WAITING and read by whoever sees that bit; the `registering` guard lets only one
     * receive at a time write it, and only while RX_WAITING is clear (racing receives get
     * IllegalStateException instead of overwriting it). All state changes are CAS or
     * getAndBitwiseOr, so there are no locks: an uncontended send is one getAndBitwiseOr plus one
     * CAS, an uncontended receive of a sent value one CAS.
     *
     * Transitions and linearization points:
     *   send     getAndBitwiseOr(TX_CONSUMED) consumes the handle (a second send sees it), so that
     *            only one thread ever writes `value`; then a CAS adds SENT|VALUE unless RX_CLOSED
     *            is set (then the send fails and nothing is stored). The send linearizes at that
     *            CAS, or at the read that found RX_CLOSED. (Sender operations racing each other on
     *            one handle stay safe, but consuming the handle first makes their answers
     *            non-linearizable; the Sender javadoc says so.) If RX_WAITING was set, the sender
     *            claims the waiter (Waiter.tryClaim) and fires it with the value after the CAS.
     *   close    (sender) as send, adding SENT without VALUE; a waiter is fired with ClosedException.
     *   close    (receiver) getAndBitwiseOr(RX_CLOSED); a waiter is fired with ClosedException if
     *            nothing was sent; the closed() waiters are fired.
     *   receive  with SENT|VALUE and no waiter: CAS adds TAKEN (the value is returned). Otherwise a
     *            waiter is registered by the CAS that sets RX_WAITING, which fails if the sender or
     *            a close got in first, and the receive retries.
     *
     * RX_WAITING never comes back once cleared after SENT, so the clearing CASes below cannot hit a
     * newer waiter (no ABA); before SENT only the waiter's own withdraw() clears it.
     *
     * The cancel contract. A waiter is claimed (Waiter.tryClaim) by exactly one of the sender and
     * the receiver's close, or cancelled (tryCancel) by its caller; a cancelled waiter's withdraw()
     * clears RX_WAITING and the value, if any, stays for a later receive. A blocking waiter's claim
     * decides its outcome, so the sender marks TAKEN before waking the thread. An async waiter's
     * claim only reserves the value: the outcome is decided by whichever completion of its future
     * lands first, the sender's (trampolined, so possibly later on the sender's thread) or an
     * outside one (cancel, orTimeout). Until the state records it, the value stays in `value` with
     * RX_WAITING set, and every reader resolves it through the waiter (OneshotRecvWaiter.resolve(),
     * used by classify()):
     *   - future not done: a receive is still pending (a second receive is rejected);
     *   - future holds this very value: delivered, as if TAKEN (a future completed from outside
     *     with the identical object counts as delivered too: the caller holds the value);
     *   - future completed otherwise from outside: returned, as if RX_WAITING were clear.
     * undelivered() and later receives write that resolution into the state (settle(), helping), so
     * a receive that follows a cancel() that returned always finds the value: nothing waits for
     * the sender's trampoline.
     *
     * The Reactive Streams view (OneshotPublisher) waits with `viewWake`, a task that consumes
     * nothing: send, closeTx and closeRx run it (swapping it to null, so at most once per
     * registration) after their state change; the view takes the value with tryRecv on its drain
     * owner, right before onNext. The view registers only while IDLE, which is left once.
     *
     * Access modes. `state` is read with volatile reads and changed only by volatile
     * read-modify-writes (CAS, compareAndExchange, getAndBitwiseOr, getAndSet); most uses need no
     * more than acquire/release, one needs sequential consistency:
     *   - Acquire/release: the publication above. `value` and `cause` are released by the CAS that
     *     sets SENT and acquired by the read of `state` that sees it; `rxWaiter` is released by the
     *     CAS that sets RX_WAITING and acquired by the reads that see that bit (the sender's
     *     compareAndExchange witness, closeRx's getAndBitwiseOr result, classify()); the
     *     `registering` guard is a try-lock (CAS to take it, setRelease to leave it); a closed()
     *     waiter's `below` link is released by the push CAS and acquired by closeRx's getAndSet;
     *     the RX_CLOSED reads of Sender.closed() and isClosed() acquire what Receiver.close() did
     *     before. observe() re-reads `state` to validate a classification: the reads in between
     *     (the waiter's future) are themselves acquire reads, so program order holds.
     *   - No cross-location ordering at all wherever both sides are read-modify-writes of one
     *     word: a send racing a receive's registration, a receiver close or a withdraw all meet on
     *     `state`, and closed() pushes racing closeRx's swap meet on `closedWaiters` (a push after
     *     the swap finds RECEIVER_CLOSED); the modification order of that word decides.
     *   - Sequential consistency (Dekker): the view's wake-up. The view writes `viewWake`, then
     *     re-reads `state` (observe()); send, closeTx and closeRx change `state`, then read
     *     `viewWake` (runViewWake()). Each side stores to one location and then loads the other;
     *     with only release/acquire both loads could miss the other side's store, and the view
     *     would wait for a change that already happened. So the `viewWake` write and read, the
     *     state change and the view's re-read all stay volatile: at least one side sees the other.
     *     Guarded by OneshotPublisherLincheckTest.
     *   The claim CAS and the blocking park/unpark hand-shake are Waiter's (internal/Waiter.java).
     *
     * Progress: every operation is lock-free (CAS loops that fail only when another thread made
     * progress). Guarded by OneshotLincheckTest (model checking with cancellation) and
     * OneshotRaceTest.
     */

    // State bits.
    static final int RX_WAITING = 1;
    static final int SENT = 1 << 1;
    static final int RX_CLOSED = 1 << 2;
    static final int TX_CONSUMED = 1 << 3;
    static final int VALUE = 1 << 4;
    static final int TAKEN = 1 << 5;

    // What a receiver sees (classify()).
    static final int IDLE = 0;
    static final int READY = 1;
    static final int PENDING = 2;
    static final int PENDING_IN_FLIGHT = 3;
    static final int TERMINATED_TAKEN = 4;
    static final int TERMINATED_TX_CLOSED = 5;
    static final int TERMINATED_RX_CLOSED = 6;

    /** Bits RX_WAITING, SENT, RX_CLOSED, TX_CONSUMED, VALUE, TAKEN; changed only atomically. */
    volatile int state;

    /** The value; written before the release CAS that sets SENT|VALUE, cleared after TAKEN. */
    T value;

    /** The cause given to closeChannel; written before the release CAS that sets SENT. */
    Throwable cause;

    /** The receive waiter; written before the release CAS that sets RX_WAITING. */
    OneshotRecvWaiter<T> rxWaiter;

    /** 1 while a receive registers its waiter (see registerWaiter); CAS and release store only. */
    volatile int registering;

    /** Top of the closed() waiter stack, or RECEIVER_CLOSED once the receiver closed. */
    volatile OneshotClosedWaiter closedWaiters;

    /**
     * For messages only: whether the sender was consumed by a send (plain; racy reads are fine).
     */
    boolean consumedBySend;

    /**
     * The wake-up of the Reactive Streams view ({@link OneshotPublisher}), or null: run once,
     * trampolined, after the state leaves IDLE (send, sender close, receiver close). It takes
     * nothing: the view then takes the value itself with tryRecv, so a cancelled view never holds a
     * value it did not deliver. Written (volatile) by the view before it re-reads {@code state};
     * read after the state change of send/closeTx/closeRx (Dekker, sequentially consistent: at
     * least one side sees the other; see the overview). Swapped to null by whoever runs it, so each
     * registration runs at most once.
     */
    volatile Trampoline.Task viewWake;

    /** 1 once a Reactive Streams view subscribed to this receiver (unicast); CAS only. */
    volatile int viewSubscribed;

    OneshotCore() {}

    // ---- sender side ----

    void send(T v) {
        int prev = (int) STATE.getAndBitwiseOr(this, TX_CONSUMED);
        if ((prev & TX_CONSUMED) != 0) {
            throw consumedError();
        }
        consumedBySend = true;
        if ((prev & RX_CLOSED) != 0) {
            throw sendFailed();
        }
        value = v;
        int s = prev | TX_CONSUMED;
        for (; ; ) {
            if ((s & RX_CLOSED) != 0) {
                value = null; // never published: the receiver reads value only after SENT
                throw sendFailed();
            }
            // release: value; pairs with the acquire read of state in classify()
            int w = (int) STATE.compareAndExchange(this, s, s | SENT | VALUE);
            if (w == s) {
                break;
            }
            s = w;
        }
        if ((s & RX_WAITING) != 0) {
            OneshotRecvWaiter<T> w = rxWaiter; // acquire: the witness s saw RX_WAITING
            if (w.tryClaim()) {
                w.setValue(v);
                if (w.blocking) {
                    markTaken(); // a blocking waiter's claim decides: it returns the value
                }
                w.fire();
            } // else cancelled: its withdraw() clears RX_WAITING and the value stays
        }
        runViewWake();
    }

    boolean closeTx(Throwable why) {
        int prev = (int) STATE.getAndBitwiseOr(this, TX_CONSUMED);
        if ((prev & (TX_CONSUMED | RX_CLOSED)) != 0) {
            return false;
        }
        cause = why;
        int s = prev | TX_CONSUMED;
        for (; ; ) {
            if ((s & RX_CLOSED) != 0) {
                cause = null;
                return false;
            }
            int w = (int) STATE.compareAndExchange(this, s, s | SENT); // release: cause
            if (w == s) {
                break;
            }
            s = w;
        }
        if ((s & RX_WAITING) != 0) {
            OneshotRecvWaiter<T> w = rxWaiter;
            if (w.tryClaim()) {
                w.setFailure(txClosedError());
                w.fire();
            }
        }
        runViewWake();
        return true;
    }

    /** Whether the receiver closed (acquire: what it did before closing happens-before). */
    boolean isRxClosed() {
        return (state & RX_CLOSED) != 0;
    }

    CompletableFuture<Void> closed() {
        if (isRxClosed()) {
            return StackSafeFuture.completed(null);
        }
        OneshotClosedWaiter w = new OneshotClosedWaiter(this);
        for (; ; ) {
            OneshotClosedWaiter top = closedWaiters;
            if (top == OneshotClosedWaiter.RECEIVER_CLOSED) {
                return StackSafeFuture.completed(null);
            }
            if (top != null && !top.isPending()) {
                CLOSED_WAITERS.compareAndSet(this, top, top.below); // drop a withdrawn one
                continue;
            }
            w.below = top;
            // release: w.below; pairs with closeRx's getAndSet
            if (CLOSED_WAITERS.compareAndSet(this, top, w)) {
                return w.future();
            }
        }
    }

    /** Pops withdrawn closed() waiters off the top of the stack (best effort). */
    void purgeClosedWaiters() {
        for (OneshotClosedWaiter top;
                (top = closedWaiters) != null && top != OneshotClosedWaiter.RECEIVER_CLOSED; ) {
            if (top.isPending() || !CLOSED_WAITERS.compareAndSet(this, top, top.below)) {
                return;
            }
        }
    }

    // ---- receiver side ----

    void closeRx() {
        int prev = (int) STATE.getAndBitwiseOr(this, RX_CLOSED);
        if ((prev & RX_CLOSED) != 0) {
            return;
        }
        if ((prev & (RX_WAITING | SENT)) == RX_WAITING) {
            OneshotRecvWaiter<T> w = rxWaiter;
            if (w.tryClaim()) {
                w.setFailure(rxClosedError());
                w.fire();
            }
        }
        OneshotClosedWaiter top =
                (OneshotClosedWaiter)
                        CLOSED_WAITERS.getAndSet(this, OneshotClosedWaiter.RECEIVER_CLOSED);
        OneshotClosedWaiter fifo = null;
        while (top != null && top != OneshotClosedWaiter.RECEIVER_CLOSED) { // reverse: FIFO
            OneshotClosedWaiter below = top.below;
            top.below = fifo;
            fifo = top;
            top = below;
        }
        for (OneshotClosedWaiter w = fifo; w != null; ) {
            OneshotClosedWaiter next = w.below;
            w.below = null;
            if (w.tryClaim()) {
                w.fire();
            }
            w = next;
        }
        runViewWake();
    }

    CompletableFuture<T> recv() {
        OneshotRecvWaiter<T> w = null;
        for (; ; ) {
            int s = state;
            int c = classify(s);
            switch (c) {
                case READY:
                    T v = value;
                    if (take(s)) {
                        return StackSafeFuture.completed(v);
                    }
                    break;
                case IDLE:
                    if (w == null) {
                        w = new OneshotRecvWaiter<>(this, false);
                    }
                    if (registerWaiter(s, w, "recv")) {
                        return w.future();
                    }
                    break;
                case PENDING:
                case PENDING_IN_FLIGHT:
                    throw pendingError("recv");
                default:
                    settle(s);
                    return StackSafeFuture.failed(terminatedError(c));
            }
        }
    }

    T tryRecv() {
        for (; ; ) {
            int s = state;
            int c = classify(s);
            switch (c) {
                case READY:
                    T v = value;
                    if (take(s)) {
                        return v;
                    }
                    break;
                case IDLE:
                    return null;
                case PENDING:
                case PENDING_IN_FLIGHT:
                    throw pendingError("tryRecv");
                default:
                    settle(s);
                    throw terminatedError(c);
            }
        }
    }

    T blockingRecv(long deadline) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        OneshotRecvWaiter<T> w = null;
        for (; ; ) {
            int s = state;
            int c = classify(s);
            switch (c) {
                case READY:
                    T v = value;
                    if (take(s)) {
                        return v;
                    }
                    break;
                case IDLE:
                    if (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0L) {
                        return null;
                    }
                    if (w == null) {
                        w = new OneshotRecvWaiter<>(this, true);
                    }
                    if (registerWaiter(s, w, "blockingRecv")) {
                        // The value (TAKEN already marked by the sender), a ClosedException
                        // rethrown, null on timeout, or InterruptedException; both withdrawn.
                        return w.awaitBlocking(deadline, null);
                    }
                    break;
                case PENDING:
                case PENDING_IN_FLIGHT:
                    throw pendingError("blockingRecv");
                default:
                    settle(s);
                    throw terminatedError(c);
            }
        }
    }

    /**
     * Registers {@code w} as the receive waiter if the state is still {@code s}. The {@code
     * registering} guard keeps two racing receives from overwriting each other's {@code rxWaiter}:
     * under it, nobody else can set RX_WAITING, so the re-check holds.
     */
    private boolean registerWaiter(int s, OneshotRecvWaiter<T> w, String op) {
        if (!REGISTERING.compareAndSet(this, 0, 1)) {
            throw pendingError(op); // another receive is registering right now
        }
        try {
            if ((state & RX_WAITING) != 0) {
                return false; // another receive got in: the caller classifies again
            }
            rxWaiter = w;
            // release: rxWaiter; pairs with the acquire reads of state that see RX_WAITING
            return STATE.compareAndSet(this, s, s | RX_WAITING);
        } finally {
            REGISTERING.setRelease(this, 0);
        }
    }

    /** Takes the value seen as READY in {@code s}; the caller read {@code value} before. */
    private boolean take(int s) {
        if (STATE.compareAndSet(this, s, (s & ~RX_WAITING) | TAKEN)) {
            value = null; // nobody reads it after TAKEN
            return true;
        }
        return false;
    }

    /** A blocking waiter was claimed with the value: record the take. */
    private void markTaken() {
        for (; ; ) {
            int s = state;
            if (STATE.compareAndSet(this, s, (s & ~RX_WAITING) | TAKEN)) {
                value = null;
                return;
            }
        }
    }

    /**
     * Writes a resolved async delivery into the state (helping): DELIVERED becomes TAKEN, RETURNED
     * clears RX_WAITING. Safe after SENT only, where RX_WAITING never returns.
     */
    void settle(int s) {
        if ((s & (SENT | VALUE | RX_WAITING | TAKEN)) != (SENT | VALUE | RX_WAITING)) {
            return;
        }
        int r = rxWaiter.resolve(value);
        if (r == OneshotRecvWaiter.DELIVERED) {
            take(s);
        } else if (r == OneshotRecvWaiter.RETURNED) {
            STATE.compareAndSet(this, s, s & ~RX_WAITING);
        }
    }

    /** Settles until the state records the outcome of a resolved delivery (undelivered). */
    void settleAll() {
        for (; ; ) {
            int s = state;
            if ((s & (SENT | VALUE | RX_WAITING | TAKEN)) != (SENT | VALUE | RX_WAITING)
                    || rxWaiter.resolve(value) == OneshotRecvWaiter.IN_FLIGHT) {
                return;
            }
            settle(s);
        }
    }

    /** A cancelled receive waiter leaves: clears RX_WAITING (only its own, see overview). */
    void withdraw(OneshotRecvWaiter<T> w) {
        for (; ; ) {
            int s = state;
            if ((s & RX_WAITING) == 0 || rxWaiter != w) {
                return;
            }
            if (STATE.compareAndSet(this, s, s & ~RX_WAITING)) {
                return;
            }
        }
    }

    /** What the receiver sees now, read consistently (for the queries and the view). */
    int observe() {
        for (; ; ) {
            int s = state;
            int c = classify(s);
            if (state == s) {
                return c;
            }
        }
    }

    /** Classifies state {@code s} for the receiver, resolving an async delivery in flight. */
    int classify(int s) {
        if ((s & TAKEN) != 0) {
            return TERMINATED_TAKEN;
        }
        if ((s & SENT) != 0) {
            if ((s & VALUE) == 0) {
                return TERMINATED_TX_CLOSED;
            }
            if ((s & RX_WAITING) == 0) {
                return READY;
            }
            int r = rxWaiter.resolve(value);
            return r == OneshotRecvWaiter.IN_FLIGHT
                    ? PENDING_IN_FLIGHT
                    : r == OneshotRecvWaiter.DELIVERED ? TERMINATED_TAKEN : READY;
        }
        if ((s & RX_CLOSED) != 0) {
            return TERMINATED_RX_CLOSED;
        }
        return (s & RX_WAITING) != 0 ? PENDING : IDLE;
    }

    /** Receiver.isTerminated(): no receive can ever yield a value again. */
    boolean isTerminated() {
        int c = observe();
        return c == TERMINATED_TAKEN || c == TERMINATED_TX_CLOSED || c == TERMINATED_RX_CLOSED;
    }

    /** Receiver.isEmpty(): no value to receive right now (one in flight still counts). */
    boolean isEmpty() {
        int c = observe();
        return c != READY && c != PENDING_IN_FLIGHT;
    }

    // ---- the Reactive Streams view ----

    /** Records the one view subscription of this receiver (unicast); false if one came before. */
    boolean subscribeView() {
        return VIEW_SUBSCRIBED.compareAndSet(this, 0, 1);
    }

    /**
     * Registers the view's wake-up; the caller re-reads the state next ({@link #observe()}). A
     * volatile write: the store half of the view's side of the Dekker pair (see {@link #viewWake}).
     */
    void registerViewWake(Trampoline.Task t) {
        viewWake = t;
    }

    /** Runs the view's wake-up, if one is registered; see {@link #viewWake}. */
    private void runViewWake() {
        if (viewWake != null) { // volatile read after the state change (Dekker, see viewWake)
            Trampoline.Task t = (Trampoline.Task) VIEW_WAKE.getAndSet(this, null);
            if (t != null) {
                Trampoline.run(t);
            }
        }
    }

    /** Withdraws the view's wake-up {@code t} if it is still registered (rule 3.13). */
    void clearViewWake(Trampoline.Task t) {
        VIEW_WAKE.compareAndSet(this, t, null);
    }

    // ---- errors ----

    private IllegalStateException consumedError() {
        return new IllegalStateException(
                consumedBySend
                        ? "this Oneshot.Sender handle was consumed by an earlier send: a"
                                + " oneshot sender sends once"
                        : "this Oneshot.Sender handle was closed");
    }

    private static ClosedException sendFailed() {
        return new ClosedException(
                "Oneshot channel closed: the receiver was closed, so send did not store the"
                        + " value");
    }

    private ClosedException txClosedError() {
        Throwable c = cause;
        String msg = "Oneshot channel closed: the sender was closed without sending a value";
        return c == null ? new ClosedException(msg) : new ClosedException(msg, c);
    }

    private static ClosedException rxClosedError() {
        return new ClosedException(
                "Oneshot channel closed: the receiver was closed before a value was sent");
    }

    private ClosedException terminatedError(int c) {
        if (c == TERMINATED_TX_CLOSED) {
            return txClosedError();
        } else if (c == TERMINATED_RX_CLOSED) {
            return rxClosedError();
        }
        return new ClosedException(
                "Oneshot channel closed: its value was already received (a oneshot receiver"
                        + " receives once)");
    }

    private static IllegalStateException pendingError(String op) {
        return new IllegalStateException(
                op
                        + " requires no other pending receive on this Oneshot.Receiver (single"
                        + " consumer) but one was pending");
    }

    /**
     * What {@link #describe()} says for each classification, indexed by IDLE..TERMINATED_RX_CLOSED.
     */
    private static final String[] DESCRIPTIONS = {
        "empty",
        "value ready",
        "receive pending",
        "value being delivered",
        "value received",
        "sender closed without a value",
        "receiver closed"
    };

    String describe() {
        int s = state;
        StringBuilder b = new StringBuilder("[").append(DESCRIPTIONS[classify(s)]);
        if ((s & RX_CLOSED) != 0 && (s & (SENT | VALUE)) == (SENT | VALUE)) {
            b.append(", receiver closed");
        }
        return b.append(']').toString();
    }

    // VarHandle mechanics
    private static final VarHandle STATE;
    private static final VarHandle CLOSED_WAITERS;
    private static final VarHandle REGISTERING;
    private static final VarHandle VIEW_WAKE;
    private static final VarHandle VIEW_SUBSCRIBED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(OneshotCore.class, "state", int.class);
            CLOSED_WAITERS =
                    l.findVarHandle(OneshotCore.class, "closedWaiters", OneshotClosedWaiter.class);
            REGISTERING = l.findVarHandle(OneshotCore.class, "registering", int.class);
            VIEW_WAKE = l.findVarHandle(OneshotCore.class, "viewWake", Trampoline.Task.class);
            VIEW_SUBSCRIBED = l.findVarHandle(OneshotCore.class, "viewSubscribed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
