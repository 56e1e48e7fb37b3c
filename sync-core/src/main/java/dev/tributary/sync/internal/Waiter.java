package dev.tributary.sync.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * One queued wait: either a {@link CompletableFuture} handed to the caller (async mode) or a parked
 * thread (blocking mode). Every primitive that waits queues these in a {@link WaiterList} under its
 * own small lock.
 *
 * <h2>Life cycle</h2>
 *
 * <pre>
 *            tryClaim()  (owner, under its lock)          fire: complete future / unpark thread
 *   PENDING ------------------------------------&gt; CLAIMED ---------------------------------------&gt;
 *      |
 *      |  tryCancel()  (future completed from outside, interrupt, timeout)
 *      +------------------------------------------&gt; CANCELLED --&gt; owner.withdraw(this) under its lock
 * </pre>
 *
 * Exactly one of {@link #tryClaim()} and {@link #tryCancel()} succeeds, by CAS on {@code state}.
 * The winner owns the clean-up:
 *
 * <ul>
 *   <li>The side that cancels calls {@link #withdraw()}, which the owner implements: under its lock
 *       it unlinks the waiter if it is still linked and returns whatever had been assigned to it.
 *       An outside completion of the future withdraws <em>before</em> the completion becomes
 *       visible, so dependents already see the primitive without this waiter.
 *   <li>The owner that claims a waiter unlinks it, records the outcome, and after unlocking calls
 *       {@link #fire()}. If the future was completed from outside between the claim and the fire
 *       (the outside {@code tryCancel} lost, but the future was still incomplete), the internal
 *       completion fails and {@link #undelivered(Object)} hands the value back to the owner: a
 *       permit granted in that race is released again, a notification is passed on.
 * </ul>
 *
 * <p><b>Where the outcome is decided.</b> For a blocking waiter, the CAS on {@code state} decides:
 * once claimed, the thread receives the outcome even if interrupted or timed out. For an async
 * waiter the claim only reserves: the outcome is decided by a second CAS, on {@code delivery},
 * between the owner's fire (after unlocking) and an outside completion, each made before its
 * completion becomes visible. An outside completion that wins it after a claim undoes the grant
 * through {@code undelivered}; one that loses it returns false, and the future completes with the
 * owner's outcome. This is the cancel contract of docs/design.md: either the operation took effect
 * (the future holds its result and the outside completion lost) or it never will, and nothing
 * leaks. One consequence: a waiter queued behind a claimed-then-cancelled one may be served by the
 * hand-back, after waiters that were claimed later.
 *
 * <p>{@code tryClaim()} is overridable so that a later {@code select} can make several waiters
 * share one claim.
 *
 * <h2>Threads</h2>
 *
 * Futures are completed through the {@link Trampoline}, on the thread that fired the waiter, after
 * the owner's lock is released. A parked thread is unparked directly (no user code runs on the
 * firing thread). Queue links ({@link #prev}, {@link #next}, {@link #list}) are plain fields
 * guarded by the owner's lock. The outcome fields are written before the volatile {@code fired}
 * write (release) that the parked thread reads (acquire).
 *
 * @param <V> the value a granted waiter delivers
 */
public abstract class Waiter<V> extends Trampoline.Task implements Spin.Parked {

    static final int PENDING = 0;
    static final int CLAIMED = 1;
    static final int CANCELLED = 2;

    // Queue links: plain, guarded by the owner's lock (see WaiterList).
    Waiter<?> prev;
    Waiter<?> next;
    WaiterList list;

    /** Chains claimed waiters that the owner fires after unlocking; plain, owner-confined. */
    Waiter<?> nextToFire;

    /** PENDING, CLAIMED or CANCELLED; written only by CAS. */
    private volatile int state;

    /** Blocking mode: the parked thread. Null in async mode. */
    private final Thread thread;

    /** Async mode: the future handed to the caller. Null in blocking mode. */
    private final WaiterFuture<V> future;

    /** The outcome, written by the claiming owner before firing. */
    private V value;

    private Throwable failure;

    static final int UNDECIDED = 0;
    static final int BY_OWNER = 1;
    static final int FROM_OUTSIDE = 2;

    /**
     * Async mode: who completes the future, UNDECIDED until one CAS decides it, BY_OWNER (fire) or
     * FROM_OUTSIDE (an outside completion); decided before that completion is visible.
     */
    private volatile int delivery;

    /**
     * Returns true if the future of this (async) waiter was completed with the outcome the owner
     * recorded, rather than by an outside completion. Meaningful once the future is done (the
     * decision precedes the completion, so no reader of a done future sees it change); an owner
     * that records a side effect only for a delivered outcome (Watch marks a version seen) checks
     * it.
     *
     * @return whether the owner's completion won
     */
    public final boolean deliveredInternally() {
        return delivery == BY_OWNER;
    }

    /**
     * An outside completion's half of the delivery decision: true if it may complete the future (it
     * won, or had already won), false if the owner's delivery was decided first.
     */
    final boolean decideFromOutside() {
        int d = (int) DELIVERY.compareAndExchange(this, UNDECIDED, FROM_OUTSIDE);
        return d != BY_OWNER;
    }

    /** Blocking mode hand-shake: release-written by fire, acquire-read by the parked thread. */
    private volatile boolean fired;

    /**
     * Creates a waiter.
     *
     * @param blocking true for a waiter that parks the current thread, false for one that completes
     *     a future
     */
    protected Waiter(boolean blocking) {
        if (blocking) {
            this.thread = Thread.currentThread();
            this.future = null;
        } else {
            this.thread = null;
            this.future = new WaiterFuture<>(this);
        }
    }

    /**
     * Claims this waiter for completion: succeeds at most once, and never after {@link
     * #tryCancel()} succeeded. Called by the owner under its lock before it hands anything to this
     * waiter.
     *
     * @return true if the caller now owns this waiter's completion
     */
    public boolean tryClaim() {
        return STATE.compareAndSet(this, PENDING, CLAIMED);
    }

    /**
     * Withdraws this waiter: succeeds at most once, and never after {@link #tryClaim()} succeeded.
     *
     * @return true if the operation will never take effect and the caller must {@link #withdraw()}
     *     it
     */
    @Override
    public final boolean tryCancel() {
        return STATE.compareAndSet(this, PENDING, CANCELLED);
    }

    /**
     * Returns true once the claiming owner fired this waiter (blocking mode: an acquire read,
     * paired with the release write in {@link #fire()}).
     */
    @Override
    public final boolean isFired() {
        return fired;
    }

    /** Returns true while neither claimed nor cancelled. */
    public final boolean isPending() {
        return state == PENDING;
    }

    /** Returns true if this waiter is currently linked in a list (read under the owner's lock). */
    public final boolean isLinked() {
        return list != null;
    }

    /** Returns the future handed to the caller (async mode only). */
    public final CompletableFuture<V> future() {
        return future;
    }

    /**
     * Records a successful outcome. Called by the claiming owner, under or outside its lock, before
     * {@link #fire()}.
     *
     * @param v the value to deliver
     */
    public final void setValue(V v) {
        this.value = v;
    }

    /**
     * Records a failed outcome. Called by the claiming owner before {@link #fire()}.
     *
     * @param t the failure to deliver
     */
    public final void setFailure(Throwable t) {
        this.failure = t;
    }

    /**
     * Delivers the recorded outcome. Must be called by the owner that claimed this waiter, once,
     * after releasing its lock. Async mode goes through the {@link Trampoline}.
     */
    public final void fire() {
        if (future == null) {
            fired = true; // release; pairs with the acquire read in isFired (Spin.park)
            LockSupport.unpark(thread);
        } else {
            Trampoline.run(this);
        }
    }

    /**
     * Trampoline body: completes the future, or returns the value to the owner if the future lost
     * the race.
     */
    @Override
    protected final void runTask() {
        Throwable f = failure;
        V v = value;
        value = null;
        // Decided before the completion, so that a dependent of this very completion, and any
        // thread that sees the future done, reads the final answer of deliveredInternally.
        boolean won = DELIVERY.compareAndSet(this, UNDECIDED, BY_OWNER);
        if (f != null) {
            if (won) {
                future.internalCompleteExceptionally(f);
            }
        } else if (won) {
            future.internalComplete(v); // cannot fail: every outside completion now loses
        } else {
            undelivered(v); // an outside completion won: take the grant back
        }
    }

    /**
     * Called under no lock when this waiter was claimed but its future had already been completed
     * from outside: the owner must take the value back (release permits, pass a notification on).
     *
     * @param v the value that could not be delivered
     */
    protected abstract void undelivered(V v);

    /**
     * Called once after a successful {@link #tryCancel()}: the owner unlinks this waiter if it is
     * still linked and returns whatever it had assigned to it. Must not be called under the owner's
     * lock.
     */
    protected abstract void withdraw();

    /**
     * Parks the calling thread (blocking mode only) until this waiter fires, the deadline passes,
     * or the thread is interrupted ({@link Spin#park(Spin.Parked, long)}, which also serves the
     * mpsc receiver). A timeout or interrupt that loses the race against a claim still returns the
     * value, with the interrupt status set again: the operation took effect.
     *
     * @param deadlineNanos deadline in {@link System#nanoTime()} terms, or {@code Long.MAX_VALUE}
     *     for none
     * @param timedOut returned when the deadline passed before the waiter was claimed
     * @return the delivered value, or {@code timedOut}
     * @throws InterruptedException if interrupted before the waiter was claimed (it is then
     *     withdrawn)
     */
    public final V awaitBlocking(long deadlineNanos, V timedOut) throws InterruptedException {
        switch (Spin.park(this, deadlineNanos, true)) {
            case Spin.INTERRUPTED:
                withdraw();
                throw new InterruptedException();
            case Spin.TIMED_OUT:
                withdraw();
                return timedOut;
            default:
                break;
        }
        Throwable f = failure;
        if (f != null) {
            throw sneaky(f);
        }
        V v = value;
        value = null;
        return v;
    }

    private static RuntimeException sneaky(Throwable f) {
        if (f instanceof RuntimeException) {
            return (RuntimeException) f; // the owner's closed error, rethrown on the waiting thread
        }
        if (f instanceof Error) {
            throw (Error) f;
        }
        return new IllegalStateException(f);
    }

    /**
     * The future handed to async callers: a {@link WaitingFuture} whose every outside completion
     * ({@code cancel}, {@code complete}, {@code completeExceptionally}, {@code completeAsync},
     * {@code orTimeout}, {@code completeOnTimeout}) withdraws the waiter first.
     */
    static final class WaiterFuture<V> extends WaitingFuture<V> {
        private final Waiter<V> waiter;

        WaiterFuture(Waiter<V> waiter) {
            this.waiter = waiter;
        }

        boolean internalComplete(V v) {
            return completeInternally(v);
        }

        boolean internalCompleteExceptionally(Throwable t) {
            return failInternally(t);
        }

        /**
         * Withdraws the waiter before the outside completion becomes visible, so that dependents of
         * the completed future (and threads that observe it) already see the primitive without it,
         * as with tokio's synchronous drop. If the waiter was claimed first, the delivery CAS
         * decides: won from outside, the owner's fire hands the value back through {@link
         * Waiter#undelivered(Object)}; won by the owner, the outside completion returns false.
         */
        @Override
        protected boolean beforeExternalCompletion() {
            if (!isDone() && waiter.tryCancel()) {
                waiter.withdraw();
            }
            return waiter.decideFromOutside();
        }

        @Override
        public String toString() {
            return super.toString() + (isCancelled() ? "" : waiter.isPending() ? "[waiting]" : "");
        }
    }

    // VarHandle mechanics
    private static final VarHandle STATE;
    private static final VarHandle DELIVERY;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(Waiter.class, "state", int.class);
            DELIVERY = l.findVarHandle(Waiter.class, "delivery", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
