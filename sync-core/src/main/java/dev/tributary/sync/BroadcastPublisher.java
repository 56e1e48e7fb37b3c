package dev.tributary.sync;

import dev.tributary.sync.internal.DrainSubscription;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * The publisher views of a {@link Broadcast} channel: {@link Broadcast.Sender#asPublisher} (one
 * fresh receiver per subscriber, multicast) and {@link Broadcast.Receiver#asPublisher} (one given
 * receiver, unicast).
 *
 * <p>Each subscription owns one receiver and drains it in {@link DrainSubscription#emit}: it polls
 * with {@link Broadcast.Receiver#tryRecv()} while it has demand (no allocation per element), and
 * when the channel is empty it registers a wake-up with {@link Broadcast.Receiver#whenReadable()},
 * which consumes nothing: it only says "position q is ready", and the drain loop, woken, polls
 * again. So a cancelled or superseded wake-up never holds a value, and cancellation needs no
 * hand-back: the subscription closes its receiver, which also withdraws the wake-up.
 *
 * @param <T> the element type
 */
final class BroadcastPublisher<T> implements Publisher<T> {

    /** Creates the receiver of a new subscription; throws if it cannot. */
    private final Supplier<Broadcast.Receiver<T>> source;

    private final LagPolicy policy;
    private final LongConsumer onLag;

    private BroadcastPublisher(
            Supplier<Broadcast.Receiver<T>> source, LagPolicy policy, LongConsumer onLag) {
        this.source = source;
        this.policy = policy;
        this.onLag = onLag;
    }

    /** A view that subscribes a fresh receiver from {@code subscribe} for each subscriber. */
    static <T> Publisher<T> multicast(
            Supplier<Broadcast.Receiver<T>> subscribe, LagPolicy policy, LongConsumer onLag) {
        return new BroadcastPublisher<>(subscribe, policy, onLag);
    }

    /** A view that hands {@code receiver} to its first subscriber and rejects any other. */
    static <T> Publisher<T> unicast(
            Broadcast.Receiver<T> receiver, LagPolicy policy, LongConsumer onLag) {
        AtomicBoolean taken = new AtomicBoolean();
        return new BroadcastPublisher<>(
                () -> {
                    if (!taken.compareAndSet(false, true)) {
                        throw new IllegalStateException(
                                "Broadcast.Receiver.asPublisher() is unicast: it already had a"
                                        + " subscriber (use Broadcast.Sender.asPublisher() for one"
                                        + " receiver per subscriber)");
                    }
                    return receiver;
                },
                policy,
                onLag);
    }

    @Override
    public void subscribe(Subscriber<? super T> s) {
        Objects.requireNonNull(s, "subscriber must not be null (Reactive Streams rule 1.9)");
        Broadcast.Receiver<T> rx;
        try {
            rx = source.get(); // now: the subscriber sees every value sent from here on
        } catch (RuntimeException e) {
            DrainSubscription.reject(s, e);
            return;
        }
        new BroadcastSubscription<>(s, rx, policy, onLag).start();
    }

    /**
     * One subscriber's drain of one receiver. The receiver is touched only on the drain owner
     * (DrainSubscription's work-in-progress counter serializes emit and cancelled, with
     * happens-before between owners), so its single-consumer guard never trips.
     */
    static final class BroadcastSubscription<T> extends DrainSubscription<T>
            implements BiConsumer<Boolean, Throwable> {

        private final Broadcast.Receiver<T> receiver;
        private final LagPolicy policy;
        private final LongConsumer onLag;

        /** The wake-up whose completion calls drain(); owner-confined. */
        private CompletableFuture<Boolean> wakeUp;

        BroadcastSubscription(
                Subscriber<? super T> actual,
                Broadcast.Receiver<T> receiver,
                LagPolicy policy,
                LongConsumer onLag) {
            super(actual);
            this.receiver = receiver;
            this.policy = policy;
            this.onLag = onLag;
        }

        @Override
        protected long emit(Subscriber<? super T> a, long demand) {
            long emitted = 0;
            try {
                for (; ; ) {
                    if (isCancelled()) {
                        return emitted; // the owner's next round calls cancelled()
                    }
                    if (emitted == demand) {
                        // No demand: only a terminal signal may go out, and only when nothing is
                        // left before it; values (and lags) wait for the next request. Closed is
                        // read before empty: nothing is sent after the close, so closed-then-empty
                        // means drained; in the other order a send and the close between the two
                        // reads made the tryRecv below deliver beyond the demand
                        // (BroadcastPublisherLincheckTest found it).
                        boolean closed = receiver.isClosed();
                        if (!receiver.isEmpty()) {
                            return emitted;
                        }
                        if (!closed) {
                            if (awaitReadable()) {
                                return emitted;
                            }
                            continue;
                        }
                        // closed, then found drained: tryRecv reports the end
                    }
                    T v;
                    try {
                        v = receiver.tryRecv();
                    } catch (LaggedException lag) {
                        if (policy == LagPolicy.ERROR) {
                            terminate(a, lag);
                            return emitted;
                        }
                        if (onLag != null) {
                            try {
                                onLag.accept(lag.missed());
                            } catch (Throwable t) {
                                terminate(a, t); // documented: a throwing onLag ends it
                                return emitted;
                            }
                        }
                        continue; // the cursor is at the oldest retained value
                    } catch (ClosedException end) {
                        Throwable cause = end.getCause(); // null: closed without a cause
                        receiver.close();
                        wakeUp = null;
                        if (cause == null) {
                            complete(a);
                        } else {
                            fail(a, cause);
                        }
                        return emitted;
                    }
                    if (v == null) {
                        if (awaitReadable()) {
                            return emitted;
                        }
                        continue;
                    }
                    emitted++;
                    a.onNext(v); // a throw is rule 2.13: DrainSubscription cancels and reports it
                }
            } catch (IllegalStateException closedFromOutside) {
                // Only the receiver view: its receiver was closed (or received from) by the user.
                terminate(a, closedFromOutside);
                return emitted;
            }
        }

        /**
         * Makes sure drain() runs once the receiver is readable.
         *
         * @return true if a wake-up is pending; false if the receiver is readable now (poll again)
         */
        private boolean awaitReadable() {
            CompletableFuture<Boolean> h = receiver.whenReadable();
            if (h == null) {
                return false;
            }
            if (h != wakeUp) {
                wakeUp = h;
                h.whenComplete(this); // completed or cancelled: drain() (inline if done already)
            }
            return true;
        }

        /** The wake-up fired (or was withdrawn): go round the drain loop. */
        @Override
        public void accept(Boolean ready, Throwable withdrawn) {
            drain();
        }

        private void terminate(Subscriber<? super T> a, Throwable error) {
            receiver.close();
            wakeUp = null;
            fail(a, error);
        }

        @Override
        protected void cancelled() {
            receiver.close(); // withdraws the wake-up too: nothing stays linked for us
            wakeUp = null;
        }
    }
}
