package dev.tributary.sync;

import dev.tributary.sync.internal.BlockingCheck;
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
    // The state machine, its waiters and its implementation overview (state encoding,
    // linearization points, access modes): OneshotCore, OneshotRecvWaiter, OneshotClosedWaiter.

    private Oneshot() {}

    /**
     * Creates a oneshot channel: tokio's {@code oneshot::channel}.
     *
     * @param <T> the type of the value
     * @return the sender and the receiver
     */
    public static <T> Channel<T> channel() {
        OneshotCore<T> core = new OneshotCore<>();
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
        final OneshotCore<T> core;

        Sender(OneshotCore<T> core) {
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
         *       that closes the receiver (trampolined), after the state change. Dependents are <a
         *       href="package-summary.html#stack-safety">stack-safe</a>.
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
            return core.isRxClosed();
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
        final OneshotCore<T> core;

        Receiver(OneshotCore<T> core) {
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
            return core.isTerminated();
        }

        /**
         * Returns true if there is no value to receive right now: none was sent yet, it was already
         * received, or the channel closed without one. tokio's {@code is_empty}. A value being
         * handed to a pending {@link #recv()} still counts until that completes.
         *
         * @return whether no value is waiting
         */
        public boolean isEmpty() {
            return core.isEmpty();
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
}
