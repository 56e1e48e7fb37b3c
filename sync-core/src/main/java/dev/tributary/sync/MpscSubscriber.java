package dev.tributary.sync;

import dev.tributary.sync.internal.UpstreamSubscriber;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Subscription;

/**
 * The Reactive Streams subscriber view of an Mpsc sender handle ({@link
 * Mpsc.Sender#asSubscriber()}, {@link Mpsc.UnboundedSender#asSubscriber()}): sends what upstream
 * emits, requesting only what the channel can take.
 *
 * @param <T> the element type
 */
final class MpscSubscriber<T> extends UpstreamSubscriber<T> {

    /*
     * Implementation overview
     *
     * Bounded channels. Demand is backed by reserved slots: `outstanding` counts the slots the
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
     * Unbounded channels (`bounded` false: the capacity is MpscCapacity.Unbounded): request
     * Long.MAX_VALUE once; onNext sends; a closed channel cancels.
     *
     * Access modes. One pair needs sequential consistency, a Dekker pattern: refill publishes the
     * pending acquisition (volatile write of `acquisition`) and then re-reads `outstanding`, while
     * teardown swaps `outstanding` to DEAD (getAndSet) and then reads `acquisition`; with both
     * sides volatile, at least one of them cancels the acquisition. The counters (`outstanding`,
     * `grantedPermits`, `wip`, `done`) are CAS / fetch-and-add words, where acquire/release is
     * enough: `wip` hands the refill turn from one thread to the next with what it wrote.
     */

    /** The most slots the view keeps reserved. */
    static final int MAX_WINDOW = 256;

    private static final int DEAD = Integer.MIN_VALUE;

    private final MpscChan<T> chan;
    private final Runnable closeHandle;

    /** False for an unbounded channel: request everything, send without reserving. */
    private final boolean bounded;

    private final int window;
    private final int refillAt;
    private final int batch;

    /** Reserved and requested, not received; DEAD after teardown. */
    private volatile int outstanding;

    /** Slots granted by the async acquisition, not yet requested. */
    private volatile int grantedPermits;

    private volatile int wip;
    private volatile int done;
    private volatile boolean acquiring;
    private volatile CompletableFuture<Boolean> acquisition;
    private volatile CompletableFuture<Void> closedWatch;

    MpscSubscriber(MpscChan<T> chan, Runnable closeHandle) {
        this.chan = chan;
        this.closeHandle = closeHandle;
        this.bounded = !(chan.capacity instanceof MpscCapacity.Unbounded);
        this.window = bounded ? Math.min(chan.maxCapacity(), MAX_WINDOW) : 0;
        this.refillAt = window / 2;
        this.batch = Math.max(1, window / 2);
    }

    @Override
    protected void subscribed(Subscription s) {
        CompletableFuture<Void> w = chan.closed();
        closedWatch = w;
        w.whenComplete((v, ex) -> channelClosed());
        if (done != 0) {
            return; // closed already: upstream was cancelled
        }
        if (!bounded) {
            requestUpstream(Long.MAX_VALUE);
        } else {
            refill();
        }
    }

    @Override
    protected void next(T item) {
        if (!bounded) {
            if (done != 0) {
                return;
            }
            try {
                chan.trySend(item); // an unbounded channel always has a free permit
            } catch (ClosedException closed) {
                channelClosed(); // dropped: the receiver is gone
            }
            return;
        }
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
    protected void failed(Throwable error) {
        if (DONE.compareAndSet(this, 0, 1)) {
            teardown();
            chan.close(error);
            closeHandle.run();
        }
    }

    @Override
    protected void completed() {
        if (DONE.compareAndSet(this, 0, 1)) {
            teardown(); // slots back first: closing the last handle may end the stream
            closeHandle.run();
        }
    }

    /** The channel closed (receiver, closeChannel): stop upstream, give the slots back. */
    private void channelClosed() {
        if (DONE.compareAndSet(this, 0, 1)) {
            cancelUpstream();
            teardown();
            closeHandle.run();
        }
    }

    /** Rule 1.1 broken: more onNext than requested. */
    private void overflow() {
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
        if (!bounded) {
            return;
        }
        int o = (int) OUTSTANDING.getAndSet(this, DEAD);
        if (o > 0) {
            chan.release(o);
        }
        CompletableFuture<Boolean> f = acquisition;
        if (f != null) {
            f.cancel(false); // a grant in the race is handed back by the semaphore or by onGrant
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
                int got =
                        chan.capacity.forgetPermits(window - o); // no barging: 0 while senders wait
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
        return "MpscSubscriber[" + chan + ", outstanding=" + outstanding + "]";
    }

    // VarHandle mechanics
    private static final VarHandle OUTSTANDING;
    private static final VarHandle GRANTED_PERMITS;
    private static final VarHandle WIP;
    private static final VarHandle DONE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            OUTSTANDING = l.findVarHandle(MpscSubscriber.class, "outstanding", int.class);
            GRANTED_PERMITS = l.findVarHandle(MpscSubscriber.class, "grantedPermits", int.class);
            WIP = l.findVarHandle(MpscSubscriber.class, "wip", int.class);
            DONE = l.findVarHandle(MpscSubscriber.class, "done", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
