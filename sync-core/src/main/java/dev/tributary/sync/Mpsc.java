package dev.tributary.sync;

import dev.tributary.sync.internal.BatchSemaphore;
import dev.tributary.sync.internal.BlockingCheck;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.BiFunction;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * Multi-producer, single-consumer channels: tokio's {@code sync::mpsc}, bounded ({@link
 * #channel(int)}) and unbounded ({@link #unboundedChannel()}).
 *
 * <ul>
 *   <li><b>Producers</b>: any number of {@link Sender} (or {@link UnboundedSender}) handles, made
 *       by {@code clone()}; each is counted and must be closed. {@code downgrade()} makes a {@link
 *       WeakSender} that does not keep the channel open.
 *   <li><b>Consumer</b>: one {@link Receiver}; at most one receive may be pending at a time (a
 *       second one fails at the call with {@link IllegalStateException}).
 *   <li><b>Capacity and backpressure</b>: a bounded channel holds at most {@code capacity}
 *       messages, counting reserved-but-unsent {@link Permit}s; senders wait for capacity in FIFO
 *       order ({@link Sender#send(Object)}, {@link Sender#reserve()}). An unbounded channel never
 *       makes a sender wait.
 *   <li><b>Ordering</b>: FIFO per sender; messages of different senders interleave in the order
 *       they were enqueued.
 *   <li><b>Closing</b>: the channel closes when the last strong sender handle is closed, when the
 *       receiver calls {@link Receiver#close()}, or when a sender calls {@link
 *       Sender#closeChannel(Throwable)}. Sends then fail with {@link ClosedException}; permits
 *       already reserved may still send; the receiver drains what was sent, then sees the end of
 *       the stream ({@code recv()} completes with {@code null}) or, after {@code
 *       closeChannel(cause)}, a {@link ClosedException} whose cause is that cause.
 *   <li><b>Elements</b>: never null ({@link NullPointerException} at the call).
 *   <li><b>Reactive Streams</b> (a Tributary addition): {@link AbstractReceiver#asPublisher()} is a
 *       unicast publisher of the messages; {@link Sender#asSubscriber()} and {@link
 *       UnboundedSender#asSubscriber()} send what an upstream publisher emits, requesting only what
 *       the channel can take. JDK {@code Flow} forms: {@code asFlowPublisher()}, {@code
 *       asFlowSubscriber()}.
 * </ul>
 *
 * <p><b>Memory consistency effects:</b> actions in a thread before a message is sent (by any send
 * method or {@link Permit#send(Object)}) happen-before actions after that message is received.
 *
 * <p>Sending and receiving take no lock when nobody has to wait: the data path is a lock-free block
 * list ({@code internal.MpscQueue}), the bounded capacity a semaphore with a lock-free fast path.
 */
public final class Mpsc {

    /*
     * This file holds the factory and the public handles only; each method checks its arguments
     * and delegates to the channel's shared state. Where the algorithms live (package-private,
     * with their implementation overviews):
     *
     *   MpscChan           the shared state of one channel, both flavours: sending, closing,
     *                      receiving, the receiver's waiter slot and its Dekker re-check
     *   MpscCapacity       the capacity strategy: Bounded (a BatchSemaphore) or Unbounded
     *                      (a message counter), tokio's chan.rs Semaphore trait
     *   MpscReceiveWaiter  the receiver's waiter: async (a ClaimFuture), blocking (a reusable
     *                      park slot) or a Publisher view's wake-up
     *   MpscPublisher, MpscSubscriber   the Reactive Streams views
     *   internal.MpscQueue the lock-free block list that carries the messages
     */

    /** The largest capacity of a bounded channel: 268,435,455 (tokio's {@code MAX_PERMITS}). */
    public static final int MAX_CAPACITY = BatchSemaphore.MAX_PERMITS;

    private Mpsc() {}

    /**
     * Creates a bounded channel that holds at most {@code capacity} messages (tokio's {@code
     * mpsc::channel}). Slots are allocated as needed, in blocks, and recycled; a large capacity
     * costs nothing up front.
     *
     * @param capacity the capacity, {@code 1..MAX_CAPACITY}
     * @param <T> the element type
     * @return the sender and receiver
     * @throws IllegalArgumentException if {@code capacity} is out of range
     */
    public static <T> Channel<T> channel(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException(
                    "capacity must be in 1.." + MAX_CAPACITY + " but was " + capacity);
        }
        MpscChan<T> chan = MpscChan.bounded(capacity);
        return new Channel<>(new Sender<>(chan), new Receiver<>(chan));
    }

    /**
     * Creates an unbounded channel (tokio's {@code mpsc::unbounded_channel}): sending never waits;
     * memory is the only limit.
     *
     * @param <T> the element type
     * @return the sender and receiver
     */
    public static <T> UnboundedChannel<T> unboundedChannel() {
        MpscChan<T> chan = MpscChan.unbounded();
        return new UnboundedChannel<>(new UnboundedSender<>(chan), new UnboundedReceiver<>(chan));
    }

    /**
     * The two ends of a bounded channel.
     *
     * @param sender the first sender handle (strong count 1)
     * @param receiver the receiver
     * @param <T> the element type
     */
    public record Channel<T>(Sender<T> sender, Receiver<T> receiver) {}

    /**
     * The two ends of an unbounded channel.
     *
     * @param sender the first sender handle (strong count 1)
     * @param receiver the receiver
     * @param <T> the element type
     */
    public record UnboundedChannel<T>(UnboundedSender<T> sender, UnboundedReceiver<T> receiver) {}

    // ---------------------------------------------------------------------------------------
    // Senders
    // ---------------------------------------------------------------------------------------

    /**
     * What the counted sender handles of both flavors share: {@link Sender} (bounded, tokio's
     * {@code mpsc::Sender}) and {@link UnboundedSender} (tokio's {@code UnboundedSender}).
     * Thread-safe; {@code clone()} makes another counted handle, and the channel closes when the
     * last one is closed. After {@link #close()}, methods that send, reserve or clone through this
     * handle throw {@link IllegalStateException}; queries still answer.
     *
     * @param <T> the element type
     */
    public abstract static sealed class AbstractSender<T> implements AutoCloseable
            permits Sender, UnboundedSender {
        final MpscChan<T> chan;

        /** "Sender" or "UnboundedSender", for messages. */
        private final String type;

        private volatile int closed;

        AbstractSender(MpscChan<T> chan, String type) {
            this.chan = chan;
            this.type = type;
        }

        final void checkOpen() {
            if (closed != 0) {
                throw new IllegalStateException("this Mpsc." + type + " handle was closed");
            }
        }

        /** clone(): checks this handle, counts a new strong one, and returns the channel. */
        final MpscChan<T> addStrong() {
            checkOpen();
            chan.addStrong();
            return chan;
        }

        /** downgrade(): checks this handle, counts a new weak one, and returns the channel. */
        final MpscChan<T> addWeak() {
            checkOpen();
            chan.addWeak();
            return chan;
        }

        /** sameChannel(other), once {@code other} is typed by the subclass. */
        final boolean sameChannelAs(AbstractSender<?> other) {
            Objects.requireNonNull(other, "other must not be null");
            return chan == other.chan;
        }

        /** asSubscriber(): the view takes this handle over. */
        final Subscriber<T> subscriberView(
                BiFunction<MpscChan<T>, Runnable, MpscSubscriber<T>> view) {
            checkOpen();
            return view.apply(chan, this::close);
        }

        /**
         * Waits until the channel is closed: by the receiver ({@link AbstractReceiver#close()}) or
         * by {@link #closeChannel(Throwable)} (tokio's {@code closed}).
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>Cancel-safe: cancelling the returned future withdraws it and changes nothing else.
         *   <dt>Fairness
         *   <dd>Not applicable: closing completes every such future.
         *   <dt>Completion thread
         *   <dd>Already complete if closed; otherwise completed by the thread that closed the
         *       channel, trampolined, after internal locks are released. Dependents are <a
         *       href="package-summary.html#stack-safety">stack-safe</a>.
         * </dl>
         *
         * @return a future that completes (with null) once the channel is closed
         */
        public CompletableFuture<Void> closed() {
            return chan.closed();
        }

        /**
         * Returns true once the channel is closed (tokio's {@code is_closed}).
         *
         * @return whether sends now fail
         */
        public boolean isClosed() {
            return chan.isClosed();
        }

        /**
         * Returns the number of open strong sender handles (tokio's {@code strong_count}). For
         * monitoring.
         *
         * @return the strong count
         */
        public int strongCount() {
            return chan.strong;
        }

        /**
         * Returns the number of open weak sender handles (tokio's {@code weak_count}). For
         * monitoring.
         *
         * @return the weak count
         */
        public int weakCount() {
            return chan.weak;
        }

        /**
         * Closes this handle (tokio's drop of a sender). When it was the last strong handle, the
         * channel closes: the receiver drains what was sent, then sees the end of the stream.
         * Idempotent.
         */
        @Override
        public void close() {
            if (CLOSED.compareAndSet(this, 0, 1)) {
                chan.dropStrong();
            }
        }

        /**
         * Closes the whole channel with a cause (beyond tokio, like kotlinx's {@code
         * close(cause)}), and this handle. Every sender fails from now on; the receiver drains what
         * was sent, then every receive fails with {@link ClosedException} whose cause is {@code
         * cause}.
         *
         * @param cause the reason, non-null
         * @return true if this call closed the channel; false if it was already closed ({@code
         *     cause} is then ignored)
         * @throws NullPointerException if {@code cause} is null
         * @throws IllegalStateException if this handle was closed; of two calls racing on one
         *     handle, one closes and the other throws this (the handle is claimed before the
         *     channel closes)
         */
        public boolean closeChannel(Throwable cause) {
            Objects.requireNonNull(cause, "cause must not be null");
            if (!CLOSED.compareAndSet(this, 0, 1)) { // claim the handle first: one caller wins
                checkOpen();
            }
            boolean closedIt = chan.close(cause); // before the drop, so the cause is the one seen
            chan.dropStrong();
            return closedIt;
        }

        /**
         * Returns a Reactive Streams view that sends everything an upstream publisher emits into
         * the channel through this handle (a Tributary addition; tokio has no counterpart). The
         * view takes this handle over: upstream {@code onComplete} closes it ({@link #close()}),
         * upstream {@code onError(e)} closes the channel with {@code e} ({@link
         * #closeChannel(Throwable)}); {@code clone()} first to keep sending from elsewhere. Demand
         * is described by each flavor.
         *
         * @return a subscriber that sends into this channel through this handle
         * @throws IllegalStateException if this handle was closed
         */
        public abstract Subscriber<T> asSubscriber();

        /**
         * Returns {@link #asSubscriber()} as a JDK {@link Flow.Subscriber} ({@code
         * FlowAdapters.toFlowSubscriber(asSubscriber())}); the same semantics.
         *
         * @return a Flow subscriber that sends into this channel through this handle
         * @throws IllegalStateException if this handle was closed
         */
        public Flow.Subscriber<T> asFlowSubscriber() {
            return FlowAdapters.toFlowSubscriber(asSubscriber());
        }

        @Override
        public String toString() {
            return "Mpsc." + type + "[" + chan + (closed != 0 ? ", handle closed" : "") + "]";
        }

        // VarHandle mechanics
        private static final VarHandle CLOSED;

        static {
            try {
                CLOSED =
                        MethodHandles.lookup()
                                .findVarHandle(AbstractSender.class, "closed", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /**
     * A counted handle that sends into a bounded channel (tokio's {@code mpsc::Sender}).
     * Thread-safe; {@link #clone()} makes another counted handle, and the channel closes when the
     * last one is closed. After {@link #close()}, methods that send, reserve or clone through this
     * handle throw {@link IllegalStateException}; queries still answer.
     *
     * @param <T> the element type
     */
    public static final class Sender<T> extends AbstractSender<T> {

        Sender(MpscChan<T> chan) {
            super(chan, "Sender");
        }

        /**
         * Sends {@code value}, waiting for capacity if the channel is full (tokio's {@code send}).
         * The returned future is already complete when capacity was free.
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>Cancelling the returned future (or {@code completeExceptionally}, {@code
         *       orTimeout}) loses the value, as in tokio: either the value was sent first (then
         *       {@code cancel} returns false and the future completes normally) or it is never
         *       sent, and its place in the queue of waiting senders is given up. To keep the value
         *       when giving up, {@link #reserve()} a permit first and send through it. Cancelling a
         *       dependent stage does not reach this future.
         *   <dt>Fairness
         *   <dd>FIFO among the waiting senders, reservations included; {@link #trySend(Object)}
         *       fails while anyone waits.
         *   <dt>Completion thread
         *   <dd>Already complete when capacity was free; otherwise completed by the thread that
         *       freed capacity (usually the receiver's), trampolined, after internal locks are
         *       released. Dependents are <a
         *       href="package-summary.html#stack-safety">stack-safe</a>.
         * </dl>
         *
         * @param value the message, non-null
         * @return a future that completes when the value is in the channel, or fails with {@link
         *     ClosedException} if the channel is or gets closed first (the value is not sent)
         * @throws NullPointerException if {@code value} is null
         * @throws IllegalStateException if this handle was closed
         */
        public CompletableFuture<Void> send(T value) {
            Objects.requireNonNull(value, "value must not be null");
            checkOpen();
            return chan.send(value);
        }

        /**
         * Sends {@code value} if capacity is free now and no sender waits (tokio's {@code
         * try_send}).
         *
         * @param value the message, non-null
         * @return true if sent, false if the channel is full (tokio's {@code Full})
         * @throws NullPointerException if {@code value} is null
         * @throws ClosedException if the channel is closed (tokio's {@code Closed})
         * @throws IllegalStateException if this handle was closed
         */
        public boolean trySend(T value) {
            Objects.requireNonNull(value, "value must not be null");
            checkOpen();
            return chan.trySend(value);
        }

        /**
         * Sends {@code value}, waiting at most {@code timeout} for capacity (tokio's {@code
         * send_timeout}): {@code send(value).orTimeout(timeout)}.
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>As {@link #send(Object)}; on timeout the value is not sent.
         *   <dt>Fairness
         *   <dd>FIFO, as {@link #send(Object)}.
         *   <dt>Completion thread
         *   <dd>As {@link #send(Object)}; a timeout completes it on the JDK's delayer thread.
         *       Dependents are <a href="package-summary.html#stack-safety">stack-safe</a>.
         * </dl>
         *
         * @param value the message, non-null
         * @param timeout the longest wait; zero or negative times out unless capacity is free now
         * @return a future that completes when the value is in the channel, or fails with {@link
         *     java.util.concurrent.TimeoutException} (not sent) or {@link ClosedException}
         * @throws NullPointerException if {@code value} or {@code timeout} is null
         * @throws IllegalStateException if this handle was closed
         */
        public CompletableFuture<Void> sendTimeout(T value, Duration timeout) {
            Objects.requireNonNull(value, "value must not be null");
            Objects.requireNonNull(timeout, "timeout must not be null");
            checkOpen();
            return chan.sendTimeout(value, timeout);
        }

        /**
         * Sends {@code value}, parking the current thread until capacity is free (tokio's {@code
         * blocking_send}). Allocates nothing when capacity is free.
         *
         * <dl>
         *   <dt>Blocking
         *   <dd>Parks with {@code LockSupport} (fine on virtual threads). Interruption withdraws
         *       the send like {@code cancel()}: if it wins, {@link InterruptedException} is thrown
         *       and the value is not sent; if capacity was granted first, the value is sent and the
         *       interrupt status is set again. Fails fast with {@link IllegalStateException} on a
         *       Reactor non-blocking thread. Deadlocks if the only thread that would receive is
         *       this one.
         *   <dt>Fairness
         *   <dd>FIFO, in the same queue as the async senders.
         * </dl>
         *
         * @param value the message, non-null
         * @throws InterruptedException if interrupted while waiting (not sent)
         * @throws NullPointerException if {@code value} is null
         * @throws ClosedException if the channel is or gets closed (not sent)
         * @throws IllegalStateException if this handle was closed
         */
        public void blockingSend(T value) throws InterruptedException {
            Objects.requireNonNull(value, "value must not be null");
            checkOpen();
            BlockingCheck.check("Mpsc.Sender.blockingSend");
            chan.blockingSend(value, Long.MAX_VALUE);
        }

        /**
         * Sends {@code value}, parking the current thread for at most {@code timeout}. See {@link
         * #blockingSend(Object)} for the interrupt contract.
         *
         * @param value the message, non-null
         * @param timeout the longest wait; zero or negative means "do not wait"
         * @return true if sent, false if the timeout passed first (not sent)
         * @throws InterruptedException if interrupted while waiting (not sent)
         * @throws NullPointerException if {@code value} or {@code timeout} is null
         * @throws ClosedException if the channel is or gets closed (not sent)
         * @throws IllegalStateException if this handle was closed
         */
        public boolean blockingSend(T value, Duration timeout) throws InterruptedException {
            Objects.requireNonNull(value, "value must not be null");
            Objects.requireNonNull(timeout, "timeout must not be null");
            checkOpen();
            long deadline = BlockingCheck.deadlineOf(timeout);
            BlockingCheck.check("Mpsc.Sender.blockingSend");
            return chan.blockingSend(value, deadline);
        }

        /**
         * Reserves one slot, waiting for capacity (tokio's {@code reserve}). Sending through the
         * {@link Permit} then cannot fail; closing the permit unused gives the slot back.
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>Cancelling the returned future loses only the place in the queue: either the slot
         *       was granted first (the future keeps the permit) or nothing is taken; a slot granted
         *       in the race goes back.
         *   <dt>Fairness
         *   <dd>FIFO, in the same queue as {@link #send(Object)}.
         *   <dt>Completion thread
         *   <dd>As {@link #send(Object)}. Dependents are <a
         *       href="package-summary.html#stack-safety">stack-safe</a>.
         * </dl>
         *
         * @return a future of the permit, failed with {@link ClosedException} if the channel is or
         *     gets closed
         * @throws IllegalStateException if this handle was closed
         */
        public CompletableFuture<Permit<T>> reserve() {
            checkOpen();
            return chan.reserve();
        }

        /**
         * Reserves {@code n} slots at once, waiting for capacity (tokio's {@code reserve_many}).
         * {@code n == 0} succeeds at once with an empty iterator, even when the channel is full
         * (but not when it is closed).
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>As {@link #reserve()}; slots assigned to a partly served request go back.
         *   <dt>Fairness
         *   <dd>FIFO: while this request waits at the head, later senders wait too.
         *   <dt>Completion thread
         *   <dd>As {@link #send(Object)}. Dependents are <a
         *       href="package-summary.html#stack-safety">stack-safe</a>.
         * </dl>
         *
         * @param n the number of slots, {@code 0..maxCapacity()}
         * @return a future of the permits, failed with {@link ClosedException} if the channel is or
         *     gets closed
         * @throws IllegalArgumentException if {@code n} is negative or above {@link #maxCapacity()}
         * @throws IllegalStateException if this handle was closed
         */
        public CompletableFuture<PermitIterator<T>> reserveMany(int n) {
            chan.checkReserveCount(n);
            checkOpen();
            return chan.reserveMany(n);
        }

        /**
         * Reserves one slot with a permit that carries its own sender handle (tokio's {@code
         * reserve_owned}): the channel stays open while the permit is outstanding, and {@link
         * OwnedPermit#send(Object)} hands that handle back.
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>As {@link #reserve()}; the permit's handle is closed again when nothing is granted.
         *   <dt>Fairness
         *   <dd>FIFO, as {@link #reserve()}.
         *   <dt>Completion thread
         *   <dd>As {@link #send(Object)}. Dependents are <a
         *       href="package-summary.html#stack-safety">stack-safe</a>.
         * </dl>
         *
         * @return a future of the owned permit, failed with {@link ClosedException} if the channel
         *     is or gets closed
         * @throws IllegalStateException if this handle was closed
         */
        public CompletableFuture<OwnedPermit<T>> reserveOwned() {
            return chan.reserveOwned(clone());
        }

        /**
         * Reserves one slot if capacity is free now and no sender waits (tokio's {@code
         * try_reserve}).
         *
         * @return the permit, or null if the channel is full
         * @throws ClosedException if the channel is closed
         * @throws IllegalStateException if this handle was closed
         */
        public Permit<T> tryReserve() {
            checkOpen();
            return chan.tryReserve();
        }

        /**
         * Reserves {@code n} slots if they are free now and no sender waits (tokio's {@code
         * try_reserve_many}).
         *
         * @param n the number of slots, non-negative
         * @return the permits, or null if not enough capacity is free (always for {@code n >
         *     maxCapacity()}, as in tokio)
         * @throws IllegalArgumentException if {@code n} is negative
         * @throws ClosedException if the channel is closed
         * @throws IllegalStateException if this handle was closed
         */
        public PermitIterator<T> tryReserveMany(int n) {
            MpscChan.checkTryReserveCount(n);
            checkOpen();
            return chan.tryReserveMany(n);
        }

        /**
         * Reserves one slot, if free now, with a permit that carries its own sender handle (tokio's
         * {@code try_reserve_owned}).
         *
         * @return the owned permit, or null if the channel is full
         * @throws ClosedException if the channel is closed
         * @throws IllegalStateException if this handle was closed
         */
        public OwnedPermit<T> tryReserveOwned() {
            checkOpen();
            return chan.tryAcquire(1) ? new OwnedPermit<>(chan, clone()) : null;
        }

        /**
         * Returns the free capacity: {@code maxCapacity()} minus queued messages minus reserved,
         * unsent permits (tokio's {@code capacity}; not {@code maxCapacity() - len()}). 0 while
         * senders wait. For monitoring, not for synchronization control.
         *
         * @return the free slots
         */
        public int capacity() {
            return chan.capacity.availablePermits();
        }

        /**
         * Returns the capacity the channel was created with (tokio's {@code max_capacity}).
         *
         * @return the maximum capacity
         */
        public int maxCapacity() {
            return chan.maxCapacity();
        }

        /**
         * Returns true if {@code other} sends into the same channel (tokio's {@code same_channel}).
         *
         * @param other another sender
         * @return whether both handles belong to one channel
         * @throws NullPointerException if {@code other} is null
         */
        public boolean sameChannel(Sender<?> other) {
            return sameChannelAs(other);
        }

        /**
         * Makes a new counted strong handle to the same channel (tokio's {@code Clone}); close it
         * when done.
         *
         * @return a new sender handle
         * @throws IllegalStateException if this handle was closed
         */
        @Override
        public Sender<T> clone() {
            return new Sender<>(addStrong());
        }

        /**
         * Makes a weak handle that does not keep the channel open (tokio's {@code downgrade}).
         *
         * @return a new weak handle; close it when done
         * @throws IllegalStateException if this handle was closed
         */
        public WeakSender<T> downgrade() {
            return new WeakSender<>(addWeak());
        }

        /**
         * Returns a Reactive Streams view that sends everything an upstream publisher emits into
         * the channel through this handle (a Tributary addition; tokio has no counterpart). The
         * view takes this handle over: upstream {@code onComplete} closes it ({@link #close()}),
         * upstream {@code onError(e)} closes the channel with {@code e} ({@link
         * #closeChannel(Throwable)}); {@link #clone()} first to keep sending from elsewhere.
         *
         * <ul>
         *   <li><b>Demand</b>: the view requests only what the channel can take. It reserves slots
         *       first, as permits, and requests exactly as many elements as it holds reserved, so
         *       {@code onNext} never waits and never fails for capacity, even with other senders
         *       competing. It keeps up to {@code window = min(maxCapacity(), 256)} slots reserved:
         *       at subscription it takes whatever is free (up to the window); whenever half of the
         *       window or more was used, it takes what is free again; with nothing reserved and
         *       nothing free it waits, in the FIFO queue of senders, for {@code max(1, window / 2)}
         *       slots freed by the receiver, and requests them as one batch. So the elements in
         *       flight (requested from upstream or queued in the channel) never exceed the
         *       capacity.
         *   <li><b>Upstream</b>: one per view; a second {@code onSubscribe} is cancelled (rule
         *       2.5).
         *   <li><b>Receiver closed</b>: when the channel closes (the receiver closed it, or {@code
         *       closeChannel}), the view cancels upstream, gives back every reserved slot and
         *       closes this handle; elements upstream still delivers after that are dropped (as
         *       sends would fail). Elements already pushed stay readable by the receiver.
         *   <li><b>Rule violation</b>: an upstream that sends more than requested (rule 1.1) is
         *       cancelled, the extra element is dropped, and the channel is closed with an {@link
         *       IllegalStateException} naming rule 1.1, which the receiver sees as the cause. No
         *       slot is overused.
         *   <li><b>Completion</b>: {@code onComplete} first gives back the slots reserved but
         *       unused, then closes this handle; nothing leaks.
         * </ul>
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>The view cancels upstream itself (receiver closed, rule violation); there is no
         *       other way to cancel it.
         *   <dt>Fairness
         *   <dd>The view's reservations queue with the other senders, FIFO; it never barges.
         *   <dt>Completion thread
         *   <dd>{@code request} runs on the thread that called {@code onSubscribe} or {@code
         *       onNext}, or on the receiving thread whose receive freed the slots the view waited
         *       for (upstream may then emit on that thread). Requests are serialized by a
         *       work-in-progress counter, never recursive.
         * </dl>
         *
         * @return a subscriber that sends into this channel through this handle
         * @throws IllegalStateException if this handle was closed
         */
        @Override
        public Subscriber<T> asSubscriber() {
            return subscriberView(MpscSubscriber.Bounded::new);
        }
    }

    /**
     * A counted handle that sends into an unbounded channel (tokio's {@code UnboundedSender}).
     * Sending never waits. Otherwise as {@link Sender}.
     *
     * @param <T> the element type
     */
    public static final class UnboundedSender<T> extends AbstractSender<T> {

        UnboundedSender(MpscChan<T> chan) {
            super(chan, "UnboundedSender");
        }

        /**
         * Sends {@code value} (tokio's {@code UnboundedSender::send}); never waits.
         *
         * @param value the message, non-null
         * @throws NullPointerException if {@code value} is null
         * @throws ClosedException if the channel is closed
         * @throws IllegalStateException if this handle was closed
         */
        public void send(T value) {
            Objects.requireNonNull(value, "value must not be null");
            checkOpen();
            chan.trySend(value); // an unbounded channel always has a free permit
        }

        /**
         * Returns true if {@code other} sends into the same channel.
         *
         * @param other another sender
         * @return whether both handles belong to one channel
         * @throws NullPointerException if {@code other} is null
         */
        public boolean sameChannel(UnboundedSender<?> other) {
            return sameChannelAs(other);
        }

        /**
         * Makes a new counted strong handle to the same channel; close it when done.
         *
         * @return a new sender handle
         * @throws IllegalStateException if this handle was closed
         */
        @Override
        public UnboundedSender<T> clone() {
            return new UnboundedSender<>(addStrong());
        }

        /**
         * Makes a weak handle that does not keep the channel open.
         *
         * @return a new weak handle; close it when done
         * @throws IllegalStateException if this handle was closed
         */
        public WeakUnboundedSender<T> downgrade() {
            return new WeakUnboundedSender<>(addWeak());
        }

        /**
         * Returns a Reactive Streams view that sends everything an upstream publisher emits into
         * the channel through this handle (a Tributary addition; tokio has no counterpart). The
         * view takes this handle over: upstream {@code onComplete} closes it ({@link #close()}),
         * upstream {@code onError(e)} closes the channel with {@code e} ({@link
         * #closeChannel(Throwable)}); {@link #clone()} first to keep sending from elsewhere.
         *
         * <ul>
         *   <li><b>Demand</b>: unbounded: the channel can take everything, so the view requests
         *       {@code Long.MAX_VALUE} at once; memory is the only limit, as for {@link
         *       #send(Object)}.
         *   <li><b>Upstream</b>: one per view; a second {@code onSubscribe} is cancelled (rule
         *       2.5).
         *   <li><b>Receiver closed</b>: when the channel closes (the receiver closed it, or {@code
         *       closeChannel}), the view cancels upstream and closes this handle; elements upstream
         *       still delivers after that are dropped (as sends would fail).
         * </ul>
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>The view cancels upstream itself (receiver closed); there is no other way to cancel
         *       it.
         *   <dt>Fairness
         *   <dd>Not applicable: sending never waits.
         *   <dt>Completion thread
         *   <dd>The one {@code request} runs inside {@code onSubscribe}; the cancel on close runs
         *       on the closing thread.
         * </dl>
         *
         * @return a subscriber that sends into this channel through this handle
         * @throws IllegalStateException if this handle was closed
         */
        @Override
        public Subscriber<T> asSubscriber() {
            return subscriberView(MpscSubscriber.Unbounded::new);
        }
    }

    /**
     * One reserved slot of a bounded channel (tokio's {@code Permit}): {@link #send(Object)} cannot
     * fail, not even after the receiver closed the channel; {@link #close()} gives the slot back if
     * it was not used. Use it once.
     *
     * @param <T> the element type
     */
    public static final class Permit<T> implements AutoCloseable {
        private final MpscChan<T> chan;
        private volatile int used;

        Permit(MpscChan<T> chan) {
            this.chan = chan;
        }

        /**
         * Sends {@code value} into the reserved slot. Never waits and never fails for a closed
         * channel: the receiver drains it before the end of the stream.
         *
         * @param value the message, non-null
         * @throws NullPointerException if {@code value} is null (the permit stays unused)
         * @throws IllegalStateException if this permit was already used or closed
         */
        public void send(T value) {
            Objects.requireNonNull(value, "value must not be null");
            if (!USED_P.compareAndSet(this, 0, 1)) {
                throw new IllegalStateException(
                        "send requires an unused Mpsc.Permit but it was already used or closed");
            }
            chan.pushAndWake(value);
        }

        /** Gives the slot back if it was not used (tokio's drop of a permit). Idempotent. */
        @Override
        public void close() {
            if (USED_P.compareAndSet(this, 0, 1)) {
                chan.release(1);
            }
        }

        @Override
        public String toString() {
            return "Mpsc.Permit[" + (used != 0 ? "used" : "unused") + "]";
        }
    }

    /**
     * Several reserved slots of a bounded channel (tokio's {@code PermitIterator}): each {@link
     * #next()} hands out one {@link Permit}; {@link #close()} gives back those not handed out.
     *
     * @param <T> the element type
     */
    public static final class PermitIterator<T> implements Iterator<Permit<T>>, AutoCloseable {
        private final MpscChan<T> chan;
        private volatile int remaining;

        PermitIterator(MpscChan<T> chan, int n) {
            this.chan = chan;
            this.remaining = n;
        }

        /**
         * Returns true if a permit is left.
         *
         * @return whether {@link #next()} would succeed
         */
        @Override
        public boolean hasNext() {
            return remaining > 0;
        }

        /**
         * Hands out the next permit.
         *
         * @return a permit for one slot
         * @throws NoSuchElementException if none is left
         */
        @Override
        public Permit<T> next() {
            for (; ; ) {
                int r = remaining;
                if (r <= 0) {
                    throw new NoSuchElementException("no permits left in this Mpsc.PermitIterator");
                }
                if (REMAINING.compareAndSet(this, r, r - 1)) {
                    return new Permit<>(chan);
                }
            }
        }

        /**
         * Returns the number of permits not yet handed out (tokio's {@code len}).
         *
         * @return the remaining permits
         */
        public int remaining() {
            return Math.max(0, remaining);
        }

        /** Gives back the slots not handed out. Idempotent. */
        @Override
        public void close() {
            int r = (int) REMAINING.getAndSet(this, 0);
            if (r > 0) {
                chan.release(r);
            }
        }

        @Override
        public String toString() {
            return "Mpsc.PermitIterator[remaining=" + remaining() + "]";
        }
    }

    /**
     * One reserved slot that carries its own counted {@link Sender} handle (tokio's {@code
     * OwnedPermit}), so the channel stays open while it is outstanding. {@link #send(Object)} and
     * {@link #release()} hand that handle to the caller, who must close it; {@link #close()} gives
     * the slot back and closes the handle.
     *
     * @param <T> the element type
     */
    public static final class OwnedPermit<T> implements AutoCloseable {
        private final MpscChan<T> chan;
        private final Sender<T> sender;
        private volatile int used;

        OwnedPermit(MpscChan<T> chan, Sender<T> sender) {
            this.chan = chan;
            this.sender = sender;
        }

        private void use(String method) {
            if (!USED_O.compareAndSet(this, 0, 1)) {
                throw new IllegalStateException(
                        method
                                + " requires an unused Mpsc.OwnedPermit but it was already used or"
                                + " closed");
            }
        }

        /**
         * Sends {@code value} into the reserved slot (never waits, never fails for a closed
         * channel) and returns the permit's sender handle.
         *
         * @param value the message, non-null
         * @return the sender handle this permit held; the caller must close it
         * @throws NullPointerException if {@code value} is null (the permit stays unused)
         * @throws IllegalStateException if this permit was already used or closed
         */
        public Sender<T> send(T value) {
            Objects.requireNonNull(value, "value must not be null");
            use("send");
            chan.pushAndWake(value);
            return sender;
        }

        /**
         * Gives the slot back without sending and returns the permit's sender handle (tokio's
         * {@code release}).
         *
         * @return the sender handle this permit held; the caller must close it
         * @throws IllegalStateException if this permit was already used or closed
         */
        public Sender<T> release() {
            use("release");
            chan.release(1);
            return sender;
        }

        /**
         * If unused, gives the slot back and closes the permit's sender handle (tokio's drop).
         * Idempotent; does nothing after {@link #send(Object)} or {@link #release()}.
         */
        @Override
        public void close() {
            if (USED_O.compareAndSet(this, 0, 1)) {
                chan.release(1);
                sender.close();
            }
        }

        @Override
        public String toString() {
            return "Mpsc.OwnedPermit[" + (used != 0 ? "used" : "unused") + "]";
        }
    }

    /**
     * What the weak sender handles of both flavors share: {@link WeakSender} (tokio's {@code
     * WeakSender}) and {@link WeakUnboundedSender} (tokio's {@code WeakUnboundedSender}). A weak
     * handle does not keep the channel open; {@code upgrade()} makes a strong handle while one
     * still exists.
     *
     * @param <T> the element type
     */
    public abstract static sealed class AbstractWeakSender<T> implements AutoCloseable
            permits WeakSender, WeakUnboundedSender {
        final MpscChan<T> chan;

        /** "WeakSender" or "WeakUnboundedSender", for messages. */
        private final String type;

        private volatile int closed;

        AbstractWeakSender(MpscChan<T> chan, String type) {
            this.chan = chan;
            this.type = type;
        }

        final void checkOpen() {
            if (closed != 0) {
                throw new IllegalStateException("this Mpsc." + type + " handle was closed");
            }
        }

        /** upgrade(): the channel if a strong handle was counted, null once none is left. */
        final MpscChan<T> tryUpgrade() {
            checkOpen();
            return chan.tryAddStrong() ? chan : null;
        }

        /** clone(): checks this handle, counts a new weak one, and returns the channel. */
        final MpscChan<T> addWeak() {
            checkOpen();
            chan.addWeak();
            return chan;
        }

        /**
         * Returns the number of open strong sender handles. For monitoring.
         *
         * @return the strong count
         */
        public int strongCount() {
            return chan.strong;
        }

        /**
         * Returns the number of open weak sender handles. For monitoring.
         *
         * @return the weak count
         */
        public int weakCount() {
            return chan.weak;
        }

        /** Closes this weak handle (decrements the weak count). Idempotent. */
        @Override
        public void close() {
            if (CLOSED.compareAndSet(this, 0, 1)) {
                chan.dropWeak();
            }
        }

        @Override
        public String toString() {
            return "Mpsc." + type + "[" + chan + "]";
        }

        // VarHandle mechanics
        private static final VarHandle CLOSED;

        static {
            try {
                CLOSED =
                        MethodHandles.lookup()
                                .findVarHandle(AbstractWeakSender.class, "closed", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /**
     * A handle that does not keep a bounded channel open (tokio's {@code WeakSender}); {@link
     * #upgrade()} makes a strong {@link Sender} while one still exists.
     *
     * @param <T> the element type
     */
    public static final class WeakSender<T> extends AbstractWeakSender<T> {

        WeakSender(MpscChan<T> chan) {
            super(chan, "WeakSender");
        }

        /**
         * Makes a strong sender handle, if any strong handle is still open (tokio's {@code
         * upgrade}).
         *
         * @return a new sender handle (close it when done), or null once the strong count is 0
         * @throws IllegalStateException if this handle was closed
         */
        public Sender<T> upgrade() {
            MpscChan<T> c = tryUpgrade();
            return c != null ? new Sender<>(c) : null;
        }

        /**
         * Makes another weak handle (tokio's {@code Clone}).
         *
         * @return a new weak handle; close it when done
         * @throws IllegalStateException if this handle was closed
         */
        @Override
        public WeakSender<T> clone() {
            return new WeakSender<>(addWeak());
        }
    }

    /**
     * A handle that does not keep an unbounded channel open (tokio's {@code WeakUnboundedSender}).
     *
     * @param <T> the element type
     */
    public static final class WeakUnboundedSender<T> extends AbstractWeakSender<T> {

        WeakUnboundedSender(MpscChan<T> chan) {
            super(chan, "WeakUnboundedSender");
        }

        /**
         * Makes a strong sender handle, if any strong handle is still open.
         *
         * @return a new sender handle (close it when done), or null once the strong count is 0
         * @throws IllegalStateException if this handle was closed
         */
        public UnboundedSender<T> upgrade() {
            MpscChan<T> c = tryUpgrade();
            return c != null ? new UnboundedSender<>(c) : null;
        }

        /**
         * Makes another weak handle.
         *
         * @return a new weak handle; close it when done
         * @throws IllegalStateException if this handle was closed
         */
        @Override
        public WeakUnboundedSender<T> clone() {
            return new WeakUnboundedSender<>(addWeak());
        }
    }

    // ---------------------------------------------------------------------------------------
    // Receivers
    // ---------------------------------------------------------------------------------------

    /**
     * What the receiving ends of both flavors share: {@link Receiver} (bounded, tokio's {@code
     * mpsc::Receiver}) and {@link UnboundedReceiver} (tokio's {@code UnboundedReceiver}).
     * Single-consumer: at most one receive may be pending at a time; a second one throws {@link
     * IllegalStateException} at the call and changes nothing. The methods may be called from any
     * thread, one at a time.
     *
     * @param <T> the element type
     */
    public abstract static sealed class AbstractReceiver<T> implements AutoCloseable
            permits Receiver, UnboundedReceiver {
        final MpscChan<T> chan;

        /** Names for BlockingCheck, built once per handle (no allocation per blocking call). */
        private final String blockingRecvName;

        private final String blockingRecvManyName;

        AbstractReceiver(MpscChan<T> chan, String type) {
            this.chan = chan;
            this.blockingRecvName = "Mpsc." + type + ".blockingRecv";
            this.blockingRecvManyName = "Mpsc." + type + ".blockingRecvMany";
        }

        /**
         * Receives the next message (tokio's {@code recv}). The returned future is already complete
         * when a message is ready.
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>Cancel-safe: cancelling the returned future (or {@code completeExceptionally},
         *       {@code orTimeout}) either withdraws the receive, and nothing is consumed, or
         *       returns false because a message was already taken for this future, which then
         *       completes with it (join it). Cancelling a dependent stage does not reach this
         *       future.
         *   <dt>Fairness
         *   <dd>Single consumer; messages in FIFO order of enqueueing.
         *   <dt>Completion thread
         *   <dd>Already complete when a message was ready or the stream ended; otherwise completed
         *       by the sending (or closing) thread. Dependents are <a
         *       href="package-summary.html#stack-safety">stack-safe</a>: a loop written as
         *       recursion ({@code recv().thenAccept(m -> loop())}) keeps a flat stack.
         * </dl>
         *
         * @return a future of the message, or of null once the channel is closed and drained;
         *     failed with {@link ClosedException} (with the cause) after {@code
         *     closeChannel(cause)} once drained
         * @throws IllegalStateException if another receive is pending on this receiver
         */
        public CompletableFuture<T> recv() {
            return chan.recv();
        }

        /**
         * Receives up to {@code limit} messages into {@code buffer} (tokio's {@code recv_many}):
         * waits for at least one, then appends every message ready, up to {@code limit}. {@code
         * limit == 0} completes with 0 at once.
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>Cancel-safe: a cancelled (or timed-out) {@code recvMany} leaves {@code buffer}
         *       untouched and consumes nothing. The buffer is appended only by whoever wins the
         *       future's claim; if that happened first, {@code cancel()} returns false and the
         *       future completes with the count (join it before reading {@code buffer}).
         *   <dt>Fairness
         *   <dd>As {@link #recv()}.
         *   <dt>Completion thread
         *   <dd>As {@link #recv()}; {@code buffer} is appended on that thread, before the future
         *       completes. Do not touch {@code buffer} while the future is pending. Dependents are
         *       <a href="package-summary.html#stack-safety">stack-safe</a>.
         * </dl>
         *
         * @param buffer receives the messages (appended)
         * @param limit the most messages to take, non-negative
         * @return a future of the number appended: 0 only when {@code limit == 0} or the channel is
         *     closed and drained; failed with {@link ClosedException} (with the cause) after {@code
         *     closeChannel(cause)} once drained
         * @throws NullPointerException if {@code buffer} is null
         * @throws IllegalArgumentException if {@code limit} is negative
         * @throws IllegalStateException if another receive is pending on this receiver
         */
        public CompletableFuture<Integer> recvMany(List<? super T> buffer, int limit) {
            return chan.recvMany(buffer, limit);
        }

        /**
         * Takes the next message if one is in the channel (tokio's {@code try_recv}). Never
         * spuriously empty: a message whose sender is still writing it into its slot is waited for
         * (briefly).
         *
         * @return the message, or null if the channel is empty now (tokio's {@code Empty})
         * @throws ClosedException if the channel is closed and drained (tokio's {@code
         *     Disconnected}), with the cause after {@code closeChannel(cause)}
         * @throws IllegalStateException if another receive is pending on this receiver
         */
        public T tryRecv() {
            return chan.tryRecv();
        }

        /**
         * Receives the next message, parking the current thread until one arrives (tokio's {@code
         * blocking_recv}). Allocates nothing per message.
         *
         * <dl>
         *   <dt>Blocking
         *   <dd>Parks with {@code LockSupport} (fine on virtual threads). Interruption withdraws
         *       the receive (nothing consumed) and throws {@link InterruptedException}, unless a
         *       message was taken for it first: then it is returned and the interrupt status is set
         *       again. Fails fast with {@link IllegalStateException} on a Reactor non-blocking
         *       thread.
         *   <dt>Fairness
         *   <dd>As {@link #recv()}.
         * </dl>
         *
         * @return the message, or null once the channel is closed and drained
         * @throws InterruptedException if interrupted while waiting
         * @throws ClosedException once drained after {@code closeChannel(cause)}
         * @throws IllegalStateException if another receive is pending on this receiver
         */
        public T blockingRecv() throws InterruptedException {
            BlockingCheck.check(blockingRecvName);
            return chan.blockingRecv(Long.MAX_VALUE);
        }

        /**
         * Receives the next message, parking the current thread for at most {@code timeout}. Null
         * means a timeout or the end of the stream: tell them apart with {@code isClosed() &&
         * isEmpty()}. See {@link #blockingRecv()} for the interrupt contract.
         *
         * @param timeout the longest wait; zero or negative means "do not wait"
         * @return the message, or null on timeout or once the channel is closed and drained
         * @throws InterruptedException if interrupted while waiting
         * @throws NullPointerException if {@code timeout} is null
         * @throws ClosedException once drained after {@code closeChannel(cause)}
         * @throws IllegalStateException if another receive is pending on this receiver
         */
        public T blockingRecv(Duration timeout) throws InterruptedException {
            Objects.requireNonNull(timeout, "timeout must not be null");
            long deadline = BlockingCheck.deadlineOf(timeout);
            BlockingCheck.check(blockingRecvName);
            return chan.blockingRecv(deadline);
        }

        /**
         * Receives up to {@code limit} messages into {@code buffer}, parking the current thread
         * until at least one arrives (tokio's {@code blocking_recv_many}).
         *
         * <dl>
         *   <dt>Blocking
         *   <dd>As {@link #blockingRecv()}; an interrupted call appended nothing.
         *   <dt>Fairness
         *   <dd>As {@link #recv()}.
         * </dl>
         *
         * @param buffer receives the messages (appended)
         * @param limit the most messages to take, non-negative
         * @return the number appended: 0 only when {@code limit == 0} or the channel is closed and
         *     drained
         * @throws InterruptedException if interrupted while waiting
         * @throws NullPointerException if {@code buffer} is null
         * @throws IllegalArgumentException if {@code limit} is negative
         * @throws ClosedException once drained after {@code closeChannel(cause)}
         * @throws IllegalStateException if another receive is pending on this receiver
         */
        public int blockingRecvMany(List<? super T> buffer, int limit) throws InterruptedException {
            MpscChan.checkRecvManyArgs(buffer, limit);
            BlockingCheck.check(blockingRecvManyName);
            return chan.blockingRecvMany(buffer, limit);
        }

        /**
         * Returns a Reactive Streams view of this receiver (a Tributary addition; tokio has no
         * counterpart): a unicast {@link Publisher} that delivers the channel's messages in the
         * order {@link #recv()} would, at most as many as requested. Every delivery returns the
         * message's slot at once, so waiting senders proceed. Lazy: nothing is registered until
         * {@code subscribe}.
         *
         * <ul>
         *   <li><b>Subscribers</b>: one at a time. The subscription owns the consumer role for as
         *       long as it lives: {@code recv()}, {@code tryRecv()} and the blocking receives throw
         *       {@link IllegalStateException} meanwhile. A subscriber that arrives while another
         *       subscription is live, or while a receive is pending, gets {@code onSubscribe} and
         *       then {@code onError(IllegalStateException)}. Once a subscription ended (cancelled
         *       or terminated), a new subscriber continues with what the channel still holds.
         *   <li><b>Terminal signals</b>: {@code onComplete} once the channel is closed and every
         *       message was delivered (the end of the stream, where {@code recv()} completes with
         *       null); after {@code closeChannel(cause)}, {@code onError(cause)} with the cause
         *       itself (not the {@link ClosedException} that {@code recv()} fails with). Both come
         *       without demand. {@code request(n <= 0)} signals {@code onError(
         *       IllegalArgumentException)} and closes the receiver (Reactive Streams rule 3.9).
         *   <li><b>Memory consistency</b>: as for {@link #recv()}: actions before a message is sent
         *       happen-before its {@code onNext}.
         *   <li><b>Allocation</b>: none per message while messages flow and demand is outstanding:
         *       the drain loop polls the queue directly; when the channel is empty it arms a
         *       reusable, non-consuming wake-up in the receiver's waiter slot.
         * </ul>
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>{@code cancel()} closes the channel from this side (as {@link #close()}): sends
         *       fail from then on. It loses nothing the channel holds: a message is only taken out
         *       of the channel by the drain loop that hands it to {@code onNext}, and the waiter
         *       never takes one, so whatever was not delivered stays readable with {@link
         *       #tryRecv()} once the subscription has let go of the receiver. A cancel from another
         *       thread may let the running drain loop finish its turn first (until then {@code
         *       tryRecv()} throws {@link IllegalStateException}); the loop lets go before it closes
         *       the channel, so once the cancel's close is visible the receiver is free.
         *   <dt>Fairness
         *   <dd>Single consumer; messages in FIFO order of enqueueing, as {@link #recv()}.
         *   <dt>Completion thread
         *   <dd>{@code onNext} and the terminal signals run on the thread that requested (inside
         *       {@code request}) or, after the channel was found empty, on the thread that sent the
         *       next message or closed the channel (inside its {@code send}, {@code close} or
         *       permit release). A work-in-progress counter serializes the signals and turns a
         *       {@code request} or {@code send} made from inside {@code onNext} into another turn
         *       of the running loop, never into recursion (rule 3.3).
         * </dl>
         *
         * <p>If {@code onNext} throws, the subscription is treated as cancelled (rule 2.13) and the
         * exception goes to the thread's uncaught-exception handler, never to the sender.
         *
         * @return a publisher of this receiver's messages
         */
        public Publisher<T> asPublisher() {
            return new MpscPublisher<>(this);
        }

        /**
         * Returns {@link #asPublisher()} as a JDK {@link Flow.Publisher} ({@code
         * FlowAdapters.toFlowPublisher(asPublisher())}); the same semantics.
         *
         * @return a Flow publisher of this receiver's messages
         */
        public Flow.Publisher<T> asFlowPublisher() {
            return FlowAdapters.toFlowPublisher(asPublisher());
        }

        /**
         * Closes the channel from the receiving side (tokio's {@code close}): sends and
         * reservations fail from now on, permits already reserved may still send, and this receiver
         * stays usable to drain what was sent; the stream then ends. Idempotent.
         */
        @Override
        public void close() {
            chan.close(null);
        }

        /**
         * Returns true once the channel is closed: by this receiver, by the last strong sender
         * handle, or by {@code closeChannel(cause)} (tokio's {@code is_closed}). Messages may still
         * be waiting to be drained.
         *
         * @return whether the channel is closed
         */
        public boolean isClosed() {
            return chan.isClosed();
        }

        /**
         * Returns true if no message is queued, counting messages whose sender is still writing
         * them (tokio's {@code is_empty}). For monitoring.
         *
         * @return whether the channel is empty
         */
        public boolean isEmpty() {
            return chan.isEmpty();
        }

        /**
         * Returns the number of queued messages (tokio's {@code len}). For monitoring.
         *
         * @return the number of messages
         */
        public int len() {
            return chan.len();
        }

        /**
         * Returns the number of open strong sender handles (tokio's {@code sender_strong_count}).
         *
         * @return the strong count
         */
        public int senderStrongCount() {
            return chan.strong;
        }

        /**
         * Returns the number of open weak sender handles (tokio's {@code sender_weak_count}).
         *
         * @return the weak count
         */
        public int senderWeakCount() {
            return chan.weak;
        }
    }

    /**
     * The receiving end of a bounded channel (tokio's {@code mpsc::Receiver}); the receive methods
     * are those of {@link AbstractReceiver}, plus the capacity queries.
     *
     * @param <T> the element type
     */
    public static final class Receiver<T> extends AbstractReceiver<T> {
        Receiver(MpscChan<T> chan) {
            super(chan, "Receiver");
        }

        /**
         * Returns the free capacity (tokio's {@code capacity}); see {@link Sender#capacity()}.
         *
         * @return the free slots
         */
        public int capacity() {
            return chan.capacity.availablePermits();
        }

        /**
         * Returns the capacity the channel was created with (tokio's {@code max_capacity}).
         *
         * @return the maximum capacity
         */
        public int maxCapacity() {
            return chan.maxCapacity();
        }

        @Override
        public String toString() {
            return "Mpsc.Receiver[" + chan + "]";
        }
    }

    /**
     * The receiving end of an unbounded channel (tokio's {@code UnboundedReceiver}): the receive
     * methods of {@link AbstractReceiver}, without capacity.
     *
     * @param <T> the element type
     */
    public static final class UnboundedReceiver<T> extends AbstractReceiver<T> {
        UnboundedReceiver(MpscChan<T> chan) {
            super(chan, "UnboundedReceiver");
        }

        @Override
        public String toString() {
            return "Mpsc.UnboundedReceiver[" + chan + "]";
        }
    }

    // VarHandle mechanics
    private static final VarHandle USED_P;
    private static final VarHandle USED_O;
    private static final VarHandle REMAINING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            USED_P = l.findVarHandle(Permit.class, "used", int.class);
            USED_O = l.findVarHandle(OwnedPermit.class, "used", int.class);
            REMAINING = l.findVarHandle(PermitIterator.class, "remaining", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
