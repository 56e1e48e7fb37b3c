package dev.tributary.sync;

import dev.tributary.sync.internal.FireChain;
import dev.tributary.sync.internal.ShortLock;
import dev.tributary.sync.internal.StackSafeFuture;
import dev.tributary.sync.internal.Waiter;
import dev.tributary.sync.internal.WaiterList;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The state of one watch channel, shared by all its {@link Watch.Sender} and {@link Watch.Receiver}
 * handles: the current {@link Snapshot}, the writers, the list of waiting receivers and the handle
 * counts. The handles delegate here; a receiver's own side (the version it has seen, its pending
 * wait) is {@link WatchReceiverCore}.
 *
 * @param <T> the type of the values
 */
final class WatchShared<T> {

    /*
     * Implementation overview (ported from tokio's sync/watch.rs; tokio guards the value with a
     * RwLock, here reads take no lock).
     *
     * State. `current` is a volatile reference to an immutable Snapshot {value, versionWord,
     * cause} where versionWord = version | CLOSED_BIT, the version growing by VERSION_STEP (2) per
     * store (tokio's encoding: state = version << 1 | closed, in steps of 2). Readers (borrow,
     * borrowAndUpdate, hasChanged, the fast path of changed/waitFor) do one acquire read of
     * `current`: value and version are consistent by construction. A receiver keeps `seen`, the
     * version it last marked seen (WatchReceiverCore).
     *
     * Writes. send(v) is a lock-free CAS loop that replaces the snapshot (no user code, so a retry
     * is harmless). sendModify, sendIfModified, sendReplace and closeChannel take `writeLock`, so
     * the modify function runs once and writers that read-then-write are atomic among themselves;
     * they still publish by CAS because send() takes no lock. A CAS of a locked writer can then
     * only fail because of a concurrent send(): a modify that loses it is linearized immediately
     * before that send (its result is superseded at once, as if overwritten); it is not re-run.
     * sendReplace re-reads and retries (no user code). Closing sets CLOSED_BIT by CAS under the
     * lock, so no modify straddles a close. Linearization points: the successful CAS; for a modify
     * that lost, just before the winning send's CAS (which lies within the modify's interval,
     * since the modify read the snapshot that send replaced).
     *
     * Waiting (no lost wake-up, as tokio: register before comparing versions). A receiver that
     * must wait links its ChangedWaiter under `waitLock`, writes the volatile `hasWaiters`, and
     * only then re-reads `current` (register): if the version moved from the waiter's `from` (or
     * CLOSED_BIT is set) it unlinks itself and completes at once. A writer CASes `current` and
     * then reads `hasWaiters` without the lock (wakeWaiters); if set, it takes `waitLock` and
     * claims every waiter for which the newest snapshot is news (version differs from the
     * waiter's `from`, or closed), leaving the others linked. Both sides write a volatile and then
     * read the other's (Dekker), so at least one of them sees the other. Waiters fire after the
     * lock is released (trampolined).
     *
     * Sender.closed(): receivers are counted in `receivers`; the close of the last one (and the
     * close of the channel) takes `waitLock` and claims the `senderClosedWaiters`, which register
     * under the same lock after re-reading the count and the snapshot.
     *
     * Access modes.
     *   - Sequentially consistent (volatile write then volatile read of another variable; with
     *     only release/acquire both sides of a pair could miss each other): the Dekker pair above,
     *     `hasWaiters = true` then the read of `current` in register against the CAS of `current`
     *     then the read of `hasWaiters` in wakeWaiters; and, in WatchReceiverCore.WaitFor, the
     *     write of `round` then the read of `withdrawn` against the write of `withdrawn` then the
     *     read of `round`.
     *   - Release/acquire: the CAS of `current` (release) publishes the value to every read of
     *     `current` (acquire), which is the memory-consistency guarantee of the Watch javadoc; the
     *     CAS and getAndAdd of the handle counts; a ChangedWaiter's `reported` version, written
     *     before fire() and read after its future is done (the future's completion orders it);
     *     the receiver's `pending` slot (CAS to set, volatile read).
     *   - Under `waitLock` (no ordering argument beyond the lock): both waiter lists, the clearing
     *     of `hasWaiters`, and the Sender.closed() hand-shake: the last receiver decrements the
     *     count before it takes the lock, a registrant reads it under the lock, so one of them sees
     *     the other.
     *   - Plain, confined to one receiver (single consumer, calls ordered by the caller): `seen`.
     *
     * Progress. Reads and send() are lock-free; the other writers hold `writeLock` only around
     * the modify function and one CAS; a store takes `waitLock` only when someone waits, for
     * O(waiters) steps, and runs no user code under it. Unlike tokio (8 sharded Notify lists),
     * there is one waiter list; shard it if the WatchLatest benchmark shows the lock.
     *
     * Guarded by WatchLincheckTest (model checking, cancellation included) and WatchRaceTest; the
     * views by WatchViewTest and WatchPublisherLincheckTest, and in tck-tests by WatchViewRaceTest
     * and the Watch*TckTest classes.
     */

