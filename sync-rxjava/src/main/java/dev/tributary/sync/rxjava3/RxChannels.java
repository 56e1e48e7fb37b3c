package dev.tributary.sync.rxjava3;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.LagPolicy;
import dev.tributary.sync.Mpsc;
import dev.tributary.sync.Oneshot;
import dev.tributary.sync.Watch;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import java.util.Objects;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import org.reactivestreams.Publisher;

/**
 * RxJava 3 entry points for Tributary's channels ({@link Mpsc}, {@link Broadcast}, {@link Watch},
 * {@link Oneshot}): receivers as {@link Flowable} and {@link Maybe}, sends as {@link Completable},
 * and {@link #sendAll(Mpsc.Sender, Publisher)}, the backpressured way to merge many producers into
 * one channel.
 *
 * <p>Every method returns a cold source:
 *
 * <ul>
 *   <li><b>Lazy</b>: nothing registers a waiter, receives or sends a value before subscription, and
 *       each subscription is a fresh operation ({@code send(tx, v)} subscribed twice sends twice).
 *   <li><b>Disposal</b>: disposing (or a {@code timeout} operator) withdraws what the subscription
 *       registered, with the cancel safety the channel's own method states (it is named on each
 *       method here); nothing granted in the race is lost silently.
 *   <li><b>Errors</b>: a {@code null} argument throws {@link NullPointerException} at the call
 *       ("assembly"), with a message naming the argument. A runtime condition (a closed channel, a
 *       closed handle, a lagged receiver under {@link LagPolicy#ERROR}) is an {@code onError}
 *       signal, never an exception thrown into the subscriber's thread. An error that arrives after
 *       disposal goes to {@link io.reactivex.rxjava3.plugins.RxJavaPlugins#onError(Throwable)}.
 *   <li><b>Scheduler</b>: none; signals run on the thread that completes the channel operation (the
 *       sender's thread for a receiver, the receiver's thread for a sender waiting for capacity) or
 *       on the subscribing/requesting thread when no wait was needed. sync-core trampolines those
 *       completions, so long chains keep a flat stack. Hop with {@code observeOn} if the downstream
 *       work should not run on that thread.
 * </ul>
 *
 * <p><b>Operators that cancel on their own.</b> The receivers' sources take a message out of the
 * channel only in the step that hands it to the downstream, so disposing never loses one; what the
 * downstream does with a message handed to it is the downstream's. In particular a {@code timeout}
 * (or {@code takeUntil}, {@code amb}) firing on one thread while a message is delivered on another
 * drops that message: RxJava's operators mark themselves done before they cancel upstream and have
 * no discard hook. A timeout on the delivering thread, a {@code TestScheduler}, or {@code take(n)}
 * loses nothing.
 *
 * <p>Receiving one message from an mpsc channel as a {@code Maybe} is deliberately absent: a
 * receive that wins the race against a disposal has taken the message out of the channel, and there
 * is no way to put it back. Use {@link #flowable(Mpsc.AbstractReceiver)} (which never takes a
 * message it does not deliver) with {@code take(n)}, or {@code tryRecv()}.
 */
public final class RxChannels {

    private RxChannels() {}

    // ---------------------------------------------------------------------------------------
    // Receiving
    // ---------------------------------------------------------------------------------------

    /**
     * Returns a {@link Flowable} of the messages of an mpsc receiver, bounded or unbounded (tokio's
     * {@code ReceiverStream} / {@code UnboundedReceiverStream}). Built on {@link
     * Mpsc.AbstractReceiver#asPublisher()}, whose drain loop takes a message out of the channel
     * only in the step that hands it to {@code onNext}: disposing never loses a message. What was
     * not delivered stays in the channel, readable with {@code tryRecv()}.
     *
     * <dl>
     *   <dt>Backpressure
     *   <dd>Delivers at most what the downstream requested; each delivery frees a slot, so waiting
     *       senders proceed: the channel's capacity is the buffer, nothing else buffers.
     *   <dt>Subscribers
     *   <dd>One at a time (the subscription is the channel's single consumer): a second concurrent
     *       subscriber, or one that finds a {@code recv()} pending, gets {@code
     *       onError(IllegalStateException)}.
     *   <dt>Termination
     *   <dd>{@code onComplete} once the channel is closed and drained; after {@code
     *       closeChannel(cause)}, {@code onError(cause)} with the cause itself.
     *   <dt>Disposal
     *   <dd>Closes the channel from the receiving side, as dropping tokio's stream drops its
     *       receiver: later sends fail with {@link dev.tributary.sync.ClosedException}; messages
     *       already sent stay readable. A later subscription therefore receives what is left and
     *       completes. An {@code onNext} already under way on another thread when the disposal
     *       arrives still completes (Reactive Streams rule 1.8).
     *   <dt>Scheduler
     *   <dd>None: {@code onNext} runs on the requesting thread, or on the sending thread after the
     *       channel was found empty.
     * </dl>
     *
     * @param receiver the receiver
     * @param <T> the element type
     * @return a cold Flowable of the messages
     * @throws NullPointerException if {@code receiver} is null
     */
    public static <T> Flowable<T> flowable(Mpsc.AbstractReceiver<T> receiver) {
        Objects.requireNonNull(receiver, "receiver is null");
        return Flowable.defer(() -> Flowable.fromPublisher(receiver.asPublisher()));
    }

