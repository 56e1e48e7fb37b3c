package dev.tributary.sync;

import dev.tributary.sync.internal.DrainSubscription;
import dev.tributary.sync.internal.Trampoline;
import java.util.Objects;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * The Reactive Streams view of a {@link Oneshot.Receiver}: {@link Oneshot.Receiver#asPublisher()}.
 * A stream of zero or one element, unicast.
 *
 * <p>Implementation overview. The subscription is a {@link DrainSubscription}; its {@code emit}
 * step classifies the channel state ({@code OneshotCore.observe()}) and, when the value is there
 * and demand is outstanding, takes it with {@code tryRecv()} and hands it to {@code onNext} in the
 * same step. It never uses a consuming {@code recv()} future: when the channel is still idle it
 * registers a non-consuming wake-up ({@code OneshotCore.viewWake}, a {@link Trampoline.Task} that
 * only calls {@code drain()}), then re-reads the state (the Dekker pair of OneshotCore's overview:
 * volatile on both sides), and the sender's {@code send}/{@code close} (or a receiver close) runs
 * the wake-up after its state change. So the value leaves the channel only on the drain owner,
 * immediately before {@code onNext}: a cancel either comes before the take (the value stays in the
 * channel, readable through the receiver) or races an {@code onNext} already under way (rule 1.8
 * allows that one signal). Nothing is ever held by the view and then dropped. Guarded by {@code
 * OneshotPublisherLincheckTest} (model checking, cancellation included).
 *
 * <p>Unicast is per receiver: the first subscription gets the receiver ({@code
 * OneshotCore.viewSubscribed}, CAS), later ones get {@code onSubscribe} then {@code
 * onError(IllegalStateException)}.
 *
 * @param <T> the type of the value
 */
final class OneshotPublisher<T> implements Publisher<T> {

    private final Oneshot.Receiver<T> receiver;

    OneshotPublisher(Oneshot.Receiver<T> receiver) {
        this.receiver = receiver;
    }

    @Override
    public void subscribe(Subscriber<? super T> s) {
        Objects.requireNonNull(s, "subscriber must not be null (Reactive Streams rule 1.9)");
        if (!receiver.core.subscribeView()) {
            DrainSubscription.reject(
                    s,
                    new IllegalStateException(
                            "Oneshot.Receiver.asPublisher() allows one subscriber (a oneshot value is"
                                    + " received once) but this receiver already had one"));
            return;
        }
        new OneshotSubscription<>(s, receiver).start();
    }

    @Override
    public String toString() {
        return "Oneshot.Receiver.asPublisher()" + receiver.core.describe();
    }

    /** One subscription: the view owns the receiver from {@code subscribe} on. */
    static final class OneshotSubscription<T> extends DrainSubscription<T> {
        private final Oneshot.Receiver<T> receiver;
        private final Wake wake = new Wake(this);

        OneshotSubscription(Subscriber<? super T> actual, Oneshot.Receiver<T> receiver) {
            super(actual);
            this.receiver = receiver;
        }

        @Override
        protected long emit(Subscriber<? super T> a, long demand) {
            OneshotCore<T> core = receiver.core;
            boolean registered = false;
            for (; ; ) {
                int c = core.observe();
                switch (c) {
                    case OneshotCore.READY:
                        if (demand == 0) {
                            return 0; // the next request drains again
                        }
                        T v;
                        try {
                            v = core.tryRecv();
                        } catch (RuntimeException e) {
                            continue; // the state moved under us: classify again
                        }
                        if (v == null) {
                            continue;
                        }
                        // Taken: deliver in the same step, so a value is never taken and dropped.
                        a.onNext(v);
                        if (!isCancelled()) {
                            closeReceiver(); // nothing left to receive; Sender.closed() fires
                            complete(a);
                        } // else cancelled() closes the receiver next round
                        return 1;
                    case OneshotCore.IDLE:
                        if (registered) {
                            return 0; // the wake-up is in place and the state was re-read
                        }
                        core.registerViewWake(wake); // volatile; then re-read state (Dekker)
                        registered = true;
                        continue;
                    case OneshotCore.TERMINATED_TX_CLOSED:
                        {
                            Throwable cause = core.cause; // read after SENT (acquire)
                            closeReceiver();
                            if (cause != null) {
                                fail(a, cause);
                            } else {
                                complete(a);
                            }
                            return 0;
                        }
                    case OneshotCore.TERMINATED_RX_CLOSED:
                        // The receiver was closed directly (not by this view) before a value came:
                        // nothing will ever arrive.
                        closeReceiver();
                        complete(a);
                        return 0;
                    case OneshotCore.TERMINATED_TAKEN:
                        closeReceiver();
                        fail(
                                a,
                                new IllegalStateException(
                                        "Oneshot.Receiver.asPublisher() requires that the value is"
                                                + " received only through the view, but it was"
                                                + " received directly from the receiver"));
                        return 0;
                    default: // PENDING, PENDING_IN_FLIGHT
                        // A recv()/blockingRecv() of the user is pending on the receiver: the view
                        // cannot replace it; leave that receive alone.
                        core.clearViewWake(wake);
                        fail(
                                a,
                                new IllegalStateException(
                                        "Oneshot.Receiver.asPublisher() requires no pending receive"
                                                + " on the receiver (single consumer) but one was"
                                                + " pending"));
                        return 0;
                }
            }
        }

        @Override
        protected void cancelled() {
            // A value not delivered stays in the channel (a value sent before the receiver
            // closes stays readable through it).
            closeReceiver();
        }

        /** Withdraws the wake-up (rule 3.13), then closes the receiver. */
        private void closeReceiver() {
            receiver.core.clearViewWake(wake);
            receiver.close();
        }
    }

    /** The non-consuming wake-up: drains the subscription. */
    static final class Wake extends Trampoline.Task {
        private final DrainSubscription<?> subscription;

        Wake(DrainSubscription<?> subscription) {
            this.subscription = subscription;
        }

        @Override
        protected void runTask() {
            try {
                subscription.drain();
            } catch (RuntimeException e) {
                // Rule 2.13: a subscriber that throws is broken; the sender that runs this
                // wake-up must not see its exception. The channel state is already settled.
            }
        }
    }
}
