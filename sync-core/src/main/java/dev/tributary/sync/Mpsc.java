package dev.tributary.sync;

import dev.tributary.sync.internal.BatchSemaphore;
import dev.tributary.sync.internal.BlockingCheck;
import dev.tributary.sync.internal.ClaimFuture;
import dev.tributary.sync.internal.FireChain;
import dev.tributary.sync.internal.MpscQueue;
import dev.tributary.sync.internal.StackSafeFuture;
import dev.tributary.sync.internal.Trampoline;
import dev.tributary.sync.internal.Waiter;
import dev.tributary.sync.internal.WaiterList;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
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
     * Implementation overview
     *
     * A channel is one Chan: the lock-free MpscQueue (tokio's block list) for the data, the
     * capacity (a BatchSemaphore for bounded channels, as tokio's bounded semaphore; for unbounded
     * ones a counter `count = messages << 1 | CLOSED`, as tokio's unbounded semaphore), the
     * receiver's single waiter `rx`, and handle counts.
     *
     * Permits. A bounded send takes a permit, pushes, and the receiver returns the permit after it
     * takes the message; so the free permits are capacity - queued - reserved, and "closed and
     * idle" (every permit back) means that nothing is queued and nothing can be sent any more:
     * that is the end of the stream. For unbounded channels, count plays the same role.
     *
     * The receiver's waiter (no lost wake-up). A receive that finds nothing publishes its waiter
     * in `rx` (volatile write), then re-checks "head slot ready, or closed and idle" (volatile
     * reads). A producer pushes (a volatile read-modify-write of the block's ready bits), then
     * reads `rx`; if the waiter is pending and the same condition holds, it claims the waiter by
     * CAS. Volatile accesses being sequentially consistent, at least one side sees the other
     * (Dekker). Closing re-runs the producer's check, and so does every permit returned after
     * close (the BatchSemaphore runs wakeReceiver after such a release, also for a grant handed
     * back by a cancelled reservation), so the end of the stream is never missed.
     * While a waiter is published the consumer role belongs to it: whoever claims it (a producer,
     * a closer, or the receiver's own re-check) takes the messages out of the queue on its behalf
     * and then clears `rx`. Because the condition is stable while the consumer is parked (the head
     * does not move, a ready slot stays ready), a claimer always finds what it was woken for.
     *
     * Cancellation. An async receive's future is an ClaimFuture: the claim CAS above and an
     * external completion (cancel, orTimeout) race on one word, decided before anything is taken.
     * A cancel that wins unpublishes the waiter, and nothing was consumed; a claim that wins takes
     * the messages (appends them to the recvMany buffer) and completes the future, and the
     * external completion returns false. So a value never has to be handed back. A bounded send
     * that has to wait is an ClaimFuture over the semaphore's acquisition: whoever wins its
     * claim decides whether the granted permit pushes the value or is returned.
     *
     * Blocking receives reuse one waiter per receiver (no allocation per message): a producer that
     * claims it only unparks the thread, which then takes the message itself; a stale claim (of a
     * previous use) only causes a spurious wake-up, after which the receiver looks again.
     *
     * Reactive Streams views. A Publisher view (MpscPublisher) publishes a third kind of waiter
     * in `rx`, a RecvOp in view mode, and leaves it there for the whole subscription, so it is
     * the consumer. Its state word only says "armed" (the view's drain found the channel empty):
     * a claimer runs the view's drain() instead of taking messages, and the drain loop takes
     * them itself, one per onNext (Chan.pollView), arming again with the same Dekker re-check as
     * park (Chan.armView). Nothing is ever taken on the view's behalf, so cancelling it cannot
     * strand a message. The Subscriber view (MpscSubscriber) backs its demand with slots taken
     * from `sem` (forgetPermits for what is free now, acquire for a batch it waits for) and
     * pushes into them as a Permit would.
     *
     * Guarded by MpscLincheckTest, MpscRaceTest and MpscQueueLincheckTest; the views by
     * MpscPublisherLincheckTest (the view waiter, cancellation included), MpscViewCancelRaceTest
     * and the TCK classes in tck-tests.
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
        Chan<T> chan = new Chan<>(capacity);
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
        Chan<T> chan = new Chan<>(0);
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
    // Bounded sender side
    // ---------------------------------------------------------------------------------------

    /**
     * A counted handle that sends into a bounded channel (tokio's {@code mpsc::Sender}).
     * Thread-safe; {@link #clone()} makes another counted handle, and the channel closes when the
     * last one is closed. After {@link #close()}, methods that send, reserve or clone through this
     * handle throw {@link IllegalStateException}; queries still answer.
     *
     * @param <T> the element type
     */
    public static final class Sender<T> implements AutoCloseable {
        private final Chan<T> chan;
        private volatile int closed;

        Sender(Chan<T> chan) {
            this.chan = chan;
        }

        private void checkOpen() {
            if (closed != 0) {
                throw new IllegalStateException("this Mpsc.Sender handle was closed");
            }
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
         *       released.
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
            return chan.send(value).orTimeout(saturatedNanos(timeout), TimeUnit.NANOSECONDS);
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
         *   <dd>As {@link #send(Object)}.
         * </dl>
         *
         * @return a future of the permit, failed with {@link ClosedException} if the channel is or
         *     gets closed
         * @throws IllegalStateException if this handle was closed
         */
        public CompletableFuture<Permit<T>> reserve() {
            checkOpen();
            return chan.sem.acquire(1, chan.permitGrant);
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
         *   <dd>As {@link #send(Object)}.
         * </dl>
         *
         * @param n the number of slots, {@code 0..maxCapacity()}
         * @return a future of the permits, failed with {@link ClosedException} if the channel is or
         *     gets closed
         * @throws IllegalArgumentException if {@code n} is negative or above {@link #maxCapacity()}
         * @throws IllegalStateException if this handle was closed
         */
        public CompletableFuture<PermitIterator<T>> reserveMany(int n) {
            chan.checkMany(n);
            checkOpen();
            return chan.sem.acquire(n, chan.iteratorGrant);
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
         *   <dd>As {@link #send(Object)}.
         * </dl>
         *
         * @return a future of the owned permit, failed with {@link ClosedException} if the channel
         *     is or gets closed
         * @throws IllegalStateException if this handle was closed
         */
        public CompletableFuture<OwnedPermit<T>> reserveOwned() {
            checkOpen();
            Sender<T> handle = clone();
            CompletableFuture<OwnedPermit<T>> f =
                    chan.sem.acquire(1, n -> new OwnedPermit<>(chan, handle));
            f.whenComplete(
                    (p, ex) -> {
                        if (ex != null) {
                            handle.close();
                        }
                    });
            return f;
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
            return chan.tryAcquire(1) ? new Permit<>(chan) : null;
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
            if (n < 0) {
                throw new IllegalArgumentException("n must be non-negative but was " + n);
            }
            checkOpen();
            if (n > chan.max) {
                if (chan.isClosed()) {
                    throw chan.sendClosedError();
                }
                return null;
            }
            return chan.tryAcquire(n) ? new PermitIterator<>(chan, n) : null;
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
         * Waits until the channel is closed: by the receiver ({@link Receiver#close()}) or by
         * {@link #closeChannel(Throwable)} (tokio's {@code closed}).
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>Cancel-safe: cancelling the returned future withdraws it and changes nothing else.
         *   <dt>Fairness
         *   <dd>Not applicable: closing completes every such future.
         *   <dt>Completion thread
         *   <dd>Already complete if closed; otherwise completed by the thread that closed the
         *       channel, trampolined, after internal locks are released.
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
         * Returns the free capacity: {@code maxCapacity()} minus queued messages minus reserved,
         * unsent permits (tokio's {@code capacity}; not {@code maxCapacity() - len()}). 0 while
         * senders wait. For monitoring, not for synchronization control.
         *
         * @return the free slots
         */
        public int capacity() {
            return chan.sem.availablePermits();
        }

        /**
         * Returns the capacity the channel was created with (tokio's {@code max_capacity}).
         *
         * @return the maximum capacity
         */
        public int maxCapacity() {
            return chan.max;
        }

        /**
         * Returns true if {@code other} sends into the same channel (tokio's {@code same_channel}).
         *
         * @param other another sender
         * @return whether both handles belong to one channel
         * @throws NullPointerException if {@code other} is null
         */
        public boolean sameChannel(Sender<?> other) {
            Objects.requireNonNull(other, "other must not be null");
            return chan == other.chan;
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
            checkOpen();
            chan.addStrong();
            return new Sender<>(chan);
        }

        /**
         * Makes a weak handle that does not keep the channel open (tokio's {@code downgrade}).
         *
         * @return a new weak handle; close it when done
         * @throws IllegalStateException if this handle was closed
         */
        public WeakSender<T> downgrade() {
            checkOpen();
            chan.addWeak();
            return new WeakSender<>(chan);
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
            if (CLOSED_S.compareAndSet(this, 0, 1)) {
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
         * @throws IllegalStateException if this handle was closed
         */
        public boolean closeChannel(Throwable cause) {
            Objects.requireNonNull(cause, "cause must not be null");
            checkOpen();
            boolean closedIt = chan.close(cause);
            close();
            return closedIt;
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
         *       onNext}, or on the receiving thread whose delivery freed the slots the view waited
         *       for (upstream may then emit on that thread). Requests are serialized by a
         *       work-in-progress counter, never recursive.
         * </dl>
         *
         * @return a subscriber that sends into this channel through this handle
         * @throws IllegalStateException if this handle was closed
         */
        public Subscriber<T> asSubscriber() {
            checkOpen();
            return new MpscSubscriber<>(chan, this::close);
        }

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
            return "Mpsc.Sender[" + chan + (closed != 0 ? ", handle closed" : "") + "]";
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
        private final Chan<T> chan;
        private volatile int used;

        Permit(Chan<T> chan) {
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
                chan.releaseUnsent(1);
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
        private final Chan<T> chan;
        private volatile int remaining;

        PermitIterator(Chan<T> chan, int n) {
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
                chan.releaseUnsent(r);
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
        private final Chan<T> chan;
        private final Sender<T> sender;
        private volatile int used;

        OwnedPermit(Chan<T> chan, Sender<T> sender) {
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
            chan.releaseUnsent(1);
            return sender;
        }

        /**
         * If unused, gives the slot back and closes the permit's sender handle (tokio's drop).
         * Idempotent; does nothing after {@link #send(Object)} or {@link #release()}.
         */
        @Override
        public void close() {
            if (USED_O.compareAndSet(this, 0, 1)) {
                chan.releaseUnsent(1);
                sender.close();
            }
        }

        @Override
        public String toString() {
            return "Mpsc.OwnedPermit[" + (used != 0 ? "used" : "unused") + "]";
        }
    }

    /**
     * A handle that does not keep a bounded channel open (tokio's {@code WeakSender}); {@link
     * #upgrade()} makes a strong {@link Sender} while one still exists.
     *
     * @param <T> the element type
     */
    public static final class WeakSender<T> implements AutoCloseable {
        private final Chan<T> chan;
        private volatile int closed;

        WeakSender(Chan<T> chan) {
            this.chan = chan;
        }

        private void checkOpen() {
            if (closed != 0) {
                throw new IllegalStateException("this Mpsc.WeakSender handle was closed");
            }
        }

        /**
         * Makes a strong sender handle, if any strong handle is still open (tokio's {@code
         * upgrade}).
         *
         * @return a new sender handle (close it when done), or null once the strong count is 0
         * @throws IllegalStateException if this handle was closed
         */
        public Sender<T> upgrade() {
            checkOpen();
            return chan.tryUpgrade() ? new Sender<>(chan) : null;
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

        /**
         * Makes another weak handle (tokio's {@code Clone}).
         *
         * @return a new weak handle; close it when done
         * @throws IllegalStateException if this handle was closed
         */
        @Override
        public WeakSender<T> clone() {
            checkOpen();
            chan.addWeak();
            return new WeakSender<>(chan);
        }

        /** Closes this weak handle (decrements the weak count). Idempotent. */
        @Override
        public void close() {
            if (CLOSED_W.compareAndSet(this, 0, 1)) {
                chan.dropWeak();
            }
        }

        @Override
        public String toString() {
            return "Mpsc.WeakSender[" + chan + "]";
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
        final Chan<T> chan;

        /** Names for BlockingCheck, built once per handle (no allocation per blocking call). */
        private final String blockingRecvName;

        private final String blockingRecvManyName;

        AbstractReceiver(Chan<T> chan, String type) {
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
         *       completes. Do not touch {@code buffer} while the future is pending.
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
         * spuriously empty: a message whose sender has claimed its slot but not finished writing it
         * is waited for (briefly).
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
            Chan.checkMany(buffer, limit);
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
         * Returns true if no message is queued, counting messages whose slot is claimed but not yet
         * written (tokio's {@code is_empty}). For monitoring.
         *
         * @return whether the channel is empty
         */
        public boolean isEmpty() {
            return chan.queue.len() == 0;
        }

        /**
         * Returns the number of queued messages (tokio's {@code len}). For monitoring.
         *
         * @return the number of messages
         */
        public int len() {
            return (int) Math.min(Integer.MAX_VALUE, chan.queue.len());
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
        Receiver(Chan<T> chan) {
            super(chan, "Receiver");
        }

        /**
         * Returns the free capacity (tokio's {@code capacity}); see {@link Sender#capacity()}.
         *
         * @return the free slots
         */
        public int capacity() {
            return chan.sem.availablePermits();
        }

        /**
         * Returns the capacity the channel was created with (tokio's {@code max_capacity}).
         *
         * @return the maximum capacity
         */
        public int maxCapacity() {
            return chan.max;
        }

        @Override
        public String toString() {
            return "Mpsc.Receiver[" + chan + "]";
        }
    }

    // ---------------------------------------------------------------------------------------
    // Unbounded
    // ---------------------------------------------------------------------------------------

    /**
     * A counted handle that sends into an unbounded channel (tokio's {@code UnboundedSender}).
     * Sending never waits. Otherwise as {@link Sender}.
     *
     * @param <T> the element type
     */
    public static final class UnboundedSender<T> implements AutoCloseable {
        private final Chan<T> chan;
        private volatile int closed;

        UnboundedSender(Chan<T> chan) {
            this.chan = chan;
        }

        private void checkOpen() {
            if (closed != 0) {
                throw new IllegalStateException("this Mpsc.UnboundedSender handle was closed");
            }
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
            chan.sendUnbounded(value);
        }

        /**
         * Waits until the channel is closed. See {@link Sender#closed()}.
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>Cancel-safe.
         *   <dt>Fairness
         *   <dd>Not applicable: closing completes every such future.
         *   <dt>Completion thread
         *   <dd>The closing thread, trampolined, or already complete.
         * </dl>
         *
         * @return a future that completes (with null) once the channel is closed
         */
        public CompletableFuture<Void> closed() {
            return chan.closed();
        }

        /**
         * Returns true once the channel is closed.
         *
         * @return whether sends now fail
         */
        public boolean isClosed() {
            return chan.isClosed();
        }

        /**
         * Returns true if {@code other} sends into the same channel.
         *
         * @param other another sender
         * @return whether both handles belong to one channel
         * @throws NullPointerException if {@code other} is null
         */
        public boolean sameChannel(UnboundedSender<?> other) {
            Objects.requireNonNull(other, "other must not be null");
            return chan == other.chan;
        }

        /**
         * Makes a new counted strong handle to the same channel; close it when done.
         *
         * @return a new sender handle
         * @throws IllegalStateException if this handle was closed
         */
        @Override
        public UnboundedSender<T> clone() {
            checkOpen();
            chan.addStrong();
            return new UnboundedSender<>(chan);
        }

        /**
         * Makes a weak handle that does not keep the channel open.
         *
         * @return a new weak handle; close it when done
         * @throws IllegalStateException if this handle was closed
         */
        public WeakUnboundedSender<T> downgrade() {
            checkOpen();
            chan.addWeak();
            return new WeakUnboundedSender<>(chan);
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

        /** Closes this handle; the channel closes with the last strong handle. Idempotent. */
        @Override
        public void close() {
            if (CLOSED_U.compareAndSet(this, 0, 1)) {
                chan.dropStrong();
            }
        }

        /**
         * Closes the whole channel with a cause, and this handle. See {@link
         * Sender#closeChannel(Throwable)}.
         *
         * @param cause the reason, non-null
         * @return true if this call closed the channel; false if it was already closed
         * @throws NullPointerException if {@code cause} is null
         * @throws IllegalStateException if this handle was closed
         */
        public boolean closeChannel(Throwable cause) {
            Objects.requireNonNull(cause, "cause must not be null");
            checkOpen();
            boolean closedIt = chan.close(cause);
            close();
            return closedIt;
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
        public Subscriber<T> asSubscriber() {
            checkOpen();
            return new MpscSubscriber<>(chan, this::close);
        }

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
            return "Mpsc.UnboundedSender[" + chan + (closed != 0 ? ", handle closed" : "") + "]";
        }
    }

    /**
     * A handle that does not keep an unbounded channel open (tokio's {@code WeakUnboundedSender}).
     *
     * @param <T> the element type
     */
    public static final class WeakUnboundedSender<T> implements AutoCloseable {
        private final Chan<T> chan;
        private volatile int closed;

        WeakUnboundedSender(Chan<T> chan) {
            this.chan = chan;
        }

        private void checkOpen() {
            if (closed != 0) {
                throw new IllegalStateException("this Mpsc.WeakUnboundedSender handle was closed");
            }
        }

        /**
         * Makes a strong sender handle, if any strong handle is still open.
         *
         * @return a new sender handle (close it when done), or null once the strong count is 0
         * @throws IllegalStateException if this handle was closed
         */
        public UnboundedSender<T> upgrade() {
            checkOpen();
            return chan.tryUpgrade() ? new UnboundedSender<>(chan) : null;
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

        /**
         * Makes another weak handle.
         *
         * @return a new weak handle; close it when done
         * @throws IllegalStateException if this handle was closed
         */
        @Override
        public WeakUnboundedSender<T> clone() {
            checkOpen();
            chan.addWeak();
            return new WeakUnboundedSender<>(chan);
        }

        /** Closes this weak handle. Idempotent. */
        @Override
        public void close() {
            if (CLOSED_WU.compareAndSet(this, 0, 1)) {
                chan.dropWeak();
            }
        }

        @Override
        public String toString() {
            return "Mpsc.WeakUnboundedSender[" + chan + "]";
        }
    }

    /**
     * The receiving end of an unbounded channel (tokio's {@code UnboundedReceiver}): the receive
     * methods of {@link AbstractReceiver}, without capacity.
     *
     * @param <T> the element type
     */
    public static final class UnboundedReceiver<T> extends AbstractReceiver<T> {
        UnboundedReceiver(Chan<T> chan) {
            super(chan, "UnboundedReceiver");
        }

        @Override
        public String toString() {
            return "Mpsc.UnboundedReceiver[" + chan + "]";
        }
    }

    // ---------------------------------------------------------------------------------------
    // The shared channel state
    // ---------------------------------------------------------------------------------------

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static final IntFunction<Boolean> GRANTED = n -> Boolean.TRUE;

    /** One channel; see the implementation overview at the top of the file. */
    static final class Chan<T> {
        private static final String SEND_CLOSED = "cannot send: the Mpsc channel is closed";
        private static final String RECV_CLOSED =
                "cannot receive: the Mpsc channel is closed and drained";
        private static final Object NO_CAUSE = new Object();
        private static final long COUNT_CLOSED = 1L;

        final MpscQueue<T> queue;

        /** Bounded: the capacity; null for unbounded channels. */
        final BatchSemaphore sem;

        /** The capacity; 0 for unbounded channels. */
        final int max;

        final IntFunction<Permit<T>> permitGrant;
        final IntFunction<PermitIterator<T>> iteratorGrant;

        /** Unbounded only: messages &lt;&lt; 1 | COUNT_CLOSED. */
        private volatile long count;

        /** The receiver's published waiter; non-null while it owns the consumer role. */
        private volatile RecvOp<T> rx;

        /** Null while open; then the cause or NO_CAUSE. Written once, by CAS, before closing. */
        private volatile Object closeCause;

        volatile int strong = 1;
        volatile int weak;

        /** Receiver-confined: the reusable blocking waiter. */
        private RecvOp<T> blockingOp;

        private final ReentrantLock lock = new ReentrantLock();

        /** Futures of Sender.closed(); guarded by lock. */
        private final WaiterList closedWaiters = new WaiterList();

        Chan(int capacity) {
            this.queue = capacity > 0 ? MpscQueue.forCapacity(capacity) : new MpscQueue<>();
            this.max = capacity;
            this.sem =
                    capacity > 0
                            ? new BatchSemaphore(
                                    capacity, this::sendClosedError, this::wakeReceiver)
                            : null;
            this.permitGrant = n -> new Permit<>(this);
            this.iteratorGrant = n -> new PermitIterator<>(this, n);
        }

        // --- closing ---

        boolean isClosed() {
            return sem != null ? sem.isClosed() : (count & COUNT_CLOSED) != 0;
        }

        /** Closed, and every permit back (bounded) or no message counted (unbounded). */
        boolean closedAndIdle() {
            if (sem != null) {
                return sem.isClosed() && sem.availablePermits() == max;
            }
            return count == COUNT_CLOSED;
        }

        Throwable cause() {
            Object c = closeCause;
            return c instanceof Throwable ? (Throwable) c : null;
        }

        ClosedException sendClosedError() {
            Throwable c = cause();
            return c == null
                    ? new ClosedException(SEND_CLOSED)
                    : new ClosedException(SEND_CLOSED, c);
        }

        ClosedException recvClosedError() {
            Throwable c = cause();
            return c == null
                    ? new ClosedException(RECV_CLOSED)
                    : new ClosedException(RECV_CLOSED, c);
        }

        /** The failure of a receive at the end of the stream: null unless closed with a cause. */
        private ClosedException endFailure() {
            Throwable c = cause();
            return c == null ? null : new ClosedException(RECV_CLOSED, c);
        }

        /**
         * Closes the channel (idempotent: every caller performs the idempotent steps, so the
         * channel is closed when any of them returns).
         *
         * @return true if this call was the first
         */
        boolean close(Throwable cause) {
            boolean first = CAUSE.compareAndSet(this, null, cause == null ? NO_CAUSE : cause);
            if (sem != null) {
                sem.close();
            } else {
                COUNT.getAndBitwiseOr(this, COUNT_CLOSED);
            }
            wakeReceiver();
            FireChain chain = new FireChain();
            lock.lock();
            try {
                for (Waiter<?> w; (w = closedWaiters.pollFirst()) != null; ) {
                    if (w.tryClaim()) {
                        chain.add(w);
                    }
                }
            } finally {
                lock.unlock();
            }
            chain.fireAll();
            return first;
        }

        CompletableFuture<Void> closed() {
            if (isClosed()) {
                return StackSafeFuture.completed(null);
            }
            ClosedWait w = new ClosedWait(this);
            lock.lock();
            try {
                if (!isClosed()) {
                    closedWaiters.addLast(w);
                    return w.future();
                }
            } finally {
                lock.unlock();
            }
            return StackSafeFuture.completed(null);
        }

        void withdrawClosedWait(ClosedWait w) {
            lock.lock();
            try {
                closedWaiters.remove(w);
            } finally {
                lock.unlock();
            }
        }

        // --- handles ---

        void addStrong() {
            STRONG.getAndAdd(this, 1);
        }

        boolean tryUpgrade() {
            for (; ; ) {
                int s = strong;
                if (s == 0) {
                    return false;
                }
                if (STRONG.compareAndSet(this, s, s + 1)) {
                    return true;
                }
            }
        }

        void dropStrong() {
            if ((int) STRONG.getAndAdd(this, -1) == 1) {
                close(null);
            }
        }

        void addWeak() {
            WEAK.getAndAdd(this, 1);
        }

        void dropWeak() {
            WEAK.getAndAdd(this, -1);
        }

        // --- sending ---

        void pushAndWake(T value) {
            queue.push(value);
            wakeReceiver();
        }

        /**
         * Wakes the receiver's waiter if it is pending and has something to find. Called after a
         * push, a close, or the return of an unsent permit after close (Dekker: the caller's
         * preceding volatile write or read-modify-write pairs with the waiter's publication).
         */
        void wakeReceiver() {
            RecvOp<T> w = rx;
            if (w != null
                    && w.isPending()
                    && (queue.readyAtHead() || closedAndIdle())
                    && w.tryClaim()) {
                w.fire();
            }
        }

        /** Returns a taken message's capacity. */
        private void consumed(int n) {
            if (sem != null) {
                sem.release(n); // after close, the semaphore runs wakeReceiver (end of stream)
            } else {
                COUNT.getAndAdd(this, -2L * n);
            }
        }

        /** Returns the slots of unused permits; after close, that may end the stream. */
        void releaseUnsent(int n) {
            sem.release(n); // after close, the semaphore runs wakeReceiver: maybe the last slot
        }

        boolean tryAcquire(int n) {
            int r = sem.tryAcquire(n);
            if (r == BatchSemaphore.CLOSED_STATUS) {
                throw sendClosedError();
            }
            return r == BatchSemaphore.ACQUIRED;
        }

        CompletableFuture<Void> send(T value) {
            int r = sem.tryAcquire(1);
            if (r == BatchSemaphore.ACQUIRED) {
                pushAndWake(value);
                return StackSafeFuture.completed(null);
            } else if (r == BatchSemaphore.CLOSED_STATUS) {
                return StackSafeFuture.failed(sendClosedError());
            }
            SendFuture<T> f = new SendFuture<>(this, value);
            f.start();
            return f;
        }

        boolean trySend(T value) {
            if (tryAcquire(1)) {
                pushAndWake(value);
                return true;
            }
            return false;
        }

        boolean blockingSend(T value, long deadline) throws InterruptedException {
            if (sem.acquireBlocking(1, deadline, GRANTED) == null) {
                return false;
            }
            pushAndWake(value);
            return true;
        }

        void sendUnbounded(T value) {
            for (; ; ) {
                long c = count;
                if ((c & COUNT_CLOSED) != 0) {
                    throw sendClosedError();
                }
                if (COUNT.compareAndSet(this, c, c + 2)) {
                    break;
                }
            }
            pushAndWake(value);
        }

        void checkMany(int n) {
            if (n < 0 || n > max) {
                throw new IllegalArgumentException(
                        "n must be in 0..maxCapacity (" + max + ") but was " + n);
            }
        }

        // --- receiving ---

        static void checkMany(List<?> buffer, int limit) {
            Objects.requireNonNull(buffer, "buffer must not be null");
            if (limit < 0) {
                throw new IllegalArgumentException("limit must be non-negative but was " + limit);
            }
        }

        private void checkNoPendingReceive(String method) {
            RecvOp<T> w = rx;
            if (w != null) {
                throw new IllegalStateException(
                        method
                                + " requires no other pending receive on this single-consumer"
                                + " Mpsc receiver but "
                                + (w.isView()
                                        ? "a subscription of asPublisher() is live"
                                        : "one is pending"));
            }
        }

        /** Appends {@code first} and then every ready message, up to {@code limit}. */
        int appendReady(List<? super T> buffer, T first, int limit) {
            buffer.add(first);
            int n = 1;
            T v;
            while (n < limit && (v = queue.poll()) != null) {
                buffer.add(v);
                n++;
            }
            return n;
        }

        CompletableFuture<T> recv() {
            checkNoPendingReceive("recv");
            T v = queue.poll();
            if (v != null) {
                consumed(1);
                return StackSafeFuture.completed(v);
            }
            if (closedAndIdle()) {
                ClosedException f = endFailure();
                return f != null ? StackSafeFuture.failed(f) : StackSafeFuture.completed(null);
            }
            return park(new RecvOp<>(this, null, 1, false));
        }

        CompletableFuture<Integer> recvMany(List<? super T> buffer, int limit) {
            checkMany(buffer, limit);
            checkNoPendingReceive("recvMany");
            if (limit == 0) {
                return StackSafeFuture.completed(0);
            }
            T v = queue.poll();
            if (v != null) {
                int n = appendReady(buffer, v, limit);
                consumed(n);
                return StackSafeFuture.completed(n);
            }
            if (closedAndIdle()) {
                ClosedException f = endFailure();
                return f != null ? StackSafeFuture.failed(f) : StackSafeFuture.completed(0);
            }
            return park(new RecvOp<>(this, buffer, limit, false));
        }

        /** Publishes an async waiter, re-checks (Dekker), and returns its future. */
        @SuppressWarnings("unchecked")
        private <R> CompletableFuture<R> park(RecvOp<T> op) {
            RX.setVolatile(this, op);
            if ((queue.readyAtHead() || closedAndIdle()) && op.tryClaim()) {
                op.deliver(); // completes the future before anyone else can see it
            }
            return (CompletableFuture<R>) (CompletableFuture<?>) op.future;
        }

        // --- the Publisher view (MpscPublisher) ---

        /**
         * Publishes {@code op} (view mode) as the receiver's waiter for the whole subscription, so
         * that other receives fail while the view owns the consumer role.
         *
         * @return false if a receive is pending or another view is attached
         */
        boolean attachView(RecvOp<T> op) {
            return RX.compareAndSet(this, null, op);
        }

        /** Gives the consumer role back; the view never polls again. */
        void detachView(RecvOp<T> op) {
            op.state = RecvOp.CLAIMED; // disarm: a later claim attempt fails
            RX.compareAndSet(this, op, null);
        }

        /**
         * Arms the view's waiter after its drain found the channel empty, then re-checks (Dekker,
         * as in park: the volatile write of the state pairs with the producer's read of it after
         * its push).
         *
         * @return true if something arrived meanwhile and this call disarmed the waiter again
         *     (drain once more); false if armed (a push or close will run the view's drain)
         */
        boolean armView(RecvOp<T> op) {
            op.state = RecvOp.PENDING;
            return (queue.readyAtHead() || closedAndIdle()) && op.tryClaim();
        }

        /** The view's take: the next message, its slot already returned; null if none ready. */
        T pollView() {
            T v = queue.poll(); // consumer role: the view's waiter is published in rx
            if (v != null) {
                consumed(1);
            }
            return v;
        }

        T tryRecv() {
            checkNoPendingReceive("tryRecv");
            T v = queue.pollWaiting();
            if (v != null) {
                consumed(1);
                return v;
            }
            if (closedAndIdle()) {
                throw recvClosedError();
            }
            return null;
        }

        T blockingRecv(long deadline) throws InterruptedException {
            checkNoPendingReceive("blockingRecv");
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            for (; ; ) {
                T v = queue.poll();
                if (v != null) {
                    consumed(1);
                    return v;
                }
                if (closedAndIdle()) {
                    ClosedException f = endFailure();
                    if (f != null) {
                        throw f;
                    }
                    return null;
                }
                if (!parkBlocking(deadline)) {
                    return null;
                }
            }
        }

        int blockingRecvMany(List<? super T> buffer, int limit) throws InterruptedException {
            checkNoPendingReceive("blockingRecvMany");
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (limit == 0) {
                return 0;
            }
            for (; ; ) {
                T v = queue.poll();
                if (v != null) {
                    int n = appendReady(buffer, v, limit);
                    consumed(n);
                    return n;
                }
                if (closedAndIdle()) {
                    ClosedException f = endFailure();
                    if (f != null) {
                        throw f;
                    }
                    return 0;
                }
                parkBlocking(Long.MAX_VALUE);
            }
        }

        /**
         * Parks the receiving thread on the reusable waiter until a producer or closer claims it.
         *
         * @return true when woken (the caller looks again; the wake-up may be spurious), false if
         *     the deadline passed first (withdrawn)
         * @throws InterruptedException if interrupted first (withdrawn)
         */
        private boolean parkBlocking(long deadline) throws InterruptedException {
            if (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0L) {
                return false;
            }
            RecvOp<T> op = blockingOp;
            if (op == null) {
                op = new RecvOp<>(this, null, 1, true);
                blockingOp = op;
            }
            op.reset();
            RX.setVolatile(this, op);
            if ((queue.readyAtHead() || closedAndIdle()) && op.tryClaim()) {
                RX.compareAndSet(this, op, null);
                return true;
            }
            boolean interrupted = false;
            try {
                while (!op.fired) { // acquire; pairs with the release write in fire
                    if (Thread.interrupted()) {
                        if (op.tryCancelBlocking()) {
                            RX.compareAndSet(this, op, null);
                            throw new InterruptedException();
                        }
                        interrupted = true; // claimed: the message is there, take it
                    } else if (deadline != Long.MAX_VALUE) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0L) {
                            if (op.tryCancelBlocking()) {
                                RX.compareAndSet(this, op, null);
                                return false;
                            }
                            deadline = Long.MAX_VALUE;
                        } else {
                            LockSupport.parkNanos(this, left);
                        }
                    } else {
                        LockSupport.park(this);
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            RX.compareAndSet(this, op, null);
            return true;
        }

        /** Called by the claimer of an async waiter: takes the messages and completes it. */
        void deliver(RecvOp<T> op) {
            T v = queue.poll(); // the consumer role is ours: the waiter is claimed
            int taken = 0;
            Object result;
            Throwable failure = null;
            if (v == null) { // woken for the end of the stream
                failure = endFailure();
                result = op.buffer != null ? Integer.valueOf(0) : null;
            } else if (op.buffer == null) {
                taken = 1;
                result = v;
            } else {
                try {
                    taken = appendReady(op.buffer, v, op.limit);
                    result = taken;
                } catch (RuntimeException e) { // the caller's list refused an element
                    taken = 1;
                    failure = e;
                    result = null;
                }
            }
            RX.compareAndSet(this, op, null); // hand the consumer role back before completing
            if (taken > 0) {
                // Before completing: a receive started by the future's dependents must see the
                // permits back (after close, "idle" ends the stream).
                consumed(taken);
            }
            if (failure != null) {
                op.future.failClaimed(failure);
            } else {
                op.future.completeClaimed(result);
            }
        }

        void withdraw(RecvOp<T> op) {
            RX.compareAndSet(this, op, null);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            sb.append(sem != null ? "capacity=" + sem.availablePermits() + "/" + max : "unbounded");
            sb.append(", len=").append(queue.len());
            if (isClosed()) {
                sb.append(", closed");
            }
            return sb.toString();
        }

        // VarHandle mechanics
        private static final VarHandle COUNT;
        private static final VarHandle RX;
        private static final VarHandle CAUSE;
        private static final VarHandle STRONG;
        private static final VarHandle WEAK;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                COUNT = l.findVarHandle(Chan.class, "count", long.class);
                RX = l.findVarHandle(Chan.class, "rx", RecvOp.class);
                CAUSE = l.findVarHandle(Chan.class, "closeCause", Object.class);
                STRONG = l.findVarHandle(Chan.class, "strong", int.class);
                WEAK = l.findVarHandle(Chan.class, "weak", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /**
     * The receiver's waiter. Async: its future's claim decides between delivery and cancellation.
     * Blocking: a reusable park slot with its own claim word.
     */
    static final class RecvOp<T> extends Trampoline.Task {
        static final int PENDING = 0;
        static final int CLAIMED = 1;
        private static final int CANCELLED = 2;

        final Chan<T> chan;
        final List<? super T> buffer;
        final int limit;

        /** Async mode: the caller's future; null in blocking and view mode. */
        final OpFuture<T> future;

        /** View mode (a Publisher view's wake-up): run on every claim; null otherwise. */
        private final Runnable hook;

        // Blocking mode.
        private Thread thread;
        volatile int state;
        volatile boolean fired;

        RecvOp(Chan<T> chan, List<? super T> buffer, int limit, boolean blocking) {
            this.chan = chan;
            this.buffer = buffer;
            this.limit = limit;
            this.future = blocking ? null : new OpFuture<>(this);
            this.hook = null;
        }

        /**
         * View mode: a non-consuming waiter that stays published in {@code rx} for the whole
         * subscription of a Publisher view. Its state word says whether the view is armed (PENDING:
         * it found the channel empty and waits) or not (CLAIMED). A claimer only runs {@code hook}
         * (the view's drain), which takes the messages itself; a stale or duplicate claim only
         * causes a spurious drain.
         */
        RecvOp(Chan<T> chan, Runnable hook) {
            this.chan = chan;
            this.buffer = null;
            this.limit = 1;
            this.future = null;
            this.hook = hook;
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
            return hook != null;
        }

        boolean isPending() {
            return future != null ? future.isPending() : state == PENDING;
        }

        boolean tryClaim() {
            return future != null ? future.tryClaim() : STATE.compareAndSet(this, PENDING, CLAIMED);
        }

        boolean tryCancelBlocking() {
            return STATE.compareAndSet(this, PENDING, CANCELLED);
        }

        /** Called once by the claimer, after it claimed. */
        void fire() {
            if (hook != null) {
                hook.run(); // the view's drain: serialized by its own counter, never recursive
            } else if (future == null) {
                fired = true; // release; pairs with the read of fired in parkBlocking
                LockSupport.unpark(thread);
            } else {
                Trampoline.run(this);
            }
        }

        void deliver() {
            chan.deliver(this);
        }

        @Override
        protected void runTask() {
            deliver();
        }

        // VarHandle mechanics
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(RecvOp.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /** The future of an async receive. */
    private static final class OpFuture<T> extends ClaimFuture<Object> {
        private final RecvOp<T> op;

        OpFuture(RecvOp<T> op) {
            this.op = op;
        }

        @Override
        protected void withdraw() {
            op.chan.withdraw(op);
        }
    }

    /**
     * A bounded send that has to wait for capacity: the claim decides whether the granted permit
     * pushes the value (claim by the grant) or goes back (claim lost to cancellation).
     */
    private static final class SendFuture<T> extends ClaimFuture<Void>
            implements BiConsumer<Boolean, Throwable> {
        private final Chan<T> chan;
        private T value;
        private volatile CompletableFuture<Boolean> inner;

        SendFuture(Chan<T> chan, T value) {
            this.chan = chan;
            this.value = value;
        }

        void start() {
            CompletableFuture<Boolean> in = chan.sem.acquire(1, GRANTED);
            inner = in;
            in.whenComplete(this);
        }

        @Override
        public void accept(Boolean granted, Throwable ex) {
            if (ex == null) {
                if (tryClaim()) {
                    T v = value;
                    value = null;
                    chan.pushAndWake(v);
                    completeClaimed(null);
                } else {
                    chan.releaseUnsent(1); // cancelled first: the value is not sent
                }
            } else if (tryClaim()) {
                failClaimed(ex);
            }
        }

        @Override
        protected void withdraw() {
            value = null;
            CompletableFuture<Boolean> in = inner;
            if (in != null) {
                in.cancel(false); // withdraws the acquisition; a grant in the race goes back
            }
        }
    }

    /** A waiting {@link Sender#closed()}. */
    private static final class ClosedWait extends Waiter<Void> {
        private final Chan<?> chan;

        ClosedWait(Chan<?> chan) {
            super(false);
            this.chan = chan;
        }

        @Override
        protected void undelivered(Void v) {
            // Nothing to give back.
        }

        @Override
        protected void withdraw() {
            chan.withdrawClosedWait(this);
        }
    }

    // VarHandle mechanics
    private static final VarHandle CLOSED_S;
    private static final VarHandle CLOSED_W;
    private static final VarHandle CLOSED_U;
    private static final VarHandle CLOSED_WU;
    private static final VarHandle USED_P;
    private static final VarHandle USED_O;
    private static final VarHandle REMAINING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CLOSED_S = l.findVarHandle(Sender.class, "closed", int.class);
            CLOSED_W = l.findVarHandle(WeakSender.class, "closed", int.class);
            CLOSED_U = l.findVarHandle(UnboundedSender.class, "closed", int.class);
            CLOSED_WU = l.findVarHandle(WeakUnboundedSender.class, "closed", int.class);
            USED_P = l.findVarHandle(Permit.class, "used", int.class);
            USED_O = l.findVarHandle(OwnedPermit.class, "used", int.class);
            REMAINING = l.findVarHandle(PermitIterator.class, "remaining", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