    /**
     * Returns a {@link Flowable} of a broadcast receiver (tokio's {@code BroadcastStream}): the
     * subscription takes this receiver over and reads from its cursor on. See {@link
     * #flowable(Broadcast.Receiver, LagPolicy, LongConsumer)}.
     *
     * @param receiver the receiver
     * @param policy what the subscriber gets when it lags
     * @param <T> the element type
     * @return a cold Flowable of the values
     * @throws NullPointerException if an argument is null
     */
    public static <T> Flowable<T> flowable(Broadcast.Receiver<T> receiver, LagPolicy policy) {
        return flowable(receiver, policy, null);
    }

    /**
     * Returns a {@link Flowable} of a broadcast receiver, built on {@link
     * Broadcast.Receiver#asPublisher(LagPolicy, LongConsumer)}.
     *
     * <dl>
     *   <dt>Backpressure
     *   <dd>At most the demand. Senders never wait: a downstream that falls more than the capacity
     *       behind lags. Under {@link LagPolicy#ERROR} it gets {@code onError(LaggedException)}
     *       with the exact count missed; under {@link LagPolicy#SKIP} {@code onLag} gets that count
     *       and delivery resumes at the oldest retained value.
     *   <dt>Subscribers
     *   <dd>One, for good: the view is unicast, so a second subscription (also after the first
     *       ended, or after the receiver was closed) gets {@code onError(IllegalStateException)}.
     *       For a fresh receiver per subscription use {@link #flowable(Broadcast.Sender,
     *       LagPolicy)}.
     *   <dt>Termination
     *   <dd>{@code onComplete} once the channel closed and everything retained was delivered;
     *       {@code onError(cause)} after {@code closeChannel(cause)}.
     *   <dt>Disposal
     *   <dd>Closes the receiver (the receiver count drops). Broadcast values are copies, so nothing
     *       is taken from other receivers.
     *   <dt>Scheduler
     *   <dd>None: the requesting thread, or the sending thread that woke a waiting subscriber.
     * </dl>
     *
     * @param receiver the receiver
     * @param policy what the subscriber gets when it lags
     * @param onLag under {@link LagPolicy#SKIP}, called with each missed count; may be null
     * @param <T> the element type
     * @return a cold Flowable of the values
     * @throws NullPointerException if {@code receiver} or {@code policy} is null
     */
    public static <T> Flowable<T> flowable(
            Broadcast.Receiver<T> receiver, LagPolicy policy, LongConsumer onLag) {
        Objects.requireNonNull(receiver, "receiver is null");
        Objects.requireNonNull(policy, "policy is null");
        return Flowable.defer(() -> Flowable.fromPublisher(receiver.asPublisher(policy, onLag)));
    }

    /**
     * Returns a multicast {@link Flowable} of a broadcast channel: each subscription subscribes a
     * fresh receiver at subscription time and sees the values sent from then on, at its own pace
     * (built on {@link Broadcast.Sender#asPublisher(LagPolicy)}). Backpressure, lag, termination
     * and scheduler as for {@link #flowable(Broadcast.Receiver, LagPolicy, LongConsumer)}; disposal
     * closes that subscription's receiver only.
     *
     * @param sender a sender of the channel (only used to subscribe receivers)
     * @param policy what a subscriber gets when it lags
     * @param <T> the element type
     * @return a cold, multicast Flowable of the values
     * @throws NullPointerException if an argument is null
     */
    public static <T> Flowable<T> flowable(Broadcast.Sender<T> sender, LagPolicy policy) {
        Objects.requireNonNull(sender, "sender is null");
        Objects.requireNonNull(policy, "policy is null");
        return Flowable.defer(() -> Flowable.fromPublisher(sender.asPublisher(policy)));
    }

