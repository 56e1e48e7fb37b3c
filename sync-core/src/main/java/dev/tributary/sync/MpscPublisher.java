package dev.tributary.sync;

import dev.tributary.sync.internal.DrainSubscription;
import java.util.Objects;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * The Reactive Streams view of an Mpsc receiver ({@link Mpsc.AbstractReceiver#asPublisher()}):
 * unicast, at most the demand, completes when closed and drained, fails with the close cause,
 * cancel closes the receiver.
 *
 * @param <T> the element type
 */
final class MpscPublisher<T> implements Publisher<T> {

    /*
     * Implementation overview
     *
     * A subscription attaches a view-mode waiter (an MpscReceiveWaiter with a drain hook) to the
     * channel's receiver slot `rx` by CAS from null, and keeps it there until it ends; that is
     * what makes it the single consumer (a second subscription, or a recv(), finds the slot
     * taken). The waiter
     * never takes a message: a producer (or closer) that claims it only runs the subscription's
     * drain(). The messages are taken by the drain loop alone (DrainSubscription.emit on the
     * owner), each one handed to onNext in the same step, so there is no moment where a message
     * has left the channel without being delivered: cancelling cannot lose one.
     *
     * emit: poll while demand remains (MpscChan.pollView releases the permit at once); when the
     * channel is closed and idle (every permit back), detach and signal the end; when the channel
     * is empty, arm the waiter and re-check (MpscChan.armView, the Dekker pairing of MpscChan's
     * park: the arming is a sequentially consistent volatile write before the re-check's reads),
     * also without demand, so that the end of the stream needs no request. An armed waiter
     * claimed by a push or a close runs drain(); a claim that lost the race with a
     * re-check, or a stale one, only causes a spurious drain.
     *
     * Cancel (or a rejected request): detach first, then close the channel, so that once the
     * receiver reports closed the slot is free again for tryRecv.
     *
     * Guarded by MpscPublisherLincheckTest (model checking, cancellation included).
     */

    private final Mpsc.AbstractReceiver<T> receiver;

    MpscPublisher(Mpsc.AbstractReceiver<T> receiver) {
        this.receiver = receiver;
    }

    @Override
    public void subscribe(Subscriber<? super T> s) {
        Objects.requireNonNull(s, "subscriber (Reactive Streams rule 1.9)");
        ViewSubscription<T> sub = new ViewSubscription<>(s, receiver.chan);
        if (!receiver.chan.attachView(sub.op)) {
            DrainSubscription.reject(
                    s,
                    new IllegalStateException(
                            "Mpsc.Receiver.asPublisher() is unicast: this receiver already has"
                                    + " a live subscriber or a pending receive"));
            return;
        }
        sub.start();
    }

    @Override
    public String toString() {
        return "MpscPublisher[" + receiver + "]";
    }

    /** One subscription; see the implementation overview. */
    private static final class ViewSubscription<T> extends DrainSubscription<T>
            implements Runnable {
        private final MpscChan<T> chan;
        final MpscReceiveWaiter<T> op;

        ViewSubscription(Subscriber<? super T> actual, MpscChan<T> chan) {
            super(actual);
            this.chan = chan;
            this.op = new MpscReceiveWaiter<>(chan, this);
        }

        /** The waiter's hook: a push or close after the channel was found empty. */
        @Override
        public void run() {
            drain();
        }

        @Override
        protected long emit(Subscriber<? super T> a, long demand) {
            long e = 0;
            for (; ; ) {
                while (e != demand) {
                    if (isCancelled()) {
                        return e;
                    }
                    T v = chan.pollView();
                    if (v == null) {
                        break;
                    }
                    e++;
                    a.onNext(v); // a throw is rule 2.13: DrainSubscription cancels and reports it
                }
                if (chan.isClosedAndIdle()) { // nothing queued, nothing can be sent any more
                    chan.detachView(op);
                    Throwable cause = chan.cause();
                    if (cause == null) {
                        complete(a);
                    } else {
                        fail(a, cause);
                    }
                    return e;
                }
                if (e == demand) {
                    // No demand: messages wait for request(). But if none is queued, arm anyway,
                    // so that the end of the stream is signalled without demand (rule 1.5): a
                    // close, or the last permit coming back, runs drain(); a push only causes one
                    // spurious turn (it finds a message and does not arm again).
                    if (chan.readyAtHead() || !chan.armView(op)) {
                        return e;
                    }
                } else if (!chan.armView(op)) {
                    return e; // the armed waiter runs drain() again
                }
                // Something arrived between the poll and the arming: go round.
            }
        }

        @Override
        protected void cancelled() {
            chan.detachView(op); // first: once the channel reports closed, tryRecv works
            chan.close(null);
        }
    }
}
