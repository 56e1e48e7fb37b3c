package dev.tributary.sync.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A waiting future whose internal completion and every outside completion race through one claim
 * CAS, decided <em>before</em> the operation takes effect. The mpsc channel uses it where the
 * effect cannot be undone once started: a {@code recvMany} that appends to the caller's buffer, a
 * {@code recv} whose value is handed over, a {@code send} whose value is pushed.
 *
 * <p>Life cycle: {@code PENDING --tryClaim()--> CLAIMED} (the owner will perform the operation and
 * then complete the future with {@link #completeInternally(Object)}), or {@code PENDING --outside
 * completion--> CANCELLED} (the subclass's {@link #withdraw()} runs first, then the outside
 * completion lands). An outside completion that finds the future {@code CLAIMED} loses: it returns
 * false and leaves the future incomplete for the short time until the owner completes it with the
 * operation's result. So {@code cancel()} returning false means "the operation took effect": wait
 * for the result. The outside entry points themselves are those of {@link WaitingFuture}.
 *
 * <p>This differs from {@link Waiter}, where a claim only reserves and an outside completion can
 * still win until the owner's completion lands (the grant is then handed back): that suits permits,
 * which can be given back, but not a buffer already appended to.
 *
 * @param <V> the result type
 */
public abstract class ClaimFuture<V> extends WaitingFuture<V> {
    private static final int PENDING = 0;
    private static final int CLAIMED = 1;
    private static final int CANCELLED = 2;

    /** PENDING, CLAIMED or CANCELLED; written only by CAS. */
    private volatile int claim;

    /** Creates a pending future. */
    protected ClaimFuture() {}

    /**
     * Claims the right to perform the operation and complete this future; at most once, never after
     * an outside completion.
     *
     * @return true if the caller must now perform the operation and complete the future
     */
    public final boolean tryClaim() {
        return CLAIM.compareAndSet(this, PENDING, CLAIMED);
    }

    /**
     * Returns true while neither claimed nor completed from outside.
     *
     * @return whether the operation is still pending
     */
    public final boolean isPending() {
        return claim == PENDING;
    }

    /**
     * Called once, by the outside completion that won against {@link #tryClaim()}, before that
     * completion becomes visible: the operation must be unregistered (it will never take effect).
     */
    protected abstract void withdraw();

    /**
     * Completes this future after a successful claim.
     *
     * @param v the result
     */
    public final void completeClaimed(V v) {
        completeInternally(v);
    }

    /**
     * Fails this future after a successful claim.
     *
     * @param t the failure
     */
    public final void failClaimed(Throwable t) {
        failInternally(t);
    }

    /** Decided by the claim word: withdraws and proceeds if pending, loses if claimed. */
    @Override
    protected final boolean beforeExternalCompletion() {
        if (CLAIM.compareAndSet(this, PENDING, CANCELLED)) {
            withdraw();
            return true;
        }
        return claim == CANCELLED;
    }

    @Override
    public String toString() {
        return super.toString() + (claim == PENDING ? "[waiting]" : "");
    }

    // VarHandle mechanics
    private static final VarHandle CLAIM;

    static {
        try {
            CLAIM = MethodHandles.lookup().findVarHandle(ClaimFuture.class, "claim", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
