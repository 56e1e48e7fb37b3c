package dev.tributary.sync;

import dev.tributary.sync.internal.BlockingCheck;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.LongConsumer;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * A multi-producer, multi-consumer broadcast channel: every value sent is seen by every receiver
 * subscribed at the time. tokio's {@code sync::broadcast}.
 *
 * <pre>{@code
 * Broadcast.Channel<Event> bus = Broadcast.channel(1024);
 * Broadcast.Receiver<Event> audit = bus.sender().subscribe();
 * bus.sender().send(new Event("started"));           // returns 2: both receivers will see it
 * Event e = bus.receiver().recv().join();
 * }</pre>
 *
 * <ul>
 *   <li><b>Producers</b>: any number of {@link Sender} handles ({@link Sender#clone()}); {@link
 *       Sender#send(Object)} never waits. Weak handles ({@link WeakSender}) do not keep the channel
 *       open.
 *   <li><b>Consumers</b>: any number of {@link Receiver}s, each with its own cursor; a receiver
 *       created by {@link Sender#subscribe()} or {@link Receiver#resubscribe()} sees only values
 *       sent after that call. Each receiver is a single consumer: one receive at a time.
 *   <li><b>Capacity</b>: the ring retains the last {@code capacity} values ({@link #channel(int)}
 *       rounds it up to a power of two). Up to {@code capacity} values stay referenced by the
 *       channel until later sends overwrite them, also after every receiver has read them (tokio
 *       drops a value once every receiver has read it; here it stays until it is overwritten).
 *   <li><b>Lag</b>: a send at capacity overwrites the oldest value. A receiver that had not read it
 *       gets {@link LaggedException} with the exact number of values it missed; its cursor moves to
 *       the oldest retained value, it stays subscribed, and the next receive returns that value. It
 *       may lag again.
 *   <li><b>Ordering</b>: all receivers see the values in one total order, the order in which the
 *       sends reserved their positions; values of one sender are in that sender's order.
 *   <li><b>Progress</b>: sends and receives take no lock (one CAS per send, one per receive on the
 *       receiver's own state); a send takes a short internal lock only while some receiver waits. A
 *       receive that finds a position reserved by a send still writing it spins (then yields) until
 *       the value is written, so a value whose send has returned is never missed.
 *   <li><b>Closing</b>: when the last strong {@link Sender} closes (or {@link
 *       Sender#closeChannel(Throwable)} is called) no value can be sent; each receiver first reads
 *       what the channel still retains for it, then {@code recv()} completes with {@code null} (end
 *       of stream) or, after {@code closeChannel(cause)}, fails with {@link ClosedException} whose
 *       cause is that cause. When the last receiver closes, sends fail with {@link ClosedException}
 *       until someone subscribes again, and {@link Sender#closed()} completes.
 *   <li><b>Reactive Streams</b> (a Tributary addition): {@link Sender#asPublisher(LagPolicy,
 *       java.util.function.LongConsumer)} is a multicast publisher, one fresh receiver per
 *       subscriber, per-subscriber demand, and a {@link LagPolicy} for subscribers that fall
 *       behind; {@link Receiver#asPublisher(LagPolicy, java.util.function.LongConsumer)} publishes
 *       one receiver (unicast); {@link Sender#asSubscriber()} sends what it receives (unbounded
 *       demand). JDK {@link java.util.concurrent.Flow} forms: {@code asFlowPublisher}, {@code
 *       asFlowSubscriber}.
 * </ul>
 *
 * <p><b>Memory consistency effects:</b> actions in a thread before {@link Sender#send(Object)}
 * happen-before actions after a receive that returns that value, in every receiver.
 */
public final class Broadcast {

    /*
     * This file holds the factory and the public handles; each handle method delegates to the
     * channel's shared state (BroadcastShared: the ring, the tail word, the waiter list, closing)
     * or, for a receiver, to its cursor (BroadcastCursor: the receive operations and their
     * waiters). The implementation overviews are there.
     */

    /** The largest capacity {@link #channel(int)} accepts: 2^30. */
    public static final int MAX_CAPACITY = 1 << 30;

    /** The largest number of receivers a channel can have at once: 2^20 - 1 (1,048,575). */
    public static final int MAX_RECEIVERS = (1 << 20) - 1;

    private Broadcast() {}

    /**
     * Creates a channel with one sender and one receiver: tokio's {@code broadcast::channel}.
     *
     * @param capacity how many values the channel retains, {@code 1..MAX_CAPACITY}; rounded up to
     *     the next power of two (3 becomes 4), which is the number of values a receiver may fall
     *     behind before it lags
     * @param <T> the type of the values
     * @return the sender and the receiver
     * @throws IllegalArgumentException if {@code capacity} is out of range
     */
    public static <T> Channel<T> channel(int capacity) {
        BroadcastShared<T> s = new BroadcastShared<>(checkCapacity(capacity));
        return new Channel<>(new Sender<>(s), s.subscribe());
    }

    /**
     * Creates a sender with no receivers yet (tokio's {@code Sender::new}); {@link
     * Sender#subscribe()} creates them. Until then, {@code send} fails and {@link Sender#closed()}
     * is complete.
     *
     * @param capacity as for {@link #channel(int)}
     * @param <T> the type of the values
     * @return a sender
     * @throws IllegalArgumentException if {@code capacity} is out of range
     */
    public static <T> Sender<T> sender(int capacity) {
        return new Sender<>(new BroadcastShared<T>(checkCapacity(capacity)));
    }

    /** For tests: a channel whose positions start at {@code start}, e.g. just before they wrap. */
    static <T> Channel<T> channelStartingAt(int capacity, long start) {
        BroadcastShared<T> s = new BroadcastShared<>(checkCapacity(capacity), start);
        return new Channel<>(new Sender<>(s), s.subscribe());
    }

    /** For tests: the largest position before positions wrap around to 0. */
    static final long LAST_POSITION = BroadcastShared.POS_MASK;

    private static int checkCapacity(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException(
                    "capacity must be in 1.." + MAX_CAPACITY + " but was " + capacity);
        }
        return capacity == 1 ? 1 : Integer.highestOneBit(capacity - 1) << 1;
    }

    /**
     * The two ends of a new channel.
     *
     * @param sender the first sender
     * @param receiver the first receiver
     * @param <T> the type of the values
     */
    public record Channel<T>(Sender<T> sender, Receiver<T> receiver) {}

    // ---------------------------------------------------------------------------------------
    // Handles

    /**
     * The sending half: tokio's {@code broadcast::Sender}. Thread-safe; clone it for each producer
     * that should keep the channel open ({@link #clone()}), and close every clone: the channel
     * closes when the last one closes.
     *
     * @param <T> the type of the values
     */
    public static final class Sender<T> implements AutoCloseable {
        private final BroadcastShared<T> shared;
        private volatile boolean handleClosed;

        Sender(BroadcastShared<T> shared) {
            this.shared = shared;
        }

        /**
         * Sends {@code value} to every receiver subscribed now. Never waits for receivers: at
         * capacity it overwrites the oldest retained value (receivers that had not read it will
         * lag). It spins briefly only in one case: when more sends than the capacity are in flight
         * at once, a send waits for the one a full lap ahead of it to finish writing its slot.
         *
         * <p>Success means the value is in the channel, not that anyone read it. When the last
         * receiver closes, sends fail until {@link #subscribe()} creates a receiver again.
         *
         * @param value the value, non-null
         * @return the number of receivers that will see it (subscribed at the time of the send)
         * @throws ClosedException if there are no receivers, or the channel was closed (its cause,
         *     if closed by {@link #closeChannel(Throwable)}, is the cause)
         * @throws NullPointerException if {@code value} is null
         * @throws IllegalStateException if this handle was closed
         */
        public int send(T value) {
            Objects.requireNonNull(value, "value must not be null");
            checkOpen();
            return shared.send(value);
        }

        /**
         * Creates a receiver that sees the values sent after this call: tokio's {@code subscribe}.
         * Works on a closed channel too (the receiver then reports end of stream). Reopens a
         * channel whose receivers had all closed.
         *
         * @return a new receiver; close it when done
         * @throws IllegalStateException if this handle was closed, or {@link #MAX_RECEIVERS}
         *     receivers exist
         */
        public Receiver<T> subscribe() {
            checkOpen();
            return shared.subscribe();
        }

        /**
         * Returns the number of values retained that some receiver has not read yet: those sent
         * while it was subscribed, not yet overwritten (at most the capacity). Unlike {@link
         * Receiver#len()}, overwritten values do not count. For monitoring, not for synchronization
         * control.
         *
         * @return the number of queued values, {@code 0..capacity}
         */
        public int len() {
            return shared.senderLen();
        }

        /**
         * Returns true if every receiver has read every retained value ({@code len() == 0}).
         *
         * @return whether nothing is queued
         */
        public boolean isEmpty() {
            return len() == 0;
        }

        /**
         * Returns the number of receivers that are subscribed (created and not closed).
         *
         * @return the receiver count
         */
        public int receiverCount() {
            return shared.receiverCount();
        }

        /**
         * Returns how many values the receivers of this channel have missed by lagging, in all,
         * since it was created: the sum of the {@link LaggedException#missed()} counts that took
         * effect (a receiver's cursor jumped over overwritten values; through a publisher view with
         * either {@link LagPolicy} too). An async {@code recv} that fails with a lag is counted
         * when that receiver next receives. For monitoring; beyond tokio, which has no such method.
         *
         * @return the total of missed values, never decreasing
         */
        public long laggedCount() {
            return shared.laggedTotal();
        }

        /**
         * Waits until the receiver count is 0: tokio's {@code Sender::closed}. Completes at once if
         * there are no receivers now. Once complete it stays complete, even if a receiver is
         * subscribed later (call again to wait for that one).
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>Cancel-safe: cancelling the returned future (or {@code orTimeout}) withdraws the
         *       wait; nothing else changes. Cancelling a dependent stage does not reach it.
         *   <dt>Fairness
         *   <dd>None needed: every waiter completes when the count reaches 0.
         *   <dt>Completion thread
         *   <dd>The thread that closed the last receiver (trampolined), after internal locks are
         *       released; or the caller's, when already complete. Dependents are <a
         *       href="package-summary.html#stack-safety">stack-safe</a>.
         * </dl>
         *
         * @return a future that completes with null when no receiver is left
         * @throws IllegalStateException if this handle was closed
         */
        public CompletableFuture<Void> closed() {
            checkOpen();
            return shared.whenNoReceivers();
        }

        /**
         * Returns a new strong handle to the same channel; the channel stays open until every
         * strong handle is closed.
         *
         * @return a new sender; close it when done
         * @throws IllegalStateException if this handle was closed
         */
        @Override
        public Sender<T> clone() {
            checkOpen();
            shared.addStrong();
            return new Sender<>(shared);
        }

        /**
         * Returns a weak handle, which does not keep the channel open but can be {@linkplain
         * WeakSender#upgrade() upgraded} while some strong handle exists.
         *
         * @return a new weak sender
         * @throws IllegalStateException if this handle was closed
         */
        public WeakSender<T> downgrade() {
            checkOpen();
            shared.addWeak();
            return new WeakSender<>(shared);
        }

        /**
         * Returns the number of open strong sender handles.
         *
         * @return the strong count
         */
        public int strongCount() {
            return shared.strong;
        }

        /**
         * Returns the number of open weak sender handles.
         *
         * @return the weak count
         */
        public int weakCount() {
            return shared.weak;
        }

        /**
         * Returns true if {@code other} sends into the same channel.
         *
         * @param other another sender
         * @return whether both belong to one channel
         */
        public boolean sameChannel(Sender<?> other) {
            return other.shared == shared;
        }

        /**
         * Closes this handle; when it is the last strong handle, the channel closes: receivers read
         * what is retained, then reach the end of stream. Idempotent.
         */
        @Override
        public void close() {
            if (SENDER_HANDLE_CLOSED.compareAndSet(this, false, true)) {
                shared.dropStrong(); // the last strong handle closes the channel
            }
        }

        /**
         * Closes the whole channel with a cause, for every handle, and closes this handle. Sends
         * fail from now on; each receiver reads what is retained for it, then every receive fails
         * with {@link ClosedException} whose {@link Throwable#getCause()} is {@code cause}.
         *
         * @param cause why the channel closed, non-null
         * @return true if this call closed the channel; false if it was closed already (the cause
         *     is then ignored)
         * @throws NullPointerException if {@code cause} is null
         * @throws IllegalStateException if this handle was closed; of two calls racing on one
         *     handle, one closes and the other throws this (the handle is claimed before the
         *     channel closes)
         */
        public boolean closeChannel(Throwable cause) {
            Objects.requireNonNull(cause, "cause must not be null");
            if (!SENDER_HANDLE_CLOSED.compareAndSet(this, false, true)) { // one caller wins
                checkOpen();
            }
            boolean closedIt = shared.close(cause); // before the drop, so the cause is the one seen
            shared.dropStrong();
            return closedIt;
        }

        // ---- Reactive Streams views

        /**
         * Returns a multicast {@link Publisher} of this channel: each {@code subscribe} creates a
         * fresh receiver, so every subscriber sees the values sent after its own {@code subscribe}
         * call, at its own pace. The same as {@link #asPublisher(LagPolicy, LongConsumer)
         * asPublisher(policy, null)}.
         *
         * @param policy what a subscriber that falls more than the capacity behind gets
         * @return a publisher view of this channel
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if this handle was closed
         */
        public Publisher<T> asPublisher(LagPolicy policy) {
            return asPublisher(policy, null);
        }

        /**
         * Returns a multicast {@link Publisher} of this channel. A Tributary addition: tokio has no
         * counterpart.
         *
         * <ul>
         *   <li><b>Subscribers</b>: any number. Each {@code subscribe(s)} calls {@link
         *       #subscribe()} at once, before {@code s.onSubscribe}: the subscriber sees every
         *       value sent after that call, also those sent before its first {@code request} (the
         *       channel retains them, up to the capacity). The publisher is lazy: nothing is
         *       registered until {@code subscribe}. It does not depend on this handle staying open;
         *       subscribing after the channel closed completes at once (or fails with the cause).
         *   <li><b>Demand</b>: per subscriber; a subscriber receives at most what it requested.
         *       Senders never wait for subscribers: a subscriber whose demand does not keep up lags
         *       once more than the capacity of values arrive unread, and {@code policy} decides:
         *       {@link LagPolicy#ERROR} signals {@code onError(LaggedException)} with the exact
         *       {@link LaggedException#missed()} count (and closes its receiver); {@link
         *       LagPolicy#SKIP} calls {@code onLag} with that count and continues with the oldest
         *       retained value. A lag is noticed when the subscriber next has demand.
         *   <li><b>Terminal signals</b>: {@code onComplete} once the channel closed (the last
         *       strong sender closed) and this subscriber received everything retained for it;
         *       after {@link #closeChannel(Throwable)}, {@code onError(cause)} with that cause
         *       itself, also after everything retained was received. Both may come without demand
         *       once nothing is left to deliver. The subscriber's receiver is closed before the
         *       terminal signal.
         *   <li><b>Rules</b>: {@code subscribe(null)} throws {@link NullPointerException}; {@code
         *       request(n <= 0)} cancels and signals {@code onError(IllegalArgumentException)};
         *       demand adds up to at most {@link Long#MAX_VALUE} (unbounded). When no receiver can
         *       be created ({@link #MAX_RECEIVERS}), {@code onSubscribe} then {@code onError(
         *       IllegalStateException)}. An {@code onNext} that throws is treated as a
         *       cancellation.
         * </ul>
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>{@code cancel()} closes that subscriber's receiver (the receiver count drops; the
         *       channel retains nothing for it) and withdraws its wake-up; values it had not
         *       received are simply not delivered; other subscribers and receivers are unaffected.
         *       The subscription then drops its reference to the subscriber.
         *   <dt>Fairness
         *   <dd>None needed: every subscriber has its own receiver and cursor, and a send wakes
         *       every subscriber waiting for it.
         *   <dt>Completion thread
         *   <dd>{@code onNext} and the terminal signals run, one at a time and never recursively,
         *       on the thread that requested (delivering what is already there), or, when the
         *       subscriber was waiting with outstanding demand, on the thread whose send (or close)
         *       woke it, inside that {@code send}, which returns once this subscriber's drain found
         *       the channel empty again or its demand used up. A slow {@code onNext} therefore
         *       slows that sending thread, not the channel; hand off with Reactor's {@code
         *       publishOn} if that matters. {@code onLag} runs on the same thread, just before the
         *       oldest retained value is delivered.
         *   <dt>Memory
         *   <dd>In steady state (values flowing while demand is outstanding) no allocation per
         *       element: the view polls its receiver without waiting and registers a wake-up (a
         *       waiter and its future) only when the channel is empty.
         * </dl>
         *
         * @param policy what a subscriber that falls more than the capacity behind gets
         * @param onLag under {@link LagPolicy#SKIP}, called with the exact number of values a
         *     subscriber missed each time it lags (on the delivering thread); may be null. If it
         *     throws, that subscriber's receiver is closed and the subscriber gets {@code onError}
         *     with the thrown exception. Ignored under {@link LagPolicy#ERROR}.
         * @return a publisher view of this channel
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if this handle was closed
         */
        public Publisher<T> asPublisher(LagPolicy policy, LongConsumer onLag) {
            Objects.requireNonNull(policy, "policy must not be null");
            checkOpen();
            return BroadcastPublisher.multicast(shared::subscribe, policy, onLag);
        }

        /**
         * The JDK {@link Flow} form of {@link #asPublisher(LagPolicy)}.
         *
         * @param policy what a subscriber that falls more than the capacity behind gets
         * @return {@code FlowAdapters.toFlowPublisher(asPublisher(policy))}
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if this handle was closed
         */
        public Flow.Publisher<T> asFlowPublisher(LagPolicy policy) {
            return FlowAdapters.toFlowPublisher(asPublisher(policy));
        }

        /**
         * The JDK {@link Flow} form of {@link #asPublisher(LagPolicy, LongConsumer)}.
         *
         * @param policy what a subscriber that falls more than the capacity behind gets
         * @param onLag as for {@link #asPublisher(LagPolicy, LongConsumer)}; may be null
         * @return {@code FlowAdapters.toFlowPublisher(asPublisher(policy, onLag))}
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if this handle was closed
         */
        public Flow.Publisher<T> asFlowPublisher(LagPolicy policy, LongConsumer onLag) {
            return FlowAdapters.toFlowPublisher(asPublisher(policy, onLag));
        }

        /**
         * Returns a {@link Subscriber} that sends every element it receives through this handle,
         * taking the handle over. A Tributary addition: tokio has no counterpart. {@link #clone()}
         * first if you want to keep sending from elsewhere.
         *
         * <ul>
         *   <li><b>Demand</b>: unbounded ({@code request(Long.MAX_VALUE)} in {@code onSubscribe}):
         *       sends never wait; subscribers of the channel that do not keep up lag, as with
         *       {@link #send(Object)}.
         *   <li><b>onNext</b>: {@link #send(Object)}. A value sent while no receiver exists is
         *       dropped, exactly as {@code send} documents (it fails, and the element is not
         *       retained); the view keeps going, since a receiver may subscribe later. Once the
         *       channel is closed (by another handle), upstream is cancelled and further elements
         *       are ignored.
         *   <li><b>onComplete</b>: closes this handle ({@link #close()}); the channel closes if it
         *       was the last strong handle.
         *   <li><b>onError(e)</b>: {@link #closeChannel(Throwable) closeChannel(e)}: receivers read
         *       what is retained, then fail with {@link ClosedException} caused by {@code e};
         *       publisher views signal {@code onError(e)}.
         *   <li><b>Rules</b>: one upstream; a second {@code onSubscribe} is cancelled. Null
         *       arguments throw {@link NullPointerException}.
         * </ul>
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>The view cancels its upstream once the channel is closed (by another handle) or
         *       this handle was closed from elsewhere; never because nobody is subscribed right
         *       now.
         *   <dt>Completion thread
         *   <dd>Each {@code send} runs on the upstream's {@code onNext} thread and may complete
         *       waiting receivers (and deliver to waiting publisher views) there, trampolined.
         * </dl>
         *
         * @return a subscriber view of this handle
         * @throws IllegalStateException if this handle was closed
         */
        public Subscriber<T> asSubscriber() {
            checkOpen();
            return new BroadcastSubscriber<>(this);
        }

        /**
         * The JDK {@link Flow} form of {@link #asSubscriber()}.
         *
         * @return {@code FlowAdapters.toFlowSubscriber(asSubscriber())}
         * @throws IllegalStateException if this handle was closed
         */
        public Flow.Subscriber<T> asFlowSubscriber() {
            return FlowAdapters.toFlowSubscriber(asSubscriber());
        }

        /** For the subscriber view: whether the channel (not only this handle) is closed. */
        boolean isChannelClosed() {
            return shared.isClosed();
        }

        /** For tests and monitoring: the number of queued receive waits. */
        int waitingReceivers() {
            return shared.waiting;
        }

        private void checkOpen() {
            if (handleClosed) {
                throw new IllegalStateException("this Broadcast.Sender handle was closed");
            }
        }

        @Override
        public String toString() {
            return "Broadcast.Sender["
                    + shared.describe()
                    + (handleClosed ? ", handle closed]" : "]");
        }
    }

    /**
     * A sender handle that does not keep the channel open: tokio's {@code broadcast::WeakSender}.
     * {@link #upgrade()} turns it into a {@link Sender} while some strong handle exists.
     *
     * @param <T> the type of the values
     */
    public static final class WeakSender<T> implements AutoCloseable {
        private final BroadcastShared<T> shared;
        private volatile boolean handleClosed;

        WeakSender(BroadcastShared<T> shared) {
            this.shared = shared;
        }

        /**
         * Returns a new strong sender if some strong handle is still open.
         *
         * @return a new sender (close it when done), or null if every strong handle was closed
         * @throws IllegalStateException if this handle was closed
         */
        public Sender<T> upgrade() {
            checkOpen();
            return shared.tryAddStrong() ? new Sender<>(shared) : null;
        }

        /**
         * Returns the number of open strong sender handles.
         *
         * @return the strong count
         */
        public int strongCount() {
            return shared.strong;
        }

        /**
         * Returns the number of open weak sender handles.
         *
         * @return the weak count
         */
        public int weakCount() {
            return shared.weak;
        }

        /**
         * Returns a new weak handle to the same channel.
         *
         * @return a new weak sender
         * @throws IllegalStateException if this handle was closed
         */
        @Override
        public WeakSender<T> clone() {
            checkOpen();
            shared.addWeak();
            return new WeakSender<>(shared);
        }

        /** Closes this handle (lowers the weak count). Idempotent. */
        @Override
        public void close() {
            if (WEAK_HANDLE_CLOSED.compareAndSet(this, false, true)) {
                shared.dropWeak();
            }
        }

        private void checkOpen() {
            if (handleClosed) {
                throw new IllegalStateException("this Broadcast.WeakSender handle was closed");
            }
        }

        @Override
        public String toString() {
            return "Broadcast.WeakSender["
                    + shared.describe()
                    + (handleClosed ? ", handle closed]" : "]");
        }
    }

    /**
     * The receiving half: tokio's {@code broadcast::Receiver}, with its own cursor into the
     * channel. A single consumer: one receive at a time ({@code recv}, {@code tryRecv} or a
     * blocking receive); a second one while the first is pending or running fails with {@link
     * IllegalStateException} and changes nothing. The queries ({@link #len()}, {@link #isEmpty()},
     * {@link #isClosed()}) may be called from any thread.
     *
     * <p>Close a receiver you no longer read ({@link #close()}): until then it counts in {@link
     * Sender#receiverCount()} and in {@link Sender#len()}.
     *
     * @param <T> the type of the values
     */
    public static final class Receiver<T> implements AutoCloseable {
        private final BroadcastShared<T> shared;

        /** This receiver's cursor and receive operations. */
        private final BroadcastCursor<T> cursor;

        Receiver(BroadcastCursor<T> cursor) {
            this.shared = cursor.shared;
            this.cursor = cursor;
        }

        /**
         * Receives the next value: tokio's {@code Receiver::recv}. The returned future is already
         * complete when a value (or the end, or a lag) is there.
         *
         * <p>Outcomes: the next value in send order; {@code null} once the channel is closed and
         * this receiver read everything retained for it (end of stream); fails with {@link
         * LaggedException} if values were overwritten before this receiver read them (the cursor
         * then moves to the oldest retained value, which the next receive returns); fails with
         * {@link ClosedException} carrying the cause, instead of {@code null}, after {@link
         * Sender#closeChannel(Throwable)}.
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>Cancel-safe: cancelling the returned future (or {@code completeExceptionally},
         *       {@code orTimeout}) consumes nothing. If a value reached the future first, the
         *       future keeps it and the receiver moves past it; otherwise the next receive returns
         *       that value (or reports that lag). Cancelling a dependent stage ({@code
         *       recv().thenApply(f)}) does not reach this future.
         *   <dt>Fairness
         *   <dd>None needed: every receiver has its own cursor; a send completes every receiver
         *       waiting for it.
         *   <dt>Completion thread
         *   <dd>Already complete when something is there (a value, a lag or the end of the stream);
         *       otherwise completed by the thread whose send (or close) made it ready, trampolined,
         *       after internal locks are released. Dependents are <a
         *       href="package-summary.html#stack-safety">stack-safe</a>: a loop written as
         *       recursion ({@code recv().thenAccept(v -> loop())}) keeps a flat stack.
         * </dl>
         *
         * @return a future of the value, or of null at the end of the stream
         * @throws IllegalStateException if a receive is already pending on this receiver, or this
         *     handle was closed
         */
        public CompletableFuture<T> recv() {
            return cursor.recv();
        }

        /**
         * Receives the next value if there is one, without waiting: tokio's {@code try_recv}. Never
         * spuriously empty: a value whose send has returned is seen.
         *
         * @return the next value, or null if there is none now
         * @throws LaggedException if values were overwritten before this receiver read them (the
         *     next call returns the oldest retained value)
         * @throws ClosedException if the channel is closed and this receiver read everything (its
         *     cause is the {@link Sender#closeChannel(Throwable)} cause, if any)
         * @throws IllegalStateException if a receive is pending on this receiver, or this handle
         *     was closed
         */
        public T tryRecv() {
            return cursor.tryRecv();
        }

        /**
         * Receives the next value, parking the current thread until there is one: tokio's {@code
         * blocking_recv}. Outcomes as {@link #recv()}.
         *
         * <dl>
         *   <dt>Blocking
         *   <dd>Parks with {@code LockSupport} (fine on virtual threads) until a value, a lag or
         *       the end is there; first it re-checks for a few microseconds (32 spins, then 32
         *       {@code Thread.yield()}s), so a receiver that keeps up with the sender does not pay
         *       a park and an unpark per value. Fails fast with {@link IllegalStateException} on a
         *       Reactor non-blocking thread. Waits forever if nothing is sent and the channel never
         *       closes.
         *   <dt>Cancellation
         *   <dd>Interruption (and, for the timed form, the timeout) withdraws the wait like {@code
         *       cancel()} on {@link #recv()}: if it wins, {@link InterruptedException} is thrown
         *       (or null returned) and nothing is consumed; if a send woke this thread first, the
         *       value is returned and the interrupt status is set again. A thread interrupted on
         *       entry throws at once.
         *   <dt>Fairness
         *   <dd>As {@link #recv()}: every waiting receiver is woken by the send it waits for.
         * </dl>
         *
         * @return the next value, or null at the end of the stream
         * @throws InterruptedException if interrupted while waiting
         * @throws LaggedException if this receiver lagged (see {@link #recv()})
         * @throws ClosedException at the end of a channel closed with a cause
         * @throws IllegalStateException if a receive is pending on this receiver, or this handle
         *     was closed
         */
        public T blockingRecv() throws InterruptedException {
            BlockingCheck.check("Broadcast.Receiver.blockingRecv");
            return cursor.recvBlocking(Long.MAX_VALUE);
        }

        /**
         * Receives the next value, parking the current thread for at most {@code timeout}. Null
         * means either timeout or end of stream: tell them apart with {@code isClosed() &&
         * isEmpty()}. See {@link #blockingRecv()} for the interrupt contract.
         *
         * @param timeout the longest wait; zero or negative means "do not wait"
         * @return the next value, or null on timeout or at the end of the stream
         * @throws InterruptedException if interrupted while waiting
         * @throws LaggedException if this receiver lagged (see {@link #recv()})
         * @throws ClosedException at the end of a channel closed with a cause
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalStateException if a receive is pending on this receiver, or this handle
         *     was closed
         */
        public T blockingRecv(Duration timeout) throws InterruptedException {
            long deadline = BlockingCheck.deadlineOf(timeout);
            BlockingCheck.check("Broadcast.Receiver.blockingRecv");
            return cursor.recvBlocking(deadline);
        }

        /**
         * Creates a new receiver of the same channel that starts at the tail: it sees the values
         * sent after this call, not those this receiver has yet to read.
         *
         * @return a new receiver; close it when done
         * @throws IllegalStateException if this handle was closed, or {@link #MAX_RECEIVERS}
         *     receivers exist
         */
        public Receiver<T> resubscribe() {
            cursor.checkOpen();
            return shared.subscribe();
        }

        // ---- Reactive Streams views

        /**
         * Returns a unicast {@link Publisher} of this receiver. The same as {@link
         * #asPublisher(LagPolicy, LongConsumer) asPublisher(policy, null)}.
         *
         * @param policy what the subscriber gets when this receiver lags
         * @return a publisher view of this receiver
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if this handle was closed
         */
        public Publisher<T> asPublisher(LagPolicy policy) {
            return asPublisher(policy, null);
        }

        /**
         * Returns a unicast {@link Publisher} of this receiver: its subscriber takes this receiver
         * over and reads from its cursor on. A Tributary addition: tokio has no counterpart. For a
         * publisher that gives each subscriber a receiver of its own, use {@link
         * Sender#asPublisher(LagPolicy, LongConsumer)}.
         *
         * <ul>
         *   <li><b>Subscribers</b>: one. A second {@code subscribe} gets {@code onSubscribe} then
         *       {@code onError(IllegalStateException)}, also after the first one ended. Do not
         *       receive from this receiver yourself once subscribed (a receive of yours that is
         *       pending makes the subscriber fail with {@link IllegalStateException}).
         *   <li><b>Demand, lag, terminal signals, rules</b>: as for {@link
         *       Sender#asPublisher(LagPolicy, LongConsumer)}: at most the demand; {@link
         *       LagPolicy#ERROR} signals {@code onError(LaggedException)}, {@link LagPolicy#SKIP}
         *       reports the exact missed count to {@code onLag} and continues at the oldest
         *       retained value; {@code onComplete} when the channel closed and this receiver read
         *       everything, or {@code onError(cause)} after {@link Sender#closeChannel(Throwable)}.
         *       This receiver is closed before a terminal signal. If it is closed from outside
         *       meanwhile, the subscriber gets {@code onError(IllegalStateException)}.
         * </ul>
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>{@code cancel()} closes this receiver (the receiver count drops) and withdraws its
         *       wake-up.
         *   <dt>Completion thread
         *   <dd>As for {@link Sender#asPublisher(LagPolicy, LongConsumer)}: the requesting thread,
         *       or the sending (closing) thread that woke a waiting subscriber; never recursively.
         * </dl>
         *
         * @param policy what the subscriber gets when this receiver lags
         * @param onLag under {@link LagPolicy#SKIP}, called with the exact missed count of each
         *     lag, on the delivering thread; may be null; if it throws, the receiver is closed and
         *     the subscriber gets {@code onError} with the thrown exception
         * @return a publisher view of this receiver
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if this handle was closed
         */
        public Publisher<T> asPublisher(LagPolicy policy, LongConsumer onLag) {
            Objects.requireNonNull(policy, "policy must not be null");
            cursor.checkOpen();
            return BroadcastPublisher.unicast(this, policy, onLag);
        }

        /**
         * The JDK {@link Flow} form of {@link #asPublisher(LagPolicy)}.
         *
         * @param policy what the subscriber gets when this receiver lags
         * @return {@code FlowAdapters.toFlowPublisher(asPublisher(policy))}
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if this handle was closed
         */
        public Flow.Publisher<T> asFlowPublisher(LagPolicy policy) {
            return FlowAdapters.toFlowPublisher(asPublisher(policy));
        }

        /**
         * The JDK {@link Flow} form of {@link #asPublisher(LagPolicy, LongConsumer)}.
         *
         * @param policy what the subscriber gets when this receiver lags
         * @param onLag as for {@link #asPublisher(LagPolicy, LongConsumer)}; may be null
         * @return {@code FlowAdapters.toFlowPublisher(asPublisher(policy, onLag))}
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if this handle was closed
         */
        public Flow.Publisher<T> asFlowPublisher(LagPolicy policy, LongConsumer onLag) {
            return FlowAdapters.toFlowPublisher(asPublisher(policy, onLag));
        }

        /**
         * Returns the number of values sent since this receiver's cursor that it has not read,
         * including values already overwritten: more than the capacity means the next receive
         * reports a lag. For monitoring, not for synchronization control.
         *
         * @return the number of unread values (saturated at {@link Integer#MAX_VALUE})
         */
        public int len() {
            return cursor.len();
        }

        /**
         * Returns true if this receiver has read everything sent so far ({@code len() == 0}).
         *
         * @return whether nothing is unread
         */
        public boolean isEmpty() {
            return len() == 0;
        }

        /**
         * Returns true if the channel is closed: every strong sender handle closed, or {@link
         * Sender#closeChannel(Throwable)} was called. Values may remain to be read.
         *
         * @return whether the channel is closed
         */
        public boolean isClosed() {
            return shared.isClosed();
        }

        /**
         * Returns the number of open strong sender handles (tokio's {@code sender_strong_count}).
         *
         * @return the strong count
         */
        public int senderStrongCount() {
            return shared.strong;
        }

        /**
         * Returns the number of open weak sender handles (tokio's {@code sender_weak_count}).
         *
         * @return the weak count
         */
        public int senderWeakCount() {
            return shared.weak;
        }

        /**
         * Returns true if {@code other} receives from the same channel.
         *
         * @param other another receiver
         * @return whether both belong to one channel
         */
        public boolean sameChannel(Receiver<?> other) {
            return other.shared == shared;
        }

        /**
         * Closes this receiver: its unread values count as read (for {@link Sender#len()}) and the
         * receiver count drops, which may complete {@link Sender#closed()} and make sends fail. A
         * receive still pending is cancelled (as {@code Watch.Receiver.close()} does), so it
         * consumed nothing. Idempotent.
         */
        @Override
        public void close() {
            cursor.close();
        }

        @Override
        public String toString() {
            return "Broadcast.Receiver[len="
                    + len()
                    + ", "
                    + shared.describe()
                    + (cursor.isHandleClosed() ? ", handle closed]" : "]");
        }

        // ---- internals

        /** For the publisher views: {@link BroadcastCursor#whenReadable()}. */
        CompletableFuture<Boolean> whenReadable() {
            return cursor.whenReadable();
        }
    }

    // VarHandle mechanics
    private static final VarHandle SENDER_HANDLE_CLOSED;
    private static final VarHandle WEAK_HANDLE_CLOSED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SENDER_HANDLE_CLOSED = l.findVarHandle(Sender.class, "handleClosed", boolean.class);
            WEAK_HANDLE_CLOSED = l.findVarHandle(WeakSender.class, "handleClosed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
