package dev.tributary.sync;

import dev.tributary.sync.internal.BlockingCheck;
import dev.tributary.sync.internal.StackSafeFuture;
import dev.tributary.sync.internal.Trampoline;
import dev.tributary.sync.internal.Waiter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * A channel that carries one value from one sender to one receiver: tokio's {@code sync::oneshot},
 * with a {@link CompletableFuture}, a blocking and a non-waiting form of the receive. The usual
 * reply channel of a request ("send me the answer here").
 *
 * <pre>{@code
 * Oneshot.Channel<Long> reply = Oneshot.channel();
 * requests.send(new Request(query, reply.sender()));
 * long answer = reply.receiver().recv().join();
 * }</pre>
 *
 * <ul>
 *   <li><b>Producers</b>: one {@link Sender}, which sends at most once: {@link Sender#send(Object)}
 *       consumes it, as does {@link Sender#close()}.
 *   <li><b>Consumers</b>: one {@link Receiver}; a second receive while one is pending is rejected
 *       with {@link IllegalStateException}.
 *   <li><b>Capacity</b>: one value; {@code send} never waits. A successful {@code send} does not
 *       mean the value was received: the receiver may never look.
 *   <li><b>Values</b>: never null.
 *   <li><b>Reactive Streams</b>: {@link Receiver#asPublisher()} (0 or 1 element, unicast) and
 *       {@link Sender#asSubscriber()} (takes one element); JDK {@code Flow} forms too. A Tributary
 *       addition.
 *   <li><b>Closing</b>: a sender closed without a value makes the receiver fail with {@link
 *       ClosedException} (tokio's {@code RecvError}), whose cause is the one given to {@link
 *       Sender#closeChannel(Throwable)}, if any. A receiver closed before the value was sent makes
 *       {@code send} fail; a value sent before the receiver closed stays readable.
 * </ul>
 *
 * <p><b>Memory consistency effects:</b> actions in a thread before {@link Sender#send(Object)}
 * happen-before actions after the receive that returns the value ({@link Receiver#recv()}'s
 * completion, {@link Receiver#tryRecv()}, {@link Receiver#blockingRecv()}). Actions before {@link
 * Receiver#close()} happen-before the completion of {@link Sender#closed()} and a {@code send} that
 * fails because of it.
 *
 * <p>Java has no drop: what tokio does when a handle is dropped happens on {@code close()}. A value
 * that is sent but never received is simply left to the garbage collector with the channel.
 */
public final class Oneshot {
    /*
     * Implementation overview (after tokio's sync/oneshot.rs).
     *
     * One `Core` per channel holds an int `state` and the plain fields it publishes. State bits:
     *
     *   RX_WAITING  a receive waiter (`rxWaiter`, async or blocking) is installed   (tokio RX_TASK_SET)
     *   SENT        the sender completed: with a value (VALUE too) or closed         (tokio VALUE_SENT)
     *   RX_CLOSED   the receiver closed                                              (tokio CLOSED)
     *   TX_USED     the sender handle was consumed by send/close (tokio: `self` moved)
     *   VALUE       with SENT: `value` holds the value
     *   TAKEN       the receiver took the value
     *
     * tokio's TX_TASK_SET becomes `txWaiters`, a Treiber stack of Sender.closed() waiters that
     * Receiver.close() swaps for the TX_DONE sentinel and fires; any number of closed() futures may
     * wait (tokio keeps one waker).
     *
     * Publication: `value` and `cause` are written by the sender before the CAS that sets SENT
     * (release) and read by the receiver after reading SENT (acquire); `rxWaiter` is written by the
     * receiver before the CAS that sets RX_WAITING and read by whoever sees that bit; the
     * `installing` guard lets only one receive at a time write it, and only while RX_WAITING is
     * clear (racing receives get IllegalStateException instead of overwriting it). All state
     * changes are CAS or getAndBitwiseOr (volatile), so there are no locks: an uncontended send is
     * one getAndBitwiseOr plus one CAS, an uncontended receive of a sent value one CAS.
     *
     * Transitions and linearization points:
     *   send     getAndBitwiseOr(TX_USED) claims the handle (a second send sees it), so that only
     *            one thread ever writes `value`; then a CAS adds SENT|VALUE unless RX_CLOSED is set
     *            (then the send fails and nothing is stored). The send linearizes at that CAS, or at
     *            the read that found RX_CLOSED. (Sender operations racing each other on one handle
     *            stay safe, but the claim makes their answers non-linearizable; the Sender javadoc
     *            says so.) If RX_WAITING was set, the sender claims the waiter and fires it with
     *            the value after the CAS.
     *   close    (sender) as send, adding SENT without VALUE; a waiter is fired with ClosedException.
     *   close    (receiver) getAndBitwiseOr(RX_CLOSED); a waiter is fired with ClosedException if
     *            nothing was sent; the closed() waiters are fired.
     *   receive  with SENT|VALUE and no waiter: CAS adds TAKEN (the value is returned). Otherwise a
     *            waiter is installed by the CAS that sets RX_WAITING, which fails if the sender or a
     *            close got in first, and the receive retries.
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
     * RX_WAITING set, and every reader resolves it through the waiter (see classify()):
     *   - future not done: a receive is still pending (a second receive is rejected);
     *   - future holds this very value: delivered, as if TAKEN (a future completed from outside
     *     with the identical object counts as delivered too: the caller holds the value);
     *   - future completed otherwise from outside: returned, as if RX_WAITING were clear.
     * undelivered() and later receives write that resolution into the state (helping), so a receive
     * that follows a cancel() that returned always finds the value: nothing waits for the sender's
     * trampoline.
     *
     * The Reactive Streams view (OneshotPublisher) waits with `wake`, a task that consumes
     * nothing: send, closeTx and closeRx run it (swapping it to null, so at most once per
     * registration) after their state change; the view takes the value with tryRecv on its drain
     * owner, right before onNext. The view registers only while EMPTY, which is left once.
     * Guarded by OneshotPublisherLincheckTest.
     *
     * Progress: every operation is lock-free (CAS loops that fail only when another thread made
     * progress). Guarded by OneshotLincheckTest (model checking with cancellation) and
     * OneshotRaceTest.
     */

    static final int RX_WAITING = 1;
    static final int SENT = 1 << 1;
    static final int RX_CLOSED = 1 << 2;
    static final int TX_USED = 1 << 3;
    static final int VALUE = 1 << 4;
    static final int TAKEN = 1 << 5;

    // What a receiver sees (classify()).
    static final int EMPTY = 0;
    static final int READY = 1;
    static final int PENDING_EMPTY = 2;
    static final int PENDING_VALUE = 3;
    static final int GONE_TAKEN = 4;
    static final int GONE_TX_CLOSED = 5;
    static final int GONE_RX_CLOSED = 6;

    // How a claimed async waiter's delivery ended (RecvWaiter.resolve()).
    static final int IN_FLIGHT = 0;
    static final int DELIVERED = 1;
    static final int RETURNED = 2;

    private Oneshot() {}

    /**
     * Creates a oneshot channel: tokio's {@code oneshot::channel}.
     *
     * @param <T> the type of the value
     * @return the sender and the receiver
     */
    public static <T> Channel<T> channel() {
        Core<T> core = new Core<>();
        return new Channel<>(new Sender<>(core), new Receiver<>(core));
    }

    /**
     * The two ends of a oneshot channel, as returned by {@link Oneshot#channel()}.
     *
     * @param sender the sending end
     * @param receiver the receiving end
     * @param <T> the type of the value
     */
    public record Channel<T>(Sender<T> sender, Receiver<T> receiver) {
        /**
         * Creates the pair; both must belong to the same channel.
         *
         * @param sender the sending end
         * @param receiver the receiving end
         * @throws IllegalArgumentException if they belong to different channels
         */
        public Channel {
            Objects.requireNonNull(sender, "sender must not be null");
            Objects.requireNonNull(receiver, "receiver must not be null");
            if (sender.core != receiver.core) {
                throw new IllegalArgumentException(
                        "sender and receiver must belong to the same Oneshot channel but did not");
            }
        }
    }

    /**
     * The sending end: sends one value, or closes without one. tokio's {@code oneshot::Sender}.
     *
     * <p>Consumed by {@link #send(Object)}, {@link #close()} or {@link #closeChannel(Throwable)}:
     * after that, {@code send} throws {@link IllegalStateException}; {@link #closed()} and {@link
     * #isClosed()} still work (they observe the receiver). Like tokio's, which is moved by {@code
     * send}, a sender is used by one thread at a time: calls from several threads one after the
     * other are fine; {@code send}, {@code close} and {@code closeChannel} racing each other on one
     * sender are kept safe (at most one takes effect, the others report the handle as used or
     * closed) but their answers are not guaranteed to match any sequential order. {@link #closed()}
     * and {@link #isClosed()} may race with anything.
     *
     * @param <T> the type of the value
     */
    public static final class Sender<T> implements AutoCloseable {
        final Core<T> core;

        Sender(Core<T> core) {
            this.core = core;
        }

        /**
         * Sends the value and wakes a waiting receive. Never waits. Success means the value is
         * stored, not that it was (or will be) received. Consumes this sender, whether it succeeds
         * or not.
         *
         * <p>A pending {@link Receiver#recv()} is completed by this thread (trampolined: a deep
         * chain of completions does not grow its stack), after the state change.
         *
         * @param value the value, non-null
         * @throws NullPointerException if {@code value} is null (the sender is not consumed)
         * @throws ClosedException if the receiver was closed: the value was not stored (tokio hands
         *     it back; here the caller still holds it)
         * @throws IllegalStateException if this sender already sent or was closed
         */
        public void send(T value) {
            Objects.requireNonNull(value, "value must not be null");
            core.send(value);
        }

        /**
         * Waits until the receiver is closed ({@link Receiver#close()}): tokio's {@code
         * Sender::closed}, to stop computing a reply nobody will read. Completed at once if it is
         * already closed. The receiver taking the value does not count as closing it. Works after
         * this sender was consumed too.
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>Cancel-safe: cancelling the returned future (or {@code completeExceptionally},
         *       {@code orTimeout}) withdraws only this wait and changes nothing in the channel.
         *       Cancelling a dependent stage ({@code closed().thenRun(r)}) does not reach this
         *       future.
         *   <dt>Fairness
         *   <dd>None needed: closing completes every waiting {@code closed()} future, oldest first.
         *   <dt>Completion thread
         *   <dd>Already complete when the receiver is closed; otherwise completed by the thread
         *       that closes the receiver (trampolined), after the state change.
         * </dl>
         *
         * @return a future that completes (with null) once the receiver is closed
         */
        public CompletableFuture<Void> closed() {
            return core.closed();
        }

        /**
         * Returns true if the receiver was closed, so that a {@link #send(Object)} would fail:
         * tokio's {@code Sender::is_closed}. A sender closing itself does not make this true.
         *
         * @return whether the receiver is closed
         */
        public boolean isClosed() {
            return (core.state & RX_CLOSED) != 0;
        }

        /**
         * Closes this sender without sending a value (tokio's drop of an unused {@code Sender}):
         * the receiver then fails with {@link ClosedException}. Idempotent, and a no-op after
         * {@link #send(Object)}. A pending receive is failed by this thread (trampolined).
         */
        @Override
        public void close() {
            core.closeTx(null);
        }

        /**
         * Closes the channel without sending a value, with a cause: the receiver fails with a
         * {@link ClosedException} whose {@link Throwable#getCause()} is {@code cause}. Closes this
         * sender too. The Reactive Streams view uses this for {@code onError}.
         *
         * @param cause why the channel closed, non-null
         * @return true if this call closed the channel; false if it was already closed (this sender
         *     sent or closed before, or the receiver was closed), and {@code cause} is ignored
         * @throws NullPointerException if {@code cause} is null
         */
        public boolean closeChannel(Throwable cause) {
            Objects.requireNonNull(cause, "cause must not be null");
            return core.closeTx(cause);
        }

        /**
         * Returns a Reactive Streams {@link Subscriber} that sends the first element it receives
         * through this sender. A Tributary addition: tokio has no Reactive Streams counterpart.
         *
         * <p>The view takes over this sender handle: upstream {@code onComplete} closes it ({@link
         * #close()}), upstream {@code onError(e)} calls {@link #closeChannel(Throwable)} with
         * {@code e}. Do not send through the handle yourself while the view is subscribed.
         *
         * <ul>
         *   <li><b>Demand</b>: requests 1 on {@code onSubscribe}. The first {@code onNext} sends
         *       the element and cancels upstream: a oneshot takes one value, so the view asks for
         *       no more (an upstream that signals more anyway is ignored). If the receiver was
         *       already closed, the element is dropped, as {@link #send(Object)} would drop it.
         *   <li><b>Terminal signals</b>: {@code onComplete} before any element closes the sender,
         *       so the receiver sees the channel closed and empty ({@link Receiver#recv()} fails
         *       with {@link ClosedException}, the publisher view completes empty); {@code
         *       onError(e)} closes it with cause {@code e}. After the element, both are ignored.
         *   <li><b>Cancellation</b>: closing the receiver cancels upstream (through {@link
         *       #closed()}), from the thread that closes it.
         *   <li><b>Upstreams</b>: one; a second {@code onSubscribe} is cancelled (rule 2.5). Null
         *       signals throw {@link NullPointerException} (rule 2.13).
         *   <li><b>Completion thread</b>: the send, and a waiting receive's completion, run on the
         *       thread that calls {@code onNext} (trampolined).
         * </ul>
         *
         * @return a subscriber view of this sender; subscribe it to one publisher only
         */
        public Subscriber<T> asSubscriber() {
            return new OneshotSubscriber<>(this);
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
            return "Oneshot.Sender" + core.describe();
        }
    }

    /**
     * The receiving end: receives the one value. tokio's {@code oneshot::Receiver}, which is itself
     * the future; here {@link #recv()} returns one.
     *
     * <p>Single consumer: one receive at a time. {@link #recv()}, {@link #tryRecv()} or {@link
     * #blockingRecv()} while a {@code recv()} future or a {@code blockingRecv} is pending throws
     * {@link IllegalStateException} and changes nothing; so does one that races another receive
     * registering at the same moment from another thread. tokio rules all this out with {@code &mut
     * self}; here any thread may call any method, and {@link #close()}, the queries and cancelling
     * a pending future may race with anything.
     *
     * @param <T> the type of the value
     */
    public static final class Receiver<T> implements AutoCloseable {
        final Core<T> core;

        Receiver(Core<T> core) {
            this.core = core;
        }

        /**
         * Receives the value: tokio's {@code .await} on the receiver. Completes with the value once
         * it is sent; fails with {@link ClosedException} if the sender closed without sending one
         * (with the cause given to {@link Sender#closeChannel(Throwable)}), if this receiver was
         * closed before a value arrived, or if the value was already received. Already complete
         * when no wait is needed.
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>Cancel-safe: cancelling the returned future (or {@code completeExceptionally},
         *       {@code orTimeout}, {@code completeOnTimeout}) either happens after the value was
         *       delivered (the future holds it and the cancel has no effect) or consumes nothing: a
         *       value handed over in the race stays in the channel for the next {@code recv()} or
         *       {@code tryRecv()}. Cancelling a dependent stage ({@code recv().thenApply(f)}) does
         *       not reach this future.
         *   <dt>Fairness
         *   <dd>Single consumer: a second receive while this one is pending is rejected.
         *   <dt>Completion thread
         *   <dd>Already complete when the value (or the close) is there; otherwise completed by the
         *       thread that sends or closes (trampolined: a deep chain of completions does not grow
         *       its stack), after the state change. Dependents are <a
         *       href="package-summary.html#stack-safety">stack-safe</a>.
         * </dl>
         *
         * @return a future of the value
         * @throws IllegalStateException if another receive is pending on this receiver
         */
        public CompletableFuture<T> recv() {
            return core.recv();
        }

        /**
         * Takes the value if it is there, without waiting: tokio's {@code try_recv}. Never
         * spuriously empty: null means no value was sent yet and the channel is open.
         *
         * @return the value, or null if none was sent yet
         * @throws ClosedException if the sender closed without a value, this receiver was closed
         *     before one was sent, or the value was already received
         * @throws IllegalStateException if another receive is pending on this receiver
         */
        public T tryRecv() {
            return core.tryRecv();
        }

        /**
         * Receives the value, parking the current thread until it is sent or the channel closes:
         * tokio's {@code blocking_recv}.
         *
         * <dl>
         *   <dt>Blocking
         *   <dd>Parks with {@code LockSupport} (fine on virtual threads). Interruption withdraws
         *       the wait like {@code cancel()}: if it wins, {@link InterruptedException} is thrown
         *       and the value, if sent meanwhile, stays in the channel; if the value was handed
         *       over first, it is returned and the interrupt status is set again. A thread
         *       interrupted on entry throws at once. Fails fast with {@link IllegalStateException}
         *       on a Reactor non-blocking thread. Waits forever if the sender neither sends nor
         *       closes; blocking inside a continuation of this channel's futures risks a deadlock,
         *       as in Reactor.
         *   <dt>Fairness
         *   <dd>Single consumer, as {@link #recv()}.
         * </dl>
         *
         * @return the value
         * @throws InterruptedException if interrupted while waiting
         * @throws ClosedException as {@link #recv()} fails
         * @throws IllegalStateException if another receive is pending on this receiver
         */
        public T blockingRecv() throws InterruptedException {
            BlockingCheck.check("Oneshot.Receiver.blockingRecv");
            return core.blockingRecv(Long.MAX_VALUE);
        }

        /**
         * Receives the value, parking the current thread for at most {@code timeout}. See {@link
         * #blockingRecv()} for the interrupt contract.
         *
         * @param timeout the longest wait; zero or negative means "do not wait"
         * @return the value, or null if the timeout passed first (nothing taken)
         * @throws InterruptedException if interrupted while waiting
         * @throws ClosedException as {@link #recv()} fails
         * @throws IllegalStateException if another receive is pending on this receiver
         * @throws NullPointerException if {@code timeout} is null
         */
        public T blockingRecv(Duration timeout) throws InterruptedException {
            long deadline = BlockingCheck.deadlineOf(timeout);
            BlockingCheck.check("Oneshot.Receiver.blockingRecv");
            return core.blockingRecv(deadline);
        }

        /**
         * Closes the channel from the receiving side: tokio's {@code Receiver::close}. Later sends
         * fail with {@link ClosedException}; a value sent before stays readable by {@link #recv()}
         * and {@link #tryRecv()}. A pending receive with nothing sent fails with {@link
         * ClosedException}; {@link Sender#closed()} futures complete (both on this thread,
         * trampolined). Idempotent.
         */
        @Override
        public void close() {
            core.closeRx();
        }

        /**
         * Returns true if no receive can ever yield a value again: the value was received, or the
         * channel closed with nothing to take (the sender closed without sending, or this receiver
         * closed before a value was sent). Like tokio's {@code is_terminated}, except that tokio
         * turns it true only once a receive has reported the closing; here the state decides.
         *
         * @return whether the channel is terminated for the receiver
         */
        public boolean isTerminated() {
            int c = core.observe();
            return c == GONE_TAKEN || c == GONE_TX_CLOSED || c == GONE_RX_CLOSED;
        }

        /**
         * Returns true if there is no value to receive right now: none was sent yet, it was already
         * received, or the channel closed without one. tokio's {@code is_empty}. A value being
         * handed to a pending {@link #recv()} still counts until that completes.
         *
         * @return whether no value is waiting
         */
        public boolean isEmpty() {
            int c = core.observe();
            return c != READY && c != PENDING_VALUE;
        }

        /**
         * Returns a Reactive Streams {@link Publisher} of the value: a stream of zero or one
         * element. A Tributary addition: tokio has no Reactive Streams counterpart. Lazy: nothing
         * is registered until {@code subscribe}.
         *
         * <ul>
         *   <li><b>Subscribers</b>: one (unicast); the first subscription takes over this receiver,
         *       for good. Any later subscriber, through this or another {@code asPublisher()} of
         *       this receiver, gets {@code onSubscribe} then {@code
         *       onError(IllegalStateException)}. Do not receive from the receiver yourself
         *       meanwhile: a subscription that finds a receive of yours pending, or the value
         *       already received, fails with {@link IllegalStateException}.
         *   <li><b>Demand</b>: the value is delivered once at least 1 is requested, then {@code
         *       onComplete} follows. Until then it stays in the channel.
         *   <li><b>Terminal signals</b>: {@code onComplete} after the value, or without one if the
         *       sender closed without sending (or the receiver was closed directly before a value
         *       came); {@code onError(cause)} if the sender called {@link
         *       Sender#closeChannel(Throwable)}: the cause itself, not wrapped. These need no
         *       demand.
         *   <li><b>Cancellation</b>: {@code cancel()} closes this receiver, so a later {@link
         *       Sender#send(Object)} fails and {@link Sender#closed()} completes. The view takes
         *       the value out of the channel only in the step that hands it to {@code onNext} (it
         *       waits with a wake-up that consumes nothing, never with a {@link #recv()} future),
         *       so a cancel loses nothing: either the value was delivered (an {@code onNext}
         *       already under way when the cancel arrives still completes, as rule 1.8 allows), or
         *       it is still in the channel and {@link #tryRecv()} on this receiver returns it (a
         *       value sent before the close stays readable).
         *   <li><b>Fairness</b>: none needed: one subscriber, one value.
         *   <li><b>Completion thread</b>: {@code onNext} and the terminal signal run on the thread
         *       that requests, if the value (or the close) is already there; otherwise on the
         *       thread that sends or closes, after the state change, trampolined. Never recursively
         *       from {@code request} inside {@code onNext} (rule 3.3).
         * </ul>
         *
         * @return a publisher view of this receiver
         */
        public Publisher<T> asPublisher() {
            return new OneshotPublisher<>(this);
        }

        /**
         * The JDK {@link Flow} form of {@link #asPublisher()}, adapted by {@link
         * FlowAdapters#toFlowPublisher}; same semantics. A Tributary addition.
         *
         * @return a {@link Flow.Publisher} view of this receiver
         */
        public Flow.Publisher<T> asFlowPublisher() {
            return FlowAdapters.toFlowPublisher(asPublisher());
        }

        @Override
        public String toString() {
            return "Oneshot.Receiver" + core.describe();
        }
    }

    /** The shared state of one channel; see the implementation overview. */
    static final class Core<T> {
        /** Bits RX_WAITING, SENT, RX_CLOSED, TX_USED, VALUE, TAKEN; changed only atomically. */
        volatile int state;

        /** The value; written before the release CAS that sets SENT|VALUE, cleared after TAKEN. */
        T value;

        /** The cause given to closeChannel; written before the release CAS that sets SENT. */
        Throwable cause;

        /** The receive waiter; written before the release CAS that sets RX_WAITING. */
        RecvWaiter<T> rxWaiter;

        /** 1 while a receive registers its waiter (see install); CAS and release store only. */
        volatile int installing;

        /** Top of the closed() waiter stack, or TX_DONE once the receiver closed. */
        volatile ClosedWaiter txWaiters;

        /** For messages only: whether the sender's use was a send (plain; racy reads are fine). */
        boolean sentByUse;

        /**
         * The wake-up of the Reactive Streams view ({@link OneshotPublisher}), or null: run once,
         * trampolined, after the state leaves EMPTY (send, sender close, receiver close). It takes
         * nothing: the view then takes the value itself with tryRecv, so a cancelled view never
         * holds a value it did not deliver. Written (volatile) by the view before it re-reads
         * {@code state}; read after the state CAS of send/closeTx/closeRx (Dekker: at least one
         * side sees the other). Swapped to null by whoever runs it, so each registration runs at
         * most once.
         */
        volatile Trampoline.Task wake;

        /** 1 once a Reactive Streams view subscribed to this receiver (unicast); CAS only. */
        volatile int viewed;

        Core() {}

        // ---- sender side ----

        void send(T v) {
            int prev = (int) STATE.getAndBitwiseOr(this, TX_USED);
            if ((prev & TX_USED) != 0) {
                throw usedError();
            }
            sentByUse = true;
            if ((prev & RX_CLOSED) != 0) {
                throw sendFailed();
            }
            value = v;
            int s = prev | TX_USED;
            for (; ; ) {
                if ((s & RX_CLOSED) != 0) {
                    value = null; // never published: the receiver reads value only after SENT
                    throw sendFailed();
                }
                // release; pairs with the acquire read of state in classify()
                int w = (int) STATE.compareAndExchange(this, s, s | SENT | VALUE);
                if (w == s) {
                    break;
                }
                s = w;
            }
            if ((s & RX_WAITING) != 0) {
                RecvWaiter<T> w = rxWaiter;
                if (w.tryClaim()) {
                    w.setValue(v);
                    if (w.blocking) {
                        markTaken(); // a blocking waiter's claim decides: it returns the value
                    }
                    w.fire();
                } // else cancelled: its withdraw() clears RX_WAITING and the value stays
            }
            fireWake();
        }

        boolean closeTx(Throwable why) {
            int prev = (int) STATE.getAndBitwiseOr(this, TX_USED);
            if ((prev & (TX_USED | RX_CLOSED)) != 0) {
                return false;
            }
            cause = why;
            int s = prev | TX_USED;
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
                RecvWaiter<T> w = rxWaiter;
                if (w.tryClaim()) {
                    w.setFailure(txClosedError());
                    w.fire();
                }
            }
            fireWake();
            return true;
        }

        CompletableFuture<Void> closed() {
            if ((state & RX_CLOSED) != 0) {
                return StackSafeFuture.completed(null);
            }
            ClosedWaiter w = new ClosedWaiter(this);
            for (; ; ) {
                ClosedWaiter top = txWaiters;
                if (top == TX_DONE) {
                    return StackSafeFuture.completed(null);
                }
                if (top != null && !top.isPending()) {
                    TX_WAITERS.compareAndSet(this, top, top.below); // drop a withdrawn one
                    continue;
                }
                w.below = top;
                if (TX_WAITERS.compareAndSet(this, top, w)) {
                    return w.future();
                }
            }
        }

        /** Pops withdrawn closed() waiters off the top of the stack (best effort). */
        void purgeClosedWaiters() {
            for (ClosedWaiter top; (top = txWaiters) != null && top != TX_DONE; ) {
                if (top.isPending() || !TX_WAITERS.compareAndSet(this, top, top.below)) {
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
                RecvWaiter<T> w = rxWaiter;
                if (w.tryClaim()) {
                    w.setFailure(rxClosedError());
                    w.fire();
                }
            }
            ClosedWaiter top = (ClosedWaiter) TX_WAITERS.getAndSet(this, TX_DONE);
            ClosedWaiter fifo = null;
            while (top != null && top != TX_DONE) { // reverse into FIFO order
                ClosedWaiter below = top.below;
                top.below = fifo;
                fifo = top;
                top = below;
            }
            for (ClosedWaiter w = fifo; w != null; ) {
                ClosedWaiter next = w.below;
                w.below = null;
                if (w.tryClaim()) {
                    w.fire();
                }
                w = next;
            }
            fireWake();
        }

        /** Runs the view's wake-up, if one is registered; see {@link #wake}. */
        void fireWake() {
            if (wake != null) { // read after the state CAS (Dekker, see wake)
                Trampoline.Task t = (Trampoline.Task) WAKE.getAndSet(this, null);
                if (t != null) {
                    Trampoline.run(t);
                }
            }
        }

        /** Withdraws the view's wake-up {@code t} if it is still registered (rule 3.13). */
        void clearWake(Trampoline.Task t) {
            WAKE.compareAndSet(this, t, null);
        }

        CompletableFuture<T> recv() {
            RecvWaiter<T> w = null;
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
                    case EMPTY:
                        if (w == null) {
                            w = new RecvWaiter<>(this, false);
                        }
                        if (install(s, w, "recv")) {
                            return w.future();
                        }
                        break;
                    case PENDING_EMPTY:
                    case PENDING_VALUE:
                        throw pendingError("recv");
                    default:
                        settle(s);
                        return StackSafeFuture.failed(goneError(c));
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
                    case EMPTY:
                        return null;
                    case PENDING_EMPTY:
                    case PENDING_VALUE:
                        throw pendingError("tryRecv");
                    default:
                        settle(s);
                        throw goneError(c);
                }
            }
        }

        T blockingRecv(long deadline) throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            RecvWaiter<T> w = null;
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
                    case EMPTY:
                        if (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0L) {
                            return null;
                        }
                        if (w == null) {
                            w = new RecvWaiter<>(this, true);
                        }
                        if (install(s, w, "blockingRecv")) {
                            // The value (TAKEN already marked by the sender), a ClosedException
                            // rethrown, null on timeout, or InterruptedException; both withdrawn.
                            return w.awaitBlocking(deadline, null);
                        }
                        break;
                    case PENDING_EMPTY:
                    case PENDING_VALUE:
                        throw pendingError("blockingRecv");
                    default:
                        settle(s);
                        throw goneError(c);
                }
            }
        }

        /**
         * Installs {@code w} as the receive waiter if the state is still {@code s}. The {@code
         * installing} guard keeps two racing receives from overwriting each other's {@code
         * rxWaiter}: under it, nobody else can set RX_WAITING, so the re-check holds.
         */
        private boolean install(int s, RecvWaiter<T> w, String op) {
            if (!INSTALLING.compareAndSet(this, 0, 1)) {
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
                INSTALLING.setRelease(this, 0);
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
         * Writes a resolved async delivery into the state (helping): DELIVERED becomes TAKEN,
         * RETURNED clears RX_WAITING. Safe after SENT only, where RX_WAITING never returns.
         */
        void settle(int s) {
            if ((s & (SENT | VALUE | RX_WAITING | TAKEN)) != (SENT | VALUE | RX_WAITING)) {
                return;
            }
            int r = rxWaiter.resolve(value);
            if (r == DELIVERED) {
                take(s);
            } else if (r == RETURNED) {
                STATE.compareAndSet(this, s, s & ~RX_WAITING);
            }
        }

        /** Settles until the state records the outcome of a resolved delivery (undelivered). */
        void settleAll() {
            for (; ; ) {
                int s = state;
                if ((s & (SENT | VALUE | RX_WAITING | TAKEN)) != (SENT | VALUE | RX_WAITING)
                        || rxWaiter.resolve(value) == IN_FLIGHT) {
                    return;
                }
                settle(s);
            }
        }

        /** A cancelled receive waiter leaves: clears RX_WAITING (only its own, see overview). */
        void withdraw(RecvWaiter<T> w) {
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

        /** What the receiver sees now, read consistently (for the queries). */
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
                return GONE_TAKEN;
            }
            if ((s & SENT) != 0) {
                if ((s & VALUE) == 0) {
                    return GONE_TX_CLOSED;
                }
                if ((s & RX_WAITING) == 0) {
                    return READY;
                }
                int r = rxWaiter.resolve(value);
                return r == IN_FLIGHT ? PENDING_VALUE : r == DELIVERED ? GONE_TAKEN : READY;
            }
            if ((s & RX_CLOSED) != 0) {
                return GONE_RX_CLOSED;
            }
            return (s & RX_WAITING) != 0 ? PENDING_EMPTY : EMPTY;
        }

        // ---- errors ----

        private IllegalStateException usedError() {
            return new IllegalStateException(
                    sentByUse
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

        private ClosedException goneError(int c) {
            if (c == GONE_TX_CLOSED) {
                return txClosedError();
            } else if (c == GONE_RX_CLOSED) {
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

        String describe() {
            int s = state;
            StringBuilder b = new StringBuilder("[");
            switch (classify(s)) {
                case EMPTY:
                    b.append("empty");
                    break;
                case READY:
                    b.append("value ready");
                    break;
                case PENDING_EMPTY:
                    b.append("receive pending");
                    break;
                case PENDING_VALUE:
                    b.append("value being delivered");
                    break;
                case GONE_TAKEN:
                    b.append("value received");
                    break;
                case GONE_TX_CLOSED:
                    b.append("sender closed without a value");
                    break;
                default:
                    b.append("receiver closed");
                    break;
            }
            if ((s & RX_CLOSED) != 0 && (s & (SENT | VALUE)) == (SENT | VALUE)) {
                b.append(", receiver closed");
            }
            return b.append(']').toString();
        }
    }

    /** The pending receive: a future (async) or a parked thread (blocking). */
    static final class RecvWaiter<T> extends Waiter<T> {
        private final Core<T> core;
        final boolean blocking;

        RecvWaiter(Core<T> core, boolean blocking) {
            super(blocking);
            this.core = core;
            this.blocking = blocking;
        }

        /**
         * For a claimed async waiter holding {@code v} (or one being withdrawn): has the delivery
         * ended, and how? A pending blocking receive is in flight until its thread returns.
         */
        int resolve(Object v) {
            if (blocking) {
                return IN_FLIGHT;
            }
            CompletableFuture<T> f = future();
            if (!f.isDone()) {
                return IN_FLIGHT; // pending, being delivered, or being withdrawn
            }
            if (!f.isCompletedExceptionally() && f.getNow(null) == v) {
                return DELIVERED;
            }
            return RETURNED;
        }

        @Override
        protected void undelivered(T v) {
            core.settleAll(); // an outside completion won: the value stays in the channel
        }

        @Override
        protected void withdraw() {
            core.withdraw(this);
        }
    }

    /** A pending {@link Sender#closed()}; linked in the Treiber stack {@code Core.txWaiters}. */
    static final class ClosedWaiter extends Waiter<Void> {
        private final Core<?> core;

        /** The next waiter down the stack; plain, published by the CAS that pushes this one. */
        ClosedWaiter below;

        ClosedWaiter(Core<?> core) {
            super(false);
            this.core = core;
        }

        @Override
        protected void undelivered(Void v) {
            // Nothing to give back: closing is a state, not a value.
        }

        @Override
        protected void withdraw() {
            core.purgeClosedWaiters();
        }
    }

    /** The txWaiters sentinel: the receiver closed, closed() completes at once. */
    static final ClosedWaiter TX_DONE = new ClosedWaiter(null);

    // VarHandle mechanics
    private static final VarHandle STATE;
    private static final VarHandle TX_WAITERS;
    private static final VarHandle INSTALLING;
    static final VarHandle WAKE;
    static final VarHandle VIEWED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(Core.class, "state", int.class);
            TX_WAITERS = l.findVarHandle(Core.class, "txWaiters", ClosedWaiter.class);
            INSTALLING = l.findVarHandle(Core.class, "installing", int.class);
            WAKE = l.findVarHandle(Core.class, "wake", Trampoline.Task.class);
            VIEWED = l.findVarHandle(Core.class, "viewed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