    // ---- state encoding (tokio: version in steps of 2, bit 0 = closed) ----

    /** Bit 0 of the version word: the channel is closed. */
    static final long CLOSED_BIT = 1L;

    /** What a store adds to the version word: the version grows in steps of 2. */
    static final long VERSION_STEP = 2L;

    /** The version of the initial value. */
    static final long INITIAL_VERSION = 0L;

    /**
     * No version (odd, so never equal to one): a value not evaluated yet, a wait that reported
     * nothing, a blocking wait that timed out.
     */
    static final long NO_VERSION = -1L;

    /**
     * An immutable value, version and closed flag, published as one reference. Read by the
     * publisher views without allocating a {@link Watch.Ref}.
     *
     * @param <T> the type of the value
     */
    static final class Snapshot<T> {
        final T value;

        /** {@code version | CLOSED_BIT}. */
        final long versionWord;

        /** The cause given to closeChannel, or null. */
        final Throwable cause;

        Snapshot(T value, long versionWord, Throwable cause) {
            this.value = value;
            this.versionWord = versionWord;
            this.cause = cause;
        }

        long version() {
            return versionWord & ~CLOSED_BIT;
        }

        boolean isClosed() {
            return (versionWord & CLOSED_BIT) != 0L;
        }
    }

    /** The current snapshot; written by CAS (release), read with volatile (acquire) semantics. */
    volatile Snapshot<T> current;

    /** Serializes the writers that read-then-write (modify, replace, closeChannel). */
    private final ReentrantLock writeLock = new ReentrantLock();

    /** Guards both waiter lists. */
    private final ShortLock waitLock = new ShortLock();

    /** Receivers waiting for a new version (ChangedWaiters); guarded by waitLock. */
    private final WaiterList waiters = new WaiterList();

    /** Sender.closed() waits; guarded by waitLock. */
    private final WaiterList senderClosedWaiters = new WaiterList();

    /** True while {@code waiters} may be non-empty; the Dekker flag (see the overview). */
    private volatile boolean hasWaiters;

    /** Open sender handles; VarHandle atomics. */
    private volatile int senders = 1;

    /** Open receiver handles; VarHandle atomics. */
    private volatile int receivers = 1;

    WatchShared(T initial) {
        this.current = new Snapshot<>(initial, INITIAL_VERSION, null);
    }

    // ---- handle counts ----

    int senderCount() {
        return senders;
    }

    int receiverCount() {
        return receivers;
    }

    void addSender() {
        SENDERS.getAndAdd(this, 1);
    }

    /** A sender handle closed: the last one closes the channel. */
    void dropSender() {
        if ((int) SENDERS.getAndAdd(this, -1) == 1) {
            closeChannel(null);
        }
    }

    void addReceiver() {
        RECEIVERS.getAndAdd(this, 1);
    }

    /** A receiver handle closed: the last one completes the Sender.closed() waits. */
    void dropReceiver() {
        if ((int) RECEIVERS.getAndAdd(this, -1) == 1) {
            wakeSenderClosedWaiters();
        }
    }

    // ---- writing ----

