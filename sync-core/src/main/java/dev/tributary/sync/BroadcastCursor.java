package dev.tributary.sync;

import static dev.tributary.sync.BroadcastShared.EMPTY;
import static dev.tributary.sync.BroadcastShared.END;
import static dev.tributary.sync.BroadcastShared.add;
import static dev.tributary.sync.BroadcastShared.dist;
import static dev.tributary.sync.BroadcastShared.pos;

import dev.tributary.sync.internal.Spin;
import dev.tributary.sync.internal.StackSafeFuture;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One {@link Broadcast.Receiver}'s cursor and its receive operations: the single-consumer guard,
 * the async, non-waiting and blocking receives, the publisher views' readable wait, and the receive
 * waiters they queue. The ring, the tail and the waiter list they use are {@link
 * BroadcastShared}'s.
 *
 * @param <T> the type of the values
 */
final class BroadcastCursor<T> {

    /*
     * Implementation overview
     *
     * Words as in BroadcastShared: a receive *peeks* its position (BroadcastShared.peek) and
     * *consumes* the outcome by moving its cursor `next` past it; a waiter's outcome is
     * *recorded* by the thread that claims it and *settled* (applied to the cursor) by this
     * receiver's next operation.
     *
     * Cancel safety without rewinding: the cursor `next` moves only inside a receive that holds
     * the receiver's `guard`, never on a sender's thread. An async receive that finds nothing
     * links a RecvWait; the wake pass that claims it peeks on the receiver's behalf and records
     * the outcome and the cursor after it (RecvWait.record). The next operation on the receiver
     * settles it (enter): if the future holds that very outcome, the cursor moves there; if it
     * was cancelled or completed from outside first, the cursor stays and the value (or the lag)
     * is peeked again. `guard` (null, BUSY or the pending RecvWait) is CASed on entry to every
     * receive, so a second concurrent receive fails without touching anything. A recv() that
     * finds something returns a complete StackSafeFuture, whose dependents run through the
     * trampoline, so recursive consumers keep a flat stack.
     *
     * Readable waits (publisher views, BroadcastPublisher): a subscription owns a receiver and
     * polls it with tryRecv on its drain loop. When empty it calls whenReadable(): an async
     * ReadableWait linked like any waiter at the receiver's position, claimed by the same wake
     * pass, but whose outcome is only TRUE: it consumes nothing and moves no cursor (the drain
     * loop receives for itself, as a blocking receive does). So withdrawing it never has anything
     * to give back; the cursor keeps it in `wakeUp` so that close() withdraws it, and a new call
     * replaces a stale one (the cursor moved on). It is not the pending receive (`guard` stays
     * free), so tryRecv works while it is linked.
     *
     * Blocking receives: peek; when EMPTY, re-peek up to Spin.BUDGET times (Spin.backOff) before
     * linking a blocking ReadableWait and parking; woken, the thread peeks for itself. The
     * re-peeks read what the peek reads, so they change no ordering argument.
     *
     * Access modes. `next` is written only by the thread holding `guard`, with setRelease; the
     * getAcquire in settledNext() pairs with it (len() and Sender.len() call it from any thread).
     * The receiving thread's own plain read of `next` is ordered by `guard`: its CAS on entry
     * (acquire) pairs with the previous receive's volatile write of null on exit (release).
     * A RecvWait's outcome and nextAfter are volatile, written under the channel lock before the
     * claiming thread fires it; enter() reads them after seeing the future done, and the
     * future's completion orders the two. Sequential consistency is needed for one Dekker pair:
     * whenReadable() writes `wakeUp` (volatile) and then reads `handleClosed` (volatile); close()
     * CASes `handleClosed` and then reads `wakeUp`; one of them sees the other, so no wake-up
     * stays linked for a closed receiver.
     *
     * Guarded by BroadcastLincheckTest (receives with cancellation), BroadcastPublisherLincheckTest
     * (readable waits, whenReadable against close) and BroadcastRaceTest.
     */

    /** Guard: a receive is running on some thread. */
    private static final Object BUSY = new Object();

    final BroadcastShared<T> shared;

    /** The next position to read; written by the receiving thread (release), read by len(). */
    private long next;

    /** null (idle), BUSY (a receive runs), or the pending RecvWait. */
    private volatile Object guard;

    /** Set once by {@link #close()}. */
    private volatile boolean handleClosed;

    /** The publisher view's pending readable wait ({@link #whenReadable()}), or null. */
    private volatile ReadableWait wakeUp;

    BroadcastCursor(BroadcastShared<T> shared, long next) {
        this.shared = shared;
        this.next = next;
    }

    // ---------------------------------------------------------------------------------------
    // Receives