    /**
     * Returns a {@link Flowable} of a watch channel's values (tokio's {@code WatchStream}): the
     * current value first, then each newer value current when the downstream has demand. Each
     * subscription clones {@code receiver}, which stays the caller's (built on {@link
     * Watch.Receiver#asPublisher()}).
     *
     * <dl>
     *   <dt>Backpressure
     *   <dd>Conflated: a downstream without demand is not queued for; when it requests again it
     *       gets only the newest value. Values arrive in store order, intermediate ones may be
     *       skipped.
     *   <dt>Termination
     *   <dd>{@code onComplete} after the final value was delivered, once every sender closed; after
     *       {@code closeChannel(cause)}, the final value then {@code onError(cause)}. A closed
     *       {@code receiver} handle: {@code onError(IllegalStateException)}.
     *   <dt>Disposal
     *   <dd>Closes that subscription's clone; watch values are never consumed.
     *   <dt>Scheduler
     *   <dd>None: the requesting thread, or the thread that stored the next value.
     * </dl>
     *
     * @param receiver the receiver to clone for each subscription
     * @param <T> the value type
     * @return a cold Flowable of the values
     * @throws NullPointerException if {@code receiver} is null
     */
    public static <T> Flowable<T> flowable(Watch.Receiver<T> receiver) {
        Objects.requireNonNull(receiver, "receiver is null");
        return Flowable.defer(() -> Flowable.fromPublisher(receiver.asPublisher()));
    }

    /**
     * Returns a {@link Flowable} of a watch channel's values, each subscription with a fresh
     * receiver subscribed from {@code sender} (built on {@link Watch.Sender#asPublisher()}); the
     * current value first. Otherwise as {@link #flowable(Watch.Receiver)}.
     *
     * @param sender a sender of the channel
     * @param <T> the value type
     * @return a cold Flowable of the values
     * @throws NullPointerException if {@code sender} is null
     */
    public static <T> Flowable<T> flowable(Watch.Sender<T> sender) {
        Objects.requireNonNull(sender, "sender is null");
        return Flowable.defer(() -> Flowable.fromPublisher(sender.asPublisher()));
    }

    /**
     * Returns a {@link Maybe} of a oneshot receiver's value: success with the value, empty if the
     * sender closed without sending one (tokio's {@code RecvError}, here not an error), {@code
     * onError(cause)} after {@link Oneshot.Sender#closeChannel(Throwable)}. Built on {@link
     * Oneshot.Receiver#asPublisher()}, which takes the value out only in the step that delivers it,
     * and that step calls {@code onSuccess} directly: a value that left the channel is always
     * handed to the observer (also when a disposal on another thread is under way, as Reactive
     * Streams rule 1.8 allows), never held and dropped.
     *
     * <dl>
     *   <dt>Subscribers
     *   <dd>One, for good: the first subscription takes the receiver over; a later one gets {@code
     *       onError(IllegalStateException)}.
     *   <dt>Disposal
     *   <dd>Closes the receiver (as dropping tokio's receiver does): a later {@code send} fails
     *       with {@link dev.tributary.sync.ClosedException}, {@link Oneshot.Sender#closed()}
     *       completes. The value is never lost: if it was sent before the close, {@code tryRecv()}
     *       still returns it.
     *   <dt>Scheduler
     *   <dd>None: the subscribing thread if the value (or the close) is there, else the sending
     *       (closing) thread.
     * </dl>
     *
     * @param receiver the receiver
     * @param <T> the value type
     * @return a cold Maybe of the value
     * @throws NullPointerException if {@code receiver} is null
     */
    public static <T> Maybe<T> maybe(Oneshot.Receiver<T> receiver) {
        Objects.requireNonNull(receiver, "receiver is null");
        return new OneshotMaybe<>(receiver);
    }

    // ---------------------------------------------------------------------------------------
    // Sending
    // ---------------------------------------------------------------------------------------

