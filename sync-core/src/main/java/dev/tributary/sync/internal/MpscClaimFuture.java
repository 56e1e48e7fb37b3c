package dev.tributary.sync.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * A future whose internal completion and every external completion ({@code cancel}, {@code
 * complete}, {@code completeExceptionally}, {@code orTimeout}, {@code completeOnTimeout}) race
 * through one claim CAS, decided <em>before</em> the operation takes effect. The mpsc channel uses
 * it where the effect cannot be undone once started: a {@code recvMany} that appends to the
 * caller's buffer, a {@code recv} whose value is handed over, a {@code send} whose value is pushed.
 *
 * <p>Life cycle: {@code PENDING --tryClaim()--> CLAIMED} (the owner will perform the operation and
 * then complete the future with {@link #internalComplete(Object)}), or {@code PENDING --external
 * completion--> CANCELLED} (the subclass's {@link #withdraw()} runs first, then the external
 * completion lands). An external completion that finds the future {@code CLAIMED} loses: it returns
 * false and leaves the future incomplete for the short time until the owner completes it with the
 * operation's result. So {@code cancel()} returning false means "the operation took effect": wait
 * for the result.
 *
 * <p>This differs from {@link Waiter}, where a claim only reserves and an external completion can
 * still win until the owner's completion lands (the grant is then handed back): that suits permits,
 * which can be given back, but not a buffer already appended to.
 *
 * @param <V> the result type
 */
public abstract class MpscClaimFuture<V> extends CompletableFuture<V> {
    private static final int PENDING = 0;
    private static final int CLAIMED = 1;
    private static final int CANCELLED = 2;

    /** PENDING, CLAIMED or CANCELLED; written only by CAS. */
    private volatile int claim;

    /** Creates a pending future. */
    protected MpscClaimFuture() {}

    /**
     * Claims the right to perform the operation and complete this future; at most once, never after
     * an external completion.
     *
     * @return true if the caller must now perform the operation and call {@link
     *     #internalComplete(Object)} or {@link #internalCompleteExceptionally(Throwable)}
     */
    public final boolean tryClaim() {
        return CLAIM.compareAndSet(this, PENDING, CLAIMED);
    }

    /**
     * Returns true while neither claimed nor externally completed.
     *
     * @return whether the operation is still pending
     */
    public final boolean isPending() {
        return claim == PENDING;
    }

    /**
     * Called once, by the external completion that won against {@link #tryClaim()}, before that
     * completion becomes visible: the operation must be unregistered (it will never take effect).
     */
    protected abstract void withdraw();

    /**
     * Completes this future after a successful claim.
     *
     * @param v the result
     */
    public final void internalComplete(V v) {
        super.complete(v);
    }

    /**
     * Fails this future after a successful claim.
     *
     * @param t the failure
     */
    public final void internalCompleteExceptionally(Throwable t) {
        super.completeExceptionally(t);
    }

    private boolean withdrawFirst() {
        if (CLAIM.compareAndSet(this, PENDING, CANCELLED)) {
            withdraw();
            return true;
        }
        return claim == CANCELLED;
    }

    /**
     * Completes this future from outside, withdrawing the operation, unless the operation was
     * already claimed (then returns false; the future completes with the operation's result).
     */
    @Override
    public boolean complete(V value) {
        return withdrawFirst() && super.complete(value);
    }

    /**
     * Fails this future from outside, withdrawing the operation, unless the operation was already
     * claimed (then returns false; the future completes with the operation's result).
     */
    @Override
    public boolean completeExceptionally(Throwable ex) {
        Objects.requireNonNull(ex, "ex");
        return withdrawFirst() && super.completeExceptionally(ex);
    }

    /**
     * Cancels this future, withdrawing the operation, unless the operation was already claimed:
     * then returns false, and the future completes shortly with the operation's result.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return withdrawFirst() && super.cancel(mayInterruptIfRunning);
    }

    @Override
    public CompletableFuture<V> completeAsync(Supplier<? extends V> supplier, Executor executor) {
        Objects.requireNonNull(supplier, "supplier");
        Objects.requireNonNull(executor, "executor");
        executor.execute(
                () -> {
                    try {
                        complete(supplier.get());
                    } catch (Throwable t) {
                        completeExceptionally(t);
                    }
                });
        return this;
    }

    /**
     * Unsupported: forcing a value onto the future could report an operation that did not happen.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void obtrudeValue(V value) {
        throw new UnsupportedOperationException(
                "obtrudeValue is not supported on a Tributary wait: complete or cancel it instead");
    }

    /**
     * Unsupported: see {@link #obtrudeValue(Object)}.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void obtrudeException(Throwable ex) {
        throw new UnsupportedOperationException(
                "obtrudeException is not supported on a Tributary wait: complete or cancel it instead");
    }

    @Override
    public String toString() {
        return super.toString() + (claim == PENDING ? "[waiting]" : "");
    }

    // VarHandle mechanics
    private static final VarHandle CLAIM;

    static {
        try {
            CLAIM = MethodHandles.lookup().findVarHandle(MpscClaimFuture.class, "claim", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