    /** {@link Broadcast.Receiver#recv()}. */
    CompletableFuture<T> recv() {
        enter();
        for (; ; ) {
            long q = next;
            Object r = shared.peek(q);
            if (r == EMPTY) {
                RecvWait<T> w = new RecvWait<>(shared, q);
                guard = w; // pending from here: a completion settles, a second recv fails
                if (shared.register(w)) {
                    return w.future(); // the guard now belongs to w
                }
                guard = BUSY;
                continue;
            }
            try {
                return StackSafeFuture.completed(consume(q, r));
            } catch (LaggedException | ClosedException e) {
                return StackSafeFuture.failed(e);
            } finally {
                guard = null;
            }
        }
    }

    /** {@link Broadcast.Receiver#tryRecv()}. */
    T tryRecv() {
        enter();
        try {
            long q = next;
            Object r = shared.peek(q);
            if (r == EMPTY) {
                return null;
            }
            if (r == END && shared.closeCause == null) {
                throw new ClosedException(
                        "cannot receive: the broadcast channel was closed and is drained");
            }
            return consume(q, r);
        } finally {
            guard = null;
        }
    }

    /**
     * {@link Broadcast.Receiver#blockingRecv()}: parks until the position is readable or {@code
     * deadline} ({@link System#nanoTime()}, {@link Long#MAX_VALUE} for none) passes.
     *
     * @return the value, or null at the end of the stream or on timeout
     */
    T recvBlocking(long deadline) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        enter();
        try {
            int rechecks = 0; // bounded re-peek before a waiter and a park, see Spin
            for (; ; ) {
                long q = next;
                Object r = shared.peek(q);
                if (r != EMPTY) {
                    return consume(q, r);
                }
                if (rechecks < Spin.BUDGET) {
                    Spin.backOff(rechecks++);
                    continue;
                }
                if (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0L) {
                    return null;
                }
                ReadableWait w = new ReadableWait(shared, q, true);
                if (shared.register(w)
                        && w.awaitBlocking(deadline, Boolean.FALSE) == Boolean.FALSE) {
                    return null; // timed out and withdrawn
                }
            }
        } finally {
            guard = null;
        }
    }

    /**
     * The publisher views' wake-up: a future that completes with TRUE once the next receive would
     * not find the channel empty (a value, a lag, or the end), or null if that is so already.
     * Consumes nothing and moves no cursor, so a cancelled or stale wake-up loses nothing. While
     * the returned future is pending for the current position, calling again returns the same
     * future; a pending one left behind by a cursor that moved on is withdrawn. {@link #close()}
     * withdraws it. Allocates (a waiter and its future) only when it returns a new future.
     *
     * @throws IllegalStateException as {@link #tryRecv()}
     */
    CompletableFuture<Boolean> whenReadable() {
        enter();
        try {
            long q = next;
            ReadableWait h = wakeUp;
            if (h != null) {
                if (h.pos == q && !h.future().isDone()) {
                    return h.future(); // still waiting for this position
                }
                wakeUp = null;
                h.future().cancel(false); // stale (the cursor moved on) or done: withdraw
            }
            ReadableWait w = new ReadableWait(shared, q, false);
            if (!shared.register(w)) {
                return null; // readable meanwhile: poll again
            }
            wakeUp = w; // volatile write, then the read of handleClosed: Dekker with close()
            if (handleClosed) {
                wakeUp = null;
                w.future().cancel(false);
            }
            return w.future();
        } finally {
            guard = null;
        }
    }

    /** Takes the single-consumer guard, settling a completed previous recv. */
    private void enter() {
        checkOpen();
        for (; ; ) {
            Object s = guard;
            if (s == null) {
                if (GUARD.compareAndSet(this, null, BUSY)) {
                    return;
                }
            } else if (s instanceof RecvWait && ((RecvWait<?>) s).future().isDone()) {
                if (GUARD.compareAndSet(this, s, BUSY)) {
                    RecvWait<?> w = (RecvWait<?>) s;
                    if (w.tookEffect()) {
                        if (w.outcome instanceof LaggedException) {
                            shared.countLag(((LaggedException) w.outcome).missed());
                        }
                        setNext(w.nextAfter);
                    }
                    return;
                }
            } else {
                throw new IllegalStateException(
                        "a receive is already pending on this Broadcast.Receiver: it is a single"
                                + " consumer, one receive at a time");
            }
        }
    }

    /** Consumes a peek outcome at {@code q} that is not EMPTY: moves the cursor past it. */
    @SuppressWarnings("unchecked")
    private T consume(long q, Object r) {
        if (r == END) {
            Throwable cause = shared.closeCause;
            if (cause != null) {
                throw shared.closedWithCause(cause);
            }
            return null;
        }
        if (r instanceof LaggedException) {
            LaggedException e = (LaggedException) r;
            shared.countLag(e.missed());
            setNext(add(q, e.missed()));
            throw e;
        }
        setNext(add(q, 1));
        return (T) r;
    }

    // ---------------------------------------------------------------------------------------
    // The cursor and closing

    private void setNext(long n) {
        NEXT.setRelease(this, n); // release; pairs with the getAcquire in settledNext()
    }

    /** The cursor as seen by any thread, counting a completed, unsettled recv. */
    long settledNext() {
        Object s = guard;
        if (s instanceof RecvWait) {
            RecvWait<?> w = (RecvWait<?>) s;
            if (w.tookEffect()) {
                return w.nextAfter;
            }
        }
        return (long) NEXT.getAcquire(this);
    }

    /** {@link Broadcast.Receiver#len()}. */
    int len() {
        return (int)
                Math.min(Integer.MAX_VALUE, Math.max(0, dist(pos(shared.tail), settledNext())));
    }

    boolean isHandleClosed() {
        return handleClosed;
    }

    /** Throws if the receiver handle was closed. */
    void checkOpen() {
        if (handleClosed) {
            throw new IllegalStateException("this Broadcast.Receiver handle was closed");
        }
    }

    /**
     * {@link Broadcast.Receiver#close()}: cancels a pending receive, withdraws the wake-up and
     * drops the receiver count. Idempotent.
     */
    void close() {
        if (!HANDLE_CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        Object s = guard;
        if (s instanceof RecvWait) {
            ((RecvWait<?>) s).future().cancel(false);
        }
        ReadableWait h = wakeUp; // volatile read after the CAS: Dekker with whenReadable
        if (h != null) {
            h.future().cancel(false); // withdraws it: nothing stays linked for this receiver
        }
        shared.unsubscribe(this);
    }

    // ---------------------------------------------------------------------------------------
    // Receive waiters

    /** An async receive; the receiver settles its cursor from it (see the overview). */
    private static final class RecvWait<T> extends BroadcastShared.Wait<T> {
        /** The outcome recorded: the value, the LaggedException, or null. */
        volatile Object outcome;

        /** The receiver's cursor after the outcome took effect. */
        volatile long nextAfter;

        RecvWait(BroadcastShared<T> shared, long pos) {
            super(shared, pos, false);
            this.nextAfter = pos;
        }

        @Override
        void recordOutcome() {
            record(shared.peek(pos)); // readable: never spins
        }

        /**
         * Records the peek outcome {@code r} at {@code pos} (not EMPTY) as this waiter's outcome;
         * the caller claimed it and fires it.
         */
        @SuppressWarnings("unchecked")
        private void record(Object r) {
            if (r instanceof LaggedException) {
                LaggedException e = (LaggedException) r;
                nextAfter = add(pos, e.missed());
                outcome = e;
                setFailure(e);
            } else if (r == END) {
                Throwable cause = shared.closeCause;
                if (cause != null) {
                    setFailure(shared.closedWithCause(cause));
                } else {
                    setValue(null);
                }
            } else {
                nextAfter = add(pos, 1);
                outcome = r;
                setValue((T) r);
            }
        }

        /** True if this waiter's future holds the outcome it recorded (it took effect). */
        boolean tookEffect() {
            CompletableFuture<T> f = future();
            Object o = outcome;
            if (o == null || !f.isDone() || f.isCancelled()) {
                return false;
            }
            if (!f.isCompletedExceptionally()) {
                return f.getNow(null) == o;
            }
            try {
                f.join();
                return false;
            } catch (CompletionException | CancellationException e) {
                return e.getCause() == o;
            }
        }

        @Override
        protected void undelivered(T v) {
            // Nothing to give back: the cursor never moved (the receiver settles it).
        }
    }

    /**
     * A wait that consumes nothing: a blocking receive (the parked thread peeks for itself) or,
     * async, the wake-up of a publisher view ({@link #whenReadable()}), whose future completes with
     * TRUE once position {@code pos} is readable (a value, a lag, or the end).
     */
    private static final class ReadableWait extends BroadcastShared.Wait<Boolean> {
        ReadableWait(BroadcastShared<?> shared, long pos, boolean blocking) {
            super(shared, pos, blocking);
        }

        @Override
        void recordOutcome() {
            setValue(Boolean.TRUE);
        }

        @Override
        protected void undelivered(Boolean v) {}
    }

    // VarHandle mechanics
    private static final VarHandle GUARD;
    private static final VarHandle NEXT;
    private static final VarHandle HANDLE_CLOSED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            GUARD = l.findVarHandle(BroadcastCursor.class, "guard", Object.class);
            NEXT = l.findVarHandle(BroadcastCursor.class, "next", long.class);
            HANDLE_CLOSED = l.findVarHandle(BroadcastCursor.class, "handleClosed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
