package dev.tributary.sync;

import dev.tributary.sync.internal.DrainSubscription;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * The Reactive Streams views of a watch channel: {@link Watch.Sender#asPublisher()} (each
 * subscription a fresh receiver, {@code sender.subscribe()}) and {@link
 * Watch.Receiver#asPublisher()} (each subscription a clone of that receiver). Multicast, conflated.
 *
 * <p>Implementation overview. Each subscription owns one {@link Watch.Receiver} and is a {@link
 * DrainSubscription}. Its {@code emit} step reads the channel's snapshot (value, version, closed
 * flag and cause in one acquire read) and delivers the value if its version differs from {@code
 * delivered}, the version this subscription delivered last (or if nothing was delivered yet: the
 * current value comes first). Versions only grow, so a subscription delivers strictly newer values,
 * never a backlog: a value stored while demand was zero is overwritten by the next one. With
 * nothing new and the channel closed, it closes its receiver and signals {@code onComplete}, or
 * {@code onError(cause)} after {@code closeChannel(cause)}; the final value is therefore always
 * delivered first. With nothing new and the channel open, it registers one {@code changed()}-style
 * wait ({@code Receiver.awaitNot}) whose completion calls {@code drain()}; at most one is pending
 * per subscription, and cancelling (or the terminal signal) closes the receiver, which cancels it
 * and unlinks it from the channel.
 *
 * <p>Allocation: delivering a value allocates nothing (no {@link Watch.Ref}). Only a subscription
 * that has caught up and must wait pays for one wait: a waiter, its future and one dependent stage
 * (three small objects), as a pending {@link Watch.Receiver#changed()} with a callback would.
 *
 * <p>The fields below {@code receiver} are confined to the drain owner (the base class gives
 * consecutive owners a happens-before edge).
 *
 * @param <T> the type of the values
 */
final class WatchPublisher<T> implements Publisher<T> {

    /** Exactly one of these is set. */
    private final Watch.Sender<T> sender;

    private final Watch.Receiver<T> source;

    private WatchPublisher(Watch.Sender<T> sender, Watch.Receiver<T> source) {
        this.sender = sender;
        this.source = source;
    }

    static <T> WatchPublisher<T> ofSender(Watch.Sender<T> sender) {
        return new WatchPublisher<>(sender, null);
    }

    static <T> WatchPublisher<T> ofReceiver(Watch.Receiver<T> receiver) {
        return new WatchPublisher<>(null, receiver);
    }

    @Override
    public void subscribe(Subscriber<? super T> s) {
        Objects.requireNonNull(s, "subscriber must not be null (Reactive Streams rule 1.9)");
        Watch.Receiver<T> rx;
        try {
            rx = sender != null ? sender.subscribe() : source.clone();
        } catch (IllegalStateException e) {
            DrainSubscription.reject(
                    s,
                    new IllegalStateException(
                            (sender != null ? "Watch.Sender" : "Watch.Receiver")
                                    + ".asPublisher() requires an open handle to subscribe but the"
                                    + " handle was closed",
                            e));
            return;
        }
        new WatchSubscription<>(s, rx).start();
    }

    @Override
    public String toString() {
        return (sender != null ? sender : source) + ".asPublisher()";
    }

    /** One subscription and the receiver it owns. */
    static final class WatchSubscription<T> extends DrainSubscription<T>
            implements BiConsumer<Object, Throwable> {
        private final Watch.Receiver<T> receiver;

        /** Whether the first (current) value was delivered. Drain owner only. */
        private boolean started;

        /** The version delivered last. Drain owner only. */
        private long delivered;

        /** The pending wait, or null. Drain owner only. */
        private CompletableFuture<Void> wait;

        WatchSubscription(Subscriber<? super T> actual, Watch.Receiver<T> receiver) {
            super(actual);
            this.receiver = receiver;
        }

        @Override
        protected long emit(Subscriber<? super T> a, long demand) {
            long e = 0;
            for (; ; ) {
                WatchShared.Snapshot<T> s = receiver.snapshot(); // acquire
                if (!started || s.version() != delivered) {
                    if (e == demand) {
                        return e; // conflated: the next request delivers whatever is newest then
                    }
                    started = true;
                    delivered = s.version();
                    e++;
                    a.onNext(s.value);
                    if (isCancelled()) {
                        return e;
                    }
                    continue;
                }
                if (s.isClosed()) {
                    release();
                    if (s.cause != null) {
                        fail(a, s.cause);
                    } else {
                        complete(a);
                    }
                    return e;
                }
                CompletableFuture<Void> w = wait;
                if (w != null) {
                    if (!w.isDone()) {
                        return e; // a wait is pending; its completion drains again
                    }
                    wait = null;
                }
                w = receiver.awaitNot(delivered);
                if (w == null) {
                    continue; // changed or closed since the read above
                }
                wait = w;
                w.whenComplete(this); // -> accept -> drain()
                return e;
            }
        }

        /** The wait completed (news, close, or cancelled by our own close): drain again. */
        @Override
        public void accept(Object ignored, Throwable error) {
            drain();
        }

        @Override
        protected void cancelled() {
            release();
        }

        /** Closes the receiver: cancels a pending wait and drops this subscription's count. */
        private void release() {
            wait = null;
            receiver.close();
        }
    }
}
