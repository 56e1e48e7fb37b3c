package dev.tributary.sync;

import dev.tributary.sync.WatchShared.Snapshot;
import dev.tributary.sync.internal.BlockingCheck;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
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
     * Implementation: the shared channel state (snapshot and version word, writers, waiter
     * lists, handle counts) and its overview, with the access modes, are in WatchShared; one
     * receiver's seen version, pending wait and the wait algorithms (changed, waitFor, their
     * blocking forms) are in WatchReceiverCore; the Reactive Streams views in WatchPublisher and
     * WatchSubscriber. The handles below check their own closed flag and delegate.
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
        WatchShared<T> shared = new WatchShared<>(initial);
        return new Channel<>(
                new Sender<>(shared),
                new Receiver<>(new WatchReceiverCore<>(shared, WatchShared.INITIAL_VERSION)));
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

    // ---- Sender ----

    /**
     * The sending half: tokio's {@code watch::Sender}. Cloneable ({@link #clone()} makes a new
     * counted handle); the channel closes when the last sender handle closes. Thread-safe.
     *
     * @param <T> the type of the values
     */
    public static final class Sender<T> implements AutoCloseable {
        private final WatchShared<T> shared;
        private volatile boolean handleClosed;

        Sender(WatchShared<T> shared) {
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
            return shared.replace(value);
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
            shared.addReceiver();
            return new Receiver<>(new WatchReceiverCore<>(shared, shared.current.version()));
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
         *       trampolined. Dependents are <a
         *       href="package-summary.html#stack-safety">stack-safe</a>.
         * </dl>
         *
         * @return a future completed when the channel has no receivers or is closed
         */
        public CompletableFuture<Void> closed() {
            return shared.senderClosedFuture();
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
            return shared.receiverCount();
        }

        /**
         * Returns the number of open sender handles. For monitoring.
         *
         * @return the sender count
         */
        public int senderCount() {
            return shared.senderCount();
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
            shared.addSender();
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
            shared.rejectInsideModify("close");
            if (SENDER_HANDLE_CLOSED.compareAndSet(this, false, true)) {
                shared.dropSender();
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
         * @throws IllegalStateException if this handle was closed; of two calls racing on one
         *     handle, one closes and the other throws this (the handle is claimed before the
         *     channel closes), or if called from inside a modify function of this channel
         */
        public boolean closeChannel(Throwable cause) {
            Objects.requireNonNull(cause, "cause must not be null");
            ensureOpen();
            shared.rejectInsideModify("closeChannel");
            if (!SENDER_HANDLE_CLOSED.compareAndSet(this, false, true)) { // one caller wins
                ensureOpen();
            }
            boolean closedIt = shared.closeChannel(cause); // before the drop: the cause is seen
            shared.dropSender();
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
                    + shared.receiverCount()
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
        private final WatchReceiverCore<T> core;

        private volatile boolean handleClosed;

        Receiver(WatchReceiverCore<T> core) {
            this.core = core;
        }

        private void ensureOpen() {
            if (handleClosed) {
                throw new IllegalStateException("this Watch.Receiver handle was closed");
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
            return core.borrow();
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
            return core.borrowAndUpdate();
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
            return core.hasChanged();
        }

        /**
         * Marks the current value unseen, so that {@link #changed()} completes at once: tokio's
         * {@code Receiver::mark_changed}.
         *
         * @throws IllegalStateException if this handle was closed
         */
        public void markChanged() {
            ensureOpen();
            core.markChanged();
        }

        /**
         * Marks the current value seen without reading it: tokio's {@code
         * Receiver::mark_unchanged}.
         *
         * @throws IllegalStateException if this handle was closed
         */
        public void markUnchanged() {
            ensureOpen();
            core.markUnchanged();
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
         *       locks are released, trampolined. Dependents are <a
         *       href="package-summary.html#stack-safety">stack-safe</a>: a loop written as
         *       recursion ({@code changed().thenRun(() -> loop())}) keeps a flat stack. Blocking
         *       inside a dependent stage blocks that sender.
         * </dl>
         *
         * @return a future completed when a newer value exists
         * @throws IllegalStateException if this handle was closed, or a {@code changed()}/{@code
         *     waitFor} of this receiver is pending (nothing changes then)
         */
        public CompletableFuture<Void> changed() {
            ensureOpen();
            return core.changed();
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
         *       released, trampolined. Dependents are <a
         *       href="package-summary.html#stack-safety">stack-safe</a>.
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
            return core.waitFor(predicate);
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
         *       and nothing changes; if the news arrived first, the method returns normally with
         *       the interrupt status set again. A thread interrupted on entry throws at once. Fails
         *       fast with {@link IllegalStateException} on a Reactor non-blocking thread. Waits
         *       forever if nothing is stored and the channel stays open.
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
            return core.blockingChanged(deadline);
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
            return core.blockingWaitFor(predicate, deadline);
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
            return new Receiver<>(core.fork());
        }

        /**
         * Returns true if {@code other} receives from the same channel.
         *
         * @param other another receiver, non-null
         * @return whether both handles belong to one channel
         */
        public boolean sameChannel(Receiver<?> other) {
            Objects.requireNonNull(other, "other must not be null");
            return core.shared() == other.core.shared();
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
            if (RECEIVER_HANDLE_CLOSED.compareAndSet(this, false, true)) {
                core.close();
            }
        }

        // ---- for the Reactive Streams views (WatchPublisher) ----

        /** The current snapshot: one acquire read, no allocation. */
        Snapshot<T> snapshot() {
            return core.shared().current;
        }

        /**
         * Marks version {@code v} seen and waits for another version or the close; null if that
         * already happened, else the pending future, which {@link #close()} cancels (see {@code
         * WatchReceiverCore.awaitNot}).
         */
        CompletableFuture<Void> awaitNot(long v) {
            return core.awaitNot(v);
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
            return core.seenVersion();
        }

        @Override
        public String toString() {
            Snapshot<T> s = core.shared().current;
            return "Watch.Receiver["
                    + s.value
                    + (core.isUnseen(s) ? ", changed" : "")
                    + (s.isClosed() ? ", channel closed" : "")
                    + (handleClosed ? ", handle closed" : "")
                    + "]";
        }
    }

    /** For tests: linked waiters (receivers and Sender.closed()) of the channel of {@code tx}. */
    static int queuedWaiters(Sender<?> tx) {
        return tx.shared.queuedWaiters();
    }

    // VarHandle mechanics
    private static final VarHandle SENDER_HANDLE_CLOSED;
    private static final VarHandle RECEIVER_HANDLE_CLOSED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SENDER_HANDLE_CLOSED = l.findVarHandle(Sender.class, "handleClosed", boolean.class);
            RECEIVER_HANDLE_CLOSED = l.findVarHandle(Receiver.class, "handleClosed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