    /**
     * Returns a {@link Completable} that sends {@code value} into a bounded channel on each
     * subscription, waiting for capacity ({@link Mpsc.Sender#send(Object)}).
     *
     * <dl>
     *   <dt>Disposal
     *   <dd>Loses the value, as tokio's {@code send} does when cancelled: either it was sent first
     *       or it is never sent, and the place among the waiting senders is given up.
     *   <dt>Fairness
     *   <dd>FIFO among waiting senders.
     *   <dt>Errors
     *   <dd>{@link dev.tributary.sync.ClosedException} if the channel is or gets closed; {@link
     *       IllegalStateException} if the handle was closed.
     *   <dt>Scheduler
     *   <dd>None: completes on the subscribing thread when capacity was free, else on the thread
     *       that freed capacity (usually the receiver's).
     * </dl>
     *
     * @param sender the sender
     * @param value the message
     * @param <T> the element type
     * @return a cold Completable of the send
     * @throws NullPointerException if an argument is null
     */
    public static <T> Completable send(Mpsc.Sender<T> sender, T value) {
        Objects.requireNonNull(sender, "sender is null");
        Objects.requireNonNull(value, "value is null");
        return FutureAdapters.completable(() -> sender.send(value));
    }

    /**
     * Returns a {@link Completable} that sends {@code value} into an unbounded channel on each
     * subscription ({@link Mpsc.UnboundedSender#send(Object)}; never waits). Errors: {@link
     * dev.tributary.sync.ClosedException} if the channel is closed. Completes on the subscribing
     * thread.
     *
     * @param sender the sender
     * @param value the message
     * @param <T> the element type
     * @return a cold Completable of the send
     * @throws NullPointerException if an argument is null
     */
    public static <T> Completable send(Mpsc.UnboundedSender<T> sender, T value) {
        Objects.requireNonNull(sender, "sender is null");
        Objects.requireNonNull(value, "value is null");
        return Completable.fromAction(() -> sender.send(value));
    }

    /**
     * Returns a {@link Single} that sends {@code value} to every broadcast receiver on each
     * subscription ({@link Broadcast.Sender#send(Object)}; never waits) and emits the number of
     * receivers that will see it (tokio's {@code send} returns that count, hence a {@code Single}
     * rather than a {@code Completable}). Errors: {@link dev.tributary.sync.ClosedException} if
     * there are no receivers or the channel is closed. Emits on the subscribing thread.
     *
     * @param sender the sender
     * @param value the value
     * @param <T> the element type
     * @return a cold Single of the receiver count
     * @throws NullPointerException if an argument is null
     */
    public static <T> Single<Integer> send(Broadcast.Sender<T> sender, T value) {
        Objects.requireNonNull(sender, "sender is null");
        Objects.requireNonNull(value, "value is null");
        return Single.fromCallable(() -> sender.send(value));
    }

    /**
     * Returns a {@link Completable} that stores {@code value} in a watch channel on each
     * subscription ({@link Watch.Sender#send(Object)}; never waits). Errors: {@link
     * dev.tributary.sync.ClosedException} if no receiver exists or the channel was closed.
     * Completes on the subscribing thread.
     *
     * @param sender the sender
     * @param value the value
     * @param <T> the value type
     * @return a cold Completable of the store
     * @throws NullPointerException if an argument is null
     */
    public static <T> Completable send(Watch.Sender<T> sender, T value) {
        Objects.requireNonNull(sender, "sender is null");
        Objects.requireNonNull(value, "value is null");
        return Completable.fromAction(() -> sender.send(value));
    }

    /**
     * Returns a {@link Completable} that sends {@code value} through a oneshot sender on
     * subscription ({@link Oneshot.Sender#send(Object)}; never waits). A oneshot sender sends once:
     * a second subscription fails with {@link IllegalStateException}. Errors: {@link
     * dev.tributary.sync.ClosedException} if the receiver was closed. Completes on the subscribing
     * thread.
     *
     * @param sender the sender
     * @param value the value
     * @param <T> the value type
     * @return a cold Completable of the send
     * @throws NullPointerException if an argument is null
     */
    public static <T> Completable send(Oneshot.Sender<T> sender, T value) {
        Objects.requireNonNull(sender, "sender is null");
        Objects.requireNonNull(value, "value is null");
        return Completable.fromAction(() -> sender.send(value));
    }

