package dev.tributary.sync;

import dev.tributary.sync.internal.UpstreamSubscriber;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Subscription;

/**
 * The Reactive Streams subscriber view of an Mpsc sender handle ({@link
 * Mpsc.Sender#asSubscriber()}, {@link Mpsc.UnboundedSender#asSubscriber()}): sends what upstream
 * emits, requesting only what the channel can take. One subclass per capacity strategy: {@link
 * Bounded} reserves a slot for every element it requests, {@link Unbounded} requests everything.
 *
 * @param <T> the element type
 */
abstract class MpscSubscriber<T> extends UpstreamSubscriber<T> {

    /*
     * Implementation overview
     *
     * Bounded channels (MpscSubscriber.Bounded). Demand is backed by reserved slots: `outstanding` counts the slots the
     * view holds for elements it requested and has not received yet. A slot (a permit) is taken
     * from the channel's capacity before the element is requested (forgetPermits: "take up to n
     * free permits now"; it returns 0 while senders queue, so it never barges), and onNext spends
     * one
     * (CAS outstanding down, then push: the slot is already ours, so the push cannot wait or
     * fail). The receiver returns the slot when it takes the message, as for any permit.
     *
     * Refill, serialized by the counter `wip` (so the request calls are serial, rule 2.7, and a
     * request that makes upstream emit synchronously does not recurse into another refill): when
     * outstanding <= window / 2, take what is free up to the window and request that many; when
     * outstanding is 0 and nothing is free, wait in the semaphore's FIFO queue for
     * max(1, window / 2) slots (one future per batch); its grant is added to `grantedPermits` and
     * turned into a request by the next refill turn.
     *
     * Teardown (receiver closed, rule violation, onComplete, onError): outstanding is swapped to
     * DEAD and whatever it held is released; the pending acquisition is cancelled (a grant that
     * wins the race finds DEAD and is released too). An onNext that decremented outstanding just
     * before the swap pushes into its slot (a permit survives close, as Mpsc.Permit#send); one
     * that comes after finds DEAD and drops its element. Every slot is therefore either pushed
     * into or released exactly once.
     *
     * Unbounded channels (MpscSubscriber.Unbounded): request Long.MAX_VALUE once; onNext sends; a
     * closed channel cancels.
     *
     * This base holds what both share: the watch on the channel's closing, the terminal flag
     * `done` (one teardown, whichever signal comes first) and the closing of the sender handle.
     *
     * Access modes. One pair needs sequential consistency, a Dekker pattern: refill publishes the
     * pending acquisition (volatile write of `acquisition`) and then re-reads `outstanding`, while
     * teardown swaps `outstanding` to DEAD (getAndSet) and then reads `acquisition`; with both
     * sides volatile, at least one of them cancels the acquisition. The counters (`outstanding`,
     * `grantedPermits`, `wip`, `done`) are CAS / fetch-and-add words, where acquire/release is
     * enough: `wip` hands the refill turn from one thread to the next with what it wrote.
     */

    final MpscChan<T> chan;
    private final Runnable closeHandle;

    private volatile int done;
    private volatile CompletableFuture<Void> closedWatch;

    MpscSubscriber(MpscChan<T> chan, Runnable closeHandle) {
        this.chan = chan;
        this.closeHandle = closeHandle;
    }

    @Override
    protected final void subscribed(Subscription s) {
        CompletableFuture<Void> w = chan.closed();
        closedWatch = w;
        w.whenComplete((v, ex) -> channelClosed());
        if (done != 0) {
            return; // closed already: upstream was cancelled
        }
        start();
    }

    /** Makes the first request, once subscribed and not yet torn down. */
    abstract void start();

    /** Gives back whatever the view holds for elements not received yet (teardown). */
    abstract void releaseReserved();

    /** True once the view is torn down. */
    final boolean isDone() {
        return done != 0;
    }

    @Override
    protected final void failed(Throwable error) {
        if (DONE.compareAndSet(this, 0, 1)) {
            teardown();
            chan.close(error);
            closeHandle.run();
        }
    }

    @Override
    protected final void completed() {
        if (DONE.compareAndSet(this, 0, 1)) {
            teardown(); // slots back first: closing the last handle may end the stream
            closeHandle.run();
        }
    }

    /** The channel closed (receiver, closeChannel): stop upstream, give the slots back. */
    final void channelClosed() {
        if (DONE.compareAndSet(this, 0, 1)) {
            cancelUpstream();
            teardown();
            closeHandle.run();
        }
    }

    /** Rule 1.1 broken: more onNext than requested. */
    final void overflow() {
        if (DONE.compareAndSet(this, 0, 1)) {
            cancelUpstream();
            teardown();
            chan.close(
                    new IllegalStateException(
                            "Reactive Streams rule 1.1 violated: the upstream publisher signalled"
                                    + " onNext without outstanding demand to the"
                                    + " Mpsc.Sender.asSubscriber() view; the element was dropped,"
                                    + " upstream cancelled and the channel closed"));
            closeHandle.run();
        }
    }

    private void teardown() {
        CompletableFuture<Void> w = closedWatch;
        if (w != null) {
            w.cancel(false); // withdraw it (a no-op if the channel closed)
        }
        releaseReserved();
    }

