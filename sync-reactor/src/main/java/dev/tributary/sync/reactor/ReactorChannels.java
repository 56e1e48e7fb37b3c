package dev.tributary.sync.reactor;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.ClosedException;
import dev.tributary.sync.LagPolicy;
import dev.tributary.sync.Mpsc;
import dev.tributary.sync.Oneshot;
import dev.tributary.sync.Watch;
import java.util.Objects;
import java.util.function.Predicate;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Tributary's channels as {@link Flux} and {@link Mono}: receive as a {@code Flux} (or a {@code
 * Mono} for a oneshot), send one value as a {@code Mono}, and send a whole {@link Publisher} into
 * an mpsc channel with backpressure.
 *
 * <ul>
 *   <li><b>Lazy</b>: nothing registers a waiter, receives a value or sends one before subscription;
 *       every subscription is a fresh operation (a {@code send} Mono subscribed twice sends twice).
 *   <li><b>Cancellation</b>: a cancelled (or {@link Mono#timeout(java.time.Duration) timed-out})
 *       subscription withdraws its waiter. No message is lost to a cancel: receiving views take a
 *       message out of the channel only in the step that hands it to {@code onNext}, so what was
 *       not delivered stays in the channel.
 *   <li><b>Errors</b>: a null or invalid argument throws at assembly, when the method is called; a
 *       runtime condition (a closed channel, a lagged broadcast receiver under {@link
 *       LagPolicy#ERROR}) is an {@code onError} signal, never an exception thrown at the
 *       subscriber.
 *   <li><b>Completion thread</b>: signals arrive on the thread that makes them possible: the one
 *       that subscribes or requests if a value is ready, otherwise the sending (or closing) thread
 *       of the channel, as for the {@code CompletableFuture} methods of {@code dev.tributary.sync}.
 *       They are stack-safe: sync-core completes through a trampoline, so a chain of channel hops
 *       on one thread does not grow its stack. Use {@code publishOn} to move them elsewhere; do not
 *       block in them (that blocks the sender).
 * </ul>
 */
public final class ReactorChannels {

    private ReactorChannels() {}

    // ---- mpsc

    /**
     * A {@link Flux} of an mpsc receiver's messages (bounded or unbounded channel; tokio-stream's
     * {@code ReceiverStream}), built on {@link Mpsc.AbstractReceiver#asPublisher()}: at most the
     * requested number of messages, in channel order; every delivery frees the message's slot, so
     * waiting senders proceed (the channel's capacity is the backpressure).
     *
     * <ul>
     *   <li><b>Subscribers</b>: one at a time (the receiver has one consumer). A subscriber that
     *       arrives while another subscription is live, or while a {@code recv()} of yours is
     *       pending, gets {@code onError(IllegalStateException)}.
     *   <li><b>Terminal signals</b>: {@code onComplete} once every sender closed and every message
     *       was delivered; {@code onError(cause)} after {@code closeChannel(cause)}.
     * </ul>
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Cancelling (also through {@code take(n)} or {@code timeout}) closes the channel from
     *       the receiving side, as dropping tokio's {@code ReceiverStream} drops the receiver:
     *       later sends fail with {@link ClosedException}. It loses no message: a message leaves
     *       the channel only in the step that hands it to {@code onNext}, so whatever was not
     *       delivered stays readable with {@link Mpsc.AbstractReceiver#tryRecv()} (or by a new
     *       subscription of this Flux, which then drains it and completes). A Flux over {@code
     *       recv()} futures could not promise that: a message taken for a future whose cancel lost
     *       the race has no way back into the channel.
     *   <dt>Completion thread
     *   <dd>The requesting thread while messages are queued; after the channel was found empty, the
     *       thread that sends the next message or closes the channel.
     * </dl>
     *
     * @param receiver the receiver; this Flux takes over its consumer role while subscribed
     * @param <T> the message type
     * @return a Flux of the messages
     * @throws NullPointerException if {@code receiver} is null
     */
    public static <T> Flux<T> flux(Mpsc.AbstractReceiver<T> receiver) {
        Objects.requireNonNull(receiver, "receiver must not be null");
        return Flux.from(receiver.asPublisher());
    }

    /**
     * A {@code Mono} that sends {@code value} into a bounded mpsc channel, waiting for capacity
     * (tokio's {@code send}); completes empty once the value is in the channel.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>As {@link Mpsc.Sender#send(Object)}: cancelling (or a timeout) gives up the place in
     *       the queue of waiting senders and the value is not sent, unless capacity was granted
     *       first (then it is in the channel). To keep the value, send through a reserved permit.
     *   <dt>Errors
     *   <dd>{@code onError(ClosedException)} if the channel is or gets closed first (not sent);
     *       {@code onError(IllegalStateException)} if the sender handle was closed.
     *   <dt>Completion thread
     *   <dd>The subscribing thread if capacity is free, else the thread that frees it (usually the
     *       receiver's).
     * </dl>
     *
     * @param sender the sender
     * @param value the message
     * @param <T> the message type
     * @return a Mono that completes when the value was sent
     * @throws NullPointerException if an argument is null
     */
    public static <T> Mono<Void> send(Mpsc.Sender<T> sender, T value) {
        Objects.requireNonNull(sender, "sender must not be null");
        Objects.requireNonNull(value, "value must not be null");
        return FutureMono.of(() -> sender.send(value), null);
    }

    /**
     * A {@code Mono} that sends {@code value} into an unbounded mpsc channel (never waits).
     *
     * @param sender the sender
     * @param value the message
     * @param <T> the message type
     * @return a Mono that completes once the value was sent on the subscribing thread; {@code
     *     onError(ClosedException)} if the channel is closed
     * @throws NullPointerException if an argument is null
     */
    public static <T> Mono<Void> send(Mpsc.UnboundedSender<T> sender, T value) {
        Objects.requireNonNull(sender, "sender must not be null");
        Objects.requireNonNull(value, "value must not be null");
        return Mono.fromRunnable(() -> sender.send(value));
    }

    /**
     * Sends every element of {@code source} into a bounded mpsc channel, waiting for capacity
     * before asking the source for the next element: the source is requested one element at a time,
     * and only after the previous element is in the channel, so nothing is buffered outside the
     * channel and a full channel slows the source down.
     *
     * <p>Several {@code sendAll}s into one channel at once (from clones of one sender, or the same
     * sender) is the supported way to merge producers: each keeps its own order, the channel
     * interleaves them, and there is no {@code FAIL_NON_SERIALIZED}-style failure, as a Reactor
     * {@code Sinks.Many} gives under concurrent emission. The sender handle is not closed by this
     * operation (close it yourself when every producer is done, to end the receiver's stream).
     *
     * <dl>
     *   <dt>Terminal signals
     *   <dd>{@code onComplete} once the source completed and its last element is in the channel;
     *       {@code onError(e)} with the source's error, after the element in flight (if any) was
     *       sent; {@code onError(ClosedException)} if the channel closed: the source is cancelled
     *       and the element in flight is not sent.
     *   <dt>Cancellation
     *   <dd>Cancels the source and the send in flight: that element is not sent, unless capacity
     *       was granted to it first (then it is in the channel). Elements sent before stay sent.
     *   <dt>Completion thread
     *   <dd>The source's elements are sent on the thread that emits them; the next element is
     *       requested on the thread that freed capacity (usually the receiver's) when the channel
     *       was full. The terminal signal arrives on either.
     * </dl>
     *
     * @param sender the sender; stays open
     * @param source the elements to send; subscribed once per subscription of the returned Mono
     * @param <T> the message type
     * @return a Mono that completes when every element was sent
     * @throws NullPointerException if an argument is null
     */
    public static <T> Mono<Void> sendAll(Mpsc.Sender<T> sender, Publisher<? extends T> source) {
        Objects.requireNonNull(sender, "sender must not be null");
        Objects.requireNonNull(source, "source must not be null");
        return SendAllMono.of(sender, source);
    }

    // ---- broadcast

    /**
     * A {@link Flux} of a broadcast receiver's values, from its cursor on, built on {@link
     * Broadcast.Receiver#asPublisher(LagPolicy)}.
     *
     * <ul>
     *   <li><b>Subscribers</b>: one, once: the subscription takes this receiver over. A second
     *       subscription (also after the first ended) gets {@code onError(IllegalStateException)}.
     *       For a Flux that every subscriber can subscribe to, each from that moment, use {@link
     *       #flux(Broadcast.Sender, LagPolicy)}.
     *   <li><b>Lag</b>: under {@link LagPolicy#ERROR}, {@code onError(LaggedException)} with the
     *       exact number of missed values; under {@link LagPolicy#SKIP}, the Flux resumes at the
     *       oldest retained value.
     *   <li><b>Terminal signals</b>: {@code onComplete} once the channel closed and this receiver
     *       read everything; {@code onError(cause)} after {@code closeChannel(cause)}; {@code
     *       onError(IllegalStateException)} if the receiver handle is (or gets) closed.
     * </ul>
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Closes the receiver (it stops counting in {@code receiverCount()} and {@code len()}).
     *       Nothing is consumed for other receivers.
     *   <dt>Completion thread
     *   <dd>The requesting thread when values are there, otherwise the sending (or closing) thread.
     * </dl>
     *
     * @param receiver the receiver
     * @param policy what happens when the receiver lags
     * @param <T> the value type
     * @return a Flux of the values
     * @throws NullPointerException if an argument is null
     */
    public static <T> Flux<T> flux(Broadcast.Receiver<T> receiver, LagPolicy policy) {
        Objects.requireNonNull(receiver, "receiver must not be null");
        Objects.requireNonNull(policy, "policy must not be null");
        // defer: asPublisher throws on a closed handle, which must be an error signal.
        return Flux.defer(() -> Flux.from(receiver.asPublisher(policy)));
    }

    /**
     * A {@link Flux} of a broadcast channel's values where each subscription is a fresh receiver,
     * subscribed at that moment (it sees the values sent from then on), built on {@link
     * Broadcast.Sender#asPublisher(LagPolicy)}. Lag, terminal signals and completion thread as for
     * {@link #flux(Broadcast.Receiver, LagPolicy)}; cancelling closes that subscription's receiver.
     *
     * @param sender a sender of the channel (used only to subscribe)
     * @param policy what happens when a subscriber lags
     * @param <T> the value type
     * @return a Flux of the values, multicast
     * @throws NullPointerException if an argument is null
     */
    public static <T> Flux<T> flux(Broadcast.Sender<T> sender, LagPolicy policy) {
        Objects.requireNonNull(sender, "sender must not be null");
        Objects.requireNonNull(policy, "policy must not be null");
        return Flux.defer(() -> Flux.from(sender.asPublisher(policy)));
    }

    /**
     * A {@code Mono} that sends {@code value} to every current receiver of a broadcast channel
     * (never waits) and emits the number of receivers that will see it (tokio's {@code send}
     * returns that count too).
     *
     * @param sender the sender
     * @param value the value
     * @param <T> the value type
     * @return a Mono of the receiver count, on the subscribing thread; {@code
     *     onError(ClosedException)} if there are no receivers or the channel is closed
     * @throws NullPointerException if an argument is null
     */
    public static <T> Mono<Integer> send(Broadcast.Sender<T> sender, T value) {
        Objects.requireNonNull(sender, "sender must not be null");
        Objects.requireNonNull(value, "value must not be null");
        return Mono.fromCallable(() -> sender.send(value));
    }

    // ---- watch

    /**
     * A {@link Flux} of a watch channel's values, built on {@link Watch.Receiver#asPublisher()}:
     * each subscription is a clone of {@code receiver} and <em>first emits the current value</em>
     * (even one {@code receiver} has seen), as tokio-stream's {@code WatchStream::new} does, then
     * each newer value current at the time of delivery. Conflated: a slow subscriber skips
     * intermediate values, never queues a backlog.
     *
     * <ul>
     *   <li><b>Subscribers</b>: any number; {@code receiver} itself is not used and stays yours.
     *   <li><b>Terminal signals</b>: {@code onComplete} after the final value once every sender
     *       closed; after {@code closeChannel(cause)}, the final value then {@code onError(cause)};
     *       {@code onError(IllegalStateException)} if {@code receiver} was closed.
     * </ul>
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Closes that subscription's clone; nothing is consumed (watch values are not).
     *   <dt>Completion thread
     *   <dd>The requesting thread for the current value; later ones on the storing thread.
     * </dl>
     *
     * @param receiver the receiver to clone per subscription
     * @param <T> the value type
     * @return a Flux of the values
     * @throws NullPointerException if {@code receiver} is null
     */
    public static <T> Flux<T> flux(Watch.Receiver<T> receiver) {
        Objects.requireNonNull(receiver, "receiver must not be null");
        return Flux.from(receiver.asPublisher());
    }

    /**
     * A {@code Mono} that stores {@code value} in a watch channel (never waits).
     *
     * @param sender the sender
     * @param value the value
     * @param <T> the value type
     * @return a Mono that completes once stored, on the subscribing thread; {@code
     *     onError(ClosedException)} if no receiver exists or the channel is closed
     * @throws NullPointerException if an argument is null
     */
    public static <T> Mono<Void> send(Watch.Sender<T> sender, T value) {
        Objects.requireNonNull(sender, "sender must not be null");
        Objects.requireNonNull(value, "value must not be null");
        return Mono.fromRunnable(() -> sender.send(value));
    }

    /**
     * A {@code Mono} that completes when a value newer than the last one {@code receiver} saw is
     * stored, and marks it seen (tokio's {@code changed}); read it with {@code borrow()}.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Cancel-safe: withdraws the wait and marks nothing seen, so a later {@code changed}
     *       reports the same news; if the news won the race, it is marked seen.
     *   <dt>Errors
     *   <dd>{@code onError(ClosedException)} once the channel closed and the current value was
     *       seen; {@code onError(IllegalStateException)} if the handle was closed or another {@code
     *       changed}/{@code waitFor} of this receiver is pending.
     *   <dt>Completion thread
     *   <dd>The subscribing thread if there is news already, else the storing (or closing) thread.
     * </dl>
     *
     * @param receiver the receiver
     * @param <T> the value type
     * @return a Mono that completes on change
     * @throws NullPointerException if {@code receiver} is null
     */
    public static <T> Mono<Void> changed(Watch.Receiver<T> receiver) {
        Objects.requireNonNull(receiver, "receiver must not be null");
        return FutureMono.of(receiver::changed, null);
    }

    /**
     * A {@code Mono} of the first value (the current one included, even if seen) that satisfies
     * {@code predicate} (tokio's {@code wait_for}); the match is marked seen.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Cancel-safe, as {@link #changed(Watch.Receiver)}.
     *   <dt>Errors
     *   <dd>{@code onError(ClosedException)} if the channel closed with no match; the predicate's
     *       exception if it throws; {@code onError(IllegalStateException)} as for {@code changed}.
     *   <dt>Completion thread
     *   <dd>The subscribing thread if the current value matches, else the storing thread (which
     *       also runs the predicate).
     * </dl>
     *
     * @param receiver the receiver
     * @param predicate the condition
     * @param <T> the value type
     * @return a Mono of the matching value
     * @throws NullPointerException if an argument is null
     */
    public static <T> Mono<T> waitFor(Watch.Receiver<T> receiver, Predicate<? super T> predicate) {
        Objects.requireNonNull(receiver, "receiver must not be null");
        Objects.requireNonNull(predicate, "predicate must not be null");
        return FutureMono.of(() -> receiver.waitFor(predicate), null).map(Watch.Ref::get);
    }

    // ---- oneshot

    /**
     * A {@code Mono} of a oneshot channel's value, built on {@link Oneshot.Receiver#asPublisher()}
     * (not on {@code recv()}: a value taken for a {@code recv()} future whose cancel lost the race
     * could not go back into the channel).
     *
     * <ul>
     *   <li><b>Empty</b> when the sender closed without sending (or the receiver was closed
     *       directly before a value came). The same choice as {@link
     *       Oneshot.Receiver#asPublisher()} and RxJava's {@code Maybe}: a oneshot's "no value" is a
     *       normal outcome (tokio's {@code RecvError}), not a failure.
     *   <li><b>Error</b>: {@code onError(cause)} with the cause itself if the sender called {@code
     *       closeChannel(cause)}.
     *   <li><b>Subscribers</b>: one. The first subscription takes the receiver over for good; a
     *       later one gets {@code onError(IllegalStateException)}, as does a subscription that
     *       finds a {@code recv()} of yours pending or the value already received.
     * </ul>
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Cancelling (or a {@code timeout}) closes the receiver, so a later send fails with
     *       {@link ClosedException}, and loses nothing: the value leaves the channel only in the
     *       step that hands it to {@code onNext}; a value sent before the cancel and not delivered
     *       stays readable with {@link Oneshot.Receiver#tryRecv()}.
     *   <dt>Completion thread
     *   <dd>The requesting thread if the value is there, else the sending (or closing) thread.
     * </dl>
     *
     * @param receiver the receiver
     * @param <T> the value type
     * @return a Mono of the value
     * @throws NullPointerException if {@code receiver} is null
     */
    public static <T> Mono<T> mono(Oneshot.Receiver<T> receiver) {
        Objects.requireNonNull(receiver, "receiver must not be null");
        return Mono.fromDirect(receiver.asPublisher());
    }

    /**
     * A {@code Mono} that sends {@code value} through a oneshot sender (never waits); the sender is
     * consumed.
     *
     * @param sender the sender
     * @param value the value
     * @param <T> the value type
     * @return a Mono that completes once stored, on the subscribing thread; {@code
     *     onError(ClosedException)} if the receiver was closed, {@code
     *     onError(IllegalStateException)} if the sender already sent or was closed (so a second
     *     subscription fails)
     * @throws NullPointerException if an argument is null
     */
    public static <T> Mono<Void> send(Oneshot.Sender<T> sender, T value) {
        Objects.requireNonNull(sender, "sender must not be null");
        Objects.requireNonNull(value, "value must not be null");
        return Mono.fromRunnable(() -> sender.send(value));
    }
}
