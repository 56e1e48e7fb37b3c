package dev.tributary.sync;

import dev.tributary.sync.internal.BlockingCheck;
import dev.tributary.sync.internal.FireChain;
import dev.tributary.sync.internal.Spin;
import dev.tributary.sync.internal.StackSafeFuture;
import dev.tributary.sync.internal.Waiter;
import dev.tributary.sync.internal.WaiterList;
import dev.tributary.sync.internal.WaitingFuture;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * A single-value channel that keeps only the latest value: tokio's {@code sync::watch}. Senders
 * replace the value; receivers look at the current value and wait for it to change.
 *
 * <ul>
 *   <li><b>Producers</b>: any number of {@link Sender} handles ({@link Sender#clone()}); stores
 *       never wait.
 *   <li><b>Consumers</b>: any number of {@link Receiver} handles ({@link Sender#subscribe()},
 *       {@link Receiver#clone()}); each one is a single consumer that remembers which version it
 *       has seen. Every receiver sees the same value; nobody consumes it.
 *   <li><b>Capacity</b>: one value. Intermediate values may be skipped: a receiver always sees the
 *       latest value, never a backlog.
 *   <li><b>Versions</b>: every store bumps a version; {@link Receiver#changed()} completes when the
 *       version differs from the one the receiver last marked seen ({@link
 *       Receiver#borrowAndUpdate()}, {@link Receiver#markUnchanged()}, a matching {@link
 *       Receiver#waitFor(Predicate)}, and {@code changed()} itself, which marks the version it
 *       reports, as tokio's does).
 *   <li><b>Closing</b>: the channel closes when the last {@code Sender} handle closes, or when any
 *       sender calls {@link Sender#closeChannel(Throwable)}. A receiver that has not seen the final
 *       value is still told about it; after that, waits fail with {@link ClosedException} (carrying
 *       the cause given to {@code closeChannel}, if any). On the sender side, {@link
 *       Sender#isClosed()} reports that no receiver is left (a later {@link Sender#subscribe()}
 *       reopens it) or that the channel was closed.
 *   <li><b>Reactive Streams</b>: {@link Sender#asPublisher()} and {@link Receiver#asPublisher()}
 *       (multicast, current value first, conflated), {@link Sender#asSubscriber()} (unbounded); JDK
 *       {@code Flow} forms too. A Tributary addition.
 *   <li><b>Values</b>: never null. Values are shared with every receiver: prefer immutable values.
 *       A value mutated in place by {@link Sender#sendModify(UnaryOperator)} is seen mutated,
 *       without synchronization, by readers that borrowed it earlier (tokio's read lock prevents
 *       that; reads here take no lock).
 * </ul>
 *
 * <pre>{@code
 * Watch.Channel<Config> ch = Watch.channel(initialConfig);
 * Watch.Receiver<Config> rx = ch.receiver();
 * rx.changed().thenRun(() -> apply(rx.borrowAndUpdate().get()));
 * ch.sender().send(newConfig);
 * }</pre>
 *
 * <p><b>Memory consistency effects:</b> actions in a thread before storing a value (any {@code
 * send*} method) happen-before actions in another thread after it reads that value or a later one
 * ({@code borrow}, {@code borrowAndUpdate}, {@code waitFor}), and after the completion of a {@code
 * changed()} that this store completed.
 */
public final class Watch {

    /*
     * Implementation overview (ported from tokio's sync/watch.rs; tokio guards the value with a
     * RwLock, here reads take no lock).
     *
     * State. `Shared.current` is a volatile reference to an immutable Snapshot {value, state,
     * cause} where state = version | CLOSED, the version growing by 2 per store (tokio's encoding:
     * state = version << 1 | closed, in steps of 2). Readers (borrow, borrowAndUpdate, hasChanged,
     * the fast path of changed/waitFor) do one acquire read of `current`: value and version are
     * consistent by construction. A receiver keeps `seen`, the version it last marked seen.
     *
     * Writes. send(v) is a lock-free CAS loop that replaces the snapshot (no user code, so a retry
     * is harmless). sendModify, sendIfModified, sendReplace and closing take `writeLock`, so the
     * modify function runs once and writers that read-then-write are atomic among themselves;
     * they still publish by CAS because send() takes no lock. A CAS of a locked writer can then
     * only fail because of a concurrent send(): a modify that loses it is linearized immediately
     * before that send (its result is superseded at once, as if overwritten); it is not re-run.
     * sendReplace re-reads and retries (no user code). Closing sets CLOSED by CAS under the lock,
     * so no modify straddles a close. Linearization points: the successful CAS; for a modify that
     * lost, just before the winning send's CAS (which lies within the modify's interval, since the
     * modify read the snapshot that send replaced).
     *
     * Waiting (no lost wake-up, as tokio: register before comparing versions). A receiver that
     * must wait links its Waiter under `waitLock`, writes the volatile `hasWaiters`, and only then
     * re-reads `current`: if the version moved (or CLOSED is set) it unlinks itself and completes
     * at once. A writer CASes `current` and then reads `hasWaiters`; if set, it takes `waitLock`
     * and claims every waiter for which the newest snapshot is news (version differs from the
     * waiter's, or closed), leaving the others linked. Both sides write a volatile and then read
     * the other's (Dekker), so at least one of them sees the other. Waiters fire after the lock
     * is released (trampolined).
     *
     * Cancellation. changed() and waitFor mark the reported version seen lazily: the receiver
     * records its pending wait, and every receiver method first settles it (a changed() whose
     * future completed normally marks the version its waiter was granted, recorded by the
     * writer before firing; a waitFor whose future completed with the Ref it created marks the
     * matched version). Marking is therefore tied to the winner of the future's completion: an
     * outside cancel that wins marks nothing.
     *
     * Sender.closed(): receivers are counted in `receivers`; the close of the last one takes
     * `waitLock` and claims the `closedWaiters`, which register under the same lock after
     * re-reading the count.
     *
     * Progress. Reads and send() are lock-free; the other writers hold `writeLock` only around
     * the modify function and one CAS; a store takes `waitLock` only when someone waits, for
     * O(waiters) steps, and runs no user code under it. Unlike tokio (8 sharded Notify lists),
     * there is one waiter list; shard it if the contention benchmark shows the lock.
     *
     * Reactive Streams views (WatchPublisher, WatchSubscriber). A publisher subscription owns one
     * receiver (subscribe() or clone()); it reads `current` through Receiver.snapshot() (no Ref)
     * and waits only when it has caught up, through Receiver.awaitNot(v): a changed() wait from
     * version v, kept in the receiver's `pending` slot so that closing the receiver cancels it.
     *
     * Guarded by WatchLincheckTest (model checking, cancellation included) and WatchRaceTest; the
     * views by WatchViewTest, WatchViewRaceTest and the TCK classes in tck-tests.
     */

    private Watch() {}

    /**
     * Creates a watch channel holding {@code initial}: tokio's {@code watch::channel}. The receiver
     * has seen the initial value ({@link Receiver#hasChanged()} is false).
     *
     * @param initial the first value, non-null
     * @param <T> the type of the values
     * @return the sender and receiver handles
     * @throws NullPointerException if {@code initial} is null
     */
    public static <T> Channel<T> channel(T initial) {
        Objects.requireNonNull(initial, "initial must not be null");
        Shared<T> shared = new Shared<>(initial);
        return new Channel<>(new Sender<>(shared), new Receiver<>(shared, INITIAL_VERSION));
    }

    /**
     * Creates a watch channel holding {@code initial} and returns only its sender, with no receiver
     * yet: tokio's {@code Sender::new}. Receivers come from {@link Sender#subscribe()}; until the
     * first one, {@link Sender#send(Object)} fails (use {@link Sender#sendReplace(Object)} to store
     * regardless) and {@link Sender#isClosed()} is true.
     *
     * @param initial the first value, non-null
     * @param <T> the type of the values
     * @return the sender handle
     * @throws NullPointerException if {@code initial} is null
     */
    public static <T> Sender<T> sender(T initial) {
        Channel<T> ch = channel(initial);
        ch.receiver().close();
        return ch.sender();
    }

    /**
     * The two handles of a new channel.
     *
     * @param sender the first sender handle
     * @param receiver the first receiver handle
     * @param <T> the type of the values
     */
    public record Channel<T>(Sender<T> sender, Receiver<T> receiver) {}

    // ---- state encoding (tokio: version in steps of 2, bit 0 = closed) ----

    private static final long CLOSED = 1L;
    private static final long STEP = 2L;
    private static final long INITIAL_VERSION = 0L;

    /** Marks the version a waitFor has not evaluated yet (odd, so never a version). */
    private static final long NONE = -1L;

    /**
     * An immutable value, version and closed flag, published as one reference. Package-private for
     * the publisher views, which read it without allocating a {@link Ref}.
     */
    static final class Snapshot<T> {
        final T value;
        final long state;

        /** The cause given to closeChannel, or null. */
        final Throwable cause;

        Snapshot(T value, long state, Throwable cause) {
            this.value = value;
            this.state = state;
            this.cause = cause;
        }

        long version() {
            return state & ~CLOSED;
        }

        boolean isClosed() {
            return (state & CLOSED) != 0L;
        }
    }

    /**
     * An immutable snapshot of the value, read consistently with its version: tokio's {@code
     * watch::Ref}. Holding one locks nothing.
     *
     * @param <T> the type of the value
     */
    public static final class Ref<T> {
        private final T value;
        private final boolean changed;
        private final long version;

        Ref(T value, boolean changed, long version) {
            this.value = value;
            this.changed = changed;
            this.version = version;
        }

        /**
         * Returns the value.
         *
         * @return the value, never null
         */
        public T get() {
            return value;
        }

        /**
         * Returns whether this value was unseen by the receiver when it was borrowed: always false
         * for {@link Sender#borrow()}; for {@link Receiver#borrowAndUpdate()} and {@link
         * Receiver#waitFor(Predicate)}, whether it was news to the receiver before the call marked
         * it seen.
         *
         * @return whether the value was unseen
         */
        public boolean hasChanged() {
            return changed;
        }

        /** For tests: the version this value was stored with. */
        long version() {
            return version;
        }

        @Override
        public String toString() {
            return "Watch.Ref[" + value + (changed ? ", changed" : "") + "]";
        }
    }

    // ---- the shared channel ----

    private static final class Shared<T> {
        /** The current snapshot; written by CAS, read with acquire (volatile) semantics. */
        volatile Snapshot<T> current;

        /** Serializes the writers that read-then-write (modify, replace, close). */
        final ReentrantLock writeLock = new ReentrantLock();

        /** Guards both waiter lists. */
        final ReentrantLock waitLock = new ReentrantLock();

        /** Receivers waiting for a new version; guarded by waitLock. */
        final WaiterList waiters = new WaiterList();

        /** Sender.closed() waits; guarded by waitLock. */
        final WaiterList closedWaiters = new WaiterList();

        /** True while {@code waiters} may be non-empty; the Dekker flag (see the overview). */
        volatile boolean hasWaiters;

        /** Open sender handles; VarHandle atomics. */
        volatile int senders = 1;

        /** Open receiver handles; VarHandle atomics. */
        volatile int receivers = 1;

        Shared(T initial) {
            this.current = new Snapshot<>(initial, INITIAL_VERSION, null);
        }

        // ---- writing ----

        /** Lock-free store of a new value. */
        void send(T value) {
            for (; ; ) {
                Snapshot<T> s = current;
                if (s.isClosed()) {
                    throw closedForSend(s, "send");
                }
                // release; pairs with the volatile reads of current
                if (CURRENT.compareAndSet(this, s, new Snapshot<>(value, s.state + STEP, null))) {
                    break;
                }
            }
            wakeWaiters();
        }

        /** sendReplace: under writeLock, retried (no user code). */
        T replace(T value, String method) {
            Snapshot<T> s;
            lockForWrite(method);
            try {
                for (; ; ) {
                    s = current;
                    if (s.isClosed()) {
                        throw closedForSend(s, method);
                    }
                    if (CURRENT.compareAndSet(
                            this, s, new Snapshot<>(value, s.state + STEP, null))) {
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
         * sendModify/sendIfModified: runs {@code modify} once under writeLock, stores its result if
         * {@code notify} says so. Returns whether it stored.
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
                CURRENT.compareAndSet(this, s, new Snapshot<>(result, s.state + STEP, null));
            } finally {
                writeLock.unlock();
            }
            wakeWaiters();
            return true;
        }

        /** Sets CLOSED (with an optional cause); returns true if this call closed the channel. */
        boolean close(Throwable cause) {
            writeLock.lock(); // reentrancy was rejected by the caller where it matters
            try {
                for (; ; ) {
                    Snapshot<T> s = current;
                    if (s.isClosed()) {
                        return false;
                    }
                    if (CURRENT.compareAndSet(
                            this, s, new Snapshot<>(s.value, s.state | CLOSED, cause))) {
                        break;
                    }
                }
            } finally {
                writeLock.unlock();
            }
            wakeWaiters();
            wakeClosedWaiters(); // Sender.closed() also reports a channel closed by closeChannel
            return true;
        }

        private void lockForWrite(String method) {
            if (writeLock.isHeldByCurrentThread()) {
                throw reentrant(method);
            }
            writeLock.lock();
        }

        static IllegalStateException reentrant(String method) {
            return new IllegalStateException(
                    "Watch.Sender."
                            + method
                            + " must not be called from inside a sendModify/sendIfModified function"
                            + " of the same channel but it was");
        }

        ClosedException closedForSend(Snapshot<T> s, String method) {
            return new ClosedException(
                    "Watch.Sender."
                            + method
                            + ": the channel was closed by closeChannel; the value was not stored",
                    s.cause);
        }

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

        // ---- waiting ----

        /**
         * Links {@code w} (waiting for a version other than {@code w.seen}) unless the snapshot
         * already differs; returns null if linked, else the snapshot that ends the wait.
         */
        Snapshot<T> register(ChangedWaiter<?> w) {
            waitLock.lock();
            try {
                waiters.addLast(w);
                hasWaiters = true; // volatile write, then the read of current below (Dekker)
                Snapshot<T> s = current;
                if (s.version() != w.seen || s.isClosed()) {
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
        void wakeWaiters() {
            if (!hasWaiters) { // read after the CAS of current (Dekker)
                return;
            }
            FireChain chain = new FireChain();
            waitLock.lock();
            try {
                Snapshot<T> s = current;
                for (int n = waiters.size(); n > 0; n--) {
                    ChangedWaiter<?> w = (ChangedWaiter<?>) waiters.pollFirst();
                    if (s.version() == w.seen && !s.isClosed()) {
                        waiters.addLast(w); // registered after this version: keep waiting
                    } else if (w.tryClaim()) {
                        w.grant(s);
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

        void withdraw(Waiter<?> w) {
            waitLock.lock();
            try {
                if (waiters.remove(w) && waiters.isEmpty()) {
                    hasWaiters = false;
                }
                closedWaiters.remove(w);
            } finally {
                waitLock.unlock();
            }
        }

        boolean senderClosed() {
            return receivers == 0 || current.isClosed();
        }

        /** Links a Sender.closed() waiter unless closed; returns whether it is linked. */
        boolean registerClosed(ClosedWaiter w) {
            waitLock.lock();
            try {
                if (senderClosed()) {
                    return false;
                }
                closedWaiters.addLast(w);
                return true;
            } finally {
                waitLock.unlock();
            }
        }

        void wakeClosedWaiters() {
            FireChain chain = new FireChain();
            waitLock.lock();
            try {
                if (!senderClosed()) {
                    return; // reopened by subscribe meanwhile
                }
                for (Waiter<?> x; (x = closedWaiters.pollFirst()) != null; ) {
                    if (x.tryClaim()) {
                        chain.add(x);
                    }
                }
            } finally {
                waitLock.unlock();
            }
            chain.fireAll();
        }

        int queuedWaiters() {
            waitLock.lock();
            try {
                return waiters.size() + closedWaiters.size();
            } finally {
                waitLock.unlock();
            }
        }

        // VarHandle mechanics (of Shared)
        private static final VarHandle CURRENT;

        private static final VarHandle SENDERS;
        private static final VarHandle RECEIVERS;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                CURRENT = l.findVarHandle(Shared.class, "current", Snapshot.class);
                SENDERS = l.findVarHandle(Shared.class, "senders", int.class);
                RECEIVERS = l.findVarHandle(Shared.class, "receivers", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /** A receiver's wait for a version other than {@code seen}. */
    private static final class ChangedWaiter<V> extends Waiter<V> {
        private final Shared<?> shared;
        final long seen;
        private final V onChange;

        /**
         * The version reported by a granted wait: written by the claiming writer before {@link
         * #fire()}, read by the receiver after the future completed (the completion orders it).
         */
        long granted = NONE;

        ChangedWaiter(Shared<?> shared, boolean blocking, long seen, V onChange) {
            super(blocking);
            this.shared = shared;
            this.seen = seen;
            this.onChange = onChange;
        }

        /** Records the outcome for snapshot {@code s}; called by the claiming owner. */
        void grant(Snapshot<?> s) {
            if (s.version() != seen) {
                granted = s.version();
                setValue(onChange);
            } else {
                setFailure(Shared.closedForRecv(s, "changed"));
            }
        }

        @Override
        protected void undelivered(V v) {
            // Nothing to give back: the mark is applied only for a future that completed
            // normally (Receiver.settle), so a lost delivery marks nothing (cancel-safe).
        }

        @Override
        protected void withdraw() {
            shared.withdraw(this);
        }
    }

    /** A Sender.closed() wait. */
    private static final class ClosedWaiter extends Waiter<Void> {
        private final Shared<?> shared;

        ClosedWaiter(Shared<?> shared) {
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

    // ---- Sender ----

    /**
     * The sending half: tokio's {@code watch::Sender}. Cloneable ({@link #clone()} makes a new
     * counted handle); the channel closes when the last sender handle closes. Thread-safe.
     *
     * @param <T> the type of the values
     */
    public static final class Sender<T> implements AutoCloseable {
        private final Shared<T> shared;
        private volatile boolean handleClosed;

        Sender(Shared<T> shared) {
            this.shared = shared;
        }

        private void ensureOpen() {
            if (handleClosed) {
                throw new IllegalStateException("this Watch.Sender handle was closed");
            }
        }

        /**
         * Stores {@code value} and notifies every receiver, if at least one receiver exists:
         * tokio's {@code Sender::send}. With no receiver the value is <em>not</em> stored (a later
         * {@link #subscribe()} sees the old value); use {@link #sendReplace(Object)} to store
         * regardless. Lock-free.
         *
         * <p>The receiver count is read before the store, as in tokio: a send racing with the close
         * of the last receiver may still store its value and return normally.
         *
         * @param value the new value, non-null
         * @throws ClosedException if no receiver exists ({@link #receiverCount()} is 0), or the
         *     channel was closed by {@link #closeChannel(Throwable)}; the value was not stored
         * @throws NullPointerException if {@code value} is null
         * @throws IllegalStateException if this handle was closed, or if called from inside a
         *     modify function of this channel
         */
        public void send(T value) {
            Objects.requireNonNull(value, "value must not be null");
            ensureOpen();
            if (shared.writeLock.isHeldByCurrentThread()) {
                throw Shared.reentrant("send");
            }
            Snapshot<T> s = shared.current;
            if (s.isClosed()) {
                throw shared.closedForSend(s, "send");
            }
            if (shared.receivers == 0) {
                throw new ClosedException(
                        "Watch.Sender.send: the channel has no receivers (receiverCount was 0); the"
                                + " value was not stored");
            }
            shared.send(value);
        }

        /**
         * Replaces the value with {@code update}'s result and notifies every receiver, whether or
         * not any receiver exists: tokio's {@code Sender::send_modify}. The function receives the
         * current value and returns the new one, which may be the same instance, mutated in place
         * (receivers that borrowed it earlier then see the mutation, unsynchronized: prefer
         * returning a new value). Modify functions of one channel run one at a time.
         *
         * <p>{@code update} runs on the calling thread under the channel's writer lock: it must not
         * call back into this channel's senders (send methods, {@code close}, {@code closeChannel}
         * throw {@link IllegalStateException} then); reading ({@code borrow}) is fine. If it
         * throws, nothing is stored or notified and the exception propagates; a value it mutated in
         * place before throwing stays mutated (tokio likewise keeps a partial modification, but
         * does notify).
         *
         * <p>A concurrent {@link #send(Object)} (which takes no lock) may supersede the result at
         * once, as if it had been stored and then overwritten.
         *
         * @param update computes the new value from the current one; must not return null
         * @throws NullPointerException if {@code update} is null or returns null (nothing stored)
         * @throws ClosedException if the channel was closed by {@link #closeChannel(Throwable)}
         * @throws IllegalStateException if this handle was closed, or if called from inside a
         *     modify function of this channel
         */
        public void sendModify(UnaryOperator<T> update) {
            Objects.requireNonNull(update, "update must not be null");
            ensureOpen();
            shared.modify(update, null, "sendModify");
        }

        /**
         * Lets {@code modify} change the value in place and notifies the receivers only if it
         * reports a change: tokio's {@code Sender::send_if_modified}. Returning false leaves the
         * version unchanged, so receivers are not told (an in-place change they happen to read is
         * visible nevertheless). Same locking, reentrancy and failure rules as {@link
         * #sendModify(UnaryOperator)}; stores even without receivers.
         *
         * @param modify mutates the value in place and returns whether it did
         * @return the value {@code modify} returned: whether receivers were notified
         * @throws NullPointerException if {@code modify} is null
         * @throws ClosedException if the channel was closed by {@link #closeChannel(Throwable)}
         * @throws IllegalStateException if this handle was closed, or if called from inside a
         *     modify function of this channel
         */
        public boolean sendIfModified(Predicate<? super T> modify) {
            Objects.requireNonNull(modify, "modify must not be null");
            ensureOpen();
            return shared.modify(null, modify, "sendIfModified");
        }

        /**
         * Stores {@code value}, even without receivers, notifies the receivers and returns the
         * value it replaced: tokio's {@code Sender::send_replace}.
         *
         * @param value the new value, non-null
         * @return the previous value
         * @throws NullPointerException if {@code value} is null
         * @throws ClosedException if the channel was closed by {@link #closeChannel(Throwable)}
         * @throws IllegalStateException if this handle was closed, or if called from inside a
         *     modify function of this channel
         */
        public T sendReplace(T value) {
            Objects.requireNonNull(value, "value must not be null");
            ensureOpen();
            return shared.replace(value, "sendReplace");
        }

        /**
         * Returns the current value: tokio's {@code Sender::borrow}. Its {@link Ref#hasChanged()}
         * is false. Lock-free; works on a closed handle too.
         *
         * @return a snapshot of the current value
         */
        public Ref<T> borrow() {
            Snapshot<T> s = shared.current; // acquire; pairs with the CAS of the writers
            return new Ref<>(s.value, false, s.version());
        }

        /**
         * Creates a new receiver that has seen the current value: tokio's {@code
         * Sender::subscribe}. If the channel had no receivers left, it is open again for {@link
         * #send(Object)} and {@link #isClosed()} (unless it was closed by {@link
         * #closeChannel(Throwable)}).
         *
         * @return a new receiver handle
         * @throws IllegalStateException if this handle was closed
         */
        public Receiver<T> subscribe() {
            ensureOpen();
            Shared.RECEIVERS.getAndAdd(shared, 1);
            return new Receiver<>(shared, shared.current.version());
        }

        /**
         * Waits until no receiver is left, or the channel is closed: tokio's {@code
         * Sender::closed}. Completes at once if that is already the case. A later {@link
         * #subscribe()} does not undo a completion.
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>Cancel-safe: cancelling the returned future (or {@code completeExceptionally},
         *       {@code orTimeout}) withdraws the wait; nothing else changes. Cancelling a dependent
         *       stage does not reach this future.
         *   <dt>Fairness
         *   <dd>None needed: every waiter is completed.
         *   <dt>Completion thread
         *   <dd>Already complete if closed; otherwise completed by the thread that closes the last
         *       receiver (or calls {@code closeChannel}), after internal locks are released,
         *       trampolined.
         * </dl>
         *
         * @return a future completed when the channel has no receivers or is closed
         */
        public CompletableFuture<Void> closed() {
            if (shared.senderClosed()) {
                return StackSafeFuture.completed(null);
            }
            ClosedWaiter w = new ClosedWaiter(shared);
            return shared.registerClosed(w) ? w.future() : StackSafeFuture.completed(null);
        }

        /**
         * Returns true if no receiver is left ({@link #receiverCount()} is 0), as tokio's {@code
         * Sender::is_closed}, or if the channel was closed by {@link #closeChannel(Throwable)}. For
         * monitoring, not for synchronization control.
         *
         * @return whether sending is pointless
         */
        public boolean isClosed() {
            return shared.senderClosed();
        }

        /**
         * Returns the number of open receiver handles. For monitoring.
         *
         * @return the receiver count
         */
        public int receiverCount() {
            return shared.receivers;
        }

        /**
         * Returns the number of open sender handles. For monitoring.
         *
         * @return the sender count
         */
        public int senderCount() {
            return shared.senders;
        }

        /**
         * Returns true if {@code other} sends on the same channel.
         *
         * @param other another sender, non-null
         * @return whether both handles belong to one channel
         */
        public boolean sameChannel(Sender<?> other) {
            Objects.requireNonNull(other, "other must not be null");
            return shared == other.shared;
        }

        /**
         * Creates a new counted sender handle on the same channel: tokio's {@code Clone}. The
         * channel stays open until every handle is closed.
         *
         * @return a new sender handle
         * @throws IllegalStateException if this handle was closed
         */
        @Override
        public Sender<T> clone() {
            ensureOpen();
            Shared.SENDERS.getAndAdd(shared, 1);
            return new Sender<>(shared);
        }

        /**
         * Closes this handle (tokio's drop); idempotent. Closing the last sender handle closes the
         * channel: receivers get the final value if unseen, then {@link ClosedException}.
         *
         * @throws IllegalStateException if called from inside a modify function of this channel
         *     (nothing is closed then)
         */
        @Override
        public void close() {
            if (shared.writeLock.isHeldByCurrentThread()) {
                throw Shared.reentrant("close");
            }
            if (!HANDLE_CLOSED.compareAndSet(this, false, true)) {
                return;
            }
            if ((int) Shared.SENDERS.getAndAdd(shared, -1) == 1) {
                shared.close(null);
            }
        }

        /**
         * Closes the channel for every handle with {@code cause}, and this handle (beyond tokio,
         * like kotlinx {@code close(cause)}). Receivers first get the final value if they have not
         * seen it; then {@link Receiver#changed()}, {@link Receiver#waitFor(Predicate)} and {@link
         * Receiver#hasChanged()} fail with a {@link ClosedException} whose {@code getCause()} is
         * {@code cause}. Later sends through other sender handles fail with such an exception, and
         * {@link #isClosed()} is true for good.
         *
         * @param cause why the channel closed, non-null
         * @return true if this call closed the channel; false if it was already closed (the cause
         *     is then ignored)
         * @throws NullPointerException if {@code cause} is null
         * @throws IllegalStateException if this handle was closed, or if called from inside a
         *     modify function of this channel
         */
        public boolean closeChannel(Throwable cause) {
            Objects.requireNonNull(cause, "cause must not be null");
            ensureOpen();
            if (shared.writeLock.isHeldByCurrentThread()) {
                throw Shared.reentrant("closeChannel");
            }
            boolean closedIt = shared.close(cause);
            close();
            return closedIt;
        }

        /**
         * Returns a Reactive Streams {@link Publisher} of this channel's values: each subscription
         * is a fresh receiver, as from {@link #subscribe()}. A Tributary addition: tokio has no
         * Reactive Streams counterpart. Lazy: nothing is registered until {@code subscribe}.
         *
         * <ul>
         *   <li><b>Subscribers</b>: any number (multicast). Subscribing needs this handle open:
         *       after it was closed, a subscriber gets {@code onSubscribe} then {@code
         *       onError(IllegalStateException)}. A subscription keeps the channel open for {@link
         *       #send(Object)} (it counts as a receiver).
         *   <li><b>Demand</b>: the first request delivers the <em>current</em> value (even one the
         *       source has seen), then each later delivery is the value current at that moment, if
         *       newer than the one delivered last. Conflated: a subscriber without demand is not
         *       queued for; when it requests again it gets only the newest value, never a backlog.
         *       So values arrive in store order, each store at most once, and intermediate values
         *       may be skipped.
         *   <li><b>Terminal signals</b>: once every sender handle is closed, {@code onComplete}
         *       after the final value was delivered to this subscriber (it waits for demand if that
         *       value is still unseen). After {@link Sender#closeChannel(Throwable)}: the final
         *       value first, likewise, then {@code onError(cause)} with that cause itself (as
         *       {@link Receiver#changed()} reports the final value before failing).
         *   <li><b>Cancellation</b>: {@code cancel()} closes that subscription's receiver ({@link
         *       Sender#receiverCount()} drops by one) and withdraws its pending wait; nothing is
         *       consumed, since watch values are not consumed.
         *   <li><b>Fairness</b>: none needed: a store wakes every waiting subscription and no
         *       subscription waits for another; a slow subscriber only skips values.
         *   <li><b>Completion thread</b>: on the requesting thread when something is there to
         *       deliver; otherwise on the thread that stores the next value or closes the channel,
         *       after internal locks are released, trampolined. Never recursively from {@code
         *       request} inside {@code onNext} (rule 3.3). Blocking in {@code onNext} blocks that
         *       sender.
         *   <li><b>Allocation</b>: none per delivered value; a subscription that has caught up
         *       waits with one {@code changed()}-style wait (a waiter, its future and one callback
         *       stage) until the next store.
         * </ul>
         *
         * @return a multicast publisher view of this channel
         */
        public Publisher<T> asPublisher() {
            return WatchPublisher.ofSender(this);
        }

        /**
         * The JDK {@link Flow} form of {@link #asPublisher()}, adapted by {@link
         * FlowAdapters#toFlowPublisher}; same semantics. A Tributary addition.
         *
         * @return a {@link Flow.Publisher} view of this channel
         */
        public Flow.Publisher<T> asFlowPublisher() {
            return FlowAdapters.toFlowPublisher(asPublisher());
        }

        /**
         * Returns a Reactive Streams {@link Subscriber} that stores every element it receives
         * through this sender. A Tributary addition: tokio has no Reactive Streams counterpart.
         *
         * <p>The view takes over this sender handle: upstream {@code onComplete} closes it ({@link
         * #close()}; the channel closes if it was the last one), upstream {@code onError(e)} calls
         * {@link #closeChannel(Throwable)} with {@code e}. {@link #clone()} it first to keep
         * sending from elsewhere.
         *
         * <ul>
         *   <li><b>Demand</b>: unbounded ({@code request(Long.MAX_VALUE)}): stores never wait.
         *   <li><b>Elements</b>: each is stored with {@link #sendReplace(Object)}, so it is stored
         *       even while no receiver exists (a later subscriber sees it as the current value),
         *       and receivers see only the latest (conflated). If a store fails (the channel was
         *       closed through another handle, or this handle was closed), the view cancels
         *       upstream and closes this handle.
         *   <li><b>Upstreams</b>: one; a second {@code onSubscribe} is cancelled (rule 2.5). Null
         *       signals throw {@link NullPointerException} (rule 2.13).
         *   <li><b>Completion thread</b>: waiting receivers (and publisher views) are completed on
         *       the thread that calls {@code onNext}, trampolined.
         * </ul>
         *
         * @return a subscriber view of this sender; subscribe it to one publisher only
         */
        public Subscriber<T> asSubscriber() {
            return new WatchSubscriber<>(this);
        }

        /**
         * The JDK {@link Flow} form of {@link #asSubscriber()}, adapted by {@link
         * FlowAdapters#toFlowSubscriber}; same semantics. A Tributary addition.
         *
         * @return a {@link Flow.Subscriber} view of this sender
         */
        public Flow.Subscriber<T> asFlowSubscriber() {
            return FlowAdapters.toFlowSubscriber(asSubscriber());
        }

        @Override
        public String toString() {
            Snapshot<T> s = shared.current;
            return "Watch.Sender["
                    + s.value
                    + (s.isClosed() ? ", channel closed" : "")
                    + (handleClosed ? ", handle closed" : "")
                    + ", receivers="
                    + shared.receivers
                    + "]";
        }
    }

    // ---- Receiver ----

    /**
     * The receiving half: tokio's {@code watch::Receiver}. Remembers the version it has seen.
     * Cloneable ({@link #clone()} keeps the version).
     *
     * <p>A receiver is a single consumer: at most one {@link #changed()} or {@link
     * #waitFor(Predicate)} (or blocking form) may be pending at a time, and calls are meant to be
     * ordered (one thread at a time, or from the completion of its own future), as tokio's {@code
     * &mut self}. Use {@link #clone()} for a second consumer.
     *
     * @param <T> the type of the values
     */
    public static final class Receiver<T> implements AutoCloseable {
        private final Shared<T> shared;

        /** The version last marked seen; written only by this receiver's methods. */
        private long seen;

        /**
         * The pending async wait (a changed() waiter or a waitFor future), {@link #BLOCKING} during
         * a blocking wait, or null.
         */
        private volatile Object pending;

        private volatile boolean handleClosed;

        Receiver(Shared<T> shared, long seen) {
            this.shared = shared;
            this.seen = seen;
        }

        private void ensureOpen() {
            if (handleClosed) {
                throw new IllegalStateException("this Watch.Receiver handle was closed");
            }
        }

        /** Applies a completed changed()/waitFor's mark and clears a finished pending wait. */
        private void settle() {
            Object p = pending;
            if (p instanceof ChangedWaiter) {
                ChangedWaiter<?> w = (ChangedWaiter<?>) p;
                CompletableFuture<?> f = w.future();
                if (f.isDone()) {
                    if (!f.isCompletedExceptionally()
                            && w.granted != NONE
                            && w.deliveredInternally()) {
                        seen = w.granted;
                    }
                    PENDING.compareAndSet(this, p, null);
                }
            } else if (p instanceof CompletableFuture && ((CompletableFuture<?>) p).isDone()) {
                if (p instanceof WaitFor) {
                    ((WaitFor<?>) p).applyMark(this);
                }
                PENDING.compareAndSet(this, p, null);
            }
        }

        private void ensureNotPending(String method) {
            if (pending != null) {
                throw pendingError(method);
            }
        }

        private static IllegalStateException pendingError(String method) {
            return new IllegalStateException(
                    "Watch.Receiver."
                            + method
                            + " requires no other pending changed()/waitFor() on this receiver"
                            + " (a Receiver has one consumer; clone() it for another) but one was"
                            + " pending");
        }

        private void claimPending(Object p, String method) {
            if (!PENDING.compareAndSet(this, null, p)) {
                throw pendingError(method);
            }
        }

        /**
         * Returns the current value without marking it seen: tokio's {@code Receiver::borrow}.
         * Lock-free; {@link Ref#hasChanged()} tells whether it was unseen.
         *
         * @return a snapshot of the current value
         * @throws IllegalStateException if this handle was closed
         */
        public Ref<T> borrow() {
            ensureOpen();
            settle();
            Snapshot<T> s = shared.current; // acquire; pairs with the CAS of the writers
            return new Ref<>(s.value, s.version() != seen, s.version());
        }

        /**
         * Returns the current value and marks it seen: tokio's {@code Receiver::borrow_and_update}.
         * Lock-free. {@link Ref#hasChanged()} tells whether it was unseen before this call.
         *
         * @return a snapshot of the current value
         * @throws IllegalStateException if this handle was closed
         */
        public Ref<T> borrowAndUpdate() {
            ensureOpen();
            settle();
            Snapshot<T> s = shared.current;
            long v = s.version();
            boolean changed = v != seen;
            seen = v;
            return new Ref<>(s.value, changed, v);
        }

        /**
         * Returns whether the current value is unseen: tokio's {@code Receiver::has_changed}.
         *
         * @return true if a value newer than the last seen one exists
         * @throws ClosedException if the channel is closed (every sender is gone, or {@link
         *     Sender#closeChannel(Throwable)}), even if the final value is unseen (as tokio)
         * @throws IllegalStateException if this handle was closed
         */
        public boolean hasChanged() {
            ensureOpen();
            settle();
            Snapshot<T> s = shared.current;
            if (s.isClosed()) {
                throw new ClosedException(
                        "Watch.Receiver.hasChanged: the channel was closed"
                                + (s.cause != null
                                        ? " by closeChannel"
                                        : " (every Sender is gone)"),
                        s.cause);
            }
            return s.version() != seen;
        }

        /**
         * Marks the current value unseen, so that {@link #changed()} completes at once: tokio's
         * {@code Receiver::mark_changed}.
         *
         * @throws IllegalStateException if this handle was closed
         */
        public void markChanged() {
            ensureOpen();
            settle();
            seen -= STEP; // tokio: a wrapping decrement; never equal to a later version
        }

        /**
         * Marks the current value seen without reading it: tokio's {@code
         * Receiver::mark_unchanged}.
         *
         * @throws IllegalStateException if this handle was closed
         */
        public void markUnchanged() {
            ensureOpen();
            settle();
            seen = shared.current.version();
        }

        /**
         * Waits for a value newer than the last one seen, then marks that newest value seen:
         * tokio's {@code Receiver::changed}. Completes at once (and marks) if there is one already.
         * Read the value with {@link #borrow()}; a value stored after the one this call reported
         * stays unseen, so the next {@code changed()} reports it.
         *
         * <p>Fails with {@link ClosedException} only when the channel is closed <em>and</em> the
         * current value was seen: a final value stored before the close is reported first. After
         * {@link Sender#closeChannel(Throwable)} the exception's cause is the given cause.
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>Cancel-safe: cancelling the returned future (or {@code completeExceptionally},
         *       {@code orTimeout}) withdraws the wait and marks nothing seen; a later {@code
         *       changed()} reports the same news. If the news won the race, the future holds it and
         *       the version is marked. Cancelling a dependent stage ({@code changed().thenRun(r)})
         *       does not reach this future.
         *   <dt>Fairness
         *   <dd>None needed: a store completes every waiting receiver.
         *   <dt>Completion thread
         *   <dd>Already complete if there is news (or the channel is closed); otherwise completed
         *       by the thread that stores the next value or closes the channel, after internal
         *       locks are released, trampolined. Blocking inside a dependent stage blocks that
         *       sender.
         * </dl>
         *
         * @return a future completed when a newer value exists
         * @throws IllegalStateException if this handle was closed, or a {@code changed()}/{@code
         *     waitFor} of this receiver is pending (nothing changes then)
         */
        public CompletableFuture<Void> changed() {
            ensureOpen();
            settle();
            ensureNotPending("changed");
            Snapshot<T> s = shared.current;
            if (s.version() != seen) {
                seen = s.version();
                return StackSafeFuture.completed(null);
            }
            if (s.isClosed()) {
                return StackSafeFuture.failed(Shared.closedForRecv(s, "changed"));
            }
            ChangedWaiter<Void> w = new ChangedWaiter<>(shared, false, seen, null);
            claimPending(w, "changed");
            Snapshot<T> now = shared.register(w);
            if (now == null) {
                return w.future();
            }
            pending = null;
            if (now.version() != seen) {
                seen = now.version();
                return StackSafeFuture.completed(null);
            }
            return StackSafeFuture.failed(Shared.closedForRecv(now, "changed"));
        }

        /**
         * Waits until a value satisfies {@code predicate}, checking the current value first (even
         * if seen): tokio's {@code Receiver::wait_for}. Values stored in between may be skipped:
         * only the current value is checked at each change. The matched value is marked seen when
         * the returned future completes with it; values that did not match are not marked.
         *
         * <p>{@code predicate} runs without internal locks: on the calling thread for the current
         * value, then on the thread that stored each new value. If it throws, the future fails with
         * that exception.
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>Cancel-safe: cancelling the returned future (or {@code completeExceptionally},
         *       {@code orTimeout}) withdraws the wait and marks nothing seen; if the match won the
         *       race the future holds it and it is marked. Cancelling a dependent stage does not
         *       reach this future.
         *   <dt>Fairness
         *   <dd>None needed: a store wakes every waiting receiver.
         *   <dt>Completion thread
         *   <dd>Already complete if the current value matches; otherwise completed by the thread
         *       that stores a matching value (or closes the channel), after internal locks are
         *       released, trampolined.
         * </dl>
         *
         * @param predicate the condition, evaluated on values
         * @return a future of the matching value; fails with {@link ClosedException} when the
         *     channel is closed and no value matched (cause as for {@link #changed()})
         * @throws NullPointerException if {@code predicate} is null
         * @throws IllegalStateException if this handle was closed, or a {@code changed()}/{@code
         *     waitFor} of this receiver is pending (nothing changes then)
         */
        public CompletableFuture<Ref<T>> waitFor(Predicate<? super T> predicate) {
            Objects.requireNonNull(predicate, "predicate must not be null");
            ensureOpen();
            settle();
            ensureNotPending("waitFor");
            Snapshot<T> s = shared.current;
            boolean matched;
            try {
                matched = predicate.test(s.value);
            } catch (Throwable t) {
                return StackSafeFuture.failed(t);
            }
            if (matched) {
                long v = s.version();
                Ref<T> r = new Ref<>(s.value, v != seen, v);
                seen = v;
                return StackSafeFuture.completed(r);
            }
            if (s.isClosed()) {
                return StackSafeFuture.failed(Shared.closedForRecv(s, "waitFor"));
            }
            WaitFor<T> f = new WaitFor<>(shared, predicate, seen, s.version());
            claimPending(f, "waitFor");
            f.await();
            return f;
        }

        /**
         * Waits for a value newer than the last one seen, parking the current thread: the blocking
         * form of {@link #changed()} (tokio has none for watch). Marks the reported value seen, as
         * {@link #changed()}.
         *
         * <dl>
         *   <dt>Blocking
         *   <dd>Parks with {@code LockSupport} (fine on virtual threads), after re-checking for a
         *       few microseconds (32 spins, then 32 {@code Thread.yield()}s) so that a reader that
         *       keeps up with the writer does not pay a park and an unpark per value. Interruption
         *       withdraws the wait like {@code cancel()}: {@link InterruptedException} is thrown
         *       and nothing changes; if the news was delivered first, the method returns normally
         *       with the interrupt status set again. A thread interrupted on entry throws at once.
         *       Fails fast with {@link IllegalStateException} on a Reactor non-blocking thread.
         *       Waits forever if nothing is stored and the channel stays open.
         *   <dt>Cancellation
         *   <dd>Interruption or timeout withdraws the wait and marks nothing seen.
         *   <dt>Fairness
         *   <dd>None needed: a store wakes every waiting receiver, async or parked.
         * </dl>
         *
         * @throws InterruptedException if interrupted while waiting
         * @throws ClosedException as {@link #changed()} fails
         * @throws IllegalStateException if this handle was closed, or a wait of this receiver is
         *     pending
         */
        public void blockingChanged() throws InterruptedException {
            blockingChanged(Long.MAX_VALUE);
        }

        /**
         * Waits for a value newer than the last one seen, parking for at most {@code timeout}. See
         * {@link #blockingChanged()} for the interrupt contract.
         *
         * @param timeout the longest wait; zero or negative means "do not wait"
         * @return true if a newer value exists, false if the timeout passed first
         * @throws InterruptedException if interrupted while waiting
         * @throws ClosedException as {@link #changed()} fails
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalStateException if this handle was closed, or a wait of this receiver is
         *     pending
         */
        public boolean blockingChanged(Duration timeout) throws InterruptedException {
            Objects.requireNonNull(timeout, "timeout must not be null");
            return blockingChanged(BlockingCheck.deadlineOf(timeout));
        }

        private boolean blockingChanged(long deadline) throws InterruptedException {
            ensureOpen();
            BlockingCheck.check("Watch.Receiver.blockingChanged");
            settle();
            ensureNotPending("blockingChanged");
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            claimPending(BLOCKING, "blockingChanged");
            try {
                long v = awaitChange(seen, deadline, "blockingChanged");
                if (v == NONE) {
                    return false;
                }
                seen = v;
                return true;
            } finally {
                pending = null;
            }
        }

        /**
         * Parks until the version differs from {@code from}: returns the new version, or {@link
         * #NONE} on timeout; throws ClosedException when closed with nothing new.
         */
        private long awaitChange(long from, long deadline, String method)
                throws InterruptedException {
            Snapshot<T> s = shared.current;
            // Bounded re-read before a waiter and a park (see Spin): a writer a few hundred
            // nanoseconds away is caught without a wake-up.
            for (int probes = 0;
                    s.version() == from && !s.isClosed() && probes < Spin.BUDGET;
                    probes++) {
                Spin.backOff(probes);
                s = shared.current;
            }
            if (s.version() != from) {
                return s.version();
            }
            if (s.isClosed()) {
                throw Shared.closedForRecv(s, method);
            }
            if (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0L) {
                return NONE;
            }
            ChangedWaiter<Boolean> w = new ChangedWaiter<>(shared, true, from, Boolean.TRUE);
            Snapshot<T> now = shared.register(w);
            if (now != null) {
                if (now.version() != from) {
                    return now.version();
                }
                throw Shared.closedForRecv(now, method);
            }
            return w.awaitBlocking(deadline, Boolean.FALSE) ? w.granted : NONE;
        }

        /**
         * Waits until a value satisfies {@code predicate}, parking the current thread: the blocking
         * form of {@link #waitFor(Predicate)}. The predicate runs on the calling thread. The
         * matched value is marked seen; values that did not match are not.
         *
         * <dl>
         *   <dt>Blocking
         *   <dd>As {@link #blockingChanged()}: parks with {@code LockSupport}; interruption throws
         *       {@link InterruptedException} and marks nothing; fails fast on a Reactor
         *       non-blocking thread.
         *   <dt>Cancellation
         *   <dd>Interruption or timeout withdraws the wait and marks nothing.
         *   <dt>Fairness
         *   <dd>None needed: a store wakes every waiting receiver.
         * </dl>
         *
         * @param predicate the condition, evaluated on values
         * @return the matching value
         * @throws InterruptedException if interrupted while waiting
         * @throws ClosedException when the channel is closed and no value matched
         * @throws NullPointerException if {@code predicate} is null
         * @throws IllegalStateException if this handle was closed, or a wait of this receiver is
         *     pending
         */
        public Ref<T> blockingWaitFor(Predicate<? super T> predicate) throws InterruptedException {
            Objects.requireNonNull(predicate, "predicate must not be null");
            return blockingWaitFor(predicate, Long.MAX_VALUE);
        }

        /**
         * As {@link #blockingWaitFor(Predicate)}, parking for at most {@code timeout}.
         *
         * @param predicate the condition, evaluated on values
         * @param timeout the longest wait; zero or negative means "check the current value only"
         * @return the matching value, or null if the timeout passed first
         * @throws InterruptedException if interrupted while waiting
         * @throws ClosedException when the channel is closed and no value matched
         * @throws NullPointerException if {@code predicate} or {@code timeout} is null
         * @throws IllegalStateException if this handle was closed, or a wait of this receiver is
         *     pending
         */
        public Ref<T> blockingWaitFor(Predicate<? super T> predicate, Duration timeout)
                throws InterruptedException {
            Objects.requireNonNull(predicate, "predicate must not be null");
            Objects.requireNonNull(timeout, "timeout must not be null");
            return blockingWaitFor(predicate, BlockingCheck.deadlineOf(timeout));
        }

        private Ref<T> blockingWaitFor(Predicate<? super T> predicate, long deadline)
                throws InterruptedException {
            ensureOpen();
            BlockingCheck.check("Watch.Receiver.blockingWaitFor");
            settle();
            ensureNotPending("blockingWaitFor");
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            claimPending(BLOCKING, "blockingWaitFor");
            try {
                long checked = NONE;
                for (; ; ) {
                    Snapshot<T> s = shared.current;
                    long v = s.version();
                    if (v != checked) {
                        checked = v;
                        if (predicate.test(s.value)) {
                            Ref<T> r = new Ref<>(s.value, v != seen, v);
                            seen = v;
                            return r;
                        }
                    }
                    if (awaitChange(checked, deadline, "blockingWaitFor") == NONE) {
                        return null;
                    }
                }
            } finally {
                pending = null;
            }
        }

        /**
         * Creates a new receiver handle on the same channel that has seen what this one has seen:
         * tokio's {@code Clone}.
         *
         * @return a new receiver handle
         * @throws IllegalStateException if this handle was closed
         */
        @Override
        public Receiver<T> clone() {
            ensureOpen();
            settle();
            Shared.RECEIVERS.getAndAdd(shared, 1);
            return new Receiver<>(shared, seen);
        }

        /**
         * Returns true if {@code other} receives from the same channel.
         *
         * @param other another receiver, non-null
         * @return whether both handles belong to one channel
         */
        public boolean sameChannel(Receiver<?> other) {
            Objects.requireNonNull(other, "other must not be null");
            return shared == other.shared;
        }

        /**
         * Closes this handle (tokio's drop); idempotent. A pending {@link #changed()} or {@link
         * #waitFor(Predicate)} future of this receiver is cancelled; a blocking wait parked on
         * another thread is not interrupted (it returns on the next store or close). When the last
         * receiver closes, {@link Sender#closed()} completes and {@link Sender#send(Object)} fails
         * until the next {@link Sender#subscribe()}.
         */
        @Override
        public void close() {
            if (!HANDLE_CLOSED_RX.compareAndSet(this, false, true)) {
                return;
            }
            Object p = pending;
            if (p instanceof ChangedWaiter) {
                ((ChangedWaiter<?>) p).future().cancel(false);
            } else if (p instanceof CompletableFuture) {
                ((CompletableFuture<?>) p).cancel(false);
            }
            if ((int) Shared.RECEIVERS.getAndAdd(shared, -1) == 1) {
                shared.wakeClosedWaiters();
            }
        }

        // ---- for the Reactive Streams views (WatchPublisher) ----

        /** The current snapshot: one acquire read, no allocation. */
        Snapshot<T> snapshot() {
            return shared.current;
        }

        /**
         * Marks version {@code v} seen and waits, as {@link #changed()} does, for another version
         * or the close. Returns null if that already happened (nothing registered); otherwise the
         * pending future of the wait, which {@link #close()} cancels. Costs what a pending {@code
         * changed()} costs: one waiter and its future.
         */
        CompletableFuture<Void> awaitNot(long v) {
            settle();
            ensureNotPending("asPublisher");
            seen = v;
            Snapshot<T> s = shared.current;
            if (s.version() != v || s.isClosed()) {
                return null;
            }
            ChangedWaiter<Void> w = new ChangedWaiter<>(shared, false, v, null);
            claimPending(w, "asPublisher");
            if (shared.register(w) == null) {
                return w.future();
            }
            pending = null;
            return null;
        }

        /**
         * Returns a Reactive Streams {@link Publisher} of this channel's values: each subscription
         * is a {@link #clone()} of this receiver. A Tributary addition: tokio has no Reactive
         * Streams counterpart. Lazy: nothing is registered until {@code subscribe}. This receiver
         * itself is not used by the subscriptions and stays yours.
         *
         * <ul>
         *   <li><b>Subscribers</b>: any number (multicast). Subscribing clones this receiver, so it
         *       needs this handle open (after it was closed, a subscriber gets {@code onSubscribe}
         *       then {@code onError(IllegalStateException)}) and counts as a use of it under the
         *       single-consumer rule: subscribe from the thread that uses this receiver, or while
         *       nobody else does.
         *   <li><b>Demand</b>: the first request delivers the <em>current</em> value (even one the
         *       source has seen), then each later delivery is the value current at that moment, if
         *       newer than the one delivered last. Conflated: a subscriber without demand is not
         *       queued for; when it requests again it gets only the newest value, never a backlog.
         *       So values arrive in store order, each store at most once, and intermediate values
         *       may be skipped.
         *   <li><b>Terminal signals</b>: once every sender handle is closed, {@code onComplete}
         *       after the final value was delivered to this subscriber (it waits for demand if that
         *       value is still unseen). After {@link Sender#closeChannel(Throwable)}: the final
         *       value first, likewise, then {@code onError(cause)} with that cause itself (as
         *       {@link Receiver#changed()} reports the final value before failing).
         *   <li><b>Cancellation</b>: {@code cancel()} closes that subscription's receiver ({@link
         *       Sender#receiverCount()} drops by one) and withdraws its pending wait; nothing is
         *       consumed, since watch values are not consumed.
         *   <li><b>Fairness</b>: none needed: a store wakes every waiting subscription and no
         *       subscription waits for another; a slow subscriber only skips values.
         *   <li><b>Completion thread</b>: on the requesting thread when something is there to
         *       deliver; otherwise on the thread that stores the next value or closes the channel,
         *       after internal locks are released, trampolined. Never recursively from {@code
         *       request} inside {@code onNext} (rule 3.3). Blocking in {@code onNext} blocks that
         *       sender.
         *   <li><b>Allocation</b>: none per delivered value; a subscription that has caught up
         *       waits with one {@code changed()}-style wait (a waiter, its future and one callback
         *       stage) until the next store.
         * </ul>
         *
         * @return a multicast publisher view of this channel
         */
        public Publisher<T> asPublisher() {
            return WatchPublisher.ofReceiver(this);
        }

        /**
         * The JDK {@link Flow} form of {@link #asPublisher()}, adapted by {@link
         * FlowAdapters#toFlowPublisher}; same semantics. A Tributary addition.
         *
         * @return a {@link Flow.Publisher} view of this channel
         */
        public Flow.Publisher<T> asFlowPublisher() {
            return FlowAdapters.toFlowPublisher(asPublisher());
        }

        /** For tests: the version last marked seen (after settling a finished waitFor). */
        long seenVersion() {
            settle();
            return seen;
        }

        @Override
        public String toString() {
            Snapshot<T> s = shared.current;
            return "Watch.Receiver["
                    + s.value
                    + (s.version() != seen ? ", changed" : "")
                    + (s.isClosed() ? ", channel closed" : "")
                    + (handleClosed ? ", handle closed" : "")
                    + "]";
        }
    }

    /** Marks a blocking wait in {@code Receiver.pending}. */
    private static final Object BLOCKING = new Object();

    /**
     * The future of an async {@link Receiver#waitFor(Predicate)}: a chain of internal changed-waits
     * ("rounds"), the predicate evaluated after each. Completing it from outside withdraws the
     * current round (cancel contract).
     */
    private static final class WaitFor<T> extends WaitingFuture<Ref<T>> {
        private final Shared<T> shared;
        private final Predicate<? super T> predicate;

        /** The receiver's seen version at the call, for {@link Ref#hasChanged()}. */
        private final long seenAtStart;

        /** The version last evaluated; confined to the thread running a step. */
        private long checked;

        /** The current round; volatile for the Dekker pair with {@code withdrawn}. */
        private volatile ChangedWaiter<Void> round;

        /** Set by an outside completion before it withdraws the round. */
        private volatile boolean withdrawn;

        /** The Ref this future completed with internally; compared by identity in applyMark. */
        private volatile Ref<T> delivered;

        WaitFor(Shared<T> shared, Predicate<? super T> predicate, long seen, long checked) {
            this.shared = shared;
            this.predicate = predicate;
            this.seenAtStart = seen;
            this.checked = checked;
        }

        /** Registers rounds until one is linked, or the outcome is known. */
        void await() {
            for (; ; ) {
                ChangedWaiter<Void> w = new ChangedWaiter<>(shared, false, checked, null);
                Snapshot<T> now = shared.register(w);
                if (now == null) {
                    round = w; // volatile write, then the read of withdrawn (Dekker)
                    if (withdrawn) {
                        w.future().cancel(false);
                        return;
                    }
                    w.future().whenComplete((v, ex) -> step());
                    return;
                }
                if (!evaluate(now)) {
                    return;
                }
            }
        }

        /**
         * After a round ended (news, closed, or withdrawn): evaluate the newest value, or
         * re-register. A closed round is re-evaluated here, so the failure names waitFor.
         */
        private void step() {
            if (withdrawn || isDone()) {
                return;
            }
            if (evaluate(shared.current)) {
                await();
            }
        }

        /** Evaluates {@code s}; returns true if the wait must go on. */
        private boolean evaluate(Snapshot<T> s) {
            long v = s.version();
            if (v != checked) {
                checked = v;
                boolean matched;
                try {
                    matched = predicate.test(s.value);
                } catch (Throwable t) {
                    internalCompleteExceptionally(t);
                    return false;
                }
                if (matched) {
                    Ref<T> r = new Ref<>(s.value, v != seenAtStart, v);
                    delivered = r;
                    completeInternally(r);
                    return false;
                }
            }
            if (s.isClosed()) {
                internalCompleteExceptionally(Shared.closedForRecv(s, "waitFor"));
                return false;
            }
            return true;
        }

        private void internalCompleteExceptionally(Throwable t) {
            failInternally(t);
        }

        /** Marks the matched version seen if this future holds the match (called by settle). */
        void applyMark(Receiver<?> rx) {
            Ref<T> r = delivered;
            if (r != null && !isCompletedExceptionally() && getNow(null) == r) {
                rx.seen = r.version();
            }
        }

        /**
         * Withdraws the current round before an outside completion lands (withdraw, then race: a
         * match delivered in the race is recognised by identity in {@link #applyMark}).
         */
        @Override
        protected boolean beforeExternalCompletion() {
            if (!isDone()) {
                withdrawn = true; // volatile write, then the read of round (Dekker)
                ChangedWaiter<Void> w = round;
                if (w != null) {
                    w.future().cancel(false);
                }
            }
            return true;
        }
    }

    /** For tests: linked waiters (receivers and Sender.closed()) of the channel of {@code tx}. */
    static int queuedWaiters(Sender<?> tx) {
        return tx.shared.queuedWaiters();
    }

    // VarHandle mechanics
    private static final VarHandle HANDLE_CLOSED;
    private static final VarHandle HANDLE_CLOSED_RX;
    private static final VarHandle PENDING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HANDLE_CLOSED = l.findVarHandle(Sender.class, "handleClosed", boolean.class);
            HANDLE_CLOSED_RX = l.findVarHandle(Receiver.class, "handleClosed", boolean.class);
            PENDING = l.findVarHandle(Receiver.class, "pending", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