    /** Sender.send: stores {@code value} lock-free if a receiver exists. */
    void send(T value) {
        rejectInsideModify("send");
        Snapshot<T> s = current;
        if (s.isClosed()) {
            throw closedForSend(s, "send");
        }
        // Read before the store, as in tokio: a send racing with the close of the last receiver
        // may still store its value.
        if (receivers == 0) {
            throw new ClosedException(
                    "Watch.Sender.send: the channel has no receivers (receiverCount was 0); the"
                            + " value was not stored");
        }
        for (; ; ) {
            s = current;
            if (s.isClosed()) {
                throw closedForSend(s, "send");
            }
            // release; pairs with the volatile reads of current
            if (CURRENT.compareAndSet(
                    this, s, new Snapshot<>(value, s.versionWord + VERSION_STEP, null))) {
                break;
            }
        }
        wakeWaiters();
    }

    /** Sender.sendReplace: under writeLock, retried (no user code); returns the old value. */
    T replace(T value) {
        Snapshot<T> s;
        lockForWrite("sendReplace");
        try {
            for (; ; ) {
                s = current;
                if (s.isClosed()) {
                    throw closedForSend(s, "sendReplace");
                }
                if (CURRENT.compareAndSet(
                        this, s, new Snapshot<>(value, s.versionWord + VERSION_STEP, null))) {
                    break;
                }
            }
        } finally {
            writeLock.unlock();
        }
        wakeWaiters();
        return s.value;
    }

    /**
     * Sender.sendModify ({@code update} non-null) and Sender.sendIfModified ({@code modifyInPlace}
     * non-null): runs the function once under writeLock and stores its result, for sendIfModified
     * only if it reports a change. Returns whether it stored.
     */
    boolean modify(UnaryOperator<T> update, Predicate<? super T> modifyInPlace, String method) {
        lockForWrite(method);
        try {
            Snapshot<T> s = current;
            if (s.isClosed()) {
                throw closedForSend(s, method);
            }
            T result;
            if (update != null) {
                result = update.apply(s.value);
                Objects.requireNonNull(result, "update must not return null");
            } else {
                if (!modifyInPlace.test(s.value)) {
                    return false;
                }
                result = s.value;
            }
            // Fails only if a lock-free send() replaced s meanwhile: this modify is then
            // linearized just before that send and superseded by it (see the overview).
            CURRENT.compareAndSet(
                    this, s, new Snapshot<>(result, s.versionWord + VERSION_STEP, null));
        } finally {
            writeLock.unlock();
        }
        wakeWaiters();
        return true;
    }

    /**
     * Sets CLOSED_BIT (with an optional cause); returns true if this call closed the channel. The
     * callers that must reject reentrancy (Sender.closeChannel, Sender.close) have done so.
     */
    boolean closeChannel(Throwable cause) {
        writeLock.lock();
        try {
            for (; ; ) {
                Snapshot<T> s = current;
                if (s.isClosed()) {
                    return false;
                }
                if (CURRENT.compareAndSet(
                        this, s, new Snapshot<>(s.value, s.versionWord | CLOSED_BIT, cause))) {
                    break;
                }
            }
        } finally {
            writeLock.unlock();
        }
        wakeWaiters();
        wakeSenderClosedWaiters(); // Sender.closed() also reports a channel closed by closeChannel
        return true;
    }

    /** Throws if the calling thread runs a modify function of this channel. */
    void rejectInsideModify(String method) {
        if (writeLock.isHeldByCurrentThread()) {
            throw new IllegalStateException(
                    "Watch.Sender."
                            + method
                            + " must not be called from inside a sendModify/sendIfModified function"
                            + " of the same channel but it was");
        }
    }

    private void lockForWrite(String method) {
        rejectInsideModify(method);
        writeLock.lock();
    }

    private static ClosedException closedForSend(Snapshot<?> s, String method) {
        return new ClosedException(
                "Watch.Sender."
                        + method
                        + ": the channel was closed by closeChannel; the value was not stored",
                s.cause);
    }

    /** The failure of a receiver wait that found the channel closed and nothing new. */
    static ClosedException closedForRecv(Snapshot<?> s, String method) {
        if (s.cause != null) {
            return new ClosedException(
                    "Watch.Receiver."
                            + method
                            + ": the channel was closed by closeChannel and the current value was"
                            + " seen",
                    s.cause);
        }
        return new ClosedException(
                "Watch.Receiver."
                        + method
                        + ": the channel was closed (every Sender is gone) and the current value"
                        + " was seen");
    }

    // ---- receivers waiting for a change ----