    /**
     * Returns a {@link Completable} that sends every element of {@code source} into a bounded
     * channel, in order, waiting for capacity, and completes once the source completed and its last
     * element is in the channel. Several {@code sendAll}s into one channel at once are the
     * supported way to merge producers: each keeps its own order, they interleave FIFO as capacity
     * frees, and none overruns the channel (a Reactor {@code Sinks.many()} or an RxJava {@code
     * PublishProcessor} fails under concurrent emission instead).
     *
     * <dl>
     *   <dt>Backpressure
     *   <dd>Requests one element at a time from {@code source}, and the next only when the previous
     *       one is in the channel: nothing is buffered outside the channel.
     *   <dt>Sender handle
     *   <dd>Not closed: it stays the caller's, and the channel stays open. To close the channel
     *       with the source's error, add {@code doOnError(e -> sender.closeChannel(e))}.
     *   <dt>Errors
     *   <dd>The source's error is this Completable's error (the elements before it were sent). A
     *       closed channel fails it with {@link dev.tributary.sync.ClosedException} and cancels the
     *       source.
     *   <dt>Disposal
     *   <dd>Cancels the source and the pending send (whose element is then sent or not, as for
     *       {@link #send(Mpsc.Sender, Object)}). An error from the source after that goes to {@code
     *       RxJavaPlugins.onError}.
     *   <dt>Scheduler
     *   <dd>None: the source is requested from the subscribing thread, then from the thread that
     *       freed capacity (usually the receiver's); it completes on one of those.
     * </dl>
     *
     * @param sender the sender
     * @param source the elements to send
     * @param <T> the element type
     * @return a cold Completable of the whole transfer
     * @throws NullPointerException if an argument is null
     */
    public static <T> Completable sendAll(Mpsc.Sender<T> sender, Publisher<? extends T> source) {
        Objects.requireNonNull(sender, "sender is null");
        Objects.requireNonNull(source, "source is null");
        return new SendAll<>(sender, source);
    }

    // ---------------------------------------------------------------------------------------
    // Watch waits
    // ---------------------------------------------------------------------------------------

    /**
     * Returns a {@link Completable} that waits for a value newer than the last one {@code receiver}
     * saw, and marks it seen ({@link Watch.Receiver#changed()}).
     *
     * <dl>
     *   <dt>Disposal
     *   <dd>Cancel-safe: withdraws the wait and marks nothing seen, unless the news won the race
     *       (it is then marked, as a completed {@code changed()}).
     *   <dt>Errors
     *   <dd>{@link dev.tributary.sync.ClosedException} once the channel is closed and the current
     *       value was seen; {@link IllegalStateException} if the handle was closed or another wait
     *       of this receiver is pending.
     *   <dt>Scheduler
     *   <dd>None: the subscribing thread when there is news, else the storing thread.
     * </dl>
     *
     * @param receiver the receiver
     * @return a cold Completable of the change
     * @throws NullPointerException if {@code receiver} is null
     */
    public static Completable changed(Watch.Receiver<?> receiver) {
        Objects.requireNonNull(receiver, "receiver is null");
        return FutureAdapters.completable(receiver::changed);
    }

    /**
     * Returns a {@link Single} of the first value that satisfies {@code predicate}, checking the
     * current value first ({@link Watch.Receiver#waitFor(Predicate)}); the match is marked seen.
     * {@code predicate} runs on the subscribing thread, then on the storing threads; if it throws,
     * the Single fails with that exception.
     *
     * <dl>
     *   <dt>Disposal
     *   <dd>Cancel-safe: withdraws the wait and marks nothing seen.
     *   <dt>Errors
     *   <dd>{@link dev.tributary.sync.ClosedException} when the channel closes with no match;
     *       {@link IllegalStateException} if the handle was closed or another wait is pending.
     *   <dt>Scheduler
     *   <dd>None: the subscribing thread if the current value matches, else the storing thread.
     * </dl>
     *
     * @param receiver the receiver
     * @param predicate the condition
     * @param <T> the value type
     * @return a cold Single of the matching value
     * @throws NullPointerException if an argument is null
     */
    public static <T> Single<T> waitFor(
            Watch.Receiver<T> receiver, Predicate<? super T> predicate) {
        Objects.requireNonNull(receiver, "receiver is null");
        Objects.requireNonNull(predicate, "predicate is null");
        return FutureAdapters.<Watch.Ref<T>>single(
                        () -> receiver.waitFor(predicate), FutureAdapters.noRelease())
                .map(Watch.Ref::get);
    }
}