    /**
     * The view of a bounded channel's sender: every requested element has a reserved slot.
     *
     * @param <T> the element type
     */
    static final class Bounded<T> extends MpscSubscriber<T> {
        /** The most slots the view keeps reserved. */
        static final int MAX_WINDOW = 256;

        private static final int DEAD = Integer.MIN_VALUE;

        private final int window;
        private final int refillAt;
        private final int batch;

        /** Reserved and requested, not received; DEAD after teardown. */
        private volatile int outstanding;

        /** Slots granted by the async acquisition, not yet requested. */
        private volatile int grantedPermits;

        private volatile int wip;
        private volatile boolean acquiring;
        private volatile CompletableFuture<Boolean> acquisition;

        Bounded(MpscChan<T> chan, Runnable closeHandle) {
            super(chan, closeHandle);
            this.window = Math.min(chan.maxCapacity(), MAX_WINDOW);
            this.refillAt = window / 2;
            this.batch = Math.max(1, window / 2);
        }

        @Override
        void start() {
            refill();
        }

        @Override
        protected void next(T item) {
            int o;
            do {
                o = outstanding;
                if (o < 0) {
                    return; // torn down: dropped
                }
                if (o == 0) {
                    overflow();
                    return;
                }
            } while (!OUTSTANDING.compareAndSet(this, o, o - 1));
            chan.pushAndWake(item); // into the slot reserved for it: cannot wait or fail
            if (o - 1 <= refillAt) {
                refill();
            }
        }

        @Override
        void releaseReserved() {
            int o = (int) OUTSTANDING.getAndSet(this, DEAD);
            if (o > 0) {
                chan.release(o);
            }
            CompletableFuture<Boolean> f = acquisition;
            if (f != null) {
                f.cancel(false); // a grant in the race is handed back by the semaphore or onGrant
            }
            refill(); // releases what was granted but not yet requested
        }

        /** Adds {@code n} to outstanding unless torn down. */
        private boolean addOutstanding(int n) {
            for (; ; ) {
                int o = outstanding;
                if (o < 0) {
                    return false;
                }
                if (OUTSTANDING.compareAndSet(this, o, o + n)) {
                    return true;
                }
            }
        }

        private void onGrant(Boolean ok, Throwable ex) {
            acquisition = null;
            if (ex == null) {
                GRANTED_PERMITS.getAndAdd(this, batch);
            }
            acquiring = false;
            refill();
        }

        /** Reserves free slots and requests them; see the implementation overview. */
        private void refill() {
            if ((int) WIP.getAndAdd(this, 1) != 0) {
                return;
            }
            int missed = 1;
            for (; ; ) {
                int g = (int) GRANTED_PERMITS.getAndSet(this, 0);
                if (g > 0) {
                    if (addOutstanding(g)) {
                        requestUpstream(g);
                    } else {
                        chan.release(g);
                    }
                }
                int o = outstanding;
                if (o >= 0 && o <= refillAt && !acquiring && !chan.isClosed()) {
                    // no barging: forgetPermits returns 0 while senders wait
                    int got = chan.capacity.forgetPermits(window - o);
                    if (got > 0) {
                        if (addOutstanding(got)) {
                            requestUpstream(got);
                        } else {
                            chan.release(got);
                        }
                    } else if (o == 0) {
                        acquiring = true;
                        CompletableFuture<Boolean> f =
                                chan.capacity.acquire(batch, MpscCapacity.BARE_GRANT);
                        acquisition = f;
                        f.whenComplete(this::onGrant); // may run inline: then it only marks missed
                        if (outstanding < 0) {
                            f.cancel(false); // torn down meanwhile (Dekker with teardown)
                        }
                    }
                }
                missed = (int) WIP.getAndAdd(this, -missed) - missed;
                if (missed == 0) {
                    return;
                }
            }
        }

        @Override
        public String toString() {
            return "MpscSubscriber.Bounded[" + chan + ", outstanding=" + outstanding + "]";
        }

        // VarHandle mechanics
        private static final VarHandle OUTSTANDING;
        private static final VarHandle GRANTED_PERMITS;
        private static final VarHandle WIP;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                OUTSTANDING = l.findVarHandle(Bounded.class, "outstanding", int.class);
                GRANTED_PERMITS = l.findVarHandle(Bounded.class, "grantedPermits", int.class);
                WIP = l.findVarHandle(Bounded.class, "wip", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /**
     * The view of an unbounded channel's sender: requests everything, and each element is sent at
     * once (an unbounded channel always has room).
     *
     * @param <T> the element type
     */
    static final class Unbounded<T> extends MpscSubscriber<T> {
        Unbounded(MpscChan<T> chan, Runnable closeHandle) {
            super(chan, closeHandle);
        }

        @Override
        void start() {
            requestUpstream(Long.MAX_VALUE);
        }

        @Override
        protected void next(T item) {
            if (isDone()) {
                return;
            }
            try {
                chan.trySend(item); // an unbounded channel always has a free permit
            } catch (ClosedException closed) {
                channelClosed(); // dropped: the receiver is gone
            }
        }

        @Override
        void releaseReserved() {
            // nothing is reserved
        }

        @Override
        public String toString() {
            return "MpscSubscriber.Unbounded[" + chan + "]";
        }
    }

    // VarHandle mechanics
    private static final VarHandle DONE;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(MpscSubscriber.class, "done", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