    /**
     * Links {@code w} (waiting for a version other than {@code w.from}) unless the snapshot already
     * differs; returns null if linked, else the snapshot that ends the wait.
     */
    Snapshot<T> register(WatchReceiverCore.ChangedWaiter<?> w) {
        waitLock.lock();
        try {
            waiters.addLast(w);
            hasWaiters = true; // volatile write, then the read of current below (Dekker)
            Snapshot<T> s = current;
            if (s.version() != w.from || s.isClosed()) {
                waiters.remove(w);
                if (waiters.isEmpty()) {
                    hasWaiters = false;
                }
                return s;
            }
            return null;
        } finally {
            waitLock.unlock();
        }
    }

    /** Claims every waiter for which the current snapshot is news; fires after unlocking. */
    private void wakeWaiters() {
        if (!hasWaiters) { // read after the CAS of current (Dekker)
            return;
        }
        FireChain chain = new FireChain();
        waitLock.lock();
        try {
            Snapshot<T> s = current;
            for (int n = waiters.size(); n > 0; n--) {
                WatchReceiverCore.ChangedWaiter<?> w =
                        (WatchReceiverCore.ChangedWaiter<?>) waiters.pollFirst();
                if (s.version() == w.from && !s.isClosed()) {
                    waiters.addLast(w); // registered after this version: keep waiting
                } else if (w.tryClaim()) {
                    w.recordOutcome(s);
                    chain.add(w);
                } // else cancelled concurrently: its withdraw() finds it unlinked
            }
            if (waiters.isEmpty()) {
                hasWaiters = false;
            }
        } finally {
            waitLock.unlock();
        }
        chain.fireAll();
    }

    /** Unlinks a cancelled waiter of either list. */
    void withdraw(Waiter<?> w) {
        waitLock.lock();
        try {
            if (waiters.remove(w) && waiters.isEmpty()) {
                hasWaiters = false;
            }
            senderClosedWaiters.remove(w);
        } finally {
            waitLock.unlock();
        }
    }

    // ---- Sender.closed() ----

    /** Sender.isClosed: no receiver is left, or the channel is closed. */
    boolean senderClosed() {
        return receivers == 0 || current.isClosed();
    }

    /** Sender.closed: a future completed once {@link #senderClosed()} holds. */
    CompletableFuture<Void> senderClosedFuture() {
        if (senderClosed()) {
            return StackSafeFuture.completed(null);
        }
        SenderClosedWaiter w = new SenderClosedWaiter(this);
        waitLock.lock();
        try {
            if (senderClosed()) { // re-read under the lock (see the overview)
                return StackSafeFuture.completed(null);
            }
            senderClosedWaiters.addLast(w);
        } finally {
            waitLock.unlock();
        }
        return w.future();
    }

    private void wakeSenderClosedWaiters() {
        FireChain chain = new FireChain();
        waitLock.lock();
        try {
            if (!senderClosed()) {
                return; // reopened by subscribe meanwhile
            }
            for (Waiter<?> x; (x = senderClosedWaiters.pollFirst()) != null; ) {
                if (x.tryClaim()) {
                    chain.add(x);
                }
            }
        } finally {
            waitLock.unlock();
        }
        chain.fireAll();
    }

    /** A Sender.closed() wait. */
    private static final class SenderClosedWaiter extends Waiter<Void> {
        private final WatchShared<?> shared;

        SenderClosedWaiter(WatchShared<?> shared) {
            super(false);
            this.shared = shared;
        }

        @Override
        protected void undelivered(Void v) {
            // Nothing to give back.
        }

        @Override
        protected void withdraw() {
            shared.withdraw(this);
        }
    }

    /** For tests: linked waiters of both lists. */
    int queuedWaiters() {
        waitLock.lock();
        try {
            return waiters.size() + senderClosedWaiters.size();
        } finally {
            waitLock.unlock();
        }
    }

    // VarHandle mechanics
    private static final VarHandle CURRENT;
    private static final VarHandle SENDERS;
    private static final VarHandle RECEIVERS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CURRENT = l.findVarHandle(WatchShared.class, "current", Snapshot.class);
            SENDERS = l.findVarHandle(WatchShared.class, "senders", int.class);
            RECEIVERS = l.findVarHandle(WatchShared.class, "receivers", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
